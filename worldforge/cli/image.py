"""Picture commands: render, prompt, presets.

The conductor chooses the engine; model libraries load only when a command runs one.
"""

from __future__ import annotations

import sys
from functools import partial
from pathlib import Path
from typing import Any

import click

from worldforge import conductor as use_case
from worldforge.cli import UserError
from worldforge.cli.cluster import PictureBar, picture_workers, render_all_on_ray
from worldforge.cli.engines import allow_download_option, announced
from worldforge.cli.output import echo
from worldforge.conductor import SCHEDULER_NAMES, choose_image_engine
from worldforge.store import StoryFolder


def _size(_ctx: click.Context, _param: click.Parameter, value: str | None) -> tuple[int, int] | None:
    if value is None:
        return None
    try:
        width, height = (int(part) for part in value.lower().split("x"))
    except ValueError:
        raise click.BadParameter("give the size as WIDTHxHEIGHT, e.g. 512x512") from None
    return width, height


class _StepBar:
    """One click progress bar over all denoising steps of all candidates."""

    def __init__(self, total: int, label: str):
        self.bar = click.progressbar(length=total, label=label, file=sys.stderr)
        self.bar.__enter__()

    def __call__(self, _index: int, _step: int, _total: int, _preview: bytes | None) -> None:
        self.bar.update(1)

    def close(self) -> None:
        self.bar.__exit__(None, None, None)


@click.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.argument("scene", required=False)
@click.option("--all", "all_scenes", is_flag=True, help="Render every scene without a chosen picture.")
@click.option("--candidates", "-n", type=click.IntRange(1, 16), help="Pictures to propose (default 4).")
@click.option("--preset", help="Style preset (see `worldforge presets`).")
@click.option("--seed", type=click.IntRange(0), help="Seed of candidate 1; candidate k gets seed+k-1.")
@click.option("--init", "init", help="Start from a picture: 'parent' (the parent scene's) or a file.")
@click.option("--strength", type=click.FloatRange(0, 1, min_open=True), help="How much of --init to repaint.")
@click.option("--continuity", is_flag=True, help="With --all: start each scene from its parent's picture.")
@click.option("--steps", type=click.IntRange(1, 500))
@click.option("--guidance", type=click.FloatRange(0))
@click.option("--size", callback=_size, help="WIDTHxHEIGHT, multiples of 8.")
@click.option(
    "--quality", type=click.Choice(["draft", "final"]), help="draft decodes with the tiny autoencoder."
)
@click.option("--scheduler", type=click.Choice(SCHEDULER_NAMES), help="Sampler (default: the model's own).")
@click.option("--engine", "engine_choice", help="tiny, a preset, a hub id or a model folder.")
@click.option("--hide-prompt", is_flag=True, help="Credit and settings in the pictures, not the prompt.")
@click.option("--choose", type=click.IntRange(1), help="Make candidate N the scene's picture.")
@allow_download_option
@click.option(
    "--ray",
    "ray_address",
    is_flag=False,
    flag_value="local",
    metavar="[ADDRESS]",
    help="Render on Ray workers: a cluster started here, or joined (ray://HOST:PORT, auto).",
)
@click.option(
    "--workers", type=click.IntRange(1), help="With --ray: workers (default one per GPU or machine)."
)
@click.option("--no-refs", is_flag=True, help="Ignore the lore entries' reference pictures.")
@click.option(
    "--vary",
    type=click.Choice(["subtle", "strong"]),
    help="New candidates from the scene's chosen picture (image-to-image, new seeds).",
)
def render(
    directory: Path,
    scene: str | None,
    all_scenes: bool,
    candidates: int | None,
    preset: str | None,
    seed: int | None,
    init: str | None,
    strength: float | None,
    continuity: bool,
    steps: int | None,
    guidance: float | None,
    size: tuple[int, int] | None,
    quality: str | None,
    scheduler: str | None,
    engine_choice: str | None,
    hide_prompt: bool,
    choose: int | None,
    allow_download: bool,
    ray_address: str | None,
    workers: int | None,
    no_refs: bool,
    vary: str | None,
) -> None:
    """Illustrate SCENE of the story in DIRECTORY (or, with --all, every scene still without one)."""
    if bool(scene) == all_scenes:
        raise click.UsageError("give a SCENE or --all (not both)")
    if workers and ray_address is None:
        raise click.UsageError("--workers goes with --ray")
    if vary and (init or all_scenes):
        raise click.UsageError("--vary starts from the scene's chosen picture: not with --init or --all")
    if vary and ray_address is not None:
        raise click.UsageError("--vary renders here: not with --ray")
    folder = StoryFolder.open(directory)
    engine = announced(choose_image_engine(folder.story, engine_choice, allow_download))
    width, height = size or (None, None)
    overrides = {
        "candidates": candidates,
        "seed": seed,
        "strength": strength,
        "steps": steps,
        "guidance": guidance,
        "width": width,
        "height": height,
        "quality": quality,
        "scheduler": scheduler,
    }
    settings = use_case.image_settings(folder.story, engine, overrides, init=bool(init or vary) or continuity)
    if scene and scene not in folder.story.scenes:
        raise UserError(f"no scene {scene!r} in {directory} (see `worldforge graph {directory}`)")
    if all_scenes and not use_case.unillustrated(folder.story):
        echo("every scene already has a picture")
        return
    try:
        with picture_workers(engine, ray_address, workers) as pool:
            if all_scenes:
                _render_all(folder, engine, settings, preset, continuity, hide_prompt, pool)
            else:
                assert scene is not None
                _render_one(
                    folder,
                    scene,
                    engine,
                    settings,
                    preset,
                    init,
                    hide_prompt,
                    choose,
                    not no_refs,
                    vary,
                    pool,
                )
    except ValueError as exc:
        raise UserError(str(exc)) from None


def _steps_run(settings: Any, init: bool) -> int:
    return int(settings.steps * settings.strength) if init else settings.steps


def _render_one(
    folder: StoryFolder,
    scene: str,
    engine: Any,
    settings: Any,
    preset: str | None,
    init: str | None,
    hide_prompt: bool,
    choose: int | None,
    use_references: bool,
    vary: str | None,
    pool: Any = None,
) -> None:
    if vary:
        _image, settings = use_case.vary_settings(folder.story, scene, settings, vary)
    if pool is None:
        steps = settings.candidates * _steps_run(settings, bool(init or vary))
        bar: Any = _StepBar(steps, f"rendering {scene}")
        render = partial(use_case.render, on_step=bar, vary=vary)
    else:
        bar = PictureBar(settings.candidates, f"rendering {scene} on Ray")
        render = partial(use_case.render_on_cluster, pool, on_picture=bar)
    try:
        batch = render(
            folder,
            scene,
            engine,
            settings,
            preset,
            init,
            hide_prompt=hide_prompt,
            use_references=use_references,
        )
    finally:
        bar.close()
    for note in batch.notes:
        echo(note, err=True)
    for number, item in enumerate(batch.renders, start=1):
        echo(f"{number}  {item.image}  seed {item.seed}")
    if batch.grid:
        echo(f"grid  {batch.grid}")
    if choose is not None:
        if choose > len(batch.renders):
            raise UserError(f"--choose {choose}: only {len(batch.renders)} candidates were rendered")
        chosen = use_case.choose(folder.story, scene, batch.renders[choose - 1].image)
        echo(f"chose {choose}: {chosen.image}")
    folder.save()


def _render_all(
    folder: StoryFolder,
    engine: Any,
    settings: Any,
    preset: str | None,
    continuity: bool,
    hide_prompt: bool,
    pool: Any = None,
) -> None:
    def on_scene(scene_id: str, number: int, total: int) -> None:
        echo(f"[{number}/{total}] {scene_id}", err=True)

    try:
        if pool is None:
            batches = use_case.render_all(
                folder, engine, settings, preset, continuity, on_scene=on_scene, hide_prompt=hide_prompt
            )
        else:
            batches = render_all_on_ray(pool, folder, engine, settings, preset, continuity, hide_prompt)
    except KeyboardInterrupt:
        raise UserError(
            "interrupted; the scenes done so far are saved: run the same command to go on"
        ) from None
    for batch in batches:
        echo(f"{batch.scene_id}  {batch.renders[0].image}")
    echo(f"rendered {len(batches)} scenes" if batches else "every scene already has a picture")


@click.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.argument("scene")
@click.option("--preset", help="Style preset (see `worldforge presets`).")
@click.option(
    "--engine",
    "engine_choice",
    help="Count tokens with this engine's tokenizer (default: the one `render` would use).",
)
def prompt(directory: Path, scene: str, preset: str | None, engine_choice: str | None) -> None:
    """Show the picture prompt of SCENE: each piece with its exact tokens and weights, and
    the 75-token chunks the text encoder reads."""
    story = StoryFolder.open(directory).story
    if scene not in story.scenes:
        raise UserError(f"no scene {scene!r} in {directory}")
    chosen = choose_image_engine(story, engine_choice)
    # the engine `render` would use counts the tokens; but the tiny fallback's tokenizer (one
    # token per byte) says nothing about a real model, so then CLIP's own tokenizer counts
    engine = None if chosen.fallback else chosen.engine
    report = use_case.picture_prompt(story, scene, engine, preset)
    echo("\n".join(report.lines()))


@click.command()
def presets() -> None:
    """List the style presets, built-in and your own."""
    from worldforge.locations import user_presets_dir
    from worldforge.prompting.presets import load_presets

    catalog = load_presets()
    for name, item in sorted(catalog.presets.items()):
        origin = "" if item.source == "built-in" else "  (yours)"
        echo(f"{name:<16} {item.description}{origin}")
    echo(f"\nyour presets: {user_presets_dir()}/*.yaml (keywords, negative, template, description)")
    for problem in catalog.problems:
        echo(f"! skipped {problem}", err=True)
