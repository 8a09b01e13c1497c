"""On and beside the lips of an opening mouth the warp samples the portrait where its mesh says.

At rest the lips' inner lines meet, so the triangles between them are slivers; a jaw drop
stretches them many times over. On london_092 the low-resolution map, upsampled across such a
sliver, sampled the lips' whole height inside a few output pixels: a thin pale streak with dark
edges hung beside the opening's left corner. A small opening's lips showed the same at a smaller
scale: a pale, dark-rimmed nub at the opening's left end and specks on the lips' edges, where a
low-res map pixel fell into one of the lips' thin triangles and bent its neighbours' map.

The expectation comes from the mesh alone: each output pixel inside exactly one moved triangle
samples the portrait at the same barycentric point of that triangle at rest, worked out here
pixel by pixel.
"""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from conftest import resting_plus, shared_face
from face_regions import INNER_LIPS, OUTER_LIPS, UPPER_INNER, fill

# woman_expressions.mp4 frame 308 as livemorph reads it: a round "O".
JAW_DROP = {"AU26": 2.8, "AU25": 3.0}
REACH = 0.3  # mouth widths around each inner corner
FAR_OFF_PX = 6.0


def _exact_sources(rest: np.ndarray, moved: np.ndarray, triangles: np.ndarray, points: np.ndarray) -> np.ndarray:
    """(N, 2) the rest position of each point by barycentric coordinates in the one moved triangle
    holding it; NaN where none or several do (a fold: no single answer)."""
    found = np.full((len(points), 2), np.nan)
    hits = np.zeros(len(points), int)
    for triangle in triangles:
        a, b, c = moved[triangle].astype(np.float64)
        det = (b[1] - c[1]) * (a[0] - c[0]) + (c[0] - b[0]) * (a[1] - c[1])
        if abs(det) < 1e-9:
            continue
        dx, dy = points[:, 0] - c[0], points[:, 1] - c[1]
        wa = ((b[1] - c[1]) * dx + (c[0] - b[0]) * dy) / det
        wb = ((c[1] - a[1]) * dx + (a[0] - c[0]) * dy) / det
        wc = 1.0 - wa - wb
        inside = (wa >= -1e-6) & (wb >= -1e-6) & (wc >= -1e-6)
        hits += inside
        corners = rest[triangle].astype(np.float64)
        found[inside] = wa[inside, None] * corners[0] + wb[inside, None] * corners[1] + wc[inside, None] * corners[2]
    found[hits != 1] = np.nan
    return found


def test_beside_the_corners_of_a_jaw_drop_the_map_is_the_meshs_own(config, engine, image_tracker):
    from livemorph.engines.warp.engine import frame_map

    prepared = engine.prepare(shared_face("london_092_beard.jpg", config, image_tracker))
    moved = engine.displaced_vertices(prepared, resting_plus(prepared, **JAW_DROP))
    map_xy = frame_map(prepared, moved)
    x0, y0 = prepared.region[:2]
    width = float(np.linalg.norm(moved[UPPER_INNER[-1]] - moved[UPPER_INNER[0]]))
    for corner in (UPPER_INNER[0], UPPER_INNER[-1]):
        cx, cy = moved[corner]
        reach = REACH * width
        ys, xs = np.mgrid[int(cy - reach):int(cy + reach), int(cx - reach):int(cx + reach)]
        # Outside the opening (painted over by the mouth interior) and a pixel clear of its edge.
        opening = cv2.dilate(fill(ys.shape, moved[list(INNER_LIPS)] - (xs[0, 0], ys[0, 0])), np.ones((3, 3), np.uint8))
        keep = (np.hypot(xs - cx, ys - cy) <= reach) & (opening == 0)
        points = np.stack([xs[keep], ys[keep]], axis=1).astype(np.float64)
        expected = _exact_sources(prepared.vertices, moved, prepared.triangles, points)
        got = map_xy[ys[keep] - y0, xs[keep] - x0]
        error = np.linalg.norm(got - expected, axis=1)
        error = error[~np.isnan(error)]
        assert len(error) > 0.5 * keep.sum()
        # The map round the lips is the mesh's own, smoothed over a pixel (at most 1.6 px off here);
        # a streak is a run of pixels sampling further off (the streak: 26 at the left corner, up
        # to 9.4 px off).
        far_off = int((error > FAR_OFF_PX).sum())
        assert far_off <= 5, (f"beside the mouth corner at x={cx:.0f} {far_off} pixels sample more than "
                              f"{FAR_OFF_PX} px from where the mesh puts them")


@pytest.mark.parametrize("parting", [0.6, 2.5])
def test_on_the_lips_of_a_parting_the_map_is_the_meshs_own(config, engine, image_tracker, parting):
    """Over london_092's whole lips (and 3 px of skin round them), outside the opening, lips parted
    a little (+0.6: the nub) and wide (+2.5): before, 23 and 27 pixels sampled 3-8 px off."""
    from livemorph.engines.warp.engine import frame_map

    prepared = engine.prepare(shared_face("london_092_beard.jpg", config, image_tracker))
    moved = engine.displaced_vertices(prepared, resting_plus(prepared, AU25=parting))
    map_xy = frame_map(prepared, moved)
    lips = moved[list(OUTER_LIPS)]
    (left, top), (right, bottom) = np.floor(lips.min(axis=0)).astype(int) - 4, np.ceil(lips.max(axis=0)).astype(int) + 4
    ys, xs = np.mgrid[top:bottom, left:right]
    around_the_lips = cv2.dilate(fill(ys.shape, lips - (left, top)), np.ones((7, 7), np.uint8))
    opening = cv2.dilate(fill(ys.shape, moved[list(INNER_LIPS)] - (left, top)), np.ones((3, 3), np.uint8))
    keep = (around_the_lips > 0) & (opening == 0)
    points = np.stack([xs[keep], ys[keep]], axis=1).astype(np.float64)
    expected = _exact_sources(prepared.vertices, moved, prepared.triangles, points)
    x0, y0 = prepared.region[:2]
    error = np.linalg.norm(map_xy[ys[keep] - y0, xs[keep] - x0] - expected, axis=1)
    error = error[~np.isnan(error)]
    assert len(error) > 0.9 * keep.sum()
    far_off = int((error > 3.0).sum())
    assert far_off <= 2, f"{far_off} pixels of the parted lips sample more than 3 px from where the mesh puts them"
