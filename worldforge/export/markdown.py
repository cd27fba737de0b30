"""Markdown for notes apps: one .md file, pictures copied next to it into images/.

Pictures stay files (not embedded) because notes apps index and preview them that way; the
story's content-addressed names are kept, so exporting twice into one folder never clashes.
Headings carry explicit `<a id>` anchors, so "turn to 17" links work in any renderer that
keeps raw anchors (GitHub, Obsidian, Pandoc) whatever its heading-slug rules are. All story
text is backslash-escaped: markup a model wrote (`<script>`, `*`, `[x](y)`) stays literal.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from worldforge.export.book import Book, Chapter, Picture
from worldforge.store.atomic import write_atomic
from worldforge.store.guarded import write_inside

Progress = Callable[[int], None]
_ALWAYS = re.compile(r"([\\`*_\[\]<>&|~!])")
_LINE_START = re.compile(r"^(\s*)([#+\-=]|\d+[.)])")


def escape(text: str) -> str:
    """Text that renders as itself in CommonMark (inline and at a line start)."""
    lines = []
    for line in text.split("\n"):
        line = _ALWAYS.sub(r"\\\1", line.strip())
        lines.append(_LINE_START.sub(lambda m: m.group(1) + _escape_start(m.group(2)), line))
    return "\n".join(lines)


def _escape_start(mark: str) -> str:
    return mark[:-1] + "\\" + mark[-1] if mark[0].isdigit() else "\\" + mark


def _destination(path: str) -> str:
    """A link destination that cannot end early or start markup: percent-encoded."""
    return quote(path, safe="/")


def _figure(picture: Picture, show_prompts: bool) -> list[str]:
    title = escape(" ".join(picture.title.split()))
    if picture.image:
        out = [f"![{title}]({_destination(picture.image)})", "", f"*{title}*  ", escape(picture.credit)]
    else:
        out = ["> *no picture yet*", "", f"*{title}*"]
    if picture.prompt and show_prompts:
        out[-1] += "  "
        out.append("Prompt: " + escape(" ".join(picture.prompt.split())))
    return out


def _chapter(book: Book, ch: Chapter) -> list[str]:
    heading = f"{ch.number}. {escape(ch.title)}" if book.gamebook else escape(ch.title)
    out = [f'<a id="{ch.anchor}"></a>', "", f"## {heading}", "", *_figure(ch.picture, book.show_prompts), ""]
    for para in ch.paragraphs:
        out += ["\\\n".join(escape(line) for line in para), ""]
    if ch.authorship:
        out += [f"*{escape(ch.authorship)}*", ""]
    if book.gamebook:
        for choice in ch.choices:
            out.append(f"- {escape(choice.label)}: [turn to {choice.number}](#s-{choice.target})")
        if not ch.choices:
            out.append("*The end.*")
    else:
        out += [f"*▸ {escape(choice.label)}*" for choice in ch.choices]
        if not ch.scene.links:
            out.append("*The end.*")
    return [*out, ""]


def render_markdown(book: Book, progress: Progress | None = None) -> str:
    """The book as CommonMark text; pictures are referenced as `images/<file>`."""
    out = [f"# {escape(book.title)}", ""]
    if book.author:
        out += [f"*{escape(book.author)}*", ""]
    if book.gamebook:
        out += [f"*A gamebook: begin at [section 1](#{book.chapters[0].anchor}).*", ""]
    else:
        out += ["## Contents", ""]
        out += [f"{n}. [{escape(ch.title)}](#{ch.anchor})" for n, ch in enumerate(book.chapters, 1)]
        out.append("")
    for ch in book.chapters:
        out += ["---", "", *_chapter(book, ch)]
        if progress:
            progress(1)
    if book.has_world:
        out += ["---", "", "## The world", ""]
        out += [p for para in book.premise for p in ("\\\n".join(escape(x) for x in para), "")]
        for entry in book.lore:
            term = entry.keys[0] if entry.keys else entry.id
            out += [f"- **{escape(term)}**: {escape(' '.join((entry.text or entry.visual).split()))}"]
        out.append("")
    out += ["---", "", *_colophon(book)]
    return "\n".join(out).rstrip("\n") + "\n"


def _colophon(book: Book) -> list[str]:
    c = book.colophon
    out = [
        "## Colophon",
        "",
        f"{escape(book.title)} was written by {escape(book.author or 'its conductor')} "
        "together with generative models, and laid out by worldforge.",
        "",
    ]
    if c.models:
        out += ["| For | Model | Revision | License | Generations |", "| --- | --- | --- | --- | --- |"]
        for m in c.models:
            out.append(
                f"| {m.kind} | {escape(m.model)} | {escape(m.revision or 'unrecorded')} | "
                f"{escape(m.license or 'unrecorded')} | {m.generations} |"
            )
        out.append("")
    out += [f"{escape(r)}  " for r in c.references] + ([""] if c.references else [])
    out += [
        f"- Generations: {c.text_generations} text, {c.image_generations} image",
        f"- Compute: {c.flops_text} (estimated from model size and work done)",
        f"- Energy: {c.energy_text} (an estimate from wall time and a typical device power draw, "
        "not a measurement)",
        *(f"- {term}: {escape(text)}" for term, text in book.energy_rows),
        f"- Authorship: {c.share_text}",
        "",
        "The prompts of the pictures are printed under them, except those kept secret."
        if book.show_prompts
        else "The prompts of the pictures are kept by the conductor and are not printed.",
        "",
        f"IFID {book.ifid}",
    ]
    return out


def write_markdown(book: Book, out: Path, progress: Progress | None = None) -> None:
    """Write `out` and copy the book's pictures into `out`'s folder under images/."""
    text = render_markdown(book, progress)
    for picture in sorted({ch.picture.image for ch in book.chapters if ch.picture.image}):
        if not (out.parent / picture).exists():
            write_inside(out.parent, picture, book.image_bytes(picture))
    write_atomic(out, text.encode("utf-8"))
