from __future__ import annotations

import pytest

from tests.export_story import png
from worldforge.core.errors import StoryError
from worldforge.core.graph import StoryGraph
from worldforge.core.model import Provenance, Story
from worldforge.store import StoryFolder
from worldforge.store import migrate as migrate_module

from .support import snapshot


def test_load_equals_what_was_saved(story_dir, story):
    loaded = StoryFolder.open(story_dir).story
    assert loaded == story
    assert list(loaded.scenes) == sorted(story.scenes)


def test_load_then_save_rewrites_nothing(story_dir):
    before = snapshot(story_dir)
    folder = StoryFolder.open(story_dir)
    assert folder.pending() == {}
    assert folder.save() == []
    assert snapshot(story_dir) == before


def test_hand_formatting_is_left_alone_until_the_content_changes(story_dir):
    path = story_dir / "scenes" / "finale.yaml"
    path.write_text("# my note\nid: finale\ntitle: 'Finale'\ntext: \"The machine stood up.\\n\"\n")
    folder = StoryFolder.open(story_dir)
    assert folder.save() == []
    assert path.read_text().startswith("# my note")
    folder.story.scene("finale").title = "The End"
    assert folder.save() == ["scenes/finale.yaml"]
    assert "title: The End" in path.read_text()


def test_only_changed_files_are_written(story_dir):
    folder = StoryFolder.open(story_dir)
    before = snapshot(story_dir)
    folder.story.scene("left-hall").text = "Sparks, and a song.\n"
    assert folder.save() == ["scenes/left-hall.yaml"]
    after = snapshot(story_dir)
    changed = {k for k in after if after[k] != before.get(k)}
    assert changed == {"scenes/left-hall.yaml"}


def test_deleted_and_renamed_scenes_leave_no_stale_files(story_dir):
    folder = StoryFolder.open(story_dir)
    graph = StoryGraph(folder.story)
    graph.delete("right-hall")
    graph.rename("finale", "coda")
    folder.save()
    names = sorted(p.name for p in (story_dir / "scenes").iterdir())
    assert names == ["coda.yaml", "left-hall.yaml", "start.yaml", "the-nave.yaml"]
    assert StoryFolder.open(story_dir).story == folder.story


def test_format_is_readable_yaml(story_dir):
    text = (story_dir / "scenes" / "start.yaml").read_text()
    assert text == (
        "id: start\n"
        "title: Start\n"
        "text: |\n"
        "  The furnace woke.\n"
        "\n"
        "  It sang.\n"
        "links:\n"
        "- to: left-hall\n"
        "  label: Go left\n"
        "- to: right-hall\n"
        "  label: Go right\n"
    )
    story_yaml = (story_dir / "story.yaml").read_text()
    assert story_yaml.startswith("schema_version: 1\nifid: 0F4C2E5A-")
    assert "\r" not in story_yaml


def test_provenance_round_trips(story_dir):
    folder = StoryFolder.open(story_dir)
    record = Provenance(
        id="p1",
        kind="text",
        engine="transformers",
        model="openai-community/gpt2",
        revision="607a30d",
        settings={"temperature": 0.9, "top_p": 0.95},
        seed=7,
        versions={"torch": "2.13.0"},
        device="cpu",
        wall_s=1.25,
        tokens=40,
        flops=1e10,
    )
    folder.story.scene("start").provenance = [record]
    folder.save()
    assert StoryFolder.open(story_dir).story.scene("start").provenance == [record]


def test_images_are_content_addressed_and_inside(story_dir):
    folder = StoryFolder.open(story_dir)
    picture = png((10, 20, 30))
    rel = folder.put_image(picture)
    assert rel.startswith("images/") and rel.endswith(".png")
    assert folder.put_image(picture) == rel
    assert folder.read_image(rel) == picture


def test_create_refuses_to_overwrite(story_dir):
    with pytest.raises(StoryError, match="already exists"):
        StoryFolder.create(story_dir, Story(StoryFolder.open(story_dir).story.meta))


def test_external_edit_is_not_overwritten(story_dir):
    folder = StoryFolder.open(story_dir)
    path = story_dir / "scenes" / "start.yaml"
    path.write_text(path.read_text().replace("It sang.", "It sang loudly."))
    folder.story.scene("start").title = "Beginning"
    with pytest.raises(StoryError, match="changed on disk"):
        folder.save()
    assert "It sang loudly." in path.read_text()


def test_newer_schema_gives_clear_error(story_dir):
    path = story_dir / "story.yaml"
    path.write_text(path.read_text().replace("schema_version: 1", "schema_version: 9"))
    with pytest.raises(StoryError, match="newer worldforge") as err:
        StoryFolder.open(story_dir)
    assert err.value.path == path


def test_migration_steps_run_one_at_a_time(tmp_path, monkeypatch):
    calls = []

    def one_to_two(data: dict) -> dict:
        calls.append(data["schema_version"])
        data["title"] = data.pop("name")
        return data

    def two_to_three(data: dict) -> dict:
        calls.append(data["schema_version"])
        data["world"] = {"premise": data.pop("premise")}
        return data

    monkeypatch.setitem(migrate_module.MIGRATIONS, 1, one_to_two)
    monkeypatch.setitem(migrate_module.MIGRATIONS, 2, two_to_three)
    old = {"schema_version": 1, "name": "Old", "premise": "p"}
    new = migrate_module.migrate(old, tmp_path / "story.yaml", current=3)
    assert new == {"schema_version": 3, "title": "Old", "world": {"premise": "p"}}
    assert calls == [1, 2]
    assert old["schema_version"] == 1


def test_missing_migration_is_an_error(tmp_path):
    with pytest.raises(StoryError, match="no migration from schema_version 1"):
        migrate_module.migrate({"schema_version": 1}, tmp_path / "story.yaml", current=2)


def test_stale_temp_files_are_ignored_and_cleaned(story_dir):
    leftover = story_dir / "scenes" / ".wf-tmp-abc123"
    leftover.write_bytes(b"half a sce")
    folder = StoryFolder.open(story_dir)
    folder.story.scene("start").title = "Beginning"
    folder.save()
    assert not leftover.exists()


def test_saved_files_keep_their_permissions(story_dir):
    path = story_dir / "scenes" / "start.yaml"
    assert path.stat().st_mode & 0o777 == 0o644
    path.chmod(0o664)
    folder = StoryFolder.open(story_dir)
    folder.story.scene("start").title = "Beginning"
    folder.save()
    assert path.stat().st_mode & 0o777 == 0o664


def test_a_story_without_ifid_gets_one_that_sticks(story_dir):
    path = story_dir / "story.yaml"
    path.write_text(
        "".join(line for line in path.read_text().splitlines(True) if not line.startswith("ifid:"))
    )
    folder = StoryFolder.open(story_dir)
    assert folder.dirty
    folder.save()
    first = StoryFolder.open(story_dir).story.meta.ifid
    assert StoryFolder.open(story_dir).story.meta.ifid == first
    assert f"ifid: {first}" in path.read_text()
