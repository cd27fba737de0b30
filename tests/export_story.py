"""A rich story for the export tests: a branch and a merge, an unreachable scene, lore,
pictures made with Pillow, provenance with compute figures, model spans, hostile text."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from worldforge.core.model import Link, LoreEntry, Provenance, Render, Scene, Story, StoryMeta, World
from worldforge.store import StoryFolder

HOSTILE = "<script>alert(1)</script>"
IFID = "3F2504E0-4F89-11D3-9A0C-0305E82C3301"
SECRET_PROMPT = "secret harbour prompt, kept by the conductor"
SHOWN_PROMPT = "a red harbour at dawn, woodcut"
TEXT_MODEL = "openai-community/gpt2"
IMAGE_MODEL = "segmind/tiny-sd"


def png(color: tuple[int, int, int], size: int = 32) -> bytes:
    image = Image.new("RGB", (size, size), color)
    for x in range(size):  # a diagonal so that pictures are not flat fills
        image.putpixel((x, x), (255 - color[0], 255 - color[1], 255 - color[2]))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def text_record(rid: str, chars: int) -> Provenance:
    return Provenance(
        id=rid,
        kind="text",
        engine="transformers",
        model=TEXT_MODEL,
        revision="607a30d783dfa663caf39e06633721c8d4cfcd7e",
        license="MIT",
        settings={"temperature": 0.8, "max_new_tokens": chars // 4},
        seed=7,
        device="cpu",
        wall_s=2.0,
        tokens=chars // 4,
        flops=1.5e12,
        energy_wh=0.02,
        created="2026-11-20T10:00:00Z",
    )


def image_record(rid: str, prompt: str, hidden: bool = False) -> Provenance:
    return Provenance(
        id=rid,
        kind="image",
        engine="diffusers",
        model=IMAGE_MODEL,
        revision="b8fd6c4f2fc57fb5b4c1a1f1b7b9d0f0d0a0c0e1",
        license="creativeml-openrail-m",
        settings={"prompt": prompt, "steps": 4},
        seed=42,
        device="cpu",
        wall_s=3.0,
        flops=2.5e13,
        energy_wh=0.03,
        created="2026-11-20T10:01:00Z",
        prompt_hidden=hidden,
    )


def illustrated(
    scene: Scene,
    folder: StoryFolder,
    color: tuple[int, int, int],
    prompt: str,
    hidden: bool = False,
    title: str = "",
) -> None:
    rel = folder.put_image(png(color))
    record = image_record(f"img-{scene.id}", prompt, hidden)
    scene.image = rel
    scene.image_title = title
    scene.renders = [*scene.renders, Render(image=rel, provenance=record.id, seed=42)]
    scene.provenance = [*scene.provenance, record]


def build(root: Path) -> StoryFolder:
    """start -> (harbour | hills) -> square -> ending; 'attic' is unreachable."""
    meta = StoryMeta(
        ifid=IFID,
        title="The Red Harbour",
        author="A. Conductor",
        start="start",
        world=World(premise="A port city run by its dock workers.\n\nThe robots are on strike."),
        lore=[
            LoreEntry(id="docks", keys=["docks", "harbour"], text="The docks belong to the union."),
            LoreEntry(id="hostile", keys=[f"key {HOSTILE}"], text=f"Lore with {HOSTILE} inside."),
        ],
    )
    seed = "The fog lifted over the harbour.\nCranes stood still.\n\n"
    model_part = "A siren called the workers to the square."
    start = Scene(
        id="start",
        title="Fog over the harbour",
        text=seed + model_part + "\n",
        links=[Link(to="harbour", label="Go down to the docks"), Link(to="hills", label="Climb the hills")],
        position=(100, 100),
        model_spans=[(len(seed), len(seed) + len(model_part))],
        provenance=[text_record("txt-start", len(model_part))],
        tags=["opening"],
    )
    harbour = Scene(
        id="harbour",
        title=f"Docks {HOSTILE}",
        text=f"The machine wrote {HOSTILE} and <b>bold</b> & more.\n\nSecond paragraph.\n",
        links=[Link(to="square", label="Follow the crowd")],
        model_spans=[(0, 18), (10, 30)],
        provenance=[text_record("txt-harbour", 30)],
    )
    hills = Scene(
        id="hills",
        title="The hills",
        text="From the hills the whole city was visible.\n",
        links=[Link(to="square", label="Run back down")],
        position=(300, 250),
    )
    square = Scene(
        id="square",
        title="The square",
        text="Everyone met in the square: it was {not} [over] yet.\n",
        links=[Link(to="ending")],
        summary="The workers gather.",
    )
    ending = Scene(id="ending", title="Morning", text="The strike held.\n")
    attic = Scene(id="attic", title="The attic", text="Nobody comes here.\n")
    story = Story(meta, {s.id: s for s in (start, harbour, hills, square, ending, attic)})
    folder = StoryFolder.create(root, story)
    illustrated(start, folder, (200, 30, 30), SHOWN_PROMPT, title="The harbour in fog")
    illustrated(harbour, folder, (30, 120, 200), SECRET_PROMPT, hidden=True, title=f"Picture {HOSTILE}")
    illustrated(hills, folder, (40, 160, 60), "green hills over a city")
    illustrated(square, folder, (220, 200, 40), "a crowded square, banners")
    start.candidates = []
    folder.save()
    return StoryFolder.open(root)


PATH_SCENES = ["start", "harbour", "square", "ending"]  # the first-choice path
GAMEBOOK_SCENES = {"start", "harbour", "hills", "square", "ending"}
