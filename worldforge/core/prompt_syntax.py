"""Prompt weights as writers bring them from other tools, read into one form.

Accepted, and mixed freely:
- AUTOMATIC1111: `(words)` x1.1, `((words))` x1.21, `[words]` /1.1, `(words:1.3)` x1.3, `\\(`
  `\\)` `\\[` `\\]` `\\\\` for the characters themselves, `BREAK` to start a new 77-token chunk;
- compel: `word++` / `word--` (x1.1 / x0.9 per sign), `(words)++`, `(words)1.3`.

The prompt is kept as written everywhere it is recorded (provenance, the A1111 `parameters`
chunk, which A1111 and sd-parsers read back); `to_compel` gives the form the text encoder
gets. Unlike A1111, which reads a stray bracket as text and a malformed weight as words, a
mistake here is an error that says where it is: a weight silently ignored is worse than one
refused, since the picture would quietly not be what the writer asked for.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from worldforge.core.errors import StoryError

UP = 1.1  # A1111's `(...)` and compel's `+`
DOWN_A1111 = 1 / 1.1  # A1111's `[...]`
DOWN_COMPEL = 0.9  # compel's `-`
MAX_WEIGHT = 10.0
BREAK = "BREAK"

_BREAK = re.compile(r"\bBREAK\b")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
# what follows a group or a word as compel's weight: signs, or a number right after `)`
_SIGNS = re.compile(r"(\++|-+)(?=[\s,.;:!?)\]]|$)")
_WORD_TAIL = re.compile(r"[^\s,.;:!?()\[\]\\+-]+$")


class PromptSyntaxError(StoryError, ValueError):
    """A weight or bracket that cannot be read, with where it is (piece and column)."""

    def __init__(self, message: str, where: str, text: str, column: int):
        self.where = where
        self.column = column
        excerpt = text[max(0, column - 16) : column + 16]
        super().__init__(f"{where}, column {column + 1}: {message} (near {excerpt!r})")


@dataclass(frozen=True)
class Fragment:
    """A run of prompt text with one weight (1.0: as written, unweighted)."""

    text: str
    weight: float = 1.0


@dataclass(frozen=True)
class ParsedPrompt:
    """The prompt as weighted fragments, one tuple of them per BREAK-separated section."""

    sections: tuple[tuple[Fragment, ...], ...]

    @property
    def fragments(self) -> tuple[Fragment, ...]:
        return tuple(f for section in self.sections for f in section)

    @property
    def weighted(self) -> bool:
        return any(f.weight != 1.0 for f in self.fragments) or len(self.sections) > 1

    def plain(self) -> str:
        """The words without any weight syntax (what a reader sees)."""
        return " ".join("".join(f.text for f in section).strip() for section in self.sections).strip()

    def to_compel(self) -> str:
        """The same prompt in compel's syntax: `(text)1.21` for a weight, a BREAK as `.and()`."""
        parts = [_compel_section(section) for section in self.sections]
        if len(parts) == 1:
            return parts[0]
        quoted = ", ".join('"' + p.replace("\\", "\\\\").replace('"', '\\"') + '"' for p in parts)
        return f"({quoted}).and()"


def _escape(text: str) -> str:
    return re.sub(r'([\\()\[\]"])', r"\\\1", text)


def _compel_section(fragments: tuple[Fragment, ...]) -> str:
    out = []
    for fragment in fragments:
        if fragment.weight == 1.0:
            out.append(_escape(fragment.text))
            continue
        # compel reads leading/trailing spaces inside a group as part of it: keep them outside
        stripped = fragment.text.strip()
        lead = fragment.text[: len(fragment.text) - len(fragment.text.lstrip())]
        trail = fragment.text[len(fragment.text.rstrip()) :]
        out.append(f"{lead}({_escape(stripped)}){format_weight(fragment.weight)}{trail}")
    return "".join(out)


def format_weight(weight: float) -> str:
    """A weight as short as it is exact to four places: 1.1, 1.21, 0.9091."""
    return f"{round(weight, 4):g}"


class _Parser:
    def __init__(self, text: str, where: str, begin: int, end: int):
        self.text = text
        self.where = where
        self.begin = begin
        self.end = end
        self.out: list[list[str | float]] = []  # [text, weight] pairs, weights multiplied in place
        self.open: list[tuple[str, int, int]] = []  # (bracket, column, index into out)

    def fail(self, message: str, column: int) -> PromptSyntaxError:
        return PromptSyntaxError(message, self.where, self.text, column)

    def add(self, text: str) -> None:
        if text:
            self.out.append([text, 1.0])

    def scale(self, start: int, factor: float, column: int) -> None:
        for pair in self.out[start:]:
            weight = float(pair[1]) * factor
            if weight > MAX_WEIGHT:
                raise self.fail(f"weight {format_weight(weight)} is above {MAX_WEIGHT:g}", column)
            pair[1] = weight

    def compel_suffix(self, i: int, start: int) -> int:
        """Apply compel's `++`/`--`/number after position i to out[start:]; the new i."""
        text = self.text
        signs = _SIGNS.match(text, i, self.end)
        if signs:
            run = signs.group(1)
            factor = (UP if run[0] == "+" else DOWN_COMPEL) ** len(run)
            self.scale(start, factor, i)
            return signs.end()
        number = _NUMBER.match(text, i, self.end)
        if number and (number.end() == self.end or not text[number.end()].isalnum()):
            self.scale(start, self.weight(number.group(), i), i)
            return number.end()
        return i

    def weight(self, literal: str, column: int) -> float:
        try:
            value = float(literal)
        except ValueError:
            raise self.fail(f"weight {literal!r} is not a number", column) from None
        if not math.isfinite(value) or value < 0:
            raise self.fail(f"weight {literal} must be a number from 0 to {MAX_WEIGHT:g}", column)
        if value > MAX_WEIGHT:
            raise self.fail(f"weight {literal} is above {MAX_WEIGHT:g}", column)
        return value

    def close_round(self, i: int) -> int:
        """At a `)`: the group's weight, A1111's `:w` inside or compel's suffix after."""
        if not self.open or self.open[-1][0] != "(":
            raise self.fail("')' closes nothing" if not self.open else "')' closes a '['", i)
        _, column, start = self.open.pop()
        # A1111's `(words:1.3)`: the weight is the text after the group's last colon
        inner = "".join(str(p[0]) for p in self.out[start:])
        colon = inner.rfind(":")
        if colon >= 0 and self._looks_like_weight(inner[colon + 1 :]):
            literal = inner[colon + 1 :].strip()
            if not literal:
                raise self.fail("'(words:)' has no weight after the colon", i)
            at = i - (len(inner) - colon - 1)
            value = self.weight(literal, at)
            self._drop_tail(start, len(inner) - colon)
            self.scale(start, value, at)
            return i + 1
        after = self.compel_suffix(i + 1, start)
        if after == i + 1:
            self.scale(start, UP, i)
        return after

    @staticmethod
    def _looks_like_weight(tail: str) -> bool:
        # "(portrait: a woman)" is text with a colon; "(face:1.3)", "(face:1,3)" and "(face:)"
        # are weights, or broken ones
        tail = tail.strip()
        return not tail or tail[0].isdigit() or tail[0] in "+-."

    def _drop_tail(self, start: int, count: int) -> None:
        """Remove the last `count` characters of out[start:] (the `:weight` of a group)."""
        while count and len(self.out) > start:
            text = str(self.out[-1][0])
            if len(text) <= count:
                count -= len(text)
                self.out.pop()
            else:
                self.out[-1][0] = text[:-count]
                count = 0

    def run(self) -> list[list[str | float]]:
        text, i, end = self.text, self.begin, self.end
        while i < end:
            char = text[i]
            if char == "\\" and i + 1 < end and text[i + 1] in "\\()[]":
                self.add(text[i + 1])
                i += 2
            elif char in "([":
                self.open.append((char, i, len(self.out)))
                i += 1
            elif char == ")":
                i = self.close_round(i)
            elif char == "]":
                if not self.open or self.open[-1][0] != "[":
                    raise self.fail("']' closes nothing" if not self.open else "']' closes a '('", i)
                self.scale(self.open.pop()[2], DOWN_A1111, i)
                i += 1
            elif char in "+-" and _SIGNS.match(text, i, end) and self._after_word():
                i = self._word_suffix(i)
            else:
                j = i + 1
                while j < end and text[j] not in "\\()[]+-":
                    j += 1
                self.add(text[i:j])
                i = j
        if self.open:
            bracket, column, _ = self.open[-1]
            raise self.fail(f"'{bracket}' is never closed", column)
        return self.out

    def _after_word(self) -> bool:
        return bool(self.out) and bool(_WORD_TAIL.search(str(self.out[-1][0])))

    def _word_suffix(self, i: int) -> int:
        """compel's `word++`: split the last word off into its own fragment and weight it."""
        last = str(self.out[-1][0])
        word = _WORD_TAIL.search(last)
        assert word is not None
        self.out[-1][0] = last[: word.start()]
        if not self.out[-1][0]:
            self.out.pop()
        start = len(self.out)
        self.out.append([word.group(), 1.0])
        return self.compel_suffix(i, start)


def _merge(pairs: list[list[str | float]]) -> tuple[Fragment, ...]:
    """Neighbours of one weight joined (as A1111 does), the section's outer spaces dropped."""
    merged: list[Fragment] = []
    for text, weight in pairs:
        if merged and merged[-1].weight == weight:
            merged[-1] = Fragment(merged[-1].text + str(text), float(weight))
        else:
            merged.append(Fragment(str(text), float(weight)))
    if merged:
        merged[0] = Fragment(merged[0].text.lstrip(), merged[0].weight)
        merged[-1] = Fragment(merged[-1].text.rstrip(), merged[-1].weight)
    return tuple(f for f in merged if f.text)


def parse_prompt(text: str, where: str = "prompt") -> ParsedPrompt:
    """The weighted fragments of `text`; a PromptSyntaxError names `where` and the column."""
    sections: list[tuple[Fragment, ...]] = []
    offset = 0
    for match in [*_BREAK.finditer(text), None]:
        end = match.start() if match else len(text)
        section = _merge(_Parser(text, where, offset, end).run())
        if section:
            sections.append(section)
        offset = match.end() if match else end
    return ParsedPrompt(tuple(sections) or ((),))


def check_prompt(text: str, where: str) -> None:
    """Raise a PromptSyntaxError if `text` has a malformed weight or bracket."""
    parse_prompt(text, where)
