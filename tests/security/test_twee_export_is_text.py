"""Twee exports carry story text to Twine as text: no HTML, script, macro or variable of a
model or an imported file runs in Harlowe, and no scene tag turns a scene into code.

What Harlowe would run is judged here by its own verbatim rule (a run of backticks, the
text, the same run; whitespace next to the marks trimmed). tests/browser/test_twee_in_twine.py
plays the export in Harlowe itself (compiled by extwee, in Chromium).
"""

from __future__ import annotations

import re

import pytest

from worldforge.core.model import Link, Scene, Story, StoryMeta
from worldforge.export.twee import export_twee, parse_twee
from worldforge.export.twee_syntax import parse_passages

HOSTILE_LINES = [
    "<script>alert(1)</script>",
    '<a href="javascript:alert(1)">click</a>',
    '(open-url: "https://evil.example/")',
    '(link-goto: "Take the money", "Vault")',
    "Your password is $password and _temp.",
    "''bold'' //italic// *em* ^^sup^^ ~~strike~~",
    "|hook>[hidden text] and {collapsed}",
    "<!-- an HTML comment that swallows the rest",
    "`(print: 1)` and ``` ``(alert:)`` ```",
    "`",
    "ends with a backtick `",
    "[[Not a link->Vault]]",
    ":: Not a header",
    "# Not a heading",
    "==> not aligned",
    "---",
    "0. not a list",
    "a line continued \\",
    "&lt;script&gt; stays as typed",
]
# Harlowe's verbatim markup, as its lexer reads it
_VERBATIM = re.compile(r"(`+)\s*([\s\S]*?[^`])\s*\1(?!`)")
_LINK_LINE = re.compile(r"\[\[[^\]]*\]\]")


def hostile_story(tags: list[str] | None = None) -> Story:
    story = Story(StoryMeta(title="Hostile", start="start", ifid="3F2504E0-4F89-11D3-9A0C-0305E82C3301"))
    story.scenes["start"] = Scene(
        id="start",
        title="Start",
        text="Plain prose stays readable.\n" + "\n".join(HOSTILE_LINES) + "\n",
        links=[Link(to="vault", label='(open-url: "https://evil.example/") go'), Link(to="end", label="On")],
        tags=tags or [],
    )
    story.scenes["vault"] = Scene(id="vault", title="Vault", text="Gold.\n")
    story.scenes["end"] = Scene(id="end", title="End", text="The end.\n")
    return story


def shown_by_harlowe(line: str) -> str | None:
    """The text Harlowe shows for a line that is one verbatim span, else None."""
    match = _VERBATIM.fullmatch(line.strip())
    return match.group(2) if match else None


def test_every_hostile_line_reaches_twine_as_one_verbatim_span():
    passage = parse_passages(export_twee(hostile_story()))[2]
    lines = passage.body.split("\n")
    assert lines[0] == "Plain prose stays readable."
    for hostile, written in zip(HOSTILE_LINES, lines[1:], strict=False):
        shown = shown_by_harlowe(written)
        # a line ending in a backtick is padded with a space, which Harlowe shows after it
        assert shown is not None and shown.rstrip() == hostile.strip(), written


def test_worldforge_links_stay_links_and_their_labels_are_text():
    body = parse_passages(export_twee(hostile_story()))[2].body
    links = [line for line in body.split("\n") if _LINK_LINE.fullmatch(line)]
    assert links == ['[[`(open-url: "https://evil.example/") go`->Vault]]', "[[On->End]]"]


def test_hostile_text_round_trips_exactly_and_adds_no_links():
    story = hostile_story()
    text = export_twee(story)
    back = parse_twee(text).story
    assert back == story
    # without the exact values kept in StoryWorldforge, the passages alone say the same
    plain = parse_twee(text.split(":: StoryWorldforge")[0]).story.scenes["start"]
    assert plain.text == story.scenes["start"].text
    assert [link.to for link in plain.links] == ["vault", "end"]


def test_lines_written_by_older_exports_are_still_read():
    old = (
        ':: StoryData\n{"ifid": "3F2504E0-4F89-11D3-9A0C-0305E82C3301"}\n\n:: Start\n\\:: kept\n`x` and `y`\n'
    )
    assert parse_twee(old).story.scenes["start"].text == ":: kept\n`x` and `y`\n"


@pytest.mark.parametrize(
    "tag",
    ["script", "stylesheet", "Twine.private", "twine.anything", "SCRIPT", "header", "startup", "widget"],
)
def test_a_reserved_scene_tag_never_makes_a_code_passage_and_survives_the_round_trip(tag):
    story = hostile_story(tags=[tag, "opening"])
    text = export_twee(story)
    start = next(p for p in parse_passages(text) if p.name == "Start")
    assert start.tags == [f"scene-{tag}", "opening"]
    assert parse_twee(text).story == story
