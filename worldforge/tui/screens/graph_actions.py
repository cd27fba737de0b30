"""What the studio's graph keys do: branch, new scene, link, unlink, jump, rename, delete,
reading path, export, world. Each asks in a dialog, then makes one undoable edit."""

from __future__ import annotations

from typing import TYPE_CHECKING

from worldforge.conductor import link_scenes
from worldforge.core.graph import StoryGraph
from worldforge.tui.export_work import export_in_background
from worldforge.tui.screens import reference_actions
from worldforge.tui.screens.dialogs import AskScreen, ConfirmScreen, PickSceneScreen
from worldforge.tui.screens.export import ExportScreen
from worldforge.tui.screens.world import WorldScreen

if TYPE_CHECKING:
    from worldforge.tui.screens.studio import StudioScreen


def branch(studio: StudioScreen) -> None:
    def made(title: str | None) -> None:
        if title:
            child = studio.edit("Branch", lambda g: g.branch(studio.current, title))
            if child:
                studio.go_to(child.id)

    studio.app.push_screen(AskScreen("Title of the new branch scene", placeholder="The Ninth Gate"), made)


def new_scene(studio: StudioScreen) -> None:
    def made(title: str | None) -> None:
        if title:
            scene = studio.edit("New scene", lambda g: g.add_scene(title))
            if scene:
                studio.go_to(scene.id)

    studio.app.push_screen(AskScreen("Title of the new (unlinked) scene"), made)


def _scene_choices(studio: StudioScreen, exclude: str | None = None) -> list[tuple[str, str]]:
    return [(s.id, s.title) for s in studio.session.story.scenes.values() if s.id != exclude]


def link(studio: StudioScreen) -> None:
    here = studio.current

    def chosen(answer: tuple[str, str] | None) -> None:
        if answer:
            target, label = answer
            studio.edit("Link", lambda g: link_scenes(g, here, target, label))

    choices = _scene_choices(studio, here)
    studio.app.push_screen(PickSceneScreen(choices, "Link this scene to…", with_label=True), chosen)


def unlink(studio: StudioScreen) -> None:
    here = studio.current
    links = [(x.to, f"{x.label} → {x.to}") for x in studio.scene.links]
    if not links:
        studio.notify("this scene has no choices to remove")
        return

    def chosen(target: str | None) -> None:
        if target:
            studio.edit("Unlink", lambda g: g.unlink(here, target))

    studio.app.push_screen(PickSceneScreen(links, "Remove which choice?"), chosen)


def jump(studio: StudioScreen) -> None:
    def chosen(scene_id: str | None) -> None:
        if scene_id:
            studio.go_to(scene_id)

    studio.app.push_screen(PickSceneScreen(_scene_choices(studio), "Jump to scene"), chosen)


def rename(studio: StudioScreen) -> None:
    here = studio.current

    def renamed(new_id: str | None) -> None:
        if new_id:
            scene = studio.edit("Rename", lambda g: g.rename(here, new_id))
            if scene:
                studio.go_to(scene.id)

    studio.app.push_screen(AskScreen("New id (used in file names and links)", here), renamed)


def delete(studio: StudioScreen) -> None:
    gone = studio.current
    graph = studio.session.graph
    parents, children = graph.parents(gone), graph.children(gone)
    question = (
        f"Delete “{studio.scene.title}”? Its {len(parents)} incoming and {len(children)} outgoing "
        "choices go with it; parents are linked straight to its children. Undo with ctrl+z."
    )

    def confirmed(yes: bool | None) -> None:
        if yes:
            removed = studio.edit("Delete", lambda g: g.delete(gone, reattach=True))
            if removed is not None:
                studio.notify(f"deleted {gone} ({len(removed)} links removed or re-attached)")
                studio.go_to(parents[0] if parents else studio.session.story.meta.start)

    studio.app.push_screen(ConfirmScreen(question, "Delete"), confirmed)


def reading_path(studio: StudioScreen) -> None:
    path = studio.session.graph.ancestors_path(studio.current)

    def set_path(g: StoryGraph) -> None:
        g.story.meta.reading_path = path

    studio.edit("Reading path", set_path)
    studio.notify("reading path for the book: " + " → ".join(path), markup=False)


def export(studio: StudioScreen) -> None:
    def chosen(options: dict | None) -> None:
        if options:
            # the book is made from the story as it is on screen, saved or not
            export_in_background(studio, studio.session.snapshot(), options)

    studio.app.push_screen(ExportScreen(), chosen)


def world(studio: StudioScreen) -> None:
    def done(changed: bool | None) -> None:
        if changed:
            studio.changed()

    screen = WorldScreen(studio.session, lambda request: reference_actions.apply(studio, request))
    studio.app.push_screen(screen, done)
