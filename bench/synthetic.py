"""Synthetic stories of any size for the benchmarks: a binary tree of choices, three
paragraphs of text per scene, written through the story store as a user's folder would be.

    python bench/synthetic.py DIR --scenes 5000
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from worldforge.core.model import Link, Scene, Story, StoryMeta, World  # noqa: E402
from worldforge.store import StoryFolder  # noqa: E402

PARAGRAPHS = (
    "The cranes stood still over the harbour while the crowd gathered under the red banners. "
    "Somebody had painted a sun on the hull of the old mobile suit, and the children climbed it.",
    "Captain Ilse Varga read the council's telegram twice, folded it, and put it in her coat. "
    "The shipyard would vote at dawn; until then every hand belonged to the repair crews.",
    "Down in the dry dock the welders sang an old work song. Sparks fell like slow rain on the "
    "water, and for a moment nobody remembered that the fleet was already on its way.",
)


def binary_tree_story(root: Path, scenes: int) -> Path:
    """A story of `scenes` scenes s0…s(n-1); scene i links to 2i+1 and 2i+2."""
    meta = StoryMeta(
        title=f"Synthetic story of {scenes} scenes",
        start="s0",
        world=World(
            premise="A shipyard commune builds its own giant robot.", memory="The yard is run by its workers."
        ),
    )
    story = Story(meta, {})
    for i in range(scenes):
        kids = [k for k in (2 * i + 1, 2 * i + 2) if k < scenes]
        story.scenes[f"s{i}"] = Scene(
            id=f"s{i}",
            title=f"Scene {i}",
            text="\n\n".join(PARAGRAPHS) + "\n",
            links=[Link(to=f"s{k}", label=f"Choice {k}") for k in kids],
        )
    StoryFolder.create(root, story)
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--scenes", type=int, default=5000)
    args = parser.parse_args()
    print(binary_tree_story(args.directory, args.scenes))


if __name__ == "__main__":
    main()
