"""A screen's keys as command palette entries, so every action can be found by name."""

from __future__ import annotations

from collections.abc import Iterator

from textual.app import SystemCommand
from textual.binding import Binding
from textual.screen import Screen


def binding_commands(screen: Screen) -> Iterator[SystemCommand]:
    """Each described key of `screen` that calls one of its own `action_` methods."""
    for binding in screen.BINDINGS:
        if isinstance(binding, Binding) and binding.description and "(" not in binding.action:
            yield SystemCommand(binding.description, binding.key, getattr(screen, f"action_{binding.action}"))
