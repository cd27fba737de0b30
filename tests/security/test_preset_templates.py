"""A shared preset's template is text with one placeholder, never a format program."""

from __future__ import annotations

import pytest

from worldforge.prompting.presets import parse_preset


@pytest.mark.parametrize(
    "template",
    [
        "{subject} {subject.__class__.__mro__}",
        "{subject} {subject:>1000000000}",
        "{subject} {subject!r:>99999999}",
        "{subject} and {0}",
        "{subject} {{literal}}",
        "{subject} }",
    ],
)
def test_a_template_with_anything_but_subject_is_refused(template):
    with pytest.raises(ValueError, match="only the {subject} placeholder"):
        parse_preset(f"template: '{template}'", "evil", "evil.yaml")


def test_the_subject_is_put_in_as_text():
    preset = parse_preset("template: 'woodcut of {subject}, {subject}'", "ok", "ok.yaml")
    assert (
        preset.frame("a {brace} and {subject}")
        == "woodcut of a {brace} and {subject}, a {brace} and {subject}"
    )
