"""The ImageEngine on diffusers: text-to-image and image-to-image on one set of weights.

Design choices, each for a reason:
- Candidates are rendered one at a time, each from its own seeded CPU generator: a batched
  run computes in other shapes, so its pictures differ in the last bits from a single re-run.
  One at a time, any candidate re-rendered from its record gives the same PNG bytes.
- The pipeline returns latents and the engine decodes them itself: with the full VAE for
  "final", with the tiny autoencoder (TAESD) for "draft"; a cancel between the last step and
  the decode costs nothing, and no safety checker silently blacks pictures out.
- Weights load from a local folder (a hub id is resolved to its cached snapshot first), as
  safetensors only, never with remote code; the revision is the hub commit or a hash of the
  local files.
- The engine returns pixels and a record; the conductor writes the picture file with the
  record in it, so the same record re-rendered gives the same bytes.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import io
import json
import secrets
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from worldforge.engines import hub
from worldforge.engines.cancel import Cancelled, CancelToken
from worldforge.engines.device import pick_device, pick_dtype
from worldforge.engines.errors import ModelUnavailable
from worldforge.engines.image.ip_adapter import AdapterSource, ReferenceAdapter
from worldforge.engines.image.long_prompt import Conditioning, encode_prompt
from worldforge.engines.image.preview import latent_preview_png
from worldforge.engines.image.protocol import ImageResult, ImageSettings, Reference, StepCallback
from worldforge.engines.image.schedulers import make_scheduler
from worldforge.engines.quiet import quiet
from worldforge.engines.record import GenerationRecord, library_versions
from worldforge.engines.revision import folder_revision


class DiffusersImageEngine:
    """An ImageEngine on a diffusers Stable-Diffusion-family pipeline."""

    name = "diffusers"

    def __init__(
        self,
        model: str,
        *,
        label: str | None = None,
        license: str | None = None,
        tiny_vae: str | None = None,
        variant: str | None = None,
        defaults: ImageSettings | None = None,
        init_steps: int | None = None,
        device: str | None = None,
        dtype: str | None = None,
        offline_tiny: bool = False,
        allow_download: bool = False,
        build: Callable[[], Path] | None = None,
        ip_adapter: str | None = None,
        adapter_source: Callable[[Callable[[str], None]], AdapterSource] | None = None,
    ):
        self.model_id = model
        self.label = label or model
        self.license = license
        self.tiny_vae_id = tiny_vae
        self.variant = variant
        self.defaults = defaults or ImageSettings()
        self.init_steps = init_steps
        self.offline_tiny = offline_tiny
        self.allow_download = allow_download
        # makes the model folder on first use (the tiny pipeline): not at construction, so
        # building an engine never imports torch
        self._build = build
        self._device_request = device
        self._dtype_request = dtype
        self.device = ""
        self.dtype = ""
        self._flops: dict[tuple[object, ...], int] = {}
        self.revision: str | None = None
        self._folder: Path | None = None
        self._pipes: dict[tuple[str, bool], Any] = {}
        self._tokenizer: Any = None
        self._scheduler_config: Any = None
        self._scheduler_name: str | None = None
        # reference pictures: the adapter's id, and where its weights come from (found on first use)
        self.ip_adapter = ip_adapter
        self._adapter_source = adapter_source
        self._adapter: ReferenceAdapter | None = None

    # -- loading -------------------------------------------------------------
    @property
    def loaded(self) -> bool:
        return bool(self._pipes)

    def _resolve(
        self, say: Callable[[str], None], model: str, variant: str | None, pipeline: bool = True
    ) -> tuple[Path, str]:
        path = Path(model).expanduser()
        if path.is_dir():
            return path, folder_revision(path)
        if path.is_absolute() or model.startswith((".", "~")) or model.count("/") > 1:
            raise ModelUnavailable(f"no model folder at {model}")
        files = hub.pipeline_files(variant) if pipeline else hub.single_model_files(variant)
        needed = hub.PIPELINE_NEEDED if pipeline else hub.SINGLE_MODEL_NEEDED
        say(f"looking up {model}")
        allowed = self.allow_download
        folder = hub.snapshot(model, files, needed, download=allowed, progress_bars=allowed, say=say)
        return folder, folder.name

    def wanted_download(self) -> str | None:
        if self._build is not None or self._folder is not None or Path(self.model_id).expanduser().is_dir():
            return None
        return None if hub.cached(self.model_id, hub.PIPELINE_NEEDED) else self.model_id

    def tiny_vae_folder(self, say: Callable[[str], None]) -> Path | None:
        """The tiny autoencoder's folder, or None when this model has none."""
        if self.tiny_vae_id is None:
            return None
        return self._resolve(say, self.tiny_vae_id, None, pipeline=False)[0]

    def model_folder(self, say: Callable[[str], None]) -> Path:
        """The local pipeline folder (a hub id resolved to its snapshot, fetched if allowed)."""
        if self._folder is None:
            if self._build is not None:
                say(f"building {self.label}")
                self._build()
            self._folder, self.revision = self._resolve(say, self.model_id, self.variant)
            if not (self._folder / "model_index.json").is_file():
                raise ModelUnavailable(f"{self._folder} has no model_index.json: not a diffusers pipeline")
        return self._folder

    def load(self, progress: Callable[[str], None] | None = None) -> None:
        """Load the weights once; later calls return at once."""
        if self._pipes:
            return
        say = progress or (lambda _msg: None)
        folder = self.model_folder(say)
        import torch
        from diffusers import AutoencoderTiny, AutoPipelineForImage2Image, AutoPipelineForText2Image

        self.device = pick_device(self._device_request)
        self.dtype = pick_dtype(self.device, self._dtype_request, bf16_on_cpu=True)
        dtype = getattr(torch, self.dtype)
        with _refusal(folder):
            index = json.loads((folder / "model_index.json").read_text(encoding="utf-8"))
        kwargs: dict[str, Any] = {"torch_dtype": dtype, "use_safetensors": True}
        if self.variant and any(folder.glob(f"*/*.{self.variant}.safetensors")):
            kwargs["variant"] = self.variant
        if "safety_checker" in index:
            # we decode latents ourselves, so the checker would never run; don't load it
            kwargs.update(safety_checker=None, requires_safety_checker=False)
        say(f"loading {self.label} ({self.device}, {self.dtype})")
        with quiet(diffusers=True), _refusal(folder):
            t2i = AutoPipelineForText2Image.from_pretrained(str(folder), **kwargs).to(self.device)
            pipes = {("final", False): t2i, ("final", True): AutoPipelineForImage2Image.from_pipe(t2i)}
            tiny_folder = self.tiny_vae_folder(say)
            if tiny_folder is not None:
                say(f"loading the tiny autoencoder {self.tiny_vae_id}")
                taesd = AutoencoderTiny.from_pretrained(
                    str(tiny_folder), torch_dtype=dtype, use_safetensors=True
                )
                taesd = taesd.to(self.device)
                pipes[("draft", False)] = AutoPipelineForText2Image.from_pipe(t2i, vae=taesd)
                pipes[("draft", True)] = AutoPipelineForImage2Image.from_pipe(t2i, vae=taesd)
        for pipe in pipes.values():
            pipe.set_progress_bar_config(disable=True)
        self._scheduler_config = t2i.scheduler.config
        self._tokenizer = t2i.tokenizer
        self._pipes = pipes

    # -- tokens --------------------------------------------------------------
    def _load_tokenizer(self) -> Any:
        if self._tokenizer is None:
            from transformers import CLIPTokenizer

            folder = self.model_folder(lambda _m: None)
            with quiet():
                self._tokenizer = CLIPTokenizer.from_pretrained(str(folder / "tokenizer"))
        return self._tokenizer

    def count_tokens(self, text: str) -> int:
        """Tokens of `text` for this model's CLIP tokenizer, without BOS/EOS."""
        return len(self._load_tokenizer()(text, add_special_tokens=False).input_ids)

    def tokens(self, text: str) -> list[str]:
        """`text` as this model's tokenizer splits it, without BOS/EOS (any length: no warning
        that it is over 77 tokens, since long prompts are encoded in chunks)."""
        tokenizer = self._load_tokenizer()
        with quiet():
            return list(tokenizer.tokenize(text))

    @property
    def token_limit(self) -> int:
        """Content tokens in one CLIP chunk (77 minus the begin and end markers)."""
        return int(self._load_tokenizer().model_max_length) - 2

    # -- generating ------------------------------------------------------------
    def check(self, settings: ImageSettings, init: bool) -> None:
        """Settings the pipeline would reject, as one clear error before any work."""
        if settings.width % 8 or settings.height % 8 or settings.width < 8 or settings.height < 8:
            raise ValueError(
                f"size {settings.width}x{settings.height}: width and height must be multiples of 8"
            )
        if settings.steps < 1 or settings.candidates < 1:
            raise ValueError("steps and candidates must be at least 1")
        if init:
            if not 0.0 < settings.strength <= 1.0:
                raise ValueError(f"strength {settings.strength} must be in (0, 1]")
            if int(settings.steps * settings.strength) < 1:
                need = int(1 / settings.strength) + 1
                raise ValueError(
                    f"image-to-image runs int(steps x strength) steps: {settings.steps} x "
                    f"{settings.strength} is 0; use at least {need} steps or a higher strength"
                )
        if settings.quality not in ("draft", "final"):
            raise ValueError(f"quality {settings.quality!r} must be 'draft' or 'final'")

    def seeds(self, settings: ImageSettings) -> list[int]:
        """One seed per candidate: the given seed and the ones after it, or a random start."""
        base = settings.seed if settings.seed is not None else secrets.randbelow(2**31)
        return [base + i for i in range(settings.candidates)]

    def generate(
        self,
        prompt: str,
        settings: ImageSettings,
        init_image: bytes | None = None,
        on_step: StepCallback | None = None,
        cancel: CancelToken | None = None,
        references: tuple[Reference, ...] = (),
    ) -> list[ImageResult]:
        self.check(settings, init_image is not None)
        if references and self.ip_adapter is None:
            raise ValueError(f"{self.label} has no IP-Adapter: it cannot render with reference pictures")
        self.load()
        from PIL import Image

        init = None
        init_sha = None
        if init_image is not None:
            init_sha = hashlib.sha256(init_image).hexdigest()
            with Image.open(io.BytesIO(init_image)) as opened:
                init = opened.convert("RGB").resize(
                    (settings.width, settings.height), Image.Resampling.LANCZOS
                )
        draft = settings.quality == "draft" and ("draft", False) in self._pipes
        pipe = self._pipes[("draft" if draft else "final", init is not None)]
        self._use_scheduler(settings.scheduler)
        # encoded once for all candidates: the prompt is the same, only the seed differs
        conditioning = self._encode(prompt, settings)
        conditioning = self._with_references(conditioning, references, settings)
        results = []
        for index, seed in enumerate(self.seeds(settings)):
            if cancel is not None:
                cancel.raise_if_cancelled()
            results.append(
                self._render_one(
                    pipe, prompt, conditioning, settings, index, seed, init, init_sha, draft, on_step, cancel
                )
            )
        return results

    def _with_references(
        self, conditioning: Conditioning, references: tuple[Reference, ...], settings: ImageSettings
    ) -> Conditioning:
        """The references' image embeddings (once per call), the adapter attached only while
        there are references. Several references go through one adapter at their mean strength."""
        t2i = self._pipes[("final", False)]
        if not references:
            if self._adapter is not None:
                self._adapter.detach(t2i)
            return conditioning
        if self._adapter is None:
            assert self._adapter_source is not None
            self._adapter = ReferenceAdapter(self._adapter_source(lambda _message: None))
        import torch

        scale = round(sum(r.strength for r in references) / len(references), 4)
        with torch.inference_mode():
            embeds = self._adapter.embeds(t2i, [r.image for r in references], scale, settings.guidance > 1.0)
        used = [
            {"entry": r.label, "sha256": hashlib.sha256(r.image).hexdigest(), "strength": r.strength}
            for r in references
        ]
        return dataclasses.replace(
            conditioning,
            image_embeds=embeds,
            references={"ip_adapter": self._adapter.source.id, "ip_adapter_scale": scale, "references": used},
        )

    def _encode(self, prompt: str, settings: ImageSettings) -> Conditioning:
        """The whole prompt (and the negative, padded to the same length) as embeddings."""
        import torch
        from torch.utils.flop_counter import FlopCounterMode

        negative = settings.negative_prompt if settings.guidance > 1.0 else None
        counter = FlopCounterMode(display=False)
        with quiet(diffusers=True), torch.inference_mode(), counter:
            embeds, negative_embeds = encode_prompt(self._pipes[("final", False)], prompt, negative)
        return Conditioning(embeds, negative_embeds, counter.get_total_flops())

    def _use_scheduler(self, name: str | None) -> None:
        """Swap the sampler on every pipeline (None: the model's own)."""
        if name == self._scheduler_name:
            return
        scheduler = make_scheduler(name, self._scheduler_config)
        for pipe in self._pipes.values():
            pipe.scheduler = scheduler
        self._scheduler_name = name

    def _render_one(
        self,
        pipe: Any,
        prompt: str,
        conditioning: Conditioning,
        settings: ImageSettings,
        index: int,
        seed: int,
        init: Any,
        init_sha: str | None,
        draft: bool,
        on_step: StepCallback | None,
        cancel: CancelToken | None,
    ) -> ImageResult:
        import torch
        from torch.utils.flop_counter import FlopCounterMode

        def step_end(pipeline: Any, i: int, _t: Any, tensors: dict[str, Any]) -> dict[str, Any]:
            if cancel is not None and cancel.cancelled:
                pipeline._interrupt = True
                return {}
            if on_step is not None:
                step, total = i + 1, pipeline.num_timesteps
                every = max(1, total // 4)
                want = step == 1 or step % every == 0 or step == total
                on_step(index, step, total, latent_preview_png(tensors["latents"]) if want else None)
            return {}

        kwargs: dict[str, Any] = {
            "prompt_embeds": conditioning.embeds,
            "negative_prompt_embeds": conditioning.negative_embeds,
            "ip_adapter_image_embeds": conditioning.image_embeds,
            "num_inference_steps": settings.steps,
            "guidance_scale": settings.guidance,
            "generator": torch.Generator("cpu").manual_seed(seed),
            "output_type": "latent",
            "callback_on_step_end": step_end,
        }
        if init is not None:
            kwargs.update(image=init, strength=settings.strength)
        else:
            kwargs.update(width=settings.width, height=settings.height)
        # FLOPs depend only on the shapes and the step count: count them once per shape with
        # torch's FlopCounterMode (it slows the run it watches), then reuse the count
        shape = (
            conditioning.length,
            bool(conditioning.references),
            settings.width,
            settings.height,
            settings.steps,
            settings.guidance > 1.0,
            getattr(init, "size", None),
            settings.strength if init is not None else None,
            draft,
        )
        counter = FlopCounterMode(display=False) if shape not in self._flops else None
        start = time.perf_counter()
        with (
            quiet(diffusers=True),
            torch.inference_mode(),
            counter if counter is not None else contextlib.nullcontext(),
        ):
            latents = pipe(**kwargs).images
            if cancel is not None:
                cancel.raise_if_cancelled()
            image = self._decode(pipe, latents)
        wall = time.perf_counter() - start
        if counter is not None:
            self._flops[shape] = counter.get_total_flops()
        if cancel is not None and cancel.cancelled:
            raise Cancelled()
        flops = self._flops[shape] + conditioning.flops
        scheduler = type(pipe.scheduler).__name__
        record = self._record(
            prompt, settings, seed, init_sha, draft, scheduler, flops, wall, conditioning.references
        )
        return ImageResult(index=index, image=image, seed=seed, record=record)

    def _decode(self, pipe: Any, latents: Any) -> Any:
        import torch

        vae = pipe.vae
        dtype = vae.dtype
        # the SD VAE overflows in float16: decode in float32, then put the shared module back
        # (Module.to works in place, and image-to-image encodes with this same VAE)
        upcast = dtype == torch.float16 and getattr(vae.config, "force_upcast", False)
        if upcast:
            vae.to(torch.float32)
        try:
            scaled = latents.to(vae.dtype) / vae.config.scaling_factor
            pixels = vae.decode(scaled, return_dict=False)[0]
        finally:
            if upcast:
                vae.to(dtype)
        return pipe.image_processor.postprocess(pixels.float(), output_type="pil")[0]

    def _record(
        self,
        prompt: str,
        settings: ImageSettings,
        seed: int,
        init_sha: str | None,
        draft: bool,
        scheduler: str,
        flops: int,
        wall: float,
        references: dict[str, Any],
    ) -> GenerationRecord:
        used: dict[str, Any] = {
            "width": settings.width,
            "height": settings.height,
            "steps": settings.steps,
            "guidance": settings.guidance,
            "scheduler": scheduler,
            "quality": settings.quality,
            "decoder": "taesd" if draft else "vae",
            "dtype": self.dtype,
        }
        if not settings.hide_prompt:
            used = {"prompt": prompt, "negative_prompt": settings.negative_prompt, **used}
        if init_sha is not None:
            used.update(init_sha256=init_sha, strength=settings.strength)
        used.update(references)
        if self.offline_tiny:
            used["offline_tiny"] = True
        return GenerationRecord(
            engine=self.name,
            model=self.label,
            revision=self.revision,
            license=self.license,
            settings=used,
            seed=seed,
            versions=library_versions("torch", "diffusers", "transformers", "pillow"),
            device=self.device,
            wall_s=wall,
            test_model=self.offline_tiny,
            flops=float(flops) if flops else None,
            prompt_hidden=settings.hide_prompt,
        )


@contextlib.contextmanager
def _refusal(folder: Path) -> Iterator[None]:
    """A pipeline diffusers cannot load from safetensors alone (weights only as .bin, custom
    components needing remote code, broken configs) is a clear error, not a traceback."""
    try:
        yield
    except (OSError, ValueError, TypeError, KeyError, ImportError, AttributeError) as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ModelUnavailable(
            f"cannot load the diffusers pipeline in {folder}: {reason} "
            "(worldforge loads safetensors weights and diffusers' own components only)"
        ) from None
