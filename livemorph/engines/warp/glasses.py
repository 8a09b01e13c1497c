"""Glasses on the portrait: found once per portrait, then kept unbent by brow motion.

Why it is needed: the brow AUs move every brow point by its own amount (an inner raise lifts
the inner ends most) and the skin between brows and eyes follows the nearest brow point. On a
bare face that is the expression; on a face wearing glasses whose top rims sit in that band
(grace_hopper_glasses.jpg) it bent the frame's rims into arches.

Detection (``detect_glasses``) is deliberately cheap and model-free: two cues, both measured
in the face's own frame (eye centres levelled and scaled to ``IOD`` pixels, so thresholds are
in grey levels per pixel whatever the photo's size or roll):

- the bridge: bare skin between the eyes shades smoothly, while a frame's bridge is a
  horizontal edge crossing the whole width of the nose at one height. Measured as the
  strongest row where every column's vertical gradient has the same sign (its smallest
  magnitude), over the nose at landmark 168 where a frame's bridge rests. On the shared
  portraits: Grace 5.9, bare faces <= 2.6 (Trump's crease at the root of the nose).
- the rims: a lens rim is an edge running around the eye at ~1.5-2x the eye's span. For
  ellipses around each eye, the edge strength across the ellipse (radial gradient, a little
  radial slack) is taken per 45-degree sector; the third weakest sector must still be strong,
  so brows (top only) or eye bags (bottom only) do not count. Grace 9.9, bare faces <= 7.9
  (Obama's brows, creases and smile-lifted lids).

Both must hold (bridge >= ``BRIDGE_MIN``, rims >= ``RIM_MIN``): the rims alone do not separate
(Obama 7.9), but no bare face comes close on both (Trump, the nearest on the bridge, reads 5.9
on the rims; Obama 1.2 on the bridge); nor do 289 frames of the four shared driving videos
(at most 3.1 / 5.8, never both; frowns crease the root of the nose). Dark rims and a bridge
drawn onto any of the seven bare portraits are found (>= 4.6 / 6.4: lisa3's dark, dim face).
Thresholds are absolute grey levels: a face levelled to a common brightness found the drawn
frame on lisa3 more surely, but brought a frowning driver frame within 10 % of both thresholds.

The frame's top edge (``trace_frame_top``, once per portrait): in the levelled face, per column
across both lenses, the topmost edge darkening downward by at least ``EDGE_MIN`` (and half the
column's strongest) between a little above the brows' lower contour and the upper lids; columns
straying from their neighbours' median are dropped and filled from them, and the line is kept
at the skin side of the edge. It becomes a row of mesh vertices, with a second row
``SKIN_ROW`` above it wherever brows are over it (both ride the skin under them for every
other AU). Without it the mesh had no edge where the frame's does: Grace's faint brows rest on
the rim (MediaPipe's lower brow contour runs 0-5 px above it, on it at the outer ends), so any
triangle holding the rim also held brow.

Keeping the frame (``hold_frame``): glasses rest on the nose and ears, so for the brow AUs the
frame, and everything at or below its top edge (lenses, eyes, bridge), does not move. In a raise
the brows and forehead above keep their own motion; the skin row follows the brows' lower
contour, so the brows rise whole and only the thin strip between the two rows stretches
(``brow_band.fill_frame_gap`` paints it as the skin a raised brow uncovers). In a frown
(``slide_under_frame``, ``slide_behind_frame``) the brows and the forehead above them come down as
on a bare face (as far as ``au_mesh.frown_limit`` lets a bare brow), and each point stops short of
the edge, keeping ``BEHIND_FRAME_KEEP`` of its height above it: the brows' lower part goes under
the rim. Before, the frame moved half the brows' mean motion
(fading out around the eyes) and the brows stretched between their lower contour (moving with
the frame) and their upper one: on Grace the stretched brows above the lifted rim read as a
translucent second frame, and a frown barely showed. MediaPipe still reads little of either on
her: its brow landmarks sit on the rim whatever the brows above it do (browInnerUp stays ~0.01
at AU01/AU02 +3; even with the frame lifted by the brows' full motion it read 0.08).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import cv2
import numpy as np

from .au_mesh import BROW_LOWER_POINTS, BROW_POINTS, NOSE_BRIDGE, NUM_FACE_POINTS
from .direction import unit
from .eye_fields import EYES
from .polyline import values_at, y_at

log = logging.getLogger(__name__)

IOD = 100.0  # eye-centre distance (pixels) of the levelled face that detection works on
_CANVAS = (300, 260)  # levelled crop, width x height; the eye midpoint lands at _ORIGIN
_ORIGIN = np.array([150.0, 110.0])
BLUR_SIGMA = 1.5  # at IOD 100: smooths skin pores and JPEG blocks, keeps a frame's edges
# Bridge: columns within this share of IOD either side of landmark 168, rows from this far
# above the eye line to this far below it.
BRIDGE_HALF_WIDTH = 0.10
BRIDGE_ROWS = (-0.30, 0.12)
BRIDGE_MIN = 3.5  # grey levels per pixel
# Rims: ellipse half-axes tried around each eye, shares of IOD (the eye's own span is ~0.4).
RIM_HALF_WIDTHS = (0.30, 0.34, 0.38, 0.42)
RIM_HALF_HEIGHTS = (0.20, 0.24, 0.28)
RIM_SLACK = 0.12  # radial tolerance, share of the ellipse's radius (rims are not true ellipses)
RIM_ANGLES = 48
RIM_SECTORS = 8
RIM_MIN = 6.0  # grey levels per pixel, third weakest sector of the weaker eye

# Per eye: its corners and the middle three lid pairs (upper, then lower), whose mean is the eye's centre.
RIGHT_EYE, LEFT_EYE = (corners + tuple(upper for upper, _ in lids[2:5]) + tuple(lower for _, lower in lids[2:5])
                       for lids, _, corners in EYES)

# Tracing the frame's top edge (levelled face, IOD 100): light smoothing keeps the edge in place.
TRACE_SIGMA = 1.0
EDGE_MIN = 8.0  # grey levels per pixel darkening downward, strongest in the column (Grace's rims 25-42, bridge 10-18)
RIM_THICKNESS = 0.05  # the rim's top edge is the topmost this far (x IOD) above the strongest ...
EDGE_SHARE = 0.5  # ... at least this share of it (bushy brows' top edge lies further up, a highlight lower)
TRACE_COVERAGE = 0.6  # share of the columns over each lens (LENS_HALF_WIDTH x IOD either side of the
LENS_HALF_WIDTH = 0.3  # eye's centre) that must find the edge, or the brows' lower contour stands in, ...
BELOW_BROWS = 0.02  # ... at least this far (x IOD) below the brows' upper contour
TRACE_SPAN = 0.55  # columns from this far outside each eye centre (x IOD): cat-eye rims reach ~0.52
TRACE_STEP = 2.0  # pixels between traced columns
TRACE_SLOPE = 2  # rows the traced edge may move from one column to the next
TRACE_ABOVE = 0.06  # rows from this far above the brows' lower contour (x IOD: a rim may overlap it) ...
TRACE_BELOW_LID = 0.02  # ... down to this far above the upper lids
TRACE_MEDIAN = 15  # columns in the median a column is checked against ...
TRACE_OUTLIER = 2.0  # ... and how far (pixels) it may stray from it
TRACE_LIFT = 0.01  # the edge's vertices sit this far above where it starts (x IOD), on the skin
VERTEX_STEP = 0.06  # mesh vertices along the frame's top edge, this far apart (x IOD) ...
SKIN_ROW = 0.025  # ... and a row of them this far above it (x IOD): the strip a raise stretches
# Glasses sit in front of the brows: a frown slides them down behind the frame's top rim, as on a
# bare face, and what reaches the rim keeps this share of its height above it (a seam under the rim).
# Squeezed evenly between their upper contour and the rim instead, down to 0.3 of that band, the
# brows of Grace Hopper, resting on her rim, came down 0.037 eye distances at AU04 +2.6 (the bare
# faces 0.086-0.103): her frown hardly showed. Now 0.050; at 0.1 (0.059) her brow hair above
# MediaPipe's contour was left stretched into wedges with straight edges; 0.35 gave 0.043.
BEHIND_FRAME_KEEP = 0.25
# ... the forehead above the brows slides with them, fading into its own motion this far above
# (x IOD). (With each forehead point on its own motion, the large triangles between them and the
# sliding brows showed a light wedge with straight edges at Grace Hopper's left inner brow, 5x.)
SLIDE_FADE = 0.3
# The upper lids with the eye corners, across both eyes: where the frame's top edge is looked for.
UPPER_LID_LINE = tuple(p for lids, _, corners in EYES for p in corners + tuple(upper for upper, _ in lids))


@dataclass(frozen=True)
class GlassesEvidence:
    found: bool
    bridge: float  # grey levels per pixel: the weakest column of the strongest row across the nose
    rims: float  # grey levels per pixel: third weakest sector around the weaker eye


def detect_glasses(image: np.ndarray, landmarks: np.ndarray) -> GlassesEvidence:
    """Whether the face wears glasses, from the RGB portrait and its 478 MediaPipe landmarks."""
    gray, points = _levelled(image, np.asarray(landmarks, np.float64)[:, :2])
    gray = cv2.GaussianBlur(gray, (0, 0), BLUR_SIGMA)
    gx = cv2.Sobel(gray, cv2.CV_32F, 1, 0, ksize=3) / 8.0
    gy = cv2.Sobel(gray, cv2.CV_32F, 0, 1, ksize=3) / 8.0
    bridge = _bridge_strength(gy, points)
    rims = min(_rim_strength(gx, gy, points[list(eye)].mean(axis=0)) for eye in (RIGHT_EYE, LEFT_EYE))
    found = bridge >= BRIDGE_MIN and rims >= RIM_MIN
    log.debug("glasses: bridge %.1f (>= %.1f), rims %.1f (>= %.1f) -> %s", bridge, BRIDGE_MIN, rims, RIM_MIN, found)
    return GlassesEvidence(found, bridge, rims)


def _levelled(image: np.ndarray, xy: np.ndarray, with_matrix: bool = False):
    """Grey float32 crop with the eyes level and ``IOD`` apart, and the landmarks in it (and the
    2x3 matrix taking image pixels into it)."""
    right, left = xy[list(RIGHT_EYE)].mean(axis=0), xy[list(LEFT_EYE)].mean(axis=0)
    d = left - right
    scale = IOD / max(float(np.hypot(*d)), 1e-6)
    centre = 0.5 * (right + left)
    matrix = cv2.getRotationMatrix2D((float(centre[0]), float(centre[1])), float(np.degrees(np.arctan2(d[1], d[0]))), scale)
    matrix[:, 2] += _ORIGIN - centre
    gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    crop = cv2.warpAffine(gray, matrix, _CANVAS, flags=cv2.INTER_AREA, borderMode=cv2.BORDER_REPLICATE)
    points = np.c_[xy, np.ones(len(xy))] @ matrix.T
    return (crop.astype(np.float32), points, matrix) if with_matrix else (crop.astype(np.float32), points)


def _bridge_strength(gy: np.ndarray, points: np.ndarray) -> float:
    cx = float(points[NOSE_BRIDGE, 0])
    half = BRIDGE_HALF_WIDTH * IOD
    cols = np.arange(int(round(cx - half)), int(round(cx + half)) + 1)
    rows = np.arange(int(round(_ORIGIN[1] + BRIDGE_ROWS[0] * IOD)), int(round(_ORIGIN[1] + BRIDGE_ROWS[1] * IOD)) + 1)
    band = gy[np.ix_(rows, cols)]
    same_sign = (np.sign(band) == np.sign(band.mean(axis=1, keepdims=True))).all(axis=1)
    return float((np.abs(band).min(axis=1) * same_sign).max())


def _rim_strength(gx: np.ndarray, gy: np.ndarray, centre: np.ndarray) -> float:
    theta = np.linspace(0.0, 2 * np.pi, RIM_ANGLES, endpoint=False)
    h, w = gx.shape
    best = 0.0
    for a in RIM_HALF_WIDTHS:
        for b in RIM_HALF_HEIGHTS:
            a_px, b_px = a * IOD, b * IOD
            normal = np.stack([b_px * np.cos(theta), a_px * np.sin(theta)])
            normal /= np.linalg.norm(normal, axis=0)
            edge = np.zeros(RIM_ANGLES)
            for k in np.linspace(1.0 - RIM_SLACK, 1.0 + RIM_SLACK, 5):
                x = np.clip(np.round(centre[0] + k * a_px * np.cos(theta)).astype(int), 0, w - 1)
                y = np.clip(np.round(centre[1] + k * b_px * np.sin(theta)).astype(int), 0, h - 1)
                edge = np.maximum(edge, np.abs(gx[y, x] * normal[0] + gy[y, x] * normal[1]))
            sectors = np.sort(np.median(edge.reshape(RIM_SECTORS, -1), axis=1))
            best = max(best, float(sectors[2]))
    return best


@dataclass(frozen=True)
class FrameTop:
    """The frame's top edge as two rows of mesh vertices, and how each sits among the landmarks."""

    edge: np.ndarray  # (N, 2) image pixels on the frame's top edge, in order across the face
    skin: np.ndarray  # (M, 2) the skin right above the edge (SKIN_ROW) under the brows: the strip between stretches
    below: np.ndarray  # (M,) int, the edge point under each skin point
    corners: np.ndarray  # (N + M, 3) int, the landmarks of the face triangle holding each (edge, then skin)
    weights: np.ndarray  # (N + M, 3) its barycentric weights there

    def interpolate(self, field: np.ndarray) -> np.ndarray:
        """(..., N + M, 2) a per-landmark field (..., 468, 2) read at the edge's, then the skin's points."""
        return np.einsum("...nkc,nk->...nc", field[..., self.corners, :], self.weights).astype(field.dtype)


def trace_frame_top(image: np.ndarray, landmarks: np.ndarray) -> FrameTop:
    """The top edge of the glasses' frame across the face, from the RGB portrait and its landmarks.

    In the levelled face, between a little above the brows' lower contour and the upper lids, the
    strongest continuous edge darkening downward across both lenses (``_strongest_path``; a frame
    is darker than the skin above it); per column, where it is at least ``EDGE_MIN``, the topmost
    edge nearly as strong just above it (the rim's own top edge, over a highlight), placed at the
    skin side of that edge. Columns that disagree with their neighbours' median by more than
    ``TRACE_OUTLIER`` or find no edge take their neighbours' line. Where too few columns over a
    lens find one below the brows' top (``TRACE_COVERAGE``: a thin frame under dark brows), the
    brows' lower contour stands in for the whole line (frames rest just under the brows).
    """
    xy = np.asarray(landmarks, np.float64)[:NUM_FACE_POINTS, :2]
    gray, points, matrix = _levelled(image, xy, with_matrix=True)
    gray = cv2.GaussianBlur(gray, (0, 0), TRACE_SIGMA)
    darkening = -cv2.Sobel(gray, cv2.CV_32F, 0, 1, ksize=3) / 8.0  # > 0 where it darkens downward
    right, left = points[list(RIGHT_EYE)].mean(axis=0), points[list(LEFT_EYE)].mean(axis=0)
    columns = np.arange(right[0] - TRACE_SPAN * IOD, left[0] + TRACE_SPAN * IOD + 1e-6, TRACE_STEP)
    h, w = darkening.shape
    brows_lower, lids = (y_at(points[list(ids)], columns) for ids in (BROW_LOWER_POINTS, UPPER_LID_LINE))
    top = np.clip(np.round(brows_lower - TRACE_ABOVE * IOD), 1, h - 1).astype(int)
    bottom = np.clip(np.round(lids - TRACE_BELOW_LID * IOD), 1, h - 1).astype(int)
    r0, r1 = int(top.min()), int(bottom.max())
    cols = np.clip(np.round(columns).astype(int), 0, w - 1)
    edge = np.maximum(darkening[r0:r1][:, cols], 0.0)  # (rows, columns), only inside each column's window
    band = np.arange(r0, r1)[:, None]
    edge[(band < top[None]) | (band >= bottom[None])] = 0.0
    path = _strongest_path(edge)
    rows = np.full(len(columns), np.nan)
    for i, k in enumerate(path):
        strength = edge[k, i]
        if strength < EDGE_MIN:
            continue
        # A rim's own top edge may be the weaker of two (a highlight along it): the topmost edge
        # within RIM_THICKNESS above the path's and at least EDGE_SHARE of it.
        near = max(k - int(round(RIM_THICKNESS * IOD)), 0)
        k = near + int(np.nonzero(edge[near:k + 1, i] >= EDGE_SHARE * strength)[0][0])
        while k + 1 < len(edge) and edge[k + 1, i] > edge[k, i]:  # climb to that edge's peak
            k += 1
        while k > 0 and edge[k - 1, i] >= 0.5 * edge[k, i]:  # then up to where it starts: the skin side
            k -= 1
        rows[i] = r0 + k - TRACE_LIFT * IOD
    rows = _without_outliers(rows)
    found = np.isfinite(rows)
    # Over each lens most columns must find the edge, and below the brows' top: a frame too thin or
    # faint to stand out from dark brows is not held (held by its brows, they would stay put).
    under_brows = found & (rows - y_at(points[list(BROW_POINTS)], columns) >= BELOW_BROWS * IOD)
    lenses = [np.abs(columns - centre[0]) <= LENS_HALF_WIDTH * IOD for centre in (right, left)]
    share = min(min(found[lens].mean(), under_brows[lens].mean()) for lens in lenses)
    if share < TRACE_COVERAGE:
        log.info("glasses: the frame's top edge was found below the brows in only %.0f %% of the columns over a "
                 "lens; it is held at the brows' lower edge", 100 * share)
        rows = brows_lower
    else:
        rows = np.interp(columns, columns[found], rows[found])
        rows = np.array([rows[max(0, i - 2):i + 3].min() for i in range(len(rows))])  # never below a neighbour's edge
    # Vertices every VERTEX_STEP of IOD along the traced columns, back in image pixels.
    along = np.arange(columns[0], columns[-1] + 1e-6, VERTEX_STEP * IOD)
    level = np.c_[along, np.interp(along, columns, rows)]
    inverse = cv2.invertAffineTransform(matrix)
    # The skin row only where brows are above it: beyond their ends nothing lifts it (the temples stay).
    brow_span = points[list(BROW_POINTS) + list(BROW_LOWER_POINTS), 0]
    below = np.nonzero((along >= brow_span.min()) & (along <= brow_span.max()))[0]
    edge, skin = (np.c_[p, np.ones(len(p))] @ inverse.T for p in (level, level[below] - (0.0, SKIN_ROW * IOD)))
    log.debug("glasses: frame top traced in %d of %d columns", int(found.sum()), len(columns))
    corners, weights = _located(np.vstack([edge, skin]), xy)
    return FrameTop(edge.astype(np.float32), skin.astype(np.float32), below, corners, weights)


def _strongest_path(edge: np.ndarray) -> np.ndarray:
    """(columns,) the row per column of the path across ``edge`` (rows, columns) with the largest
    summed strength that moves at most ``TRACE_SLOPE`` rows from one column to the next: a frame's
    edge runs on across the lenses, where a brow's or a lash line's stops."""
    n_rows, n_cols = edge.shape
    score = edge[:, 0].copy()
    came = np.zeros((n_rows, n_cols), np.int64)
    steps = range(-TRACE_SLOPE, TRACE_SLOPE + 1)
    for c in range(1, n_cols):
        shifted = np.full((len(steps), n_rows), -np.inf)
        for j, d in enumerate(steps):  # shifted[j, r] = score[r + d]
            lo, hi = max(0, -d), min(n_rows, n_rows - d)
            shifted[j, lo:hi] = score[lo + d:hi + d]
        best = np.argmax(shifted, axis=0)
        came[:, c] = np.arange(n_rows) + np.array(list(steps))[best]
        score = shifted[best, np.arange(n_rows)] + edge[:, c]
    path = np.zeros(n_cols, np.int64)
    path[-1] = int(np.argmax(score))
    for c in range(n_cols - 1, 0, -1):
        path[c - 1] = came[path[c], c]
    return path


def _without_outliers(rows: np.ndarray) -> np.ndarray:
    half = TRACE_MEDIAN // 2
    out = rows.copy()
    for i in range(len(rows)):
        near = rows[max(0, i - half):i + half + 1]
        near = near[np.isfinite(near)]
        if np.isfinite(rows[i]) and (len(near) < 3 or abs(rows[i] - np.median(near)) > TRACE_OUTLIER):
            out[i] = np.nan
    return out


def _located(frame_xy: np.ndarray, face_xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The face triangle (Delaunay over the landmarks) each point lies in, and its barycentric weights."""
    from scipy.spatial import Delaunay

    mesh = Delaunay(face_xy)
    simplex = mesh.find_simplex(frame_xy)
    corners = np.zeros((len(frame_xy), 3), np.int64)
    weights = np.zeros((len(frame_xy), 3))
    for i, s in enumerate(simplex):
        if s < 0:  # outside the face's hull: the nearest landmark
            corners[i] = int(np.argmin(((face_xy - frame_xy[i]) ** 2).sum(axis=1)))
            weights[i] = (1.0, 0.0, 0.0)
            continue
        t = mesh.transform[s]
        b = t[:2] @ (frame_xy[i] - t[2])
        corners[i], weights[i] = mesh.simplices[s], (b[0], b[1], 1.0 - b.sum())
    return corners, weights


def hold_frame(field: np.ndarray, vertices: np.ndarray, up: np.ndarray, edge_ids: np.ndarray,
               skin_ids: np.ndarray) -> np.ndarray:
    """A brow raise's (V, 2) pixel displacement with the glasses left where they are (see the module
    docstring). ``vertices`` are the mesh's (landmarks first), ``edge_ids`` and ``skin_ids`` the
    frame top's two rows among them, ``up`` the face's up vector. The frame's edge and the
    landmarks below it do not move; the skin row moves as the brows' lower contour over it and the
    landmarks between it and the edge stay, so the brows rise whole and only the strip between the
    rows stretches."""
    u, _ = _face_axes(vertices, up)
    out = np.array(field, copy=True)
    out[skin_ids] = _along(u, field, BROW_LOWER_POINTS, skin_ids)
    out[held_by_frame(vertices, up, edge_ids, skin_ids)] = 0.0
    return out


@dataclass(frozen=True)
class FrameSlide:
    """How a frown's brows go behind a glasses frame (``slide_under_frame``, ``slide_behind_frame``)."""
    ids: np.ndarray  # (K,) int, the vertices above the frame's top edge
    room: np.ndarray  # (K,) pixels each may come down (along -up) before it reaches the edge
    motion: np.ndarray  # (K, 2) each one's displacement per unit of py-feat AU04
    up: np.ndarray  # (2,) the face's upward unit vector


def slide_under_frame(field: np.ndarray, vertices: np.ndarray, up: np.ndarray, edge_ids: np.ndarray,
                      skin_ids: np.ndarray) -> tuple[np.ndarray, FrameSlide]:
    """A frown's (V, 2) pixel displacement per unit of AU04 on a face wearing glasses, and how it
    stops at the frame (see ``slide_behind_frame``). The frame's edge and everything below it stay.
    Between the edge and the brows' upper contour every point takes that contour's motion over it
    (its own, sideways knit included, could overtake a neighbour and fold the strip), and so, fading
    into its own, does the forehead above: brows and skin slide down together. The skin row on the
    edge only comes down."""
    up = unit(up)
    u, v = _face_axes(vertices, up)
    out = np.array(field, copy=True)
    frame_line, brow_top = _profile(u, v, edge_ids), _profile(u, v, BROW_POINTS)
    points = np.r_[np.arange(NUM_FACE_POINTS), np.asarray(skin_ids, np.int64)]
    free = points[v[points] > frame_line[points] + 1e-3]
    # Up to the brows' top every point takes their motion, fading into its own over SLIDE_FADE above.
    iod = float(np.linalg.norm(vertices[list(RIGHT_EYE)].mean(axis=0) - vertices[list(LEFT_EYE)].mean(axis=0)))
    rigid = np.clip(1.0 - (v[free] - brow_top[free]) / (SLIDE_FADE * iod), 0.0, 1.0)[:, None]
    out[free] = rigid * _along(u, field, BROW_POINTS, free) + (1.0 - rigid) * field[free]
    out[np.setdiff1d(np.arange(len(out)), free)] = 0.0
    skin_ids = np.asarray(skin_ids, np.int64)
    out[skin_ids] = (out[skin_ids] @ up)[:, None] * up[None, :]
    height = v[free] - frame_line[free]
    slide = FrameSlide(ids=free, room=((1.0 - BEHIND_FRAME_KEEP) * height).astype(np.float32),
                       motion=out[free].astype(np.float32), up=up.astype(np.float32))
    return out, slide


def slide_behind_frame(displacement: np.ndarray, slide: FrameSlide, au04: np.ndarray) -> None:
    """In place: for py-feat AU04 ``au04`` at each point of ``slide.ids`` (drawn linearly in
    ``displacement``; a wink lowers one brow more), each point above the frame comes down no
    further than its room, keeping ``BEHIND_FRAME_KEEP`` of its height above the frame's top
    edge: what would pass the edge goes under it. A point stopped short takes that share of its
    sideways knit too (at its full knit it sheared over the held points below it and folded the
    mesh)."""
    if np.max(au04) <= 0.0:
        return
    down = -au04 * (slide.motion @ slide.up)
    share = np.where(down > slide.room, slide.room / np.maximum(down, 1e-6), 1.0)
    displacement[slide.ids] += ((share - 1.0)[:, None] * au04[:, None] * slide.motion).astype(displacement.dtype)


def _along(u: np.ndarray, field: np.ndarray, ids, at: np.ndarray) -> np.ndarray:
    """(len(at), 2) the field of the polyline through ``ids`` read across the face at ``at``."""
    ids = list(ids)
    return values_at(u[ids], field[ids], u[at])


def held_by_frame(vertices: np.ndarray, up: np.ndarray, edge_ids: np.ndarray, skin_ids: np.ndarray) -> np.ndarray:
    """(V,) bool: the frame's top-edge vertices and the landmarks at or below it, or below the skin
    row where there is one. (A landmark inside that strip, moving with the brows, could join a
    triangle with one below the edge, and drag the rim up with it.)"""
    u, v = _face_axes(vertices, up)
    line = _profile(u, v, edge_ids)
    skin_u = u[np.asarray(skin_ids)]
    under_skin = (u >= skin_u.min()) & (u <= skin_u.max()) if len(skin_u) else np.zeros(len(u), bool)
    if len(skin_u):
        line = np.where(under_skin, _profile(u, v, skin_ids), line)
    held = np.zeros(len(u), bool)
    held[:NUM_FACE_POINTS] = v[:NUM_FACE_POINTS] <= line[:NUM_FACE_POINTS] + 1e-3
    held[np.asarray(edge_ids)] = True
    return held


def _face_axes(vertices: np.ndarray, up: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each vertex's position across the face and up it (grows upward)."""
    up = unit(up)
    xy = np.asarray(vertices, np.float64)
    return xy @ np.array([-up[1], up[0]]), xy @ up


def _profile(u: np.ndarray, v: np.ndarray, ids) -> np.ndarray:
    """(V,) the height of the polyline through ``ids`` (ordered across the face) above every vertex."""
    ids = list(ids)
    return values_at(u[ids], v[ids], u)
