"""Remembered prompt states: the model's key/value state after reading a prompt, kept so the
next call that starts with the same tokens reads only what is new.

A re-roll of a scene sends the very same context, and a scene that grew sends the old one
plus a few tokens at its end; both would otherwise read hundreds of tokens again. States are
matched by token prefix and kept least-recently-used first within a byte budget, so memory
stays bounded however many scenes are expanded.

Prompts are read in blocks that start at fixed positions (0, BLOCK, 2*BLOCK, ...), and a
remembered state is reused only up to a block start. So a prompt is always computed in the
same pieces, with or without a remembered state, and the numbers (hence the sampled text for
a seed) do not depend on what was generated before.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Generic, TypeVar

State = TypeVar("State")

BLOCK = 64  # tokens read per forward pass while reading a prompt
# GPT-2 small keeps 72 MiB of float32 keys and values for a full 1024-token window, so this
# holds three or more prompts for it; a state bigger than the whole budget is not kept
DEFAULT_BUDGET = 256 * 2**20


def common_prefix(a: tuple[int, ...], b: list[int]) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def reusable(known: tuple[int, ...], prompt: list[int]) -> int:
    """How many leading tokens of `prompt` a state of `known` can stand for.

    All of them when the prompt is exactly `known`; otherwise the shared prefix rounded down
    to a block start, and never the prompt's last token (its logits must be computed)."""
    if len(known) == len(prompt) and common_prefix(known, prompt) == len(prompt):
        return len(prompt)
    shared = min(common_prefix(known, prompt), len(prompt) - 1)
    return shared // BLOCK * BLOCK


def blocks(start: int, end: int) -> list[tuple[int, int]]:
    """The reading pieces of positions start..end, `start` being a block start."""
    return [(i, min(i + BLOCK, end)) for i in range(start, end, BLOCK)]


@dataclass
class Remembered(Generic[State]):
    tokens: tuple[int, ...]
    state: State
    size: int  # bytes


class PromptStates(Generic[State]):
    """States of recent prompts, at most `budget` bytes in all."""

    def __init__(self, budget: int = DEFAULT_BUDGET) -> None:
        self.budget = budget
        self._kept: OrderedDict[tuple[int, ...], Remembered[State]] = OrderedDict()

    def best(self, prompt: list[int]) -> tuple[Remembered[State] | None, int]:
        """The remembered state covering most of `prompt`, and how many tokens it covers."""
        found: Remembered[State] | None = None
        covered = 0
        for kept in self._kept.values():
            n = reusable(kept.tokens, prompt)
            if n > covered:
                found, covered = kept, n
        if found is not None:
            self._kept.move_to_end(found.tokens)
        return found, covered

    def keep(self, prompt: list[int], state: State, size: int) -> None:
        key = tuple(prompt)
        self._kept.pop(key, None)
        if size > self.budget:
            return
        self._kept[key] = Remembered(key, state, size)
        while sum(k.size for k in self._kept.values()) > self.budget:
            self._kept.popitem(last=False)

    def forget(self, prompt: list[int]) -> None:
        self._kept.pop(tuple(prompt), None)

    def clear(self) -> None:
        self._kept.clear()

    @property
    def size(self) -> int:
        return sum(k.size for k in self._kept.values())

    def __len__(self) -> int:
        return len(self._kept)
