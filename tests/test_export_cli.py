"""`worldforge export` and `worldforge import` as a user runs them."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from tests.export_story import build
from worldforge.cli import cli


@pytest.fixture(scope="module")
def story_dir(tmp_path_factory):
    return build(tmp_path_factory.mktemp("cli") / "story").root


@pytest.mark.parametrize("fmt", ["html", "md", "twee"])
def test_export_each_format(story_dir, tmp_path, fmt):
    out = tmp_path / f"book.{fmt}"
    result = CliRunner().invoke(cli, ["export", str(story_dir), "--format", fmt, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 0
    assert f"wrote {out}" in result.stdout
    if fmt != "twee":
        assert "warning: scene 'ending' has no picture yet" in result.stderr


def test_default_output_name_and_gamebook(story_dir, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["export", str(story_dir), "--gamebook", "--show-prompts"])
    assert result.exit_code == 0, result.output
    assert "(5 sections" in result.stdout
    assert "turn to" in (tmp_path / "story-gamebook.html").read_text(encoding="utf-8")


def test_bad_path_is_a_clear_error(story_dir, tmp_path):
    result = CliRunner().invoke(
        cli, ["export", str(story_dir), "--path", "start,square", "-o", str(tmp_path / "x.html")]
    )
    assert result.exit_code == 2
    assert "error: cannot follow the reading path" in result.stderr
    assert not (tmp_path / "x.html").exists()


def test_twee_export_then_import_then_export_is_identical(story_dir, tmp_path):
    runner = CliRunner()
    first = tmp_path / "a" / "story.twee"
    assert runner.invoke(cli, ["export", str(story_dir), "--format", "twee", "-o", str(first)]).exit_code == 0
    assert (first.parent / "images").is_dir()  # pictures travel next to the Twee file
    result = runner.invoke(cli, ["import", str(first), str(tmp_path / "back")])
    assert result.exit_code == 0, result.output
    assert "created" in result.stdout and "6 scenes" in result.stdout
    second = tmp_path / "b" / "story.twee"
    assert (
        runner.invoke(
            cli, ["export", str(tmp_path / "back"), "--format", "twee", "-o", str(second)]
        ).exit_code
        == 0
    )
    assert first.read_bytes() == second.read_bytes()
    again = runner.invoke(cli, ["import", str(first), str(tmp_path / "back")])
    assert again.exit_code == 2 and "refusing to overwrite" in again.stderr
