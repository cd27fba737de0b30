"""What both engines share, defined once: folder revisions, device and dtype choice,
silencing the model libraries."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from worldforge.engines.errors import EngineError
from worldforge.engines.quiet import quiet
from worldforge.engines.revision import folder_revision, hashed_files
from worldforge.engines.source import ModelSource
from worldforge.engines.text.registry import text_engine


@pytest.fixture
def model_copy(tiny_text_model: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(tiny_text_model, tmp_path / "model"))


def test_a_revision_covers_weights_configs_and_tokenizer_files(model_copy: Path) -> None:
    names = {p.name for p in hashed_files(model_copy)}
    assert {"model.safetensors", "config.json", "vocab.json", "merges.txt", "tokenizer_config.json"} <= names
    before = folder_revision(model_copy)
    for changed in ("config.json", "merges.txt", "model.safetensors"):
        original = (model_copy / changed).read_bytes()
        (model_copy / changed).write_bytes(original + b"\n")
        assert folder_revision(model_copy) != before, changed
        (model_copy / changed).write_bytes(original)
    assert folder_revision(model_copy) == before


def test_what_loading_never_reads_leaves_the_revision_alone(model_copy: Path) -> None:
    before = folder_revision(model_copy)
    (model_copy / "README.md").write_text("notes\n")
    (model_copy / "pytorch_model.bin").write_bytes(b"pickle")
    (model_copy / ".cache").mkdir()
    (model_copy / ".cache" / "download.json").write_text("{}")
    assert folder_revision(model_copy) == before
    (model_copy / "unet").mkdir()
    (model_copy / "unet" / "config.json").write_text("{}")
    assert folder_revision(model_copy) != before  # a pipeline's parts live in subfolders


def test_both_engines_give_a_folder_the_same_revision(tiny_text_model: Path) -> None:
    # the text engine hashes the weight files loading reads; with no stray ones that is the
    # folder's whole revision, as the image engine computes it
    source = ModelSource(str(tiny_text_model), local=tiny_text_model)
    assert source.resolve()[1] == folder_revision(tiny_text_model)


def test_the_text_engine_honours_the_device_and_dtype_variables(
    tiny_text_model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WORLDFORGE_DEVICE", "cuda:7")
    with pytest.raises(EngineError, match="runs on CPU"):
        text_engine("tiny", backend="ctranslate2").load()
    monkeypatch.setenv("WORLDFORGE_DEVICE", "cpu")
    monkeypatch.setenv("WORLDFORGE_DTYPE", "bfloat16")
    engine = text_engine("tiny")
    engine.load()
    # a dtype asked for means the torch backend, in that dtype
    assert (engine.name, engine.device, engine.dtype) == ("transformers", "cpu", "bfloat16")


def test_quiet_nests_and_gives_the_settings_back_when_the_last_leaves() -> None:
    from transformers.utils import logging

    logging.set_verbosity_info()
    logging.enable_progress_bar()
    with quiet():
        with quiet(diffusers=True):
            assert logging.get_verbosity() == logging.ERROR
        assert logging.get_verbosity() == logging.ERROR  # the outer block is still quiet
        assert not logging.is_progress_bar_enabled()
    assert logging.get_verbosity() == logging.INFO and logging.is_progress_bar_enabled()
    logging.set_verbosity_warning()
