"""The worldforge app: it decides which screen comes first and opens stories in the studio.

With a story, the studio screen comes first; without, the story picker, which hands the
chosen folder back here. Built only by `make_app()`, from the CLI and the tests alike, so
tests inject fake or tiny engines. This module never imports torch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.widget import Widget

from worldforge.conductor.session import Session
from worldforge.core.errors import StoryError
from worldforge.engines.image.protocol import ImageEngine
from worldforge.engines.text.protocol import TextEngine
from worldforge.tui.recent import remember
from worldforge.tui.screens.help import HelpScreen
from worldforge.tui.screens.picker import PickerScreen
from worldforge.tui.screens.studio import StudioScreen
from worldforge.tui.screens.world import WorldScreen

AUTOSAVE_SECONDS = 1.0


@dataclass(frozen=True)
class Engines:
    """The engines a story opens with, and why a tiny offline model runs among them (one line
    each, from `EngineChoice.warning`): the studio's offline banner says it."""

    text: TextEngine | None = None
    image: ImageEngine | None = None
    warnings: tuple[str, ...] = ()


@dataclass
class StudioOptions:
    """How stories are opened: which engines (fixed, or chosen per story), picture widget, autosave."""

    engines: Engines = field(default_factory=Engines)
    # picks the engines for a story opened from the picker (its own models), instead of the fixed ones
    engines_for: Callable[[Session], Engines] | None = None
    image_widget: type[Widget] | None = None  # textual-image's terminal-probing Image unless given
    autosave_seconds: float = AUTOSAVE_SECONDS
    base: Path | None = None  # where the picker looks for ./stories (the working folder unless given)


class WorldforgeApp(App):
    CSS_PATH = "worldforge.tcss"
    TITLE = "worldforge"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]
    # on the app, so F1 helps on every screen; not priority, so the help screen's F1 closes it
    BINDINGS = [Binding("f1", "help", "Help")]

    def __init__(self, session: Session | None, options: StudioOptions) -> None:
        super().__init__()
        self.first_session = session
        self.options = options

    def get_default_screen(self) -> Screen:
        if self.first_session is None:
            return super().get_default_screen()  # blank, under the picker
        return self._studio(self.first_session, self.options.engines)

    def on_mount(self) -> None:
        if self.first_session is None:
            self.push_screen(PickerScreen(self.options.base or Path.cwd()))

    def _studio(self, session: Session, engines: Engines) -> StudioScreen:
        remember(session.root)
        o = self.options
        return StudioScreen(
            session,
            engines.text,
            engines.image,
            o.image_widget or _terminal_image(),
            o.autosave_seconds,
            engines.warnings,
        )

    def on_picker_screen_chosen(self, event: PickerScreen.Chosen) -> None:
        o = self.options
        try:
            session = Session.open(event.path)
            engines = o.engines_for(session) if o.engines_for else o.engines
        except StoryError as err:  # a broken story, or its models cannot be had (EngineError)
            self.notify(f"cannot open {event.path}: {err}", severity="error", markup=False)
            return
        self.switch_screen(self._studio(session, engines))  # the studio takes the picker's place

    @property
    def studio(self) -> StudioScreen | None:
        """The studio screen, once a story is open."""
        return next((s for s in self.screen_stack if isinstance(s, StudioScreen)), None)

    def get_system_commands(self, screen: Screen) -> Iterator[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Help", "f1: what the keys do", self.action_help)
        if isinstance(screen, (StudioScreen, WorldScreen)):
            yield from screen.system_commands()

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    async def action_quit(self) -> None:
        studio = self.studio
        if studio is None:
            self.exit()
        else:
            studio.quit()  # saves first


def _terminal_image() -> type[Widget]:
    from textual_image.widget import Image

    return Image


def make_app(
    session: Session | None,
    text_engine: TextEngine | None = None,
    image_engine: ImageEngine | None = None,
    *,
    engine_warnings: Sequence[str] = (),
    engines_for: Callable[[Session], Engines] | None = None,
    image_widget: type[Widget] | None = None,
    autosave_seconds: float = AUTOSAVE_SECONDS,
    base: Path | None = None,
) -> WorldforgeApp:
    """The app on `session`'s story, or on the story picker when `session` is None.

    The engines are the fixed ones given (with `engine_warnings`: why they are tiny offline
    models), or those `engines_for` chooses for each story opened."""
    engines = Engines(text_engine, image_engine, tuple(engine_warnings))
    if session is not None and engines_for is not None:
        # chosen now, so a bad engine choice is reported before the app takes the terminal
        engines = engines_for(session)
    options = StudioOptions(engines, engines_for, image_widget, autosave_seconds, base)
    return WorldforgeApp(session, options)
