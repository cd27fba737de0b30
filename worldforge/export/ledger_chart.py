"""The ledger's bar chart as a small SVG for the book's colophon: no script, no fonts, no
links; every label is escaped and loses the characters XML forbids, so the same markup
serves the HTML book and the EPUB's XHTML."""

from __future__ import annotations

from xml.sax.saxutils import escape

from markupsafe import Markup

from worldforge.core.ledger import Chart
from worldforge.export.render import xml_safe

BAR_HEIGHT, GAP, LABEL_WIDTH, BAR_WIDTH, VALUE_WIDTH = 14, 6, 170, 260, 90


def _text(value: str, limit: int = 28) -> str:
    value = value if len(value) <= limit else value[: limit - 1] + "…"
    return escape(xml_safe(value))


def svg_chart(data: Chart) -> Markup:
    """Horizontal bars, one per label, scaled to the largest value."""
    top = max(data.values, default=0.0) or 1.0
    height = len(data.labels) * (BAR_HEIGHT + GAP) + GAP
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    rows = []
    for n, (label, value) in enumerate(zip(data.labels, data.values, strict=True)):
        y = GAP + n * (BAR_HEIGHT + GAP)
        length = max(1.0, BAR_WIDTH * value / top) if value else 0.0
        baseline = y + BAR_HEIGHT - 3
        rows.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{baseline}" text-anchor="end">{_text(label)}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length:.1f}" height="{BAR_HEIGHT}" fill="#7a5c99"/>'
            f'<text x="{LABEL_WIDTH + length + 4:.1f}" y="{baseline}">{value:.3g} {escape(data.unit)}</text>'
        )
    title = escape(xml_safe(data.title))
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="ledger-chart" role="img" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-size="11" '
        f'font-family="sans-serif" aria-label="{title}"><title>{title}</title>{"".join(rows)}</svg>'
    )
