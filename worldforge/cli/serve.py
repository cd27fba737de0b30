"""`worldforge serve`: the studio in a browser tab, through textual-serve.

textual-serve runs one `worldforge open` per browser tab, as a shell command, and streams
its screen to xterm.js: the same app and the same keys. It has no login of its own, so
whoever reaches the port can read and edit the story: the server binds to loopback unless
`--host` names another interface, and then says so. For a remote machine an SSH tunnel
keeps it on loopback at both ends.
"""

from __future__ import annotations

import ipaddress
import shlex
import socket
import sys
from pathlib import Path

import click

from worldforge.cli.output import echo
from worldforge.core.errors import StoryError

LOOPBACK = "127.0.0.1"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to any interface


def studio_command(directory: Path | None, text_choice: str | None, image_choice: str | None) -> str:
    """The shell command textual-serve runs for each tab: this Python's `worldforge open`,
    every argument quoted (a story folder may be called `a; rm -rf ~`)."""
    argv = [sys.executable, "-m", "worldforge", "open"]
    if directory is not None:
        argv.append(str(directory.resolve()))
    if text_choice:
        argv += ["--engine", text_choice]
    if image_choice:
        argv += ["--image-engine", image_choice]
    return shlex.join(argv)


def browser_url(host: str, port: int) -> str:
    """Where the browser finds the server: the page tells it where to open its websocket, so
    a wildcard address (0.0.0.0, ::) is named by this machine's host name instead."""
    if host in ("0.0.0.0", "::", ""):
        host = socket.gethostname()
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


@click.command("serve")
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--host", default=LOOPBACK, show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--public-url", default=None, help="The URL browsers use, when not http://HOST:PORT.")
@click.option(
    "--engine", "text_choice", default=None, help="Text model: tiny, a preset, a hub id or a folder."
)
@click.option(
    "--image-engine", "image_choice", default=None, help="Image model: tiny, a preset, a hub id or a folder."
)
def serve(
    directory: Path | None,
    host: str,
    port: int,
    public_url: str | None,
    text_choice: str | None,
    image_choice: str | None,
) -> None:
    """Serve the studio on DIRECTORY to a web browser (no argument: the story picker)."""
    try:
        from textual_serve.server import Server
    except ImportError:
        raise StoryError("serving needs textual-serve: pip install 'worldforge[serve]'") from None
    if directory is not None and not (directory / "story.yaml").is_file():
        raise StoryError(f"{directory} is not a story folder (no story.yaml)")
    url = public_url or browser_url(host, port)
    if not is_loopback(host):
        echo(
            f"warning: serving on {host}:{port}: anyone who can reach this port can read and edit "
            "the story (textual-serve has no login). On a shared or remote machine, keep the "
            f"default --host {LOOPBACK} and use an SSH tunnel: ssh -L {port}:{LOOPBACK}:{port} HOST",
            err=True,
        )
    command = studio_command(directory, text_choice, image_choice)
    Server(command, host=host, port=port, title="worldforge", public_url=url).serve()
