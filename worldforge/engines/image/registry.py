"""From what the user typed (--engine, a story's model choice) to a ready ImageEngine.

Accepted: "tiny" (the offline random-weight pipeline), a preset name, a hub id, a local
folder. Nothing: the default preset if its weights are on this machine, else tiny, so the
app always runs offline (its noise labelled as such).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypedDict, Unpack

from worldforge.engines import hub
from worldforge.engines.image.diffusers_engine import DiffusersImageEngine
from worldforge.engines.image.ip_adapter import (
    H94,
    H94_SUBFOLDER,
    TINY_WEIGHTS,
    AdapterSource,
    build_tiny_ip_adapter,
    h94_source,
)
from worldforge.engines.image.presets import DEFAULT_IMAGE_PRESET, IMAGE_PRESETS, TAESD_LICENSE, ImagePreset
from worldforge.engines.image.protocol import ImageSettings
from worldforge.engines.image.tiny import TAESD_SUBFOLDER, build_tiny_image_pipeline, tiny_image_path
from worldforge.engines.tiny import TINY

TINY_LABEL = "worldforge/tiny-sd"
TINY_IP_ADAPTER = "worldforge/tiny-ip-adapter"


class EngineOptions(TypedDict, total=False):
    """How to run whichever model is chosen (None: detected, see device.py)."""

    device: str | None
    dtype: str | None
    allow_download: bool


def tiny_image_engine(
    path: Path | str | None = None, **options: Unpack[EngineOptions]
) -> DiffusersImageEngine:
    """The offline test engine; the tiny pipeline is built when first loaded (well under a second)."""
    folder = Path(path) if path is not None else tiny_image_path()
    return DiffusersImageEngine(
        str(folder),
        label=TINY_LABEL,
        license="random-weight test model built locally; its pictures are noise",
        tiny_vae=str(folder / TAESD_SUBFOLDER),
        defaults=ImageSettings(width=64, height=64, steps=4, guidance=0.0, candidates=4),
        init_steps=4,
        offline_tiny=True,
        build=lambda: build_tiny_image_pipeline(folder),
        ip_adapter=TINY_IP_ADAPTER,
        adapter_source=lambda _say: AdapterSource(
            TINY_IP_ADAPTER, build_tiny_ip_adapter(folder / "unet"), H94_SUBFOLDER, TINY_WEIGHTS
        ),
        **options,
    )


def preset_engine(preset: ImagePreset, **options: Unpack[EngineOptions]) -> DiffusersImageEngine:
    return DiffusersImageEngine(
        preset.model,
        label=preset.model,
        license=preset.license,
        tiny_vae=preset.tiny_vae,
        variant=preset.variant,
        defaults=ImageSettings(
            width=preset.width,
            height=preset.height,
            steps=preset.steps,
            guidance=preset.guidance,
            candidates=4,
        ),
        init_steps=preset.init_steps,
        ip_adapter=H94 if preset.ip_adapter else None,
        adapter_source=lambda say: h94_source(options.get("allow_download", False), say),
        **options,
    )


def is_cached(model: str) -> bool:
    """Are the weights of a hub pipeline in the local Hugging Face cache (no network asked)?"""
    return hub.cached(model, hub.PIPELINE_NEEDED) is not None


def pull_image_model(name: str, progress: Callable[[str], None] | None = None) -> Path:
    """Download an image preset or hub id (safetensors, configs, tokenizer; its tiny
    autoencoder too) into the Hugging Face cache; returns the pipeline folder."""
    engine = image_engine(name, allow_download=True)
    if engine.offline_tiny:
        return Path(engine.model_id)
    say = progress or (lambda _message: None)
    folder = engine.model_folder(say)
    engine.tiny_vae_folder(say)
    return folder


def image_engine(choice: str | None = None, **options: Unpack[EngineOptions]) -> DiffusersImageEngine:
    """The engine for `choice` (see the module doc). Loading happens later, in `load()`."""
    if choice is None:
        preset = IMAGE_PRESETS[DEFAULT_IMAGE_PRESET]
        return preset_engine(preset, **options) if is_cached(preset.model) else tiny_image_engine(**options)
    if choice == TINY:
        return tiny_image_engine(**options)
    if choice in IMAGE_PRESETS:
        return preset_engine(IMAGE_PRESETS[choice], **options)
    folder = Path(choice).expanduser()
    if folder.is_dir():
        tiny_vae = folder / TAESD_SUBFOLDER
        return DiffusersImageEngine(
            str(folder),
            label=folder.name,
            tiny_vae=str(tiny_vae) if tiny_vae.is_dir() else None,
            **options,
        )
    for preset in IMAGE_PRESETS.values():
        if preset.model == choice:
            return preset_engine(preset, **options)
    return DiffusersImageEngine(choice, **options)


__all__ = ["TAESD_LICENSE", "image_engine", "is_cached", "preset_engine", "tiny_image_engine"]
