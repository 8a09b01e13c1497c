"""Skin the motion would turn over is pushed back into place.

Where neighbouring points move very differently, a skin triangle between them can turn over
(round a grinning mouth's corner in a jaw drop, at the crowded far corner of a head turned far
aside), and the warp draws the fold as a torn, stepped patch. Per frame, the free corners of a
turned-over skin triangle (skin: not the lips, lids or brows, whose shapes are the expression,
nor the outline, which the silhouette holds) are pushed back across its other side, a pass at a
time, until none is turned over: the skin above a rising lip goes up with it. Where that does not
end it (a fold crowded round a mouth corner, which the pushes only move along), the motion is
left as it was. The lips' inner edges and the lids close on purpose (their triangles collapse),
so triangles touching them are left alone.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .triangles import corner_coordinates, signed_area

# Most passes per frame (a push can turn over the triangle on a corner's other side), and the share
# of its rest area a turned-over triangle is given back (squashed, but the right way round).
UNFOLD_PASSES = 8
KEEP_AREA = 0.1
# Skin triangles smaller than this at rest (px2) are left alone: slivers, turned over by a rounding.
MIN_REST_AREA = 3.0


@dataclass(frozen=True)
class SkinMesh:
    """Once per portrait: the skin triangles watched, their areas at rest, which corners may move."""

    triangles: np.ndarray  # (S, 3) int, skin triangles (face points only)
    rest_area: np.ndarray  # (S,) float64, their signed areas at rest
    rest_sign: np.ndarray  # (S,) float64, +-1: their orientation at rest
    free: np.ndarray  # (N,) bool, face points that may be pushed (skin)


def skin_mesh(vertices: np.ndarray, triangles: np.ndarray, count: int, fixed, closing) -> SkinMesh:
    """The skin mesh over the first ``count`` vertices: ``fixed`` points keep their motion,
    triangles touching a ``closing`` point (inner lips, lids) are not watched."""
    face = triangles[(triangles < count).all(axis=1)]
    free = np.ones(count, bool)
    free[list(fixed)] = False
    closing_point = np.zeros(count, bool)
    closing_point[list(closing)] = True
    area = signed_area(*corner_coordinates(np.asarray(vertices, np.float64)[:count], face))
    watched = free[face].any(axis=1) & ~closing_point[face].any(axis=1) & (np.abs(area) > MIN_REST_AREA)
    return SkinMesh(face[watched], area[watched], np.sign(area[watched]), free)


def unfold_skin(displacement: np.ndarray, vertices: np.ndarray, skin: SkinMesh) -> None:
    """In place: the free corners of each turned-over skin triangle are pushed square across its
    other side until it covers ``KEEP_AREA`` of its rest area again (shared among its free
    corners; a corner of several such triangles takes their pushes' average), a pass at a time.
    Kept only if no skin is turned over after ``UNFOLD_PASSES``: where the pushes only move a fold
    along (a crowded corner of the mouth), the motion is left as it was."""
    count = len(skin.free)
    points = vertices[:count]
    pushed = displacement[:count].astype(np.float64)
    moved = points + pushed
    area = _area_as_at_rest(moved, skin)
    if not (area < 0.0).any():
        return  # (most frames)
    for _ in range(UNFOLD_PASSES):
        _push_back(pushed, moved, area, skin)
        moved = points + pushed
        area = _area_as_at_rest(moved, skin)
        if not (area < 0.0).any():
            displacement[:count] = pushed.astype(displacement.dtype)
            return


def _area_as_at_rest(moved: np.ndarray, skin: SkinMesh) -> np.ndarray:
    """Each watched triangle's area at ``moved``, positive while it keeps its rest orientation."""
    return signed_area(*corner_coordinates(moved, skin.triangles)) * skin.rest_sign


def _push_back(displacement: np.ndarray, moved: np.ndarray, area: np.ndarray, skin: SkinMesh) -> None:
    """One pass: each turned-over triangle's (``area`` < 0 at ``moved``) free corners pushed back
    across its other side."""
    count = len(skin.free)
    turned = area < 0.0
    tris = skin.triangles[turned]
    free = skin.free[tris]  # (K, 3)
    missing = (KEEP_AREA * np.abs(skin.rest_area[turned]) - area[turned]) / np.maximum(free.sum(axis=1), 1)
    corners = moved[tris]  # (K, 3, 2)
    push = np.zeros((count, 2))
    pushes = np.zeros(count)
    for i in range(3):
        edge = corners[:, (i + 2) % 3] - corners[:, (i + 1) % 3]  # the side opposite corner i
        length = np.maximum(np.hypot(edge[:, 0], edge[:, 1]), 1e-6)
        # Moving corner i by d along the side's normal changes the area by length * d / 2.
        normal = skin.rest_sign[turned, None] * np.stack([-edge[:, 1], edge[:, 0]], axis=1) / length[:, None]
        step = normal * (2.0 * missing / length)[:, None]
        ids = tris[:, i][free[:, i]]
        np.add.at(push, ids, step[free[:, i]])
        np.add.at(pushes, ids, 1.0)
    moving = pushes > 0
    displacement[moving] += push[moving] / pushes[moving, None]
