"""Tiny test-only engines: their output is a known function of the AUs, so pipelines can be checked exactly.

``TintEngine`` adds ``TINT_PER_AU12 * AU12`` to the red channel inside the face box of the
portrait (integer box from ``portrait.track.box``) and leaves every other pixel untouched.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from livemorph.aus import AU

TINT_PER_AU12 = 20.0


def face_box(portrait) -> tuple[int, int, int, int]:
    x0, y0, x1, y1 = portrait.track.box
    return int(np.floor(x0)), int(np.floor(y0)), int(np.ceil(x1)), int(np.ceil(y1))


def expected_tint(image: np.ndarray, box, au12: float) -> np.ndarray:
    """What TintEngine must produce, computed independently of the engine's own code path."""
    x0, y0, x1, y1 = box
    out = image.astype(np.int32).copy()
    out[y0:y1, x0:x1, 0] += int(round(TINT_PER_AU12 * au12))
    return np.clip(out, 0, 255).astype(np.uint8)


@dataclass(frozen=True)
class TintPrepared:
    image: np.ndarray
    box: tuple[int, int, int, int]


class TintEngine:
    name = "test-tint"

    def __init__(self, fail_at: int | None = None, fail_with: type[BaseException] = RuntimeError):
        self.fail_at = fail_at
        self.fail_with = fail_with
        self.calls = 0
        self.seen_aus: list[np.ndarray] = []

    def prepare(self, portrait) -> TintPrepared:
        return TintPrepared(portrait.image, face_box(portrait))

    def render(self, prepared: TintPrepared, aus: np.ndarray) -> np.ndarray:
        self.calls += 1
        if self.fail_at is not None and self.calls > self.fail_at:
            raise self.fail_with("engine failed on purpose")
        self.seen_aus.append(np.array(aus, np.float32))
        x0, y0, x1, y1 = prepared.box
        out = prepared.image.copy()
        region = out[y0:y1, x0:x1, 0].astype(np.int32) + int(round(TINT_PER_AU12 * float(aus[AU.AU12])))
        out[y0:y1, x0:x1, 0] = np.clip(region, 0, 255).astype(np.uint8)
        return out


def register(name: str = "test-tint", **kwargs) -> TintEngine:
    """Register a fresh TintEngine under ``name``; returns the instance the pipeline will use."""
    from livemorph.engines import register_engine

    engine = TintEngine(**kwargs)
    register_engine(name, lambda config, device: engine)
    return engine
