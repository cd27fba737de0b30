"""Counting what generation costs, so a book can say what compute and energy it took.

Estimates, not measurements: FLOPs from the model's size and the work done, energy from wall
time and a typical power draw of the device class. Both assumptions are printed with the
numbers wherever they are shown.
"""

from __future__ import annotations

# Typical sustained draw while generating, in watts, by device class.
DEVICE_WATTS = {"cpu": 35.0, "mps": 20.0, "cuda": 300.0}


def device_class(device: str) -> str:
    return device.split(":", 1)[0].lower() or "cpu"


def energy_wh(wall_s: float, device: str) -> float:
    """Energy of a generation from its wall time and the device's typical power draw."""
    watts = DEVICE_WATTS.get(device_class(device), DEVICE_WATTS["cpu"])
    return watts * wall_s / 3600.0


def transformer_flops(parameters: int, tokens: int) -> float:
    """Forward-pass FLOPs of a decoder: about 2 per parameter per token."""
    return 2.0 * parameters * tokens


def format_flops(flops: float) -> str:
    for unit, scale in (("PFLOP", 1e15), ("TFLOP", 1e12), ("GFLOP", 1e9), ("MFLOP", 1e6)):
        if flops >= scale:
            return f"{flops / scale:.1f} {unit}"
    return f"{flops:.0f} FLOP"


def format_energy(wh: float) -> str:
    if wh >= 1000:
        return f"{wh / 1000:.2f} kWh"
    if wh >= 1:
        return f"{wh:.1f} Wh"
    return f"{wh * 1000:.1f} mWh"


def format_co2e(kg: float) -> str:
    if kg >= 1:
        return f"{kg:.2f} kg CO2e"
    if kg >= 1e-3:
        return f"{kg * 1000:.1f} g CO2e"
    return f"{kg * 1e6:.1f} mg CO2e"
