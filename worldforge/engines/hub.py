"""Models on the Hugging Face hub, for both engines: what is cached here, downloads, and the
one message that says what to do when weights are missing.

Only what loading needs is fetched: configs, tokenizer files and safetensors weights; never
pickled weights (.bin), TF/Flax/ONNX copies or remote code. A snapshot's revision is its
commit (the snapshot folder's name).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from worldforge.engines.errors import ModelUnavailable

# a causal language model (text)
TEXT_FILES = (
    "config.json",
    "generation_config.json",
    "model*.safetensors",
    "model.safetensors.index.json",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "added_tokens.json",
    "vocab.json",
    "merges.txt",
)
TEXT_NEEDED = ("config.json", "*.safetensors")
PIPELINE_NEEDED = ("model_index.json",)
SINGLE_MODEL_NEEDED = ("config.json", "*.safetensors")


def pipeline_files(variant: str | None) -> tuple[str, ...]:
    """A diffusers pipeline: each part in its subfolder, weights of one variant."""
    return ("model_index.json", "*/*.json", "*/*.txt", f"*/{_weights(variant)}")


def single_model_files(variant: str | None = None) -> tuple[str, ...]:
    """One diffusers model (the tiny autoencoder), its files at the top."""
    return ("config.json", _weights(variant))


def _weights(variant: str | None) -> str:
    return f"*.{variant}.safetensors" if variant else "*model.safetensors"


def cached(model_id: str, needed: Sequence[str]) -> Path | None:
    """The cached snapshot of a hub model that has every `needed` file pattern, or None.

    Asks no network.
    """
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import HFValidationError, LocalEntryNotFoundError

    try:
        folder = Path(snapshot_download(model_id, local_files_only=True))
    except (LocalEntryNotFoundError, HFValidationError):
        return None
    return folder if all(any(folder.glob(pattern)) for pattern in needed) else None


def snapshot(
    model_id: str,
    files: Sequence[str],
    needed: Sequence[str],
    *,
    download: bool,
    progress_bars: bool = False,
    say: Callable[[str], None] | None = None,
    name: str | None = None,
) -> Path:
    """The local snapshot of a hub model: cached, else downloaded when `download` allows.

    Raises ModelUnavailable saying what to run when the weights are not here and cannot be
    fetched now. Progress bars are for the command line only: in the studio they would
    corrupt the screen. `name` is what the user typed (a preset name), for the messages.
    """
    name = name or model_id
    folder = cached(model_id, needed)
    if folder is not None:
        return folder
    if not download:
        raise ModelUnavailable(not_here(name))
    if say is not None:
        say(f"fetching {model_id}")
    from huggingface_hub import snapshot_download
    from huggingface_hub.utils.tqdm import (
        are_progress_bars_disabled,
        disable_progress_bars,
        enable_progress_bars,
    )

    bars_were_off = are_progress_bars_disabled()
    if not progress_bars:
        disable_progress_bars()
    try:
        folder = Path(snapshot_download(model_id, allow_patterns=list(files)))
    except Exception as exc:  # offline, unknown repo, gated, network down: the remedy is the same
        raise ModelUnavailable(
            f"cannot download {model_id!r} ({type(exc).__name__}: {_first_line(exc)}). Check the "
            "network (and that HF_HUB_OFFLINE is not set), then run "
            f"`worldforge models pull {name}` again; offline, pass a local model folder "
            "with --engine PATH, or use --engine tiny"
        ) from None
    finally:
        if not progress_bars and not bars_were_off:
            enable_progress_bars()
    missing = [pattern for pattern in needed if not any(folder.glob(pattern))]
    if missing:
        raise ModelUnavailable(
            f"{model_id!r} on the hub has no {', '.join(missing)}: worldforge loads safetensors "
            "weights only (convert .bin weights with save_pretrained(safe_serialization=True))"
        )
    return folder


def not_here(model_id: str) -> str:
    return (
        f"the weights of {model_id!r} are not on this machine and worldforge downloads a model "
        f"only when asked. With internet, run `worldforge models pull {model_id}` (or pass "
        "--allow-download); or pass a local model folder with --engine PATH; or use --engine "
        "tiny (an offline test model whose output is noise)"
    )


def _first_line(exc: Exception) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0][:160] if lines else "no details"
