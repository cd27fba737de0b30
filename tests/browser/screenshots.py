"""Screenshots compared with stored PNGs, with a tolerance for how machines draw letters.

Two machines with the same Chromium and fonts still differ in anti-aliasing and sub-pixel
glyph placement; a moved picture, a reflowed paragraph or a lost style changes whole
regions. So both pictures are reduced 4x (each pixel the mean of a 4x4 block, which
averages the edge noise of glyphs away) and the test fails when more than TOLERANCE of
the reduced pixels differ by more than THRESHOLD grey levels.

To accept a change of the book's look deliberately: run the browser tests with
WORLDFORGE_UPDATE_SCREENSHOTS=1, look at every rewritten PNG in tests/browser/screenshots/,
and commit them. A failing comparison leaves the new picture and the difference beside the
test's temporary folder, named in the failure.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

from PIL import Image, ImageChops

STORED = Path(__file__).parent / "screenshots"
UPDATE = os.environ.get("WORLDFORGE_UPDATE_SCREENSHOTS") == "1"
REDUCE = 4
THRESHOLD = 40
TOLERANCE = 0.01


def changed_share(a: Image.Image, b: Image.Image) -> float:
    """The share of the (reduced) picture where `a` and `b` differ visibly."""
    small_a, small_b = (im.convert("L").reduce(REDUCE) for im in (a, b))
    histogram = ImageChops.difference(small_a, small_b).histogram()
    return sum(histogram[THRESHOLD:]) / (small_a.width * small_a.height)


def check_screenshot(png: bytes, name: str, scratch: Path) -> None:
    stored = STORED / f"{name}.png"
    if UPDATE:
        STORED.mkdir(exist_ok=True)
        stored.write_bytes(png)
        return
    assert stored.is_file(), (
        f"no stored {stored.name}: run with WORLDFORGE_UPDATE_SCREENSHOTS=1 and look at it"
    )
    actual = Image.open(io.BytesIO(png)).convert("RGB")
    expected = Image.open(stored).convert("RGB")
    assert actual.size == expected.size, f"{name}: {actual.size} px, stored {expected.size} px"
    share = changed_share(actual, expected)
    if share > TOLERANCE:
        actual.save(scratch / f"{name}.png")
        ImageChops.difference(actual, expected).save(scratch / f"{name}-difference.png")
        raise AssertionError(
            f"{name} differs from the stored screenshot in {share:.1%} of the page (tolerance "
            f"{TOLERANCE:.0%}); see {scratch}. If the change is meant, update the screenshots "
            "(WORLDFORGE_UPDATE_SCREENSHOTS=1) and look at them before committing."
        )
