"""Text commands: expand a scene with model candidates, show what the model reads, accept."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, cast

import click

from worldforge.cli.engines import allow_download_option, announced
from worldforge.cli.output import echo
from worldforge.conductor.engines import BACKENDS, Backend, choose_text_engine

if TYPE_CHECKING:
    from rich.live import Live

engine_option = click.option(
    "--engine",
    "engine_choice",
    default=None,
    metavar="tiny|NAME|PATH|URL",
    help="tiny, a preset (see `worldforge models list`), a hub id, a model folder, or the URL of "
    "an OpenAI-compatible completion server (http://127.0.0.1:8080/v1; its key from "
    "WORLDFORGE_API_KEY or OPENAI_API_KEY). Default: the story's choice, else gpt2 if downloaded, else tiny.",
)
timeout_option = click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    default=None,
    metavar="SECONDS",
    help="How long a model server may stay silent (default 60).",
)
backend_option = click.option(
    "--backend",
    type=click.Choice(BACKENDS),
    default="auto",
    show_default=True,
    help="auto: CTranslate2 int8 on CPU when installed.",
)


@click.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.argument("scene_id")
@click.option("--candidates", "-n", type=click.IntRange(1, 16), default=None, help="How many (default 4).")
@click.option("--seed", type=int, default=None, help="Seed of the first candidate (default random).")
@click.option("--max-tokens", type=click.IntRange(1, 4096), default=None, help="New tokens per candidate.")
@click.option("--stop", type=click.Choice(["sentence", "paragraph", "tokens"]), default=None)
@click.option("--temperature", type=float, default=None)
@click.option("--branch", "make_branches", is_flag=True, help="Make every candidate a child scene.")
@engine_option
@backend_option
@allow_download_option
@timeout_option
def expand(
    directory: Path,
    scene_id: str,
    candidates,
    seed,
    max_tokens,
    stop,
    temperature,
    make_branches: bool,
    engine_choice: str | None,
    backend: str,
    allow_download: bool,
    timeout: float | None,
) -> None:
    """Stream candidate continuations of SCENE_ID and keep them in the story."""
    from worldforge.conductor.expand import ExpansionInterrupted, branch, text_settings
    from worldforge.conductor.expand import expand as run_expand
    from worldforge.store import StoryFolder

    folder = StoryFolder.open(directory)
    story = folder.story
    if scene_id not in story.scenes:
        _no_scene(story, scene_id)
    settings = text_settings(
        story, candidates=candidates, seed=seed, max_new_tokens=max_tokens, stop=stop, temperature=temperature
    )
    chosen = choose_text_engine(story, engine_choice, cast(Backend, backend), timeout, allow_download)
    engine = announced(chosen)
    engine.load(progress=lambda msg: echo(msg + "…", err=True))
    interrupted: ExpansionInterrupted | None = None
    try:
        with _Stream(settings.candidates) as stream:
            expansion = run_expand(story, scene_id, engine, settings, on_token=stream.on_token)
    except ExpansionInterrupted as broken:
        # what arrived is on the scene: show it, save it, then report the failure (exit 2)
        interrupted, expansion = broken, broken.expansion
    scene = story.scene(scene_id)
    echo(f"{engine.describe()}: {expansion.report.tokens} context tokens")
    for result, index in zip(expansion.results, expansion.indices, strict=True):
        partial = " · partial: the stream broke off" if result.partial else ""
        echo(f"\n── candidate {index} · seed {result.seed} · {result.tokens} tokens{partial} ──")
        echo(result.text.strip() or "(empty)")
    if make_branches and interrupted is None:
        children = branch(story, scene_id, expansion.indices)
        echo("\nbranched: " + ", ".join(c.id for c in children))
    folder.save()
    if interrupted is not None:
        raise interrupted
    if not make_branches:
        echo(
            f"\nkept {len(expansion.indices)} pending candidates on {scene.id!r}; "
            f"`worldforge accept {directory} {scene_id} N` appends one"
        )


def _no_scene(story, scene_id: str):
    from worldforge.core.errors import StoryError

    raise StoryError(f"no scene {scene_id!r}; scenes: {', '.join(story.scenes) or 'none'}")


class _Stream:
    """Candidates as they arrive: live panels on a terminal, plain text otherwise."""

    def __init__(self, count: int):
        self.texts = [""] * count
        self.live: Live | None = None
        self.tty = sys.stdout.isatty()

    def __enter__(self):
        if self.tty:
            from rich.live import Live

            self.live = Live(self._render(), refresh_per_second=12, transient=True)
            self.live.__enter__()
        return self

    def on_token(self, index: int, piece: str) -> None:
        self.texts[index] += piece
        if self.live is not None:
            self.live.update(self._render())
        elif len(self.texts) == 1:
            echo(piece, nl=False)

    def _render(self):
        from rich.console import Group
        from rich.panel import Panel

        return Group(
            *(
                Panel(t[-600:] or "…", title=f"candidate {i}", title_align="left")
                for i, t in enumerate(self.texts)
            )
        )

    def __exit__(self, *exc) -> None:
        if self.live is not None:
            self.live.__exit__(*exc)
        elif len(self.texts) == 1:
            echo()


@click.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.argument("scene_id")
@click.option(
    "--max-tokens", type=click.IntRange(1, 4096), default=None, help="Tokens to leave for generation."
)
@click.option("--show/--no-show", default=True, help="Also print the assembled context.")
@engine_option
@allow_download_option
@timeout_option
def context(
    directory: Path,
    scene_id: str,
    max_tokens,
    show: bool,
    engine_choice: str | None,
    allow_download: bool,
    timeout: float | None,
) -> None:
    """Print what the model would read to continue SCENE_ID, and what was cut."""
    from worldforge.conductor.expand import context_for, text_settings
    from worldforge.store import StoryFolder

    story = StoryFolder.open(directory).story
    if scene_id not in story.scenes:
        _no_scene(story, scene_id)
    settings = text_settings(story, max_new_tokens=max_tokens)
    engine = announced(
        choose_text_engine(story, engine_choice, timeout=timeout, allow_download=allow_download)
    )
    report = context_for(story, scene_id, engine, settings)
    echo(str(report))
    if show:
        echo("\n──── context ────")
        echo(report.context)


@click.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.argument("scene_id")
@click.argument("index", type=int)
def accept(directory: Path, scene_id: str, index: int) -> None:
    """Append candidate INDEX to SCENE_ID (the other pending ones become rejected)."""
    from worldforge.conductor.expand import accept as run_accept
    from worldforge.core.authorship import authorship_share
    from worldforge.core.errors import StoryError
    from worldforge.store import StoryFolder

    folder = StoryFolder.open(directory)
    try:
        scene = run_accept(folder.story, scene_id, index)
    except (KeyError, IndexError, ValueError) as exc:
        raise StoryError(str(exc).strip("'\"")) from None
    folder.save()
    human, model = authorship_share(scene)
    echo(f"appended candidate {index} to {scene_id!r}: {human} human / {model} model characters")
