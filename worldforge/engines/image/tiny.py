"""A tiny random-weight Stable-Diffusion-architecture pipeline, built offline.

It has the real architecture (UNet2DConditionModel, AutoencoderKL, CLIP text encoder, CLIP
tokenizer, a scheduler, and an AutoencoderTiny for drafts) at diffusers' own test sizes, is
saved with `save_pretrained` as safetensors, and is loaded back through exactly the code path
real weights take. Its pictures are noise: they exist for tests, CI and the offline demo.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from worldforge.engines.quiet import quiet
from worldforge.locations import models_dir

TINY_IMAGE_NAME = "tiny-sd"
TAESD_SUBFOLDER = "taesd"
_SEED = 0


def tiny_image_path() -> Path:
    return models_dir() / TINY_IMAGE_NAME


def byte_level_symbols() -> list[str]:
    """The 256 printable stand-ins GPT-2/CLIP byte-level BPE uses for raw bytes."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1))
    printable += list(range(ord("®"), ord("ÿ") + 1))
    codes = printable[:]
    extra = 0
    for byte in range(256):
        if byte not in printable:
            printable.append(byte)
            codes.append(256 + extra)
            extra += 1
    return [chr(code) for code in codes]


def _write_clip_tokenizer(folder: Path) -> None:
    """A CLIP tokenizer with no merges: every byte of a word is one token."""
    folder.mkdir(parents=True, exist_ok=True)
    symbols = byte_level_symbols()
    vocab: dict[str, int] = {}
    for symbol in symbols:
        vocab[symbol] = len(vocab)
    for symbol in symbols:
        vocab[symbol + "</w>"] = len(vocab)
    vocab["<|startoftext|>"] = len(vocab)
    vocab["<|endoftext|>"] = len(vocab)
    (folder / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    (folder / "merges.txt").write_text("#version: 0.2\n", encoding="utf-8")
    from transformers import CLIPTokenizer

    tokenizer = CLIPTokenizer(str(folder / "vocab.json"), str(folder / "merges.txt"), model_max_length=77)
    tokenizer.save_pretrained(str(folder))


def sd_pipeline(unet: Any, vae: Any, text_encoder: Any, tokenizer: Any) -> Any:
    """A Stable Diffusion pipeline around these parts, with SD-Turbo's scheduler (Euler,
    trailing timesteps, steps_offset 1): shared by the tiny builder and the benchmark."""
    from diffusers import EulerDiscreteScheduler, StableDiffusionPipeline

    scheduler = EulerDiscreteScheduler(
        beta_start=0.00085,
        beta_end=0.012,
        beta_schedule="scaled_linear",
        steps_offset=1,
        timestep_spacing="trailing",
    )
    return StableDiffusionPipeline(
        unet=unet,
        vae=vae,
        text_encoder=text_encoder,
        tokenizer=tokenizer,
        scheduler=scheduler,
        safety_checker=None,
        feature_extractor=None,
        requires_safety_checker=False,
    )


def build_tiny_image_pipeline(path: Path | str | None = None, force: bool = False) -> Path:
    """Build (or reuse) the tiny pipeline folder and return its path.

    Deterministic: seeded weights, so every machine builds the same model. A folder that
    already holds a complete build is reused unless `force`.
    """
    target = Path(path) if path is not None else tiny_image_path()
    done = target / ".complete"
    if done.exists() and not force:
        return target
    with quiet(diffusers=True):
        _build(target)
    done.write_text("tiny random-weight test pipeline: its pictures are noise\n", encoding="utf-8")
    return target


def _build(target: Path) -> None:
    import torch
    from diffusers import AutoencoderKL, AutoencoderTiny, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer

    tokenizer_dir = target / "tokenizer"
    _write_clip_tokenizer(tokenizer_dir)
    tokenizer = CLIPTokenizer.from_pretrained(str(tokenizer_dir))

    torch.manual_seed(_SEED)
    unet = UNet2DConditionModel(
        block_out_channels=(4, 8),
        layers_per_block=1,
        sample_size=32,
        in_channels=4,
        out_channels=4,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        cross_attention_dim=32,
        norm_num_groups=2,
    )
    torch.manual_seed(_SEED)
    vae = AutoencoderKL(
        block_out_channels=[4, 8],
        in_channels=3,
        out_channels=3,
        down_block_types=["DownEncoderBlock2D", "DownEncoderBlock2D"],
        up_block_types=["UpDecoderBlock2D", "UpDecoderBlock2D"],
        latent_channels=4,
        norm_num_groups=2,
    )
    torch.manual_seed(_SEED)
    text_encoder = CLIPTextModel(
        CLIPTextConfig(
            bos_token_id=tokenizer.bos_token_id,
            eos_token_id=tokenizer.eos_token_id,
            pad_token_id=tokenizer.pad_token_id,
            hidden_size=32,
            intermediate_size=64,
            layer_norm_eps=1e-05,
            num_attention_heads=8,
            num_hidden_layers=3,
            vocab_size=len(tokenizer),
            max_position_embeddings=77,
        )
    )
    sd_pipeline(unet, vae, text_encoder, tokenizer).save_pretrained(str(target), safe_serialization=True)

    # The draft decoder: same latent space shape (4 channels, 2x scale) as the tiny VAE.
    torch.manual_seed(_SEED)
    taesd: Any = AutoencoderTiny(
        encoder_block_out_channels=(8, 8),
        decoder_block_out_channels=(8, 8),
        num_encoder_blocks=(1, 1),
        num_decoder_blocks=(1, 1),
        latent_channels=4,
    )
    taesd.save_pretrained(str(target / TAESD_SUBFOLDER), safe_serialization=True)
