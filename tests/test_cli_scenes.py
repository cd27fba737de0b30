"""Graph edits from the command line: branch, link, unlink, delete, rename, reading path."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from worldforge.cli import cli
from worldforge.store import StoryFolder


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(cli, list(args), input=input)


def story(root: Path):
    return StoryFolder.open(root).story


def test_branch_link_unlink(story_dir: Path):
    d = str(story_dir)
    assert run("branch", d, "finale", "Epilogue", "--label", "Later", "--text", "Years on.").exit_code == 0
    assert story(story_dir).scene("finale").link_to("epilogue").label == "Later"
    assert story(story_dir).scene("epilogue").text == "Years on."
    assert run("link", d, "epilogue", "start").exit_code == 0
    assert story(story_dir).scene("epilogue").link_to("start").label == "Start"
    assert run("unlink", d, "epilogue", "start").exit_code == 0
    assert story(story_dir).scene("epilogue").links == []


def test_refused_edits_are_clear_errors_and_change_nothing(story_dir: Path):
    before = (story_dir / "scenes" / "start.yaml").read_bytes()
    result = run("link", str(story_dir), "start", "left-hall")
    assert result.exit_code == 2 and "already links" in result.output
    result = run("branch", str(story_dir), "nowhere", "X")
    assert result.exit_code == 2 and "no scene 'nowhere'" in result.output
    assert (story_dir / "scenes" / "start.yaml").read_bytes() == before


def test_delete_asks_lists_links_and_reattaches(story_dir: Path):
    d = str(story_dir)
    assert run("delete", d, "the-nave", input="n\n").exit_code == 1
    assert "the-nave" in story(story_dir).scenes
    result = run("delete", d, "the-nave", "--yes")
    assert result.exit_code == 0
    assert "removed link left-hall -> the-nave [Onward]" in result.output
    assert story(story_dir).scene("right-hall").link_to("finale")


def test_rename_and_reading_path(story_dir: Path):
    d = str(story_dir)
    assert run("rename", d, "finale", "coda").exit_code == 0
    assert story(story_dir).scene("the-nave").link_to("coda")
    assert run("path", d, "start,right-hall,the-nave,coda").exit_code == 0
    assert story(story_dir).meta.reading_path == ["start", "right-hall", "the-nave", "coda"]
    assert run("path", d).output.strip() == "start -> right-hall -> the-nave -> coda"
    broken = run("path", d, "start,coda")
    assert broken.exit_code == 2 and "breaks" in broken.output


def test_link_to_a_missing_scene_is_a_clear_error(story_dir: Path):
    result = run("link", str(story_dir), "start", "nowhere")
    assert result.exit_code == 2 and "no scene 'nowhere'" in result.output
    assert "Traceback" not in result.output
