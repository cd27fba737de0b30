"""The image panel: the scene's chosen picture, live previews while rendering, and progress.

The picture widget class comes from the app (textual-image picks kitty/sixel/half-cells by
terminal; tests pass a fixed renderer), so this module never probes the terminal itself.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, cast

from PIL import Image as PILImage
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Label, ProgressBar

if TYPE_CHECKING:
    from textual_image.widget import BaseImage


def image_view(widget: Widget) -> BaseImage:
    """A textual-image widget found by query (its module is imported only by the app)."""
    return cast("BaseImage", widget)


class ImagePanel(Vertical):
    BORDER_TITLE = "Picture"

    def __init__(self, image_widget: type[Widget], **kwargs) -> None:
        super().__init__(**kwargs)
        self._image_widget = image_widget

    def compose(self) -> ComposeResult:
        yield Label("", id="image-caption", markup=False)  # captions hold titles
        yield Label("", id="image-credential", markup=False)  # filled in by a worker
        yield self._image_widget(id="image-view")
        yield ProgressBar(total=1, show_eta=False, id="render-progress")

    @property
    def view(self) -> BaseImage:
        return image_view(self.query_one("#image-view"))

    def show(self, png: bytes | None, caption: str) -> None:
        self.view.image = PILImage.open(io.BytesIO(png)) if png else None
        self.query_one("#image-caption", Label).update(caption)
        self.credential("checking content credentials…" if png else "", "")
        self.query_one(ProgressBar).display = False

    def credential(self, line: str, state: str) -> None:
        """The picture's content-credential state (valid / tampered / unsigned)."""
        label = self.query_one("#image-credential", Label)
        label.update(line)
        label.display = bool(line)
        label.set_classes(f"credential-{state}" if state else "")

    def progress(self, candidate: int, candidates: int, step: int, total: int, preview: bytes | None) -> None:
        bar = self.query_one(ProgressBar)
        bar.display = True
        bar.update(total=max(1, candidates * total), progress=candidate * total + step)
        self.query_one("#image-caption", Label).update(
            f"rendering {candidate + 1}/{candidates} · step {step}/{total}"
        )
        if preview:
            self.view.image = PILImage.open(io.BytesIO(preview))
