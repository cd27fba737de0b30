"""The image prompt of a scene ("promptism"), built in the order that matters most.

A prompt is a list of pieces: the scene's visual summary (what is in the picture), the
visual descriptors of the lore entries the scene mentions (so a character looks the same
in every scene), the world's style keywords, and the chosen preset's keywords. CLIP reads
77 tokens, two of them markers; what does not fit is cut, lowest priority first, and the
report says so. Token counts come from the engine's own tokenizer when one is given, else
from an approximation of CLIP's BPE.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from worldforge.core.model import LoreEntry, Scene, Story
from worldforge.prompting.lore import match_entry
from worldforge.prompting.presets import StylePreset

CLIP_CONTENT_TOKENS = 75  # 77 minus <|startoftext|> and <|endoftext|>
SEPARATOR = ", "
SUMMARY_SENTENCES = 2
SUMMARY_WORDS = 40

_STOPWORD_TEXT = """a an the and or but of to in on at by for with from into onto upon as is are was
    were be been being am it its it's this that these those there here then than so very just
    also too has have had
    do does did will would shall should can could may might must i me my we us our you your he him
    his she her they them their which who whom whose what when where while if because about over
    under again further once only own same such no nor not now out up down off some any each few
    more most other all both"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())

TokenCounter = Callable[[str], int]

_CLIP_WORDS = re.compile(r"[^\W\d_]+|\d|[^\w\s]")


def approx_clip_tokens(text: str) -> int:
    """CLIP BPE without the vocabulary: a common word is one token, a long one several,
    each digit and punctuation mark one. Close for English prompts, never exact."""
    count = 0
    for match in _CLIP_WORDS.finditer(text.lower()):
        word = match.group()
        count += 1 + (len(word) - 1) // 7 if word.isalpha() else 1
    return count


@dataclass
class PromptPiece:
    """One contribution to the prompt, where it came from, and whether it made it in."""

    source: str  # "summary", "lore:<id>", "style", "preset:<name>"
    text: str
    tokens: int = 0
    kept: bool = True


@dataclass
class PromptReport:
    prompt: str
    negative: str
    pieces: list[PromptPiece] = field(default_factory=list)
    tokens: int = 0
    negative_tokens: int = 0
    limit: int = CLIP_CONTENT_TOKENS
    counter: str = "approximate"
    preset: str | None = None

    @property
    def cut(self) -> list[PromptPiece]:
        return [piece for piece in self.pieces if not piece.kept]

    def lines(self) -> list[str]:
        """The report as text: every piece with its tokens, then what was cut, then the prompt."""
        out = [f"{'tokens':>6}  {'source':<20} piece"]
        for piece in self.pieces:
            mark = "" if piece.kept else "  [cut]"
            out.append(f"{piece.tokens:>6}  {piece.source:<20} {piece.text}{mark}")
        out.append(f"prompt: {self.tokens}/{self.limit} tokens ({self.counter} count)")
        if self.cut:
            out.append(
                f"cut by the {self.limit + 2}-token CLIP limit: " + "; ".join(p.text for p in self.cut)
            )
        out.append(f"prompt: {self.prompt}")
        out.append(f"negative ({self.negative_tokens} tokens): {self.negative or '-'}")
        if self.negative_tokens > self.limit:
            out.append(f"negative prompt is over {self.limit} tokens: CLIP ignores the rest")
        return out


def condense(text: str, sentences: int = SUMMARY_SENTENCES, words: int = SUMMARY_WORDS) -> str:
    """The first sentences of `text`, without stopwords or quotes: a telegraphic picture."""
    flat = " ".join(text.split())
    parts = re.split(r"(?<=[.!?])\s+", flat)
    head = " ".join(parts[:sentences])
    kept = [w for w in re.findall(r"[\w'-]+", head) if w.lower().strip("'") not in STOPWORDS]
    return " ".join(kept[:words])


def visual_summary(scene: Scene) -> str:
    """What the picture shows: the scene's summary, else its text condensed, else its title."""
    return scene.summary.strip() or condense(scene.text) or scene.title


def triggered_lore(story: Story, scene: Scene) -> list[LoreEntry]:
    """Lore entries the scene mentions, by the same key rules as the text context's lore."""
    haystack = "\n".join((scene.title, scene.summary, scene.text))
    return [entry for entry in story.meta.lore if match_entry(entry, haystack)]


def _keywords(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _unique(items: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for item in items:
        if item.casefold() not in seen:
            seen.add(item.casefold())
            out.append(item)
    return out


def compose_image_prompt(
    story: Story,
    scene: Scene,
    preset: StylePreset | None = None,
    count_tokens: TokenCounter | None = None,
    limit: int = CLIP_CONTENT_TOKENS,
    extra_negative: str = "",
) -> PromptReport:
    """The scene's prompt and negative prompt within `limit` tokens, and how they were made.

    Pieces are taken in priority order (summary, lore visuals, world style, preset); a piece
    that does not fit in the room left is cut, and a smaller one after it may still fit. The
    summary keeps as many leading words, a lore visual as many leading comma-separated parts,
    as fit; the rest is reported as cut.
    """
    count = count_tokens or approx_clip_tokens
    subject = visual_summary(scene)
    frame = preset.frame if preset else (lambda s: s)
    pieces = [PromptPiece("summary", frame(subject))]
    pieces += [
        PromptPiece(f"lore:{e.id}", e.visual.strip())
        for e in triggered_lore(story, scene)
        if e.visual.strip()
    ]
    style = _unique(story.meta.world.style)
    pieces += [PromptPiece("style", word) for word in style]
    if preset:
        taken = {w.casefold() for w in style}
        pieces += [
            PromptPiece(f"preset:{preset.name}", w) for w in preset.keywords if w.casefold() not in taken
        ]

    kept: list[str] = []
    report_pieces: list[PromptPiece] = []

    def fits(text: str) -> bool:
        return count(SEPARATOR.join([*kept, text])) <= limit

    for piece in pieces:
        piece.tokens = count(piece.text)
        report_pieces.append(piece)
        if fits(piece.text):
            kept.append(piece.text)
            continue
        # what does not fit whole keeps its head: the summary word by word, a lore
        # descriptor by its comma-separated parts (the first ones say the most)
        if piece.source == "summary":
            parts, joiner, render = subject.split(), " ", lambda ps: frame(" ".join(ps))
        elif piece.source.startswith("lore:"):
            parts, joiner, render = _keywords(piece.text), SEPARATOR, SEPARATOR.join
        else:
            piece.kept = False
            continue
        keep = len(parts)
        while keep and not fits(render(parts[:keep])):
            keep -= 1
        if keep:
            piece.text = render(parts[:keep])
            piece.tokens = count(piece.text)
            kept.append(piece.text)
        else:
            piece.kept = False
        rest = joiner.join(parts[keep:])
        if keep and rest:
            report_pieces.append(PromptPiece(piece.source, rest, count(rest), kept=False))
        elif not keep:
            piece.text, piece.tokens = rest, count(rest)
    pieces = report_pieces

    negative_words = _keywords(story.meta.world.negative_prompt)
    negative_words += preset.negative if preset else []
    negative_words += _keywords(extra_negative)
    negative = SEPARATOR.join(_unique(negative_words))
    prompt = SEPARATOR.join(kept)
    return PromptReport(
        prompt=prompt,
        negative=negative,
        pieces=pieces,
        tokens=count(prompt),
        negative_tokens=count(negative),
        limit=limit,
        counter="approximate" if count_tokens is None else "tokenizer",
        preset=preset.name if preset else None,
    )
