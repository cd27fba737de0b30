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
    import transformers

    from worldforge.conductor.picture import picture_png
    from worldforge.engines.image.protocol import ImageSettings
    from worldforge.engines.image.registry import tiny_image_engine
    from worldforge.engines.text.protocol import TextSettings
    from worldforge.engines.text.registry import text_engine

    print(f"info torch {torch.__version__}, transformers {transformers.__version__}")
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
    backend = big._backend
    graphs = backend.graphs
    settings = TextSettings(max_new_tokens=128, candidates=4, seed=1, stop="tokens")
    start = time.perf_counter()
    big.warm_up(settings)  # as the studio does after loading: captures the graph for 4 rows
    torch.cuda.synchronize()
    print(
        f"info warm-up (a full-window read, the graph for 4 rows captured): {time.perf_counter() - start:.2f} s"
    )
    check(
        "text: warm-up captured the 4-row graph and remembered no prompt",
        graphs is not None and 4 in graphs._graphs and len(backend.prompts.states) == 0,
    )
    start = time.perf_counter()
    big.generate("warm up " * 16, settings)
    print(f"info first call after the warm-up: {time.perf_counter() - start:.2f} s")
    check(
        "text: decoding steps replayed from a CUDA graph",
        graphs is not None and graphs.broken is None,
        "none: not on CUDA" if graphs is None else (graphs.broken or ""),
    )
    import contextlib

    from worldforge.engines.text.backend_transformers import attention_kernels

    print(f"info cuDNN attention enabled in torch: {torch.backends.cuda.cudnn_sdp_enabled()}")
    for n, label in enumerate(("without cuDNN attention", "torch's default kernels", "without cuDNN again")):
        fresh = [(n * 997 + i * 31) % 50000 for i in range(768)]
        context = contextlib.nullcontext() if n == 1 else attention_kernels("cuda")
        torch.cuda.synchronize()
        start = time.perf_counter()
        with torch.inference_mode(), context:
            backend.prompts.read(fresh)
        torch.cuda.synchronize()
        print(f"info a new 768-token prompt read {label}: {(time.perf_counter() - start) * 1000:.0f} ms")
    backend.prompts.states.clear()
    ids = text.tokenizer().encode("The red crane sang over the dock while the lamps burned. " * 80)[:768]
    prompt = text.tokenizer().decode(ids)
    rates = {}
    for mode in ("graphs", "eager"):
        backend.graphs = graphs if mode == "graphs" else None
        backend.prompts.states.clear()
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
            rates[mode, label] = rate
            detail = f"{rate:.0f} tokens/s, first token after {first[0] * 1000:.0f} ms (768-token prompt)"
            if mode == "graphs":
                check(f"text: GPT-2 small on CUDA, {label}, 4x128 at >= 1000 tokens/s", rate >= 1000, detail)
            else:
                print(f"info eager steps (no graph), {label}: {detail}")
    backend.graphs = graphs
    start = time.perf_counter()
    two = big.generate(
        prompt + " again", TextSettings(max_new_tokens=128, candidates=2, seed=3, stop="tokens")
    )
    took = time.perf_counter() - start
    print(
        f"info 2 candidates (a new graph captured): {sum(r.tokens for r in two) / took:.0f} tokens/s, {took:.2f} s"
    )
    for label in ("first expand", "re-roll"):
        print(f"info graphs / eager, {label}: {rates['graphs', label] / rates['eager', label]:.2f}x")
    ahead = text.tokenizer().decode(ids[::-1])  # a context not read yet
    big.warm_up(settings, ahead)  # as the studio does for the scene on screen
    first.clear()
    start = time.perf_counter()

    def on_first(index: int, piece: str) -> None:
        if not first:
            first.append(time.perf_counter() - start)

    big.generate(ahead, settings, on_token=on_first)
    check(
        "text: a context read ahead starts like a re-roll (first token <= 50 ms)",
        first[0] <= 0.05,
        f"{first[0] * 1000:.0f} ms",
    )
    baseline = GPT2LMHeadModel.from_pretrained(folder).to("cuda").eval()
    ids = torch.tensor([ids], device="cuda")
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
