"""Rendering on a local Ray cluster gives what a local render gives, byte for byte, and
survives a worker that dies or a job that is stopped."""

from __future__ import annotations

import hashlib
import socket

import pytest

from tests.cluster.support import pictures, pixels
from tests.image_support import make_story_dir, tiny_settings
from worldforge.conductor import render, render_all, render_all_on_cluster, render_on_cluster
from worldforge.store import StoryFolder


def test_render_all_on_ray_gives_the_local_bytes_and_names_the_worker(tmp_path, tiny_image, pool, local_book):
    root = make_story_dir(tmp_path / "ray")
    progress = []
    batches = render_all_on_cluster(
        pool,
        StoryFolder.open(root),
        tiny_image,
        tiny_settings(candidates=2),
        on_picture=lambda done, total: progress.append((done, total)),
    )
    assert progress == [(done, 8) for done in range(1, 9)]
    assert sorted(b.scene_id for b in batches) == ["shore", "start", "storm", "wreck"]
    assert pictures(root) == pictures(local_book)
    records = [p for s in StoryFolder.open(root).story.scenes.values() for p in s.provenance]
    assert {(p.host, p.device) for p in records} == {(socket.gethostname(), "cpu")}
    assert {p.host for s in StoryFolder.open(local_book).story.scenes.values() for p in s.provenance} == {
        None
    }


def test_the_candidates_of_one_scene_spread_over_the_workers(tmp_path, tiny_image, pool):
    settings = tiny_settings(candidates=4, seed=3)
    here, there = make_story_dir(tmp_path / "here"), make_story_dir(tmp_path / "there")
    local = render(StoryFolder.open(here), "storm", tiny_image, settings)
    remote = render_on_cluster(pool, StoryFolder.open(there), "storm", tiny_image, settings)
    assert [r.seed for r in remote.renders] == [3, 4, 5, 6]
    assert remote.renders == local.renders and remote.grid == local.grid


def test_continuity_starts_each_scene_from_its_parents_picture(tmp_path, tiny_image, pool):
    """Same pixels as here; not the same files, since each file records the SHA-256 of its
    init picture, whose signature differs from one run to the next."""
    settings = tiny_settings(candidates=1, strength=0.5)
    here, there = make_story_dir(tmp_path / "here"), make_story_dir(tmp_path / "there")
    render_all(StoryFolder.open(here), tiny_image, settings, continuity=True)
    render_all_on_cluster(pool, StoryFolder.open(there), tiny_image, settings, continuity=True)
    assert pixels(there) == pixels(here)
    story = StoryFolder.open(there).story
    parent = hashlib.sha256((there / story.scenes["start"].image).read_bytes()).hexdigest()
    assert story.scenes["storm"].provenance[0].settings["init_sha256"] == parent


def test_a_stopped_job_resumes_where_it_stopped(tmp_path, tiny_image, pool, local_book):
    root = make_story_dir(tmp_path / "ray")

    def stop_at_the_sixth_picture(done: int, _total: int) -> None:
        # by then 5 of the 8 pictures are in: at least one of the 4 scenes is complete
        if done == 6:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        render_all_on_cluster(
            pool,
            StoryFolder.open(root),
            tiny_image,
            tiny_settings(candidates=2),
            on_picture=stop_at_the_sixth_picture,
        )
    saved = StoryFolder.open(root).story
    done = [sid for sid, s in saved.scenes.items() if s.image]
    assert 1 <= len(done) < 4
    assert {sid: len(s.renders) for sid, s in saved.scenes.items()} == {
        sid: 2 if sid in done else 0 for sid in saved.scenes
    }
    rest = render_all_on_cluster(pool, StoryFolder.open(root), tiny_image, tiny_settings(candidates=2))
    assert sorted(b.scene_id for b in rest) == sorted(set(saved.scenes) - set(done))
    assert pictures(root) == pictures(local_book)
