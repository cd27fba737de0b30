"""Which lore entries the model should read now: those whose keys appear in the recent story.

As in KoboldAI's world info and NovelAI's lorebook: keys match case-insensitively as whole
words; an entry with secondary keys needs a primary AND a secondary key; inserted lore text
is scanned too, so lore can trigger other lore, up to a bounded depth.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from worldforge.core.model import LoreEntry


@lru_cache(maxsize=1024)
def _key_pattern(key: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)" + re.escape(key.strip()) + r"(?!\w)", re.IGNORECASE)


def find_key(keys: list[str], text: str) -> str | None:
    """The first key that appears in `text` as a whole word (or phrase), or None."""
    for key in keys:
        if key.strip() and _key_pattern(key).search(text):
            return key
    return None


@dataclass
class Triggered:
    entry: LoreEntry
    key: str
    secondary: str | None
    depth: int  # 0: found in the story; n: found in lore inserted at depth n-1
    source: str  # "story" or the id of the lore entry whose text triggered it


def trigger_lore(
    entries: list[LoreEntry], story_text: str, max_depth: int = 3
) -> tuple[list[Triggered], list[Triggered]]:
    """Entries triggered within `max_depth` rounds of recursion, in trigger order, and those
    that only a deeper round would have reached (so a report can say why they are missing).

    Each round scans the story text plus all lore inserted so far, so a primary key in the
    story and a secondary key in inserted lore together trigger an entry.
    """
    found: list[Triggered] = []
    scan = story_text
    inserted: list[LoreEntry] = []
    for depth in range(max_depth + 2):
        fresh = []
        for entry in entries:
            if any(t.entry.id == entry.id for t in found):
                continue
            hit = match_entry(entry, scan)
            if hit is not None:
                fresh.append(Triggered(entry, hit[0], hit[1], depth, _source(hit[0], story_text, inserted)))
        if not fresh:
            break
        if depth > max_depth:
            return found, fresh
        found.extend(fresh)
        inserted.extend(t.entry for t in fresh)
        scan += "\n" + "\n".join(t.entry.text for t in fresh)
    return found, []


def _source(key: str, story_text: str, inserted: list[LoreEntry]) -> str:
    if find_key([key], story_text):
        return "story"
    return next((e.id for e in inserted if find_key([key], e.text)), "story")


def match_entry(entry: LoreEntry, text: str) -> tuple[str, str | None] | None:
    """The key (and secondary key, where the entry has any) that make `text` trigger `entry`."""
    key = find_key(entry.keys, text)
    if key is None:
        return None
    if not entry.secondary_keys:
        return key, None
    secondary = find_key(entry.secondary_keys, text)
    return None if secondary is None else (key, secondary)
