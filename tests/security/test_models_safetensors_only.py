"""A model folder with pickled weights is never loaded, whatever else it holds."""

from __future__ import annotations

import json
import shutil

import pytest

from worldforge.engines.errors import EngineError
from worldforge.engines.revision import folder_revision
from worldforge.engines.source import weight_files
from worldforge.engines.text.backend_ctranslate2 import converted_path, ensure_converted


@pytest.fixture
def pickled(tiny_text_model, tmp_path):
    """The tiny model with its weights as pytorch_model.bin beside a dummy .safetensors."""
    import torch
    from safetensors.torch import load_file

    folder = tmp_path / "pickled"
    shutil.copytree(tiny_text_model, folder)
    weights = load_file(folder / "model.safetensors")
    (folder / "model.safetensors").unlink()
    torch.save(weights, folder / "pytorch_model.bin")
    (folder / "dummy.safetensors").write_bytes(b"\x02\x00\x00\x00\x00\x00\x00\x00{}")
    return folder


def test_weight_files_are_the_ones_loading_reads(pickled, tiny_text_model):
    assert weight_files(tiny_text_model) == [tiny_text_model / "model.safetensors"]
    with pytest.raises(EngineError, match="no model.safetensors"):
        weight_files(pickled)


def test_ctranslate2_conversion_never_reads_a_pickle(pickled):
    revision = folder_revision(pickled)
    with pytest.raises(EngineError, match="safetensors only"):
        ensure_converted(pickled, "pickled", revision)
    assert not converted_path("pickled", revision, "int8").exists()


def test_the_converter_itself_loads_safetensors_only(pickled, monkeypatch):
    """Even past the folder check, transformers is told to load safetensors and no pickle."""
    monkeypatch.setattr("worldforge.engines.text.backend_ctranslate2.weight_files", lambda folder: [])
    with pytest.raises(OSError, match="model.safetensors"):
        ensure_converted(pickled, "pickled-2", folder_revision(pickled))


def test_a_sharded_index_must_name_safetensors_shards(tiny_text_model, tmp_path):
    folder = tmp_path / "sharded"
    shutil.copytree(tiny_text_model, folder)
    (folder / "model.safetensors").rename(folder / "model-00001-of-00001.safetensors")
    index = folder / "model.safetensors.index.json"
    index.write_text(json.dumps({"weight_map": {"w": "model-00001-of-00001.safetensors"}}))
    assert weight_files(folder) == [folder / "model-00001-of-00001.safetensors"]
    for bad in ("pytorch_model.bin", "../elsewhere.safetensors", 5):
        index.write_text(json.dumps({"weight_map": {"w": bad}}))
        with pytest.raises(EngineError, match="not .safetensors"):
            weight_files(folder)
