"""What `worldforge models` shows and fetches: presets, their licenses, what is cached."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from worldforge.engines.errors import ModelUnavailable
from worldforge.engines.source import HUB_ALLOW_PATTERNS, hub_cached, weight_files
from worldforge.engines.text.presets import TEXT_PRESETS, TextPreset


@dataclass
class PresetStatus:
    preset: TextPreset
    cached: Path | None


def preset_status() -> list[PresetStatus]:
    return [PresetStatus(p, hub_cached(p.model_id)) for p in TEXT_PRESETS.values()]


def pull(name: str) -> Path:
    """Download a preset or hub id (safetensors and tokenizer files only), with progress bars.

    Offline, or with the hub unreachable, raises ModelUnavailable saying what to do.
    """
    from huggingface_hub import snapshot_download

    model_id = TEXT_PRESETS[name].model_id if name in TEXT_PRESETS else name
    try:
        folder = Path(snapshot_download(model_id, allow_patterns=HUB_ALLOW_PATTERNS))
    except Exception as exc:  # every failure here has the same remedy
        raise ModelUnavailable(
            f"cannot download {model_id!r} ({type(exc).__name__}: {_first_line(exc)}). "
            "Check the network (and that HF_HUB_OFFLINE is not set), then run "
            f"`worldforge models pull {name}` again; offline, copy a model folder here and pass "
            "it with --engine PATH, or use --engine tiny"
        ) from None
    weight_files(folder)
    return folder


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:160] if text else "no details"
