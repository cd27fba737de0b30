"""The image prompt of a scene ("promptism"): the whole of it, in the order of what it means.

A prompt is a list of pieces: the scene's visual summary (what is in the picture), the
visual descriptors of the lore entries the scene mentions (so a character looks the same
in every scene), the world's style keywords, and the chosen preset's keywords. Nothing is
cut: CLIP reads 77 tokens at a time (75 and two markers), so a longer prompt is encoded in
75-token chunks that are joined, as AUTOMATIC1111 and InvokeAI do. The chunks are split as
compel splits them (at the last full stop, else comma, else word end that fits), so the
report shows exactly what each chunk holds. Any piece may carry weights (see
`worldforge.core.prompt_syntax`); a malformed one is an error that names the piece.

Token counts are exact when a tokenizer is given (the engine's own, or CLIP's built from
its vocabulary), else approximated.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from worldforge.core.model import LoreEntry, Scene, Story
from worldforge.core.prompt_syntax import format_weight, parse_prompt
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

# text -> its tokens as the tokenizer writes them ("cha</w>": the end of a word), no markers
Tokenizer = Callable[[str], list[str]]

_CLIP_WORDS = re.compile(r"[^\W\d_]+|\d|[^\w\s]")
_SENTENCE_END = ".</w>"
_PHRASE_ENDS = frozenset({".</w>", ",</w>", ";</w>", ":</w>"})


def approx_clip_token_list(text: str) -> list[str]:
    """CLIP BPE without the vocabulary: a common word is one token, a long one several,
    each digit and punctuation mark one. Close for English prompts, never exact."""
    out: list[str] = []
    for match in _CLIP_WORDS.finditer(text.lower()):
        word = match.group()
        parts = 1 + (len(word) - 1) // 7 if word.isalpha() else 1
        out += [word[i * 7 : (i + 1) * 7] for i in range(parts - 1)] + [word[(parts - 1) * 7 :] + "</w>"]
    return out


def approx_clip_tokens(text: str) -> int:
    return len(approx_clip_token_list(text))


def chunk_tokens(tokens: list[str], size: int = CLIP_CONTENT_TOKENS) -> list[list[str]]:
    """`tokens` in chunks of at most `size`, split where compel splits a long prompt: after
    the last full stop that fits, else the last comma (or ; :), else the last word end."""
    chunks: list[list[str]] = []
    rest = tokens
    while True:
        cut = _split_point(rest, size)
        chunks.append(rest[:cut])
        rest = rest[cut:]
        if not rest:
            return chunks


def _split_point(tokens: list[str], size: int) -> int:
    if len(tokens) <= size:
        return size
    head = tokens[:size]
    rules: tuple[Callable[[str], bool], ...] = (
        lambda t: t == _SENTENCE_END,
        lambda t: t in _PHRASE_ENDS,
        lambda t: t.endswith("</w>"),
    )
    for rule in rules:
        for index in range(len(head) - 1, -1, -1):
            if rule(head[index]):
                return index + 1
    return size


@dataclass
class PromptPiece:
    """One contribution to the prompt (as written, weights and all) and where it came from."""

    source: str  # "summary", "lore:<id>", "style", "preset:<name>"
    text: str
    tokens: int = 0
    weights: tuple[float, ...] = (1.0,)
    # the 1-based chunks its tokens fall in
    chunks: tuple[int, ...] = ()

    @property
    def weight_label(self) -> str:
        return "/".join(format_weight(w) for w in self.weights)


@dataclass
class PromptChunk:
    """One 75-token window of the encoded prompt: its tokens and whose they are."""

    tokens: list[str]
    sources: list[str]


@dataclass
class PromptReport:
    prompt: str
    negative: str
    pieces: list[PromptPiece] = field(default_factory=list)
    chunks: list[PromptChunk] = field(default_factory=list)
    tokens: int = 0
    negative_tokens: int = 0
    negative_chunks: int = 1
    limit: int = CLIP_CONTENT_TOKENS
    counter: str = "approximate"
    preset: str | None = None

    def lines(self) -> list[str]:
        """The report as text: every piece with its exact tokens and weights, each chunk,
        then the prompt as written and the negative prompt."""
        out = [f"{'tokens':>6}  {'weight':<8} {'chunk':<6} {'source':<20} piece"]
        for piece in self.pieces:
            where = ",".join(str(c) for c in piece.chunks)
            out.append(
                f"{piece.tokens:>6}  {piece.weight_label:<8} {where:<6} {piece.source:<20} {piece.text}"
            )
        out.append(
            f"prompt: {self.tokens} tokens in {len(self.chunks)} chunk(s) of {self.limit} ({self.counter} count); "
            "nothing is cut"
        )
        for number, chunk in enumerate(self.chunks, start=1):
            out.append(f"chunk {number}: {len(chunk.tokens)} tokens: {', '.join(chunk.sources)}")
        out.append(f"prompt: {self.prompt}")
        out.append(
            f"negative ({self.negative_tokens} tokens, padded to {max(len(self.chunks), self.negative_chunks)} "
            f"chunk(s)): {self.negative or '-'}"
        )
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


def _pieces(story: Story, scene: Scene, preset: StylePreset | None) -> list[PromptPiece]:
    """Every piece in the order of what it means: what the picture shows, who and where,
    then the world's look and the preset's; the world's style always goes in."""
    subject = visual_summary(scene)
    pieces = [PromptPiece("summary", preset.frame(subject) if preset else subject)]
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
            PromptPiece(f"preset:{preset.name}", preset.weighted(w))
            for w in preset.keywords
            if w.casefold() not in taken
        ]
    return pieces


_WHERE = {"summary": "the scene's summary", "style": "the world's style", "negative": "the negative prompt"}


def _where(source: str) -> str:
    kind, _, name = source.partition(":")
    if kind == "lore":
        return f"lore entry {name!r} visual"
    if kind == "preset":
        return f"style preset {name!r}"
    return _WHERE.get(source, source)


def _token_sections(pieces: list[PromptPiece], tokenize: Tokenizer) -> list[list[tuple[str, int]]]:
    """The prompt's tokens, each with the index of its piece, one list per BREAK section:
    each weighted fragment tokenized on its own, as compel does."""
    separator = tokenize(SEPARATOR)
    sections: list[list[tuple[str, int]]] = [[]]
    for index, piece in enumerate(pieces):
        parsed = parse_prompt(piece.text, _where(piece.source))
        if index:
            sections[-1] += [(token, index - 1) for token in separator]
        weights: list[float] = []
        count = 0
        for number, section in enumerate(parsed.sections):
            if number:
                sections.append([])
            for fragment in section:
                tokens = tokenize(fragment.text)
                sections[-1] += [(token, index) for token in tokens]
                count += len(tokens)
                if fragment.weight not in weights:
                    weights.append(fragment.weight)
        piece.tokens = count
        piece.weights = tuple(weights) or (1.0,)
    return sections


def _chunks(pieces: list[PromptPiece], sections: list[list[tuple[str, int]]], size: int) -> list[PromptChunk]:
    chunks: list[PromptChunk] = []
    for section in sections:
        owners = [owner for _, owner in section]
        start = 0
        for tokens in chunk_tokens([token for token, _ in section], size):
            mine = owners[start : start + len(tokens)]
            start += len(tokens)
            sources = dict.fromkeys(pieces[i].source for i in mine)
            chunks.append(PromptChunk(tokens, list(sources)))
            for i in dict.fromkeys(mine):
                pieces[i].chunks = (*pieces[i].chunks, len(chunks))
    return chunks


def compose_image_prompt(
    story: Story,
    scene: Scene,
    preset: StylePreset | None = None,
    tokenize: Tokenizer | None = None,
    limit: int = CLIP_CONTENT_TOKENS,
    extra_negative: str = "",
) -> PromptReport:
    """The scene's whole prompt and negative prompt, each piece's exact tokens and weights,
    and the `limit`-token chunks they are encoded in. A malformed weight in any piece raises
    a PromptSyntaxError naming the piece and the column."""
    count = tokenize or approx_clip_token_list
    pieces = _pieces(story, scene, preset)
    sections = _token_sections(pieces, count)
    chunks = _chunks(pieces, sections, limit)

    negative_words = _keywords(story.meta.world.negative_prompt)
    negative_words += preset.negative if preset else []
    negative_words += _keywords(extra_negative)
    negative = SEPARATOR.join(_unique(negative_words))
    negative_sections = [
        [t for t, _ in s] for s in _token_sections([PromptPiece("negative", negative)], count)
    ]
    return PromptReport(
        prompt=SEPARATOR.join(p.text for p in pieces),
        negative=negative,
        pieces=pieces,
        chunks=chunks,
        tokens=sum(len(c.tokens) for c in chunks),
        negative_tokens=sum(len(s) for s in negative_sections),
        negative_chunks=sum(len(chunk_tokens(s, limit)) for s in negative_sections),
        limit=limit,
        counter="approximate" if tokenize is None else "exact",
        preset=preset.name if preset else None,
    )
