from __future__ import annotations

import pytest

from worldforge.core.checks import check_story, exit_code
from worldforge.core.graph import GraphError, StoryGraph
from worldforge.core.model import Link, Scene


def codes(graph: StoryGraph) -> list[tuple[str, str | None]]:
    return [(p.code, p.scene) for p in check_story(graph)]


def test_branch_links_parent_to_child(story):
    graph = StoryGraph(story)
    assert graph.children("start") == ["left-hall", "right-hall"]
    assert story.scene("start").link_to("left-hall").label == "Go left"
    assert sorted(graph.parents("the-nave")) == ["left-hall", "right-hall"]


def test_new_ids_never_collide(story):
    graph = StoryGraph(story)
    a = graph.add_scene("Left Hall")
    b = graph.add_scene("Left Hall")
    assert (a.id, b.id) == ("left-hall-2", "left-hall-3")
    with pytest.raises(GraphError, match="already exists"):
        graph.add_scene("x", scene_id="start")


def test_link_and_unlink_keep_graph_in_step(story):
    graph = StoryGraph(story)
    graph.link("finale", "start", "Again")
    assert graph.g.has_edge("finale", "start")
    with pytest.raises(GraphError, match="already links"):
        graph.link("finale", "start")
    link = graph.unlink("finale", "start")
    assert link == Link(to="start", label="Again")
    assert not graph.g.has_edge("finale", "start")
    with pytest.raises(GraphError, match="no link"):
        graph.unlink("finale", "start")
    with pytest.raises(GraphError, match="no scene"):
        graph.link("finale", "nowhere")


def test_delete_reports_every_link_it_removes(story):
    graph = StoryGraph(story)
    removed = graph.delete("the-nave")
    assert sorted((src, link.to) for src, link in removed) == [
        ("left-hall", "the-nave"),
        ("right-hall", "the-nave"),
        ("the-nave", "finale"),
    ]
    assert "the-nave" not in story.scenes and "the-nave" not in graph.g
    assert ("unreachable", "finale") in codes(graph)


def test_delete_with_reattach_keeps_paths(story):
    graph = StoryGraph(story)
    graph.delete("the-nave", reattach=True)
    assert graph.children("left-hall") == ["finale"]
    assert graph.children("right-hall") == ["finale"]
    assert story.scene("left-hall").link_to("finale").label == "Watch"
    assert not [c for c in codes(graph) if c[0] == "unreachable"]


def test_start_scene_cannot_be_deleted(story):
    with pytest.raises(GraphError, match="start scene"):
        StoryGraph(story).delete("start")


def test_rename_rewrites_links_start_and_path(story):
    story.meta.reading_path = ["start", "left-hall", "the-nave"]
    graph = StoryGraph(story)
    graph.rename("start", "overture")
    graph.rename("the-nave", "nave")
    assert story.meta.start == "overture"
    assert story.meta.reading_path == ["overture", "left-hall", "nave"]
    assert story.scene("left-hall").link_to("nave")
    assert graph.g.has_edge("overture", "left-hall")
    assert list(story.scenes)[0] == "overture"


def test_move_rehangs_with_label(story):
    graph = StoryGraph(story)
    graph.move("finale", "the-nave", "right-hall")
    assert graph.children("right-hall") == ["the-nave", "finale"]
    assert story.scene("right-hall").link_to("finale").label == "Watch"


def test_paths_and_reading_order(story):
    graph = StoryGraph(story)
    assert sorted(graph.paths()) == [
        ["start", "left-hall", "the-nave", "finale"],
        ["start", "right-hall", "the-nave", "finale"],
    ]
    assert [s.id for s in graph.reading_order()] == ["start", "left-hall", "the-nave", "finale"]
    chosen = ["start", "right-hall", "the-nave"]
    assert [s.id for s in graph.reading_order(chosen)] == chosen
    with pytest.raises(GraphError, match="breaks"):
        graph.reading_order(["start", "finale"])


def test_paths_stop_at_cycles(story):
    graph = StoryGraph(story)
    graph.link("finale", "start", "Again")
    assert len(list(graph.paths())) == 2
    assert [s.id for s in graph.reading_order()] == ["start", "left-hall", "the-nave", "finale"]


def test_checks_report_each_kind_of_problem(story):
    graph = StoryGraph(story)
    assert exit_code(check_story(graph)) == 0
    graph.link("finale", "start", "Again")
    graph.add_scene("Island")
    story.scene("finale").links = [*story.scene("finale").links, Link(to="ghost")]
    found = codes(graph)
    # two loops (through the left and the right hall), each named from wherever networkx starts it
    loops = [p.message for p in check_story(graph) if p.code == "cycle"]
    assert len(loops) == 2 and all("finale -> start" in loop for loop in loops)
    assert ("unreachable", "island") in found
    assert ("dead-end", "island") in found
    assert ("missing-target", "finale") in found
    assert ("no-image", "start") in found
    assert exit_code(check_story(graph)) == 2


def test_ids_are_validated():
    with pytest.raises(ValueError, match="not a valid id"):
        Scene(id="../etc", title="x")
    with pytest.raises(ValueError, match="images/"):
        Scene(id="a", title="x", image="../secret.png")
    with pytest.raises(ValueError, match="images/"):
        Scene(id="a", title="x", image="/etc/passwd")


def test_delete_cuts_the_reading_path_there(story):
    story.meta.reading_path = ["start", "left-hall", "the-nave", "finale"]
    StoryGraph(story).delete("the-nave", reattach=True)
    assert story.meta.reading_path == ["start", "left-hall"]


def test_delete_a_scene_that_loops_to_itself(story):
    graph = StoryGraph(story)
    graph.link("finale", "finale", "Again")
    removed = graph.delete("finale")
    assert sorted(link.to for _, link in removed) == ["finale", "finale"]
    assert "finale" not in story.scenes
