"""Use cases without UI: expand a scene, render a scene, branch, link, undo.

The TUI and the CLI both call these; nothing here knows about either.
"""
