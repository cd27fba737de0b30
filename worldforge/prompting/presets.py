"""Style presets: named bundles of prompt keywords, a negative prompt and a template.

Built-in presets ship as package data in worldforge/prompts/styles/*.yaml (the top-level
prompts/ folder of the repository is a link to it: one source of truth). Users add or
override presets with YAML files in their presets folder (see `worldforge.locations`). A broken
user file is reported, never fatal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from worldforge.core.errors import StoryError
from worldforge.core.prompt_syntax import format_weight, parse_prompt
from worldforge.locations import user_presets_dir
from worldforge.store.guarded import read_regular

NAME_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,63}$"
MAX_PRESET_BYTES = 64 * 1024


class StylePreset(BaseModel):
    """One style: what it adds to the prompt and what it asks the model to avoid."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=NAME_PATTERN)
    description: str = ""
    # how the scene's visual summary is framed; must contain {subject}
    template: str = "{subject}"
    keywords: list[str] = Field(default_factory=list)
    # how strongly its keywords count against the scene's own words (1: as written)
    weight: float = Field(default=1.0, ge=0.0, le=2.0)
    negative: list[str] = Field(default_factory=list)
    # notes such as an artist's dates and public-domain status
    note: str = ""
    # where it came from: "built-in" or the user file's path (not read from YAML)
    source: str = Field(default="built-in", exclude=True)

    @field_validator("template")
    @classmethod
    def _has_subject(cls, value: str) -> str:
        """Exactly `{subject}` and no other braces: a preset file is shared like a story, and
        a format field such as `{subject.__class__}` or `{subject:>1000000000}` would leak
        object internals or allocate a gigabyte if templates went through str.format."""
        if "{subject}" not in value:
            raise ValueError("template must contain {subject}")
        if "{" in value.replace("{subject}", "") or "}" in value.replace("{subject}", ""):
            raise ValueError("template may use only the {subject} placeholder (no other braces)")
        parse_prompt(value.replace("{subject}", "subject"), "template")
        return value

    @field_validator("keywords", "negative")
    @classmethod
    def _weights_readable(cls, value: list[str]) -> list[str]:
        """A malformed weight is refused when the preset is read, naming the keyword."""
        for number, keyword in enumerate(value, start=1):
            parse_prompt(keyword, f"keyword {number}")
        return value

    def frame(self, subject: str) -> str:
        return self.template.replace("{subject}", subject)

    def weighted(self, keyword: str) -> str:
        """A keyword with the preset's own weight, in A1111's syntax."""
        return keyword if self.weight == 1.0 else f"({keyword}:{format_weight(self.weight)})"


@dataclass
class PresetCatalog:
    presets: dict[str, StylePreset] = field(default_factory=dict)
    # "file: what is wrong" for each user preset that could not be read
    problems: list[str] = field(default_factory=list)

    def get(self, name: str) -> StylePreset:
        try:
            return self.presets[name]
        except KeyError:
            known = ", ".join(sorted(self.presets)) or "none"
            raise KeyError(f"no style preset {name!r}; known presets: {known}") from None


def parse_preset(text: str, default_name: str, source: str) -> StylePreset:
    """A preset from YAML text; raises ValueError with a readable message."""
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        raise ValueError(f"{where}not valid YAML ({getattr(exc, 'problem', exc)})") from None
    if not isinstance(value, dict):
        raise ValueError("a preset is a mapping with keywords, negative, template, description")
    value.setdefault("name", default_name)
    try:
        return StylePreset(**value, source=source)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ValueError(f"{where}: {first['msg'].removeprefix('Value error, ')}") from None


def builtin_presets() -> dict[str, StylePreset]:
    styles = resources.files("worldforge") / "prompts" / "styles"
    found: dict[str, StylePreset] = {}
    for entry in sorted(styles.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            preset = parse_preset(entry.read_text(encoding="utf-8"), entry.name[:-5], "built-in")
            found[preset.name] = preset
    return found


def load_presets(user_dir: Path | None = None) -> PresetCatalog:
    """Built-in presets, then the user's (a user preset replaces a built-in of the same name)."""
    catalog = PresetCatalog(builtin_presets())
    folder = user_dir if user_dir is not None else user_presets_dir()
    if not folder.is_dir():
        return catalog
    for path in sorted(folder.glob("*.yaml")):
        try:
            # a FIFO or device named *.yaml must not hang the studio: one guarded read
            data = read_regular(path, MAX_PRESET_BYTES, "preset file")
            preset = parse_preset(data.decode("utf-8"), path.stem, str(path))
        except StoryError as exc:
            catalog.problems.append(f"{path}: {exc.message}")
            continue
        except (UnicodeDecodeError, ValueError) as exc:
            catalog.problems.append(f"{path}: {exc}")
            continue
        catalog.presets[preset.name] = preset
    return catalog
