"""A short check of the accelerator code paths (run on a machine with a CUDA GPU).

The CPU suite never reaches them: automatic device and dtype choice, float16 text generation
and diffusion on CUDA, seeds reproducing there, and image-to-image. Prints one line per check
and exits non-zero if one fails. Usage: python bench/gpu_check.py
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("WORLDFORGE_HOME", tempfile.mkdtemp())
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

failures: list[str] = []


def check(name: str, ok: bool, detail: str = "") -> None:
    print(f"{'ok  ' if ok else 'FAIL'} {name} {detail}")
    if not ok:
        failures.append(name)


def main() -> None:
    import torch

    from worldforge.conductor.picture import picture_png
    from worldforge.engines.image.protocol import ImageSettings
    from worldforge.engines.image.registry import tiny_image_engine
    from worldforge.engines.text.protocol import TextSettings
    from worldforge.engines.text.registry import text_engine

    check(
        "cuda available",
        torch.cuda.is_available(),
        torch.cuda.get_device_name(0) if torch.cuda.is_available() else "",
    )

    text = text_engine("tiny")
    text.load(print)
    settings = TextSettings(max_new_tokens=24, candidates=3, seed=11, stop="tokens")
    first = text.generate("The red crane", settings)
    again = text.generate("The red crane", settings)
    record = first[0].record
    check(
        "text: device chosen automatically",
        record.device.startswith("cuda"),
        record.device,
    )
    check("text: same seed, same text on the GPU", [r.text for r in first] == [r.text for r in again])
    check("text: one seed per candidate", len({r.seed for r in first}) == 3, str([r.seed for r in first]))

    image = tiny_image_engine()
    image.load(print)
    steps = []
    batch = image.generate(
        "a red crane over the dock",
        ImageSettings(width=64, height=64, steps=4, candidates=2, seed=5),
        on_step=lambda c, s, t, p: steps.append((c, s)),
    )
    alone = image.generate(
        "a red crane over the dock", ImageSettings(width=64, height=64, steps=4, candidates=1, seed=6)
    )
    device = batch[0].record.device
    check(
        "image: device and dtype chosen automatically",
        device.startswith("cuda"),
        f"{device} {batch[0].record.settings['dtype']}",
    )
    check(
        "image: candidate 2 re-rendered alone gives the same bytes",
        picture_png(batch[1]) == picture_png(alone[0]),
    )
    check("image: step callbacks", len(steps) == 8, str(len(steps)))
    init = image.generate(
        "the same dock at night",
        ImageSettings(width=64, height=64, steps=8, strength=0.5, seed=9),
        init_image=picture_png(batch[0]),
    )
    check("image: image-to-image on the GPU", len(init) == 1 and init[0].image.size == (64, 64))

    # real-size GPT-2 small (random weights): the engine on CUDA against plain generate
    from transformers import AutoTokenizer, GPT2Config, GPT2LMHeadModel

    folder = Path(tempfile.mkdtemp()) / "gpt2-small"
    model = GPT2LMHeadModel(GPT2Config())
    model.save_pretrained(folder)
    AutoTokenizer.from_pretrained(text.files()).save_pretrained(folder)
    del model
    big = text_engine(str(folder))
    big.load()
    settings = TextSettings(max_new_tokens=128, candidates=4, seed=1, stop="tokens")
    big.generate("warm up " * 16, settings)
    prompt = "The red crane sang over the dock " * 8
    for label in ("first expand", "re-roll"):
        first: list[float] = []
        torch.cuda.synchronize()
        start = time.perf_counter()

        def on_token(index: int, piece: str, start: float = start, first: list[float] = first) -> None:
            if not first:
                first.append(time.perf_counter() - start)

        out = big.generate(prompt, settings, on_token=on_token)
        torch.cuda.synchronize()
        took = time.perf_counter() - start
        rate = sum(r.tokens for r in out) / took
        check(
            f"text: GPT-2 small on CUDA, {label}, 4x128 at >= 1000 tokens/s",
            rate >= 1000,
            f"{rate:.0f} tokens/s, first token after {first[0] * 1000:.0f} ms (random weights)",
        )
    baseline = GPT2LMHeadModel.from_pretrained(folder).to("cuda").eval()
    ids = torch.tensor([text.tokenizer().encode(prompt)], device="cuda")
    torch.cuda.synchronize()
    start = time.perf_counter()
    generated = baseline.generate(
        ids, do_sample=True, num_return_sequences=4, max_new_tokens=128, min_new_tokens=128, pad_token_id=0
    )
    torch.cuda.synchronize()
    rate = (generated.shape[1] - ids.shape[1]) * 4 / (time.perf_counter() - start)
    print(f"info transformers generate() on the same GPU, fp32, for reference: {rate:.0f} tokens/s")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
