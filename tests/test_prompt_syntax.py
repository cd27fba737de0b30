"""Prompt weights: A1111's and compel's syntax read into one form, mistakes located."""

from __future__ import annotations

import pytest

from worldforge.core.prompt_syntax import PromptSyntaxError, parse_prompt


def pairs(text: str) -> list[tuple[str, float]]:
    return [(f.text, round(f.weight, 4)) for f in parse_prompt(text).fragments]


# the examples of AUTOMATIC1111's own parser (modules/prompt_parser.py, parse_prompt_attention)
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("normal text", [("normal text", 1.0)]),
        ("an (important) word", [("an ", 1.0), ("important", 1.1), (" word", 1.0)]),
        ("\\(literal\\]", [("(literal]", 1.0)]),
        ("(unnecessary)(parens)", [("unnecessaryparens", 1.1)]),
        (
            "a ((house:1.3)) [on] a (hill:0.5), sun, (((sky))).",
            [
                ("a ", 1.0),
                ("house", 1.43),
                (" ", 1.0),
                ("on", 0.9091),
                (" a ", 1.0),
                ("hill", 0.5),
                (", sun, ", 1.0),
                ("sky", 1.331),
                (".", 1.0),
            ],
        ),
    ],
)
def test_a1111_emphasis_reads_as_a1111_reads_it(text, expected):
    assert pairs(text) == expected


def test_compel_weights_work_too():
    assert pairs("grey-streaked hair++, rust-red") == [
        ("grey-streaked ", 1.0),
        ("hair", 1.21),
        (", rust-red", 1.0),
    ]
    assert pairs("(red door)1.5 and (moon)--") == [("red door", 1.5), (" and ", 1.0), ("moon", 0.81)]
    # a hyphen inside a word or a dash between words is text
    assert pairs("knee-deep - rain") == [("knee-deep - rain", 1.0)]


def test_break_starts_a_new_section_and_compel_gets_an_and():
    parsed = parse_prompt("a cat (sitting:1.2) BREAK oil painting")
    assert [[f.text for f in s] for s in parsed.sections] == [["a cat ", "sitting"], ["oil painting"]]
    assert parsed.to_compel() == '("a cat (sitting)1.2", "oil painting").and()'
    assert parse_prompt("BREAKING news").to_compel() == "BREAKING news"


def test_compel_form_escapes_what_compel_would_read_as_syntax():
    assert parse_prompt('a \\(sign\\) saying "hi", (moon:0.5)').to_compel() == (
        'a \\(sign\\) saying \\"hi\\", (moon)0.5'
    )
    assert parse_prompt("(portrait: a woman)").to_compel() == "(portrait: a woman)1.1"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("(face:1.3.2)", "column 7: weight '1.3.2' is not a number"),
        ("a (face", "column 3: '(' is never closed"),
        ("face)", "column 5: ')' closes nothing"),
        ("(face:)", "column 7: '(words:)' has no weight after the colon"),
        ("[a)", "column 3: ')' closes a '['"),
        ("(x:-1)", "column 4: weight -1 must be a number from 0 to 10"),
        ("(x:99)", "column 4: weight 99 is above 10"),
        ("ok BREAK (bad:1,3)", "column 15: weight '1,3' is not a number"),
    ],
)
def test_a_malformed_weight_is_a_clear_error_naming_where(text, message):
    with pytest.raises(PromptSyntaxError) as caught:
        parse_prompt(text, "lore entry 'mayday' visual")
    assert str(caught.value).startswith(f"lore entry 'mayday' visual, {message}")
