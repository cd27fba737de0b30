"""Named text models with their licenses: what `--engine NAME` and `models list` know.

A preset is only a convenient name; any hub id or local folder works where a preset does.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TextPreset:
    name: str
    model_id: str
    license: str
    parameters: str
    note: str = ""


GPT2_LICENSE = "MIT (OpenAI GPT-2 license)"

TEXT_PRESETS: dict[str, TextPreset] = {
    p.name: p
    for p in (
        TextPreset("gpt2", "openai-community/gpt2", GPT2_LICENSE, "124M", "GPT-2 small: the default"),
        TextPreset(
            "gpt2-medium", "openai-community/gpt2-medium", GPT2_LICENSE, "355M", "slower, better prose"
        ),
        TextPreset(
            "distilgpt2",
            "distilbert/distilgpt2",
            "Apache-2.0 (Hugging Face DistilGPT2)",
            "82M",
            "fastest, weakest",
        ),
    )
}
DEFAULT_TEXT_PRESET = "gpt2"

TINY_TEXT_LICENSE = "random weights built locally (no license needed; output is noise)"


def preset_for_model(model_id: str) -> TextPreset | None:
    return next((p for p in TEXT_PRESETS.values() if p.model_id == model_id), None)
