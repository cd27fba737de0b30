"""Stop rules and trimming: where a candidate ends. Pure text functions, no model.

- "tokens": the candidate is exactly what the model produced (up to max_new_tokens or EOS).
- "sentence": generation runs to max_new_tokens (or EOS), then a dangling half sentence at
  the end is trimmed, so every candidate ends on a full sentence.
- "paragraph": generation stops at the first line break after some text; a candidate that
  ran out of tokens before one is trimmed back to its last full sentence.
Trimming never empties a candidate: without any sentence end, the text is kept whole.
"""

from __future__ import annotations

import re

from worldforge.engines.text.protocol import StopRule

# a sentence ends at . ! ? or … (optionally closed by quotes/brackets) followed by space or end
SENTENCE_END = re.compile(r"[.!?…]+[\"'”’»)\]]*(?=\s|$)")


def paragraph_break(text: str) -> int | None:
    """Index of the first line break that follows some non-blank text, or None."""
    seen_text = False
    for i, ch in enumerate(text):
        if ch == "\n" and seen_text:
            return i
        if not ch.isspace():
            seen_text = True
    return None


def trim_dangling(text: str) -> str:
    """Cut a trailing half sentence: keep up to the last sentence end or line break."""
    stripped = text.rstrip()
    ends = [m.end() for m in SENTENCE_END.finditer(stripped)]
    line = stripped.rfind("\n")
    if line > 0 and stripped[:line].strip():
        ends.append(line)
    cut = max(ends, default=0)
    if cut <= 0:
        return text
    return stripped[:cut].rstrip(" \t")


def stop_now(rule: StopRule, generated: str) -> bool:
    """Whether generation of this candidate should stop early (before max_new_tokens)."""
    return rule == "paragraph" and paragraph_break(generated) is not None


def finish(rule: StopRule, generated: str, trim: bool = True) -> str:
    """The candidate's final text under its stop rule."""
    if rule == "tokens":
        return generated
    if rule == "paragraph":
        cut = paragraph_break(generated)
        if cut is not None:
            return generated[:cut].rstrip(" \t")
    return trim_dangling(generated) if trim else generated
