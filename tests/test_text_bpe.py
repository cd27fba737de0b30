"""GPT-2's tokenizer read without transformers gives transformers' ids and text, and the
CPU expand path then loads neither transformers nor torch."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from worldforge.engines.device import no_gpu_possible
from worldforge.engines.text.bpe import gpt2_tokenizer

EXAMPLE = Path(__file__).resolve().parents[1] / "stories" / "socialist-gundam" / "story.yaml"
TEXTS = [
    EXAMPLE.read_text(encoding="utf-8"),
    "  two leading spaces, a tab\there,\n\nand blank lines\n",
    "Ilse said: «Не сдаваться» — 我们 ⚙️ café naïve",
    "a literal <|endoftext|> inside the text, then more",
    "",
]


def _transformers_tokenizer(folder: Path):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(folder)


@pytest.mark.parametrize("text", TEXTS, ids=["story", "spaces", "unicode", "special", "empty"])
def test_ids_and_text_match_transformers(tiny_text_model, text):
    ours, theirs = gpt2_tokenizer(tiny_text_model), _transformers_tokenizer(tiny_text_model)
    assert ours is not None
    ids = ours.encode(text, add_special_tokens=False)
    assert ids == theirs.encode(text, add_special_tokens=False)
    assert ours.convert_ids_to_tokens(ids) == theirs.convert_ids_to_tokens(ids)
    for skip in (True, False):
        kept = ours.decode(ids, skip_special_tokens=skip, clean_up_tokenization_spaces=False)
        assert kept == theirs.decode(ids, skip_special_tokens=skip, clean_up_tokenization_spaces=False)
    assert (ours.eos_token, ours.eos_token_id) == (theirs.eos_token, theirs.eos_token_id)


def test_a_hub_style_folder_is_known_by_its_model_type(tiny_text_model, tmp_path):
    """gpt2 on the hub names no tokenizer class and no end token: GPT-2's are assumed."""
    folder = tmp_path / "gpt2"
    shutil.copytree(tiny_text_model, folder)
    (folder / "tokenizer_config.json").write_text(json.dumps({"model_max_length": 1024}))
    tokenizer = gpt2_tokenizer(folder)
    assert tokenizer is not None
    assert (tokenizer.eos_token, tokenizer.eos_token_id) == ("<|endoftext|>", 0)


def test_any_other_tokenizer_is_left_to_transformers(tiny_text_model, tmp_path):
    folder = tmp_path / "other"
    shutil.copytree(tiny_text_model, folder)
    config = json.loads((folder / "tokenizer_config.json").read_text())
    (folder / "tokenizer_config.json").write_text(json.dumps({**config, "tokenizer_class": "LlamaTokenizer"}))
    assert gpt2_tokenizer(folder) is None
    (folder / "tokenizer_config.json").write_text(json.dumps(config))
    (folder / "tokenizer.json").unlink()
    assert gpt2_tokenizer(folder) is None


def test_no_gpu_is_known_from_the_missing_device_nodes(tmp_path):
    node = tmp_path / "nvidiactl"
    assert no_gpu_possible("linux", (str(node),))
    node.touch()
    assert not no_gpu_possible("linux", (str(node),))
    assert not no_gpu_possible("darwin", (str(tmp_path / "none"),))


@pytest.mark.skipif(not no_gpu_possible(), reason="a GPU may be here: torch decides the device")
def test_an_expand_on_ctranslate2_imports_neither_transformers_nor_torch(tiny_ct2_engine):
    """The model is converted already (the fixture loaded it); a new process expands."""
    script = (
        "import sys\n"
        "from worldforge.engines.text.protocol import TextSettings\n"
        "from worldforge.engines.text.registry import text_engine\n"
        "engine = text_engine('tiny', backend='ctranslate2')\n"
        "results = engine.generate('The dock at night', TextSettings(max_new_tokens=4, candidates=2, seed=3))\n"
        "assert len(results) == 2\n"
        "print(sorted(name for name in ('torch', 'transformers') if name in sys.modules))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=dict(os.environ), timeout=120
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"


def test_the_same_seed_gives_the_same_text_as_through_transformers_tokenizer(tiny_text_model):
    """Generation itself sees the same ids: the text of a seeded expand is unchanged."""
    from worldforge.engines.text.protocol import TextSettings
    from worldforge.engines.text.registry import text_engine

    settings = TextSettings(max_new_tokens=12, candidates=2, seed=11)
    ours = text_engine("tiny", backend="ctranslate2")
    theirs = text_engine("tiny", backend="ctranslate2")
    theirs._tokenizer = _transformers_tokenizer(tiny_text_model)
    assert type(ours.tokenizer()).__name__ == "Gpt2Tokenizer"
    context = TEXTS[0][-2000:]
    assert [r.text for r in ours.generate(context, settings)] == [r.text for r in theirs.generate(context, settings)]
