"""The diffusers ImageEngine on the tiny offline pipeline: the real diffusers code path."""

from __future__ import annotations

import hashlib
import io

import pytest
from PIL import Image

from tests.image_support import tiny_settings
from worldforge.conductor.picture import picture_png as png
from worldforge.engines.cancel import Cancelled, CancelToken
from worldforge.engines.device import cpu_bf16_flags, pick_dtype
from worldforge.engines.image.protocol import ImageEngine, ImageResult
from worldforge.engines.image.registry import image_engine


def pixels(result: ImageResult) -> bytes:
    return result.image.convert("RGB").tobytes()


def test_tiny_engine_is_an_image_engine_labelled_as_noise(tiny_image):
    assert isinstance(tiny_image, ImageEngine)
    assert tiny_image.offline_tiny
    assert tiny_image.revision.startswith("sha256:")
    assert tiny_image.device == "cpu"


def test_text_to_image_gives_pngs_of_the_asked_size(tiny_image):
    results = tiny_image.generate("a lighthouse in a storm", tiny_settings(width=64, height=48, candidates=2))
    assert [r.index for r in results] == [0, 1]
    for result in results:
        assert result.image.size == (64, 48)
        with Image.open(io.BytesIO(png(result))) as image:
            assert image.format == "PNG" and image.size == (64, 48)
        assert result.record.settings["prompt"] == "a lighthouse in a storm"
        assert result.record.seed == result.seed
    assert pixels(results[0]) != pixels(results[1])


def test_each_candidate_re_renders_alone_from_its_recorded_seed(tiny_image):
    batch = tiny_image.generate("a red door", tiny_settings(candidates=3, seed=1000))
    assert [r.seed for r in batch] == [1000, 1001, 1002]
    second = batch[1]
    again = tiny_image.generate("a red door", tiny_settings(candidates=1, seed=second.record.seed))
    assert png(again[0]) == png(second)


def test_a_fresh_engine_from_the_same_folder_reproduces_the_bytes(tiny_image):
    first = tiny_image.generate("a green field", tiny_settings(seed=5))[0]
    other = image_engine("tiny")
    other.load()
    assert png(other.generate("a green field", tiny_settings(seed=5))[0]) == png(first)


def test_no_seed_draws_a_random_one_and_records_it(tiny_image):
    result = tiny_image.generate("a boat", tiny_settings(seed=None))[0]
    again = tiny_image.generate("a boat", tiny_settings(seed=result.seed))[0]
    assert png(again) == png(result)


def test_progress_reaches_every_step_with_cheap_previews(tiny_image):
    calls = []
    tiny_image.generate("a cat", tiny_settings(candidates=2), on_step=lambda *args: calls.append(args))
    assert [(c[0], c[1], c[2]) for c in calls] == [(i, s, 4) for i in range(2) for s in range(1, 5)]
    previews = [c[3] for c in calls if c[3] is not None]
    assert previews and calls[0][3] is not None  # the first step already shows something
    with Image.open(io.BytesIO(previews[0])) as image:
        assert image.size == (64, 64)  # 32x32 latents, doubled


def test_cancel_stops_within_one_step(tiny_image):
    token = CancelToken()
    steps = []

    def on_step(index, step, total, preview):
        steps.append((index, step))
        if step == 2:
            token.cancel()

    with pytest.raises(Cancelled):
        tiny_image.generate("a dog", tiny_settings(steps=8, candidates=3), on_step=on_step, cancel=token)
    assert steps == [(0, 1), (0, 2)]


def test_image_to_image_starts_from_the_init_picture_and_records_its_hash(tiny_image):
    init = png(tiny_image.generate("a tower", tiny_settings(seed=3))[0])
    steps = []
    result = tiny_image.generate(
        "a tower at night",
        tiny_settings(steps=8, strength=0.5),
        init,
        on_step=lambda *a: steps.append(a[1:3]),
    )[0]
    assert steps == [(s, 4) for s in range(1, 5)]  # img2img runs int(8 * 0.5) steps
    settings = result.record.settings
    assert settings["init_sha256"] == hashlib.sha256(init).hexdigest()
    assert settings["strength"] == 0.5
    plain = tiny_image.generate("a tower at night", tiny_settings(steps=8))[0]
    assert pixels(result) != pixels(plain)
    # the same init, seed and strength give the same bytes again
    again = tiny_image.generate("a tower at night", tiny_settings(steps=8, strength=0.5), init)[0]
    assert png(again) == png(result)


def test_image_to_image_changes_with_the_init_picture(tiny_image):
    black = io.BytesIO()
    Image.new("RGB", (64, 64), "black").save(black, format="PNG")
    white = io.BytesIO()
    Image.new("RGB", (64, 64), "white").save(white, format="PNG")
    on_black = tiny_image.generate("x", tiny_settings(strength=0.5), black.getvalue())[0]
    on_white = tiny_image.generate("x", tiny_settings(strength=0.5), white.getvalue())[0]
    assert pixels(on_black) != pixels(on_white)


def test_draft_decodes_with_the_tiny_autoencoder(tiny_image):
    final = tiny_image.generate("a hill", tiny_settings())[0]
    draft = tiny_image.generate("a hill", tiny_settings(quality="draft"))[0]
    assert draft.record.settings["decoder"] == "taesd"
    assert final.record.settings["decoder"] == "vae"
    assert pixels(draft) != pixels(final)


def test_a_named_scheduler_is_used_and_recorded(tiny_image):
    result = tiny_image.generate("a hill", tiny_settings(scheduler="euler-a"))[0]
    assert result.record.settings["scheduler"] == "EulerAncestralDiscreteScheduler"
    back = tiny_image.generate("a hill", tiny_settings())[0]
    assert back.record.settings["scheduler"] == "EulerDiscreteScheduler"


@pytest.mark.parametrize(
    ("changes", "init", "message"),
    [
        ({"width": 60}, False, "multiples of 8"),
        ({"steps": 1, "strength": 0.5}, True, "int(steps x strength)"),
        ({"strength": 1.5}, True, "strength"),
    ],
)
def test_settings_the_pipeline_would_reject_give_one_clear_error(tiny_image, changes, init, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        tiny_image.generate("x", tiny_settings(**changes), b"not read" if init else None)


def test_tokens_are_counted_with_the_models_tokenizer(tiny_image):
    # the tiny tokenizer has no merges: one token per byte of each word
    assert tiny_image.count_tokens("red door") == 7
    assert tiny_image.token_limit == 75


def test_bf16_only_where_the_cpu_runs_it_natively(monkeypatch):
    monkeypatch.delenv("WORLDFORGE_DTYPE", raising=False)
    fast = "processor: 0\nflags\t\t: fpu sse avx512f avx512_bf16 amx_tile amx_bf16\n"
    slow = "processor: 0\nflags\t\t: fpu sse avx2 avx512f\n"
    assert cpu_bf16_flags(fast) == {"avx512_bf16", "amx_bf16"}
    assert pick_dtype("cpu", cpuinfo=fast) == "bfloat16"
    assert pick_dtype("cpu", cpuinfo=slow) == "float32"
    assert pick_dtype("cuda", cpuinfo=slow) == "float16"
    assert pick_dtype("cpu", "float32", cpuinfo=fast) == "float32"
    # text keeps float32 on CPU even where bf16 is native (its fast CPU path is int8)
    assert pick_dtype("cpu", cpuinfo=fast, bf16_on_cpu=False) == "float32"
    monkeypatch.setenv("WORLDFORGE_DTYPE", "bfloat16")
    assert pick_dtype("cpu", cpuinfo=slow) == "bfloat16"
    assert pick_dtype("cpu", cpuinfo=slow, bf16_on_cpu=False) == "bfloat16"
    with pytest.raises(ValueError, match="unknown dtype"):
        pick_dtype("cpu", "int3")


def test_float32_override_renders_too(tiny_image):
    engine = image_engine("tiny", dtype="float32")
    engine.load()
    assert engine.dtype == "float32"
    result = engine.generate("a hill", tiny_settings())[0]
    assert result.record.settings["dtype"] == "float32"


def test_a_local_folder_loads_through_the_same_path(tiny_image, tmp_path):
    import shutil

    folder = tmp_path / "my-model"
    shutil.copytree(tiny_image.model_id, folder)
    engine = image_engine(str(folder))
    engine.load()
    assert not engine.offline_tiny and engine.label == "my-model"
    assert engine.revision == tiny_image.revision  # same files, same content hash
    mine = engine.generate("a hill", tiny_settings())[0]
    assert pixels(mine) == pixels(tiny_image.generate("a hill", tiny_settings())[0])


def test_missing_weights_say_what_to_run(tmp_path, monkeypatch):
    from worldforge.engines.errors import ModelUnavailable

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    engine = image_engine("sd-turbo")
    with pytest.raises(ModelUnavailable, match="worldforge models pull"):
        engine.load()
    with pytest.raises(ModelUnavailable, match="no model folder"):
        image_engine(str(tmp_path / "nope" / "x")).load()


def test_default_engine_falls_back_to_tiny_offline(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    assert image_engine(None).offline_tiny


def test_choosing_an_engine_imports_no_model_library():
    from tests.test_architecture import modules_after

    loaded = modules_after(
        "from worldforge.engines.image.registry import image_engine\n"
        "image_engine('tiny'); image_engine(None); image_engine('sd-turbo')"
    )
    assert not [m for m in loaded if m.split(".")[0] in ("torch", "diffusers", "transformers")]


def test_flops_are_counted_once_per_shape_and_reused(tiny_image):
    from worldforge.engines.image.protocol import ImageSettings as Settings

    small = tiny_image.generate("a crane", Settings(width=64, height=64, steps=2, seed=1))[0].record.flops
    again = tiny_image.generate("a dock", Settings(width=64, height=64, steps=2, seed=2))[0].record.flops
    bigger = tiny_image.generate("a crane", Settings(width=64, height=64, steps=4, seed=1))[0].record.flops
    assert small == again > 0
    assert bigger > small


def test_a_pipeline_diffusers_cannot_load_safely_is_a_clear_error(tmp_path, tiny_image):
    """Weights only as pickles (.bin) are refused by use_safetensors: as a one-line error."""
    import shutil

    from worldforge.engines.errors import ModelUnavailable

    folder = tmp_path / "bin-only"
    shutil.copytree(tiny_image.model_id, folder)
    for weights in (folder / "unet").glob("*.safetensors"):
        weights.rename(weights.with_name("diffusion_pytorch_model.bin"))
    with pytest.raises(ModelUnavailable, match="cannot load the diffusers pipeline in"):
        image_engine(str(folder)).load()
