"""The weight-free warp engine: AU changes -> py-feat's linear face-mesh model -> a piecewise-affine
warp of the portrait, with a painted mouth interior, eye fields and silhouette-bounded motion.

``engine`` (prepare / render), ``au_mesh`` (the AU -> mesh model), ``eye_fields`` (blink and cheek
raise), ``lids`` (closed lids painted as lids), ``mouth`` (the interior where lips part), ``silhouette`` (motion stays inside the face
outline), ``creases`` (nasolabial folds).
"""
from .engine import WarpEngine, create

__all__ = ["WarpEngine", "create"]
