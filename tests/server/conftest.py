"""A real llama-cpp-python server for the remote text engine's tests.

One server for the session (started on a free port on 127.0.0.1, stopped at the end); tests
that kill or restart a server get their own. Off CI, the tests skip when `make server-deps`
has not been run; on CI (CI set) a missing piece fails them instead of hiding them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.server.llama import TINY, LlamaServer, missing, served_gguf

ALIAS = "tiny-gpt2"


@pytest.fixture(scope="session")
def served_files(tmp_path_factory) -> tuple[Path, Path]:
    """(model folder, GGUF) of the tiny GPT-2 with GPT-2's own BPE."""
    reason = missing()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"the real model server cannot run: {reason} (`make server-deps` builds it)")
        pytest.skip(f"{reason}; `make server-deps` builds and installs it")
    return served_gguf(tmp_path_factory.mktemp("served-gpt2"))


@pytest.fixture(scope="session")
def llama_server(served_files, tmp_path_factory) -> Iterator[LlamaServer]:
    log = tmp_path_factory.mktemp("llama-log") / "server.log"
    server = LlamaServer(served_files[1], ALIAS, log, n_ctx=TINY.n_ctx).start()
    yield server
    server.stop()


@pytest.fixture
def own_server(served_files, tmp_path) -> Iterator[LlamaServer]:
    """A server of the test's own, to kill or restart."""
    server = LlamaServer(served_files[1], ALIAS, tmp_path / "server.log", n_ctx=TINY.n_ctx)
    yield server
    server.stop()


@pytest.fixture
def no_api_key(monkeypatch) -> None:
    for name in ("WORLDFORGE_API_KEY", "OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)
