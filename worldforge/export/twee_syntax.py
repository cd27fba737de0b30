"""Twee 3 notation: passage headers, escaping, content, and the link forms Twine knows.

Follows the Twee 3 specification (iftechfoundation/twine-specs): a header is `::`, a name,
an optional `[tag block]` and an optional `{JSON metadata}`; `[ ] { }` and `\\` in names and
tags are escaped with a backslash and any `\\x` decodes to `x`; trailing blank lines of a
passage are not part of it.

Story text reaches Twine as text. Harlowe (the story format of the export) runs HTML,
`<script>`, macros such as `(open-url:)`, variables and hooks found in a passage, and a model
or an imported file can write any of them; so every line of story text that holds a markup
character is wrapped in Harlowe's verbatim markup (backticks, more of them than the longest
run inside), which Harlowe shows literally with its HTML escaped. Lines of plain prose stay
as they are, readable in Twine's editor. Link labels get the same treatment; worldforge's
own `[[label->Target]]` links stay links. Older exports wrote a content line starting with
`::` with one more leading backslash, as other Twee tools do; that is still read.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

_HEADER_META = "[]{}\\"
_LINK = re.compile(r"\[\[((?:[^\]]|\](?!\]))+)\]\]")
_ESCAPED_HEADER_LINE = re.compile(r"^(\\*)::")
_LINK_LINE = re.compile(r"^\s*(?:\[\[(?:[^\]]|\](?!\]))+\]\]\s*)+$")
# what Harlowe or HTML may read as markup: tags and entities, links and hooks, macros,
# variables ($x, _x), styles ('' // * ^^ ~~), verbatim, escapes, and the line-start forms
# (heading, aligner, rule, numbered list, a `::` header)
_MARKUP = re.compile(r"[<>&\[\]{}()$_|`\\*^~]|''|//|^\s*(?:[#=:]|---|\d+\.)")
_TICKS = re.compile(r"`+")


def escape(value: str) -> str:
    """Escape a passage name or tag for a header."""
    return "".join("\\" + c if c in _HEADER_META else c for c in value)


def unescape(value: str) -> str:
    r"""Decode a name or tag: any `\x` yields `x`."""
    return re.sub(r"\\(.)", r"\1", value)


def literal(value: str) -> str:
    """`value` as Harlowe shows it literally: unchanged when it holds no markup, else in
    verbatim markup (whitespace at the ends stays outside, where Harlowe keeps it)."""
    core = value.strip()
    if not core or not _MARKUP.search(value):
        return value
    lead, trail = value[: len(value) - len(value.lstrip())], value[len(value.rstrip()) :]
    ticks = "`" * (max((len(run) for run in _TICKS.findall(core)), default=0) + 1)
    # Harlowe trims whitespace next to the marks: a space keeps a backtick at an end apart
    pad = " " if core[0] == "`" or core[-1] == "`" else ""
    return f"{lead}{ticks}{pad}{core}{pad}{ticks}{trail}"


def unliteral(value: str) -> str | None:
    """The text of a value written by `literal` in verbatim markup, else None."""
    core = value.strip()
    opening = _TICKS.match(core)
    if opening is None:
        return None
    ticks = opening.group()
    inner = core[len(ticks) : len(core) - len(ticks)]
    if len(core) <= 2 * len(ticks) or not core.endswith(ticks) or inner.endswith("`"):
        return None
    if any(len(run) >= len(ticks) for run in _TICKS.findall(inner)):
        return None  # several verbatim spans, not one written by `literal`
    if inner[:1] == " " and inner[-1:] == " " and "`" in (inner[1:2], inner[-2:-1]):
        inner = inner[1:-1]
    lead, trail = value[: len(value) - len(value.lstrip())], value[len(value.rstrip()) :]
    return lead + inner + trail


def escape_content(text: str) -> str:
    return "\n".join(literal(line) for line in text.split("\n"))


def unescape_content(text: str) -> str:
    return "\n".join(_unescape_line(line) for line in text.split("\n"))


def _unescape_line(line: str) -> str:
    text = unliteral(line)
    if text is not None:
        return text
    return line[1:] if line.startswith("\\") and _ESCAPED_HEADER_LINE.match(line) else line


@dataclass
class RawPassage:
    """A passage as written: decoded name and tags, metadata, content, where it starts."""

    name: str
    tags: list[str]
    metadata: dict[str, Any]
    body: str
    line: int
    problems: list[str] = field(default_factory=list)


def _scan(text: str, start: int, stop: str) -> int:
    """Index of the first unescaped character of `stop` at or after `start` (or len)."""
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] in stop:
            return i
        i += 1
    return len(text)


def load_json(text: str) -> Any:
    """JSON from a Twee file, every failure a ValueError with a short reason: besides bad
    syntax, nesting deeper than Python recurses and integers longer than it converts."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(exc.msg) from None
    except RecursionError:
        raise ValueError("nested too deeply") from None
    except ValueError as exc:  # an integer of thousands of digits
        raise ValueError(str(exc).split(";")[0]) from None


def parse_header(line: str, number: int) -> RawPassage:
    """One header line (starting with `::`) -> a passage with no content yet."""
    rest = line[2:]
    end = _scan(rest, 0, "[{")
    passage = RawPassage(unescape(rest[:end].strip()), [], {}, "", number)
    rest = rest[end:]
    if rest.startswith("["):
        close = _scan(rest, 1, "]")
        if close == len(rest):
            passage.problems.append("tag block is not closed with ']'")
        passage.tags = [unescape(tag) for tag in re.split(r"\s+", rest[1:close].strip()) if tag]
        rest = rest[close + 1 :].lstrip()
    if rest.startswith("{"):
        try:
            metadata = load_json(rest)
        except ValueError as exc:
            passage.problems.append(f"metadata is not valid JSON ({exc}); ignored")
        else:
            if isinstance(metadata, dict):
                passage.metadata = metadata
            else:
                passage.problems.append("metadata is not a JSON object; ignored")
    elif rest.strip():
        passage.problems.append(f"unexpected text after the passage name: {rest.strip()!r}")
    return passage


def parse_passages(text: str) -> list[RawPassage]:
    """Split a Twee 3 file into passages. Lines before the first header are not a passage."""
    text = text.removeprefix("\ufeff")
    passages: list[RawPassage] = []
    lines: list[str] = []

    def close() -> None:
        if passages:
            while lines and not lines[-1].strip():
                lines.pop()
            passages[-1].body = "\n".join(lines)
        lines.clear()

    for number, line in enumerate(text.split("\n"), 1):
        line = line.removesuffix("\r")
        if line.startswith("::"):
            close()
            passages.append(parse_header(line, number))
        else:
            lines.append(line)
    close()
    return passages


def format_header(name: str, tags: list[str], metadata: dict[str, Any] | None = None) -> str:
    header = f":: {escape(name)}"
    if tags:
        header += " [" + " ".join(escape(tag) for tag in tags) + "]"
    if metadata:
        header += " " + json.dumps(metadata, ensure_ascii=False, separators=(",", ":"))
    return header


def parse_link(inner: str) -> tuple[str, str]:
    """(label, target) of the inside of `[[...]]`, reading the forms Twine 2 reads:
    `label->Target` (rightmost arrow), `Target<-label` (leftmost arrow), `label|Target`,
    and `Target`; a Twine 1 setter `[[link][$x = 1]]` is dropped. An empty label means the
    link shows its target's name."""
    inner = inner.split("][", 1)[0]
    if "<-" in inner:
        target, label = inner.split("<-", 1)
    elif "->" in inner:
        label, target = inner.rsplit("->", 1)
    elif "|" in inner:
        label, target = inner.rsplit("|", 1)
    else:
        return "", inner.strip()
    label = label.strip()
    return unliteral(label) or label, target.strip()


def _markup_lines(body: str) -> list[str]:
    """The lines of a passage that Twine reads as markup (not written by `literal`)."""
    return [line for line in body.split("\n") if unliteral(line) is None]


def find_links(body: str) -> list[tuple[str, str]]:
    return [parse_link(m.group(1)) for line in _markup_lines(body) for m in _LINK.finditer(line)]


def text_without_links(body: str) -> str:
    """A passage's prose: the trailing lines that hold only links are the choices and are
    dropped; links inside sentences become their label (or target) as plain words."""
    lines = body.split("\n")
    while lines and (not lines[-1].strip() or _LINK_LINE.match(lines[-1])):
        lines.pop()

    def words(match: re.Match[str]) -> str:
        label, target = parse_link(match.group(1))
        return label or target

    return "\n".join(
        line if unliteral(line) is not None else _LINK.sub(words, line) for line in lines
    ).rstrip()


_UNSAFE_IN_LINKS = str.maketrans({"[": "(", "]": ")", "|": "/", "<": "‹", ">": "›"})


def link_safe(value: str, fallback: str) -> str:
    """A one-line version of `value` that cannot break link or header markup."""
    value = " ".join(value.split()).translate(_UNSAFE_IN_LINKS)
    return value or fallback


def format_link(label: str, target: str) -> str:
    return f"[[{literal(label)}->{target}]]" if label else f"[[{target}]]"
