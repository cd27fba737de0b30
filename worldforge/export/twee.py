"""Twee 3 out and back in: Twine users edit the story; worldforge keeps what Twine can't.

Export writes `StoryTitle`, `StoryData` (ifid, format, start passage name), one passage per
scene (`:: Name [tags] {"position":"x,y","size":"100,100"}`, the text, then one
`[[label->Target]]` line per choice) and, last, a `StoryWorldforge` passage tagged
`Twine.private` (compilers leave such passages out of the built story) holding JSON with
what Twee has no place for: scene ids, model spans, pictures, renders, candidates,
provenance, lore, settings. Where the Twee view of a scene cannot carry a value exactly
(a title with `<`, text ending in spaces, ...) the exact value is kept there too.

Each scene's entry also keeps short hashes of its passage as exported. On import, exact
values are applied only to passages that still hash the same: a passage edited in Twine
keeps the edit (and loses its model spans, which pointed into the old text).

Import also reads plain Twee 3 written by Twine or other tools: scene ids come from the
passage names, and links from `[[...]]` in all the forms Twine reads.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from worldforge.core.errors import StoryError
from worldforge.core.graph import slugify
from worldforge.core.model import Link, Scene, Story, StoryMeta
from worldforge.export.twee_syntax import (
    RawPassage,
    escape_content,
    find_links,
    format_header,
    format_link,
    link_safe,
    load_json,
    parse_passages,
    text_without_links,
    unescape_content,
)
from worldforge.store import StoryFolder
from worldforge.store.folder import MAX_IMAGE_BYTES
from worldforge.store.guarded import read_inside, read_regular, resolve_inside
from worldforge.store.paths import IMAGES_DIR
from worldforge.store.picture import check_picture

WORLDFORGE_PASSAGE = "StoryWorldforge"
PRIVATE_TAG = "Twine.private"
FORMAT, FORMAT_VERSION = "Harlowe", "3.3.9"
SPECIAL = {"StoryTitle", "StoryData", WORLDFORGE_PASSAGE, "StorySettings", "StoryIncludes"}
CODE_TAGS = {"script", "stylesheet", PRIVATE_TAG}
# tags that make a passage something other than a scene in Twine or a story format: code,
# private, or shown on every turn (Harlowe's header/footer/startup, SugarCube's widget/init)
RESERVED_TAGS = {
    *(tag.lower() for tag in CODE_TAGS),
    *("header", "footer", "startup", "debug-header", "debug-footer", "debug-startup"),
    *("widget", "init"),
}
RESERVED_PREFIX = "scene-"
VISIBLE = ("title", "text", "tags", "links", "position")
GRID = 150


# -- names -------------------------------------------------------------------
def passage_names(story: Story) -> dict[str, str]:
    """Scene id -> unique passage name, from the titles, in story order."""
    taken = set(SPECIAL)
    names: dict[str, str] = {}
    for scene in story.scenes.values():
        base = link_safe(scene.title, scene.id)
        name, n = base, 2
        while name in taken:
            name, n = f"{base} ({n})", n + 1
        taken.add(name)
        names[scene.id] = name
    return names


def auto_positions(story: Story) -> dict[str, tuple[int, int]]:
    """Story-map places for scenes without one: a column per depth from the start."""
    depth: dict[str, int] = {}
    if story.meta.start in story.scenes:
        depth[story.meta.start] = 0
        queue = deque([story.meta.start])
        while queue:
            node = queue.popleft()
            for link in story.scenes[node].links:
                if link.to in story.scenes and link.to not in depth:
                    depth[link.to] = depth[node] + 1
                    queue.append(link.to)
    last = max(depth.values(), default=-1) + 1
    rows: dict[int, int] = {}
    places = {}
    for sid in story.scenes:
        column = depth.get(sid, last)
        row = rows.get(column, 0)
        rows[column] = row + 1
        places[sid] = (100 + GRID * column, 100 + GRID * row)
    return places


def passage_order(story: Story) -> list[str]:
    """Scene ids in the order passages are written: breadth-first from the start (so the
    file reads roughly like the story), then unreachable scenes by id."""
    order: dict[str, None] = {}
    if story.meta.start in story.scenes:
        queue = deque([story.meta.start])
        order[story.meta.start] = None
        while queue:
            for link in story.scenes[queue.popleft()].links:
                if link.to in story.scenes and link.to not in order:
                    order[link.to] = None
                    queue.append(link.to)
    return [*order, *sorted(sid for sid in story.scenes if sid not in order)]


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# -- the Twee view of one scene ------------------------------------------------
def _position_text(position: tuple[int, int]) -> str:
    return f"{position[0]},{position[1]}"


MAX_POSITION = 10**9  # far beyond any story map; keeps `1e400` (infinity) out


def _parse_position(value: Any) -> tuple[int, int] | None:
    try:
        numbers = [float(part) for part in str(value).split(",")]
    except ValueError:
        return None
    if len(numbers) != 2 or not all(abs(n) <= MAX_POSITION for n in numbers):  # NaN fails too
        return None
    return round(numbers[0]), round(numbers[1])


def _digest(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()[:16]


def _hashes(passage: RawPassage) -> dict[str, str]:
    return {"head": _digest(passage.name, passage.tags), "body": _digest(passage.body)}


def _visible(passage: RawPassage, ids: dict[str, str]) -> dict[str, Any]:
    """What a passage says by itself, with link targets resolved to scene ids."""
    links: list[Link] = []
    for label, target in find_links(passage.body):
        to = ids.get(target) or slugify(target)
        if all(link.to != to for link in links):
            links.append(Link(to=to, label=label))
    text = unescape_content(text_without_links(passage.body))
    return {
        "title": passage.name,
        "text": text + "\n" if text else "",
        "tags": passage.tags,
        "links": links,
        "position": _parse_position(passage.metadata["position"]) if "position" in passage.metadata else None,
    }


def _passage_tag(tag: str) -> str:
    """A scene tag as a passage tag; a reserved one gets a prefix, so that a scene tagged
    `script` stays a scene (its exact tags travel in StoryWorldforge)."""
    tag = link_safe(tag, "").replace(" ", "-")
    reserved = tag.lower() in RESERVED_TAGS or tag.lower().startswith("twine.")
    return RESERVED_PREFIX + tag if reserved else tag


def _scene_passage(scene: Scene, name: str, names: dict[str, str], place: tuple[int, int]) -> str:
    tags = [tag for tag in map(_passage_tag, scene.tags) if tag]
    metadata = {"position": _position_text(scene.position or place), "size": "100,100"}
    lines = [format_header(name, tags, metadata)]
    text = scene.text.rstrip()
    if text:
        lines.append(escape_content(text))
    if scene.links:
        if text:
            lines.append("")
        for link in scene.links:
            target = names.get(link.to, link.to)
            lines.append(format_link(link_safe(link.label, ""), target))
    return "\n".join(lines)


def _extras(scene: Scene, passage: RawPassage, ids: dict[str, str], place: tuple[int, int]) -> dict:
    data = scene.model_dump(mode="json", exclude_defaults=True, exclude=set(VISIBLE))
    data["id"] = scene.id
    seen = _visible(passage, ids)
    for key in VISIBLE:
        if key == "position":
            if scene.position is None:
                data["auto_position"] = _position_text(place)
            continue
        exact = getattr(scene, key)
        if seen[key] != exact:
            data[key] = [link.model_dump(mode="json") for link in exact] if key == "links" else exact
    data["twee"] = _hashes(passage)
    return data


# -- export --------------------------------------------------------------------
def export_twee(story: Story) -> str:
    """The story as Twee 3 text (deterministic: the same story gives the same bytes)."""
    names = passage_names(story)
    ids = {name: sid for sid, name in names.items()}
    places = auto_positions(story)
    meta = story.meta
    title = " ".join(meta.title.split()) or "Untitled"
    data: dict[str, str | int] = {"ifid": meta.ifid, "format": FORMAT, "format-version": FORMAT_VERSION}
    if meta.start in names:
        data["start"] = names[meta.start]
    data["zoom"] = 1
    blocks = [f":: StoryTitle\n{title}", ":: StoryData\n" + json.dumps(data, indent=2, ensure_ascii=False)]
    story_extras = meta.model_dump(mode="json", exclude_defaults=True, exclude={"ifid", "title", "start"})
    story_extras.pop("schema_version", None)
    if title != meta.title:
        story_extras["title"] = meta.title
    if meta.start not in names:
        story_extras["start"] = meta.start
    entries: list[str] = []
    for sid in passage_order(story):
        scene = story.scenes[sid]
        text = _scene_passage(scene, names[sid], names, places[sid])
        passage = parse_passages(text)[0]
        entry = _extras(scene, passage, ids, places[sid])
        entries.append(f"  {_compact(names[sid])}: {_compact(entry)}")
        blocks.append(text)
    # one line per scene: small, and a change to one scene is a one-line diff
    blocks.append(
        format_header(WORLDFORGE_PASSAGE, [PRIVATE_TAG])
        + f'\n{{\n "worldforge": 1,\n "story": {_compact(story_extras)},\n "scenes": {{\n'
        + ",\n".join(entries)
        + "\n }\n}"
    )
    return "\n\n".join(blocks) + "\n"


# -- import --------------------------------------------------------------------
@dataclass
class TweeImport:
    story: Story
    warnings: list[str] = field(default_factory=list)


def _json_passage(passage: RawPassage, source: str, warnings: list[str]) -> dict:
    try:
        value = load_json(passage.body or "{}")
    except ValueError as exc:
        warnings.append(f"{source}:{passage.line}: {passage.name} is not valid JSON ({exc}); ignored")
        return {}
    if not isinstance(value, dict):
        warnings.append(f"{source}:{passage.line}: {passage.name} is not a JSON object; ignored")
        return {}
    return value


def _unique_id(base: str, taken: set[str]) -> str:
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base[:58]}-{n}", n + 1
    return candidate


def parse_twee(text: str, source: str = "story.twee") -> TweeImport:
    """Read Twee 3 text into a Story. Problems that lose nothing essential are warnings;
    a file that cannot become a valid story raises StoryError naming the line."""
    warnings: list[str] = []
    passages = parse_passages(text)
    by_name: dict[str, RawPassage] = {}
    for passage in passages:
        for problem in passage.problems:
            warnings.append(f"{source}:{passage.line}: {problem}")
        if passage.name in by_name:
            raise StoryError(
                f"two passages are named {passage.name!r}; passage names must be unique", source, passage.line
            )
        by_name[passage.name] = passage

    def json_of(name: str) -> dict:
        return _json_passage(by_name[name], source, warnings) if name in by_name else {}

    data, extras = json_of("StoryData"), json_of(WORLDFORGE_PASSAGE)
    raw_scenes = extras.get("scenes", {}) if isinstance(extras.get("scenes"), dict) else {}
    scene_extras: dict[str, dict] = {k: v for k, v in raw_scenes.items() if isinstance(v, dict)}
    for name in sorted(set(raw_scenes) - set(scene_extras)):
        warnings.append(f"{WORLDFORGE_PASSAGE}: the entry for passage {name!r} is not an object; ignored")
    story_extras: dict = extras.get("story", {}) if isinstance(extras.get("story"), dict) else {}

    scene_passages = [
        p for p in passages if p.name not in SPECIAL and not CODE_TAGS.intersection(p.tags) and p.name
    ]
    if not scene_passages:
        raise StoryError("no story passages found: is this a Twee 3 file?", source)
    ids: dict[str, str] = {}
    taken: set[str] = set()
    for passage in scene_passages:
        wanted = scene_extras.get(passage.name, {}).get("id")
        sid = wanted if isinstance(wanted, str) and wanted not in taken else None
        sid = sid or _unique_id(slugify(passage.name), taken)
        ids[passage.name] = sid
        taken.add(sid)

    scenes: dict[str, Scene] = {}
    for passage in scene_passages:
        scene = _scene(passage, ids, scene_extras.get(passage.name), source, warnings)
        scenes[scene.id] = scene

    start_name = data.get("start")
    if isinstance(start_name, str) and start_name in ids:
        start = ids[start_name]
    elif "Start" in ids:
        start = ids["Start"]
    else:
        start = ids[scene_passages[0].name]
        if start_name:
            warnings.append(f"{source}: StoryData names start passage {start_name!r}, which does not exist")
    title_passage = by_name.get("StoryTitle")
    title = " ".join(title_passage.body.split()) if title_passage else ""
    if not title:
        title = Path(source).stem
        warnings.append(f"{source}: no StoryTitle passage; the title is {title!r}")
    ifid = data.get("ifid")
    try:
        ifid = str(uuid.UUID(str(ifid))).upper()
    except ValueError:
        ifid = str(uuid.uuid4()).upper()
        warnings.append(f"{source}: StoryData has no valid ifid; a new one was made: {ifid}")
    try:
        meta = StoryMeta.model_validate({"title": title, "start": start, **story_extras, "ifid": ifid})
    except ValidationError as exc:
        raise StoryError(f"story data does not fit a worldforge story: {_first(exc)}", source) from None
    for scene in scenes.values():
        for link in scene.links:
            if link.to not in scenes:
                warnings.append(f"scene {scene.id!r} links to a passage that does not exist: {link.to!r}")
    return TweeImport(Story(meta, scenes), warnings)


def _first(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(x) for x in error["loc"])
    return f"{where}: {error['msg']}" if where else error["msg"]


def _scene(
    passage: RawPassage, ids: dict[str, str], extras: dict | None, source: str, warnings: list[str]
) -> Scene:
    values = _visible(passage, ids)
    values["links"] = [link.model_dump() for link in values["links"]]
    if extras:
        extras = dict(extras)
        hashes = extras.pop("twee", {})
        hashes = hashes if isinstance(hashes, dict) else {}
        auto = extras.pop("auto_position", None)
        same = _hashes(passage)
        head_same, body_same = hashes.get("head") == same["head"], hashes.get("body") == same["body"]
        for key in ("title", "tags"):
            value = extras.pop(key, None)
            if head_same and value is not None:
                values[key] = value
        for key in ("text", "links"):
            value = extras.pop(key, None)
            if body_same and value is not None:
                values[key] = value
        if not body_same and extras.pop("model_spans", None):
            warnings.append(
                f"{source}:{passage.line}: passage {passage.name!r} was edited outside worldforge; "
                "its text is taken from the Twee file and its model spans are dropped"
            )
        if auto is not None and passage.metadata.get("position") == auto:
            values["position"] = None
        values.update(extras)
    values["id"] = ids[passage.name]
    if values["position"] is None:
        values.pop("position")
    try:
        return Scene.model_validate(values)
    except ValidationError as exc:
        raise StoryError(f"passage {passage.name!r}: {_first(exc)}", source, passage.line) from None


MAX_TWEE_BYTES = 64 * 1024 * 1024


def _pictures(wanted: list[str], images_from: Path, warnings: list[str]) -> dict[str, bytes]:
    """The pictures found beside the Twee file, each read inside `images_from/images` and
    checked to be a picture: a Twee file from elsewhere may come with an `images/x.png` that
    is a symlink to any file the user can read, or is not a picture at all."""
    found: dict[str, bytes] = {}
    missing = 0
    images = images_from / IMAGES_DIR
    for rel in wanted:
        path = images_from / rel
        if not path.exists():
            missing += 1
            continue
        try:
            resolve_inside(images_from, images, f"{IMAGES_DIR}/ beside the Twee file")
            data = read_inside(images, path, MAX_IMAGE_BYTES, f"picture {rel}")
            check_picture(data, path)
        except StoryError as exc:
            warnings.append(f"{exc}; not copied")
            continue
        found[rel] = data
    if missing:
        warnings.append(
            f"{missing} picture(s) the story refers to are not in {images_from}/images; "
            "copy them into the story's images/ folder (or pass --images FOLDER)"
        )
    return found


def import_twee(source: Path, dest: Path, images_from: Path | None = None) -> tuple[StoryFolder, list[str]]:
    """Create a story folder at `dest` from the Twee file `source`.

    Twee holds no pictures: those the story refers to are copied from `images_from` (by
    default the folder the Twee file is in, where `worldforge export` leaves them) when
    present there; missing ones are reported."""
    try:
        text = read_regular(source, MAX_TWEE_BYTES, "the Twee file").decode("utf-8")
    except UnicodeDecodeError:
        raise StoryError("not a UTF-8 text file; Twee files are UTF-8", source) from None
    result = parse_twee(text, str(source))
    images_from = images_from if images_from is not None else source.parent
    wanted = sorted(
        {img for s in result.story.scenes.values() for img in [s.image, *(r.image for r in s.renders)] if img}
    )
    found = _pictures(wanted, images_from, result.warnings)
    # one transaction: the pictures first, then every scene at once
    folder = StoryFolder.create(dest, result.story, images=found)
    return folder, result.warnings
