"""The books the browser tests open: built through the real store and the real HTML writer.

- `path` and `gamebook`: the export tests' story (pictures, lore, a scene without a picture,
  a model that wrote `<script>`), as a path book and as a gamebook;
- `missing`: the same story with two picture files deleted from the folder;
- `hostile`: every field a reader sees carries markup an attacker would try, each payload
  calling `pwned()` if it ever ran, plus an unbroken 300-letter word for phone width;
- `one-picture`: a cover with a single picture (it must sit under the title, centred).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import build_story
from tests.export_story import build, png
from worldforge.core.model import Link, LoreEntry
from worldforge.export.book import build_book
from worldforge.export.html import write_html
from worldforge.store import StoryFolder

PAYLOADS = (
    "<img src=x onerror=\"pwned('img')\">",
    "<svg onload=\"pwned('svg')\"></svg>",
    "\"><script>pwned('attr')</script>",
    "</style><script>pwned('style')</script>",
    "</title><script>pwned('title')</script>",
    "<a href=\"javascript:pwned('href')\">click me</a>",
    "<iframe srcdoc=\"<script>parent.pwned('iframe')</script>\"></iframe>",
    '<meta http-equiv="refresh" content="0;url=javascript:pwned(\'meta\')">',
    "<details open ontoggle=\"pwned('details')\">",
    "]]><![CDATA[<script>pwned('cdata')</script>",
)
HOSTILE = " ".join(PAYLOADS)
LONG_WORD = "Aaargh" + "h" * 294


def _write(folder: StoryFolder, out: Path, gamebook: bool = False) -> Path:
    write_html(build_book(folder, gamebook=gamebook), out)
    return out


def _hostile(root: Path) -> StoryFolder:
    folder = build(root)
    story = folder.story
    story.meta.title = f"The Harbour {PAYLOADS[4]}"
    story.meta.author = PAYLOADS[1]
    story.meta.lore = [*story.meta.lore, LoreEntry(id="attack", keys=[PAYLOADS[0]], text=HOSTILE)]
    for scene in story.scenes.values():
        scene.title = f"{scene.title} {PAYLOADS[2]}"
        scene.text = f"{scene.text}\n{HOSTILE}\n\n{LONG_WORD}\n"
        scene.image_title = PAYLOADS[5]
        scene.links = [Link(to=link.to, label=f"{link.label} {PAYLOADS[5]}") for link in scene.links]
    folder.save()
    return StoryFolder.open(root)


def _one_picture(root: Path) -> StoryFolder:
    folder = StoryFolder.create(root, build_story())
    folder.story.scenes["start"].image = folder.put_image(png((200, 30, 30), size=256))
    folder.save()
    return StoryFolder.open(root)


def build_books(root: Path) -> dict[str, Path]:
    """Every book, written as HTML under `root`."""
    books: dict[str, Path] = {}
    story = build(root / "story")
    books["path"] = _write(story, root / "path.html")
    books["gamebook"] = _write(story, root / "gamebook.html", gamebook=True)
    missing = root / "missing"
    shutil.copytree(story.root, missing)
    for scene_id in ("start", "hills"):
        (missing / story.story.scenes[scene_id].image).unlink()
    books["missing"] = _write(StoryFolder.open(missing), root / "missing.html", gamebook=True)
    hostile = _hostile(root / "hostile")
    books["hostile"] = _write(hostile, root / "hostile.html")
    books["hostile-gamebook"] = _write(hostile, root / "hostile-gamebook.html", gamebook=True)
    books["one-picture"] = _write(_one_picture(root / "one"), root / "one-picture.html")
    return books
