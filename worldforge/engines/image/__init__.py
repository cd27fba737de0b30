"""Image engines: the ImageEngine protocol, the diffusers engine, presets, previews, the tiny pipeline."""
