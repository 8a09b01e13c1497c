"""The warp engine's backward map: for each output pixel, where in the portrait to sample.

The face mesh's triangles move; each output pixel lies in one moved triangle and samples the
portrait at the same barycentric place in that triangle at rest (piecewise affine). The map is
worked out on a low-resolution grid over the face's region (``low_res_grid``: ~200 pixels across
resolve triangles ~1/30 of the face) and upsampled, then re-evaluated at full resolution where
that loses too much: around triangles squashed toward a seam (a closing lid, lips meeting,
``_repair_seams``) and over the lips, whose triangles are thinner than a low-res map pixel
(``_redraw_finely``).
"""
from __future__ import annotations

from typing import NamedTuple

import cv2
import numpy as np

from .triangles import corner_coordinates, signed_area

def low_res_grid(region: tuple[int, int, int, int], map_size: int) -> np.ndarray:
    """Full-res coordinates of the pixel centres of the low-res warp map of the region.

    The map's long side is ``map_size`` (never more than the region's own): face triangles
    are ~1/30 of the face, so ~200 map pixels across resolve them while keeping per-frame
    work independent of the portrait's resolution.

    Matches cv2.resize(INTER_LINEAR)'s half-pixel alignment, so upsampling the map puts every
    value back where it was computed.
    """
    x0, y0, x1, y1 = region
    scale = min(1.0, map_size / max(x1 - x0, y1 - y0))
    w = max(2, int(round((x1 - x0) * scale)))
    h = max(2, int(round((y1 - y0) * scale)))
    xs = x0 + (np.arange(w) + 0.5) * ((x1 - x0) / w) - 0.5
    ys = y0 + (np.arange(h) + 0.5) * ((y1 - y0) / h) - 0.5
    gx, gy = np.meshgrid(xs, ys)
    return np.stack([gx, gy], axis=-1).astype(np.float32)


# ----------------------------------------------------------------------------------------
# Per-frame warp
_SUBPIXEL_BITS = 4
_COLLAPSED = 0.03  # a triangle squashed below this fraction of its area is not drawn
_SQUASHED = 0.3  # below this fraction the map is re-evaluated at full resolution around it
# The lips' triangles are thinner than a low-res map pixel wherever the face is large against the
# map (london_092: 3.5 output px a map pixel, its lips 20 px tall), and those between the lips are
# slivers at rest (the inner lines meet) that an opening stretches many times over. A map pixel
# falling in one of them bent its upsampled neighbours' map: by up to 11 px on a small opening's
# lips (a pale, dark-rimmed nub at the opening's left end, AU25 +0.4..+1: "specks near the lips'
# corners", reviews; pink and dark-red specks on the lips' edges), by 15 px beside a jaw drop's
# corner (the lips' whole height drawn into a pale streak). So over the box of ``fine_points``
# (the lips), grown by ``_FINE_MARGIN`` of its width, the map is worked out at full resolution
# and smoothed over ``_FINE_SMOOTHING`` px. Unsmoothed it showed the mesh's facets as 1-px lines
# where neighbouring triangles' maps disagree (a fold's triangle skipped, its pixels taken by a
# neighbour); smoothed over 2 px it drew teeth into the line of sealed lips (the astronaut). It is
# blended in over ``_FINE_FEATHER`` of the margin at the box's edge.
_FINE_MARGIN, _FINE_SMOOTHING, _FINE_FEATHER = 0.15, 1.0, 0.5


def backward_map(source: np.ndarray, moved: np.ndarray, triangles: np.ndarray,
                 region: tuple[int, int, int, int], grid: np.ndarray,
                 coverage: np.ndarray | None = None, seam_triangles: np.ndarray | None = None,
                 at_rest: TrianglesAtRest | None = None, fine_points: np.ndarray | None = None) -> np.ndarray:
    """Full-res (h, w, 2) float32 map: for each output pixel of ``region``, where to sample.

    Piecewise affine: each output pixel lies in one displaced triangle; its barycentric
    coordinates there give the source position in the original triangle. Computed on the
    low-res ``grid`` (rasterising triangle ids), then upsampled bilinearly (the map is
    continuous and piecewise linear, so that loses almost nothing). ``coverage`` marks map
    pixels that must belong to some triangle (see ``_fill_holes``); ``seam_triangles`` (bool
    per triangle) limits the full-resolution seam repair of squashed triangles to them (default:
    all); ``at_rest``: the triangles' corners and areas in ``source`` (``triangles_at_rest``) when
    known (computed otherwise); ``fine_points`` (vertex indices, default: none): the box round
    them is worked out at full resolution (``_redraw_finely``).
    """
    x0, y0, x1, y1 = region
    gh, gw = grid.shape[:2]
    # Collapsed triangles (a closed eye's interior) would still be drawn as lines of
    # arbitrary colour: skip them, and draw the most squashed first so healthy neighbours
    # own the shared edges. A triangle turned over (its corners in the other order: a fold,
    # where the lips press together) is collapsed too: drawn, it laid pixels from across the
    # fold outside it (a speck of upper lip under Grace Hopper's lower lip in a smile).
    moved_xs, moved_ys = corner_coordinates(moved, triangles)
    if at_rest is None:
        at_rest = triangles_at_rest(source, triangles)
    moved_area, rest_area = signed_area(moved_xs, moved_ys), at_rest.signed_area
    squash = np.where(moved_area * rest_area < 0, 0.0, np.abs(moved_area) / np.maximum(np.abs(rest_area), 1e-6))
    order = np.argsort(squash)
    may_seam = squash <= _SQUASHED
    if seam_triangles is not None:
        may_seam &= seam_triangles
    squashed = np.nonzero(may_seam)[0]
    order = order[squash[order] > _COLLAPSED]
    ids = triangle_ids(moved, triangles, region, (gh, gw), order)
    if coverage is not None:
        ids = _fill_holes(ids, coverage)

    c = _triangle_affines(moved_xs, moved_ys, at_rest.xs, at_rest.ys)  # (6, T + 1)
    # Indexed with intp: numpy converts a uint16 index array anew for every gather (~3x their cost).
    flat = ids.ravel().astype(np.intp)
    gx = grid[..., 0].ravel()
    gy = grid[..., 1].ravel()
    low_map = np.empty((gh * gw, 2), np.float32)
    low_map[:, 0] = c[0][flat] * gx + c[1][flat] * gy + c[2][flat]
    low_map[:, 1] = c[3][flat] * gx + c[4][flat] * gy + c[5][flat]
    low_map = low_map.reshape(gh, gw, 2)
    if (gw, gh) == (x1 - x0, y1 - y0):
        return low_map
    full = cv2.resize(low_map, (x1 - x0, y1 - y0), interpolation=cv2.INTER_LINEAR)
    _extend_to_the_edges(full, gw, gh)
    _repair_seams(full, ids, c, region, moved, triangles, (moved_xs, moved_ys), order, squashed)
    if fine_points is not None:
        _redraw_finely(full, region, moved, triangles, c, (moved_xs, moved_ys), order, moved[fine_points])
    return full


def _redraw_finely(full: np.ndarray, region: tuple[int, int, int, int], moved: np.ndarray, triangles: np.ndarray,
                   affine: np.ndarray, corners_xy: tuple[np.ndarray, np.ndarray], order: np.ndarray,
                   points: np.ndarray) -> None:
    """In place: over the box round ``points`` (moved), the map worked out at full resolution from
    the drawn triangles (``order``; pixels of skipped ones take a neighbour's, as ``_fill_holes``),
    smoothed and blended in at the box's edge (see ``_FINE_MARGIN``)."""
    x0, y0, x1, y1 = region
    lo, hi = points.min(axis=0), points.max(axis=0)
    margin = _FINE_MARGIN * float(hi[0] - lo[0]) + 2.0
    # Worked out over a few more pixels than blended in, so the smoothing sees no box edge.
    reach = int(np.ceil(3.0 * _FINE_SMOOTHING))
    bx0, by0 = max(x0, int(np.floor(lo[0] - margin)) - reach), max(y0, int(np.floor(lo[1] - margin)) - reach)
    bx1, by1 = min(x1, int(np.ceil(hi[0] + margin)) + reach), min(y1, int(np.ceil(hi[1] + margin)) + reach)
    if bx1 - bx0 <= 2 * reach or by1 - by0 <= 2 * reach:
        return
    near = _reaching(corners_xy, order, (bx0, by0, bx1, by1))
    ids = triangle_ids(moved, triangles, (bx0, by0, bx1, by1), (by1 - by0, bx1 - bx0), near)
    k = _fill_holes(ids, np.ones(ids.shape, bool)).astype(np.intp)
    gx = np.arange(bx0, bx1, dtype=np.float32)[None, :]
    gy = np.arange(by0, by1, dtype=np.float32)[:, None]
    box = full[by0 - y0:by1 - y0, bx0 - x0:bx1 - x0]
    fine = np.empty_like(box)
    fine[..., 0] = affine[0][k] * gx + affine[1][k] * gy + affine[2][k]
    fine[..., 1] = affine[3][k] * gx + affine[4][k] * gy + affine[5][k]
    # Pixels no triangle reaches (id 0: off the face) keep the upsampled map.
    fine = np.where((k == 0)[..., None], box, fine)
    fine = cv2.GaussianBlur(fine, (0, 0), _FINE_SMOOTHING)
    feather = max(1.0, _FINE_FEATHER * margin)
    share = np.minimum(_edge_ramp(by1 - by0, reach, feather)[:, None], _edge_ramp(bx1 - bx0, reach, feather)[None, :])
    box += share[..., None] * (fine - box)


def _reaching(corners_xy: tuple[np.ndarray, np.ndarray], order: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    """The triangles of ``order`` (in that order) whose bounding box reaches within a pixel of
    ``box`` (``corners_xy``: (3, T) x and y of every triangle's corners)."""
    xs, ys = corners_xy
    bx0, by0, bx1, by1 = box
    return order[(np.maximum(np.maximum(xs[0], xs[1]), xs[2])[order] >= bx0 - 1)
                 & (np.minimum(np.minimum(xs[0], xs[1]), xs[2])[order] <= bx1 + 1)
                 & (np.maximum(np.maximum(ys[0], ys[1]), ys[2])[order] >= by0 - 1)
                 & (np.minimum(np.minimum(ys[0], ys[1]), ys[2])[order] <= by1 + 1)]


def _edge_ramp(length: int, skip: int, feather: float) -> np.ndarray:
    """(length,) 0 over ``skip`` pixels at each end, rising to 1 over ``feather`` more."""
    from_edge = np.minimum(np.arange(length), np.arange(length)[::-1]).astype(np.float32) - skip
    return np.clip(from_edge / feather, 0.0, 1.0)


def _extend_to_the_edges(full: np.ndarray, gw: int, gh: int) -> None:
    """In place: the full-res map's outermost rows and columns extended linearly from the two
    inside them. cv2.resize repeats the low-res map's edge values out to the region's edge (its
    outermost pixels lie outside the low-res pixel centres), where the map then stood a fraction of
    a pixel off: the Mona Lisa's box edges sampled 0.28 px aside, a straight line round the warped
    region (4 grey levels on average down its side through her hair)."""
    h, w = full.shape[:2]
    for size, low, axis in ((w, gw, 1), (h, gh, 0)):
        # Full-res pixel i sits at low-res (i + 0.5) * low / size - 0.5: outside the centres below 0.
        n = int(np.ceil(0.5 * size / low - 0.5 - 1e-6))
        if n <= 0 or size < 2 * n + 2:
            continue
        lines = np.moveaxis(full, axis, 0)  # a view: rows (axis 0) or columns (axis 1) first
        for first, step in ((n, 1), (size - 1 - n, -1)):
            inner, slope = lines[first], lines[first] - lines[first + step]
            for k in range(1, n + 1):
                lines[first - step * k] = inner + k * slope


def _repair_seams(full: np.ndarray, ids: np.ndarray, affine: np.ndarray,
                  region: tuple[int, int, int, int], moved: np.ndarray, triangles: np.ndarray,
                  corners_xy: tuple[np.ndarray, np.ndarray], order: np.ndarray, seams: np.ndarray) -> None:
    """Where the map jumps or nearly does (closing lids squash the eye's triangles, closed
    ones collapse them: both sides sample far-apart source rows), bilinear upsampling would
    sample the eye between them and draw a pale zigzag. There, about the ``seams`` triangles,
    re-rasterise the nearby triangles at full resolution (only the seams' boxes, a few thousand
    pixels) and evaluate their affines exactly over each seam's box."""
    x0, y0, x1, y1 = region
    gh, gw = ids.shape
    if len(seams) == 0:
        return
    # Draw the seam triangles' outlines into a mask.
    sx, sy = (x1 - x0) / gw, (y1 - y0) / gh
    low = np.empty((len(moved), 2), np.float64)
    low[:, 0] = (moved[:, 0] - x0 + 0.5) / sx - 0.5
    low[:, 1] = (moved[:, 1] - y0 + 0.5) / sy - 0.5
    outlines = list(np.round(low[triangles[seams]] * (1 << _SUBPIXEL_BITS)).astype(np.int32))
    jump = np.zeros((gh, gw), np.uint8)
    cv2.polylines(jump, outlines, True, 1, thickness=1, lineType=cv2.LINE_8, shift=_SUBPIXEL_BITS)
    jump = cv2.dilate(jump, np.ones((3, 3), np.uint8), iterations=2)
    count, _, stats, _ = cv2.connectedComponentsWithStats(jump, connectivity=8)
    for left, top, width, height, _ in stats[1:count]:
        # The seam's box in full-res pixels, clipped to the region.
        bx0 = max(x0, int(np.floor(x0 + left * sx)))
        by0 = max(y0, int(np.floor(y0 + top * sy)))
        bx1 = min(x1, int(np.ceil(x0 + (left + width) * sx)))
        by1 = min(y1, int(np.ceil(y0 + (top + height) * sy)))
        if bx1 <= bx0 or by1 <= by0:
            continue
        fine = triangle_ids(moved, triangles, (bx0, by0, bx1, by1), (by1 - by0, bx1 - bx0),
                            _reaching(corners_xy, order, (bx0, by0, bx1, by1)))
        coarse = cv2.resize(ids[top:top + height, left:left + width], (bx1 - bx0, by1 - by0),
                            interpolation=cv2.INTER_NEAREST)
        k = np.where(fine > 0, fine, coarse).astype(np.intp)  # (as in backward_map: six gathers)
        gx = np.arange(bx0, bx1, dtype=np.float32)[None, :]  # a row and a column, broadcast
        gy = np.arange(by0, by1, dtype=np.float32)[:, None]
        box = full[by0 - y0:by1 - y0, bx0 - x0:bx1 - x0]
        box[..., 0] = affine[0][k] * gx + affine[1][k] * gy + affine[2][k]
        box[..., 1] = affine[3][k] * gx + affine[4][k] * gy + affine[5][k]


def pin_frame_edges(map_xy: np.ndarray, region: tuple[int, int, int, int], image_hw: tuple[int, int],
                     open_below: bool = False) -> None:
    """The frame edge is pinned by anchors, so the exact map there is the identity; set it so,
    undoing the low-res map's upsampling error next to a squeezed edge. (An ``open_below`` bottom
    edge is not pinned: a lowered chin goes out through it.)"""
    x0, y0, x1, y1 = region
    height, width = image_hw
    rows = np.arange(y0, y1, dtype=np.float32)
    cols = np.arange(x0, x1, dtype=np.float32)
    if x0 == 0:
        map_xy[:, 0, 0], map_xy[:, 0, 1] = 0.0, rows
    if x1 == width:
        map_xy[:, -1, 0], map_xy[:, -1, 1] = width - 1.0, rows
    if y0 == 0:
        map_xy[0, :, 0], map_xy[0, :, 1] = cols, 0.0
    if y1 == height and not open_below:
        map_xy[-1, :, 0], map_xy[-1, :, 1] = cols, height - 1.0


def triangle_ids(points: np.ndarray, triangles: np.ndarray, region: tuple[int, int, int, int],
                 shape: tuple[int, int], order: np.ndarray | None = None) -> np.ndarray:
    """(h, w) = ``shape`` uint16 map of which triangle covers each pixel of a grid of that size
    laid over ``region`` (as ``low_res_grid``'s): k + 1, or 0 for none.

    Triangles are drawn in ``order`` (default: all, in index order); later ones win shared edges.
    """
    x0, y0, x1, y1 = region
    gh, gw = shape
    # Vertices in low-res pixel units (inverse of _low_res_grid's mapping), fixed point.
    sx, sy = gw / (x1 - x0), gh / (y1 - y0)
    low = np.empty((len(points), 2), np.float64)
    low[:, 0] = (points[:, 0] - x0 + 0.5) * sx - 0.5
    low[:, 1] = (points[:, 1] - y0 + 0.5) * sy - 0.5
    fixed = np.round(low * (1 << _SUBPIXEL_BITS)).astype(np.int32)
    if order is None:
        order = np.arange(len(triangles))
    ids = np.zeros((gh, gw), np.uint16)
    # ~1400 calls a frame: positional arguments and a list of views (cv2's keyword parsing and
    # ndarray iteration cost about as much as the filling itself).
    fill = cv2.fillConvexPoly
    for corners, value in zip(list(fixed[triangles[order]]), (order + 1).tolist()):
        fill(ids, corners, value, cv2.LINE_8, _SUBPIXEL_BITS)
    return ids


def _fill_holes(ids: np.ndarray, coverage: np.ndarray) -> np.ndarray:
    """Give pixels left uncovered inside the face (where skipped, collapsed triangles were:
    the line where closed lids meet) a neighbouring triangle, so they sample lid skin rather
    than showing the original open eye through the gap."""
    for _ in range(3):
        holes = coverage & (ids == 0)
        if not holes.any():
            break
        ids = np.where(holes, cv2.dilate(ids, np.ones((3, 3), np.uint8)), ids)
    return ids


class TrianglesAtRest(NamedTuple):
    """The mesh's triangles in the portrait: corners (``corner_coordinates``) and areas, once per portrait."""

    xs: np.ndarray  # (3, T)
    ys: np.ndarray  # (3, T)
    signed_area: np.ndarray  # (T,) (its sign: the corners' order)


def triangles_at_rest(vertices: np.ndarray, triangles: np.ndarray) -> TrianglesAtRest:
    xs, ys = corner_coordinates(vertices, triangles)
    return TrianglesAtRest(xs, ys, signed_area(xs, ys))


def _triangle_affines(dst_xs: np.ndarray, dst_ys: np.ndarray, src_xs: np.ndarray, src_ys: np.ndarray) -> np.ndarray:
    """(6, T + 1) float32: the affine maps taking each displaced triangle (corners ``dst_xs``,
    ``dst_ys``, (3, T) each) back onto its source (``src_xs``, ``src_ys``), a row per coefficient:
    x' = c0 x + c1 y + c2, y' = c3 x + c4 y + c5 (each coefficient then gathers from a contiguous row).

    Column 0 is the identity (pixels outside every triangle do not move). A collapsed triangle
    (zero area after displacement) maps to its source centroid.
    """
    dx, dy = dst_xs.astype(np.float64), dst_ys.astype(np.float64)
    sx, sy = src_xs.astype(np.float64), src_ys.astype(np.float64)
    e1x, e1y, e2x, e2y = dx[1] - dx[0], dy[1] - dy[0], dx[2] - dx[0], dy[2] - dy[0]
    det = e1x * e2y - e1y * e2x
    ok = np.abs(det) > 1e-6
    inv_det = 1.0 / np.where(ok, det, 1.0)  # a collapsed triangle's coefficients are set below
    # Inverse of [e1 e2] (columns): maps a point's offset from the first corner to barycentric (u, v).
    i00, i01, i10, i11 = e2y * inv_det, -e2x * inv_det, -e1y * inv_det, e1x * inv_det
    # ... times the source edges [f1 f2] (columns), and the offset that puts the first corner on its source.
    f1x, f1y, f2x, f2y = sx[1] - sx[0], sy[1] - sy[0], sx[2] - sx[0], sy[2] - sy[0]
    c = np.empty((6, len(det)))
    c[0] = f1x * i00 + f2x * i10
    c[1] = f1x * i01 + f2x * i11
    c[3] = f1y * i00 + f2y * i10
    c[4] = f1y * i01 + f2y * i11
    c[2] = sx[0] - (c[0] * dx[0] + c[1] * dy[0])
    c[5] = sy[0] - (c[3] * dx[0] + c[4] * dy[0])
    collapsed = ~ok
    if collapsed.any():
        for row in (0, 1, 3, 4):
            c[row, collapsed] = 0.0
        c[2, collapsed] = ((sx[0] + sx[1] + sx[2]) / 3)[collapsed]
        c[5, collapsed] = ((sy[0] + sy[1] + sy[2]) / 3)[collapsed]
    out = np.zeros((6, len(det) + 1), np.float32)
    out[0, 0] = out[4, 0] = 1.0
    out[:, 1:] = c
    return out
