"""The one easing curve the warp engine's fields and painters fade with."""
from __future__ import annotations

import numpy as np


def smoothstep(edge0: float, edge1: float, x):
    """0 below ``edge0``, 1 beyond ``edge1``, a smooth cubic between (zero slope at both ends, so
    nothing fades in or out with a visible edge). Scalars give a 0-d array; arrays keep their dtype."""
    t = np.clip((np.asarray(x) - edge0) / (edge1 - edge0), 0.0, 1.0)
    return t * t * (3 - 2 * t)
