"""A hand-edited StoryWorldforge passage must give warnings or clear errors, never tracebacks."""

from __future__ import annotations

import re

from worldforge.export import export_twee, parse_twee


def test_malformed_worldforge_entries_are_ignored_with_warnings(story):
    text = export_twee(story)
    broken = re.sub(r'"twee":\{[^}]*\}', '"twee":5', text, count=1)
    broken = re.sub(r'"Left Hall": \{.*\},?\n', '"Left Hall": "oops",\n', broken, count=1)
    result = parse_twee(broken)
    assert {"start", "left-hall", "finale"} <= set(result.story.scenes)
    assert any("'Left Hall' is not an object" in w for w in result.warnings)
