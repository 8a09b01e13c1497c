"""The easing curves livemorph fades with: the warp engine's fields and painters, the GANimation
crop's feathered edge, the neutral's opening caps and the no-face easing (``face.stabilize``)."""
from __future__ import annotations

import numpy as np


# Scalars worked out in Python (float64 either way; not numpy's float32, nor bool).
_SCALARS = (float, int, np.float64)


def smoothstep(edge0: float, edge1: float, x):
    """0 below ``edge0``, 1 beyond ``edge1``, a smooth cubic between (zero slope at both ends, so
    nothing fades in or out with a visible edge). Scalars give a numpy scalar; arrays keep their dtype."""
    if type(x) in _SCALARS and type(edge0) in _SCALARS and type(edge1) in _SCALARS and edge1 != edge0:
        # One number (~60 calls a frame): the same float64 arithmetic in Python, without numpy's
        # per-call cost; np.float64 as numpy hands back, so what it scales keeps its dtype.
        t = (x - edge0) / (edge1 - edge0)
        t = min(max(t, 0.0), 1.0)
        return np.float64(t * t * (3 - 2 * t))
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
