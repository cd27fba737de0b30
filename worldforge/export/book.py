"""A story laid out as a book, before it is written in any format.

Two shapes. A *path* book is the scenes of one reading path in order: the path given, the
story's chosen `reading_path`, or the path that always takes the first choice. A *gamebook*
holds every scene reachable from the start as a numbered section whose choices say "turn to
17". As in printed gamebooks, the start is section 1 and the other sections are shuffled, so
that the next section is not simply the next page; the shuffle is seeded by the story's ifid,
so the same story always gets the same numbers.

Every writer (HTML, EPUB, PDF, Markdown) renders this one structure, so all formats agree on
what the book contains, what each picture is called and who is credited for it.
"""

from __future__ import annotations

import random
import re
import uuid
from collections import deque
from dataclasses import dataclass, field

from markupsafe import Markup

from worldforge.core.errors import StoryError
from worldforge.core.graph import GraphError, StoryGraph
from worldforge.core.ledger import Ledger, chart, ledger
from worldforge.core.model import LoreEntry, Provenance, Scene
from worldforge.export.ledger_chart import svg_chart
from worldforge.export.stats import Colophon, colophon, energy_rows, model_chars
from worldforge.store import StoryFolder

COVER_PICTURES = 9
_BLANK_LINES = re.compile(r"\n[ \t]*\n")


@dataclass(frozen=True)
class Picture:
    """The illustration of a chapter, or the placeholder where there is none yet."""

    image: str | None  # story-relative path of a file that exists; None: placeholder
    title: str  # every picture has a title: the reader is told what it shows
    credit: str  # the model that made it, always shown
    prompt: str | None = None  # shown only when asked for and not marked secret


@dataclass(frozen=True)
class Choice:
    label: str
    target: str  # scene id
    number: int | None = None  # the target's section number (gamebooks)


@dataclass
class Chapter:
    number: int
    scene: Scene
    paragraphs: list[list[str]]  # paragraphs, each a list of lines
    picture: Picture
    choices: list[Choice]
    authorship: str = ""

    @property
    def anchor(self) -> str:
        return f"s-{self.scene.id}"

    @property
    def title(self) -> str:
        return self.scene.title or self.scene.id


@dataclass
class Book:
    """What to print: chapters in reading order, the colophon, and what went missing."""

    folder: StoryFolder
    gamebook: bool
    show_prompts: bool
    chapters: list[Chapter]
    colophon: Colophon
    ledger: Ledger = field(default_factory=Ledger)
    warnings: list[str] = field(default_factory=list)
    _images: dict[str, bytes] = field(default_factory=dict, repr=False)

    @property
    def title(self) -> str:
        return self.folder.story.meta.title

    @property
    def author(self) -> str:
        return self.folder.story.meta.author

    @property
    def language(self) -> str:
        return self.folder.story.meta.language or "en"

    @property
    def ifid(self) -> str:
        return self.folder.story.meta.ifid

    @property
    def premise(self) -> list[list[str]]:
        return paragraphs(self.folder.story.meta.world.premise)

    @property
    def lore(self) -> list[LoreEntry]:
        """Lore entries a reader can use as a glossary (those with text for a reader)."""
        return [e for e in self.folder.story.meta.lore if e.text or e.visual]

    @property
    def has_world(self) -> bool:
        return bool(self.premise or self.lore)

    def image_bytes(self, rel: str) -> bytes:
        """The picture's bytes, read once however many chapters share it."""
        if rel not in self._images:
            self._images[rel] = self.folder.read_image(rel)
        return self._images[rel]

    @property
    def energy_rows(self) -> list[tuple[str, str]]:
        return energy_rows(self.ledger)

    @property
    def ledger_chart(self) -> Markup | None:
        """kWh per model as a small SVG, when any generation was recorded."""
        return svg_chart(chart(self.ledger, "model")) if self.ledger.total.generations else None

    def cover_pictures(self, limit: int = COVER_PICTURES) -> list[Picture]:
        """Distinct pictures for the cover grid, in reading order."""
        seen: dict[str, Picture] = {}
        for chapter in self.chapters:
            image = chapter.picture.image
            if image and image not in seen:
                seen[image] = chapter.picture
                if len(seen) == limit:
                    break
        return list(seen.values())


def paragraphs(text: str) -> list[list[str]]:
    """Paragraphs split on blank lines; single line breaks inside a paragraph are kept."""
    text = text.replace("\r\n", "\n").strip()
    if not text:
        return []
    return [part.strip("\n").split("\n") for part in _BLANK_LINES.split(text) if part.strip()]


def picture_record(scene: Scene) -> Provenance | None:
    """The provenance record of the scene's chosen picture, when it was generated here."""
    render = next((r for r in scene.renders if r.image == scene.image), None)
    if render is None:
        return None
    return next((p for p in scene.provenance if p.id == render.provenance), None)


def credit_line(record: Provenance | None) -> str:
    if record is None:
        return "Picture: no generation record (not made in worldforge)"
    parts = [f"Picture: {record.model}"]
    if record.revision:
        parts.append(f"revision {record.revision[:12]}")
    if record.license:
        parts.append(f"license {record.license}")
    line = ", ".join(parts)
    if record.test_model:
        line += " (random-weight test model: noise, not art)"
    return line


def authorship_line(scene: Scene) -> str:
    total = len(scene.text)
    by_model = model_chars(scene)
    if not total or not by_model:
        return ""
    share = round(100 * by_model / total)
    models = sorted({p.model for p in scene.provenance if p.kind == "text"})
    who = f" ({', '.join(models)})" if models else ""
    return f"Text: {100 - share}% human, {share}% model{who}"


def _picture(
    folder: StoryFolder,
    scene: Scene,
    show_prompts: bool,
    warnings: list[str],
    images: dict[str, bytes | None],
) -> Picture:
    record = picture_record(scene)
    title = scene.picture_title
    prompt = None
    if show_prompts and record is not None and not record.prompt_hidden:
        value = record.settings.get("prompt")
        prompt = str(value) if value else None
    image = scene.image
    if image is None:
        warnings.append(f"scene {scene.id!r} has no picture yet: a placeholder is printed")
    else:
        if image not in images:
            images[image] = _checked_picture(folder, scene, image, warnings)
        if images[image] is None:
            image = None
    if image is None:
        return Picture(image=None, title=title, credit="", prompt=None)
    return Picture(image=image, title=title, credit=credit_line(record), prompt=prompt)


def _checked_picture(folder: StoryFolder, scene: Scene, image: str, warnings: list[str]) -> bytes | None:
    """The picture's bytes, or None (with a warning) when it is missing or is not a picture:
    only checked PNG, JPEG and WebP bytes ever reach a book (an SVG would fetch URLs)."""
    try:
        if not folder.image_path(image).exists():
            warnings.append(f"scene {scene.id!r}: picture {image} is missing from the story folder")
            return None
        return folder.read_image(image)
    except StoryError as exc:
        warnings.append(f"scene {scene.id!r}: picture {image} is left out: {exc.message}")
        return None


def gamebook_order(graph: StoryGraph) -> list[str]:
    """Reachable scene ids in section order: the start first, then the rest shuffled with a
    seed taken from the ifid (breadth-first order before shuffling, so it is stable)."""
    story = graph.story
    start = story.meta.start
    if start not in story.scenes:
        return []
    seen, queue, order = {start}, deque([start]), []
    while queue:
        node = queue.popleft()
        order.append(node)
        for child in graph.children(node):
            if child not in seen:
                seen.add(child)
                queue.append(child)
    rest = order[1:]
    random.Random(uuid.UUID(story.meta.ifid).int).shuffle(rest)
    return [start, *rest]


def build_book(
    folder: StoryFolder,
    *,
    gamebook: bool = False,
    path: list[str] | None = None,
    show_prompts: bool = False,
) -> Book:
    """Lay out the story in `folder` as a path book (default) or a gamebook."""
    story = folder.story
    graph = StoryGraph(story)
    warnings: list[str] = []
    if story.meta.start not in story.scenes:
        raise StoryError(f"start scene {story.meta.start!r} does not exist; fix story.yaml first")
    if gamebook:
        if path:
            raise StoryError("--path chooses one reading path; a gamebook holds them all")
        ids = gamebook_order(graph)
        left_out = len(story.scenes) - len(ids)
        if left_out:
            warnings.append(f"{left_out} scene(s) cannot be reached from the start and are left out")
        scenes = [story.scenes[sid] for sid in ids]
    else:
        try:
            scenes = graph.reading_order(path or None)
        except GraphError as exc:
            raise StoryError(f"cannot follow the reading path: {exc}") from None
    numbers = {scene.id: n for n, scene in enumerate(scenes, 1)}
    chapters = []
    images: dict[str, bytes | None] = {}  # picture -> its checked bytes (scenes share pictures)
    for n, scene in enumerate(scenes, 1):
        if gamebook:
            choices = []
            for link in scene.links:
                if link.to not in numbers:
                    warnings.append(f"scene {scene.id!r} links to missing scene {link.to!r}: choice left out")
                    continue
                label = link.label or story.scenes[link.to].title
                choices.append(Choice(label, link.to, numbers[link.to]))
        else:
            nxt = scenes[n].id if n < len(scenes) else None
            next_link = scene.link_to(nxt) if nxt else None
            choices = [Choice(next_link.label, next_link.to, n + 1)] if next_link and next_link.label else []
        chapters.append(
            Chapter(
                number=n,
                scene=scene,
                paragraphs=paragraphs(scene.text),
                picture=_picture(folder, scene, show_prompts, warnings, images),
                choices=choices,
                authorship=authorship_line(scene),
            )
        )
    return Book(
        folder=folder,
        gamebook=gamebook,
        show_prompts=show_prompts,
        chapters=chapters,
        colophon=colophon(scenes),
        ledger=ledger(story),
        warnings=warnings,
        _images={rel: data for rel, data in images.items() if data is not None},
    )
