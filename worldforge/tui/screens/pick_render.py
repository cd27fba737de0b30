"""Pick one of several rendered candidates, seeing each picture."""

from __future__ import annotations

import io

from PIL import Image as PILImage
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from worldforge.core.model import Render
from worldforge.store import StoryFolder
from worldforge.tui.screens.dialogs import Dialog
from worldforge.tui.widgets.image_panel import image_view


class PickRenderScreen(Dialog):
    BINDINGS = [Binding("escape", "dismiss(None)", "Keep none")]

    def __init__(self, folder: StoryFolder, renders: list[Render], image_widget: type[Widget]) -> None:
        super().__init__()
        self.folder = folder
        self.renders = renders
        self.image_widget = image_widget

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box tall"):
            yield Label("Which picture becomes the scene's? (Enter picks)", classes="dialog-question")
            yield OptionList(
                *[Option(f"{i + 1}. seed {r.seed}", id=r.image) for i, r in enumerate(self.renders)],
                id="renders",
            )
            yield self.image_widget(id="render-preview")

    def on_mount(self) -> None:
        self._preview(0)

    def _preview(self, index: int) -> None:
        png = self.folder.read_image(self.renders[index].image)
        image_view(self.query_one("#render-preview")).image = PILImage.open(io.BytesIO(png))

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._preview(event.option_index)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)
