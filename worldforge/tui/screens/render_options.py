"""ctrl+o: how the next picture is made — style preset, seed, steps, size, candidates,
image-to-image from the parent's picture or a file — and what it shows: the scene's picture
subject and the world's style, with the composed prompt shown live as `worldforge prompt`
prints it (each piece's exact tokens and weight, the 75-token chunks).

The prompt is counted off the UI thread, a moment after the typing pauses: CLIP's tokenizer
takes a second or more to load the first time, and a slow count must never hold a keystroke.
"""

from __future__ import annotations

from functools import partial

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Button, Checkbox, DataTable, Input, Label, Select, Static

from worldforge.conductor import picture_prompt
from worldforge.core.errors import StoryError
from worldforge.core.model import Story
from worldforge.engines.image.protocol import ImageEngine
from worldforge.prompting.image_prompt import PromptReport
from worldforge.prompting.presets import load_presets
from worldforge.tui.screens.dialogs import Dialog
from worldforge.tui.widgets.report_table import fill_report_table, report_table

PROMPT_COLUMNS = ("tokens", "weight", "chunk", "source", "piece")
COUNT_DELAY = 0.25  # seconds of quiet after an edit before the prompt is counted again
INIT_CHOICES = [
    ("text only (no init picture)", ""),
    ("from the parent scene's picture", "parent"),
    ("from a picture file…", "file"),
]


def _int(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None


def _size(text: str) -> tuple[int, int] | None:
    width, _, height = text.lower().partition("x")
    w, h = _int(width.strip()), _int(height.strip() or width.strip())
    return (w, h) if w and h else None


def split_style(text: str) -> list[str]:
    return [word.strip() for word in text.split(",") if word.strip()]


class PromptCounted(Message):
    """A count of the draft prompt (or why it cannot be read), the `number`-th asked for."""

    def __init__(self, number: int, report: PromptReport | None, error: str = "") -> None:
        super().__init__()
        self.number = number
        self.report = report
        self.error = error


class RenderOptionsScreen(Dialog):
    """Returns the options, with the edited "summary" and "style" for the caller to apply."""

    BINDINGS = [
        Binding("ctrl+s", "apply", "Use these options", priority=True),
        Binding("escape", "dismiss(None)", "Cancel"),
    ]

    def __init__(self, story: Story, scene_id: str, options: dict, engine: ImageEngine | None = None) -> None:
        super().__init__()
        self.engine = engine
        self.story = story
        self.scene_id = scene_id
        self.options = dict(options)
        self.catalog = load_presets()
        self._asked = 0  # the latest count asked for: an older answer arriving late is dropped
        self._counting: Timer | None = None

    def compose(self) -> ComposeResult:
        o = self.options
        init = o.get("init") or ""
        init_kind = init if init in ("", "parent") else "file"
        with VerticalScroll(classes="dialog-box tall wide"):
            yield Label("Picture options (ctrl+s to keep, Escape to cancel)", classes="dialog-question")
            yield Label("Style preset", classes="field-label")
            yield Select(
                [
                    (f"{p.name} — {p.description}" if p.description else p.name, p.name)
                    for p in self.catalog.presets.values()
                ],
                value=o.get("preset") or Select.NULL,
                prompt="(none: world style only)",
                id="preset",
            )
            yield Label(
                "Picture subject: the scene's summary (blank: its first sentences)", classes="field-label"
            )
            yield Input(
                self.story.scene(self.scene_id).summary, placeholder="what the picture shows", id="summary"
            )
            yield Label("World style keywords, for every scene (comma separated)", classes="field-label")
            yield Input(", ".join(self.story.meta.world.style), id="style")
            yield Label(
                "Composed prompt: each piece's tokens and weight, the 75-token chunks", classes="field-label"
            )
            yield report_table("prompt-table", PROMPT_COLUMNS, [])
            yield Static("counting the prompt's tokens…", markup=False, id="prompt-preview")
            with Horizontal(classes="option-row"):
                with Vertical():
                    yield Label("Candidates", classes="field-label")
                    yield Input(str(o.get("candidates") or 1), type="integer", id="candidates")
                with Vertical():
                    yield Label("Seed (blank: new)", classes="field-label")
                    yield Input("" if o.get("seed") is None else str(o["seed"]), type="integer", id="seed")
                with Vertical():
                    yield Label("Steps (blank: model's)", classes="field-label")
                    yield Input("" if o.get("steps") is None else str(o["steps"]), type="integer", id="steps")
                with Vertical():
                    yield Label("Size WxH", classes="field-label")
                    size = f"{o['width']}x{o['height']}" if o.get("width") else ""
                    yield Input(size, placeholder="model's", id="size")
            yield Label("Start from", classes="field-label")
            yield Select(INIT_CHOICES, value=init_kind, allow_blank=False, id="init")
            yield Input(init if init_kind == "file" else "", placeholder="path to a picture", id="init-file")
            yield Label(
                "Strength (how far from the init picture: 0.1 keeps it, 0.9 repaints)", classes="field-label"
            )
            yield Input(str(o.get("strength") or 0.6), type="number", id="strength")
            yield Checkbox(
                "Hide the prompt in the picture's metadata (credit and settings stay)",
                o.get("hide_prompt", False),
                id="hide-prompt",
            )
            yield Button("Use these options", variant="primary", id="apply")

    def on_mount(self) -> None:
        self._count()

    def _draft(self) -> Story:
        """The scene and the world as edited here (a copy: nothing is changed until ctrl+s)."""
        meta = self.story.meta.model_copy(deep=True)
        meta.world.style = split_style(self.query_one("#style", Input).value)
        scene = self.story.scene(self.scene_id).model_copy(
            update={"summary": self.query_one("#summary", Input).value.strip()}
        )
        return Story(meta, {self.scene_id: scene})

    def _count_soon(self) -> None:
        if self._counting is not None:
            self._counting.stop()
        self._counting = self.set_timer(COUNT_DELAY, self._count)

    def _count(self) -> None:
        preset_name = self.query_one("#preset", Select).value
        preset = preset_name if isinstance(preset_name, str) and preset_name in self.catalog.presets else None
        self._asked += 1
        work = partial(self._report, self._asked, self._draft(), preset)
        self.run_worker(work, thread=True, group="prompt-count", exit_on_error=False)

    def _report(self, number: int, story: Story, preset: str | None) -> None:
        """In a worker thread: the report `worldforge prompt` prints, of the draft."""
        try:
            report = picture_prompt(story, self.scene_id, self.engine, preset)
        except StoryError as exc:  # a malformed weight: say where, keep the screen
            self.post_message(PromptCounted(number, None, str(exc)))
            return
        self.post_message(PromptCounted(number, report))

    def on_prompt_counted(self, event: PromptCounted) -> None:
        if event.number != self._asked:
            return
        preview = self.query_one("#prompt-preview", Static)
        preview.set_class(event.report is None, "prompt-error")
        table = self.query_one("#prompt-table", DataTable)
        if event.report is None:
            fill_report_table(table, PROMPT_COLUMNS, [])
            preview.update(f"cannot read the prompt: {event.error}")
            return
        report = event.report
        rows = [
            (p.tokens, p.weight_label, ",".join(str(c) for c in p.chunks), p.source, p.text)
            for p in report.pieces
        ]
        fill_report_table(table, PROMPT_COLUMNS, rows)
        # after the table's rows: the token count, the chunks, the prompt and the negative
        summary = report.lines()[1 + len(report.pieces) :]
        preview.update("\n".join(summary))

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "preset":
            self._count_soon()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id in ("summary", "style"):
            self._count_soon()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "apply":
            self.action_apply()

    def action_apply(self) -> None:
        value = self.query_one
        preset = value("#preset", Select).value
        init_kind = value("#init", Select).value
        init: str | None = value("#init-file", Input).value.strip() or None
        if init_kind in ("", "parent"):
            init = init_kind or None
        size = _size(value("#size", Input).value)
        try:
            strength = float(value("#strength", Input).value or 0.6)
        except ValueError:
            strength = -1.0
        if not 0.0 < strength <= 1.0:
            self.notify("strength must be between 0 and 1", severity="error")
            return
        options = {
            "preset": preset if isinstance(preset, str) else None,
            "candidates": max(1, min(9, _int(value("#candidates", Input).value) or 1)),
            "seed": _int(value("#seed", Input).value),
            "steps": _int(value("#steps", Input).value),
            "width": size[0] if size else None,
            "height": size[1] if size else None,
            "init": init,
            "strength": strength,
            "hide_prompt": value("#hide-prompt", Checkbox).value,
            "summary": value("#summary", Input).value.strip(),
            "style": split_style(value("#style", Input).value),
        }
        self.dismiss(options)
