"""Metering what a generation draws: codecarbon's OfflineEmissionsTracker around the call.

codecarbon is optional (`pip install "worldforge[energy]"`: it brings pandas and a dozen
more packages). Without it, or with WORLDFORGE_ENERGY=off, a generation's record keeps
its FLOP count and the wall-time estimate, and carries no `energy`: the ledger counts it
as unmetered instead of inventing a figure.

What codecarbon can read depends on the machine. A CPU's RAPL counter or an NVIDIA GPU's
NVML counters are measurements; without them (RAPL is root-only on most Linux systems,
absent in most VMs) codecarbon models the CPU as its TDP times its load, and RAM always
from its size. Each part of the reading says which it was (`Energy.cpu` ...), so no
estimate passes as a measurement. The tracker meters the whole machine, as the wall
socket would, not the process alone.

One tracker per process. Its first use detects the hardware (1.5 s on a 2-core VM,
mostly reading the CPU model), so `warm()` runs that in a thread while the model loads;
each generation is then one codecarbon task, whose start and stop cost under a
millisecond. Offline, with every output off and each such option passed explicitly:
codecarbon otherwise reads `.codecarbon.config` from the current folder, which a shared
story folder could hold, naming an API to send data to.

Settings (environment): WORLDFORGE_ENERGY=off, WORLDFORGE_COUNTRY (ISO 3166 alpha-3 code
of the grid, e.g. FRA), WORLDFORGE_GRID_INTENSITY (g CO2e per kWh; wins over the country).
With neither, codecarbon's world average is used, and the record says so.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from importlib import metadata
from typing import Any

from worldforge.core.model import Energy, EnergySource

OFF_ENV = "WORLDFORGE_ENERGY"
COUNTRY_ENV = "WORLDFORGE_COUNTRY"
INTENSITY_ENV = "WORLDFORGE_GRID_INTENSITY"
# CPU modes of codecarbon that read a hardware energy counter
_COUNTER_MODES = {"intel_rapl", "intel_power_gadget", "windows_emi"}
# kWh and kg kept to 1e-12 (3.6 mJ): finer digits are noise of the meter, not facts
_DIGITS = 12
_CPU_MODEL = {"cpu_load": "CPU load x TDP", "constant": "CPU TDP"}


@dataclass(frozen=True)
class GridSettings:
    """Where the CO2e factor comes from: a country's grid mix, or an intensity that was set."""

    country: str | None = None
    intensity: float | None = None

    @property
    def label(self) -> str:
        if self.intensity is not None:
            return f"{self.intensity:g} g/kWh (set)"
        return self.country or "world average"


def grid_settings() -> GridSettings:
    """The grid from the environment; a malformed intensity is an error, not a silent default."""
    country = (os.environ.get(COUNTRY_ENV) or "").strip().upper() or None
    raw = (os.environ.get(INTENSITY_ENV) or "").strip()
    try:
        intensity = float(raw) if raw else None
    except ValueError:
        raise ValueError(f"{INTENSITY_ENV}={raw!r} is not a number of g CO2e per kWh") from None
    if intensity is not None and not intensity >= 0:
        raise ValueError(f"{INTENSITY_ENV} must be zero or more g CO2e per kWh, not {raw}")
    return GridSettings(country, intensity)


def enabled() -> bool:
    """Whether generations are metered: codecarbon installed and not switched off."""
    if os.environ.get(OFF_ENV, "").strip().lower() in ("off", "0", "no", "false"):
        return False
    try:
        import codecarbon  # noqa: F401
    except ImportError:
        return False
    return True


def _sources(tracker: Any) -> tuple[dict[str, EnergySource], list[str]]:
    """How each part's figure is obtained, from the hardware codecarbon chose to read."""
    from codecarbon.external.hardware import CPU, GPU, AppleSiliconChip
    from codecarbon.external.ram import RAM

    sources: dict[str, EnergySource] = {"cpu": "absent", "gpu": "absent", "ram": "absent"}
    notes: list[str] = []
    for part in tracker._hardware:  # codecarbon keeps the chosen readers here (no public accessor)
        if isinstance(part, GPU):
            sources["gpu"] = "measured"
            notes.append("GPU NVML")
        elif isinstance(part, AppleSiliconChip):
            sources[part.chip_part.lower()] = "measured"
            notes.append(f"{part.chip_part} powermetrics")
        elif isinstance(part, CPU):
            mode = str(part._mode)
            sources["cpu"] = "measured" if mode in _COUNTER_MODES else "estimated"
            notes.append(mode.replace("_", " ") if mode in _COUNTER_MODES else _CPU_MODEL.get(mode, mode))
        elif isinstance(part, RAM):
            sources["ram"] = "estimated"
            notes.append("RAM power model")
    return sources, notes


@dataclass(frozen=True)
class Reading:
    """One metered call: kWh per part, CO2e, and how each figure was obtained."""

    cpu_kwh: float
    gpu_kwh: float
    ram_kwh: float
    co2e_kg: float
    sources: dict[str, EnergySource]
    method: str
    grid: str

    def split(self, weights: Sequence[float]) -> list[Energy]:
        """The reading shared among the outputs of the call, in proportion to `weights`
        (their wall times); equal shares when the weights sum to nothing."""
        total = sum(weights)
        shares = [w / total for w in weights] if total > 0 else [1 / len(weights)] * len(weights)
        return [
            Energy(
                cpu_kwh=round(self.cpu_kwh * share, _DIGITS),
                gpu_kwh=round(self.gpu_kwh * share, _DIGITS),
                ram_kwh=round(self.ram_kwh * share, _DIGITS),
                co2e_kg=round(self.co2e_kg * share, _DIGITS),
                cpu=self.sources["cpu"],
                gpu=self.sources["gpu"],
                ram=self.sources["ram"],
                method=self.method,
                grid=self.grid,
                share=round(share, 6),
            )
            for share in shares
        ]


class Meter:
    """A codecarbon tracker kept for the process; one metered call at a time."""

    def __init__(self, grid: GridSettings) -> None:
        self.grid = grid
        self._tracker: Any = None
        self._ready = threading.Event()
        self._setup = threading.Lock()
        self._busy = threading.Lock()
        self.error: str | None = None

    def _build(self) -> None:
        with self._setup:
            if self._ready.is_set():
                return
            try:
                self._tracker = _tracker(self.grid)
                # a first task detects the hardware, the slow part, off the generation's clock
                self._tracker.start_task("worldforge-warm-up")
                self._tracker.stop_task()
            except Exception as error:
                self._tracker, self.error = None, f"codecarbon failed: {error}"
            self._ready.set()

    def warm(self) -> None:
        """Start detecting the hardware in the background (while a model loads)."""
        if not self._ready.is_set():
            threading.Thread(target=self._build, name="worldforge-energy-warm", daemon=True).start()

    @contextlib.contextmanager
    def track(self) -> Iterator[list[Reading]]:
        """Meter the block; the list it yields holds the reading afterwards, or stays empty
        when nothing could be metered (codecarbon failed, or another call is being metered:
        a machine-wide meter cannot tell two concurrent generations apart)."""
        self._build()
        out: list[Reading] = []
        if self._tracker is None or not self._busy.acquire(blocking=False):
            yield out
            return
        try:
            started = self._start()
            try:
                yield out
            finally:
                reading = self._stop() if started else None
            if reading is not None:
                out.append(reading)
        finally:
            self._busy.release()

    # a failure of the meter is kept in `error`, never raised into a generation
    def _start(self) -> bool:
        try:
            self._tracker.start_task()
        except Exception as error:
            self.error = f"codecarbon failed: {error}"
            return False
        return True

    def _stop(self) -> Reading | None:
        try:
            data = self._tracker.stop_task()
            return None if data is None else self._reading(data)
        except Exception as error:
            self.error = f"codecarbon failed: {error}"
            return None

    def _reading(self, data: Any) -> Reading:
        sources, notes = _sources(self._tracker)
        version = metadata.version("codecarbon")
        method = ", ".join([f"codecarbon {version}", *notes, "whole machine"])
        return Reading(
            cpu_kwh=float(data.cpu_energy),
            gpu_kwh=float(data.gpu_energy),
            ram_kwh=float(data.ram_energy),
            co2e_kg=float(data.emissions),
            sources=sources,
            method=method,
            grid=self.grid.label,
        )


def _tracker(grid: GridSettings) -> Any:
    from codecarbon import OfflineEmissionsTracker

    # codecarbon logs at INFO before it applies log_level; its notices are not ours to print
    logging.getLogger("codecarbon").setLevel(logging.ERROR)
    options: dict[str, Any] = {
        "output_methods": [],
        "emissions_endpoint": None,
        "electricitymaps_api_token": None,
        "log_level": "error",
        "allow_multiple_runs": True,
        "tracking_mode": "machine",
        "country_iso_code": grid.country,
        "force_carbon_intensity_g_co2e_kwh": grid.intensity,
    }
    return OfflineEmissionsTracker(**options)


_meters: dict[GridSettings, Meter] = {}
_lock = threading.Lock()


def meter() -> Meter | None:
    """The process's meter for the configured grid, or None when metering is off."""
    if not enabled():
        return None
    grid = grid_settings()
    with _lock:
        if grid not in _meters:
            _meters[grid] = Meter(grid)
        return _meters[grid]


@contextlib.contextmanager
def metered() -> Iterator[list[Reading]]:
    """Meter the block when metering is on; the yielded list holds the reading after it."""
    current = meter()
    if current is None:
        yield []
        return
    with current.track() as out:
        yield out


def warm() -> None:
    """Get the meter ready in the background, if metering is on."""
    current = meter()
    if current is not None:
        current.warm()


def energies(readings: Sequence[Reading], weights: Sequence[float]) -> list[Energy | None]:
    """Per output of a metered call: its share of the reading, or None when there was none."""
    if not readings:
        return [None] * len(weights)
    return list(readings[0].split(weights))
