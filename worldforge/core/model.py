"""The story domain: what a story, a scene, a lore entry and a provenance record are.

Field order here is the key order on disk, and fields left at their default are not
written, so a hand-written story stays short and diffs stay clean.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from typing import Any, Literal, get_origin

from pydantic import BaseModel, ConfigDict, Field, field_validator

SCHEMA_VERSION = 1
MAX_TEXT_CHARS = 200_000

SCENE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


class Strict(BaseModel):
    """Base for every record: unknown keys are errors, assignments are validated."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class Frozen(BaseModel):
    """Base for the records a scene holds in its lists (links, candidates, renders,
    provenance): never changed in place, only replaced, so a scene's state (see
    `scene_state`) sees every change by reference."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_id(value: str) -> str:
    if not SCENE_ID.match(value):
        raise ValueError(
            f"{value!r} is not a valid id: use lowercase letters, digits, '-' or '_' "
            "(at most 64, starting with a letter or digit)"
        )
    return value


class Link(Frozen):
    """A choice leading from one scene to another."""

    to: str
    label: str = ""

    _check_to = field_validator("to")(_check_id)


EnergySource = Literal["measured", "estimated", "absent"]


class Energy(Frozen):
    """The energy a generation drew, as a meter (codecarbon) counted it, and its CO2e.

    Each part says how its figure was obtained, because only some machines can be read:
    `measured` from a hardware counter (RAPL for the CPU, NVML for an NVIDIA GPU),
    `estimated` from a power model (the CPU's TDP times its load; RAM always), `absent`
    where the machine has no such part. kWh is the figure to compare runs by; CO2e
    depends on the grid, named in `grid`.
    """

    cpu_kwh: float
    gpu_kwh: float
    ram_kwh: float
    co2e_kg: float
    cpu: EnergySource
    gpu: EnergySource
    ram: EnergySource
    # the meter and what it read, e.g. "codecarbon 3.3.2, CPU load x TDP, whole machine"
    method: str
    # where the CO2e factor came from: a country code, or a carbon intensity that was set
    grid: str
    # this record's share of one metered call (the candidates of a call split it by wall time)
    share: float = 1.0

    @property
    def kwh(self) -> float:
        return self.cpu_kwh + self.gpu_kwh + self.ram_kwh

    def parts(self) -> list[tuple[str, float, EnergySource]]:
        """(part, kWh, how obtained) for the parts the machine has."""
        parts: list[tuple[str, float, EnergySource]] = [
            ("cpu", self.cpu_kwh, self.cpu),
            ("gpu", self.gpu_kwh, self.gpu),
            ("ram", self.ram_kwh, self.ram),
        ]
        return [part for part in parts if part[2] != "absent"]


class Provenance(Frozen):
    """How one piece of text or one picture was made: enough to credit it and re-run it."""

    id: str
    kind: Literal["text", "image"]
    engine: str
    model: str
    revision: str | None = None
    license: str | None = None
    settings: dict[str, Any] = Field(default_factory=dict)
    seed: int | None = None
    versions: dict[str, str] = Field(default_factory=dict)
    device: str = ""
    wall_s: float = 0.0
    tokens: int | None = None
    flops: float | None = None
    # estimated from wall time and the device class's typical draw (no meter needed)
    energy_wh: float | None = None
    # what the meter counted, when one ran (see Energy)
    energy: Energy | None = None
    created: str = ""
    prompt_hidden: bool = False
    # made by a random-weight offline test model: noise, and labelled so wherever it is shown
    test_model: bool = False
    # made on a model server: its URL (never with credentials) and the fingerprint it reported
    server: str | None = None
    fingerprint: str | None = None
    # the machine that made it when that was not the one running worldforge (a Ray worker)
    host: str | None = None


class TextCandidate(Frozen):
    """A continuation the model proposed for a scene; kept even when rejected."""

    text: str
    provenance: str
    status: Literal["pending", "accepted", "rejected", "branched"] = "pending"
    # generation broke off before it finished: the text is what arrived until then
    partial: bool = False


class Render(Frozen):
    """One rendered picture of a scene, stored content-addressed in images/."""

    image: str
    provenance: str
    seed: int | None = None

    @field_validator("image")
    @classmethod
    def _inside_images(cls, value: str) -> str:
        return check_image_path(value)


def check_image_path(value: str) -> str:
    """Image paths are relative to the story folder and stay inside images/; the file name
    holds no control characters (line breaks) and nothing that ends a link or a tag
    (`<`, `>`, quotes) in the formats it is written into."""
    parts = value.split("/")
    if (
        value.startswith(("/", "\\"))
        or "\\" in value
        or ":" in value
        or len(parts) != 2
        or parts[0] != "images"
        or parts[1] in ("", ".", "..")
        or any(c in '<>"`' or unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in value)
    ):
        raise ValueError(f"image path {value!r} must be 'images/<file>' inside the story folder")
    return value


class Scene(Strict):
    """One passage of the story, with its choices, pictures and history."""

    id: str
    title: str
    text: str = Field(default="", max_length=MAX_TEXT_CHARS)
    summary: str = ""
    tags: list[str] = Field(default_factory=list)
    links: list[Link] = Field(default_factory=list)
    image: str | None = None
    image_title: str = ""
    position: tuple[int, int] | None = None
    model_spans: list[tuple[int, int]] = Field(default_factory=list)
    candidates: list[TextCandidate] = Field(default_factory=list)
    renders: list[Render] = Field(default_factory=list)
    provenance: list[Provenance] = Field(default_factory=list)

    _check_scene_id = field_validator("id")(_check_id)

    @field_validator("image")
    @classmethod
    def _image_inside(cls, value: str | None) -> str | None:
        return None if value is None else check_image_path(value)

    def link_to(self, target: str) -> Link | None:
        return next((link for link in self.links if link.to == target), None)

    @property
    def picture_title(self) -> str:
        """The title the scene's pictures carry: its picture title, else its own, else its id."""
        return self.image_title or self.title or self.id


class LoreEntry(Strict):
    """A piece of world knowledge, inserted when its keys appear in the recent story."""

    id: str
    keys: list[str]
    secondary_keys: list[str] = Field(default_factory=list)
    text: str = ""
    visual: str = ""
    # a picture (images/<file>) the scenes that mention this entry are conditioned on
    # (IP-Adapter), at this strength, so a face or a machine looks the same in every scene
    reference: str | None = None
    reference_strength: float = Field(default=0.5, ge=0.0, le=1.0)

    _check_lore_id = field_validator("id")(_check_id)

    @field_validator("reference")
    @classmethod
    def _reference_inside(cls, value: str | None) -> str | None:
        return None if value is None else check_image_path(value)


class World(Strict):
    """What stays true across the story: the frame the models write and paint inside."""

    premise: str = ""
    memory: str = ""
    authors_note: str = ""
    authors_note_depth: int = Field(default=3, ge=0, le=100)
    style: list[str] = Field(default_factory=list)
    negative_prompt: str = ""


class TextDefaults(Strict):
    """The story's default generation settings (story.yaml `text_settings`); unset = engine's."""

    max_new_tokens: int | None = Field(default=None, ge=1, le=4096)
    temperature: float | None = Field(default=None, ge=0.0, le=5.0)
    top_p: float | None = Field(default=None, gt=0.0, le=1.0)
    top_k: int | None = Field(default=None, ge=0)
    repetition_penalty: float | None = Field(default=None, gt=0.0, le=10.0)
    seed: int | None = None
    candidates: int | None = Field(default=None, ge=1, le=16)
    stop: Literal["sentence", "paragraph", "tokens"] | None = None
    trim: bool | None = None

    def values(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)


class ImageDefaults(Strict):
    """The story's default picture settings (story.yaml `image_settings`); unset = engine's."""

    width: int | None = Field(default=None, ge=8, le=4096)
    height: int | None = Field(default=None, ge=8, le=4096)
    steps: int | None = Field(default=None, ge=1, le=500)
    guidance: float | None = Field(default=None, ge=0.0, le=50.0)
    scheduler: str | None = None
    negative_prompt: str | None = None
    seed: int | None = None
    candidates: int | None = Field(default=None, ge=1, le=16)
    strength: float | None = Field(default=None, gt=0.0, le=1.0)
    quality: Literal["draft", "final"] | None = None
    hide_prompt: bool | None = None
    preset: str | None = None

    def values(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)


class ModelChoice(Strict):
    # a model (preset, hub id, folder) or the URL of a completion server
    text: str | None = None
    image: str | None = None
    # the window of a text model server that does not say it (llama-cpp-python)
    text_window: int | None = Field(default=None, ge=16, le=1_048_576)


class StoryMeta(Strict):
    """Everything in story.yaml: the story without its scenes."""

    schema_version: int = SCHEMA_VERSION
    ifid: str = Field(default_factory=lambda: str(uuid.uuid4()).upper())
    title: str
    language: str = "en"
    author: str = ""
    start: str
    world: World = Field(default_factory=World)
    lore: list[LoreEntry] = Field(default_factory=list)
    models: ModelChoice = Field(default_factory=ModelChoice)
    text_settings: TextDefaults = Field(default_factory=TextDefaults)
    image_settings: ImageDefaults = Field(default_factory=ImageDefaults)
    reading_path: list[str] = Field(default_factory=list)

    @field_validator("ifid")
    @classmethod
    def _uuid(cls, value: str) -> str:
        try:
            uuid.UUID(value)
        except ValueError:
            raise ValueError(f"ifid {value!r} is not a UUID") from None
        return value.upper()

    _check_start = field_validator("start")(_check_id)


SceneState = tuple[object, ...]
_SCENE_FIELDS = tuple(Scene.model_fields)
_LIST_FIELDS = frozenset(n for n, info in Scene.model_fields.items() if get_origin(info.annotation) is list)


def scene_state(scene: Scene) -> SceneState:
    """A scene's field values by reference, lists as tuples: equal states are equal scenes.

    Taking it costs a few microseconds and no copy (strings are immutable and the records in
    the lists are frozen), so undo and saving can tell what changed in a story of thousands
    of scenes without serialising or copying any of it."""
    values = scene.__dict__
    return tuple(tuple(values[n]) if n in _LIST_FIELDS else values[n] for n in _SCENE_FIELDS)


def scene_from_state(state: SceneState) -> Scene:
    """The scene a state was taken of (its values were validated when they were set)."""
    values: dict[str, Any] = {
        n: list(v) if n in _LIST_FIELDS else v  # type: ignore[call-overload]
        for n, v in zip(_SCENE_FIELDS, state, strict=True)
    }
    return Scene.model_construct(_fields_set=set(values), **values)


class Story:
    """A story in memory: its metadata and its scenes by id (insertion-ordered)."""

    def __init__(self, meta: StoryMeta, scenes: dict[str, Scene] | None = None):
        self.meta = meta
        self.scenes: dict[str, Scene] = dict(scenes or {})

    @property
    def title(self) -> str:
        return self.meta.title

    @property
    def start(self) -> Scene | None:
        return self.scenes.get(self.meta.start)

    def scene(self, scene_id: str) -> Scene:
        try:
            return self.scenes[scene_id]
        except KeyError:
            raise KeyError(f"no scene {scene_id!r} in story {self.title!r}") from None

    def copy(self) -> Story:
        """An independent copy: scenes are rebuilt from their states (their records are frozen,
        so sharing them is safe), which is many times cheaper than a deep copy."""
        return Story(
            self.meta.model_copy(deep=True),
            {sid: scene_from_state(scene_state(s)) for sid, s in self.scenes.items()},
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Story) and self.meta == other.meta and self.scenes == other.scenes
