"""Picture speed on CPU: worldforge's draft and final paths against plain diffusers.

Builds, with random weights (speed does not depend on weight values), an SD-2.1 / SD-Turbo
architecture pipeline: the UNet with SD 2.1's config (block_out_channels 320/640/1280/1280,
cross_attention_dim 1024, attention_head_dim 5/10/20/20, linear projections: ~866M
parameters), the SD VAE (AutoencoderKL, 128/256/512/512: ~84M), TAESD (AutoencoderTiny
defaults: ~2.4M) and a CLIP text encoder of SD 2's size (OpenCLIP ViT-H text tower: 23
layers, width 1024: ~340M; text encoding is a small share of the time). The tokenizer is the
offline byte-level CLIP tokenizer of the tiny pipeline. The scheduler is SD-Turbo's (Euler,
trailing timesteps). Weights are made on the meta device and filled with torch.randn, then
saved with save_pretrained, so both sides load them with from_pretrained.

One run measures a 512x512, 1-step, guidance-0 render (after one warm-up render each):
  (a) baseline: AutoPipelineForText2Image.from_pretrained defaults (float32), full VAE decode;
  (b) worldforge "draft" through the real engine (DiffusersImageEngine): automatic dtype
      (bfloat16 where the CPU has AMX/AVX512-BF16) and TAESD decode;
  (c) worldforge "final": the same engine, full VAE decode;
and prints seconds, a/b, a/c, and the time from the call to the first step preview.
Run as `flock /tmp/worldforge-cpu.lock python bench/image.py` on a shared machine.
"""

from __future__ import annotations

import argparse
import gc
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PROMPT = "a lighthouse on a cliff in a storm, oil painting, dramatic light"
SIZE = 512

UNET_SD21 = {
    "sample_size": 64,
    "in_channels": 4,
    "out_channels": 4,
    "down_block_types": (
        "CrossAttnDownBlock2D",
        "CrossAttnDownBlock2D",
        "CrossAttnDownBlock2D",
        "DownBlock2D",
    ),
    "up_block_types": ("UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"),
    "block_out_channels": (320, 640, 1280, 1280),
    "layers_per_block": 2,
    "cross_attention_dim": 1024,
    "attention_head_dim": (5, 10, 20, 20),
    "use_linear_projection": True,
}
VAE_SD = {
    "in_channels": 3,
    "out_channels": 3,
    "down_block_types": ("DownEncoderBlock2D",) * 4,
    "up_block_types": ("UpDecoderBlock2D",) * 4,
    "block_out_channels": (128, 256, 512, 512),
    "layers_per_block": 2,
    "latent_channels": 4,
    "sample_size": 512,
    "scaling_factor": 0.18215,
}
TEXT_SD2 = {
    "hidden_size": 1024,
    "intermediate_size": 4096,
    "num_hidden_layers": 23,
    "num_attention_heads": 16,
    "max_position_embeddings": 77,
    "hidden_act": "gelu",
    "projection_dim": 512,
    "vocab_size": 49408,
}


def randomised(cls, *args, **kwargs):
    """A model built on the meta device (no slow init), then filled with random numbers.

    Norm layers get weight 1 / bias 0 and other weights a small std, so activations stay in
    the normal float range (denormals would slow a CPU and distort the timing)."""
    import torch

    with torch.device("meta"):
        model = cls(*args, **kwargs)
    model = model.to_empty(device="cpu")
    generator = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for name, param in model.named_parameters():
            if "norm" in name:
                param.fill_(1.0 if name.endswith("weight") else 0.0)
            elif name.endswith("bias"):
                param.zero_()
            else:
                param.copy_(torch.randn(param.shape, generator=generator) * 0.02)
        for buffer_name, buffer in model.named_buffers():
            if "position_ids" in buffer_name:
                buffer.copy_(torch.arange(buffer.shape[-1]).expand_as(buffer))
    return model.eval()


def build(folder: Path) -> dict[str, int]:
    from diffusers import (
        AutoencoderKL,
        AutoencoderTiny,
        UNet2DConditionModel,
    )
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer

    from worldforge.engines.image.tiny import _write_clip_tokenizer, sd_pipeline

    _write_clip_tokenizer(folder / "tokenizer")
    tokenizer = CLIPTokenizer.from_pretrained(str(folder / "tokenizer"))
    unet = randomised(UNet2DConditionModel, **UNET_SD21)
    vae = randomised(AutoencoderKL, **VAE_SD)
    config = CLIPTextConfig(
        **TEXT_SD2,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    text_encoder = randomised(CLIPTextModel, config)
    taesd = randomised(AutoencoderTiny)
    pipe = sd_pipeline(unet, vae, text_encoder, tokenizer)
    pipe.save_pretrained(str(folder), safe_serialization=True)
    taesd.save_pretrained(str(folder / "taesd"), safe_serialization=True)
    counts = {
        name: sum(p.numel() for p in model.parameters())
        for name, model in (("unet", unet), ("vae", vae), ("text encoder", text_encoder), ("taesd", taesd))
    }
    del pipe, unet, vae, text_encoder, taesd
    gc.collect()
    return counts


def baseline(folder: Path, runs: int) -> float:
    from diffusers import AutoPipelineForText2Image

    pipe = AutoPipelineForText2Image.from_pretrained(str(folder), use_safetensors=True)
    pipe.set_progress_bar_config(disable=True)
    times = []
    for _ in range(runs + 1):
        start = time.perf_counter()
        pipe(PROMPT, num_inference_steps=1, guidance_scale=0.0, width=SIZE, height=SIZE)
        times.append(time.perf_counter() - start)
    del pipe
    gc.collect()
    return min(times[1:])


def worldforge(folder: Path, quality: str, runs: int, engine) -> tuple[float, float]:
    from worldforge.engines.image.protocol import ImageSettings

    settings = ImageSettings(width=SIZE, height=SIZE, steps=1, guidance=0.0, seed=0, quality=quality)
    times, previews = [], []
    for _ in range(runs + 1):
        first: list[float] = []
        start = time.perf_counter()

        def on_step(_index, _step, _total, preview, first=first, start=start):
            if preview is not None and not first:
                first.append(time.perf_counter() - start)

        engine.generate(PROMPT, settings, on_step=on_step)
        times.append(time.perf_counter() - start)
        previews.append(first[0])
    return min(times[1:]), min(previews[1:])


def row(label: str, seconds: float, preview: float | None = None) -> None:
    tail = f"   first preview {preview:.2f} s" if preview is not None else ""
    print(f"{label:<54} {seconds:6.2f} s{tail}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=1, help="measured renders per setting (after a warm-up)")
    parser.add_argument("--keep", type=Path, help="build into (or reuse) this folder instead of a temp one")
    args = parser.parse_args()

    from worldforge.engines.quiet import quiet

    with quiet(diffusers=True):  # the libraries' progress bars would garble the table
        run(args)


def run(args: argparse.Namespace) -> None:
    import torch

    from worldforge.engines.device import cpu_bf16_flags
    from worldforge.engines.image.diffusers_engine import DiffusersImageEngine

    folder = args.keep or Path(tempfile.mkdtemp(prefix="wf-bench-image-"))
    try:
        if not (folder / "model_index.json").exists():
            start = time.perf_counter()
            counts = build(folder)
            print(
                f"built in {time.perf_counter() - start:.0f} s: "
                + ", ".join(f"{name} {n / 1e6:.1f}M" for name, n in counts.items())
            )
        print(
            f"torch {torch.__version__}, {torch.get_num_threads()} threads, "
            f"cpu bf16 flags: {sorted(cpu_bf16_flags()) or 'none'}"
        )
        a = baseline(folder, args.runs)
        row("(a) baseline, diffusers defaults (float32, full VAE)", a)
        engine = DiffusersImageEngine(str(folder), label="bench/sd21-random", tiny_vae=str(folder / "taesd"))
        engine.load()
        b, b_preview = worldforge(folder, "draft", args.runs, engine)
        row(f"(b) worldforge draft ({engine.dtype}, TAESD decode)", b, b_preview)
        c, c_preview = worldforge(folder, "final", args.runs, engine)
        row(f"(c) worldforge final ({engine.dtype}, full VAE decode)", c, c_preview)
        print(f"a/b = {a / b:.1f}x   a/c = {a / c:.1f}x   (target a/b >= 5, first preview <= 2 s)")
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
