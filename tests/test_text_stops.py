"""Stop rules and trimming of candidates (pure text)."""

from __future__ import annotations

import pytest

from worldforge.engines.text.stops import finish, paragraph_break, stop_now, trim_dangling


@pytest.mark.parametrize(
    ("text", "trimmed"),
    [
        (" He said. She", " He said."),
        (" He said. ", " He said."),
        (' "Go!" she cried. The door', ' "Go!" she cried.'),
        (" Wait... what", " Wait..."),
        (" Really? Yes! And th", " Really? Yes!"),
        (" one line\n two lin", " one line"),
        (" no end at all", " no end at all"),
        ("", ""),
        (" It cost 3.5 coins and", " It cost 3.5 coins and"),
    ],
)
def test_trim_dangling(text, trimmed):
    assert trim_dangling(text) == trimmed


def test_paragraph_rule_stops_at_first_break_after_text():
    assert paragraph_break("\n\n The sea.") is None
    assert paragraph_break(" The sea.\nNext") == 9
    assert stop_now("paragraph", " The sea.\n")
    assert not stop_now("sentence", " The sea.\n")
    assert finish("paragraph", " The sea rose.\n\nThen") == " The sea rose."
    assert finish("paragraph", " The sea rose. Then the") == " The sea rose."


def test_tokens_rule_and_trim_off_keep_raw_text():
    assert finish("tokens", " The sea rose. Then the") == " The sea rose. Then the"
    assert finish("sentence", " The sea rose. Then the", trim=False) == " The sea rose. Then the"
    assert finish("sentence", " The sea rose. Then the") == " The sea rose."
