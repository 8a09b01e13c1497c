"""The one easing curve the warp engine's fields and painters fade with."""
from __future__ import annotations

import numpy as np


def smoothstep(edge0: float, edge1: float, x):
    """0 below ``edge0``, 1 beyond ``edge1``, a smooth cubic between (zero slope at both ends, so
    nothing fades in or out with a visible edge). Scalars give a 0-d array; arrays keep their dtype."""
    # maximum/minimum, not np.clip: the same values, without its wrapper's cost (~70 calls a frame).
    t = np.minimum(np.maximum((np.asarray(x) - edge0) / (edge1 - edge0), 0.0), 1.0)
    return t * t * (3 - 2 * t)


def ease_toward(value: float, knee: float, limit: float) -> float:
    """``value`` unchanged up to ``knee``, then easing toward ``limit`` (a tanh with the same slope
    at the knee, so a growing motion never jumps and smaller ones keep their proportions)."""
    if value <= knee or not np.isfinite(limit):
        return float(value)
    room = limit - knee
    if room <= 0.0:
        return float(knee)
    return float(knee + room * np.tanh((value - knee) / room))
