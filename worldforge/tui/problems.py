"""The status line's problem count, worked out off the edit path.

`check_story` walks the whole graph (cycles included): at thousands of scenes that is tens of
milliseconds, too much for every keystroke or edit. The studio waits for a pause in the
editing, takes the story's shape (`story_shape`: ids, titles, links and pictures, a few
milliseconds) and counts in a thread worker, which may take its time while the writer goes
on editing the live story.
"""

from __future__ import annotations

from worldforge.core.checks import check_story
from worldforge.core.graph import StoryGraph
from worldforge.core.model import Link, Scene, Story, StoryMeta

Shape = tuple[StoryMeta, list[tuple[str, str, list[Link], str | None]]]


def story_shape(story: Story) -> Shape:
    """What the checks read, copied so that later edits of the live story cannot change it
    under a worker thread (plain tuples: making Scene objects here would cost the edit path)."""
    meta = story.meta.model_copy(
        update={"reading_path": list(story.meta.reading_path), "lore": list(story.meta.lore)}
    )
    return meta, [(sid, s.title, list(s.links), s.image) for sid, s in story.scenes.items()]


def problem_summary(shape: Shape) -> str:
    """The status line's summary, "2 errors, 1 warnings"; "" when the checks find neither."""
    meta, rows = shape
    blank = Scene(id="scene", title="")
    scenes = {
        sid: blank.model_copy(update={"id": sid, "title": title, "links": links, "image": image})
        for sid, title, links, image in rows
    }
    problems = check_story(StoryGraph(Story(meta, scenes)))
    errors = sum(p.severity == "error" for p in problems)
    warnings = sum(p.severity == "warning" for p in problems)
    return f"{errors} errors, {warnings} warnings" if errors or warnings else ""
