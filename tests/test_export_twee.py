"""Twee 3: out to Twine and back, byte-stable, read by independent parsers."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import pytwee

from tests.export_story import HOSTILE, IFID, build
from worldforge.core.errors import StoryError
from worldforge.core.model import Link, Scene, Story, StoryMeta
from worldforge.export.twee import export_twee, import_twee, parse_twee, passage_names
from worldforge.export.twee_syntax import escape, parse_header, parse_link, unescape
from worldforge.store import StoryFolder

JS = Path(__file__).parent / "twee-js"


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return build(tmp_path_factory.mktemp("twee") / "story")


def awkward_story() -> Story:
    """Names and text that stress the notation: metacharacters, duplicates, reserved names."""
    scenes = [
        Scene(
            id="start",
            title="Curly {braces} and back\\slash",
            text=":: not a header\n\\:: nor this\n",
            links=[Link(to="dup-1", label="a <- b | c [x]"), Link(to="dup-2"), Link(to="data")],
            tags=["two words", "x[y]"],
        ),
        Scene(
            id="dup-1",
            title="Same",
            text="Trailing spaces   \n\n\n",
            links=[Link(to="start", label="->back")],
            position=(10, 20),
        ),
        Scene(id="dup-2", title="Same", text="Text with [[fake link]] inside.\n"),
        Scene(id="data", title="StoryData", text=f"{HOSTILE}\n", links=[Link(to="empty")]),
        Scene(id="empty", title="", text="", model_spans=[]),
        Scene(id="arrow", title="A -> B", text="no newline at end"),
    ]
    meta = StoryMeta(title="  Odd\ntitle ", start="start", ifid=IFID)
    return Story(meta, {s.id: s for s in scenes})


def test_header_escaping_follows_the_spec():
    assert escape("a[b]{c}\\d") == "a\\[b\\]\\{c\\}\\\\d"
    assert unescape(escape("a[b]{c}\\d")) == "a[b]{c}\\d"
    assert unescape("\\q") == "q"
    header = parse_header(':: A \\[weird\\] name [t\\]ag other] {"position":"1,2"}', 1)
    assert (header.name, header.tags, header.metadata) == (
        "A [weird] name",
        ["t]ag", "other"],
        {"position": "1,2"},
    )
    bad = parse_header(":: Name {not json", 3)
    assert bad.name == "Name" and bad.metadata == {} and bad.problems


@pytest.mark.parametrize(
    "inner, expected",
    [
        ("Target", ("", "Target")),
        ("go->Target", ("go", "Target")),
        ("a->b->Target", ("a->b", "Target")),
        ("Target<-go", ("go", "Target")),
        ("Target<-a<-b", ("a<-b", "Target")),
        ("go|Target", ("go", "Target")),
        ("go|Target][$x to 1", ("go", "Target")),
    ],
)
def test_link_forms(inner, expected):
    assert parse_link(inner) == expected


def test_round_trip_is_byte_stable_and_keeps_everything(folder, tmp_path):
    first = export_twee(folder.story)
    twee = tmp_path / "out" / "story.twee"
    twee.parent.mkdir()
    twee.write_text(first, encoding="utf-8")
    shutil.copytree(folder.root / "images", twee.parent / "images")
    imported, warnings = import_twee(twee, tmp_path / "back")
    assert warnings == []
    reopened = StoryFolder.open(tmp_path / "back")
    assert reopened.story == folder.story  # ids, model spans, renders, provenance, lore...
    assert export_twee(reopened.story) == first
    image = folder.story.scenes["start"].image
    assert reopened.read_image(image) == folder.read_image(image)


def test_awkward_names_and_text_survive_exactly():
    story = awkward_story()
    first = export_twee(story)
    back = parse_twee(first)
    assert back.story == story
    assert export_twee(back.story) == first
    names = passage_names(story)
    assert len(set(names.values())) == len(names)
    assert names["dup-1"] == "Same" and names["dup-2"] == "Same (2)"
    assert names["data"] == "StoryData (2)" and names["empty"] == "empty"
    assert ":: Curly \\{braces\\} and back\\\\slash [two-words x(y)]" in first
    assert "\n`:: not a header`\n`\\:: nor this`\n" in first


def test_pytwee_reads_the_export(folder):
    text = export_twee(folder.story)
    story = pytwee.Story()
    parser = pytwee.twee3.Parser(story)
    for line in text.split("\n"):
        parser(line)
    del parser
    assert story.title == "The Red Harbour"
    assert str(story.data["ifid"]).upper() == IFID and story.data["format"] == "Harlowe"
    by_name = {p.header.name: p for p in story.passages}
    names = passage_names(folder.story)
    assert set(by_name) == {*names.values(), "StoryWorldforge"}
    assert story.data["start"] == names["start"]
    start = by_name[names["start"]]
    assert start.header.tags == ["opening"] and start.header.metadata["position"] == "100,100"
    assert f"[[Go down to the docks->{names['harbour']}]]" in start.context
    assert by_name["StoryWorldforge"].header.tags == ["Twine.private"]
    json.loads(by_name["StoryWorldforge"].context)


def extwee(path: Path) -> dict:
    if shutil.which("node") is None:
        pytest.skip("node is not installed: the extwee cross-check needs Node.js")
    if not (JS / "node_modules" / "extwee").is_dir():
        pytest.fail("extwee is not installed: run `cd tests/twee-js && npm ci` (`make setup` does it)")
    done = subprocess.run(
        ["node", str(JS / "parse.mjs"), str(path)], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)


@pytest.mark.parametrize("which", ["rich", "awkward"])
def test_extwee_reads_the_export(folder, tmp_path, which):
    story = folder.story if which == "rich" else awkward_story()
    path = tmp_path / "story.twee"
    path.write_text(export_twee(story), encoding="utf-8")
    parsed = extwee(path)
    names = passage_names(story)
    assert parsed["ifid"] == IFID
    assert parsed["start"] == names["start"]
    passages = {p["name"]: p for p in parsed["passages"]}
    # extwee keeps StoryTitle/StoryData as story fields, not passages
    assert set(passages) == {*names.values(), "StoryWorldforge"}
    for sid, name in names.items():
        scene = story.scenes[sid]
        for link in scene.links:
            target = names[link.to]
            assert f"->{target}]]" in passages[name]["text"] or f"[[{target}]]" in passages[name]["text"]
        if scene.position:
            assert passages[name]["metadata"]["position"] == f"{scene.position[0]},{scene.position[1]}"


TWINE_FILE = """\
:: StoryTitle\r
A Twine Story\r
\r
:: StoryData\r
{\r
  "ifid": "d674c58c-defa-4f70-b7a2-27742230c0fc",\r
  "format": "SugarCube",\r
  "start": "The Beginning"\r
}\r
\r
:: Story JavaScript [script]\r
window.x = 1;\r
\r
:: Style [stylesheet]\r
body { color: red; }\r
\r
:: The Beginning [intro] {"position":"600.4,400","size":"100,200"}\r
You wake up. You can [[look around->Room]] or [[Hall<-leave]].\r
\r
[[Garden]]\r
[[Sleep again|The Beginning]]\r
\r
:: Room\r
A room. [[Nowhere]]\r
\r
:: Hall\r
A hall.\r
\r
:: Garden\r
:: A \\[weird\\] name {bad json\r
Odd.\r
"""


def test_import_of_a_file_written_by_twine(tmp_path):
    path = tmp_path / "twine.twee"
    path.write_bytes(TWINE_FILE.encode())
    folder, warnings = import_twee(path, tmp_path / "story")
    story = folder.story
    assert story.meta.title == "A Twine Story"
    assert story.meta.ifid == "D674C58C-DEFA-4F70-B7A2-27742230C0FC"
    assert story.meta.start == "the-beginning"
    assert sorted(story.scenes) == ["a-weird-name", "garden", "hall", "room", "the-beginning"]
    start = story.scenes["the-beginning"]
    assert start.title == "The Beginning" and start.tags == ["intro"] and start.position == (600, 400)
    assert start.text == "You wake up. You can look around or leave.\n"
    assert [(link.to, link.label) for link in start.links] == [
        ("room", "look around"),
        ("hall", "leave"),
        ("garden", ""),
        ("the-beginning", "Sleep again"),
    ]
    assert story.scenes["garden"].text == "" and story.scenes["a-weird-name"].title == "A [weird] name"
    assert any("not valid JSON" in w for w in warnings)
    assert any("'nowhere'" in w for w in warnings)
    assert "window.x" not in str(story.scenes) and "color: red" not in str(story.scenes)


def test_a_passage_edited_in_twine_keeps_the_edit_and_drops_stale_spans(folder):
    text = export_twee(folder.story)
    edited = text.replace("A siren called the workers to the square.", "A bell rang.")
    back = parse_twee(edited)
    start = back.story.scenes["start"]
    assert start.text.endswith("A bell rang.\n") and start.model_spans == []
    assert start.provenance == folder.story.scenes["start"].provenance  # records are kept
    assert back.story.scenes["harbour"].model_spans == folder.story.scenes["harbour"].model_spans
    assert any("edited outside worldforge" in w for w in back.warnings)


def test_bad_twee_gives_clear_errors(tmp_path):
    with pytest.raises(StoryError, match="two passages are named 'A'") as info:
        parse_twee(":: A\nx\n\n:: A\ny\n", "f.twee")
    assert info.value.line == 4
    with pytest.raises(StoryError, match="no story passages"):
        parse_twee("just text\n")
    (tmp_path / "bin.twee").write_bytes(b"\xff\xfe::")
    with pytest.raises(StoryError, match="UTF-8"):
        import_twee(tmp_path / "bin.twee", tmp_path / "x")
