"""Cheap previews of a picture while it is still latents.

The preview multiplies the 4 latent channels of SD 1.x/2.x by a fixed 4x3 matrix (the
factors ComfyUI and AUTOMATIC1111 use for their "approx cheap" preview): microseconds per
step, blurry but enough to see the composition forming.
"""

from __future__ import annotations

import io
from typing import Any

# latent channel -> (R, G, B) for SD 1.x / 2.x latents (scaled by the VAE's scaling factor)
SD_LATENT_RGB = (
    (0.3512, 0.2297, 0.3227),
    (0.3250, 0.4974, 0.2350),
    (-0.2829, 0.1762, 0.2721),
    (-0.2120, -0.2616, -0.7177),
)


def latent_preview_png(latents: Any, scale: int = 2) -> bytes | None:
    """A small RGB PNG of the first latent in the batch, or None if not SD-style latents."""
    import numpy as np
    from PIL import Image

    if latents.ndim != 4 or latents.shape[1] != len(SD_LATENT_RGB):
        return None
    # numpy, not torch: the engine counts torch FLOPs, and a preview must not change the count
    channels_last = latents[0].detach().float().cpu().numpy().transpose(1, 2, 0)
    rgb = channels_last @ np.asarray(SD_LATENT_RGB, dtype=np.float32)
    rgb = np.clip((rgb + 1.0) / 2.0, 0.0, 1.0) * 255.0
    image = Image.fromarray(np.rint(rgb).astype(np.uint8), "RGB")
    if scale > 1:
        image = image.resize((image.width * scale, image.height * scale), Image.Resampling.BILINEAR)
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=1)
    return out.getvalue()
