"""One entry point for every format, for the CLI and the studio alike."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from worldforge.core.errors import StoryError
from worldforge.export.book import Book, build_book
from worldforge.export.epub import write_epub
from worldforge.export.html import write_html
from worldforge.export.markdown import write_markdown
from worldforge.export.pdf import write_pdf
from worldforge.export.twee import export_twee
from worldforge.store import StoryFolder
from worldforge.store.atomic import write_atomic
from worldforge.store.guarded import write_inside

Progress = Callable[[int], None]
SUFFIXES = {"html": ".html", "epub": ".epub", "pdf": ".pdf", "twee": ".twee", "md": ".md"}
BOOK_WRITERS: dict[str, Callable[[Book, Path, Progress | None], None]] = {
    "html": write_html,
    "epub": write_epub,
    "pdf": write_pdf,
    "md": write_markdown,
}


@dataclass
class Exported:
    """What an export wrote and what the conductor should know about it."""

    path: Path
    chapters: int
    warnings: list[str]


def default_output(folder: StoryFolder, fmt: str, gamebook: bool = False) -> Path:
    name = folder.root.resolve().name + ("-gamebook" if gamebook else "")
    return Path(name + SUFFIXES[fmt])


def export_story(
    folder: StoryFolder,
    fmt: str,
    out: Path,
    *,
    gamebook: bool = False,
    path: list[str] | None = None,
    show_prompts: bool = False,
    progress: Progress | None = None,
    on_book: Callable[[Book], None] | None = None,
) -> Exported:
    """Write the story in `folder` as `fmt` (html, epub, pdf, md, twee) to `out`.

    Twee holds the whole story (every scene, every choice) whatever the book options;
    its pictures are copied next to it into images/, where `worldforge import` finds them.
    `on_book` sees the laid-out book before writing starts (to size a progress bar)."""
    if fmt not in SUFFIXES:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(SUFFIXES)}")
    if fmt == "twee":
        story = folder.story
        write_atomic(out, export_twee(story).encode("utf-8"))
        warnings = _copy_images(folder, out.parent)
        return Exported(out, len(story.scenes), warnings)
    book = build_book(folder, gamebook=gamebook, path=path, show_prompts=show_prompts)
    if on_book:
        on_book(book)
    BOOK_WRITERS[fmt](book, out, progress)
    return Exported(out, len(book.chapters), book.warnings)


def _copy_images(folder: StoryFolder, dest: Path) -> list[str]:
    """Copy the story's pictures beside a Twee file, each read and checked as a picture and
    written only inside `dest` (never through a symlinked images/ folder)."""
    warnings = []
    wanted = sorted(
        {img for s in folder.story.scenes.values() for img in [s.image, *(r.image for r in s.renders)] if img}
    )
    for rel in wanted:
        source, target = folder.root / rel, dest / rel
        if target.exists() or source.resolve() == target.resolve():
            continue
        if not source.exists():
            warnings.append(f"picture {rel} is missing from the story folder; not copied")
            continue
        try:
            write_inside(dest, rel, folder.read_image(rel))
        except StoryError as exc:
            warnings.append(f"picture {rel} is not copied: {exc.message}")
    return warnings
