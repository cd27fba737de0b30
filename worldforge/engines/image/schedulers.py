"""The samplers by name: ours, diffusers' class, and the name AUTOMATIC1111 gives each."""

from __future__ import annotations

from typing import Any

# our name -> (diffusers scheduler class, the name AUTOMATIC1111 gives that sampler)
SCHEDULERS: dict[str, tuple[str, str]] = {
    "euler": ("EulerDiscreteScheduler", "Euler"),
    "euler-a": ("EulerAncestralDiscreteScheduler", "Euler a"),
    "ddim": ("DDIMScheduler", "DDIM"),
    "dpm++2m": ("DPMSolverMultistepScheduler", "DPM++ 2M"),
    "lms": ("LMSDiscreteScheduler", "LMS"),
    "pndm": ("PNDMScheduler", "PLMS"),
    "unipc": ("UniPCMultistepScheduler", "UniPC"),
    "lcm": ("LCMScheduler", "LCM"),
}
SCHEDULER_NAMES = tuple(SCHEDULERS)


def sampler_name(scheduler_class: str) -> str:
    """The A1111 sampler name of a diffusers scheduler class (its class name if unknown)."""
    for cls, a1111 in SCHEDULERS.values():
        if cls == scheduler_class:
            return a1111
    return scheduler_class


def make_scheduler(name: str | None, config: Any) -> Any:
    """A fresh scheduler: the one named, or (None) the model's own class and config."""
    import diffusers

    if name is None:
        return getattr(diffusers, config["_class_name"]).from_config(config)
    if name not in SCHEDULERS:
        raise ValueError(f"unknown scheduler {name!r}: use one of {', '.join(SCHEDULERS)}")
    return getattr(diffusers, SCHEDULERS[name][0]).from_config(config)
