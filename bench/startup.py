"""Cold start to first frame of the studio, as a person sees it, against a bare Textual app.

Each command runs in a fresh tmux window; the clock stops when the expected text is on the
screen (capture-pane polling every 10 ms). Prints seconds for each and the ratio.
Usage: python bench/startup.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BARE_APP = """
from textual.app import App
from textual.widgets import Static
class Bare(App):
    def compose(self):
        yield Static("bare textual app ready")
Bare().run()
"""


def first_frame(command: str, expect: str, env: dict[str, str], timeout: float = 30.0) -> float:
    session = f"wfbench{os.getpid()}"
    start = time.perf_counter()
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "35", command],
        check=True,
        env=env,
    )
    try:
        while time.perf_counter() - start < timeout:
            screen = subprocess.run(
                ["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True
            ).stdout
            if expect in screen:
                return time.perf_counter() - start
            time.sleep(0.01)
        raise TimeoutError(f"{expect!r} never appeared for: {command}")
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if not shutil.which("tmux"):
        sys.exit("tmux is needed (apt-get install tmux)")
    work = Path(tempfile.mkdtemp())
    story = work / "sg"
    shutil.copytree(ROOT / "stories" / "socialist-gundam", story)
    env = {**os.environ, "WORLDFORGE_CONFIG": str(work / "config"), "TERM": "xterm-256color"}
    bare_file = work / "bare.py"
    bare_file.write_text(BARE_APP)
    py = sys.executable
    studio_cmd = f"{py} -m worldforge open {story} --engine tiny --image-engine tiny"
    bare, studio = [], []
    for _ in range(args.runs):
        bare.append(first_frame(f"{py} {bare_file}", "bare textual app ready", env))
        studio.append(first_frame(studio_cmd, "Story map", env))
    b, s = statistics.median(bare), statistics.median(studio)
    print(f"bare Textual app, first frame: {b:.2f} s (median of {args.runs})")
    print(f"worldforge studio, first frame: {s:.2f} s (median of {args.runs})")
    print(f"ratio studio/bare: {s / b:.2f}   target: studio <= 1.0 s")


if __name__ == "__main__":
    main()
