"""`render --ray` through click's runner on the tests' local cluster, and without Ray."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from tests.image_support import make_story_dir
from worldforge.cli import cli
from worldforge.store import StoryFolder

ROOT = Path(__file__).resolve().parents[2]
TINY = ["--engine", "tiny", "--size", "32x32", "--steps", "2", "--seed", "4"]


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_render_all_with_ray_prints_what_a_local_run_prints(tmp_path, ray_cluster):
    here, there = make_story_dir(tmp_path / "here"), make_story_dir(tmp_path / "there")
    local = run("render", str(here), "--all", *TINY, "-n", "2")
    remote = run("render", str(there), "--all", *TINY, "-n", "2", "--ray", "--workers", "2")
    assert remote.exit_code == 0, remote.output
    assert re.search(r"^2 Ray workers on \S+ \(cpu\)$", remote.stderr, re.MULTILINE)
    assert "rendering on 2 Ray workers" in remote.stderr
    # the same pictures, in the order they finished
    assert sorted(remote.stdout.splitlines()) == sorted(local.stdout.splitlines())
    again = run("render", str(there), "--all", *TINY, "--ray")
    assert again.exit_code == 0 and again.stdout == "every scene already has a picture\n"
    assert "Ray workers" not in again.stderr  # nothing to do: no cluster started


def test_render_one_scene_with_ray(tmp_path, ray_cluster):
    here, there = make_story_dir(tmp_path / "here"), make_story_dir(tmp_path / "there")
    local = run("render", str(here), "storm", *TINY, "-n", "4", "--choose", "2")
    remote = run("render", str(there), "storm", *TINY, "-n", "4", "--choose", "2", "--ray")
    assert remote.exit_code == 0, remote.output
    assert remote.stdout == local.stdout
    assert "rendering storm on Ray" in remote.stderr
    scene = StoryFolder.open(there).story.scenes["storm"]
    assert scene.image == StoryFolder.open(here).story.scenes["storm"].image
    assert all(p.host for p in scene.provenance)


def test_workers_need_ray(tmp_path):
    result = CliRunner().invoke(cli, ["render", str(tmp_path), "--all", "--workers", "2"])
    assert result.exit_code == 2 and "--workers goes with --ray" in result.output


BLOCK_RAY = """
import sys


class _NoRay:
    def find_spec(self, name, path=None, target=None):
        if name == "ray" or name.startswith("ray."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


sys.meta_path.insert(0, _NoRay())
"""


def test_ray_missing_names_the_extra_to_install(tmp_path):
    blocker = tmp_path / "no-ray"
    blocker.mkdir()
    (blocker / "sitecustomize.py").write_text(BLOCK_RAY, encoding="utf-8")
    story = make_story_dir(tmp_path / "lamp")
    result = subprocess.run(
        [sys.executable, "-m", "worldforge", "render", str(story), "--all", "--engine", "tiny", "--ray"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(blocker), str(ROOT)])},
        timeout=120,
    )
    assert result.returncode == 2, result.stderr
    assert 'error: rendering on a Ray cluster needs Ray: pip install "worldforge[cluster]"' in result.stderr
    assert "Traceback" not in result.stderr
    assert not any((story / "images").glob("*.png"))
