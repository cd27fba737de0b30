"""Kill a process in the middle of saving, many times: the story must always load whole."""

from __future__ import annotations

import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from worldforge.store import StoryFolder

SAVER = r"""
import sys
from worldforge.store import StoryFolder

folder = StoryFolder.open(sys.argv[1])
version = int(sys.argv[2])
print("ready", flush=True)
while True:
    version += 1
    for scene in folder.story.scenes.values():
        scene.text = f"v{version}\n" * 3000
    folder.story.meta.world.memory = f"v{version}"
    folder.save()
"""

WHOLE = re.compile(r"^(v\d+\n)\1*$")


def test_sigkill_during_save_never_tears_a_file(story_dir: Path):
    rng = random.Random(1234)
    root = str(Path(__file__).resolve().parents[1])
    versions_seen: set[str] = set()
    for attempt in range(20):
        child = subprocess.Popen(
            [sys.executable, "-c", SAVER, str(story_dir), str(attempt * 1000)],
            stdout=subprocess.PIPE,
            cwd=root,
        )
        assert child.stdout.readline() == b"ready\n"
        time.sleep(rng.uniform(0.0, 0.4))
        child.send_signal(signal.SIGKILL)
        child.wait()

        story = StoryFolder.open(story_dir).story
        for scene in story.scenes.values():
            if scene.text.startswith("v"):
                assert WHOLE.match(scene.text), f"torn scene {scene.id} after kill {attempt}"
                versions_seen.add(scene.text.split("\n", 1)[0])
        assert not list((story_dir / "scenes").glob("*.yaml.*"))
    # the kills landed at different moments, so different versions were seen
    assert len(versions_seen) > 3
