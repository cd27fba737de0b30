"""The conductor's studio: a Textual app. Never imports torch."""
