"""Shared fixtures. Nothing here touches the user's real caches: WORLDFORGE_HOME points at a
temporary folder for the whole session, and tiny models are built there once."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(scope="session", autouse=True)
def worldforge_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("worldforge-home")
    old = os.environ.get("WORLDFORGE_HOME")
    os.environ["WORLDFORGE_HOME"] = str(home)
    yield home
    if old is None:
        os.environ.pop("WORLDFORGE_HOME", None)
    else:
        os.environ["WORLDFORGE_HOME"] = old


@pytest.fixture(scope="session")
def tiny_text_model(worldforge_home):
    """The tiny random-weight GPT-2, built once per session into the test home."""
    from worldforge.engines.tiny_text import ensure_tiny_text_model

    return ensure_tiny_text_model()


@pytest.fixture(scope="session")
def tiny_torch_engine(tiny_text_model):
    from worldforge.engines.registry import text_engine

    engine = text_engine("tiny", backend="transformers")
    engine.load()
    return engine


@pytest.fixture(scope="session")
def tiny_ct2_engine(tiny_text_model):
    from worldforge.engines.registry import text_engine

    engine = text_engine("tiny", backend="ctranslate2")
    engine.load()
    return engine


@pytest.fixture(params=["transformers", "ctranslate2"])
def tiny_engine(request):
    """The tiny model on each backend, so every engine test runs on both code paths."""
    fixture = "tiny_torch_engine" if request.param == "transformers" else "tiny_ct2_engine"
    return request.getfixturevalue(fixture)
