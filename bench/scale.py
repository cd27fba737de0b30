"""Engines anywhere, measured.

(b) `render --all` of the example story with the tiny pipeline: here, against a local Ray
    cluster of 2 workers, end to end as a user runs them (separate processes, the cluster's
    start included; same seed, so the script also checks they wrote the same files); then
    warm, in one process with the models loaded and the cluster up, one thread per worker
    and here: the time Ray adds per scene (1 worker against here: transport, queue, the
    worker's own process) and what 2 workers gain.

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
from typing import Any

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


def _seconds(run: Callable[[], object]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def _on_ray(tmp: Path, cpus: int, engine: Any, settings: Any) -> float:
    """Seconds of a warm `render --all` on a local cluster of `cpus` CPUs, one worker each."""
    from worldforge.conductor import cluster_pool, render_all_on_cluster
    from worldforge.engines.image.cluster import connect, disconnect
    from worldforge.store import StoryFolder

    connect(cpus=cpus)
    try:
        with cluster_pool(engine, workers=cpus) as pool:
            for name in (f"ray-{cpus}-warm-up", f"ray-{cpus}"):
                story = _copy(tmp, name)
                seconds = _seconds(
                    lambda s=story: render_all_on_cluster(pool, StoryFolder.open(s), engine, settings)
                )
    finally:
        disconnect()
    return seconds


def part_b() -> None:
    import torch

    from worldforge.conductor import image_settings, render_all
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

        # warm: models loaded, the cluster up, one job done first (the first picture of a
        # size also counts its FLOPs); one thread per worker and here, so only Ray differs
        torch.set_num_threads(1)
        engine = tiny_image_engine()
        engine.load()
        settings = image_settings(StoryFolder.open(local_cli).story, engine, {"seed": SEED})
        render_all(StoryFolder.open(_copy(tmp, "local-warm-up")), engine, settings)
        story = _copy(tmp, "local")
        local = _seconds(lambda: render_all(StoryFolder.open(story), engine, settings))
        one, two = _on_ray(tmp, 1, engine, settings), _on_ray(tmp, 2, engine, settings)
        added = (one - local) / scenes
        print(
            f"    warm, 1 thread each  local: {local:6.2f} s   Ray, 1 worker: {one:6.2f} s   2 workers: {two:6.2f} s"
        )
        print(
            f"    Ray adds {added * 1000:.0f} ms per scene ({added * 1000 / settings.candidates:.0f} ms per "
            f"picture); 2 workers are {local / two:.2f}x local"
        )


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
