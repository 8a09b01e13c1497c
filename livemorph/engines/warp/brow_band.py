"""The skin under strongly raised brows, without streaks (warp engine).

A brow raise stretches the band between the brows' lower edge and the upper-lid crease. Its
source pixels include the brows' lowest hairs (MediaPipe's lower brow contour runs inside bushy
brows), and stretched to twice their height they become vertical streaks hanging from the brows
to the lids, "like curtains" (a reviewer, on Trump and Obama at AU01/AU02 +3..4; on the shared
drivers the band grows at most 1.3-1.6x). MediaPipe needs that much raise to read these brows at
all, so the motion stays; what changes is the look of the stretched band: beyond
``STRETCH_START`` of its rest height it is blended, fully from ``STRETCH_FULL`` on, with bare
skin, as on a real raised brow. (Blurring the whole band along the brow removed the streaks but
left a dark smudge of hair colour.) That skin is the forehead's right above the brow: its
colour (smooth, per column along the brow) and its fine grain at its own scale, pixel for
pixel (``BrowSkin``, ``lid_grain.grain_strip``: lines such as forehead wrinkles taken out),
laid from the brow's lower edge down the band. Smooth colour alone, mixed with the band's own
shadowed lower part, read as "a flat, smooth, brown-grey patch ... goggles / a mask" (a
reviewer, Obama and Trump at +3).

A face without brows (the Mona Lisa: her "brows" are the socket's sfumato shadow) has no hairs
to streak: there the stretched band is the shadow itself, and painting it with the lit forehead
split it into two dark arcs, the lid crease left low and the shadow's upper edge risen with the
brow, with a pale band between ("a doubled dark arc" over her foreshortened eye, image left; at
AU01/AU02 +3 two dips in 8 of 10 columns above it, the source one). So on a foreshortened eye,
where ``brow_raise`` spreads the stretch from lid to brow, the paint's share is how clearly the
portrait shows brows (``brows_visible``); the rest keeps the band's own shading, blurred along
the brow (``STREAK_BLUR``) and given the forehead's grain as faint as the shade is dark: left as
stretched, each column's few pixels hung down her far socket as streaks at +3 ("smeared", review
43). A frontal eye keeps all the paint: there the stretch lands in
the thin band right above the crease ring, and unpainted, the lit lid skin it lifts into the band
showed as a pale, streaked patch (her other eye). Its paint is the socket's shadow under the
brow, grading only slowly toward lit skin (``SHADOW_GRADE``): lit skin there was a pale oval
ringed by the risen shadow, read as a dark ring round a widened eye.

Behind glasses the band ends at the frame, which stays: ``fill_frame_gap`` paints the strip that
opens between the frame's top edge and the rising brows instead (see the comment above it).
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from .au_mesh import BROW_LOWER_POINTS, BROW_LOWER_SIDES, BROW_POINTS, BROW_UPPER_SIDES, NUM_FACE_POINTS
from .brow_raise import foreshortening
from .channels import channel_sum, in_channels
from .direction import axes_toward, unit
from ...easing import smoothstep
from .eye_fields import EYES
from .lid_grain import grain_at, grain_strip
from .raster import polygon_mask
from .polyline import values_at, y_at

# Per side (image left = the subject's right), each outer end -> inner: the brows' lower contour,
# the upper-lid crease ring below it, and the brows' upper contour.
EYE_BANDS = tuple(zip(BROW_LOWER_SIDES, (creases[0] for _, creases, _ in EYES), BROW_UPPER_SIDES))
# Between the brows the same: the inner brows' lower ends and the midline between them, over the
# nose bridge between the two crease rings' inner ends; the strip above it is the glabella's own
# upper edge (the inner brows' upper ends and the midline). A raise lifts the inner brows ~4x as
# far as the bridge below them, and that skin, ~10 px tall on Obama, stretched 2.5-3x into vertical
# streaks: his inner brows' hairs, london_092's hairs between the brows, Trump's frown lines drawn
# out up the forehead, "vertical smear streaks ... beside the bridge of the nose" on the Mona Lisa
# (review 43). It keeps its own shading, blurred across (``STREAK_BLUR``), with the forehead's grain.
# (Painted as the forehead's skin, it was cleaner on Obama and london_092, but the Mona Lisa's
# bridge was cut out of the shade her sockets run into, and MediaPipe read Trump's raise at half:
# browInnerUp amplitude 1.24-1.31 -> 0.55-0.57 of two drivers'; his pale brows read by that skin.)
GLABELLA = ((55, 8, 285), (190, 193, 168, 417, 414), (107, 9, 336))
BANDS = EYE_BANDS + (GLABELLA,)
# Per band: how many of its own lengths make a brow's (the glabella spans about a third of one), for
# blurs that are a share of a brow's length.
BROW_LENGTHS = (1.0, 1.0, 3.0)
# Per side: the skin below the brow's outer tail, between it and the eye's outer corner
# (MediaPipe 124 / 353), which closes the band's outline: the tail's hairs stretched there into a
# grey streak down toward the temple (london_092, Trump).
TAILS = ((124,), (353,), ())
STRETCH_START, STRETCH_FULL = 1.35, 1.8  # band height over its rest height
BLUR_ALONG = 0.35  # sigma of the colour's blur along the brow, fraction of the brow's length
FEATHER = 0.2  # mask softness, fraction of the band's stretched height
STRENGTH = 0.9  # the filled band's share at full stretch
STREAK_BLUR = 0.05  # sigma of the blur along the brow of a band left in its own shading, fraction of the brow's length
# On a foreshortened eye (``brow_raise.foreshortening``, in proportion to it) the band's lowest
# share, above the crease ring, gets only CREASE_PAINT of the skin paint. There the lid's fold
# line lies above MediaPipe's ring (on the Mona Lisa's far eye about a third of the band), and the
# even stretch (``brow_raise``) carries it up into the band: painted over once the stretch crossed
# STRETCH_START, it was washed out along part of the eye, and the lit lid below it ran up to the
# next shadow in some columns and not in others, a tent-shaped step in the lit skin's height (1.6
# px per px at AU01/AU02 +3). Half painted, the fold stays as a soft line (left as drawn, it
# stood out as a hard dark arch at +4). Frontal eyes keep the paint: there the band's lower part
# is where the brows' lowest hairs hang when stretched (Obama's "curtains" returned with 0.2 kept).
CREASE_KEPT, CREASE_PAINT = 0.3, 0.5
# The fill's colour is the forehead skin just above the brows (FOREHEAD_STRIP band heights above
# their upper contour), per column: a raised brow uncovers lit skin, not the shadow under the
# ridge. (Half of it, half the band's own lower part, read as a grey-brown panel: that part is
# the shadowed fold, and a few lashes. Shading it toward that tone near the crease made MediaPipe
# read the raise weaker, browInnerUp at +2 on Obama 0.42 -> 0.28.)
FOREHEAD_STRIP = (0.25, 0.6)
# A fringe reaching into that strip lent the fill its colour: the astronaut's fringe covers about
# 70 % of it above her image-right brow at AU01/AU02 +3, and the band was painted a grey-brown
# "bruise" between brow and eye (review 16; the band's median L* 75 at rest -> 51). So only skin
# counts: pixels greyer than HAIR_BELOW[1] of the strip's lit skin (its SKIN_PERCENTILE grey)
# count less, none below HAIR_BELOW[0] (her fringe is ~0.1-0.4 of it; at 0.7-0.85 the skin's
# own shaded half still left her other band 5.1 L* darker than at rest, now 3.3). Lit skin is the
# strip's, or the band's own at rest where that is lighter: raised to +5 her brows reach the fringe,
# the strip is mostly hair, its own lit grey is hair's, and the bruise came back (75.3 -> 56.1).
SKIN_PERCENTILE = 90
HAIR_BELOW = (0.8, 0.9)
WORK_ROWS = 12.0  # the fill's colour is computed at this many pixel rows per band height (it is smooth)
# The grain comes from the forehead strip that ends this far above each brow's upper contour,
# fraction of the brow's length (``grain_strip`` starts it a little above the contour). Its level
# is held to the smoother of that strip and the cheek right below the eye (a disc CHEEK_RADIUS
# eye widths across, CHEEK_BELOW below the lower lid): a fringe of hair reaching into the strip
# drew a speckled, sandpaper band on the astronaut.
GRAIN_STRIP_TOP = 0.35
CHEEK_BELOW, CHEEK_RADIUS = 0.35, 0.15
# Brows show as a strip darker than the skin under them (the band's median grey over the brow
# strip's, TONE_FROM .. TONE_FULL), or as hair finer than the forehead's grain (the strip's mean
# detail finer than DETAIL_SIGMA px over the forehead's, 1.0 .. 1.5 brow heights above it:
# GRAIN_FROM .. GRAIN_FULL), on either side. Measured on the shared portraits, tone / grain at
# the clearer side: Obama 1.12 / 2.3, Trump (pale brows) 0.77 / 2.9, london_092 1.54 / 1.7,
# london_042 1.50 / 0.8, lisa3 2.76 / 0.9, astronaut 1.10 / 2.6; the Mona Lisa 0.78 / 0.85,
# whose brow strip is the upper, lighter part of the socket's shadow.
TONE_FROM, TONE_FULL = 0.95, 1.1
# Without brows (in proportion to 1 - ``brows_visible``) the paint is not lit skin all the way up:
# from the brow's lower contour it grades from the shadow there (the colour between the brow's
# contours, the socket's sfumato on the Mona Lisa) toward lit skin over SHADOW_GRADE band heights,
# so the stretched band stays in the socket's shade. Lit to the top, her frontal eye showed "a
# pale oval with a dark ring around it, which reads as 'eyes wider'" (review 16); lit over 0.8 of
# the band the oval stayed (band middle L* 39 at rest -> 58 at AU01/AU02 +3), the risen shadow a
# dark arch ringing it, and her brows up ranked last of 8 for three rounds; over 4 the band takes
# the shade above it (49) and the shadow's risen upper edge carries the raise. Fading the paint out
# instead showed the streaked, tent-shaped lid skin the stretch lifts under it.
# That shadow is the brow strip's colour darkened to the band's own grey at rest (its
# median over the strip's, per side, at most 1; on the Mona Lisa 0.78 / 0.87): the strip is the upper,
# lighter part of the socket's shadow, and painted in it the band was a lighter oval inside the
# darker core the brow carries up, "a dark band around the eye, like goggles" (a reviewer; over her
# near eye's middle at AU01/AU02 +3 the band 117-127 grey under a 94 ring, now 103-115 under 92).
# Over 4 band heights the grade still lit the band's lower half into the oval; over 8 it stays in shade.
SHADOW_GRADE = 8.0
GRAIN_FROM, GRAIN_FULL = 1.1, 1.35
DETAIL_SIGMA = 2.0
FOREHEAD_ABOVE = (1.0, 2.0)


@dataclass(frozen=True)
class BrowSkin:
    """Per band (as ``BANDS``: under each brow, then between them): the fine grain of the forehead
    right above it (``grain_strip``'s layout: column j at the j-th pixel from the brow's outer end),
    and the band's height at rest (``band_height``)."""

    grains: tuple[np.ndarray, ...]
    rest_heights: tuple[float, ...]
    kept_shares: tuple[float, ...]  # the band's lowest share painted only CREASE_PAINT (CREASE_KEPT)
    paint_shares: tuple[float, ...] = (1.0, 1.0, 0.0)  # the skin paint's share: brows seen, or a frontal eye (the glabella: none)
    brows_seen: float = 1.0  # ``brows_visible``
    shadow_tones: tuple[float, ...] = (1.0, 1.0, 1.0)  # per band: the band's grey at rest over the brow strip's (``_band_tones``)
    lit_levels: tuple[float, ...] = (765.0, 765.0, 765.0)  # per band: the forehead's R+G+B above it (median, at rest)
    skin_greys: tuple[float, ...] = (0.0, 0.0, 0.0)  # per band: its own lit skin's grey at rest (``_band_tones``)


def prepare_brow_skin(image: np.ndarray, face_xy: np.ndarray) -> BrowSkin:
    xy = np.asarray(face_xy, np.float64)[:, :2]
    h, w = image.shape[:2]
    cheeks = tuple(_cheek_below(xy, (h, w), lids, corners, _up_from(xy[list(brow_top)]))
                   for (_, _, brow_top), (lids, _, corners) in zip(EYE_BANDS, EYES))
    grains, lit_levels = [], []
    # The glabella's grain level is held to the smoother cheek.
    for (_, _, brow_top), cheek in zip(BANDS, ((cheeks[0],), (cheeks[1],), cheeks)):
        upper = xy[list(brow_top)]
        length = float(np.linalg.norm(upper[-1] - upper[0]))
        top = upper + GRAIN_STRIP_TOP * length * _up_from(upper)
        forehead = np.zeros((h, w), np.uint8)
        cv2.fillPoly(forehead, [np.round(np.concatenate([upper, top[::-1]])).astype(np.int32)], 1)
        grains.append(grain_strip(image, upper, top, length, (forehead.astype(bool),) + cheek))
        lit = image[forehead.astype(bool)]
        lit_levels.append(float(np.median(channel_sum(lit.astype(np.float32)))) if len(lit) else 765.0)
    # The mesh's vertices are float32: the rest height is measured on them, as the moved one is.
    rest = np.asarray(face_xy, np.float32)[:, :2]
    turned = foreshortening(xy)
    seen = brows_visible(image, xy)
    shadow_tones, skin_greys = _band_tones(image, xy)
    return BrowSkin(tuple(grains), tuple(band_height(rest, brow, crease) for brow, crease, _ in BANDS),
                    tuple(CREASE_KEPT * weight for weight in turned) + (0.0,),
                    tuple(max(seen, 1.0 - weight) for weight in turned) + (0.0,), seen, shadow_tones,
                    tuple(lit_levels), skin_greys)


def _up_from(line: np.ndarray) -> np.ndarray:
    """The unit normal of a polyline's chord that points up the image."""
    return axes_toward(line[0], line[-1], (0.0, -1.0))[1]


def _cheek_below(xy: np.ndarray, shape: tuple[int, int], lids, corners, up: np.ndarray) -> np.ndarray:
    """(h, w) bool: a disc of cheek right below an eye (``CHEEK_BELOW``, ``CHEEK_RADIUS``), ``up``
    being the face's up there."""
    eye_width = float(np.linalg.norm(xy[corners[0]] - xy[corners[1]]))
    below = xy[[lower for _, lower in lids]].mean(axis=0) - CHEEK_BELOW * eye_width * up
    cheek = np.zeros(shape, np.uint8)
    cv2.circle(cheek, tuple(int(v) for v in np.round(below)), max(int(round(CHEEK_RADIUS * eye_width)), 2), 1, -1)
    return cheek.astype(bool)


def _band_tones(image: np.ndarray, xy: np.ndarray) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Per band (as ``BANDS``), at rest, of the band (brow's lower contour to the crease ring):
    its median grey over that of the brow strip above it, at most 1 (see the comment above
    ``SHADOW_GRADE``), and its ``SKIN_PERCENTILE`` grey, its lit skin, which a fringe above the brow
    is darker than (see ``HAIR_BELOW``)."""
    grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    shadow_tones, skin_greys = [], []
    for brow, crease, brow_top in BANDS:
        strip = _between(grey.shape, xy[list(brow_top)], xy[list(brow)])
        band = _between(grey.shape, xy[list(brow)], xy[list(crease)])
        skin_greys.append(float(np.percentile(grey[band], SKIN_PERCENTILE)) if band.any() else 0.0)
        shadow_tones.append(min(float(np.median(grey[band])) / max(float(np.median(grey[strip])), 1.0), 1.0)
                            if strip.any() and band.any() else 1.0)
    return tuple(shadow_tones), tuple(skin_greys)


def brows_visible(image: np.ndarray, face_xy: np.ndarray) -> float:
    """0 (no brows: the strip MediaPipe calls a brow is plain skin or shadow) .. 1 (brows plainly
    there, as dark or as hair): see ``TONE_FROM`` and ``GRAIN_FROM``."""
    xy = np.asarray(face_xy, np.float64)[:, :2]
    grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32)
    detail = np.abs(grey - cv2.GaussianBlur(grey, (0, 0), DETAIL_SIGMA))
    seen = 0.0
    for brow, crease, brow_top in EYE_BANDS:
        upper, lower = xy[list(brow_top)], xy[list(brow)]
        height = max(float(np.mean(lower[:, 1] - upper[:, 1])), 1.0)
        strip = _between(grey.shape, upper, lower)
        band = _between(grey.shape, lower, xy[list(crease)])
        forehead = _between(grey.shape, upper - [0.0, FOREHEAD_ABOVE[1] * height],
                                 upper - [0.0, FOREHEAD_ABOVE[0] * height])
        if not (strip.any() and band.any() and forehead.any()):
            return 1.0  # too small to tell: as before
        tone = float(np.median(grey[band])) / max(float(np.median(grey[strip])), 1.0)
        grain = float(detail[strip].mean()) / max(float(detail[forehead].mean()), 1e-3)
        seen = max(seen, float(smoothstep(TONE_FROM, TONE_FULL, tone)), float(smoothstep(GRAIN_FROM, GRAIN_FULL, grain)))
    return seen


def _between(shape: tuple[int, int], top: np.ndarray, bottom: np.ndarray) -> np.ndarray:
    """(h, w) bool: the region between two polylines drawn the same way (outer end -> inner)."""
    return polygon_mask(shape, np.concatenate([top, bottom[::-1]]))


def band_height(xy: np.ndarray, brow: tuple[int, ...], crease: tuple[int, ...]) -> float:
    """The band's height: the brow contour's centre to the crease ring's centre."""
    return float(np.linalg.norm(xy[list(brow)].mean(axis=0) - xy[list(crease)].mean(axis=0)))


def smooth_stretched_bands(frame: np.ndarray, moved_xy: np.ndarray, skin: BrowSkin) -> None:
    """In place: each stretched band (brow to crease, and between the brows) blended with skin or
    with its own shading blurred along the brow (see the module docstring)."""
    h, w = frame.shape[:2]
    moved_xy = moved_xy[:, :2]
    shaded = 1.0 - skin.brows_seen
    for (brow, crease, brow_top), tail, brow_lengths, grain, rest_height, kept, paint_share, shadow_tone, lit_level, skin_grey in zip(
            BANDS, TAILS, BROW_LENGTHS, skin.grains, skin.rest_heights, skin.kept_shares, skin.paint_shares,
            skin.shadow_tones, skin.lit_levels, skin.skin_greys):
        height = band_height(moved_xy, brow, crease)
        weight = STRENGTH * float(smoothstep(STRETCH_START, STRETCH_FULL, height / max(rest_height, 1e-6)))
        if weight <= 0.0:
            continue
        outline = np.concatenate([moved_xy[list(brow)], moved_xy[list(crease)[::-1]], moved_xy[list(tail)]])
        length = float(np.linalg.norm(outline[0] - outline[len(brow) - 1]))
        # Enough around the band for its feathered edge, and above it for the forehead strip (when it paints).
        pad = int(np.ceil(height * (FOREHEAD_STRIP[1] + 0.7) * (paint_share > 0.0) + 3 * height * FEATHER)) + 2
        x0, y0 = np.floor(outline.min(axis=0)).astype(int) - pad
        x1, y1 = np.ceil(outline.max(axis=0)).astype(int) + pad
        x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, w), min(y1, h)
        if x1 - x0 < 3 or y1 - y0 < 3:
            continue
        # Everything here is smooth: work at ~WORK_ROWS rows per band height, then scale back up.
        scale = min(1.0, WORK_ROWS / max(height, 1.0))
        crop = frame[y0:y1, x0:x1]
        xy = lambda points: (moved_xy[list(points)] - [x0, y0]) * scale  # noqa: E731
        # (The band's own colours at that scale only lend the skin paint its colour.)
        small = cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA).astype(np.float32) \
            if paint_share > 0.0 else None
        sh, sw = (small.shape[:2] if small is not None
                  else (max(int(round(crop.shape[0] * scale)), 1), max(int(round(crop.shape[1] * scale)), 1)))
        work_height = height * scale
        mask = np.zeros((sh, sw), np.float32)
        cv2.fillPoly(mask, [np.round(np.concatenate([xy(brow), xy(crease)[::-1], xy(tail)]) * 4).astype(np.int32)], 1.0,
                     lineType=cv2.LINE_AA, shift=2)
        feather = max(work_height * FEATHER, 0.5)
        mask = cv2.GaussianBlur(mask, (0, 0), feather)
        rows = np.arange(sh, dtype=np.float32)[:, None]
        # The feather fades in below the brow's lower contour, never above it: blurred across
        # it, the skin paint covered the brow's lower half (Obama's brows at +2 thinned to a
        # pale drawn arc).
        mask *= np.clip((rows - _row_at(xy(brow), sw)[None]) / feather, 0.0, 1.0)
        if kept > 0.0:
            # ... and on a foreshortened eye fades to CREASE_PAINT above the lid's fold line (see CREASE_KEPT).
            above_fold = np.clip((_row_at(xy(crease), sw)[None] - kept * work_height - rows) / feather, 0.0, 1.0)
            mask *= CREASE_PAINT + (1.0 - CREASE_PAINT) * above_fold
        if paint_share > 0.0:
            # Colour: the forehead skin right above the brow, per column, smoothed along the brow.
            above = (_row_at(xy(brow_top), sw)[None] - rows) / max(work_height, 1.0)
            strip = ((above > FOREHEAD_STRIP[0]) & (above < FOREHEAD_STRIP[1])).astype(np.float32)
            strip[:, mask.max(axis=0) < 0.05] = 0.0
            if strip.sum() <= 0:
                continue
            strip *= _skin_not_hair(small, strip, skin_grey)
            sigma = max(length * scale * BLUR_ALONG, 0.5)
            paint = np.broadcast_to(_colour_along(small, strip, sigma), small.shape).astype(np.float32)
            if shaded > 0.0:
                # No brows: the paint grades from the socket's shadow at the brow down to lit skin (see SHADOW_GRADE).
                brow_row = _row_at(xy(brow), sw)[None]
                shadow_strip = ((rows >= _row_at(xy(brow_top), sw)[None]) & (rows <= brow_row)).astype(np.float32)
                shadow_strip[:, mask.max(axis=0) < 0.05] = 0.0
                if shadow_strip.sum() > 0:
                    shadow = _colour_along(small, shadow_strip, sigma) * shadow_tone
                    lit = shaded * np.clip((rows - brow_row) / (SHADOW_GRADE * work_height), 0.0, 1.0) + (1.0 - shaded)
                    paint = shadow + (paint - shadow) * lit[..., None]
        size = (crop.shape[1], crop.shape[0])
        share = cv2.resize(weight * mask, size, interpolation=cv2.INTER_LINEAR)
        # Only the pixels the band's mask reaches change (the crop's margin above is for the
        # forehead strip): the grain and the blend are computed in their box alone.
        on = share > 0.0
        rows, cols = np.flatnonzero(on.any(axis=1)), np.flatnonzero(on.any(axis=0))
        if len(rows) == 0:
            continue
        bx0, by0, bx1, by1 = box = (int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1)
        grain_here = _grain_down_the_band(grain, moved_xy[list(brow_top)], moved_xy[list(brow)], x0, y0, size, box)
        if paint_share > 0.0:
            paint = cv2.resize(paint, size, interpolation=cv2.INTER_LINEAR)[by0:by1, bx0:bx1]
        if paint_share < 1.0:
            # Where the skin paint does not reach, the band keeps its own shading, blurred along the brow: its
            # tone from brow to lid stays one arc, the streaks the stretch drew down it go. The forehead's
            # grain is lit skin's: in the band's shade it is as much fainter. (The blur runs along rows
            # alone: the box's rows, and columns 3 sigma either side, give the same values.)
            blur = max(STREAK_BLUR * brow_lengths * length, 0.5)
            cx0, cx1 = max(bx0 - int(3 * blur) - 1, 0), min(bx1 + int(3 * blur) + 1, size[0])
            own = cv2.GaussianBlur(crop[by0:by1, cx0:cx1].astype(np.float32), (0, 0), sigmaX=blur,
                                   sigmaY=0.01)[:, bx0 - cx0:bx1 - cx0]
            shade = np.clip(channel_sum(own) / max(lit_level, 3.0), 0.0, 1.0)
            grain_here = grain_here * in_channels(paint_share + (1.0 - paint_share) * shade)
            paint = own if paint_share <= 0.0 else own + (paint - own) * paint_share
        paint = paint + grain_here
        # (Whole planes, not (h, w, 1) broadcast against the colours: the same values, channels.py.)
        share = in_channels(share[by0:by1, bx0:bx1])
        frame[y0 + by0:y0 + by1, x0 + bx0:x0 + bx1] = np.clip(
            crop[by0:by1, bx0:bx1] * (1.0 - share) + paint * share + 0.5, 0, 255).astype(np.uint8)


def _colour_along(small: np.ndarray, strip: np.ndarray, sigma: float) -> np.ndarray:
    """(1, w, 3) per column of ``small``: the mean colour over the ``strip`` (weights), smoothed
    along the brow (Gaussian ``sigma`` px); where no column is near, the strip's mean."""
    count = cv2.GaussianBlur(strip.sum(axis=0)[None], (0, 0), sigmaX=sigma, sigmaY=0.01)
    in_strip = small * strip[..., None]
    total = cv2.GaussianBlur(in_strip.sum(axis=0)[None], (0, 0), sigmaX=sigma, sigmaY=0.01)
    along = total / np.maximum(count, 1e-3)[..., None]
    near = count[..., None] > 1e-3
    if near.all():
        return along  # every column has strip near it (most frames): the strip's mean is not needed
    return np.where(near, along, in_strip.sum(axis=(0, 1)) / strip.sum())


def _skin_not_hair(small: np.ndarray, strip: np.ndarray, skin_grey: float) -> np.ndarray:
    """(h, w) 0..1 per pixel of ``small``: how surely it is forehead skin rather than hair, by its
    grey against lit skin: the strip's, or the band's own at rest (``skin_grey``) where that is
    lighter (see ``HAIR_BELOW``); all ones where nothing would be left."""
    grey = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)
    values = grey[strip > 0]
    at = int(round(SKIN_PERCENTILE / 100.0 * (len(values) - 1)))
    lit = max(float(np.partition(values, at)[at]), skin_grey)
    skin = smoothstep(HAIR_BELOW[0] * lit, HAIR_BELOW[1] * lit, grey).astype(np.float32)
    return skin if float((skin * strip).sum()) >= 1.0 else np.ones_like(skin)


def _grain_down_the_band(grain: np.ndarray, brow_top: np.ndarray, brow: np.ndarray, x0: int, y0: int,
                         size: tuple[int, int], box: tuple[int, int, int, int]) -> np.ndarray:
    """(h, w, 3) the forehead's grain laid 1:1 over the crop of ``size`` at (x0, y0), in its ``box``
    (x0, y0, x1, y1 within the crop): columns along the brow from its outer end, rows down from its
    lower contour."""
    w = size[0]
    bx0, by0, bx1, by1 = box
    origin = brow_top[0]
    axis = unit(brow_top[-1] - origin)
    xs = np.arange(x0 + bx0, x0 + bx1, dtype=np.float32)[None, :]  # a row and a column, broadcast
    ys = np.arange(y0 + by0, y0 + by1, dtype=np.float32)[:, None]
    cols = (xs - origin[0]) * axis[0] + (ys - origin[1]) * axis[1]
    rows = ys - _row_at(brow - [x0, 0], w)[None, bx0:bx1]
    return grain_at(grain, cols, np.maximum(rows, 0.0))


def _row_at(points: np.ndarray, width: int) -> np.ndarray:
    """(width,) float32 the polyline's y at each pixel column."""
    return y_at(points, np.arange(width, dtype=np.float32)).astype(np.float32)


# Behind glasses (``glasses.hold_frame``) the frame stays while the brows rise whole, and the thin
# strip of skin between the frame's top edge and a row of vertices just above it is stretched many
# times its height, into streaks of brow hair and rim edge. Where it grows beyond GAP_START of its
# rest height (fully from GAP_FULL) it is painted as the skin a raised brow uncovers: the forehead
# just above the brows (GAP_SKIN_FROM, in brow heights above their upper contour) lends its colour
# (smoothed along the brows) and its fine grain (detail finer than GAP_GRAIN_SIGMA pixels, mirrored
# row by row up the strip), fading into the brows over GAP_FEATHER of the face width either side of
# the moved skin row and cut sharp at the frame. (Flat colour alone read as a plastic band.)
GAP_START, GAP_FULL = 1.3, 2.0
GAP_SKIN_FROM = (0.5, 1.5)
GAP_GRAIN_SIGMA = 2.0
GAP_FEATHER = 0.006


@dataclass(frozen=True)
class FrameGap:
    """The skin strip right above a glasses frame, and the skin to paint it with when stretched."""

    edge_ids: np.ndarray  # (N,) vertices on the frame's top edge, in order across the face
    skin_ids: np.ndarray  # (N,) the row of vertices above them
    rest_height: np.ndarray  # (N,) pixels between the two rows at rest
    colours: np.ndarray  # (N, 3) float32 the skin colour painted above each
    grain: np.ndarray  # (H, W, 3) float32 the portrait's fine detail (image minus its blur) in ``grain_box``
    grain_box: tuple[int, int, int, int]  # x0, y0, x1, y1
    skin_rows: np.ndarray  # (N, 2) image rows (from, to) of the forehead band above each edge vertex
    feather: float  # pixels


def prepare_frame_gap(image: np.ndarray, vertices: np.ndarray, edge_ids: np.ndarray, skin_ids: np.ndarray) -> FrameGap:
    xy = np.asarray(vertices, np.float64)
    edge, skin = xy[edge_ids], xy[skin_ids]
    face_width = float(np.ptp(xy[:NUM_FACE_POINTS, 0]))
    brow_top, brow_bottom = (y_at(xy[list(p)], edge[:, 0]) for p in (BROW_POINTS, BROW_LOWER_POINTS))
    height = np.maximum(brow_bottom - brow_top, 2.0)
    h, w = image.shape[:2]
    rows = np.stack([brow_top - GAP_SKIN_FROM[1] * height, brow_top - GAP_SKIN_FROM[0] * height], axis=1)
    rows = np.clip(np.round(rows), 0, h - 1).astype(np.int64)
    rows[:, 1] = np.maximum(rows[:, 1], np.minimum(rows[:, 0] + 1, h - 1))
    colours = np.zeros((len(edge), 3), np.float32)
    half = max(int(round(0.02 * face_width)), 1)
    for k, (x, (r0, r1)) in enumerate(zip(edge[:, 0], rows)):
        x0, x1 = max(int(round(x)) - half, 0), min(int(round(x)) + half + 1, w)
        patch = image[r0:r1 + 1, x0:max(x1, x0 + 1)].reshape(-1, 3)
        colours[k] = np.median(patch, axis=0)
    colours = cv2.blur(colours[None], (5, 1), borderType=cv2.BORDER_REFLECT)[0]
    gx0, gx1 = max(int(np.floor(edge[:, 0].min())) - 2, 0), min(int(np.ceil(edge[:, 0].max())) + 3, w)
    gy0, gy1 = int(rows.min()), int(rows.max()) + 1
    box = image[gy0:gy1, gx0:gx1].astype(np.float32)
    grain = box - cv2.GaussianBlur(box, (0, 0), GAP_GRAIN_SIGMA)
    return FrameGap(np.asarray(edge_ids), np.asarray(skin_ids), np.linalg.norm(skin - edge, axis=1),
                    colours.astype(np.float32), grain, (gx0, gy0, gx1, gy1), rows,
                    max(GAP_FEATHER * face_width, 0.5))


def fill_frame_gap(frame: np.ndarray, gap: FrameGap, moved_xy: np.ndarray) -> None:
    """In place: the stretched strip above the frame painted as skin (see ``FrameGap``)."""
    moved = np.asarray(moved_xy, np.float64)[:, :2]
    edge, skin = moved[gap.edge_ids], moved[gap.skin_ids]
    weight = smoothstep(GAP_START, GAP_FULL, np.linalg.norm(skin - edge, axis=1) / np.maximum(gap.rest_height, 1e-6))
    if float(weight.max()) <= 0.0:
        return
    h, w = frame.shape[:2]
    pad = int(np.ceil(3 * gap.feather)) + 2
    both = np.vstack([edge, skin])
    x0, y0 = np.maximum(np.floor(both.min(axis=0)).astype(int) - pad, 0)
    x1, y1 = np.minimum(np.ceil(both.max(axis=0)).astype(int) + pad, (w, h))
    if x1 - x0 < 2 or y1 - y0 < 2:
        return
    # Per column (the face is near upright): painted from the frame's edge (sharp: nothing below
    # it) up to the moved skin row, fading out over the feather above it.
    columns = np.arange(x0, x1, dtype=np.float64)
    at = lambda values: values_at(edge[:, 0], values, columns)  # noqa: E731
    edge_row = at(edge[:, 1])
    height = edge_row - at(skin[:, 1])
    rise = edge_row[None, :] - np.arange(y0, y1, dtype=np.float64)[:, None]  # pixels above the edge
    inside = (columns >= edge[:, 0].min()) & (columns <= edge[:, 0].max())
    mask = (at(weight) * inside)[None, :] * np.clip(rise + 0.5, 0.0, 1.0) * smoothstep(
        height[None, :] + gap.feather, height[None, :] - gap.feather, rise)
    # Skin per column: its colour, plus the forehead's grain from the rows above the brows there,
    # mirrored back and forth up the strip from the frame's edge.
    colour = at(gap.colours)
    top, bottom = at(gap.skin_rows).T
    period = np.maximum(bottom - top, 1.0)
    mirrored = period[None] - np.abs(np.mod(np.maximum(rise, 0.0), 2 * period[None]) - period[None])
    gx0, gy0, gx1, gy1 = gap.grain_box
    gy = np.clip(np.round(bottom[None] - mirrored).astype(np.int64) - gy0, 0, gy1 - gy0 - 1)
    gx = np.clip(np.round(columns).astype(np.int64) - gx0, 0, gx1 - gx0 - 1)
    skin_paint = colour[None].astype(np.float32) + gap.grain[gy, np.broadcast_to(gx[None], gy.shape)]
    crop = frame[y0:y1, x0:x1].astype(np.float32)
    share = mask[..., None].astype(np.float32)
    frame[y0:y1, x0:x1] = np.clip(crop * (1.0 - share) + skin_paint * share + 0.5, 0, 255).astype(np.uint8)
