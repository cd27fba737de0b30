"""Text engines: the TextEngine protocol, transformers and CTranslate2 backends, presets, the tiny model."""
