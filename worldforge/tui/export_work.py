"""F4's work: write the storybook in a thread worker, so a long PDF never freezes the studio."""

from __future__ import annotations

from functools import partial

from textual.widget import Widget

from worldforge.store import StoryFolder


def export_in_background(host: Widget, folder: StoryFolder, options: dict) -> None:
    """Export `folder` (a snapshot of the story as it is on screen) next to the story folder."""
    host.run_worker(partial(_export, host, folder, options), thread=True, group="export", exit_on_error=False)


def _export(host: Widget, folder: StoryFolder, options: dict) -> None:
    from worldforge.export import default_output, export_story

    say = partial(host.app.call_from_thread, host.notify, timeout=10, markup=False)
    try:
        out = folder.root.parent / default_output(folder, options["fmt"], options["gamebook"])
        done = export_story(
            folder, options["fmt"], out, gamebook=options["gamebook"], show_prompts=options["show_prompts"]
        )
    except Exception as err:  # an export failure is reported, never fatal to the studio
        say(f"export failed: {err}", severity="error")
        return
    warn = f" ({len(done.warnings)} warnings, e.g. {done.warnings[0]})" if done.warnings else ""
    say(f"exported {done.path}{warn}")
