"""How export time grows with the size of a story.

Builds synthetic stories of 100, 1,000 and 5,000 scenes (a branching chain, a few distinct
64x64 PNG pictures shared by the scenes, one text and one image provenance record each),
saves each with StoryFolder.create, reopens it, and times only the export functions on the
loaded story: building the book plus rendering HTML (in memory) or writing EPUB (to disk).

Prints CPU seconds per 1,000 scenes and the growth factor against the smallest story,
measured in the same run. Each timing starts with the CPU caches evicted (bench/coldcache.py),
as a user's one export does: timed hot, the small story stays in the cache between runs and
every larger size looks super-linear (the "hot" column shows how much). Target: linear
growth, at most 10 s per 1,000 scenes for HTML.

    python bench/export.py [--sizes 100,1000,5000]
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from coldcache import cold_seconds  # noqa: E402
from PIL import Image  # noqa: E402

from worldforge.core.model import Link, Provenance, Render, Scene, Story, StoryMeta  # noqa: E402
from worldforge.export.book import build_book  # noqa: E402
from worldforge.export.epub import write_epub  # noqa: E402
from worldforge.export.html import render_html  # noqa: E402
from worldforge.export.twee import export_twee  # noqa: E402
from worldforge.store import StoryFolder  # noqa: E402

PARAGRAPH = "The cranes stood still over the harbour while the crowd gathered. " * 6


def pictures(count: int = 6) -> list[bytes]:
    out = []
    for i in range(count):
        image = Image.new("RGB", (64, 64), (40 * i % 256, 90, 200 - 30 * i % 200))
        for x in range(64):
            image.putpixel((x, (x * (i + 1)) % 64), (255, 255, 255))
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        out.append(buffer.getvalue())
    return out


def synthetic_story(root: Path, size: int) -> StoryFolder:
    folder = StoryFolder.create(root, Story(StoryMeta(title=f"Bench {size}", start="s0"), {}))
    rels = [folder.put_image(data) for data in pictures()]
    scenes = {}
    for i in range(size):
        kids = [k for k in (2 * i + 1, 2 * i + 2) if k < size]
        text = f"{PARAGRAPH}\n\n{PARAGRAPH}\n"
        rel = rels[i % len(rels)]
        scenes[f"s{i}"] = Scene(
            id=f"s{i}",
            title=f"Scene {i}",
            text=text,
            links=[Link(to=f"s{k}", label=f"Choice {k}") for k in kids],
            image=rel,
            model_spans=[(len(PARAGRAPH) + 2, len(text) - 1)],
            renders=[Render(image=rel, provenance=f"i{i}", seed=i)],
            provenance=[
                Provenance(
                    id=f"t{i}",
                    kind="text",
                    engine="transformers",
                    model="openai-community/gpt2",
                    license="MIT",
                    flops=1e12,
                    energy_wh=0.01,
                ),
                Provenance(
                    id=f"i{i}",
                    kind="image",
                    engine="diffusers",
                    model="segmind/tiny-sd",
                    license="creativeml-openrail-m",
                    settings={"prompt": "a harbour"},
                    flops=2e13,
                    energy_wh=0.02,
                ),
            ],
        )
    folder.story.scenes = scenes
    folder.save()
    return StoryFolder.open(root)


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,1000,5000")
    sizes = [int(s) for s in parser.parse_args().sizes.split(",")]
    rows = []
    with tempfile.TemporaryDirectory(prefix="wf-bench-") as tmp:
        # warm-up, not timed: template compilation and first imports happen once per process
        warm = synthetic_story(Path(tmp) / "warm-up", 10)
        render_html(build_book(warm, gamebook=True))
        write_epub(build_book(warm, gamebook=True), Path(tmp) / "warm-up.epub")
        for size in sizes:
            folder = synthetic_story(Path(tmp) / f"story-{size}", size)
            out = Path(tmp) / f"book-{size}.epub"
            html_s = cold_seconds(lambda folder=folder: render_html(build_book(folder, gamebook=True)))
            hot_s = min(
                timed(lambda folder=folder: render_html(build_book(folder, gamebook=True))) for _ in range(3)
            )
            epub_s = cold_seconds(
                lambda folder=folder, out=out: write_epub(build_book(folder, gamebook=True), out)
            )
            twee_s = cold_seconds(lambda folder=folder: export_twee(folder.story))
            rows.append((size, html_s, epub_s, twee_s, hot_s))
    base = rows[0]
    print(
        f"{'scenes':>7} {'html s':>8} {'s/1k':>6} {'growth':>7} {'hot':>6} {'epub s':>8} {'s/1k':>6}"
        f" {'growth':>7} {'twee s':>7} {'s/1k':>6}"
    )
    for size, html_s, epub_s, twee_s, hot_s in rows:
        scale = size / base[0]
        print(
            f"{size:>7} {html_s:>8.3f} {1000 * html_s / size:>6.2f} {html_s / base[1] / scale:>7.2f}"
            f" {hot_s / base[4] / scale:>6.2f}"
            f" {epub_s:>8.3f} {1000 * epub_s / size:>6.2f} {epub_s / base[2] / scale:>7.2f}"
            f" {twee_s:>7.3f} {1000 * twee_s / size:>6.2f}"
        )
    print("growth: time ratio to the smallest story divided by the size ratio (1.00 = linear);")
    print("hot: the same for HTML timed again and again with the story still in the CPU caches")
    worst = max(1000 * row[1] / row[0] for row in rows)
    verdict = "ok" if worst <= 10 else "TOO SLOW"
    print(f"HTML: {worst:.2f} s per 1,000 scenes at worst (target <= 10): {verdict}")


if __name__ == "__main__":
    main()
