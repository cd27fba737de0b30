"""The story folder on disk: story.yaml, scenes/<id>.yaml, images/<sha>.png.

Loading validates everything before anything is returned, so a story that fails to load
is never saved over. Saving writes only files whose content changed, each atomically, and
refuses to overwrite a file that someone else changed since it was read.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from worldforge.core.errors import StoryError
from worldforge.core.model import SCHEMA_VERSION, Scene, Story, StoryMeta
from worldforge.store.atomic import remove_stale_temps, write_atomic
from worldforge.store.migrate import migrate
from worldforge.store.yamlio import MAX_FILE_BYTES, dump_model, line_of, parse_yaml, validate

STORY_FILE = "story.yaml"
SCENES_DIR = "scenes"
IMAGES_DIR = "images"
MAX_IMAGE_BYTES = 64 * 1024 * 1024


def _read_limited(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    try:
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise StoryError(f"cannot read file: {exc.strerror}", path) from None
    return data


def _inside(root: Path, path: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True


def dump_meta(meta: StoryMeta) -> bytes:
    body = dump_model(meta).decode()
    return f"schema_version: {SCHEMA_VERSION}\n{body}".encode()


class StoryFolder:
    """A loaded story and the folder it lives in."""

    def __init__(self, root: Path, story: Story, canonical: dict[str, bytes], on_disk: dict[str, bytes]):
        self.root = root
        self.story = story
        # relative path -> canonical dump of what is there (decides what changed)
        self._written = canonical
        # relative path -> the exact bytes we read or wrote (detects edits by others)
        self._on_disk = on_disk

    # -- opening -------------------------------------------------------------
    @classmethod
    def open(cls, root: Path | str) -> StoryFolder:
        root = Path(root)
        story_path = root / STORY_FILE
        if not root.is_dir():
            raise StoryError("not a folder (a story is a folder with a story.yaml)", root)
        if not story_path.is_file():
            raise StoryError(f"no {STORY_FILE} here: not a worldforge story folder", root)
        written: dict[str, bytes] = {}
        on_disk: dict[str, bytes] = {}

        raw = _read_limited(story_path)
        on_disk[STORY_FILE] = raw
        value, node = parse_yaml(raw, story_path)
        if isinstance(value, dict):
            value = migrate(value, story_path)
            value.pop("schema_version")
        meta = validate(StoryMeta, value, node, story_path)
        # a story written by hand without an IFID gets one now; it must be saved, or every
        # load would make up another (Twee, EPUB and gamebook numbering depend on it)
        written[STORY_FILE] = dump_meta(meta) if "ifid" in value else b""

        scenes: dict[str, Scene] = {}
        scene_dir = root / SCENES_DIR
        files = sorted(scene_dir.iterdir()) if scene_dir.is_dir() else []
        for path in files:
            if path.name.startswith("."):
                continue
            if path.suffix != ".yaml" or not path.is_file():
                raise StoryError("unexpected entry in scenes/: scene files are <id>.yaml", path)
            if not _inside(root, path):
                raise StoryError("scene file points outside the story folder", path)
            raw = _read_limited(path)
            on_disk[f"{SCENES_DIR}/{path.name}"] = raw
            value, node = parse_yaml(raw, path)
            scene = validate(Scene, value, node, path)
            if scene.id != path.stem:
                if (scene_dir / f"{scene.id}.yaml").exists():
                    message = f"duplicate scene id {scene.id!r}: scenes/{scene.id}.yaml has it too"
                else:
                    message = f"file declares id {scene.id!r}; the file name must be <id>.yaml"
                raise StoryError(message, path, line_of(node, ("id",)))
            for image in [scene.image, *(r.image for r in scene.renders)]:
                if image and not _inside(root, root / image):
                    raise StoryError(f"image {image!r} points outside the story folder", path)
            scenes[scene.id] = scene
            written[f"{SCENES_DIR}/{path.name}"] = dump_model(scene)
        return cls(root, Story(meta, scenes), written, on_disk)

    @classmethod
    def create(cls, root: Path | str, story: Story) -> StoryFolder:
        root = Path(root)
        if (root / STORY_FILE).exists():
            raise StoryError(f"a story already exists here; refusing to overwrite {STORY_FILE}", root)
        if root.exists() and not root.is_dir():
            raise StoryError("exists and is not a folder", root)
        folder = cls(root, story, {}, {})
        folder.save()
        return folder

    def snapshot(self) -> StoryFolder:
        """A read-only copy of the story in this folder, for work in another thread (export):
        later edits do not reach it, and it never saves."""
        return _Snapshot(self.root, self.story.copy(), {}, {})

    # -- saving --------------------------------------------------------------
    def pending(self) -> dict[str, bytes | None]:
        """Files a save would write (bytes) or delete (None)."""
        wanted = {STORY_FILE: dump_meta(self.story.meta)}
        for scene in self.story.scenes.values():
            wanted[f"{SCENES_DIR}/{scene.id}.yaml"] = dump_model(scene)
        changes: dict[str, bytes | None] = {
            rel: data for rel, data in wanted.items() if self._written.get(rel) != data
        }
        for rel in self._written:
            if rel not in wanted:
                changes[rel] = None
        return changes

    @property
    def dirty(self) -> bool:
        return bool(self.pending())

    def save(self) -> list[str]:
        """Write what changed: new and changed scenes, then story.yaml, then deletions."""
        changes = self.pending()
        order = sorted(changes, key=lambda rel: (changes[rel] is None, rel == STORY_FILE, rel))
        for rel in order:
            self._guard_unchanged_on_disk(rel)
        remove_stale_temps(self.root)
        remove_stale_temps(self.root / SCENES_DIR)
        for rel in order:
            data = changes[rel]
            target = self.root / rel
            if data is None:
                target.unlink(missing_ok=True)
                del self._written[rel], self._on_disk[rel]
            else:
                write_atomic(target, data)
                self._written[rel] = self._on_disk[rel] = data
        return order

    def _guard_unchanged_on_disk(self, rel: str) -> None:
        path = self.root / rel
        known = self._on_disk.get(rel)
        if known is None:
            if path.exists():
                raise StoryError(
                    "file appeared on disk since the story was opened; reopen the story before saving",
                    path,
                )
            return
        try:
            current = path.read_bytes()
        except FileNotFoundError:
            return
        if current != known:
            raise StoryError(
                "file was changed on disk since the story was opened; reopen the story "
                "(your changes are still in memory)",
                path,
            )

    # -- images --------------------------------------------------------------
    def put_image(self, data: bytes, suffix: str = ".png") -> str:
        """Store picture bytes content-addressed; returns the story-relative path."""
        digest = hashlib.sha256(data).hexdigest()[:32]
        rel = f"{IMAGES_DIR}/{digest}{suffix}"
        target = self.root / rel
        if not target.exists():
            write_atomic(target, data)
        return rel

    def image_path(self, rel: str) -> Path:
        path = self.root / rel
        if not _inside(self.root, path):
            raise StoryError(f"image {rel!r} points outside the story folder", self.root)
        return path

    def read_image(self, rel: str) -> bytes:
        path = self.image_path(rel)
        data = _read_limited(path, MAX_IMAGE_BYTES)
        if len(data) > MAX_IMAGE_BYTES:
            raise StoryError("image is larger than 64 MiB", path)
        return data


class _Snapshot(StoryFolder):
    def save(self) -> list[str]:
        raise StoryError("a snapshot of a story is read-only; save the session instead", self.root)
