"""A small branching story with lore, built in code for the text tests."""

from __future__ import annotations

from worldforge.core.graph import StoryGraph
from worldforge.core.model import LoreEntry, Scene, Story, StoryMeta, World

LORE = [
    LoreEntry(id="mara", keys=["Mara"], text="Mara keeps the lamps of the harbour workshop."),
    LoreEntry(id="machine", keys=["machine", "robot"], text="The machine was found under the lighthouse."),
    LoreEntry(id="lighthouse", keys=["lighthouse"], text="The lighthouse has been dark for forty years."),
    LoreEntry(id="keeper", keys=["forty years"], text="The last keeper left with the ships."),
    LoreEntry(
        id="council",
        keys=["council"],
        secondary_keys=["letter", "decree"],
        text="The council answers to the company.",
    ),
    LoreEntry(id="company", keys=["company"], text="The company wants to buy the harbour."),
    LoreEntry(id="ships", keys=["ships"], text="The ships never came back."),
    LoreEntry(id="fog", keys=["fog"], text="Fog rolls in every evening."),
]


def make_story() -> Story:
    meta = StoryMeta(
        title="The Harbour",
        start="start",
        world=World(
            memory="A story of a harbour town and its patient machine.",
            authors_note="Quiet, warm, a little sad.",
            authors_note_depth=1,
        ),
        lore=LORE,
    )
    start = Scene(
        id="start", title="The workshop", text="Mara kept the lamps lit.\nThe machine hummed in its corner.\n"
    )
    story = Story(meta, {"start": start})
    graph = StoryGraph(story)
    graph.branch(
        "start",
        "The letter",
        "In the morning the council sent a letter.\nMara read it twice.",
        label="Read the letter",
    )
    graph.branch("start", "The sea", "She walked to the pier.\nThe water was grey.", label="Walk out")
    return story
