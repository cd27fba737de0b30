"""Engine choice, decided once in the conductor: asked for, else the story's, else the
downloaded default, else tiny, with a reason the user can act on."""

from __future__ import annotations

import pytest

import worldforge.engines.image.registry as image_registry
import worldforge.engines.text.registry as text_registry
from worldforge.conductor import choose_image_engine, choose_text_engine

from .text_story import make_story


@pytest.fixture
def nothing_downloaded(monkeypatch):
    monkeypatch.setattr(text_registry, "text_cached", lambda model_id: None)
    monkeypatch.setattr(image_registry, "is_cached", lambda model: False)


@pytest.fixture
def defaults_downloaded(monkeypatch, tmp_path):
    monkeypatch.setattr(text_registry, "text_cached", lambda model_id: tmp_path)
    monkeypatch.setattr(image_registry, "is_cached", lambda model: True)


def test_nothing_named_nothing_downloaded_is_tiny_and_says_how_to_get_real_models(nothing_downloaded):
    text = choose_text_engine(None)
    assert text.engine.offline_tiny and text.fallback
    assert text.reason == "no gpt2 weights on this machine; run `worldforge models pull gpt2`"
    assert text.warning and "noise" in text.warning and text.reason in text.warning
    image = choose_image_engine(make_story())
    assert image.engine.offline_tiny and image.fallback
    assert "run `worldforge models pull sd-turbo`" in image.reason
    assert image.warning and "pictures are noise" in image.warning


def test_the_downloaded_default_is_a_real_model(defaults_downloaded):
    text = choose_text_engine(make_story())
    assert not text.engine.offline_tiny and text.engine.model_id == "openai-community/gpt2"
    assert (text.origin, text.warning) == ("default", None)
    image = choose_image_engine(None)
    assert image.engine.model_id == "stabilityai/sd-turbo" and image.origin == "default"


def test_the_story_s_choice_beats_the_default_and_the_asked_for_beats_both(defaults_downloaded):
    story = make_story()
    story.meta.models.text = "tiny"
    story.meta.models.image = "tiny"
    text = choose_text_engine(story)
    assert text.engine.offline_tiny and not text.fallback
    assert text.reason == "the story asks for tiny (models.text in story.yaml)"
    assert choose_image_engine(story).engine.offline_tiny
    asked = choose_text_engine(story, "distilgpt2")
    assert (asked.origin, asked.engine.model_id) == ("asked", "distilbert/distilgpt2")
    assert choose_image_engine(story, "sd-turbo").engine.model_id == "stabilityai/sd-turbo"


def test_the_backend_reaches_the_engine(nothing_downloaded):
    assert choose_text_engine(None, "tiny", backend="transformers").engine.requested_backend == "transformers"
