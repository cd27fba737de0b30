"""Every kind of broken story gives one clear message naming the file, and changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from worldforge.cli import cli
from worldforge.core.errors import StoryError
from worldforge.store import StoryFolder

from .support import snapshot

BILLION_LAUGHS = (
    'a: &a ["x","x","x","x","x","x","x","x","x"]\n'
    "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
    "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
    "e: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
)

# (file to break, new content, words the message must contain, line or None)
CASES = {
    "malformed-yaml": ("scenes/start.yaml", b"id: start\ntitle: [unclosed\n", "malformed YAML", 3),
    "wrong-type": ("scenes/start.yaml", b"id: start\ntitle: Start\nlinks: 12\n", "links", 3),
    "wrong-nested-type": (
        "scenes/start.yaml",
        b"id: start\ntitle: Start\nlinks:\n- to: left-hall\n  label: [1, 2]\n",
        "links.0.label",
        5,
    ),
    "unknown-key": ("scenes/start.yaml", b"id: start\ntitle: Start\ncolour: red\n", "unknown key", 3),
    "not-a-mapping": ("scenes/start.yaml", b"- just\n- a list\n", "expected a mapping", 1),
    "id-mismatch": ("scenes/start.yaml", b"title: Start\nid: other\n", "file name must be", 2),
    "duplicate-id": ("scenes/a-copy.yaml", b"id: start\ntitle: Again\n", "duplicate scene id 'start'", 1),
    "image-escape": ("scenes/start.yaml", b"id: start\ntitle: S\nimage: ../../etc/passwd\n", "images/", 3),
    "image-absolute": ("scenes/start.yaml", b"id: start\ntitle: S\nimage: /etc/passwd\n", "images/", 3),
    "bad-scene-id": ("scenes/start.yaml", b"id: ../start\ntitle: S\n", "not a valid id", 1),
    "non-utf8": ("scenes/start.yaml", b"id: start\ntitle: caf\xe9\n", "UTF-8", 2),
    "alias-bomb": ("scenes/start.yaml", BILLION_LAUGHS.encode(), "aliases", 1),
    "huge-field": (
        "scenes/start.yaml",
        b"id: start\ntitle: S\ntext: " + b"x" * 3_000_000 + b"\n",
        "limit",
        None,
    ),
    "empty": ("scenes/start.yaml", b"", "empty", None),
    "binary": ("scenes/start.yaml", b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary", None),
    "story-unknown-key": (
        "story.yaml",
        b"schema_version: 1\ntitle: T\nstart: start\nsequel: yes\n",
        "unknown key",
        4,
    ),
    "story-no-version": ("story.yaml", b"title: T\nstart: start\n", "schema_version", None),
    "story-bad-ifid": ("story.yaml", b"schema_version: 1\nifid: nope\ntitle: T\nstart: start\n", "UUID", 2),
    "story-bad-settings": (
        "story.yaml",
        b"schema_version: 1\ntitle: T\nstart: start\ntext_settings:\n  candidates: four\n",
        "text_settings.candidates",
        5,
    ),
    "story-unknown-setting": (
        "story.yaml",
        b"schema_version: 1\ntitle: T\nstart: start\nimage_settings:\n  stepz: 4\n",
        "unknown key",
        5,
    ),
    "scene-dir-entry": ("scenes/notes.txt", b"hello", "unexpected entry", None),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_gives_one_clear_message_and_changes_nothing(story_dir: Path, case: str):
    rel, content, words, line = CASES[case]
    target = story_dir / rel
    target.write_bytes(content)
    before = snapshot(story_dir)

    with pytest.raises(StoryError) as err:
        StoryFolder.open(story_dir)
    assert words.lower() in err.value.message.lower()
    assert err.value.path is not None and err.value.path.name in (target.name, "start.yaml")
    if line is not None:
        assert err.value.line == line

    result = CliRunner().invoke(cli, ["check", str(story_dir)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert err.value.path.name in lines[0]
    assert snapshot(story_dir) == before


def test_link_to_missing_scene_is_invalid_but_loads(story_dir: Path):
    path = story_dir / "scenes" / "finale.yaml"
    path.write_text("id: finale\ntitle: Finale\nlinks:\n- to: nowhere\n")
    result = CliRunner().invoke(cli, ["check", str(story_dir)])
    assert result.exit_code == 2
    assert "'finale' links to missing scene 'nowhere'" in result.output


def test_missing_story_folder(tmp_path: Path):
    result = CliRunner().invoke(cli, ["check", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert result.output.startswith("error: ") and "not a folder" in result.output


def test_symlinked_scene_outside_the_folder_is_refused(story_dir: Path, tmp_path: Path):
    outside = tmp_path / "outside.yaml"
    outside.write_text("id: sneaky\ntitle: Sneaky\n")
    (story_dir / "scenes" / "sneaky.yaml").symlink_to(outside)
    with pytest.raises(StoryError, match="outside the story folder"):
        StoryFolder.open(story_dir)


_reference: dict[str, bytes] = {}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    file=st.sampled_from(["story.yaml", "scenes/start.yaml", "scenes/the-nave.yaml"]),
    edits=st.lists(
        st.tuples(st.integers(min_value=0, max_value=10_000), st.integers(0, 8), st.binary(max_size=8)),
        min_size=1,
        max_size=4,
    ),
)
def test_random_edits_load_or_fail_cleanly(story_dir: Path, file: str, edits):
    target = story_dir / file
    if file not in _reference:
        _reference[file] = target.read_bytes()
    data = bytearray(_reference[file])
    for pos, cut, insert in edits:
        pos %= len(data) + 1
        data[pos : pos + cut] = insert
    target.write_bytes(bytes(data))
    before = snapshot(story_dir)
    try:
        folder = StoryFolder.open(story_dir)
    except StoryError as err:
        assert err.path is not None and err.message
    else:
        assert folder.story.meta.title
    assert snapshot(story_dir) == before
    target.write_bytes(_reference[file])
