"""One local Ray cluster for all the cluster tests (starting one costs seconds of CPU), and
one pool of two tiny-engine workers for the tests that leave it whole."""

from __future__ import annotations

import pytest

from tests.image_support import make_story_dir, tiny_settings
from worldforge.conductor import render_all
from worldforge.store import StoryFolder


@pytest.fixture(scope="session")
def ray_cluster(tiny_image):
    """A local cluster of 2 CPUs, so two workers render with one thread each, as the tiny
    engine here does, on any machine; the tiny model is built before workers look for it
    (they inherit WORLDFORGE_HOME from this process)."""
    pytest.importorskip("ray")
    from worldforge.engines.image.cluster import connect, disconnect

    started = connect(cpus=2)
    yield
    if started:
        disconnect()


@pytest.fixture(scope="module")
def pool(ray_cluster, tiny_image):
    from worldforge.engines.image.cluster import WorkerPool

    workers = WorkerPool(tiny_image, workers=2)
    yield workers
    workers.close()


@pytest.fixture
def local_book(tmp_path, tiny_image):
    """The lighthouse story rendered here: two candidates a scene, fixed seed."""
    root = make_story_dir(tmp_path / "local")
    render_all(StoryFolder.open(root), tiny_image, tiny_settings(candidates=2))
    return root
