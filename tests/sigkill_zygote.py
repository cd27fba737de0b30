"""A warm interpreter that runs one worldforge command per line of stdin in a forked child and
SIGKILLs it after the delay asked for, so that hundreds of kills cost no interpreter start-up.

A line is `DELAY<TAB>ARG<TAB>ARG...`: the arguments of `worldforge`, or `render-fake FOLDER`
(`render --all` with a fake image engine), or `rename-loop FOLDER` (the-nave -> nave and back,
saving each time, until killed: nearly every kill lands inside a save). A negative delay lets the child finish. The answer
is one line: `killed|exit CODE` and the child's run time in seconds. The child is killed
before it is reaped, so its pid cannot belong to anyone else yet.
"""

from __future__ import annotations

import os
import signal
import sys
import time

from tests.fakes import FakeImageEngine
from worldforge.cli import cli
from worldforge.cli import scenes as _scene_commands  # noqa: F401  imported once, before the forks
from worldforge.conductor.render import render_all
from worldforge.conductor.session import Session
from worldforge.engines.image.protocol import ImageSettings
from worldforge.store import StoryFolder


def rename_loop(folder: str) -> None:
    session = Session.open(folder)
    while True:
        for old, new in [("the-nave", "nave"), ("nave", "the-nave")]:
            with session.change("Rename") as graph:
                graph.rename(old, new)
            session.save()


def run(args: list[str]) -> None:
    if args[0] == "rename-loop":
        rename_loop(args[1])
    elif args[0] == "render-fake":
        settings = ImageSettings(width=32, height=32, steps=1, guidance=0.0, candidates=2, seed=3)
        render_all(StoryFolder.open(args[1]), FakeImageEngine(), settings)
    else:
        cli.main(args, prog_name="worldforge", standalone_mode=False)


def child(args: list[str]) -> None:
    quiet = os.open(os.devnull, os.O_WRONLY)
    os.dup2(quiet, 1)
    os.dup2(quiet, 2)
    try:
        run(args)
    except BaseException:
        os._exit(1)
    os._exit(0)


def main() -> None:
    print("ready", flush=True)
    for line in sys.stdin:
        delay, *args = line.rstrip("\n").split("\t")
        start = time.perf_counter()
        pid = os.fork()
        if pid == 0:
            child(args)
        if float(delay) >= 0:
            time.sleep(float(delay))
            os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        took = time.perf_counter() - start
        outcome = "killed" if os.WIFSIGNALED(status) else f"exit {os.WEXITSTATUS(status)}"
        print(f"{outcome}\t{took:.6f}", flush=True)


if __name__ == "__main__":
    main()
