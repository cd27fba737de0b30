"""`render --ray`: where the pictures are made (here, or Ray workers) and one bar for the job."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

from worldforge import conductor as use_case
from worldforge.cli.output import echo
from worldforge.store import StoryFolder


@contextmanager
def picture_workers(engine: Any, address: str | None, workers: int | None) -> Iterator[Any]:
    """None when the pictures are made in this process (the engine loaded), else a pool of
    Ray workers each with the engine loaded, ended when the block ends."""
    if address is None:
        # ModelUnavailable is a StoryError: the group prints it as one "error:" line
        engine.load(lambda message: echo(message, err=True))
        yield None
        return
    echo(f"starting Ray workers ({address})", err=True)
    with use_case.cluster_pool(engine, address, workers) as pool:
        places = sorted({f"{w.host} ({w.device})" for w in pool.workers})
        echo(f"{len(pool.workers)} Ray workers on {', '.join(places)}", err=True)
        yield pool


class PictureBar:
    """One click progress bar over every picture of a cluster job."""

    def __init__(self, total: int, label: str):
        self.bar = click.progressbar(length=total, label=label, file=sys.stderr)
        self.bar.__enter__()

    def __call__(self, done: int, _total: int) -> None:
        self.bar.update(done - self.bar.pos)

    def close(self) -> None:
        self.bar.__exit__(None, None, None)


def render_all_on_ray(
    pool: Any,
    folder: StoryFolder,
    engine: Any,
    settings: Any,
    preset: str | None,
    continuity: bool,
    hide_prompt: bool,
) -> list[Any]:
    """`render --all` on the pool's workers, with one bar over every picture of the job."""
    pictures = len(use_case.unillustrated(folder.story)) * settings.candidates
    bar = PictureBar(pictures, f"rendering on {len(pool.workers)} Ray workers")
    try:
        return use_case.render_all_on_cluster(
            pool, folder, engine, settings, preset, continuity, hide_prompt, on_picture=bar
        )
    finally:
        bar.close()
