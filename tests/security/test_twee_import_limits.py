"""A hand-made Twee file gives warnings or clear errors, never a traceback, and never a story
that cannot be opened again."""

from __future__ import annotations

import pytest

from worldforge.core.errors import StoryError
from worldforge.export.twee import import_twee, parse_twee
from worldforge.store import StoryFolder

IFID = "3F2504E0-4F89-11D3-9A0C-0305E82C3301"


def twee(data: str = f'{{"ifid": "{IFID}"}}', start: str = ":: Start", extras: str = "") -> str:
    text = f":: StoryTitle\nHostile\n\n:: StoryData\n{data}\n\n{start}\nOnce.\n"
    return text + (f"\n:: StoryWorldforge [Twine.private]\n{extras}\n" if extras else "")


DEEP = "[" * 100_000 + "]" * 100_000


@pytest.mark.parametrize(
    "text, warning",
    [
        (twee(data=DEEP), "StoryData is not valid JSON (nested too deeply)"),
        (twee(extras=f'{{"scenes": {DEEP}}}'), "StoryWorldforge is not valid JSON (nested too deeply)"),
        (twee(start=":: Start " + "{" * 50_000 + "}" * 50_000), "metadata is not valid JSON"),
        (twee(data='{"ifid": ' + "9" * 5000 + "}"), "StoryData is not valid JSON (Exceeds the limit"),
        (twee(data=f'{{"ifid": "{"1" * 5000}"}}'), "StoryData has no valid ifid"),
    ],
    ids=["deep-data", "deep-extras", "deep-metadata", "long-int", "long-ifid"],
)
def test_hostile_json_gives_warnings(text, warning):
    result = parse_twee(text)
    assert any(warning in w for w in result.warnings), result.warnings
    assert list(result.story.scenes) == ["start"]


@pytest.mark.parametrize("position", ["1e400,2", "nan,1", "-inf,0", "1,2,3", "2e9,0"])
def test_a_position_out_of_range_is_ignored(position):
    scene = parse_twee(twee(start=f':: Start {{"position": "{position}"}}')).story.scenes["start"]
    assert scene.position is None


def test_a_summary_too_long_to_load_is_refused_on_import(tmp_path):
    source = tmp_path / "big.twee"
    source.write_text(twee(extras='{"scenes": {"Start": {"summary": "' + "x" * 2_000_000 + '"}}}'))
    with pytest.raises(StoryError, match="the limit is 1,048,576: nothing was saved"):
        import_twee(source, tmp_path / "story")


def test_a_scene_too_large_to_load_is_never_saved(story_dir):
    folder = StoryFolder.open(story_dir)
    before = (story_dir / "scenes" / "start.yaml").read_bytes()
    folder.story.scene("start").summary = "x" * 2_000_000
    with pytest.raises(StoryError, match="scenes/start.yaml would be"):
        folder.save()
    assert (story_dir / "scenes" / "start.yaml").read_bytes() == before
    StoryFolder.open(story_dir)
