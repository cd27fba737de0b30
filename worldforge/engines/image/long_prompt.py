"""Prompts of any length, with weights, as the embeddings a Stable Diffusion UNet reads.

CLIP reads 77 tokens at a time. A longer prompt is encoded by compel in 77-token chunks
(each with its own start and end markers) that are joined along the token axis, as
AUTOMATIC1111 and InvokeAI do, so no word of the prompt is dropped; compel also applies the
weights. The negative prompt is padded with empty-prompt chunks to the same length, since
classifier-free guidance stacks the two. The prompt arrives as written (A1111 or compel
syntax) and is translated to compel's form here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from worldforge.core.prompt_syntax import parse_prompt


@dataclass(frozen=True)
class Conditioning:
    """A prompt's embeddings (and the negative's, when guidance uses one), and their cost."""

    embeds: Any
    negative_embeds: Any
    flops: int
    # reference pictures' IP-Adapter embeddings, and what to record of them
    image_embeds: Any = None
    references: dict[str, Any] = field(default_factory=dict)

    @property
    def length(self) -> int:
        """Tokens the UNet attends to: 77 per chunk."""
        return int(self.embeds.shape[1])


def encode_prompt(pipe: Any, prompt: str, negative: str | None) -> tuple[Any, Any]:
    """(prompt embeds, negative embeds or None) of `pipe`'s text encoder, without truncation."""
    from compel import CompelForSD

    compel = CompelForSD(pipe)
    positive = parse_prompt(prompt).to_compel()
    if negative is None:
        return compel(positive).embeds, None
    result = compel(positive, negative_prompt=parse_prompt(negative, "negative prompt").to_compel())
    return result.embeds, result.negative_embeds
