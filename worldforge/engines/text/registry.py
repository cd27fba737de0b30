"""Turning a user's engine choice into an engine, without importing torch; and what
`worldforge models` lists and fetches for text.

A choice is "tiny", a preset name, a hub id ("owner/name") or a local model folder. With no
choice: the default preset when its weights are cached here, else the tiny offline model
(built on first use) with `offline_tiny` set so the UI can say its output is noise.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from worldforge.engines import hub
from worldforge.engines.errors import EngineError
from worldforge.engines.source import ModelSource
from worldforge.engines.text.engine import Backend, CausalTextEngine
from worldforge.engines.text.presets import (
    DEFAULT_TEXT_PRESET,
    TEXT_PRESETS,
    TINY_TEXT_LICENSE,
    TextPreset,
    preset_for_model,
)
from worldforge.engines.text.tiny import ensure_tiny_text_model, tiny_text_path
from worldforge.engines.tiny import TINY


def text_cached(model_id: str) -> Path | None:
    """The cached snapshot of a hub text model, or None (asks no network)."""
    return hub.cached(model_id, hub.TEXT_NEEDED)


def text_source(choice: str | None) -> tuple[ModelSource, bool]:
    """The model a choice names, and whether it is the tiny offline model."""
    if choice is None:
        default = TEXT_PRESETS[DEFAULT_TEXT_PRESET]
        if text_cached(default.model_id) is not None:
            return ModelSource(default.model_id, default.license), False
        choice = TINY
    if choice == TINY:
        source = ModelSource(
            "worldforge/tiny-gpt2", TINY_TEXT_LICENSE, tiny_text_path(), ensure_tiny_text_model
        )
        return source, True
    if choice in TEXT_PRESETS:
        preset = TEXT_PRESETS[choice]
        return ModelSource(preset.model_id, preset.license), False
    path = Path(choice).expanduser()
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise EngineError(f"{path} is a folder but not a model: it has no config.json")
        return ModelSource(str(path.resolve()), None, path.resolve()), False
    if choice.count("/") == 1 and not choice.startswith((".", "/", "~")):
        known = preset_for_model(choice)
        return ModelSource(choice, known.license if known else None), False
    names = ", ".join([TINY, *TEXT_PRESETS])
    raise EngineError(
        f"unknown text engine {choice!r}: use one of {names}, a hub id (owner/name) or a local model folder"
    )


def text_engine(
    choice: str | None = None,
    backend: Backend = "auto",
    device: str | None = None,
    dtype: str | None = None,
    allow_download: bool = False,
) -> CausalTextEngine:
    source, tiny = text_source(choice)
    return CausalTextEngine(
        source, backend=backend, device=device, dtype=dtype, offline_tiny=tiny, allow_download=allow_download
    )


@dataclass(frozen=True)
class PresetStatus:
    preset: TextPreset
    cached: Path | None


def preset_status() -> list[PresetStatus]:
    return [PresetStatus(p, text_cached(p.model_id)) for p in TEXT_PRESETS.values()]


def pull_text_model(name: str) -> Path:
    """Download a text preset or hub id (safetensors and tokenizer files only), with
    progress bars; offline, or with the hub unreachable, raises ModelUnavailable."""
    model_id = TEXT_PRESETS[name].model_id if name in TEXT_PRESETS else name
    return hub.snapshot(
        model_id, hub.TEXT_FILES, hub.TEXT_NEEDED, download=True, progress_bars=True, name=name
    )
