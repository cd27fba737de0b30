"""Who wrote what: character spans written by the model, kept right through human edits.

A span stays "model" only where the characters are the model's own, untouched. Anything the
human types, pastes or retypes is human. Edits are located with a character diff; the common
prefix and suffix are cut first so a keystroke costs almost nothing on long scenes.
"""

from __future__ import annotations

from difflib import SequenceMatcher

from worldforge.core.model import Scene, Story

Spans = list[tuple[int, int]]


def normalize(spans: Spans) -> Spans:
    """Sorted, non-empty, non-overlapping, adjacent spans merged."""
    out: Spans = []
    for start, end in sorted(s for s in spans if s[1] > s[0]):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def _carry(spans: Spans, lo: int, hi: int, shift: int) -> Spans:
    """The parts of `spans` inside [lo, hi), moved by `shift`."""
    return [(max(s, lo) + shift, min(e, hi) + shift) for s, e in spans if s < hi and e > lo]


def spans_after_edit(old: str, spans: Spans, new: str) -> Spans:
    """Model spans of `new`, given `old` text, its model spans, and the edited text."""
    if old == new:
        return normalize(spans)
    prefix = 0
    limit = min(len(old), len(new))
    while prefix < limit and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and old[-1 - suffix] == new[-1 - suffix]:
        suffix += 1
    kept = _carry(spans, 0, prefix, 0)
    kept += _carry(spans, len(old) - suffix, len(old), len(new) - len(old))
    middle_old = old[prefix : len(old) - suffix]
    middle_new = new[prefix : len(new) - suffix]
    if middle_old and middle_new:
        matcher = SequenceMatcher(None, middle_old, middle_new, autojunk=False)
        for tag, i1, i2, j1, _j2 in matcher.get_opcodes():
            if tag == "equal":
                kept += _carry(spans, prefix + i1, prefix + i2, j1 - i1)
    return normalize(kept)


def edit_text(scene: Scene, new_text: str) -> None:
    """Replace a scene's text as a human edit, keeping the model spans right."""
    scene.model_spans = spans_after_edit(scene.text, list(scene.model_spans), new_text)
    scene.text = new_text


def append_model_text(scene: Scene, addition: str) -> None:
    """Append text the model wrote (an accepted candidate)."""
    start = len(scene.text)
    scene.text = scene.text + addition
    scene.model_spans = normalize([*scene.model_spans, (start, start + len(addition))])


def authorship_share(scene: Scene) -> tuple[int, int]:
    """(human characters, model characters) of the scene's current text."""
    model = sum(min(e, len(scene.text)) - s for s, e in scene.model_spans if s < len(scene.text))
    return len(scene.text) - model, model


def story_authorship(story: Story) -> tuple[int, int]:
    """(human characters, model characters) over all scenes of the story."""
    human = model = 0
    for scene in story.scenes.values():
        h, m = authorship_share(scene)
        human, model = human + h, model + m
    return human, model
