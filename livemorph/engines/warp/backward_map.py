"""The warp engine's backward map: for each output pixel, where in the portrait to sample.

The face mesh's triangles move; each output pixel lies in one moved triangle and samples the
portrait at the same barycentric place in that triangle at rest (piecewise affine). The map is
worked out on a low-resolution grid over the face's region (``low_res_grid``: ~200 pixels across
resolve triangles ~1/30 of the face) and upsampled, then re-evaluated at full resolution where
that loses too much: around triangles squashed toward a seam (a closing lid, lips meeting) and
around slivers an opening mouth has stretched (``backward_map``).
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
# ... and so is it about a triangle between the lips that an opening mouth has stretched out of a
# sliver (the lips' inner lines meet at rest): grown past ``_OPENED`` times its rest area and still
# squeezed across, its map running over ``_STEEP`` source px or more per output px. There one
# low-res map pixel (3-4 output px) spans source rows far apart, and upsampled it drew the lips'
# whole height into a pale, dark-edged streak beside the corner of london_092's jaw drop (its
# triangle: 25 times its area, 13 source px per output px; the map 15 px off the exact one). Only
# the seam's own band is re-evaluated, blended in at its edge: re-evaluated over the box around it,
# and around the steep triangles of squeezed smile corners too, the exact map's facets and specks
# showed where the upsampled one had smoothed them (blind reviews: a turned head's smile, Grace
# Hopper's jaw drop).
_OPENED, _STEEP = 2.0, 8.0


def backward_map(source: np.ndarray, moved: np.ndarray, triangles: np.ndarray,
                 region: tuple[int, int, int, int], grid: np.ndarray,
                 coverage: np.ndarray | None = None, seam_triangles: np.ndarray | None = None,
                 at_rest: TrianglesAtRest | None = None, opening_triangles: np.ndarray | None = None) -> np.ndarray:
    """Full-res (h, w, 2) float32 map: for each output pixel of ``region``, where to sample.

    Piecewise affine: each output pixel lies in one displaced triangle; its barycentric
    coordinates there give the source position in the original triangle. Computed on the
    low-res ``grid`` (rasterising triangle ids), then upsampled bilinearly (the map is
    continuous and piecewise linear, so that loses almost nothing). ``coverage`` marks map
    pixels that must belong to some triangle (see ``_fill_holes``); ``seam_triangles`` (bool
    per triangle) limits the full-resolution seam repair of squashed triangles to them (default:
    all); ``at_rest``: the triangles' corners and areas in ``source`` (``triangles_at_rest``) when
    known (computed otherwise); ``opening_triangles`` (bool per triangle, default: none): those
    repaired where an opening mouth has stretched them out of slivers (``_OPENED``, ``_STEEP``).
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
    opened = () if opening_triangles is None else np.nonzero(
        opening_triangles & (squash >= _OPENED) & (_steepness(c[:, 1:]) >= _STEEP))[0]
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
    _repair_seams(full, ids, c, region, moved, triangles, (moved_xs, moved_ys), order, opened, band_only=True)
    return full


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


def _steepness(affines: np.ndarray) -> np.ndarray:
    """(T,) source pixels per output pixel along each map's steepest direction: the largest
    singular value of its linear part (``_triangle_affines``' rows 0, 1, 3, 4)."""
    a, b, c, d = affines[0], affines[1], affines[3], affines[4]
    total = a * a + b * b + c * c + d * d
    det = a * d - b * c
    return np.sqrt(0.5 * (total + np.sqrt(np.maximum(total * total - 4.0 * det * det, 0.0))))


def _repair_seams(full: np.ndarray, ids: np.ndarray, affine: np.ndarray,
                  region: tuple[int, int, int, int], moved: np.ndarray, triangles: np.ndarray,
                  corners_xy: tuple[np.ndarray, np.ndarray], order: np.ndarray, seams: np.ndarray,
                  band_only: bool = False) -> None:
    """Where the map jumps or nearly does (closing lids squash the eye's triangles, closed
    ones collapse them: both sides sample far-apart source rows), bilinear upsampling would
    sample the eye between them and draw a pale zigzag. There, about the ``seams`` triangles,
    re-rasterise the nearby triangles at full resolution (only the seams' boxes, a few thousand
    pixels) and evaluate their affines exactly: over each seam's whole box, or with ``band_only``
    over its band of outlines alone (blended in at its edge)."""
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
    count, labels, stats, _ = cv2.connectedComponentsWithStats(jump, connectivity=8)
    # Each drawn triangle's box (``corners_xy``: (3, T) x and y of every triangle's corners).
    xs, ys = corners_xy
    lo_x, hi_x = np.minimum(np.minimum(xs[0], xs[1]), xs[2])[order], np.maximum(np.maximum(xs[0], xs[1]), xs[2])[order]
    lo_y, hi_y = np.minimum(np.minimum(ys[0], ys[1]), ys[2])[order], np.maximum(np.maximum(ys[0], ys[1]), ys[2])[order]
    for label, (left, top, width, height, _) in enumerate(stats[1:count], start=1):
        # The seam's box in full-res pixels, clipped to the region.
        bx0 = max(x0, int(np.floor(x0 + left * sx)))
        by0 = max(y0, int(np.floor(y0 + top * sy)))
        bx1 = min(x1, int(np.ceil(x0 + (left + width) * sx)))
        by1 = min(y1, int(np.ceil(y0 + (top + height) * sy)))
        if bx1 <= bx0 or by1 <= by0:
            continue
        near = (hi_x >= bx0 - 1) & (lo_x <= bx1 + 1) & (hi_y >= by0 - 1) & (lo_y <= by1 + 1)
        fine = triangle_ids(moved, triangles, (bx0, by0, bx1, by1), (by1 - by0, bx1 - bx0), order[near])
        coarse = cv2.resize(ids[top:top + height, left:left + width], (bx1 - bx0, by1 - by0),
                            interpolation=cv2.INTER_NEAREST)
        k = np.where(fine > 0, fine, coarse).astype(np.intp)  # (as in backward_map: six gathers)
        gx = np.arange(bx0, bx1, dtype=np.float32)[None, :]  # a row and a column, broadcast
        gy = np.arange(by0, by1, dtype=np.float32)[:, None]
        exact_x = affine[0][k] * gx + affine[1][k] * gy + affine[2][k]
        exact_y = affine[3][k] * gx + affine[4][k] * gy + affine[5][k]
        box = full[by0 - y0:by1 - y0, bx0 - x0:bx1 - x0]
        if band_only:  # the seam's own dilated outline, soft-edged: the rest of its box stays upsampled
            share = cv2.resize((labels[top:top + height, left:left + width] == label).astype(np.float32),
                               (bx1 - bx0, by1 - by0), interpolation=cv2.INTER_LINEAR)
            exact_x = box[..., 0] + share * (exact_x - box[..., 0])
            exact_y = box[..., 1] + share * (exact_y - box[..., 1])
        box[..., 0] = exact_x
        box[..., 1] = exact_y


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
