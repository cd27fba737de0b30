"""Streaming text a byte-level tokenizer split inside a character: never a U+FFFD on screen,
and what streamed is always exactly the start of the final text."""

from __future__ import annotations

from pathlib import Path

import pytest

from worldforge.engines.text.protocol import TextSettings
from worldforge.engines.text.streams import CandidateStream

TEXT = "café 🚀 naïve"


def stream_ids(ids: list[int], decode, max_new_tokens: int = 100) -> tuple[list[str], CandidateStream]:
    pieces: list[str] = []
    settings = TextSettings(max_new_tokens=max_new_tokens, stop="tokens")
    stream = CandidateStream(0, decode, settings, None, lambda _index, piece: pieces.append(piece))
    for token in ids:
        if stream.push(token):
            break
    return pieces, stream


@pytest.fixture(scope="module")
def tokenizer(tiny_text_model: Path):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(tiny_text_model)


def test_the_tiny_tokenizer_splits_these_characters_across_tokens(tokenizer) -> None:
    ids = tokenizer.encode(TEXT, add_special_tokens=False)
    partial = [tokenizer.decode(ids[:n]) for n in range(1, len(ids) + 1)]
    assert any(text.endswith("\ufffd") for text in partial)  # the case below is real


def test_streamed_pieces_are_whole_characters(tokenizer) -> None:
    ids = tokenizer.encode(TEXT, add_special_tokens=False)

    def decode(some: list[int]) -> str:
        return tokenizer.decode(some, skip_special_tokens=True, clean_up_tokenization_spaces=False)

    pieces, stream = stream_ids(ids, decode)
    assert "".join(pieces) == TEXT == stream.final_text()
    assert not [piece for piece in pieces if "\ufffd" in piece]
    assert "🚀" in pieces and "é" in pieces


# byte-level BPE merges a whole character with the first bytes of the next one into one
# token (GPT-2 has "Ġð": a space and an emoji's first byte); these ids stand for such tokens
TOKENS = [b"caf", b"\xc3\xa9 \xf0\x9f", b"\x9a\x80", b"!"]


def byte_decode(ids: list[int]) -> str:
    return b"".join(TOKENS[i] for i in ids).decode("utf-8", errors="replace")


def test_the_letters_before_an_incomplete_character_stream_at_once() -> None:
    pieces, _ = stream_ids([0, 1, 2, 3], byte_decode)
    assert pieces == ["caf", "é ", "🚀", "!"]


def test_what_streamed_is_the_final_text_when_generation_stops_mid_character() -> None:
    pieces, stream = stream_ids([0, 1, 2, 3], byte_decode, max_new_tokens=2)
    assert stream.final_text() == "café " and "".join(pieces) == "café "
