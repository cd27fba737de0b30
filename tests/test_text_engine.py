"""The text engine on the tiny model, through the real transformers and CTranslate2 paths."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from worldforge.engines.cancel import Cancelled, CancelToken
from worldforge.engines.text.protocol import TextEngine, TextSettings
from worldforge.engines.text.stops import finish

PROMPT = "Mara kept the lamps lit in the workshop by the harbour. The machine"


def settings(**kw) -> TextSettings:
    base = {"max_new_tokens": 24, "candidates": 3, "seed": 11, "stop": "tokens"}
    return TextSettings(**(base | kw))


def test_tiny_model_loads_through_from_pretrained(tiny_text_model, tiny_torch_engine):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_text_model)
    model = AutoModelForCausalLM.from_pretrained(tiny_text_model, use_safetensors=True)
    config = json.loads((tiny_text_model / "config.json").read_text())
    assert type(tokenizer).__name__.startswith("GPT2Tokenizer")
    assert len(tokenizer) == config["vocab_size"] == model.config.vocab_size
    assert tokenizer.decode(tokenizer.encode("The harbour, at dawn.")) == "The harbour, at dawn."
    assert isinstance(tiny_torch_engine, TextEngine)
    assert tiny_torch_engine.parameters == sum(p.numel() for p in model.parameters())
    assert tiny_torch_engine.context_window == config["n_positions"]
    assert tiny_torch_engine.revision.startswith("sha256:")
    assert tiny_torch_engine.offline_tiny


def test_tiny_build_is_deterministic(tmp_path, tiny_text_model):
    from worldforge.engines.text.tiny import build_tiny_text_model

    again = build_tiny_text_model(tmp_path / "again")
    for name in ("model.safetensors", "vocab.json", "merges.txt", "config.json"):
        assert (again / name).read_bytes() == (tiny_text_model / name).read_bytes(), name


def test_same_seed_same_text_and_seeds_recorded(tiny_engine):
    first = tiny_engine.generate(PROMPT, settings())
    second = tiny_engine.generate(PROMPT, settings())
    other = tiny_engine.generate(PROMPT, settings(seed=12))
    assert [r.text for r in first] == [r.text for r in second]
    assert [r.text for r in first] != [r.text for r in other]
    assert len({r.text for r in first}) == 3, "candidates of one call differ"
    for r in first:
        assert r.tokens == 24
        assert r.record.settings["seed"] == 11 and r.record.settings["candidate"] == r.index
        assert r.record.model == "worldforge/tiny-gpt2" and r.record.engine == tiny_engine.name
        assert r.record.versions["transformers"]


def test_unseeded_call_records_the_seed_it_used(tiny_engine):
    results = tiny_engine.generate(PROMPT, settings(seed=None, candidates=2))
    base = results[0].record.settings["seed"]
    again = tiny_engine.generate(PROMPT, settings(seed=base, candidates=2))
    assert [r.text for r in again] == [r.text for r in results]


def test_transformers_candidates_have_their_own_seeds(tiny_torch_engine):
    batch = tiny_torch_engine.generate(PROMPT, settings(seed=40))
    assert [r.seed for r in batch] == [40, 41, 42]
    alone = tiny_torch_engine.generate(PROMPT, settings(seed=42, candidates=1))
    assert alone[0].text == batch[2].text


def test_tokens_stream_in_order_per_candidate(tiny_engine):
    pieces: dict[int, list[str]] = {}
    results = tiny_engine.generate(
        PROMPT, settings(), on_token=lambda i, piece: pieces.setdefault(i, []).append(piece)
    )
    assert sorted(pieces) == [0, 1, 2]
    for r in results:
        assert "".join(pieces[r.index]) == r.text
        assert len(pieces[r.index]) > 1


def test_cancel_stops_within_one_token(tiny_engine):
    cancel = CancelToken()
    seen: list[tuple[int, str]] = []

    def on_token(index: int, piece: str) -> None:
        seen.append((index, piece))
        cancel.cancel()

    with pytest.raises(Cancelled):
        tiny_engine.generate(PROMPT, settings(max_new_tokens=200), on_token=on_token, cancel=cancel)
    # the step that fired the cancel may finish for the other candidates, nothing after it
    assert len(seen) <= 3
    assert all(count <= 1 for count in (sum(1 for i, _ in seen if i == k) for k in range(3)))


def test_stop_rules_shape_the_final_text(tiny_engine):
    raw: dict[int, str] = {}

    def on_token(index: int, piece: str) -> None:
        raw[index] = raw.get(index, "") + piece

    for rule in ("sentence", "paragraph"):
        raw.clear()
        results = tiny_engine.generate(PROMPT, settings(stop=rule, max_new_tokens=48), on_token=on_token)
        for r in results:
            assert r.text == finish(rule, raw[r.index])
            if rule == "paragraph":
                assert "\n" not in r.text.strip()


def test_max_new_tokens_and_window(tiny_engine):
    window = tiny_engine.context_window
    long_prompt = "the harbour " * window  # longer than the window: only its end is kept
    results = tiny_engine.generate(long_prompt, settings(max_new_tokens=5, candidates=1))
    assert results[0].tokens == 5
    assert results[0].record.prompt_tokens == window - 5


def test_resolver_imports_no_torch():
    code = (
        "import sys; from worldforge.engines.text.registry import text_engine; "
        "import worldforge.conductor.expand, worldforge.cli.text, worldforge.cli.models; "
        "e = text_engine('gpt2'); "
        "print(sorted(m for m in ('torch', 'transformers', 'ctranslate2') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_default_choice_is_gpt2_when_cached_else_tiny(monkeypatch, tiny_text_model):
    import worldforge.engines.text.registry as registry

    monkeypatch.setattr(registry, "text_cached", lambda model_id: None)
    engine = registry.text_engine(None)
    assert engine.offline_tiny and engine.source.local == tiny_text_model
    monkeypatch.setattr(registry, "text_cached", lambda model_id: tiny_text_model)
    engine = registry.text_engine(None)
    assert not engine.offline_tiny and engine.model_id == "openai-community/gpt2"
    assert engine.license.startswith("MIT")


def test_choices_resolve_or_explain(tiny_text_model):
    from worldforge.engines.errors import EngineError
    from worldforge.engines.text.registry import text_engine

    assert text_engine(str(tiny_text_model)).source.local == tiny_text_model
    assert text_engine("distilgpt2").model_id == "distilbert/distilgpt2"
    assert text_engine("someone/some-model").model_id == "someone/some-model"
    with pytest.raises(EngineError, match="unknown text engine 'gpt5'"):
        text_engine("gpt5")


def test_missing_hub_model_offline_says_what_to_do(monkeypatch):
    from worldforge.engines.errors import ModelUnavailable
    from worldforge.engines.source import ModelSource

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ModelUnavailable, match="worldforge models pull"):
        ModelSource("worldforge-tests/not-a-model").resolve()
