"""Engines anywhere, measured.

(b) `render --all` of the example story with the tiny pipeline: here, against a local Ray
    cluster of 2 workers, end to end as a user runs them (separate processes, the cluster's
    start included); then warm, in one process with the engine and the workers already
    loaded, the time Ray adds per scene: each run's wall time less the render time its
    pictures' records report (what remains is prompts, files, signing, saving, and for Ray
    the transport and the queue), Ray's remainder less the local one. Both runs use the same
    seed, so their pictures must be the same files; the script checks that too.

    flock /tmp/wf-cpu.lock python bench/scale.py --part b
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

EXAMPLE = ROOT / "stories" / "socialist-gundam"
SEED = 7


def _copy(tmp: Path, name: str) -> Path:
    target = tmp / name
    shutil.copytree(EXAMPLE, target)
    return target


def _cli_seconds(story: Path, *extra: str) -> float:
    command = [sys.executable, "-m", "worldforge", "render", str(story), "--all", "--engine", "tiny"]
    start = time.perf_counter()
    subprocess.run([*command, "--seed", str(SEED), *extra], check=True, capture_output=True, cwd=ROOT)
    return time.perf_counter() - start


def _images(story: Path) -> dict[str, str | None]:
    from worldforge.store import StoryFolder

    return {sid: scene.image for sid, scene in StoryFolder.open(story).story.scenes.items()}


def _remainder(story: Path, run: Callable[[], object]) -> tuple[float, float]:
    """Wall seconds of `run`, and those not spent rendering (per the pictures' records)."""
    from worldforge.store import StoryFolder

    start = time.perf_counter()
    run()
    wall = time.perf_counter() - start
    records = [p for s in StoryFolder.open(story).story.scenes.values() for p in s.provenance]
    return wall, wall - sum(p.wall_s for p in records)


def part_b() -> None:
    from worldforge.conductor import cluster_pool, image_settings, render_all, render_all_on_cluster
    from worldforge.engines.image.registry import tiny_image_engine
    from worldforge.store import StoryFolder

    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        scenes = len(list((EXAMPLE / "scenes").glob("*.yaml")))
        local_cli, ray_cli = _copy(tmp, "local-cli"), _copy(tmp, "ray-cli")
        _cli_seconds(_copy(tmp, "warm-up"))  # builds the tiny model once, outside the timings
        here = _cli_seconds(local_cli)
        there = _cli_seconds(ray_cli, "--ray", "--workers", "2")
        same = _images(local_cli) == _images(ray_cli)
        print(
            f"(b) render --all, example story ({scenes} scenes x 4 candidates, tiny pipeline, 64x64, 4 steps)"
        )
        print(
            f"    end to end  local: {here:6.2f} s   Ray, 2 workers: {there:6.2f} s (cluster start included)"
        )
        print(f"    same picture files from both: {same}")

        engine = tiny_image_engine()
        engine.load()
        story = StoryFolder.open(_copy(tmp, "settings")).story
        settings = image_settings(story, engine, {"seed": SEED})
        warm_local = _copy(tmp, "warm-local")
        local_wall, local_rest = _remainder(
            warm_local, lambda: render_all(StoryFolder.open(warm_local), engine, settings)
        )
        print(f"    warm  local: {local_wall:6.2f} s, of which not rendering {local_rest:5.2f} s")
        for workers in (1, 2):
            with cluster_pool(engine, workers=workers) as pool:
                story_dir = _copy(tmp, f"warm-ray-{workers}")
                wall, rest = _remainder(
                    story_dir,
                    lambda pool=pool, story_dir=story_dir: render_all_on_cluster(
                        pool, StoryFolder.open(story_dir), engine, settings
                    ),
                )
            if workers == 1:
                added = (rest - local_rest) / scenes
                print(
                    f"    warm  Ray, 1 worker:  {wall:6.2f} s, of which not rendering {rest:5.2f} s: "
                    f"Ray adds {added * 1000:.1f} ms per scene ({settings.candidates} pictures)"
                )
            else:
                print(f"    warm  Ray, {workers} workers: {wall:6.2f} s ({local_wall / wall:.2f}x local)")


PARTS = {"b": part_b}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--part", choices=sorted(PARTS), action="append", help="which measurement (default all)"
    )
    for part in parser.parse_args().part or sorted(PARTS):
        PARTS[part]()


if __name__ == "__main__":
    main()
