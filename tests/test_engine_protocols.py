"""The engine protocols name everything callers use, and every engine, real or fake, has it.

The typed assignments are what a type checker verifies; the attribute and signature check
makes the same promise hold at test time, so a fake can never drift from the protocol and
let a test pass on a path the real engine does not take.
"""

from __future__ import annotations

import inspect
from typing import Any

import pytest

from tests.fakes import FakeImageEngine, FakeTextEngine
from worldforge.engines.image.diffusers_engine import DiffusersImageEngine
from worldforge.engines.image.protocol import ImageEngine
from worldforge.engines.text.engine import CausalTextEngine
from worldforge.engines.text.protocol import TextEngine


def protocol_members(protocol: type) -> dict[str, Any]:
    """Each member a protocol declares: its annotation, property or method."""
    members: dict[str, Any] = dict.fromkeys(protocol.__annotations__, "attribute")
    for name, value in vars(protocol).items():
        if not name.startswith("_") and (callable(value) or isinstance(value, property)):
            members[name] = value
    return members


def missing_or_different(engine: object, protocol: type) -> list[str]:
    problems = []
    for name, declared in protocol_members(protocol).items():
        if not hasattr(engine, name):
            problems.append(f"no {name}")
        elif callable(declared) and not isinstance(declared, property):
            wanted = list(inspect.signature(declared).parameters)[1:]
            have = list(inspect.signature(getattr(engine, name)).parameters)
            if have != wanted:
                problems.append(f"{name}{tuple(have)} is not {name}{tuple(wanted)}")
    return problems


def test_the_protocols_name_what_the_conductor_and_the_studio_use() -> None:
    assert {"defaults", "init_steps", "count_tokens", "token_limit", "label", "loaded"} <= set(
        protocol_members(ImageEngine)
    )
    assert {"context_window", "count_tokens", "describe", "label", "loaded"} <= set(
        protocol_members(TextEngine)
    )


def test_the_check_finds_a_fake_that_drifted() -> None:
    class Drifted(FakeTextEngine):
        def count_tokens(self, words: list[str]) -> int:  # type: ignore[override]
            return len(words)

    assert missing_or_different(Drifted(), TextEngine) == [
        "count_tokens('words',) is not count_tokens('text',)"
    ]


@pytest.fixture
def text_engines(tiny_torch_engine: CausalTextEngine) -> list[TextEngine]:
    engines: list[TextEngine] = [FakeTextEngine(), tiny_torch_engine]
    return engines


@pytest.fixture
def image_engines(tiny_image: DiffusersImageEngine) -> list[ImageEngine]:
    engines: list[ImageEngine] = [FakeImageEngine(), tiny_image]
    return engines


def test_text_engines_real_and_fake_satisfy_the_protocol(text_engines: list[TextEngine]) -> None:
    for engine in text_engines:
        assert isinstance(engine, TextEngine)
        assert missing_or_different(engine, TextEngine) == [], type(engine).__name__


def test_image_engines_real_and_fake_satisfy_the_protocol(image_engines: list[ImageEngine]) -> None:
    for engine in image_engines:
        assert isinstance(engine, ImageEngine)
        assert missing_or_different(engine, ImageEngine) == [], type(engine).__name__
