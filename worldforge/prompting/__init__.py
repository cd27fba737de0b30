"""Assembling what the models read: text context (memory, lore, path, author's note) and image prompts."""
