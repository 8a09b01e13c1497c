"""Skin the motion would turn over is pushed back into place.

Where neighbouring points move very differently, a skin triangle between them can turn over
(round a grinning mouth's corner in a jaw drop, at the crowded far corner of a head turned far
aside), and the warp draws the fold as a torn, stepped patch. Per frame, the free corners of a
skin triangle squashed toward turning over (skin: not the lips, lids or brows, whose shapes are the
expression, nor the outline, which the silhouette holds) are pushed back across its other side, a
pass at a time, until each keeps some of its area: the skin above a rising lip goes up with it.
Everything here changes smoothly with the motion, so the skin never steps between two frames. It
did while a triangle was pushed only once turned over, straight to a share of its rest area, and
the pushes were kept only where no fold was left (Trump's mouth corner jumped 17.6 px between a
user's AU26 +0.76 and +0.77; driven by woman_expressions, the push changed by over 2 px between
frames 47 times on the Mona Lisa, up to 19.6 px, and 40 times on Trump, up to 26 px; while each
free corner of a triangle gave back an equal share, 3 and 15 times, up to 2.3 and 19.5 px: a corner
pushed across a sliver's side less than a pixel long swung with its direction, ``_push_back``;
now 0 and 2 times, up to 0.9 and 4.2 px, ``test_unfold_driven``). The lips' inner edges and the
lids close on purpose (their triangles collapse), so triangles touching them are left alone.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .triangles import corner_coordinates, signed_area

# Most passes per frame (a push can turn over the triangle on a corner's other side).
UNFOLD_PASSES = 16
# Skin squashed below this share of its rest area is given some back (``_kept_area``).
KEEP_AREA = 0.1
# The passes stop once no triangle misses more than this (px2) of what it keeps. What it keeps
# creeps up toward KEEP_AREA with each pass, a little less each time: Trump's crowded mouth
# corners, their fold undone in 2 passes, ran all 16 every frame (2.4 ms more per frame than the
# old unfold). Stopping a pass early moves a point by about this over the length of a side (>= 1 px).
CLOSE_ENOUGH = 0.1
# Pushes that leave this much more skin turned over than the motion did (px2, summed) are dropped,
# and less of them the less they add: where they only move a fold along (crowded round a mouth
# corner) the motion keeps what it had.
MORE_FOLDED = 5.0
# One pass moves a corner at most this many times the length of its triangle's other side: without
# it a sliver's push (its missing area over that length) grew without end, pass after pass
# (Image_with_alpha's lip corner went 570 px off).
PUSH_PER_SIDE = 1.0
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
    """In place: the free corners of each skin triangle squashed below what it keeps
    (``_kept_area``) are pushed square across its other side until it covers that much again
    (shared among its free corners, in proportion to the side each is pushed across; a corner of
    several such triangles takes their pushes' average, weighted by the area each gives back), a
    pass at a time, at most ``UNFOLD_PASSES``. The pushes are kept in full unless they leave more
    skin turned over than the motion did, and fade out as that reaches ``MORE_FOLDED``."""
    count = len(skin.free)
    points = vertices[:count].astype(np.float64)
    motion = displacement[:count].astype(np.float64)
    keep = KEEP_AREA * np.abs(skin.rest_area)
    area = _area_as_at_rest(points + motion, skin)
    kept = _kept_area(area, keep)
    if not (area < kept).any():
        return  # (most frames)
    folded = _turned_over(area)
    pushed = motion.copy()
    for _ in range(UNFOLD_PASSES):
        _push_back(pushed, points + pushed, kept - area, skin)
        area = _area_as_at_rest(points + pushed, skin)
        kept = np.maximum(kept, _kept_area(area, keep))  # what is given back is kept
        if not (area < kept - CLOSE_ENOUGH).any():
            break
    share = float(np.clip(1.0 - (_turned_over(area) - folded) / MORE_FOLDED, 0.0, 1.0))
    displacement[:count] = (motion + share * (pushed - motion)).astype(displacement.dtype)


def _kept_area(area: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """What each triangle of ``area`` keeps: ``keep`` (``KEEP_AREA`` of its rest area) while it
    covers that much, and below it a share of ``keep`` that falls smoothly with it, never to zero:
    exp(area / keep - 1), a third of ``keep`` as it turns over. The pushes grow from nothing."""
    return keep * np.exp(np.minimum(area / np.maximum(keep, 1e-9), 1.0) - 1.0)


def _turned_over(area: np.ndarray) -> float:
    """The area (px2) of the triangles turned over, together."""
    return float(np.maximum(-area, 0.0).sum())


def _area_as_at_rest(moved: np.ndarray, skin: SkinMesh) -> np.ndarray:
    """Each watched triangle's area at ``moved``, positive while it keeps its rest orientation."""
    return signed_area(*corner_coordinates(moved, skin.triangles)) * skin.rest_sign


def _push_back(displacement: np.ndarray, moved: np.ndarray, missing: np.ndarray, skin: SkinMesh) -> None:
    """One pass: the free corners of each triangle ``missing`` area (> 0) pushed back across its other side."""
    count = len(skin.free)
    short = missing > 0.0
    tris = skin.triangles[short]
    free = skin.free[tris]  # (K, 3)
    corners = moved[tris]  # (K, 3, 2)
    edges = [corners[:, (i + 2) % 3] - corners[:, (i + 1) % 3] for i in range(3)]  # the side opposite corner i
    lengths = np.stack([np.maximum(np.hypot(e[:, 0], e[:, 1]), 1e-6) for e in edges], axis=1)  # (K, 3)
    # The free corners give the area back in proportion to the side each is pushed across: a
    # corner across a side of a pixel or less (a sliver) has no steady direction to go, and pushed
    # as far as the others its push swung with every sub-pixel change (45-m7-di-ph's upper lip
    # jumped 1.3 px between two frames a hundredth of an AU apart).
    reach = lengths * free
    share = missing[short, None] * reach / np.maximum(reach.sum(axis=1, keepdims=True), 1e-6)  # (K, 3)
    push = np.zeros((count, 2))
    weights = np.zeros(count)
    for i in range(3):
        edge, length, each = edges[i], lengths[:, i], share[:, i]
        # Moving corner i by d along the side's normal changes the area by length * d / 2.
        normal = skin.rest_sign[short, None] * np.stack([-edge[:, 1], edge[:, 0]], axis=1) / length[:, None]
        step = normal * np.minimum(2.0 * each / length, PUSH_PER_SIDE * length)[:, None]
        on = free[:, i]
        np.add.at(push, tris[:, i][on], (step * each[:, None])[on])
        np.add.at(weights, tris[:, i][on], each[on])
    moving = weights > 0
    displacement[moving] += push[moving] / weights[moving, None]
