"""The lips round a painted mouth opening: what a real open mouth's edges look like.

The warp stretches the portrait's own lip corners, lip-line specks and seam down with the jaw, and
a flat fill cuts the opening out of the lips; a real open mouth is edged by lit lip that meets in soft
folds. Each pass here works in place on the frame, after the opening is painted (``mouth``), and
only over a jaw drop's opening (``RIM_OPENING``, ``FOLD_OPENING``):

- ``light_lip_rims``: the lips roll into a painted opening as lit bands;
- ``smooth_corner_folds``: thin dark marks beside the opening's sides go to a crease's shade;
- ``lift_corner_seams``: nothing near-black past the opening's corners;
- ``lip_edged_sides``: beside a portrait's own kept teeth, the opening is edged by lip.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ...colour import lab_to_rgb, rgb_to_lab
from ...face.lip_contours import LOWER_OUTER, UPPER_INNER, UPPER_OUTER
from .channels import channel_mean, in_channels
from ...easing import smoothstep
from .raster import polygon_mask

# Past the opening's corners (within this share of the mouth width of the lip line from its inner to
# a little past its outer corner) nothing is darker than this share of the lips' L*: the shared
# drivers' open mouths keep their darkest tenth there at 0.33-1.0 of their lips' L* (woman_expressions'
# "O" 0.38-0.78); the warp's stretched lip seam or dark mouth corner reached 0.07 (Trump, review 16).
CORNER_SEAM_FLOOR, CORNER_SEAM_REACH = 0.4, 0.06
# Beside the opening's sides (within this share of the mouth width outside it, from the first
# |2u - 1| on, fully from the second), marks narrower than this share of the mouth width and darker
# than their surroundings (by this share of their light: from the first, fully at the second) go to
# a crease's shade of that light (``smooth_corner_folds``). The shared driver's own open "O" keeps
# such marks under 0.10 of its lips' L* there; the warp's stretched lip corners drew vertical lines
# on london_092 (0.32): test_warp_mouth_corner_folds.
FOLD_REACH, FOLD_SIDES, FOLD_FEATURE = 0.12, (0.45, 0.7), 0.1
FOLD_DEPTH, FOLD_SHADE = (0.04, 0.12), 0.94
# The dark tail of each corner along the mouth line (from this |2u - 1| to this, within this share of
# the mouth width across the line) is left as it is: it is the fold a smile is read by (lifted, the
# Mona Lisa's big smile read mouthSmile 0.50 instead of 0.56: test_warp_open_mouth), and MediaPipe
# found Trump's and london_042's chins and Grace Hopper's upper lip elsewhere (test_warp_jaw*).
FOLD_TAIL = (0.85, 0.95, 0.05)
# ... and all that only over a jaw drop: from this opening (inner-lip gap over mouth width) on, fully
# from this (the shared jaw drops open 0.44-0.55). Over a smile's parted lips it blurred london_092's
# moustache and Grace Hopper's lip creases; london_042's small jaw drop (0.22) is read by MediaPipe
# at the edge of test_warp_open_mouth's bound either way.
FOLD_OPENING = (0.25, 0.4)
CORNER_SEAM_SHADE = 0.75  # what is lifted there goes to this share of its surroundings' colour (a crease)
# A portrait's own kept teeth bring its own dark mouth corners along, and the soft edge of that path
# spreads them over the lips beside the opening's sides: the astronaut's jaw drop had a "rust-fringed"
# rim there (L* 13-42 against her lips' 69; marks 0.19-0.20 of her lips' L* where the driver's real
# open "O" keeps under 0.10). On that path, within this share of the mouth width outside the opening
# (its inner-lip line: the corners' lie past the lips' outline), over its sides (from the first |2u - 1| on, fully from the second), nothing is darker
# than this share of the lips' L* nor a thin dark mark: they go to their surroundings' light. Not nearer
# the middle: from 0.3 on it took MediaPipe's reading of Trump's chin sideways to 0.095 of its drop
# (test_warp_jaw's bound 0.10; 0.081 without the pass, 0.086 from 0.5).
OWN_SIDE_REACH, OWN_SIDE_SIDES, OWN_SIDE_FLOOR = 0.08, (0.5, 0.75), 0.8

# A lip rolling into a wide opening catches the light along its inner edge: lighter (each channel
# plus this share of the pixel's grey at the peak) in a band from the visible edge (0) toward the lip's outer line (1),
# rising to its peak at the first share and gone at the second. The shared driver's open "O"
# (woman_expressions 300-320) lights its lower lip's inner half to 1.05-1.26 times the lip at its
# middle (L*), peaking a quarter of the way out and falling to the dark within two pixels, and its
# upper lip, in shade, again at its edge: its inner quarter 1.04-1.34 times its darkest above. The
# paint cut the opening out of the lips in a flat dark fill ("pasted, no lip rim", review 17: 1.00-1.04
# and 0.99-1.00 on the Mona Lisa, london_092 and lisa3; now 1.09-1.15 and 1.08-1.12: test_warp_lip_rims).
UPPER_RIM, UPPER_RIM_BAND = 0.25, (0.1, 0.45)
LOWER_RIM, LOWER_RIM_BAND = 0.2, (0.25, 0.75)
# ... over a jaw drop: from this opening on, fully from this (as ``FOLD_OPENING``); a smile's
# parted lips are the warp's own.
RIM_OPENING = (0.25, 0.4)


def light_lip_rims(frame: np.ndarray, moved_xy: np.ndarray, x0: int, upper_edge: np.ndarray,
                   lower_edge: np.ndarray, round_ends: np.ndarray, strength: float) -> None:
    """Lights each lip's band along the opening (``UPPER_RIM``, ``LOWER_RIM``), in place, over the
    columns from ``x0`` on: ``upper_edge``/``lower_edge`` (one row per column) are the lips' visible
    inner edges, ``round_ends`` each column's share of the rims (they fade toward the corners as the
    opening closes in its round ends: ``mouth.ROUND_ENDS``)."""
    if strength <= 0.0:
        return
    h, w = frame.shape[:2]
    xs = x0 + np.arange(len(round_ends), dtype=np.float64)
    upper_out, lower_out = moved_xy[list(UPPER_OUTER), :2], moved_xy[list(LOWER_OUTER), :2]
    outer_top = np.interp(xs, upper_out[:, 0], upper_out[:, 1])
    outer_bottom = np.interp(xs, lower_out[:, 0], lower_out[:, 1])
    along = strength * round_ends
    y0 = max(int(np.floor(outer_top.min())) - 1, 0)
    y1 = min(int(np.ceil(outer_bottom.max())) + 2, h)
    x1 = min(x0 + len(round_ends), w)
    if y1 - y0 < 2 or x1 - x0 < 2:
        return
    ys = np.arange(y0, y1, dtype=np.float64)[:, None]
    n = x1 - x0
    gain = np.zeros((y1 - y0, n))
    for edge, outer, peak, band, sign in ((upper_edge, outer_top, UPPER_RIM, UPPER_RIM_BAND, -1.0),
                                          (lower_edge, outer_bottom, LOWER_RIM, LOWER_RIM_BAND, 1.0)):
        edge, outer = edge[:n], outer[:n]
        thickness = np.maximum(sign * (outer - edge), 2.0)
        s = sign * (ys - edge[None, :]) / thickness[None, :]
        gain += peak * along[None, :n] * smoothstep(0.0, band[0], s) * smoothstep(band[1], band[0], s)
    box = frame[y0:y1, x0:x1].astype(np.float32)
    # Lit, not redder: the light adds the same to every channel (times each one scaled it up, so a
    # red lip took a saturated lipstick line along the opening: Grace Hopper, review 18).
    frame[y0:y1, x0:x1] = np.clip(box + in_channels(gain * channel_mean(box)[..., 0]) + 0.5, 0, 255).astype(np.uint8)


def smooth_corner_folds(frame: np.ndarray, moved_xy: np.ndarray, opening: np.ndarray, strength: float) -> None:
    """Beside the sides of the opening (outside ``opening``, a polygon in frame pixels, within
    ``FOLD_REACH`` of it on the lips, over ``FOLD_SIDES`` of its width, the corners' tails along the mouth line
    left out: ``FOLD_TAIL``), thin dark marks -- dots, specks, short lines narrower than
    ``FOLD_FEATURE`` of the mouth width -- go to their surroundings' light in a crease's shade
    (``FOLD_SHADE``), by the opening's ``strength``. The warp stretches the portrait's own lip
    corners and lip-line specks there into vertical lines and specks (london_092, review 16), where
    a real open mouth's lips meet in a soft fold."""
    if strength <= 0.0:
        return
    near = _beside_the_opening(frame, moved_xy, opening, FOLD_REACH)
    if near is None:
        return
    x0, y0, x1, y1 = near.region
    # On the lips only: a moustache's hairs or the wrinkles beside them are no marks.
    outer = moved_xy[list(UPPER_OUTER) + list(LOWER_OUTER[::-1]), :2] - (x0, y0)
    lips = polygon_mask((y1 - y0, x1 - x0), outer, antialiased=True)
    side, width = np.abs(near.signed), near.width
    # The dark tail of each corner along the mouth line is the fold itself (a smile reads by it): kept.
    tail = (smoothstep(FOLD_TAIL[0], FOLD_TAIL[1], side)
            * smoothstep(FOLD_TAIL[2] * width, 0.5 * FOLD_TAIL[2] * width, near.across))
    # Pixels the opening's edge only clips are lip too (as in lip_edged_sides): left out, the warped lip
    # seam's last pixel stayed a dark line hugging the opening's sides (london_092's corner marks
    # 0.130 / 0.121 of the lips' L*, now 0.127 / 0.107).
    zone = (smoothstep(near.reach, 0.5 * near.reach, near.distance) * smoothstep(1.0, 0.5, near.inside) * lips
            * smoothstep(FOLD_SIDES[0], FOLD_SIDES[1], side) * (1.0 - tail))
    # A grey closing fills in what is darker than its surroundings and narrower than the element:
    # the marks, not the lips or the shadow of the opening itself (wider).
    closed = _grey_closing(near.box, max(3, int(round(FOLD_FEATURE * width)) | 1))
    # Pixel by pixel only over the zone on each side (``_zone_sides``): elsewhere nothing changes.
    for inner in _zone_sides(zone, near.signed):
        part, part_closed = near.box[inner], closed[inner]
        depth = channel_mean(part_closed - part)[..., 0]
        brightness = np.maximum(channel_mean(part_closed)[..., 0], 1.0)
        dark = smoothstep(FOLD_DEPTH[0], FOLD_DEPTH[1], depth / brightness)
        _lift_to(frame, (y0, x0), inner, part, FOLD_SHADE * part_closed, strength * zone[inner] * dark)


def lift_corner_seams(frame: np.ndarray, moved_xy: np.ndarray, opening: np.ndarray, strength: float,
                       lip_lab: np.ndarray) -> None:
    """Past each corner of the opening (from the inner-lip corner out past the outer one, outside
    ``opening``, a polygon in frame pixels) nothing darker than ``CORNER_SEAM_FLOOR`` of the lips' L*:
    darker pixels go toward the lips' colour at that lightness, the darker the further, by the
    opening's ``strength``. There the warp stretches the portrait's own lip seam or dark mouth corner
    down with the jaw (Trump's: L* 1-2, a "near-black lip-seam line sticking out past the corner of
    the hole", review 16), where a real open mouth's lips meet in their own light."""
    if strength <= 0.0:
        return
    width = float(np.linalg.norm(moved_xy[UPPER_INNER[-1], :2] - moved_xy[UPPER_INNER[0], :2]))
    reach = CORNER_SEAM_REACH * width
    if reach < 1.0:
        return
    floor_l = CORNER_SEAM_FLOOR * float(lip_lab[0])
    h, w = frame.shape[:2]
    for inner, outer in ((UPPER_INNER[0], UPPER_OUTER[0]), (UPPER_INNER[-1], UPPER_OUTER[-1])):
        corner, out_corner = moved_xy[inner, :2].astype(np.float64), moved_xy[outer, :2].astype(np.float64)
        ends = np.array([corner, out_corner + (out_corner - corner) * 0.5])
        x0, y0 = np.maximum(np.floor(ends.min(axis=0) - reach).astype(int), 0)
        x1, y1 = np.minimum(np.ceil(ends.max(axis=0) + reach).astype(int) + 1, (w, h))
        if x1 - x0 < 2 or y1 - y0 < 2:
            continue
        box = frame[y0:y1, x0:x1].astype(np.float32)
        lightness = rgb_to_lab(box)[..., 0]
        dark = smoothstep(floor_l, 0.5 * floor_l, lightness)
        if not dark.any():
            continue  # nothing dark to lift: the box is left as it is
        # Distance from the segment corner -> a little past the outer corner, outside the opening
        # (a column of rows and a row of columns, broadcast).
        ys, xs = np.arange(y0, y1, dtype=np.float64)[:, None], np.arange(x0, x1, dtype=np.float64)[None, :]
        a, d = ends[0], ends[1] - ends[0]
        t = np.clip(((xs - a[0]) * d[0] + (ys - a[1]) * d[1]) / max(float(d @ d), 1e-6), 0.0, 1.0)
        distance = np.hypot(xs - a[0] - t * d[0], ys - a[1] - t * d[1])
        inside = polygon_mask((y1 - y0, x1 - x0), opening - (x0, y0), antialiased=True)
        zone = smoothstep(reach, 0.5 * reach, distance) * (1.0 - inside)
        lift = (strength * zone * dark)[..., None]
        if not lift.any():
            continue  # nothing dark near the corner (most frames): the box is left as it is
        # The dark goes toward its surroundings' own colour (what is not dark around it, blurred), in
        # the shade of a crease (``CORNER_SEAM_SHADE``): toward one lip colour it was a flat brown blob.
        light = (1.0 - dark) * (1.0 - inside)
        sigma = max(0.5 * reach, 1.0)
        light_around = cv2.GaussianBlur(light, (0, 0), sigma)
        around = cv2.GaussianBlur(box * light[..., None], (0, 0), sigma) / np.maximum(light_around, 1e-3)[..., None]
        target = lab_to_rgb(np.array([[floor_l, lip_lab[1], lip_lab[2]]], np.float32))[0]
        fill = np.where(light_around[..., None] > 0.05, CORNER_SEAM_SHADE * around, target)
        frame[y0:y1, x0:x1] = np.clip(box + lift * (fill - box) + 0.5, 0, 255).astype(np.uint8)


def lip_edged_sides(frame: np.ndarray, moved_xy: np.ndarray, opening: np.ndarray, strength: float,
                     lip_lab: np.ndarray) -> None:
    """Beside the sides of the opening (outside ``opening``, a polygon in frame pixels, within
    ``OWN_SIDE_REACH`` of it, over ``OWN_SIDE_SIDES``), pixels darker than ``OWN_SIDE_FLOOR`` of the
    lips' L*, or thin marks darker than their surroundings, go to those surroundings' light (a grey
    closing) in a crease's shade, by the opening's ``strength``: the opening is edged by lip, as a
    real open mouth's."""
    if strength <= 0.0:
        return
    near = _beside_the_opening(frame, moved_xy, opening, OWN_SIDE_REACH)
    if near is None:
        return
    # (Not limited to the lips' outline: at the corners the inner-lip line reaches past it.)
    # Pixels the inner-lip line only clips are lip: in the corners' narrow wedges they held the dark.
    zone = (smoothstep(near.reach, 0.5 * near.reach, near.distance) * smoothstep(1.0, 0.5, near.inside)
            * smoothstep(OWN_SIDE_SIDES[0], OWN_SIDE_SIDES[1], np.abs(near.signed)))
    # Dark against the lips (``OWN_SIDE_FLOOR``), or against their surroundings as a thin mark (a grey
    # closing's lift, as ``smooth_corner_folds``): both go to the closing's light.
    floor_l = OWN_SIDE_FLOOR * float(lip_lab[0])
    closed = _grey_closing(near.box, max(3, int(round(FOLD_FEATURE * near.width)) | 1))
    x0, y0 = near.region[:2]
    # Pixel by pixel only over the zone on each side (``_zone_sides``): elsewhere nothing changes.
    for inner in _zone_sides(zone, near.signed):
        part, part_closed = near.box[inner], closed[inner]
        lightness = rgb_to_lab(part)[..., 0]
        depth = channel_mean(part_closed - part)[..., 0] / np.maximum(channel_mean(part_closed)[..., 0], 1.0)
        dark = np.maximum(smoothstep(floor_l, 0.6 * floor_l, lightness),
                          smoothstep(FOLD_DEPTH[0], FOLD_DEPTH[1], depth))
        _lift_to(frame, (y0, x0), inner, part, FOLD_SHADE * part_closed, strength * zone[inner] * dark)


@dataclass(frozen=True)
class _BesideOpening:
    """The box round the opening that the passes beside its sides work in, and what they measure there."""

    region: tuple[int, int, int, int]  # x0, y0, x1, y1 in the frame
    box: np.ndarray  # (h, w, 3) float32: the frame's pixels there
    inside: np.ndarray  # (h, w) the opening's anti-aliased coverage
    distance: np.ndarray  # (h, w) pixels from the opening
    signed: np.ndarray  # (h, w) 2u - 1: -1 at one inner corner, +1 at the other
    across: np.ndarray  # (h, w) pixels off the line through the inner corners
    width: float  # the inner corners' distance
    reach: float  # pixels beside the opening the pass reaches


def _beside_the_opening(frame: np.ndarray, moved_xy: np.ndarray, opening: np.ndarray,
                        reach_share: float) -> _BesideOpening | None:
    """The box twice ``reach_share`` of the mouth width round ``opening`` (a polygon in frame pixels),
    with its measures (``_BesideOpening``); None where it is under a pixel or the box too small."""
    corner0 = moved_xy[UPPER_INNER[0], :2].astype(np.float64)
    corner1 = moved_xy[UPPER_INNER[-1], :2].astype(np.float64)
    width = float(np.linalg.norm(corner1 - corner0))
    reach = reach_share * width
    if reach < 1.0:
        return None
    h, w = frame.shape[:2]
    x0, y0 = np.maximum(np.floor(opening.min(axis=0) - 2 * reach).astype(int), 0)
    x1, y1 = np.minimum(np.ceil(opening.max(axis=0) + 2 * reach).astype(int) + 1, (w, h))
    if x1 - x0 < 3 or y1 - y0 < 3:
        return None
    inside = polygon_mask((y1 - y0, x1 - x0), opening - (x0, y0), antialiased=True)
    distance = cv2.distanceTransform((inside < 0.5).astype(np.uint8), cv2.DIST_L2, 3)
    # A column of rows and a row of columns, broadcast (the same values as full grids).
    ys, xs = np.arange(y0, y1, dtype=np.float64)[:, None], np.arange(x0, x1, dtype=np.float64)[None, :]
    along = (corner1 - corner0) / width
    signed = 2.0 * ((xs - corner0[0]) * along[0] + (ys - corner0[1]) * along[1]) / width - 1.0
    across = np.abs((ys - corner0[1]) * along[0] - (xs - corner0[0]) * along[1])
    return _BesideOpening((int(x0), int(y0), int(x1), int(y1)), frame[y0:y1, x0:x1].astype(np.float32),
                          inside, distance, signed, across, width, reach)


def _grey_closing(box: np.ndarray, size: int) -> np.ndarray:
    """``box``'s grey closing by a disc ``size`` across, blurred (what is darker than its surroundings
    and narrower than the disc, filled in from them)."""
    closed = cv2.morphologyEx(box, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size)))
    return cv2.GaussianBlur(closed, (0, 0), max(0.25 * size, 0.7))


def _zone_sides(zone: np.ndarray, signed: np.ndarray):
    """For each side of the opening (``signed`` < 0, >= 0: 2u - 1 at each pixel of the box), the box's
    rows and columns (a pair of slices) where ``zone`` > 0 there; none for a side without any. The
    zones beside the opening's sides are about a third of the box around it. (The grey closing
    itself is not cut down to them: to get the whole box's values to the bit it needs ~0.2 of the
    mouth width around each, which is most of the box; and the blur of a crop reaching the box's
    right edge differs by ~1e-5 unless its first column keeps the box's alignment mod 16.)"""
    for part in (signed < 0, signed >= 0):
        on = (zone > 0) & part
        rows, cols = np.flatnonzero(on.any(axis=1)), np.flatnonzero(on.any(axis=0))
        if rows.size:
            yield slice(int(rows[0]), int(rows[-1]) + 1), slice(int(cols[0]), int(cols[-1]) + 1)


def _lift_to(frame: np.ndarray, origin, inner, box: np.ndarray, fill: np.ndarray, lift: np.ndarray) -> None:
    """``frame``'s pixels at ``inner`` (rows and columns of a box at ``origin``, (y, x)), ``box`` their
    float values, brought up toward ``fill`` by ``lift``, in place."""
    if not lift.any():
        return
    rows, cols = inner
    y0, x0 = origin
    frame[y0 + rows.start:y0 + rows.stop, x0 + cols.start:x0 + cols.stop] = np.clip(
        box + in_channels(lift) * np.maximum(fill - box, 0.0) + 0.5, 0, 255).astype(np.uint8)
