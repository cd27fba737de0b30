"""A worker that dies mid-job or cannot load the model. These tests start their own pools,
so the cluster's CPUs must be free: no module-wide pool here."""

from __future__ import annotations

import pytest

from tests.cluster.support import pictures
from tests.image_support import make_story_dir, tiny_settings
from worldforge.conductor import render_all_on_cluster
from worldforge.store import StoryFolder


def test_a_killed_worker_hands_its_pictures_to_the_others(tmp_path, ray_cluster, tiny_image, local_book):
    import ray

    from worldforge.engines.image.cluster import WorkerPool

    pool = WorkerPool(tiny_image, workers=2)
    root = make_story_dir(tmp_path / "ray")
    killed = []

    def kill_the_first_worker(done: int, _total: int) -> None:
        if not killed:
            # it has requests queued: WINDOW of them, and 7 of 8 pictures are still to come
            ray.kill(pool.workers[0].actor)
            killed.append(done)

    try:
        render_all_on_cluster(
            pool,
            StoryFolder.open(root),
            tiny_image,
            tiny_settings(candidates=2),
            on_picture=kill_the_first_worker,
        )
    finally:
        pool.close()
    assert killed == [1]
    assert pictures(root) == pictures(local_book)
    story = StoryFolder.open(root).story
    assert all(len(s.renders) == len(s.provenance) == 2 for s in story.scenes.values())
    # 8 candidates and 4 contact sheets, each written once
    assert len(list((root / "images").iterdir())) == 12


def test_a_worker_that_cannot_load_the_model_says_so(ray_cluster, tiny_image):
    from worldforge.engines.image.cluster import ClusterError, WorkerPool
    from worldforge.engines.image.registry import image_engine

    missing = image_engine("/nowhere/sd-model")
    with pytest.raises(
        ClusterError, match=r"a worker on .* cannot load .*no model folder at /nowhere/sd-model"
    ):
        WorkerPool(missing, workers=1)
