"""How the studio scales: a 5,000-scene story against the 8-scene example, in the same run.

Figures, each printed for both stories and as a ratio:
- first frame of the real `worldforge open` in tmux, and the first key answered after it;
- opening in-process: `Session.open` to the studio's first frame (headless);
- a graph edit (branch, link, rename, delete) from its last key to the screen showing it,
  driven with Textual's Pilot on the real studio (headless, same code path as a terminal);
- keystroke to screen while typing in a scene (median of 40 keys);
  both time the app's own work, key to drawn frame (see `answered`);
- memory kept per undo step (tracemalloc, after a branch and after typing);
- one-character autosave (Session.save after typing one letter) and the files it writes;
- `worldforge check` as a whole process;
- HTML export growth: time per scene at a tenth of the size against the whole size.

    flock /tmp/worldforge-cpu.lock python bench/studio_scale.py [--scenes 5000]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from coldcache import cold_seconds  # noqa: E402
from synthetic import binary_tree_story  # noqa: E402
from textual import events  # noqa: E402

from worldforge.conductor.session import Session  # noqa: E402
from worldforge.core.authorship import edit_text  # noqa: E402
from worldforge.store import StoryFolder  # noqa: E402

EXAMPLE = ROOT / "stories" / "socialist-gundam"


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


# -- the real command, in tmux -------------------------------------------------------------
def cold_start(story: Path, env: dict[str, str]) -> tuple[float, float]:
    """Seconds to the first frame, and from there to the help screen answering F1."""
    session = f"wfscale{os.getpid()}"
    command = f"{sys.executable} -m worldforge open {story} --engine tiny --image-engine tiny"
    start = time.perf_counter()
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "35", command], check=True, env=env
    )

    def wait_for(text: str, timeout: float = 60.0) -> float:
        while time.perf_counter() - start < timeout:
            screen = subprocess.run(
                ["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True
            ).stdout
            if text in screen:
                return time.perf_counter()
            time.sleep(0.01)
        raise TimeoutError(f"{text!r} never appeared for {command}")

    try:
        frame = wait_for("Story map")
        subprocess.run(["tmux", "send-keys", "-t", session, "F1"], check=True)
        answered = wait_for("conductor")
        return frame - start, answered - frame
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


# -- the studio in-process, driven by Pilot ------------------------------------------------------
def key(name: str) -> events.Key:
    """A key event as the terminal driver would send it."""
    char = {"enter": "\r", "space": " "}.get(name, name if len(name) == 1 else None)
    return events.Key(name, char)


async def answered(pilot, name: str, done: Callable[[], bool]) -> float:
    """Seconds from one key to the screen having drawn its effect.

    The key is posted as the driver posts it; then the app runs its messages and draws a frame
    (`pause(0)`: every widget's queue emptied, then the screen composited) until `done()`
    holds, and once more for what the last handlers scheduled. Pilot's own `press` waits for
    an idle CPU in 20 ms sleeps, three times a key: that floor would swamp these figures."""
    start = time.perf_counter()
    pilot.app.post_message(key(name))
    for _ in range(10_000):
        await pilot.pause(0)
        if done():
            break
    else:
        raise TimeoutError(f"{name!r} never took effect")
    await pilot.pause(0)
    return time.perf_counter() - start


async def studio_figures(story: Path) -> dict[str, float]:
    from textual_image.widget import HalfcellImage

    from tests.fakes import FakeImageEngine, FakeTextEngine
    from worldforge.tui.app import make_app
    from worldforge.tui.screens.studio import StudioScreen

    out: dict[str, float] = {}
    start = time.perf_counter()
    session = Session.open(story)
    gc.freeze()  # as `worldforge open` does once the story is loaded
    app = make_app(
        session,
        FakeTextEngine(),
        FakeImageEngine(),
        image_widget=HalfcellImage,
        autosave_seconds=3600,
    )
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.pause(0)
        out["open (in-process)"] = time.perf_counter() - start
        await pilot.pause()
        studio = app.screen
        assert isinstance(studio, StudioScreen)
        session = studio.session
        leaf = max(session.story.scenes, key=lambda sid: len(session.graph.ancestors_path(sid)))

        def edited(revision: int) -> Callable[[], bool]:
            return lambda: session.revision > revision and app.screen is studio

        async def edit(keys: list[str], last: str = "enter") -> float:
            await pilot.press(*keys)
            await pilot.pause()
            return await answered(pilot, last, edited(session.revision))

        studio.go_to(leaf)
        await pilot.pause()
        out["branch"] = await edit(["ctrl+b", *"Bench branch"])
        out["rename"] = await edit(["f2", "end", *"-renamed"])
        out["link"] = await edit(["ctrl+l", *session.story.meta.start, "enter", *"Back home"])
        await pilot.press("f9")
        await pilot.pause()
        app.screen.query_one("#yes").focus()
        await pilot.pause()
        out["delete"] = await answered(pilot, "enter", edited(session.revision))

        studio.go_to(leaf)
        await pilot.pause()
        area = studio.query_one("SceneEditor").text_area
        area.focus()
        area.move_cursor(area.document.end)
        await pilot.pause()
        keys = []
        for char in "the yard voted at dawn and the cranes moved"[:40]:
            name = char if char != " " else "space"
            keys.append(await answered(pilot, name, edited(session.revision)))
        out["keystroke median"] = statistics.median(keys)
    return out


# -- the library: memory per undo step, autosave, check, export ------------------------------------
def undo_memory(story: Path) -> tuple[float, float]:
    """KB kept by the undo history for one branch and for one typed burst."""
    session = Session.open(story)
    leaf = max(session.story.scenes, key=lambda sid: len(session.graph.ancestors_path(sid)))
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    with session.change("Branch") as graph:
        graph.branch(leaf, "Measured branch")
    gc.collect()
    after_branch = tracemalloc.take_snapshot()
    scene = session.story.scenes[leaf]
    with session.change("Edit scene", coalesce=("edit", leaf)):
        edit_text(scene, scene.text + "x")
    gc.collect()
    after_typing = tracemalloc.take_snapshot()
    tracemalloc.stop()

    def kept(a, b) -> float:
        return sum(stat.size_diff for stat in b.compare_to(a, "filename")) / 1024

    return kept(before, after_branch), kept(after_branch, after_typing)


def autosave_one_char(story: Path) -> tuple[float, int]:
    session = Session.open(story)
    scene = session.story.scenes[session.story.meta.start]
    with session.change("Edit scene", coalesce=("edit", scene.id)):
        edit_text(scene, scene.text + "y")
    written: list[str] = []
    seconds = timed(lambda: written.extend(session.save()))
    return seconds, len(written)


def check_seconds(story: Path) -> float:
    command = [sys.executable, "-m", "worldforge", "check", str(story)]
    return timed(lambda: subprocess.run(command, capture_output=True, check=False))


def export_seconds(story: Path) -> float:
    from worldforge.export.book import build_book
    from worldforge.export.html import render_html

    folder = StoryFolder.open(story)
    render_html(build_book(folder, gamebook=True))  # warm-up: templates compile once per process
    return cold_seconds(lambda: render_html(build_book(folder, gamebook=True)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenes", type=int, default=5000)
    parser.add_argument("--skip-tmux", action="store_true", help="leave out the cold start in tmux")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="wf-scale-"))
    env = {
        **os.environ,
        "WORLDFORGE_CONFIG": str(work / "config"),
        "WORLDFORGE_HOME": str(work / "home"),
        "TERM": "xterm-256color",
    }
    os.environ.update({k: env[k] for k in ("WORLDFORGE_CONFIG", "WORLDFORGE_HOME")})
    stories = {"example (8)": EXAMPLE, f"synthetic ({args.scenes})": None}
    rows: dict[str, dict[str, float]] = {}
    for name, source in stories.items():

        def fresh(tag: str, source=source) -> Path:
            target = work / f"{tag}-{len(rows)}"
            if source is None:
                return binary_tree_story(target, args.scenes)
            shutil.copytree(source, target)
            return target

        figures: dict[str, float] = {}
        if not args.skip_tmux and shutil.which("tmux"):
            figures["first frame"], figures["first key after it"] = cold_start(fresh("tmux"), env)
        figures.update(asyncio.run(studio_figures(fresh("pilot"))))
        gc.unfreeze()
        figures["undo KB: branch"], figures["undo KB: typing"] = undo_memory(fresh("undo"))
        figures["autosave 1 char"], figures["files written"] = autosave_one_char(fresh("save"))
        figures["worldforge check"] = check_seconds(fresh("check"))
        rows[name] = figures
    small, large = rows.values()
    print(f"{'figure':<22} {'small':>10} {'large':>10} {'large/small':>12}")
    for key in small:
        a, b = small[key], large[key]
        unit = "" if key.startswith(("undo", "files")) else " s"
        ratio = f"{b / a:>12.2f}" if a else f"{'-':>12}"
        print(f"{key:<22} {a:>10.3f} {b:>10.3f} {ratio}{unit}")
    tenth = export_seconds(binary_tree_story(work / "export-tenth", args.scenes // 10))
    whole = export_seconds(binary_tree_story(work / "export-whole", args.scenes))
    growth = whole / tenth / 10
    print(
        f"export html: {tenth:.3f} s for {args.scenes // 10} scenes, {whole:.3f} s for {args.scenes}: "
        f"growth {growth:.2f} (1.00 = linear)   target <= 1.2"
    )
    print(
        "targets (large story): first frame <= 2 s; graph edit <= 0.3 s and <= 3x small; "
        "keystroke <= 0.02 s; autosave <= 0.05 s; check <= 1 s; undo per branch: kilobytes"
    )


if __name__ == "__main__":
    main()
