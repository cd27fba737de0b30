"""Reference pictures through an IP-Adapter: the same face or machine in every scene.

An IP-Adapter adds image tokens (a CLIP vision encoder's embedding, projected) beside the
prompt's in the UNet's cross-attention; diffusers loads it with `load_ip_adapter` and weighs
it with `set_ip_adapter_scale`. The real weights are `h94/IP-Adapter` (SD 1.5: 768-wide
cross-attention); offline, a tiny adapter with the same layout and random weights is built
for the tiny pipeline and loaded through the same `load_ip_adapter` call.

The reference pictures are encoded once per render call and handed to the pipeline as
`ip_adapter_image_embeds`, so every candidate and every pipeline (draft, image-to-image)
uses the same embedding. Without references the adapter is unloaded: a render without
references gives the same bytes whether or not one with them came before.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from worldforge.engines.quiet import quiet
from worldforge.locations import models_dir

H94 = "h94/IP-Adapter"
H94_SUBFOLDER = "models"
H94_WEIGHTS = "ip-adapter_sd15.safetensors"
H94_FILES = (f"{H94_SUBFOLDER}/{H94_WEIGHTS}", f"{H94_SUBFOLDER}/image_encoder/*")
TINY_IP_ADAPTER_NAME = "tiny-ip-adapter"
TINY_WEIGHTS = "ip-adapter_tiny.safetensors"
_TOKENS = 4  # image tokens of a plain IP-Adapter
_SEED = 0


@dataclass(frozen=True)
class AdapterSource:
    """Where an adapter's weights and image encoder are: folder/subfolder/weight_name."""

    id: str
    folder: Path
    subfolder: str
    weight_name: str


def tiny_ip_adapter_path() -> Path:
    return models_dir() / TINY_IP_ADAPTER_NAME


def build_tiny_ip_adapter(unet_folder: Path, target: Path | None = None) -> Path:
    """A random-weight IP-Adapter (CLIP vision encoder, projection, to_k/to_v per
    cross-attention) sized for the UNet in `unet_folder`, saved in h94's layout; reused."""
    folder = target if target is not None else tiny_ip_adapter_path()
    done = folder / ".complete"
    if done.exists():
        return folder
    import torch
    from diffusers import UNet2DConditionModel
    from safetensors.torch import save_file
    from transformers import CLIPVisionConfig, CLIPVisionModelWithProjection

    with quiet(diffusers=True):
        unet = UNet2DConditionModel.from_pretrained(str(unet_folder))
        width = int(unet.config.cross_attention_dim)
        torch.manual_seed(_SEED)
        encoder = CLIPVisionModelWithProjection(
            CLIPVisionConfig(
                hidden_size=32,
                intermediate_size=64,
                num_attention_heads=4,
                num_hidden_layers=2,
                image_size=32,
                patch_size=8,
                projection_dim=32,
            )
        )
        encoder.save_pretrained(str(folder / H94_SUBFOLDER / "image_encoder"), safe_serialization=True)
    generator = torch.Generator().manual_seed(_SEED)

    def weight(*shape: int) -> Any:
        return torch.randn(*shape, generator=generator) * 0.2

    tensors = {
        "image_proj.proj.weight": weight(width * _TOKENS, 32),
        "image_proj.proj.bias": weight(width * _TOKENS),
        "image_proj.norm.weight": torch.ones(width),
        "image_proj.norm.bias": torch.zeros(width),
    }
    blocks = list(unet.config.block_out_channels)
    key = 1
    for name in unet.attn_processors:
        if name.endswith("attn1.processor"):
            continue
        if name.startswith("mid_block"):
            hidden = blocks[-1]
        elif name.startswith("up_blocks"):
            hidden = list(reversed(blocks))[int(name[len("up_blocks.")])]
        else:
            hidden = blocks[int(name[len("down_blocks.")])]
        tensors[f"ip_adapter.{key}.to_k_ip.weight"] = weight(hidden, width)
        tensors[f"ip_adapter.{key}.to_v_ip.weight"] = weight(hidden, width)
        key += 2
    save_file(tensors, str(folder / H94_SUBFOLDER / TINY_WEIGHTS))
    done.write_text("tiny random-weight IP-Adapter: its effect is noise\n", encoding="utf-8")
    return folder


class ReferenceAdapter:
    """An IP-Adapter attached to (and detached from) one pipeline's UNet on demand."""

    def __init__(self, source: AdapterSource):
        self.source = source
        self.loaded = False

    def attach(self, pipe: Any) -> None:
        if self.loaded:
            return
        with quiet(diffusers=True):
            pipe.load_ip_adapter(
                str(self.source.folder),
                subfolder=self.source.subfolder,
                weight_name=self.source.weight_name,
                image_encoder_folder="image_encoder",
            )
        self.loaded = True

    def detach(self, pipe: Any) -> None:
        if self.loaded:
            pipe.unload_ip_adapter()
            self.loaded = False

    def embeds(self, pipe: Any, images: list[bytes], scale: float, guidance: bool) -> list[Any]:
        """The references' image embeddings for the pipeline call (with the unconditional
        half when guidance is on), the adapter set to `scale`."""
        from PIL import Image

        self.attach(pipe)
        pipe.set_ip_adapter_scale(scale)
        pictures = []
        for data in images:
            with Image.open(io.BytesIO(data)) as opened:
                pictures.append(opened.convert("RGB"))
        with quiet(diffusers=True):
            return list(
                pipe.prepare_ip_adapter_image_embeds(
                    ip_adapter_image=[pictures],
                    ip_adapter_image_embeds=None,
                    device=pipe.device,
                    num_images_per_prompt=1,
                    do_classifier_free_guidance=guidance,
                )
            )


def h94_source(download: bool, say: Callable[[str], None] | None = None) -> AdapterSource:
    """h94's SD 1.5 IP-Adapter and its image encoder, from the cache (or fetched if allowed)."""
    from worldforge.engines import hub

    needed = (f"{H94_SUBFOLDER}/{H94_WEIGHTS}", f"{H94_SUBFOLDER}/image_encoder/*.safetensors")
    folder = hub.snapshot(H94, H94_FILES, needed, download=download, say=say, name="ip-adapter")
    return AdapterSource(H94, folder, H94_SUBFOLDER, H94_WEIGHTS)
