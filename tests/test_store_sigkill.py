"""SIGKILL `worldforge branch`, `rename`, `delete` and `render --all` at random moments, over
and over: the story on disk is always the state before a save or the state after it.

Most trials run in children forked from one warm interpreter (tests/sigkill_zygote.py), so
that the kills land in the edit and the save rather than in Python's start-up; real CLI runs
are killed too. Kill times are spread uniformly over each command's measured run time.
"""

from __future__ import annotations

import random
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from worldforge.cli import cli
from worldforge.conductor.render import render_order
from worldforge.core.model import Scene, Story
from worldforge.store import StoryFolder
from worldforge.store.journal import JOURNAL, UNCOMMITTED
from worldforge.store.paths import STATE_DIR

from .conftest import build_story
from .support import story_files

REPO = Path(__file__).resolve().parents[1]
# the scenes around the-nave: two parents and a child, so every edit spans several files
EDITS = {
    "branch": ["branch", "{dir}", "the-nave", "Side Door", "--text", "A draught."],
    "rename": ["rename", "{dir}", "the-nave", "nave"],
    "delete": ["delete", "--yes", "{dir}", "the-nave"],
}
FORKED_TRIALS = 50  # per command, four commands
LOOP_TRIALS = 50
LOOP_SECONDS = 0.1
CLI_TRIALS = 8  # per graph edit, real start-ups
CLI_RENDER_TRIALS = 4


class Trials:
    """The before-state, a fresh copy per trial, and what each kill left behind."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.template = tmp / "template"
        StoryFolder.create(self.template, build_story())
        self.before = story_files(self.template)
        self.before_story = StoryFolder.open(self.template).story
        self.count = 0
        self.seen: Counter[str] = Counter()

    def fresh(self) -> Path:
        self.count += 1
        root = self.tmp / f"trial-{self.count}"
        shutil.copytree(self.template, root)
        return root

    def opened(self, root: Path) -> Story:
        """Open as the next command would (rolling a committed save forward), and check it."""
        state = root / STATE_DIR
        if (state / JOURNAL).is_dir():
            self.seen["journal rolled forward"] += 1
        if (state / UNCOMMITTED).is_dir():
            self.seen["uncommitted journal discarded"] += 1
        story = StoryFolder.open(root).story
        assert not (state / JOURNAL).exists() and not (state / UNCOMMITTED).exists()
        result = CliRunner().invoke(cli, ["check", str(root)])
        assert result.exit_code in (0, 1), result.output
        assert "missing scene" not in result.output
        for scene in story.scenes.values():
            for image in [scene.image, *(r.image for r in scene.renders)]:
                assert image is None or (root / image).is_file(), f"{scene.id} lost its picture {image}"
        return story

    def assert_before_or_after(self, root: Path, after: dict[str, bytes], after_story: Story) -> None:
        story = self.opened(root)
        files = story_files(root)
        assert files in (self.before, after), f"torn story in {root}: {sorted(files)}"
        assert story in (self.before_story, after_story)
        self.seen["before" if files == self.before else "after"] += 1

    def assert_rendered_prefix(self, root: Path) -> None:
        """`render --all` saves after each scene: each save is a transaction, so the scenes
        rendered are the first k of the render order, each one whole and the rest untouched.
        (A render's provenance holds its run time and date, so it is compared by shape.)"""
        story = self.opened(root)
        assert story.meta == self.before_story.meta
        assert set(story.scenes) == set(self.before_story.scenes)
        rendered = []
        for scene_id in render_order(self.before_story):
            scene, before = story.scenes[scene_id], self.before_story.scenes[scene_id]
            if scene == before:
                continue
            rendered.append(scene_id)
            assert _without_pictures(scene) == before, f"{scene_id} changed beyond its picture"
            assert scene.image == scene.renders[0].image and len(scene.renders) == 2
            assert {r.provenance for r in scene.renders} == {p.id for p in scene.provenance}
        order = render_order(self.before_story)
        assert rendered == order[: len(rendered)], f"renders saved out of order: {rendered}"
        self.seen[f"{len(rendered)} of {len(order)} rendered"] += 1


def _without_pictures(scene: Scene) -> Scene:
    return scene.model_copy(update={"image": None, "image_title": "", "renders": [], "provenance": []})


class Zygote:
    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.sigkill_zygote"],
            cwd=REPO,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout.readline() == "ready\n"

    def run(self, args: list[str], delay: float = -1.0) -> tuple[str, float]:
        self.process.stdin.write("\t".join([f"{delay:.6f}", *args]) + "\n")
        self.process.stdin.flush()
        outcome, took = self.process.stdout.readline().rstrip("\n").split("\t")
        return outcome, float(took)

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=10)


def _calibrate(run, trials: Trials, args: list[str]) -> tuple[float, Path]:
    """Run the command to the end on three copies: its run time (the longest) and one result."""
    times = []
    for _ in range(3):
        root = trials.fresh()
        outcome, took = run([a.replace("{dir}", str(root)) for a in args])
        assert outcome == "exit 0", f"{args} failed without a kill"
        times.append(took)
    return max(times), root


def test_sigkill_at_any_moment_leaves_the_story_before_or_after(tmp_path: Path):
    rng = random.Random(20240610)
    trials = Trials(tmp_path)
    zygote = Zygote()
    killed = 0
    try:
        for args in [*EDITS.values(), ["render-fake", "{dir}"]]:
            duration, done = _calibrate(zygote.run, trials, args)
            after = story_files(done)
            after_story = StoryFolder.open(done).story
            for _ in range(FORKED_TRIALS):
                root = trials.fresh()
                outcome, _ = zygote.run(
                    [a.replace("{dir}", str(root)) for a in args], rng.uniform(0.0, duration)
                )
                killed += outcome == "killed"
                if args[0] == "render-fake":
                    trials.assert_rendered_prefix(root)
                else:
                    trials.assert_before_or_after(root, after, after_story)
    finally:
        zygote.close()
    print(f"\n{4 * FORKED_TRIALS} forked trials, {killed} killed mid-run: {dict(trials.seen)}")
    assert trials.seen["before"] and trials.seen["after"]
    # the kills reached the save itself, not only the moments around it
    assert trials.seen["journal rolled forward"] + trials.seen["uncommitted journal discarded"] > 0
    assert killed > 2 * FORKED_TRIALS


def test_sigkill_while_renaming_back_and_forth(tmp_path: Path):
    """A child renames a scene and back, saving each time, until it is killed: nearly every
    kill lands inside a save, where a journal is being written, committed or applied."""
    rng = random.Random(99)
    trials = Trials(tmp_path)
    renamed = trials.fresh()
    assert CliRunner().invoke(cli, ["rename", str(renamed), "the-nave", "nave"]).exit_code == 0
    after, after_story = story_files(renamed), StoryFolder.open(renamed).story
    zygote = Zygote()
    try:
        for _ in range(LOOP_TRIALS):
            root = trials.fresh()
            assert zygote.run(["rename-loop", str(root)], rng.uniform(0.0, LOOP_SECONDS))[0] == "killed"
            trials.assert_before_or_after(root, after, after_story)
    finally:
        zygote.close()
    print(f"\n{LOOP_TRIALS} rename-loop trials: {dict(trials.seen)}")
    assert trials.seen["journal rolled forward"] > 0 and trials.seen["uncommitted journal discarded"] > 0


def _cli_run(args: list[str], delay: float = -1.0) -> tuple[str, float]:
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "worldforge", *args],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    if delay >= 0:
        time.sleep(delay)
        process.kill()  # no-op once it has exited; it is not reaped before, so the pid is its own
    code = process.wait()
    outcome = "killed" if code < 0 else f"exit {code}"
    return outcome, time.perf_counter() - start


def test_sigkill_real_cli_graph_edits(tmp_path: Path):
    rng = random.Random(7)
    trials = Trials(tmp_path)
    for args in EDITS.values():
        duration, done = _calibrate(_cli_run, trials, args)
        after, after_story = story_files(done), StoryFolder.open(done).story
        for _ in range(CLI_TRIALS):
            root = trials.fresh()
            _cli_run([a.replace("{dir}", str(root)) for a in args], rng.uniform(0.0, duration))
            trials.assert_before_or_after(root, after, after_story)
    assert trials.seen["before"] + trials.seen["after"] == 3 * CLI_TRIALS


@pytest.mark.slow
def test_sigkill_real_cli_render_all_tiny(tmp_path: Path, worldforge_home):
    rng = random.Random(11)
    trials = Trials(tmp_path)
    args = ["render", "{dir}", "--all", "--engine", "tiny", "--candidates", "2"]
    root = trials.fresh()
    outcome, duration = _cli_run([a.replace("{dir}", str(root)) for a in args])
    assert outcome == "exit 0"
    trials.assert_rendered_prefix(root)
    for _ in range(CLI_RENDER_TRIALS):
        root = trials.fresh()
        _cli_run([a.replace("{dir}", str(root)) for a in args], rng.uniform(0.0, duration))
        trials.assert_rendered_prefix(root)
