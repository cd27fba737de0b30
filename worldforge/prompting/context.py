"""What the language model reads: memory, triggered lore, the path of scenes, author's note.

KoboldAI and NovelAI are the anchors. The budget is exact: the model's window minus the
tokens to generate, counted with the engine's own tokenizer (passed in as `count_tokens`,
so this module never loads a model). Priorities when it does not all fit:

1. the most recent story text, up to a third of the budget, is reserved first;
2. then the author's note, the memory, and lore entries in trigger order. Each goes in
   whole, except the memory, which is trimmed to its leading whole sentences when it does
   not fit. Once a piece is cut or trimmed, every piece after it is cut too: a smaller,
   lower-priority piece never takes the room a higher one needed;
3. then older story text fills what is left, newest first; the scene that straddles the
   limit is trimmed at a word boundary, keeping its end; older scenes are cut.

Layout: memory, lore, then the story, with the author's note inserted `authors_note_depth`
lines before its end.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from worldforge.core.graph import StoryGraph
from worldforge.core.model import Story
from worldforge.prompting.lore import trigger_lore

CountTokens = Callable[[str], int]
Status = Literal["included", "trimmed", "cut"]
SCENE_JOIN = "\n\n"
PART_JOIN = "\n"
SENTENCE_START = re.compile(r"(?:\n|[.!?…][\"'”’)\]]*\s+)")


@dataclass
class ContextPiece:
    kind: Literal["memory", "lore", "scene", "authors_note"]
    name: str
    tokens: int  # tokens that went in (0 when cut)
    full_tokens: int
    status: Status
    reason: str = ""


@dataclass
class ContextReport:
    scene_id: str
    window: int
    max_new_tokens: int
    pieces: list[ContextPiece] = field(default_factory=list)
    context: str = ""
    tokens: int = 0
    # what a writer must know beyond the table, e.g. that the memory did not fit whole
    notes: list[str] = field(default_factory=list)

    @property
    def budget(self) -> int:
        return self.window - self.max_new_tokens

    def piece(self, kind: str, name: str) -> ContextPiece:
        return next(p for p in self.pieces if p.kind == kind and p.name == name)

    def included(self, kind: str | None = None) -> list[str]:
        return [p.name for p in self.pieces if p.status != "cut" and kind in (None, p.kind)]

    def lines(self) -> list[str]:
        head = (
            f"context for scene {self.scene_id!r}: {self.tokens} of {self.budget} tokens "
            f"(window {self.window} − {self.max_new_tokens} to generate)"
        )
        rows = [("kind", "name", "tokens", "status", "why")]
        for p in self.pieces:
            shown = f"{p.tokens}" if p.status == "included" else f"{p.tokens}/{p.full_tokens}"
            rows.append((p.kind, p.name, shown, p.status, p.reason))
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        body = [
            "  "
            + "  ".join(
                col.ljust(w) if i != 2 else col.rjust(w)
                for i, (col, w) in enumerate(zip(row[:4], widths, strict=True))
            )
            + ("  " + row[4] if row[4] else "")
            for row in rows
        ]
        return [head, *body, *(f"note: {note}" for note in self.notes)]

    def __str__(self) -> str:
        return "\n".join(self.lines())


def story_path_text(story: Story, scene_id: str) -> list[tuple[str, str]]:
    """(scene id, text) along the path from the start to `scene_id`, skipping empty scenes."""
    path = StoryGraph(story).ancestors_path(scene_id)
    return [(sid, story.scenes[sid].text.strip()) for sid in path if story.scenes[sid].text.strip()]


def assemble_context(
    story: Story,
    scene_id: str,
    count_tokens: CountTokens,
    window: int,
    max_new_tokens: int,
    *,
    lore_depth: int = 3,
    scan_chars: int = 2000,
) -> ContextReport:
    """Build the context for continuing `scene_id` and report what went in and why."""
    story.scene(scene_id)
    report = ContextReport(scene_id, window, max_new_tokens)
    budget = report.budget
    if budget < 1:
        raise ValueError(f"max_new_tokens {max_new_tokens} leaves no room in a {window}-token window")
    world = story.meta.world
    scenes = story_path_text(story, scene_id)
    full_story = SCENE_JOIN.join(text for _, text in scenes)
    triggered, beyond = trigger_lore(story.meta.lore, full_story[-scan_chars:], lore_depth)

    sep = count_tokens(PART_JOIN) if PART_JOIN else 0
    scene_tokens = [count_tokens(text) for _, text in scenes]
    floor = min(sum(scene_tokens), budget // 3)
    remaining = budget - floor

    # the pieces in priority order: author's note, memory, lore
    note = f"[Author's note: {world.authors_note.strip()}]" if world.authors_note.strip() else ""
    memory = world.memory.strip() or world.premise.strip()
    memory_name = "memory" if world.memory.strip() else "premise (no memory set)"
    wanted: list[tuple[ContextPiece, str]] = []
    if note:
        wanted.append((ContextPiece("authors_note", "author's note", 0, count_tokens(note), "cut"), note))
    if memory:
        wanted.append((ContextPiece("memory", memory_name, 0, count_tokens(memory), "cut"), memory))
    for t in triggered:
        how = f"key {t.key!r}" + (f" + {t.secondary!r}" if t.secondary else "")
        where = "in the story" if t.source == "story" else f"in lore {t.source!r} (depth {t.depth})"
        piece = ContextPiece("lore", t.entry.id, 0, count_tokens(t.entry.text), "cut", f"{how} {where}")
        wanted.append((piece, t.entry.text))
    kept, remaining = _fit_in_order(wanted, remaining, sep, count_tokens, report.notes)
    for t in beyond:
        why = f"key {t.key!r} only in lore deeper than depth {lore_depth}"
        wanted.append((ContextPiece("lore", t.entry.id, 0, count_tokens(t.entry.text), "cut", why), ""))

    story_budget = remaining + floor
    while True:
        story_pieces, story_text = _fit_story(scenes, scene_tokens, story_budget, count_tokens)
        story_with_note = _insert_note(
            story_text, note if "authors_note:author's note" in kept else "", world.authors_note_depth
        )
        parts = [kept[k] for k in kept if k.startswith(("memory:", "lore:"))]
        if story_with_note:
            parts.append(story_with_note)
        context = PART_JOIN.join(parts)
        total = count_tokens(context)
        if total <= budget or story_budget <= 0:
            break
        story_budget -= total - budget  # joins can merge or split tokens: shrink and refit
    if note and "authors_note:author's note" in kept:
        for piece, _ in wanted:
            if piece.kind == "authors_note":
                piece.reason = f"{world.authors_note_depth} lines before the end"
    report.pieces = _ordered([p for p, _ in wanted], story_pieces)
    report.context, report.tokens = context, total
    return report


def _fit_in_order(
    wanted: list[tuple[ContextPiece, str]], room: int, sep: int, count_tokens: CountTokens, notes: list[str]
) -> tuple[dict[str, str], int]:
    """Author's note, memory, lore, in that order, into `room` tokens: the texts that went
    in (by "kind:name") and the room left. The first piece that does not fit whole stops
    the rest, so a lower-priority piece never takes the room a higher one needed."""
    kept: dict[str, str] = {}
    short: ContextPiece | None = None
    for piece, text in wanted:
        if not text.strip():
            piece.reason = "empty"
            continue
        if short is not None:
            piece.reason = _why(piece.reason, f"lower priority than {_label(short)}, which did not fit whole")
            continue
        if piece.full_tokens + sep <= room:
            piece.status, piece.tokens = "included", piece.full_tokens
        elif piece.kind == "memory":
            text = _trim_memory(piece, text, room - sep, count_tokens, notes)
        else:
            piece.reason = _why(piece.reason, f"over budget ({room} left)")
        if piece.status != "included":
            short = piece
        if piece.status != "cut":
            room -= piece.tokens + sep
            kept[f"{piece.kind}:{piece.name}"] = text
    return kept, room


def _label(piece: ContextPiece) -> str:
    return f"lore {piece.name!r}" if piece.kind == "lore" else f"the {piece.name}"


def _why(reason: str, more: str) -> str:
    return f"{reason}; {more}" if reason else more


def _trim_memory(
    piece: ContextPiece, text: str, limit: int, count_tokens: CountTokens, notes: list[str]
) -> str:
    """The memory's leading whole sentences within `limit` tokens ("" when not even the first
    fits); the piece and the notes say what the model will not read."""
    head = _head_within(text, limit, count_tokens)
    sentences = len(_sentence_ends(text))
    if not head:
        piece.reason = _why(piece.reason, f"its first sentence alone is over budget ({limit} left)")
        notes.append(
            f"the {piece.name} is not in the context: not even its first sentence fits the {limit} tokens "
            "left for it. Shorten it, or use a model with a larger window."
        )
        return ""
    kept = len(_sentence_ends(head))
    piece.status, piece.tokens = "trimmed", count_tokens(head)
    piece.reason = _why(piece.reason, f"kept its first {kept} of {sentences} sentences")
    notes.append(
        f"the {piece.name} is trimmed to its first {kept} of {sentences} sentences "
        f"({piece.tokens} of {piece.full_tokens} tokens): the model does not read the rest, "
        "and no lore goes in after it."
    )
    return head


def _sentence_ends(text: str) -> list[int]:
    """Where each sentence of `text` ends, after its punctuation (the last at the end of the text)."""
    text = text.rstrip()
    ends = {len(text[: m.end()].rstrip()) for m in SENTENCE_START.finditer(text)}
    return sorted(end for end in ends if 0 < end < len(text)) + [len(text)]


def _head_within(text: str, limit: int, count_tokens: CountTokens) -> str:
    """The longest run of leading whole sentences of `text` within `limit` tokens."""
    if limit <= 0:
        return ""
    ends = _sentence_ends(text)
    lo, hi = 0, len(ends)  # binary search for how many sentences fit
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if count_tokens(text[: ends[mid - 1]]) <= limit:
            lo = mid
        else:
            hi = mid - 1
    return text[: ends[lo - 1]] if lo else ""


def _ordered(whole: list[ContextPiece], story: list[ContextPiece]) -> list[ContextPiece]:
    """Report order follows the layout: memory, lore, scenes, author's note."""
    rank = {"memory": 0, "lore": 1, "scene": 2, "authors_note": 3}
    return sorted([*whole, *story], key=lambda p: rank[p.kind])


def _fit_story(
    scenes: list[tuple[str, str]], tokens: list[int], budget: int, count_tokens: CountTokens
) -> tuple[list[ContextPiece], str]:
    """Newest scenes first; the one at the limit keeps its end; older ones are cut."""
    pieces: list[ContextPiece] = []
    texts: list[str] = []
    left = budget
    sep = count_tokens(SCENE_JOIN)
    for (sid, text), n in zip(reversed(scenes), reversed(tokens), strict=True):
        cost = n + (sep if texts else 0)
        if left <= 0:
            pieces.append(ContextPiece("scene", sid, 0, n, "cut", "older than what fits"))
        elif cost <= left:
            pieces.append(ContextPiece("scene", sid, n, n, "included"))
            texts.append(text)
            left -= cost
        else:
            tail = _tail_within(text, left - (sep if texts else 0), count_tokens)
            if tail:
                got = count_tokens(tail)
                pieces.append(ContextPiece("scene", sid, got, n, "trimmed", f"kept its last {got} tokens"))
                texts.append(tail)
            else:
                pieces.append(ContextPiece("scene", sid, 0, n, "cut", "no room left"))
            left = 0
    pieces.reverse()
    return pieces, SCENE_JOIN.join(reversed(texts))


def _tail_within(text: str, limit: int, count_tokens: CountTokens) -> str:
    """The longest end of `text` within `limit` tokens, starting at a word; moved on to the
    next sentence start when that loses less than half of it (a clean start reads better)."""
    if limit <= 0:
        return ""
    starts = [m.end() for m in re.finditer(r"\s+", text)]
    lo, hi = 0, len(starts)  # binary search for the earliest start that fits
    best = ""
    while lo < hi:
        mid = (lo + hi) // 2
        tail = text[starts[mid] :]
        if count_tokens(tail) <= limit:
            best, hi = tail, mid
        else:
            lo = mid + 1
    boundary = SENTENCE_START.search(best)
    if boundary and len(best) - boundary.end() >= len(best) / 2:
        return best[boundary.end() :]
    return best


def _insert_note(story_text: str, note: str, depth: int) -> str:
    if not note:
        return story_text
    if not story_text:
        return note
    lines = story_text.split("\n")
    at = max(len(lines) - depth, 0)
    return "\n".join([*lines[:at], note, *lines[at:]])
