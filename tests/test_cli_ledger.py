"""`worldforge ledger` prints the table and a chart, and says what was measured."""

from __future__ import annotations

from click.testing import CliRunner

from tests.ledger_story import story
from worldforge.cli import cli
from worldforge.store import StoryFolder


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_ledger_prints_totals_groups_and_a_chart(tmp_path):
    StoryFolder.create(tmp_path / "s", story())
    result = run("ledger", str(tmp_path / "s"), "--by", "model")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "6 generations, 3 kept, 2 discarded, 1 pending" in lines[0]
    total = next(line for line in lines if line.startswith("total "))
    assert total.split()[1:5] == ["6", "3", "2", "1"] and "7.00 kWh" in total
    for label in (
        "text",
        "image",
        "model gpt2",
        "model sd-turbo",
        "reading path",
        "scene start",
        "scene end",
    ):
        assert any(line.startswith(label + " ") for line in lines), label
    assert "(start → end)" in result.output
    assert "Measured by hardware counters: cpu, gpu. Estimated by power models: cpu, ram." in result.output
    assert "Energy per model, kWh: metered (codecarbon)" in result.output
    assert "\x1b" not in result.output and "█" in result.output


def test_ledger_of_an_unmetered_story_says_so(story_dir):
    result = run("ledger", str(story_dir), "--no-chart")
    assert result.exit_code == 0
    assert "Nothing was metered" in result.output and "█" not in result.output
