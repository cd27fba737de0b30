"""What the commands print, without terminal control characters.

Titles, scene text, preset descriptions, model output and the messages that quote them come
from files other people made; an ESC sequence among them could move the cursor, rewrite what
was printed, set the window title or hide text. Every command prints through `echo`, which
drops the C0 and C1 control characters (keeping line breaks and tabs) and DEL."""

from __future__ import annotations

import re

import click

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean(text: str) -> str:
    return _CONTROL.sub("", text)


def echo(message: object = None, *, err: bool = False, nl: bool = True) -> None:
    click.echo(None if message is None else clean(str(message)), err=err, nl=nl)
