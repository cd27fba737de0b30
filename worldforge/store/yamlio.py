"""Reading YAML defensively and writing it deterministically.

Reading: size limit, UTF-8 only, no anchors or aliases (no alias bombs), safe loader only,
and errors that name the file and the line. Writing: keys in model order, multi-line text
as `|` block scalars, no flow style, `\n` line endings, so saves diff cleanly.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from worldforge.core.errors import StoryError

MAX_FILE_BYTES = 1024 * 1024
# libyaml's parser when present (much faster, same meaning); writing stays pure Python so the
# bytes on disk never depend on how PyYAML was built.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
T = TypeVar("T", bound=BaseModel)


@dataclass
class Parsed:
    """One YAML file's plain data; its node tree (for line numbers) only when an error needs it."""

    value: Any
    text: str

    @cached_property
    def node(self) -> yaml.Node | None:
        return yaml.compose(self.text, Loader=_Loader)


def parse_yaml(data: bytes, path: Path) -> Parsed:
    """Bytes of one YAML file -> its data (a story of thousands of scenes parses each file once)."""
    if len(data) > MAX_FILE_BYTES:
        raise StoryError(
            f"file is {len(data):,} bytes; the limit is {MAX_FILE_BYTES:,}. Is this really a story file?",
            path,
        )
    if not data.strip():
        raise StoryError("file is empty", path)
    if b"\x00" in data:
        raise StoryError("file is binary (contains NUL bytes), not YAML", path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line: int | None = data[: exc.start].count(b"\n") + 1
        raise StoryError(f"not valid UTF-8 (byte {exc.start})", path, line) from None
    try:
        # anchors and aliases need & and *: only files with one of them are looked at closely
        if "&" in text or "*" in text:
            for event in yaml.parse(text, Loader=_Loader):
                if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                    line = event.start_mark.line + 1 if event.start_mark else None
                    raise StoryError("YAML anchors and aliases are not allowed in story files", path, line)
        value = yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise StoryError(f"malformed YAML: {exc.problem or exc.context}", path, line) from None
    except yaml.YAMLError as exc:
        raise StoryError(f"malformed YAML: {exc}", path) from None
    return Parsed(value, text)


def line_of(node: yaml.Node | None, loc: tuple[Any, ...]) -> int | None:
    """The line of the deepest node along a pydantic error location."""
    line = node.start_mark.line + 1 if node is not None else None
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if k.value == key), None)
            if match is None:
                key_node = next((k for k, _ in node.value if k.value == key), None)
                return key_node.start_mark.line + 1 if key_node is not None else line
            node = match
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
        else:
            break
        line = node.start_mark.line + 1
    return line


def validate(model: type[T], parsed: Parsed, path: Path, value: Any = None) -> T:
    """`parsed` as a `model` (or `value`, the parsed data after a migration)."""
    value = parsed.value if value is None else value
    if not isinstance(value, dict):
        raise StoryError(f"expected a mapping of keys, found {type(value).__name__}", path, 1)
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(first["loc"])
        where = ".".join(str(x) for x in loc) or "(top level)"
        message = first["msg"]
        if first["type"] == "extra_forbidden":
            message = "unknown key (typo? a newer worldforge?)"
        more = len(exc.errors()) - 1
        suffix = f" (and {more} more problem{'s' * (more > 1)})" if more else ""
        raise StoryError(f"{where}: {message}{suffix}", path, line_of(parsed.node, loc)) from None


class _Dumper(yaml.SafeDumper):
    """Block style everywhere; multi-line strings as literal blocks."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _represent_tuple(dumper: yaml.SafeDumper, value: tuple[object, ...]) -> yaml.SequenceNode:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", list(value), flow_style=True)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(tuple, _represent_tuple)


def dump_yaml(value: dict[str, Any]) -> bytes:
    text = yaml.dump(
        value,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
        line_break="\n",
    )
    return text.encode("utf-8")


def dump_model(model: BaseModel) -> bytes:
    return dump_yaml(model.model_dump(mode="python", exclude_defaults=True))
