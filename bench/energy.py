"""What metering costs: text expands and picture renders with codecarbon on and off, same run.

Text: a GPT-2-small-shaped model (12 layers, width 768; the tiny model's 512-token
vocabulary, so ~86M parameters, random weights: speed does not depend on their values)
expanding 4 candidates of 64 tokens through `conductor.expand`. Pictures: the tiny offline
Stable Diffusion pipeline rendering 2 candidates at 256x256, 8 steps, through
`conductor.render` (a short generation, where a fixed per-call cost shows most).

Each round runs one generation with metering off and one with it on, in alternating
order, after one warm-up of each (the meter's first use detects the hardware, which the
studio and the commands do while the model loads); it prints the median seconds of each
and the overhead. The meter's own cost is a start and a stop of a codecarbon task (under
a millisecond) and a 1 s power-sampling thread; on a shared machine, run it under
`flock /tmp/wf-cpu.lock` and read differences under ~2 % as noise.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def build_text_model(folder: Path) -> Path:
    """GPT-2 small's shape with the tiny tokenizer, random weights, saved as safetensors."""
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel

    from worldforge.engines.text.tiny import ensure_tiny_text_model

    tiny = ensure_tiny_text_model()
    folder.mkdir(parents=True, exist_ok=True)
    for name in (
        "vocab.json",
        "merges.txt",
        "tokenizer.json",
        "tokenizer_config.json",
        "special_tokens_map.json",
    ):
        if (tiny / name).is_file():
            shutil.copy(tiny / name, folder / name)
    vocab = GPT2Config.from_pretrained(tiny).vocab_size
    config = GPT2Config(
        vocab_size=vocab, n_positions=1024, n_embd=768, n_layer=12, n_head=12, bos_token_id=0, eos_token_id=0
    )
    torch.manual_seed(0)
    GPT2LMHeadModel(config).save_pretrained(folder, safe_serialization=True)
    return folder


def timed(run: Callable[[], object], metered: bool) -> float:
    os.environ["WORLDFORGE_ENERGY"] = "on" if metered else "off"
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def compare(name: str, run: Callable[[], object], rounds: int) -> None:
    timed(run, False)
    timed(run, True)
    off: list[float] = []
    on: list[float] = []
    for n in range(rounds):
        order = (False, True) if n % 2 == 0 else (True, False)
        for metered in order:
            (on if metered else off).append(timed(run, metered))
    a, b = statistics.median(off), statistics.median(on)
    print(
        f"{name:<8} off {a:7.3f} s   on {b:7.3f} s   overhead {100 * (b - a) / a:+5.1f} %   ({rounds} rounds, medians)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    from tests.image_support import make_story_dir
    from worldforge.conductor import energy
    from worldforge.conductor.expand import expand
    from worldforge.conductor.render import render
    from worldforge.engines.image.protocol import ImageSettings
    from worldforge.engines.image.registry import tiny_image_engine
    from worldforge.engines.text.protocol import TextSettings
    from worldforge.engines.text.registry import text_engine
    from worldforge.store import StoryFolder

    os.environ["WORLDFORGE_ENERGY"] = "on"
    if not energy.enabled():
        sys.exit('codecarbon is not installed: pip install ".[energy]"')
    work = Path(tempfile.mkdtemp(prefix="wf-energy-bench-"))
    try:
        os.environ.setdefault("WORLDFORGE_HOME", str(work / "home"))
        os.environ.setdefault("WORLDFORGE_CONFIG", str(work / "config"))
        text = text_engine(str(build_text_model(work / "gpt2-small-shape")), backend="transformers")
        text.load()
        folder = StoryFolder.open(make_story_dir(work / "story"))
        story = folder.story
        text_settings = TextSettings(max_new_tokens=64, candidates=4, seed=1, stop="tokens")
        compare("text", lambda: expand(story, "start", text, text_settings), args.rounds)
        image = tiny_image_engine()
        image.load()
        picture = ImageSettings(width=256, height=256, steps=8, guidance=0.0, candidates=2, seed=3)
        compare("image", lambda: render(folder, "storm", image, picture), args.rounds)
        meter = energy.meter()
        if meter is not None:
            print(f"meter: {meter.error or 'ok'}; grid {meter.grid.label}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
