"""The whole prompt reaches the text encoder, in the chunks the prompt report shows."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from PIL import Image
from sd_parsers import ParserManager

from tests.image_support import tiny_settings
from worldforge import conductor
from worldforge.conductor.picture import picture_png
from worldforge.core.prompt_syntax import parse_prompt
from worldforge.engines.image.clip_vocab import clip_tokenizer
from worldforge.store import StoryFolder

EXAMPLE = Path(__file__).resolve().parents[1] / "stories" / "socialist-gundam"


@pytest.fixture
def encoder_calls(tiny_image):
    """The token ids of every chunk the text encoder is given while the test runs."""
    calls: list[list[int]] = []
    encoder = tiny_image._pipes[("final", False)].text_encoder

    def record(_module, args, kwargs):
        ids = args[0] if args else kwargs["input_ids"]
        calls.extend(row.tolist() for row in ids)

    handle = encoder.register_forward_pre_hook(record, with_kwargs=True)
    yield calls
    handle.remove()


def content(tokenizer, ids: list[int]) -> list[str]:
    """A chunk's tokens without its start marker, end marker and padding."""
    body = ids[1:]
    return tokenizer.convert_ids_to_tokens(body[: body.index(tokenizer.eos_token_id)])


def test_a_render_encodes_every_chunk_the_report_shows(tiny_image, encoder_calls, tmp_path):
    shutil.copytree(EXAMPLE, tmp_path / "story")
    folder = StoryFolder.open(tmp_path / "story")
    settings = tiny_settings(candidates=1)
    batch = conductor.render(folder, "dry-dock", tiny_image, settings)
    tokenizer = tiny_image._pipes[("final", False)].tokenizer
    received = [content(tokenizer, ids) for ids in encoder_calls]
    assert len(received) > 1  # more than one 77-token chunk reached the encoder
    assert received == [chunk.tokens for chunk in batch.report.chunks]
    text = "".join(t.removesuffix("</w>") for chunk in received for t in chunk)
    for keyword in folder.story.meta.world.style:
        assert keyword.replace(" ", "") in text


def test_the_report_chunks_as_compel_does_with_clip_s_own_tokenizer():
    from compel import Compel

    story = StoryFolder.open(EXAMPLE).story
    report = conductor.picture_prompt(story, "dry-dock", None)
    tokenizer = clip_tokenizer()
    # the tokenizer side of compel only: no text encoder is run
    compel = Compel(tokenizer=tokenizer, text_encoder=None, truncate_long_prompts=False, device="cpu")
    parsed = compel.parse_prompt_string(parse_prompt(report.prompt).to_compel()).prompts[0]
    ids, _, _ = compel.conditioning_provider.get_token_ids_and_expand_weights(
        [f.text for f in parsed.children], [f.weight for f in parsed.children], device="cpu"
    )
    chunks = [content(tokenizer, ids[i : i + 77].tolist()) for i in range(0, len(ids), 77)]
    assert chunks == [chunk.tokens for chunk in report.chunks]
    assert len(chunks) == 4


def test_candidates_share_one_encoding_of_the_prompt(tiny_image, encoder_calls):
    prompt = "a lighthouse, " * 20
    tiny_image.generate(prompt, tiny_settings(candidates=1))
    once = len(encoder_calls)
    encoder_calls.clear()
    tiny_image.generate(prompt, tiny_settings(candidates=3))
    assert len(encoder_calls) == once > 1


def test_weighted_prompts_render_and_the_weight_changes_the_picture(tiny_image):
    plain = tiny_image.generate("a red door, night", tiny_settings(seed=3))[0]
    weighted = tiny_image.generate("a (red door:1.6), [night]", tiny_settings(seed=3))[0]
    again = tiny_image.generate("a (red door:1.6), [night]", tiny_settings(seed=3))[0]
    assert picture_png(weighted) != picture_png(plain)
    assert picture_png(weighted) == picture_png(again)
    assert weighted.record.settings["prompt"] == "a (red door:1.6), [night]"


def test_a_long_negative_prompt_is_padded_to_the_prompt_s_length(tiny_image):
    settings = tiny_settings(guidance=2.0, negative_prompt="blurry, " * 30, seed=4)
    result = tiny_image.generate("a (boat:1.2) BREAK at sea", settings)[0]
    assert result.image.size == (64, 64)


def test_the_prompt_as_written_is_what_a1111_and_sd_parsers_read_back(tiny_image):
    prompt = "a (lighthouse keeper:1.3), [fog], waves++ BREAK oil on canvas"
    negative = "(blurry:1.2), text"
    settings = tiny_settings(seed=8, guidance=1.5, negative_prompt=negative)
    png = picture_png(tiny_image.generate(prompt, settings)[0])
    with Image.open(io.BytesIO(png)) as image:
        image.load()
        parameters = image.text["parameters"]
        info = ParserManager().parse(image)
    # A1111's infotext: the prompt line as written, then "Negative prompt: ", then the settings
    assert parameters.startswith(f"{prompt}\nNegative prompt: {negative}\nSteps: ")
    assert info is not None and info.generator.name == "AUTOMATIC1111"
    assert info.full_prompt == prompt and info.full_negative_prompt == negative
    assert parse_prompt(info.full_prompt).fragments == parse_prompt(prompt).fragments
