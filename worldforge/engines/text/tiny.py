"""A tiny random-weight GPT-2, built offline in a second, for tests and the offline demo.

It goes through exactly the same files and loader as real weights: a ByteLevel BPE
tokenizer trained here on a few KB of English (vocab.json + merges.txt, read back by
AutoTokenizer as a GPT-2 tokenizer), a GPT2Config with small dimensions, save_pretrained
with safetensors. The model vocabulary equals the tokenizer's, which CTranslate2's
converter requires. Everything is seeded, so two builds give the same bytes.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from worldforge.engines.quiet import quiet
from worldforge.locations import models_dir

TINY_TEXT_DIR = "tiny-gpt2"
MARKER = "worldforge-tiny.json"
BUILD_VERSION = 1

# Original text written for worldforge; the tokenizer only needs a few KB of ordinary English.
CORPUS = """\
The workshop stood at the edge of the harbour, where the fog came in every evening and
stayed until the bells rang at dawn. Mara kept the lamps lit. She had promised her mother
that the machines would never be left alone in the dark, and she kept her promises.

Nobody in the village remembered who had built the first machine. Some said it had walked
out of the sea one winter, dripping and silent. Others said the old engineer had found it
in pieces under the lighthouse and spent forty years putting it back together. Mara did
not care which story was true. She cared that it still moved, that its hands were careful,
and that it hummed a little tune when it thought nobody was listening.

"Do you dream?" she asked it one night, while the rain drummed on the tin roof.
The machine turned its head slowly. "I remember," it said. "Is that the same thing?"
"No," said Mara. "Dreams are made of things that never happened."
"Then I dream of the ships," it said, "because the ships never came back."

In the morning the council sent a letter. The harbour would be sold to the company from
the capital, and the workshop with it. The machines would be melted down for their metal.
Mara read the letter twice, folded it, and put it in her pocket. Then she went down to the
docks, where the fishermen were mending their nets, and she told them everything.

They listened without speaking. When she had finished, the oldest of them, a woman with
a scar across her cheek, stood up and looked at the grey water. "We built this harbour
with our own hands," she said. "Every stone of it. If the company wants it, the company can
come and ask us." The others nodded. Someone laughed, and the laugh spread along the pier.

That night they met in the workshop. The machine listened from its corner. When the plan
was ready, it stepped into the light and spoke for the first time in front of strangers.
"I can carry the stones," it said. "I can work in the cold and in the dark. But I cannot
decide for you. You must tell me what you want the harbour to become."

The people looked at one another. Nobody had ever asked them that question before.
A boy at the back raised his hand. "A place where nobody is left behind," he said.
The machine seemed to think about this for a long time. Then it bowed its heavy head.
"That is a good design," it said. "Let us begin."

Spring came late that year. The company's boat arrived on a bright, cold morning, and
found the harbour full of people: fishermen, children, old sailors, and one tall machine
with lamps hung from its shoulders like lanterns at a festival. The captain of the boat
read his papers aloud. Nobody moved. At last he rolled the papers up, climbed back aboard,
and the boat turned away toward the open sea.

Years later, travellers still asked about the machine. The children of the village would
take them to the workshop and show them the place by the window where it liked to stand.
"It is resting," they would say. "It worked very hard. When the harbour needs it again,
it will wake up." And the travellers, who did not believe a word of it, would smile and
leave a coin on the sill, just in case.
"""


def build_tiny_text_model(path: Path | str, seed: int = 0, vocab_size: int = 512) -> Path:
    """Build the tiny GPT-2 into `path` (replacing what is there) and return it.

    Built in a temporary sibling folder and renamed into place, so a crash never leaves
    half a model where the loader would find it.
    """
    import torch
    from tokenizers import ByteLevelBPETokenizer
    from transformers import AutoTokenizer, GPT2Config, GPT2LMHeadModel

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{path.name}-", dir=path.parent))
    try:
        bpe = ByteLevelBPETokenizer()
        bpe.train_from_iterator(
            [CORPUS],
            vocab_size=vocab_size,
            min_frequency=2,
            special_tokens=["<|endoftext|>"],
            show_progress=False,
        )
        bpe.save_model(str(work))
        n_vocab = bpe.get_vocab_size()
        config = GPT2Config(
            vocab_size=n_vocab,
            n_positions=512,
            n_embd=64,
            n_layer=2,
            n_head=2,
            bos_token_id=0,
            eos_token_id=0,
        )
        config.save_pretrained(work)
        with quiet():
            tokenizer = AutoTokenizer.from_pretrained(work)
            if len(tokenizer) != n_vocab:
                raise RuntimeError(f"tiny tokenizer has {len(tokenizer)} tokens, expected {n_vocab}")
            tokenizer.save_pretrained(work)
            generator = torch.Generator().manual_seed(seed)
            model = GPT2LMHeadModel(config)
            with torch.no_grad():
                for param in model.parameters():
                    param.copy_(torch.randn(param.shape, generator=generator) * 0.2)
            model.save_pretrained(work, safe_serialization=True)
        (work / MARKER).write_text(
            json.dumps({"builder": "worldforge tiny gpt2", "version": BUILD_VERSION, "seed": seed}) + "\n"
        )
        if path.exists():
            shutil.rmtree(path)
        os.replace(work, path)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return path


def tiny_text_path() -> Path:
    return models_dir() / TINY_TEXT_DIR


def tiny_text_ready(path: Path | None = None) -> bool:
    path = path or tiny_text_path()
    marker = path / MARKER
    if not (marker.is_file() and (path / "model.safetensors").is_file()):
        return False
    try:
        return bool(json.loads(marker.read_text()).get("version") == BUILD_VERSION)
    except (OSError, ValueError):
        return False


def ensure_tiny_text_model() -> Path:
    """The tiny model's folder, built on first use."""
    path = tiny_text_path()
    if not tiny_text_ready(path):
        build_tiny_text_model(path)
    return path
