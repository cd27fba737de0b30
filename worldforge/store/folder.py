"""The story folder on disk: story.yaml, scenes/<id>.yaml, images/<sha>.png.

Loading validates everything before anything is returned, so a story that fails to load
is never saved over. Saving writes only files whose content changed, all of them as one
transaction (store/journal.py), and refuses to overwrite a file that someone else changed
since it was read; the folder's lock (store/writers.py) makes that check and the write one step.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Collection, Mapping
from pathlib import Path

from worldforge.core.errors import StoryError
from worldforge.core.model import SCHEMA_VERSION, Scene, SceneState, Story, StoryMeta, scene_state
from worldforge.store.atomic import remove_stale_temps, write_atomic
from worldforge.store.guarded import read_inside, read_regular, resolve_inside, write_inside
from worldforge.store.journal import JOURNAL, commit, committed, recover
from worldforge.store.migrate import migrate
from worldforge.store.paths import IMAGES_DIR, SCENES_DIR, STATE_DIR, STORY_FILE, inside
from worldforge.store.picture import check_picture
from worldforge.store.writers import StoryChangedOnDisk, hold
from worldforge.store.yamlio import MAX_FILE_BYTES, dump_model, line_of, parse_yaml, validate

MAX_IMAGE_BYTES = 64 * 1024 * 1024
# new story folders keep worldforge's bookkeeping out of git
GITIGNORE = b".worldforge/\n"


def _within_limit(data: bytes, rel: str) -> bytes:
    """A file is saved only when loading will accept it (an import could bring a summary of
    megabytes, and the story would then never open again)."""
    if len(data) > MAX_FILE_BYTES:
        raise StoryError(
            f"{rel} would be {len(data):,} bytes; the limit is {MAX_FILE_BYTES:,}: nothing was saved "
            "(shorten the longest texts of the story or of this scene)"
        )
    return data


def _not_a_story(root: Path) -> StoryError:
    return StoryError(f"no {STORY_FILE} here: not a worldforge story folder", root)


def dump_meta(meta: StoryMeta) -> bytes:
    body = dump_model(meta).decode()
    return f"schema_version: {SCHEMA_VERSION}\n{body}".encode()


def scene_file(scene_id: str) -> str:
    return f"{SCENES_DIR}/{scene_id}.yaml"


class StoryFolder:
    """A loaded story and the folder it lives in.

    What changed since the last load or save is told by scene states (`core.scene_state`,
    a comparison by reference), so only changed scenes are ever serialised: an autosave
    after one typed letter in a story of thousands of scenes dumps and writes one file."""

    def __init__(
        self,
        root: Path,
        story: Story,
        meta_written: bytes | None = None,
        states: dict[str, SceneState] | None = None,
        on_disk: dict[str, bytes] | None = None,
    ):
        self.root = root
        self.story = story
        # the canonical dump of story.yaml as read or written (None: never written)
        self._meta_written = meta_written
        # scene file -> the scene's state as read or written (decides what changed)
        self._states = states or {}
        # relative path -> the exact bytes we read or wrote (detects edits by others)
        self._on_disk = on_disk or {}

    # -- opening -------------------------------------------------------------
    @classmethod
    def open(cls, root: Path | str) -> StoryFolder:
        """Load the story at `root`, first finishing a save that was interrupted there.

        Even a command that only reads (check, export) finishes it, under the lock: the
        interrupted save had committed, so the story it left is the one to read. A folder that
        cannot be written is read without the lock, unless such a save waits in it."""
        root = Path(root)
        if not root.is_dir():
            raise StoryError("not a folder (a story is a folder with a story.yaml)", root)
        if not (root / STORY_FILE).is_file() and not (root / STATE_DIR / JOURNAL).is_dir():
            raise _not_a_story(root)
        with hold(root, reading=True) as locked:
            if locked:
                recover(root)
            elif committed(root):
                raise StoryError(
                    "a save was interrupted here and must be finished, but this folder cannot be "
                    "written: open the story once where it can be written",
                    root,
                )
            return cls._read(root)

    @classmethod
    def _read(cls, root: Path) -> StoryFolder:
        story_path = root / STORY_FILE
        if not story_path.is_file():
            raise _not_a_story(root)
        states: dict[str, SceneState] = {}
        on_disk: dict[str, bytes] = {}

        if story_path.is_symlink():
            resolve_inside(root, story_path, STORY_FILE)
        raw = read_regular(story_path, MAX_FILE_BYTES)
        on_disk[STORY_FILE] = raw
        parsed = parse_yaml(raw, story_path)
        value = parsed.value
        if isinstance(value, dict):
            value = migrate(value, story_path)
            value.pop("schema_version")
        meta = validate(StoryMeta, parsed, story_path, value)
        # a story written by hand without an IFID gets one now; it must be saved, or every
        # load would make up another (Twee, EPUB and gamebook numbering depend on it)
        meta_written = dump_meta(meta) if "ifid" in value else b""

        scenes: dict[str, Scene] = {}
        scene_dir = root / SCENES_DIR
        # every picture path is images/<file> (the model checks it) and is resolved again
        # when read, so the folders are checked here once, not each picture
        for folder in (scene_dir, root / IMAGES_DIR):
            if folder.exists() and not inside(root, folder):
                raise StoryError(f"{folder.name}/ points outside the story folder", folder)
        entries: list[os.DirEntry[str]] = []
        if scene_dir.is_dir():
            with os.scandir(scene_dir) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        for entry in entries:
            path = scene_dir / entry.name
            if entry.name.startswith("."):
                continue
            if not entry.name.endswith(".yaml") or not entry.is_file():
                raise StoryError("unexpected entry in scenes/: scene files are <id>.yaml", path)
            # scandir knows links without a system call: only a linked file needs resolving
            if entry.is_symlink() and not inside(root, path):
                raise StoryError("scene file points outside the story folder", path)
            raw = read_regular(path, MAX_FILE_BYTES)
            on_disk[f"{SCENES_DIR}/{path.name}"] = raw
            parsed = parse_yaml(raw, path)
            scene = validate(Scene, parsed, path)
            if scene.id != path.stem:
                if (scene_dir / f"{scene.id}.yaml").exists():
                    message = f"duplicate scene id {scene.id!r}: scenes/{scene.id}.yaml has it too"
                else:
                    message = f"file declares id {scene.id!r}; the file name must be <id>.yaml"
                raise StoryError(message, path, line_of(parsed.node, ("id",)))
            scenes[scene.id] = scene
            states[f"{SCENES_DIR}/{path.name}"] = scene_state(scene)
        return cls(root, Story(meta, scenes), meta_written, states, on_disk)

    @classmethod
    def create(cls, root: Path | str, story: Story, images: Mapping[str, bytes] | None = None) -> StoryFolder:
        """Write `story` into a new folder at `root`, with a .gitignore for `.worldforge/`.

        `images` (story-relative path -> the picture's bytes, checked by the caller) are
        written first, before the story that refers to them."""
        root = Path(root)
        if (root / STORY_FILE).exists():
            raise StoryError(f"a story already exists here; refusing to overwrite {STORY_FILE}", root)
        if root.exists() and not root.is_dir():
            raise StoryError("exists and is not a folder", root)
        folder = cls(root, story)
        root.mkdir(parents=True, exist_ok=True)
        if not (root / ".gitignore").exists():
            write_atomic(root / ".gitignore", GITIGNORE)
        for rel, data in (images or {}).items():
            folder.image_path(rel)
            write_inside(root, rel, data)
        folder.save()
        return folder

    def snapshot(self) -> StoryFolder:
        """A read-only copy of the story in this folder, for work in another thread (export):
        later edits do not reach it, and it never saves."""
        return _Snapshot(self.root, self.story.copy())

    # -- saving --------------------------------------------------------------
    def pending(self) -> dict[str, bytes | None]:
        """Files a save would write (bytes) or delete (None)."""
        return self._pending()[0]

    def _pending(self) -> tuple[dict[str, bytes | None], dict[str, SceneState]]:
        """The files to write or delete, and the states of the scenes written."""
        changes: dict[str, bytes | None] = {}
        meta = dump_meta(self.story.meta)
        if meta != self._meta_written:
            changes[STORY_FILE] = _within_limit(meta, STORY_FILE)
        states: dict[str, SceneState] = {}
        known = 0
        for scene in self.story.scenes.values():
            rel, state = scene_file(scene.id), scene_state(scene)
            before = self._states.get(rel)
            known += before is not None
            if before != state:
                changes[rel], states[rel] = _within_limit(dump_model(scene), rel), state
        if known != len(self._states):  # files of scenes that are no longer in the story
            here = {scene_file(sid) for sid in self.story.scenes}
            changes.update(dict.fromkeys((rel for rel in self._states if rel not in here), None))
        return changes, states

    @property
    def dirty(self) -> bool:
        return bool(self.pending())

    def changed(self, scene_ids: Collection[str]) -> bool:
        """Would a save write story.yaml or one of these scenes (changed, added or deleted)?"""
        if dump_meta(self.story.meta) != self._meta_written:
            return True
        for sid in scene_ids:
            scene, saved = self.story.scenes.get(sid), self._states.get(scene_file(sid))
            if (None if scene is None else scene_state(scene)) != saved:
                return True
        return False

    def save(self, wait: float | None = None) -> list[str]:
        """Write what changed (new and changed scenes, story.yaml, deletions) as one
        transaction; returns the files written or deleted."""
        changes, states = self._pending()
        if not changes:
            return []
        order = sorted(changes, key=lambda rel: (changes[rel] is None, rel == STORY_FILE, rel))
        with hold(self.root, wait=wait):
            recover(self.root)
            for rel in order:
                self._guard_unchanged_on_disk(rel)
            remove_stale_temps(self.root)
            remove_stale_temps(self.root / SCENES_DIR)
            commit(self.root, {rel: changes[rel] for rel in order})
        for rel in order:
            data = changes[rel]
            if data is None:
                del self._states[rel], self._on_disk[rel]
                continue
            self._on_disk[rel] = data
            if rel == STORY_FILE:
                self._meta_written = data
            else:
                self._states[rel] = states[rel]
        return order

    def _guard_unchanged_on_disk(self, rel: str) -> None:
        path = self.root / rel
        known = self._on_disk.get(rel)
        if known is None:
            if not path.exists():
                return
            what = "file appeared on disk"
        else:
            try:
                if path.read_bytes() == known:
                    return
            except FileNotFoundError:
                return
            what = "file was changed on disk"
        raise StoryChangedOnDisk(
            f"{what} since the story was opened (another worldforge or an editor wrote it); "
            "nothing was saved: reload the story, then make the change again",
            path,
        )

    # -- images --------------------------------------------------------------
    def put_image(self, data: bytes, suffix: str = ".png", content: bytes | None = None) -> str:
        """Store picture bytes content-addressed; returns the story-relative path.

        `content` names the file when given: the picture before it was signed, so a signed
        re-render of the same record lands on the same name (the signature differs each time).
        """
        digest = hashlib.sha256(data if content is None else content).hexdigest()[:32]
        rel = f"{IMAGES_DIR}/{digest}{suffix}"
        if not (self.root / rel).exists():
            write_inside(self.root, rel, data)
        return rel

    def image_path(self, rel: str) -> Path:
        path = self.root / rel
        if not inside(self.root, path):
            raise StoryError(f"image {rel!r} points outside the story folder", self.root)
        return path

    def read_image(self, rel: str) -> bytes:
        """The picture's bytes, read inside the story folder and checked to be a picture
        (PNG, JPEG or WebP of a sane size): a shared story's `images/` may hold anything."""
        data = read_inside(self.root, self.image_path(rel), MAX_IMAGE_BYTES, f"picture {rel}")
        check_picture(data, self.root / rel)
        return data


class _Snapshot(StoryFolder):
    def save(self, wait: float | None = None) -> list[str]:
        raise StoryError("a snapshot of a story is read-only; save the session instead", self.root)
