"""Picture paths from a story file cannot carry markup or line breaks into an export."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from worldforge.core.model import Scene
from worldforge.export.markdown import _destination


@pytest.mark.parametrize(
    "path",
    [
        "images/a.png>\n\n<script>alert(1)</script>",
        "images/a<b.png",
        'images/a".png',
        "images/a\nb.png",
        "images/a\rb.png",
        "images/a\x1b[31m.png",
        "images/a\u202egnp.exe",
        "images/a\u2028b.png",
        "images/a`b.png",
    ],
)
def test_a_picture_path_with_markup_or_control_characters_is_refused(path):
    with pytest.raises(ValidationError, match="must be 'images/<file>'"):
        Scene(id="s", image=path)


def test_markdown_destinations_are_percent_encoded():
    assert _destination("images/ab12.png") == "images/ab12.png"
    assert _destination("images/pic (1)[x].png") == "images/pic%20%281%29%5Bx%5D.png"
