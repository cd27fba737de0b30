"""Named diffusion models with the settings they were made for, and their licenses.

A preset is a suggestion, not a cage: any hub id or local folder works where a preset name
does. Licenses are noted as the model cards state them; read the card before publishing.
"""

from __future__ import annotations

from dataclasses import dataclass

TAESD = "madebyollin/taesd"
TAESD_LICENSE = "MIT"


@dataclass(frozen=True)
class ImagePreset:
    name: str
    model: str
    description: str
    license: str
    steps: int
    guidance: float
    width: int
    height: int
    # steps to use with an init image: img2img runs int(steps * strength) of them
    init_steps: int
    # a tiny autoencoder with the same latent space, for previews and draft quality
    tiny_vae: str | None = TAESD
    # weight file variant on the hub ("fp16" halves the download; weights are cast on load)
    variant: str | None = None
    # h94's IP-Adapter fits (SD 1.5's 768-wide cross-attention): reference pictures work
    ip_adapter: bool = False


IMAGE_PRESETS: dict[str, ImagePreset] = {
    preset.name: preset
    for preset in (
        ImagePreset(
            name="sd-turbo",
            model="stabilityai/sd-turbo",
            description="SD 2.1 distilled for 1-4 steps without guidance: the CPU-friendly default.",
            license=(
                "Stability AI Non-Commercial Research Community License (sai-nc-community, "
                "as on the model card): research and personal use; commercial use needs a "
                "Stability AI license. Not an OpenRAIL license, unlike SD 2.1."
            ),
            steps=1,
            guidance=0.0,
            width=512,
            height=512,
            init_steps=2,
            variant="fp16",
        ),
        ImagePreset(
            name="sd-1.5",
            model="stable-diffusion-v1-5/stable-diffusion-v1-5",
            description="Stable Diffusion 1.5: the quality preset, 25 steps with guidance (slow on CPU).",
            license="CreativeML OpenRAIL-M (use restrictions in the license's attachment A)",
            steps=25,
            guidance=7.5,
            width=512,
            height=512,
            init_steps=40,
            variant="fp16",
            ip_adapter=True,
        ),
        ImagePreset(
            name="sd-2.1-base",
            model="stabilityai/stable-diffusion-2-1-base",
            description="Stable Diffusion 2.1 base at 512x512, 25 steps with guidance (slow on CPU).",
            license="CreativeML Open RAIL++-M (use restrictions in the license's attachment A)",
            steps=25,
            guidance=7.5,
            width=512,
            height=512,
            init_steps=40,
            variant="fp16",
        ),
    )
}

DEFAULT_IMAGE_PRESET = "sd-turbo"
