"""Who wrote which characters of a scene: the model or the human.

A scene keeps `model_spans`, the [start, end) ranges of its text that the model wrote. When
the human edits the text, a character diff against the old text carries the spans over:
characters the edit left untouched keep their author; anything inserted or replaced is the
human's. Pure functions over Scene; no model involved.
"""

from __future__ import annotations

from difflib import SequenceMatcher

from worldforge.core.model import Scene, Story

Spans = list[tuple[int, int]]


def spans_to_mask(spans: Spans, length: int) -> list[bool]:
    mask = [False] * length
    for start, end in spans:
        for i in range(max(start, 0), min(end, length)):
            mask[i] = True
    return mask


def mask_to_spans(mask: list[bool]) -> Spans:
    spans: Spans = []
    start = None
    for i, model in enumerate(mask):
        if model and start is None:
            start = i
        elif not model and start is not None:
            spans.append((start, i))
            start = None
    if start is not None:
        spans.append((start, len(mask)))
    return spans


def carry_spans(old_text: str, new_text: str, spans: Spans) -> Spans:
    """Model spans of `new_text`, given those of `old_text`."""
    old_mask = spans_to_mask(spans, len(old_text))
    # common prefix and suffix first: typical edits are small, and SequenceMatcher is
    # quadratic on what remains (autojunk off: at character level every letter is "popular")
    prefix = 0
    limit = min(len(old_text), len(new_text))
    while prefix < limit and old_text[prefix] == new_text[prefix]:
        prefix += 1
    suffix = 0
    while (
        suffix < limit - prefix
        and old_text[len(old_text) - 1 - suffix] == new_text[len(new_text) - 1 - suffix]
    ):
        suffix += 1
    new_mask = [False] * len(new_text)
    new_mask[:prefix] = old_mask[:prefix]
    if suffix:
        new_mask[len(new_text) - suffix:] = old_mask[len(old_text) - suffix:]
    old_mid = old_text[prefix:len(old_text) - suffix]
    new_mid = new_text[prefix:len(new_text) - suffix]
    matcher = SequenceMatcher(None, old_mid, new_mid, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            new_mask[prefix + j1:prefix + j2] = old_mask[prefix + i1:prefix + i2]
    return mask_to_spans(new_mask)


def edit_text(scene: Scene, new_text: str) -> None:
    """Replace the scene's text with the human's edit, keeping authorship right."""
    spans = carry_spans(scene.text, new_text, scene.model_spans)
    scene.text = new_text
    scene.model_spans = spans


def append_model_text(scene: Scene, text: str) -> None:
    """Append model-written text to the scene, continuing it exactly where the model did.

    Trailing whitespace of the scene is dropped first (the model saw the text without it);
    into an empty scene the text goes without its leading whitespace.
    """
    base = scene.text.rstrip()
    if not base:
        text = text.lstrip()
    edit_text(scene, base)
    start = len(base)
    scene.text = base + text
    scene.model_spans = _merge([*scene.model_spans, (start, start + len(text))])


def _merge(spans: Spans) -> Spans:
    merged: Spans = []
    for start, end in sorted(s for s in spans if s[1] > s[0]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def authorship_share(scene: Scene) -> tuple[int, int]:
    """(human characters, model characters) of the scene's text."""
    size = len(scene.text)
    model = sum(min(end, size) - start for start, end in scene.model_spans if start < size)
    return len(scene.text) - model, model


def story_authorship(story: Story) -> tuple[int, int]:
    """(human characters, model characters) over all scenes of the story."""
    human = model = 0
    for scene in story.scenes.values():
        h, m = authorship_share(scene)
        human, model = human + h, model + m
    return human, model
