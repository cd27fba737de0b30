"""Every folder outside a story comes from worldforge.locations, at the same places as before."""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_cache_dir, user_config_dir

from worldforge import locations


def test_overrides_put_everything_under_two_roots(monkeypatch, tmp_path):
    monkeypatch.setenv("WORLDFORGE_CONFIG", str(tmp_path / "config"))
    monkeypatch.setenv("WORLDFORGE_HOME", str(tmp_path / "home"))
    assert locations.user_presets_dir() == tmp_path / "config" / "presets"
    assert locations.recent_stories_file() == tmp_path / "config" / "recent.json"
    assert locations.models_dir() == tmp_path / "home" / "models"
    assert locations.converted_dir() == tmp_path / "home" / "converted"


def test_without_overrides_the_platform_folders(monkeypatch):
    monkeypatch.delenv("WORLDFORGE_CONFIG", raising=False)
    monkeypatch.delenv("WORLDFORGE_HOME", raising=False)
    assert locations.config_dir() == Path(user_config_dir("worldforge", appauthor=False))
    assert locations.worldforge_home() == Path(user_cache_dir("worldforge", appauthor=False))


def test_the_tiny_models_and_recent_stories_live_there(monkeypatch, tmp_path):
    from worldforge.engines.image.tiny import tiny_image_path
    from worldforge.engines.text.tiny import tiny_text_path
    from worldforge.tui.recent import recent, remember

    monkeypatch.setenv("WORLDFORGE_CONFIG", str(tmp_path / "config"))
    monkeypatch.setenv("WORLDFORGE_HOME", str(tmp_path / "home"))
    assert tiny_text_path().parent == tiny_image_path().parent == tmp_path / "home" / "models"
    story = tmp_path / "story"
    story.mkdir()
    (story / "story.yaml").write_text("title: x\n")
    remember(story)
    assert (tmp_path / "config" / "recent.json").is_file() and recent() == [story.resolve()]
