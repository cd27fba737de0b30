"""`worldforge models`: what text models are known, cached, and how to get them."""

from __future__ import annotations

import click

from worldforge.cli.output import echo


@click.group()
def models() -> None:
    """List, download and build models."""


@models.command("list")
def list_models() -> None:
    """Presets with their licenses, and whether their weights are on this machine."""
    from worldforge.engines.text.presets import DEFAULT_TEXT_PRESET, TINY_TEXT_LICENSE
    from worldforge.engines.text.registry import preset_status
    from worldforge.engines.tiny import TINY_BUILDERS

    echo("text presets:")
    for status in preset_status():
        p = status.preset
        mark = "✓ cached" if status.cached else "· not downloaded"
        default = " (default)" if p.name == DEFAULT_TEXT_PRESET else ""
        echo(f"  {p.name:<12} {p.model_id:<30} {p.parameters:>5}  {mark}{default}")
        echo(f"  {'':<12} license: {p.license}; {p.note}")
    _list_image_presets()
    echo("tiny offline models (`worldforge models tiny`):")
    for builder in TINY_BUILDERS:
        path = builder.path()
        mark = f"✓ built at {path}" if path.is_dir() else "· not built"
        echo(f"  {builder.name:<24} {mark}")
    echo(f"  license: {TINY_TEXT_LICENSE}")


def _list_image_presets() -> None:
    from worldforge.engines.image.presets import DEFAULT_IMAGE_PRESET, IMAGE_PRESETS, TAESD, TAESD_LICENSE
    from worldforge.engines.image.registry import is_cached

    echo("image presets:")
    for p in IMAGE_PRESETS.values():
        mark = "✓ cached" if is_cached(p.model) else "· not downloaded"
        default = " (default)" if p.name == DEFAULT_IMAGE_PRESET else ""
        echo(f"  {p.name:<12} {p.model:<44} {mark}{default}")
        echo(f"  {'':<12} steps {p.steps}, guidance {p.guidance:g}, {p.width}x{p.height}; {p.description}")
        echo(f"  {'':<12} license: {p.license}")
    echo(f"  previews and draft quality: {TAESD} (license: {TAESD_LICENSE})")


def _is_image_model(name: str) -> bool:
    from worldforge.engines.image.presets import IMAGE_PRESETS

    return name in IMAGE_PRESETS or name in {p.model for p in IMAGE_PRESETS.values()}


@models.command()
@click.argument("name")
@click.option("--image", "image", is_flag=True, help="NAME is a diffusers pipeline (image model).")
def pull(name: str, image: bool) -> None:
    """Download NAME (a preset or hub id): safetensors weights and tokenizer only.
    `ip-adapter` fetches h94's IP-Adapter for SD 1.5 (reference pictures of lore entries)."""
    if name == "ip-adapter":
        from worldforge.engines.image.ip_adapter import h94_source

        folder = h94_source(download=True, say=lambda msg: echo(msg + "…", err=True)).folder
    elif image or _is_image_model(name):
        from worldforge.engines.image.registry import pull_image_model

        folder = pull_image_model(name, progress=lambda msg: echo(msg + "…", err=True))
    else:
        from worldforge.engines.text.registry import pull_text_model

        folder = pull_text_model(name)
    echo(f"{name}: ready at {folder}")


@models.command()
def tiny() -> None:
    """Build the tiny random-weight models (offline; for tests and the demo)."""
    from worldforge.engines.tiny import build_tiny_models

    for name, path in build_tiny_models(progress=lambda msg: echo(msg + "…", err=True)):
        echo(f"{name}: {path}")
