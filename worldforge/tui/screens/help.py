"""F1: what the keys do and how the craft goes."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

HELP = """\
# worldforge — the conductor's keys

| key | what it does |
|---|---|
| **ctrl+g** | expand the current scene: candidates stream in below the editor |
| **1–9, ↑/↓** | (in Candidates) choose a candidate |
| **a / b / x / e / v** | accept into the scene · branch into a new child scene · reject · edit then accept · revive a rejected one |
| **ctrl+r** | illustrate the current scene with the picture options |
| **ctrl+o** | picture options: style preset, seed, steps, size, candidates, image-to-image; the prompt's 75-token chunks, live |
| **alt+v / alt+s** | vary the chosen picture, subtly / strongly: new candidates from it |
| **alt+r** | use the chosen picture as the reference of a lore entry the scene mentions (the same face in every scene) |
| **Escape** | cancel the running generation |
| **ctrl+b** | new child scene (a branch) |
| **ctrl+l** / **F5** | link this scene to another with a choice label / remove a choice |
| **ctrl+t** | jump to any scene |
| **F2** | rename the scene's id · **F8** new unlinked scene · **F9** delete (asks first) |
| **F6** | make the path from the start to this scene the book's reading path |
| **ctrl+e** | world and lore: premise, memory, author's note, style, lore entries; there **ctrl+r** sets or clears an entry's reference picture |
| **F3** | context inspector: what the next expansion puts in the model's window |
| **F4** | export the storybook (HTML, EPUB, PDF, Twee, Markdown) |
| **F10** | energy ledger: kWh, CO2e, FLOPs, kept vs discarded, per model, kind, scene; a chart |
| **ctrl+z / ctrl+y** | undo / redo story edits (in the editor: undo typing) |
| **ctrl+s** | save now (the story also saves itself a second after every change) |
| **F12** | reload the story from disk (after another program changed it) |
| **ctrl+p** | command palette: every action by name |
| **ctrl+q** | quit (saves first) |

Text the model wrote is shown in *violet italics*; what you type is plain. The share of
each is kept through every edit and credited in the book's colophon.

In the map, ◌ marks a scene without a picture, ■ an ending, ↪ a scene reached again (a merge
or a loop), ⚠ scenes the start cannot reach.
"""


class HelpScreen(ModalScreen):
    BINDINGS = [Binding("escape,f1,q", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog-box tall"):
            yield Markdown(HELP)
