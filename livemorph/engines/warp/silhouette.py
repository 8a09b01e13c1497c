"""Silhouette-aware motion for the warp engine: the face moves, what is beside it does not.

The face's silhouette is the outline of its projected mesh (the convex hull of the 468
landmarks: on a turned head that is the far cheek's visible edge, not MediaPipe's face-oval
ring, which then lies on the background). Motionless anchors sit a small margin outside it
(``warp.feather`` face-sizes beside and above the face); below the jaw the band is wider
(``warp.feather_below``), because the neck and the shadow under the chin move with a jaw drop.

Per frame the radial part of each face point's motion is limited so the band is never
crushed or stretched by more than half its width (and the silhouette itself cannot slide
inward over the background, which would pull background into the face). Pixels beyond the
anchors are never touched.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

NUM_FACE_POINTS = 468
CHIN, RIGHT_EYE_OUTER, LEFT_EYE_OUTER = 152, 33, 263
# Share of its depth inside the outline plus the band outside that a point may move radially.
BAND_USE = 0.5


@dataclass(frozen=True)
class Silhouette:
    """Per-portrait geometry of the face's outline and the band around it."""

    center: np.ndarray  # (2,) the hull's centroid
    ring: np.ndarray  # (K, 2) motionless anchor positions
    radial: np.ndarray  # (N, 2) unit vectors from the centre through each face point
    max_out: np.ndarray  # (N,) largest outward radial motion, pixels
    max_in: np.ndarray  # (N,) largest inward radial motion, pixels


def build(landmarks: np.ndarray, feather: float, feather_below: float, count: int = 64) -> Silhouette:
    xy = np.asarray(landmarks, np.float64)[:NUM_FACE_POINTS, :2]
    size = float(np.ptp(xy, axis=0).max())
    hull = _convex_hull(xy)
    center = hull.mean(axis=0)
    down = xy[CHIN] - 0.5 * (xy[RIGHT_EYE_OUTER] + xy[LEFT_EYE_OUTER])
    down /= max(float(np.linalg.norm(down)), 1e-9)

    def outline_radius(angles: np.ndarray) -> np.ndarray:
        rel = hull - center
        a = np.arctan2(rel[:, 1], rel[:, 0])
        order = np.argsort(a)
        return np.interp(angles, a[order], np.hypot(rel[:, 0], rel[:, 1])[order], period=2 * np.pi)

    def margin(angles: np.ndarray) -> np.ndarray:
        # Wide below the jaw (within ~50 degrees of straight down), narrow elsewhere.
        cos_down = np.cos(angles) * down[0] + np.sin(angles) * down[1]
        t = np.clip((cos_down - 0.64) / (0.9 - 0.64), 0.0, 1.0)
        t = t * t * (3 - 2 * t)
        return (feather + (max(feather_below, feather) - feather) * t) * size

    angles = np.linspace(-np.pi, np.pi, count, endpoint=False)
    rays = np.stack([np.cos(angles), np.sin(angles)], axis=1)
    ring = center + rays * (outline_radius(angles) + margin(angles))[:, None]

    rel = xy - center
    dist = np.maximum(np.hypot(rel[:, 0], rel[:, 1]), 1e-9)
    point_angles = np.arctan2(rel[:, 1], rel[:, 0])
    depth = np.maximum(outline_radius(point_angles) - dist, 0.0)  # how far inside the outline
    band = margin(point_angles)
    return Silhouette(
        center=center,
        ring=ring,
        radial=rel / dist[:, None],
        # Half the depth: a deeper point can never overtake a shallower one (no folds).
        max_out=BAND_USE * (depth + band),
        # Points on the outline hold it (sliding in would pull background in); below the jaw
        # the outline may rise with a closing mouth, the neck band stretches instead.
        max_in=BAND_USE * depth + np.maximum(band - feather * size, 0.0),
    )


def limit(displacement: np.ndarray, silhouette: Silhouette) -> None:
    """In place: clip each face point's radial motion to what its place allows."""
    d = displacement[:NUM_FACE_POINTS]
    along = (d * silhouette.radial).sum(axis=1)
    clipped = np.clip(along, -silhouette.max_in, silhouette.max_out)
    d += ((clipped - along)[:, None] * silhouette.radial).astype(d.dtype)


def _convex_hull(points: np.ndarray) -> np.ndarray:
    from scipy.spatial import ConvexHull

    return points[ConvexHull(points).vertices]
