"""Storybook writers: HTML, EPUB, PDF, Twee 3, Markdown."""
