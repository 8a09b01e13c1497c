"""A grin's lips close over its own teeth as it relaxes.

A grinning portrait shows its teeth because its lips are drawn back and apart. When the user is
at rest the grin relaxes (``driving.relax`` lowers its AU12, AU10 and AU25), and a relaxed
mouth is closed: its lips come together and look fuller. py-feat's lips-part geometry drawn
backwards closes them only a little (Obama's inner-lip gap 0.178 -> 0.149 mouth widths at user
neutral; Trump's and the astronaut's not at all once their narrower mouths are counted), so a
reviewer saw "a full toothy grin" in every tile that starts from user neutral.

Here each upper inner-lip point comes down and its lower partner goes up, by a share of their
gap (``seal_share``: from AU25), and the lips' skin between their inner and outer edges stretches
with them while the outer edges stay; a jaw dropping opens them from there. Where the lips meet,
the teeth's triangles collapse to a seam (``backward_map`` repairs seams at full resolution, as
for shut lids).
MediaPipe's inner-lip points do not trace the teeth's edge exactly: tooth tips below them and the
dark corners of a grin beyond its inner corners lie on the warped lips. ``paint_seal`` lays the
lips' own colour over what on them is not lip-coloured, and draws the closed lips' seam.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ...aus import AU
from ...colour import lab_to_rgb, rgb_to_lab
from ...face.estimators.blendshapes import AU_MAPPING
from ...face.lip_contours import LOWER_INNER, LOWER_OUTER, UPPER_INNER, UPPER_OUTER
from .direction import unit
from ...easing import smoothstep
from .mouth import (OWN_INTERIOR_STRETCH, OWN_PAINT_FROM_GAP, inner_polygon, lips_rgb, median_rgb, outer_polygon,
                    own_teeth_rgb)
from .mouth_motion import CORNERS, OWN_TEETH_GAP
from .raster import polygon_mask

# AU25 (0-5) at or below which a grin's lips are drawn closed: a trace of parting shows no teeth
# (the relaxed grins' own cap, ``driving.relax.AU25``). Above it they part back to the portrait's own
# gap at its own AU25, over no less than LIPS_PART_RANGE (Trump and the astronaut read AU25 0.97-0.99
# with their teeth bared: over their 0.4 of range a driver's lips parting by 0.2, estimator noise on a
# closed mouth, would show half their teeth). They start parting as a real face's do, by the
# estimator's 1 / scale eye spans per AU (``AU_MAPPING``), and ease into the rest of the grin's gap
# (``seal_share``).
LIPS_MEET_AT = 0.6
LIPS_PART_RANGE = 1.0
JAW_OPENS_AT = 0.5  # an AU26 change from which the jaw's own opening is left open (``seal_lips``)
# The upper lip takes this share of the closing (a grin's upper lip is drawn up off its teeth,
# AU10; relaxing, it comes down further than the lower lip comes up).
UPPER_SHARE = 0.6
# The grin let go with the lips apart, the upper lip still comes down toward its place at rest, but by no
# more than this share of its own height (stretched further, a grin's thin lip was a smeared band).
UPPER_GROWTH = 0.6
# What on the moved lips is not lip is painted over in full from this ``seal_share`` (or jaw drop)
# on. Eased in over all of it, the lips half let go kept a dark hook of the grin's corner beyond
# the mouth's (Trump's smirk of test_warp_lip_seal with AU25 drawn 1.35-1.45: the darkest 2 % near
# the corners 0.16-0.12 of the lips' grey; now 0.33-0.21, a fainter line; Obama's at 1.16-1.48
# 0.42-0.18, now 0.55-0.26).
FILL_FULL_AT = 0.5
# The lips stop this far apart (mouth widths): meeting exactly, the seam fell between map pixels.
SEAM_GAP = 0.004
COLUMNS = range(1, len(UPPER_INNER) - 1)  # inner-lip pairs between the corners
# On the sealed lips, a pixel clearly closer in colour to the teeth than to the lips, or darker than this
# share of the lips' lightness (a grin's dark corners), is not lip: the lips' colour around it,
# averaged over this many mouth widths, goes over it.
NOT_LIP_DARKER = 0.75
# ... closer to the teeth by this factor: lips near the teeth's colour (Trump's) keep their own grain.
TEETH_CLOSER = 0.6
LIP_FILL_SPREAD = 0.03
# ... and within this many mouth widths of a corner, what lies just outside the lips too.
CORNER_REACH = 0.06
_DISC3 = np.ones((3, 3), np.uint8)
# Between the inner lips, not-lip pixels are painted over once the lips are this far shut (share x
# shut, ``paint_seal``), fully when they are.
SEALED_FROM = 0.8
# Triangles of three points of one inner lip do not collapse as the lips meet: the teeth under
# those arcs stay as flecks beside the seam. Within this many mouth widths of it, each lip shows
# its own pixels from just beyond that band, mirrored (a lip rolled in toward the seam).
SEAM_BAND = 0.035
LIP_BAND_SHARE = 0.4
# Closed lips meet in a darker line: this share of the lips' lightness taken off at its middle,
# this many mouth widths wide (sigma), fading toward the corners. (0.006 wide, 0.35 dark, the line
# under a pixel on Trump read "drawn with a ruler", review 63.)
SEAM_DARKEN = 0.3
SEAM_WIDTH = 0.01
# The sealed upper lip takes this share of the lower lip's detail finer than this many mouth widths
# (``_lend_lower_lip_detail``). Its fine detail against the lower lip's (between the engine's moved
# lip lines) then reads 0.93 (Trump), 1.02 (Obama), 0.65 (the astronaut), against 0.56 / 0.68 /
# 0.51 without; london_092's and the Mona Lisa's at rest 1.09 and 0.75. At 1.6 Obama's upper lip
# was more textured than his lower (1.16), and busy.
LIP_DETAIL, LIP_DETAIL_SCALE = 1.3, 0.03
# A grin's lips, stretched over its teeth as they close (Trump's thin upper lip 3x its height, the
# lower lip 1.5x), draw each pixel of their grain out into a streak down the lip: its detail along
# the lip, averaged down it over this many mouth widths, is taken out (``_unstreak``) ...
STREAK_LENGTH = 0.04
# ... except under a moustache, whose hairs are streaks of their own: none where the photo's upper
# lip is this much grainier (fine detail along the lip) than its lower, fully below the second value.
# Read on each lip's middle less HAIRY_EDGE mouth widths at its edges. py-feat's Image_with_alpha
# (a moustache over the lip) reads 2.6; bare upper lips 0.4-1.15, grinning or not (Trump 0.90, Obama
# 1.15, the astronaut 0.46, multi_face 1.15, the Mona Lisa 1.07, Grace Hopper 1.11).
HAIRY_UPPER_LIP, HAIRY_EDGE = (2.0, 1.5), 0.015
# The sealed upper lip takes its own colour (``_tint_upper_lip``) where the portrait's upper lip
# shows as a lip: its colour stands this far (Lab distance) from the skin just above it (a band
# UPPER_TINT_ABOVE mouth widths above its outer edge), none at the first value, fully at the second.
# Shared and held-out faces read 11-19 (single_face 18.5, Obama 14.0, the astronaut 11.2) and
# multi_face 8.1; a moustache over the lip 5.3 (py-feat's Image_with_alpha: tinted, it was a flat
# pasted band) and Trump's thin lip as dark as his skin 2.0 (there is no colour to go on).
UPPER_TINT_CONTRAST = (6.0, 9.0)
UPPER_TINT_ABOVE = (0.08, 0.2)
UPPER_TINT_EDGE = 0.04  # the tint fades in below the upper lip's outer edge over this many mouth widths
UPPER_TINT_LIGHTNESS = 0.5  # ... and moves the lightness this share of the way


@dataclass(frozen=True)
class LipSeal:
    """Per portrait that shows its own teeth: how each vertex follows its inner lip edge."""
    up: np.ndarray  # (2,) the face's upward unit vector
    across: np.ndarray  # (V,) 0..1 corner to corner, each vertex's place along the mouth
    columns: np.ndarray  # (len(COLUMNS),) the inner-lip pairs' places along the mouth
    upper: np.ndarray  # (V,) float32 share of its column's upper-lip closing each vertex takes (1 on the inner edge)
    lower: np.ndarray  # (V,) float32 ... of the lower lip's
    rest_gaps: np.ndarray  # (len(COLUMNS),) the inner-lip pairs' gaps at rest, pixels along ``up``
    upper_heights: np.ndarray  # (len(COLUMNS),) the upper lip's height at rest over each pair, pixels along ``up``
    width: float  # mouth width at rest, pixels
    own_au25: float  # the portrait's own lips-part reading
    lip_rgb: np.ndarray  # (3,) float32 the lips' median colour
    teeth_rgb: np.ndarray  # (3,) float32 the teeth's (bright pixels between the inner lips)
    upper_lip_rgb: np.ndarray  # (3,) float32 the upper lip's own median colour (shaded, or a moustache)
    lower_lip_rgb: np.ndarray  # (3,) float32 ... and the lower lip's
    upper_tint: float  # 0..1 how far the sealed upper lip takes ``upper_lip_rgb`` (``UPPER_TINT_CONTRAST``)
    upper_bare: float  # 0..1 how bare the upper lip is: 0 under a moustache (``HAIRY_UPPER_LIP``)


def prepare_lip_seal(image: np.ndarray, face_xy: np.ndarray, up: np.ndarray, num_vertices: int,
                     own_au25: float) -> LipSeal | None:
    """The seal of a portrait whose lips rest apart over its teeth (gap over ``OWN_TEETH_GAP``
    mouth widths) and part more than ``LIPS_MEET_AT``; None for any other (nothing to close)."""
    xy = np.asarray(face_xy, np.float64)
    up = unit(up)
    corner0, corner1 = xy[CORNERS[0]], xy[CORNERS[1]]
    width = float(np.linalg.norm(corner1 - corner0))
    gaps = _gaps(xy, up)
    if width <= 0.0 or float(np.median(gaps)) < OWN_TEETH_GAP * width or own_au25 <= LIPS_MEET_AT:
        return None
    across = np.clip((xy - corner0) @ (corner1 - corner0) / width ** 2, 0.0, 1.0)
    height = xy @ up
    # Each lip line's height at every vertex's place along the mouth.
    on_mouth = np.stack([across, height], axis=1)
    inner_up, outer_up, inner_lo, outer_lo = (np.interp(across, *_sorted_line(on_mouth[list(points)]))
                                              for points in (UPPER_INNER, UPPER_OUTER, LOWER_INNER, LOWER_OUTER))
    # From 0 on the outer edge to 1 on the inner: the lip's skin stretches evenly between them.
    upper = np.clip((outer_up - height) / np.maximum(outer_up - inner_up, 1e-6), 0.0, 1.0)
    lower = np.clip((height - outer_lo) / np.maximum(inner_lo - outer_lo, 1e-6), 0.0, 1.0)
    # Only within the lips (between their edges, corner to corner): nothing else is a lip.
    within = (across > 0.0) & (across < 1.0)
    upper = np.where(within & (height <= outer_up) & (height >= inner_up - 0.02 * width), upper, 0.0)
    lower = np.where(within & (height >= outer_lo) & (height <= inner_lo + 0.02 * width), lower, 0.0)
    upper[list(UPPER_INNER[1:-1])], lower[list(LOWER_INNER[1:-1])] = 1.0, 1.0
    upper[list(LOWER_INNER) + list(LOWER_OUTER)] = 0.0
    lower[list(UPPER_INNER) + list(UPPER_OUTER)] = 0.0

    def padded(weight):
        out = np.zeros(num_vertices, np.float32)
        out[:len(xy)] = weight
        return out

    lip_rgb, teeth_rgb = _lip_and_teeth_colours(image, xy)
    # Each lip's middle (between its outer and inner edges, the corners' two points on each side left
    # out: a grin's dark corners lie there): its own colour, and its grain.
    upper_middle, lower_middle = (
        polygon_mask(image.shape[:2], np.vstack([xy[list(outer[2:-2])], xy[list(inner[-3:1:-1])]]))
        for outer, inner in ((UPPER_OUTER, UPPER_INNER), (LOWER_OUTER, LOWER_INNER)))
    upper_lip_rgb, lower_lip_rgb = median_rgb(image, upper_middle), median_rgb(image, lower_middle)
    return LipSeal(up=up, across=padded(across), columns=across[[UPPER_INNER[k] for k in COLUMNS]],
                   upper=padded(upper), lower=padded(lower), rest_gaps=gaps, width=width,
                   upper_heights=np.maximum((outer_up - inner_up)[[UPPER_INNER[k] for k in COLUMNS]], 0.0),
                   own_au25=float(own_au25),
                   lip_rgb=lip_rgb, teeth_rgb=teeth_rgb, upper_lip_rgb=upper_lip_rgb, lower_lip_rgb=lower_lip_rgb,
                   upper_tint=_upper_lip_contrast(image, xy, up, width, upper_lip_rgb),
                   upper_bare=float(smoothstep(*HAIRY_UPPER_LIP, _upper_over_lower_grain(
                       image, upper_middle, lower_middle, width))))


def _upper_over_lower_grain(image: np.ndarray, upper: np.ndarray, lower: np.ndarray, width: float) -> float:
    """How much grainier (fine grey detail along the lip) the photo's upper lip is than its lower
    (``upper``, ``lower``: bool masks of their middles), their edges left out (a grin's teeth
    border them: Obama's bare lip read 1.7 with them, 1.15 without); 0 when too little shows."""
    edge = max(int(round(HAIRY_EDGE * width)), 1)
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * edge + 1, 2 * edge + 1))
    upper, lower = (cv2.erode(mask.astype(np.uint8), disc).astype(bool) for mask in (upper, lower))
    if upper.sum() < 10 or lower.sum() < 10:
        return 0.0
    ys, xs = np.nonzero(upper | lower)
    pad = int(np.ceil(3 * LIP_DETAIL_SCALE * width)) + 1  # the blur's reach
    box = np.s_[ys.min():ys.max() + 1, max(xs.min() - pad, 0):xs.max() + pad + 1]
    grain = _detail_along(image[box].astype(np.float32).mean(axis=2), width)
    upper, lower = upper[box], lower[box]
    return float(np.std(grain[upper])) / max(float(np.std(grain[lower])), 1e-3)


def _detail_along(values: np.ndarray, width: float) -> np.ndarray:
    """``values`` (float32 rows of pixels) less their blur along the rows over ``LIP_DETAIL_SCALE``
    mouth widths: their fine detail along a (level) lip."""
    sigma = max(LIP_DETAIL_SCALE * width, 0.8)
    return values - cv2.GaussianBlur(values, (2 * int(np.ceil(3 * sigma)) + 1, 1), sigma)


def _upper_lip_contrast(image: np.ndarray, xy: np.ndarray, up: np.ndarray, width: float,
                        upper_lip_rgb: np.ndarray) -> float:
    """0..1: how clearly the upper lip (``upper_lip_rgb``) stands apart in colour from the skin just
    above it (``UPPER_TINT_ABOVE``, ``UPPER_TINT_CONTRAST``)."""
    line = xy[list(UPPER_OUTER[2:-2])]
    near, far = (share * width * up for share in UPPER_TINT_ABOVE)
    above = polygon_mask(image.shape[:2], np.vstack([line + near, (line + far)[::-1]]))
    if above.sum() < 10:
        return 0.0
    contrast = float(np.linalg.norm(rgb_to_lab(median_rgb(image, above)) - rgb_to_lab(upper_lip_rgb)))
    return float(smoothstep(*UPPER_TINT_CONTRAST, contrast))


def _lip_and_teeth_colours(image: np.ndarray, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The lips' median colour (between their outer and inner edges) and the teeth's, as the
    mouth painter finds them (``mouth.own_teeth_rgb``; what lies between the lips if it finds none)."""
    interior = polygon_mask(image.shape[:2], inner_polygon(xy))
    teeth_rgb = own_teeth_rgb(image, interior)
    return (lips_rgb(image, xy, interior),
            np.asarray(median_rgb(image, interior) if teeth_rgb is None else teeth_rgb, np.float32))


def _gaps(xy: np.ndarray, up: np.ndarray) -> np.ndarray:
    """(len(COLUMNS),) each inner-lip pair's gap along ``up``, pixels (upper over lower)."""
    return np.array([float((xy[UPPER_INNER[k]] - xy[LOWER_INNER[k]]) @ up) for k in COLUMNS])


def _corner_discs(xs: np.ndarray, ys: np.ndarray, moved: np.ndarray, radius: float) -> np.ndarray:
    """(h, w) float32 1 within ``radius`` pixels of either moved mouth corner, fading out over its
    last half (``xs``, ``ys``: the pixels' coordinates, as ``np.mgrid`` gives them)."""
    near = np.minimum(*(np.hypot(xs - moved[corner, 0], ys - moved[corner, 1]) for corner in CORNERS))
    return smoothstep(radius, 0.5 * radius, near).astype(np.float32)


def _sorted_line(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A lip line's x and y, in order of x (for ``np.interp``)."""
    order = np.argsort(points[:, 0])
    return points[order, 0], points[order, 1]


def seal_share(seal: LipSeal, change: np.ndarray) -> float:
    """0..1: how far the lips close over the teeth for this AU change from the portrait's own:
    1 at AU25 ``LIPS_MEET_AT`` or below, 0 at its own AU25 (or ``LIPS_PART_RANGE`` above
    ``LIPS_MEET_AT``, whichever is higher) and above. A share x of the way between, the lips are
    parted a x + (1 - a) x^2 of the grin's gap: at first by what a real face's parting of that many
    AU shows (``a``: the room over the AU25 the grin's own gap reads above a closed mouth's, at most
    1), then faster, to the whole gap at its own AU25. (Eased in from nothing, 1 - x^2 alone, the
    lips stayed shut under a driver's small partings and then sprang to the grin's whole gap:
    Obama's inner-lip gap over a real face's for the user's AU25 +0.5 0.1x, +1.0 1.2x; now 1.4x,
    1.3x. Parted in proportion, a x alone, a grin's gap -- 1.8x a real face's per AU on Obama --
    opened 1.6x as far as the user's at +0.75.)"""
    drawn = seal.own_au25 + float(change[AU.AU25])
    room = max(seal.own_au25 - LIPS_MEET_AT, LIPS_PART_RANGE)
    x = float(np.clip((drawn - LIPS_MEET_AT) / room, 0.0, 1.0))
    mapping = AU_MAPPING[AU.AU25]
    start = min(room / (seal.own_au25 + mapping.offset * mapping.scale), 1.0)
    return 1.0 - (start * x + (1.0 - start) * x * x)


def seal_lips(displacement: np.ndarray, vertices: np.ndarray, seal: LipSeal, change: np.ndarray,
              lip_cover: float = 0.0) -> np.ndarray | None:
    """In place: for this AU ``change`` from the portrait's own, the inner lips of the displaced mesh
    close ``seal_share`` of their gap (no further than ``SEAM_GAP`` apart; crossed, they part back to
    it), the upper by ``UPPER_SHARE`` of it, each lip's skin following its inner edge. As the jaw
    drops (its AU26 change, full at ``JAW_OPENS_AT``) they close only by that share of their gap at
    rest: what the jaw opens beyond it stays open. (Without a jaw drop the whole gap: a frown's mesh
    parted the sealed lips by 0.08-0.26 of their gap at rest.) ``lip_cover`` (0..1, how far the
    grin is let go): the upper lip comes down at least that share of its way at rest, or of
    ``UPPER_GROWTH`` of its own height if less, lips parted or not, into what the jaw opens beyond
    the portrait's own teeth (not under a moustache). Returns the part of the shift that covering
    added beyond the closing (None where there was nothing to move)."""
    share = seal_share(seal, change)
    over_seam = _gaps(vertices + displacement, seal.up) - SEAM_GAP * seal.width
    if share <= 0.0 and lip_cover * seal.upper_bare <= 0.0 and float(over_seam.min()) >= 0.0:
        return None
    jaw_drop = float(np.clip(float(change[AU.AU26]) / JAW_OPENS_AT, 0.0, 1.0))
    gaps = np.maximum(over_seam, 0.0)
    closing = share * ((1.0 - jaw_drop) * gaps + jaw_drop * np.minimum(seal.rest_gaps, gaps))
    # A grin let go (``lip_cover``, ``mouth_motion.lip_over_teeth``) brings its upper lip down over
    # its teeth however far the lips part: left where the grin drew it up, a jaw drop showed the teeth
    # right under the nose ("the upper lip vanishes above the teeth", Obama, Trump). Not under a
    # moustache (``upper_bare``): stretched down, its hair and the gum under it smeared pink.
    # Only into what the jaw opens beyond the stretch of the portrait's own teeth
    # (``OWN_INTERIOR_STRETCH``, where a cavity opens between its rows) and beyond where the painted
    # interior has taken over (``OWN_PAINT_FROM_GAP``): into less, its rows were pressed together
    # under the lip, or the stretched teeth came back in place of the paint: a clenched grimace or a
    # grey block where a user talks (0-f15, multi_face).
    covered = lip_cover * seal.upper_bare * np.minimum(UPPER_SHARE * seal.rest_gaps, UPPER_GROWTH * seal.upper_heights)
    opened = np.maximum(OWN_INTERIOR_STRETCH * seal.rest_gaps, seal.rest_gaps + OWN_PAINT_FROM_GAP[1] * seal.width)
    beyond = np.maximum(gaps - opened, 0.0)
    upper_closing = np.maximum(UPPER_SHARE * closing, np.minimum(covered, beyond))
    # Lips the mesh has carried across each other are parted back to the seam, whatever the share: a
    # gaping portrait's jaw closing (py-feat's AU26 drawn backwards lifts the lower lip past the held
    # upper lip: 0-f1-su's crossed by 2-6 px in a wink's smirk) turned the lips' triangles over, and
    # the opening under them showed as dark dashes along the seam.
    crossed = np.minimum(over_seam, 0.0)
    closing, upper_closing = closing + crossed, upper_closing + UPPER_SHARE * crossed
    # Along the mouth, the closing of the nearest pairs; none at the corners (they already meet).
    xs = np.r_[0.0, seal.columns, 1.0]
    order = np.argsort(xs)

    def along(values):
        return np.interp(seal.across, xs[order], np.r_[0.0, values, 0.0][order])

    up = seal.up
    shift = (along(upper_closing) * seal.upper)[:, None] * -up[None, :] \
        + (along(closing) * ((1.0 - UPPER_SHARE) * seal.lower))[:, None] * up[None, :]
    displacement += shift.astype(displacement.dtype)
    covering = along(upper_closing - UPPER_SHARE * closing) * seal.upper
    return (covering[:, None] * -up[None, :]).astype(displacement.dtype)


def paint_seal(frame: np.ndarray, moved: np.ndarray, seal: LipSeal, change: np.ndarray) -> None:
    """In place, on the warped ``frame``: over the lips (between their moved outer and inner edges),
    what is not lip-coloured takes the lips' colour around it, by how far they have closed for this
    AU ``change`` (``seal_share``) or the jaw has dropped; the stretched upper lip takes the lower
    lip's fine detail, and the closed lips' seam darkens, by how far they have closed and are still
    closed (a jaw drop opens them)."""
    shut = 1.0 - float(np.clip(_gaps(moved, seal.up).mean() / max(float(seal.rest_gaps.mean()), 1.0), 0.0, 1.0))
    share = seal_share(seal, change)
    strength = float(smoothstep(0.0, 1.0, share * shut))
    # What lies on the moved lips and is not lip (a grin's dark corners, tooth tips) is painted over
    # as far as the lips were moved, shut or not: with the lips parted a little (a wink's smirk
    # parts them to 0.18 shut on Trump) the dark corner stretched over them showed as a sawtooth.
    # A jaw drop moves them too (its AU26 change, fully at ``JAW_OPENS_AT``), though the lips part:
    # the grin's dark corners stretched down the sides of the opening (Obama's, Trump's).
    jaw_drop = float(np.clip(float(change[AU.AU26]) / JAW_OPENS_AT, 0.0, 1.0))
    fill = float(smoothstep(0.0, FILL_FULL_AT, max(share, jaw_drop)))
    if fill <= 0.0:
        return
    outer = outer_polygon(moved)
    h, w = frame.shape[:2]
    pad = int(np.ceil(3 * LIP_FILL_SPREAD * seal.width)) + 2
    x0, y0 = np.maximum(np.floor(outer.min(axis=0)).astype(int) - pad, 0)
    x1, y1 = np.minimum(np.ceil(outer.max(axis=0)).astype(int) + pad + 1, (w, h))
    if x1 - x0 < 3 or y1 - y0 < 3:
        return
    box = frame[y0:y1, x0:x1]
    patch = box.astype(np.float32)
    origin = np.array([x0, y0], np.float32)
    mouth = polygon_mask(patch.shape[:2], outer - origin, antialiased=True)
    between = polygon_mask(patch.shape[:2], inner_polygon(moved) - origin, antialiased=True)
    lips = mouth * (1.0 - between)
    ys, xs = np.mgrid[0:patch.shape[0], 0:patch.shape[1]].astype(np.float32)
    # The seam: midway between the inner lips.
    seam = 0.5 * (moved[list(UPPER_INNER), :2] + moved[list(LOWER_INNER), :2]) - origin
    order = np.argsort(seam[:, 0])
    line = np.interp(xs[0], seam[order, 0], seam[order, 1])
    below = ys - line[None, :]  # > 0 on the lower lip
    # Closed lips each against their own colour: against both lips' median, the upper lip's own shade
    # (0.6-0.8 of the lower lip's lightness on most portraits), and all of a moustache over it
    # (py-feat's Image_with_alpha: "a see-through pink film over the moustache"), read as "not lip".
    # Lips stretched round a jaw drop against both lips' median, lighter: there the dark is the grin's
    # corner wedge, and judged against each lip's own colour Obama's stretched lip corners kept it.
    own_rgb = seal.lip_rgb if share <= 0.0 else (
        seal.lip_rgb + share * (np.where((below < 0)[..., None], seal.upper_lip_rgb, seal.lower_lip_rgb) - seal.lip_rgb))
    to_lip = np.sqrt(((patch - own_rgb) ** 2).sum(axis=2))
    to_teeth = np.sqrt(((patch - seal.teeth_rgb) ** 2).sum(axis=2))
    light, lip_light = patch.sum(axis=2), own_rgb.sum(axis=-1)
    flagged = ((to_teeth < TEETH_CLOSER * to_lip) | (light < NOT_LIP_DARKER * lip_light)).astype(np.float32)
    # Grown by a pixel before the soft edge: blurred alone, a one-pixel speck kept 3/4 of its darkness.
    # Around the corners the grin's shadow also lies just outside the lips' outline.
    grow = max(int(CORNER_REACH * seal.width / 2), 1)
    grown = cv2.dilate(mouth, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * grow + 1, 2 * grow + 1)))
    region = np.maximum(lips, _corner_discs(xs, ys, moved - origin, CORNER_REACH * seal.width) * grown)
    flagged = cv2.GaussianBlur(cv2.dilate(flagged, _DISC3), (0, 0), 0.8)
    not_lip = flagged * region
    # The colour around each pixel: the region's unflagged pixels, averaged (normalized convolution).
    sigma = max(LIP_FILL_SPREAD * seal.width, 1.0)
    keep = region * (1.0 - not_lip)
    kept = cv2.GaussianBlur(keep, (0, 0), sigma)[..., None]
    around = np.where(kept > 1e-3, cv2.GaussianBlur(patch * keep[..., None], (0, 0), sigma) / np.maximum(kept, 1e-3),
                      seal.lip_rgb)
    # Between the inner lips too, once they are shut all along (a smile's parted lips keep their
    # teeth untinted): a pout (corners down, lower lip up, brows knit) left a wedge open beside each
    # corner, where the seal's columns do not reach, and a grin's dark corner showed through it as
    # black specks (Obama, Trump).
    painted = fill * not_lip
    sealed = float(smoothstep(SEALED_FROM, 1.0, share * shut))
    if sealed > 0.0:
        painted = np.minimum(painted + sealed * between * flagged, flagged)
    patch += painted[..., None] * (around - patch)
    if strength <= 0.0:  # lips apart (a jaw drop): no band, lent detail or seam to draw
        box[...] = np.clip(patch + 0.5, 0, 255).astype(np.uint8)
        return
    # The seam darkest in the middle, gone at the corners.
    u = np.clip((xs[0] - seam[order[0], 0]) / max(seam[order[-1], 0] - seam[order[0], 0], 1.0), 0.0, 1.0)
    along = np.maximum(np.sin(np.pi * u), 0.0) ** 0.25
    # Each lip's pixels from beyond the seam band, mirrored into it (row-wise, on this side), where
    # the lips have come within the band of each other (a wider gap shows the teeth between them).
    # No deeper than LIP_BAND_SHARE of the lip: a grin's thin upper lip (Trump's) mirrored the
    # skin above it into the mouth, "a pasted brown rectangle".
    line_at = lambda points: np.interp(xs[0], *_sorted_line(moved[list(points), :2] - origin))  # noqa: E731
    upper_line, lower_line = line_at(UPPER_INNER), line_at(LOWER_INNER)
    upper_outer, lower_outer = line_at(UPPER_OUTER), line_at(LOWER_OUTER)
    reach = max(SEAM_BAND * seal.width, 1.0) * along
    band_up = np.maximum(np.minimum(reach, LIP_BAND_SHARE * (line - upper_outer)), 0.5)[None, :]
    band_lo = np.maximum(np.minimum(reach, LIP_BAND_SHARE * (lower_outer - line)), 0.5)[None, :]
    band = np.where(below < 0, band_up, band_lo)
    # (One measure per column, not per side: the fade must not jump at the seam either.)
    met = smoothstep(1.0, 0.5, (lower_line - upper_line)[None, :] / (0.5 * (band_up + band_lo)))
    # Each side mirrored on its own, then met at the seam by each pixel's share above it: switched at
    # the first row past the seam, the lips met in a hard edge that stepped a row at a time (Trump's
    # relaxed grin, "a ruler-straight lip line with steps", review 63).
    above = np.clip(0.5 - below, 0.0, 1.0)

    def mirrored_side(on_side, mirrored_y):
        return cv2.remap(patch, xs, np.where(on_side, mirrored_y, ys).astype(np.float32), cv2.INTER_LINEAR,
                         borderMode=cv2.BORDER_REFLECT)

    upper_side = mirrored_side((below < 0.5) & (-below < band_up), line[None, :] - 2 * band_up - below)
    lower_side = mirrored_side((below > -0.5) & (below < band_lo), line[None, :] + 2 * band_lo - below)
    mirrored = above[..., None] * upper_side + (1.0 - above[..., None]) * lower_side
    fade = strength * met * (mouth > 0.0) * smoothstep(1.0, 0.7, np.abs(below) / band)
    patch += fade[..., None] * (mirrored - patch)
    # Stretched, a lip's grain runs straight down it in streaks ("a fuzzy brown band like stubble" on
    # Trump's closed upper lip); taken out before the lower lip lends the upper its detail.
    _unstreak(patch, mouth, (upper_outer, line, lower_outer), ys,
              (seal.upper_bare * strength * along, strength * along), seal.width)
    _lend_lower_lip_detail(patch, mouth, line, upper_outer, lower_outer, xs, ys,
                           strength * along, seal.width)
    _tint_upper_lip(patch, mouth, line, upper_outer, ys, strength * np.sqrt(along), seal)
    dark = SEAM_DARKEN * strength * along[None, :] * np.exp(-0.5 * ((ys - line[None, :]) / max(SEAM_WIDTH * seal.width, 0.7)) ** 2)
    patch *= (1.0 - dark * (mouth > 0.0))[..., None]
    box[...] = np.clip(patch + 0.5, 0, 255).astype(np.uint8)


def _unstreak(patch: np.ndarray, mouth: np.ndarray, lines: tuple[np.ndarray, np.ndarray, np.ndarray],
              ys: np.ndarray, strengths: tuple[np.ndarray, np.ndarray], width: float) -> None:
    """In place: each lip (between ``lines``: the upper lip's outer edge, the seam and the lower lip's
    outer edge, rows per column) loses the fine grey detail that runs straight down it (detail along
    the lip, averaged down that lip over ``STREAK_LENGTH`` mouth widths), by its ``strengths`` per
    column. (Grey, taken from every channel alike: the streaks are the grain's light and dark.)"""
    top = max(int(np.floor(lines[0].min())) - 1, 0)
    bottom = min(int(np.ceil(lines[2].max())) + 1, patch.shape[0])
    if bottom - top < 2:
        return
    rows = slice(top, bottom)
    across = _detail_along(patch[rows].mean(axis=2), width)
    down = max(STREAK_LENGTH * width, 1.0)
    size = (1, 2 * int(np.ceil(3 * down)) + 1)
    streaks = np.zeros_like(across)
    for edge_a, edge_b, strength in zip(lines[:2], lines[1:], strengths):
        on_lip = _between(ys[rows], edge_a, edge_b, mouth[rows]).astype(np.float32)
        streak = cv2.GaussianBlur(across * on_lip, size, down) / np.maximum(cv2.GaussianBlur(on_lip, size, down), 1e-3)
        streaks += on_lip * strength[None, :] * streak
    patch[rows] -= streaks[..., None]


def _between(ys: np.ndarray, upper: np.ndarray, lower: np.ndarray, mouth: np.ndarray,
             fade_in: tuple[float, float] = (-0.5, 0.5)) -> np.ndarray:
    """(rows, w) 0..1: the pixels at ``ys`` between two lip lines (``upper``, ``lower``: rows per
    column) within ``mouth``, fading in below ``upper`` over ``fade_in`` pixels and out across a
    pixel at ``lower``."""
    return smoothstep(*fade_in, ys - upper[None, :]) * smoothstep(0.5, -0.5, ys - lower[None, :]) * mouth


def _lend_lower_lip_detail(patch: np.ndarray, mouth: np.ndarray, seam: np.ndarray, upper_outer: np.ndarray,
                           lower_outer: np.ndarray, xs: np.ndarray, ys: np.ndarray, strength: np.ndarray,
                           width: float) -> None:
    """In place: the upper lip (between the ``seam`` row and its outer edge, per column) takes the
    lower lip's fine detail at the same share of its height from the seam, by ``strength`` per column.
    A grin's thin upper lip, stretched down over its teeth, is a magnified smooth band (Trump's,
    "a flat, textureless brown band", reviews 23-25), while a lip's lines and grain run through both."""
    # Only the rows from the upper lip's top to the lower lip's bottom.
    top = max(int(np.floor(upper_outer.min())), 0)
    rows = slice(top, min(int(np.ceil(lower_outer.max())) + 1, patch.shape[0]))
    xs, ys = xs[rows], ys[rows]
    share = (seam[None, :] - ys) / np.maximum(seam - upper_outer, 1.0)[None, :]  # 0 on the seam, 1 on the outer edge
    inside = (share > 0.0) & (share < 1.0) & (mouth[rows] > 0.0)
    if not inside.any():
        return
    from_y = seam[None, :] + share * np.maximum(lower_outer - seam, 1.0)[None, :] - top
    grey = patch[rows].mean(axis=2)  # the detail is grain and lines: lent in grey, to every channel alike
    detail = grey - cv2.GaussianBlur(grey, (0, 0), max(LIP_DETAIL_SCALE * width, 0.8))
    lent = cv2.remap(detail, xs, np.where(inside, from_y, ys - top).astype(np.float32), cv2.INTER_LINEAR,
                     borderMode=cv2.BORDER_REFLECT)
    # Fading in from the seam and out toward the outer edge (neither edge's line is repeated).
    weight = LIP_DETAIL * strength[None, :] * inside * smoothstep(0.0, 0.15, share) * smoothstep(1.0, 0.8, share)
    patch[rows] += (weight * lent)[..., None]


def _tint_upper_lip(patch: np.ndarray, mouth: np.ndarray, seam: np.ndarray, upper_outer: np.ndarray,
                    ys: np.ndarray, strength: np.ndarray, seal: LipSeal) -> None:
    """In place: the sealed upper lip (between its outer edge, softened over ``UPPER_TINT_EDGE``
    mouth widths, and the ``seam``) takes the portrait's own upper lip's colour (Lab a* b*, and
    ``UPPER_TINT_LIGHTNESS`` of the way to its L*) in place of its surroundings', its grain kept,
    by ``strength`` per column and the seal's ``upper_tint``. A grin's upper lip is a thin line;
    stretched over the closing mouth its sides were the skin above it and the grin's dark corners
    painted over in that skin's colour (single_face's stubble: "a grey-brown muzzle" with lips only
    in its middle)."""
    if seal.upper_tint <= 0.0:
        return
    top = max(int(np.floor(upper_outer.min())) - 2, 0)
    bottom = min(int(np.ceil(seam.max())) + 2, patch.shape[0])
    if bottom - top < 2:
        return
    rows = slice(top, bottom)
    edge = max(UPPER_TINT_EDGE * seal.width, 1.0)
    on_lip = _between(ys[rows], upper_outer, seam, mouth[rows], fade_in=(-0.3 * edge, edge))
    weight = (seal.upper_tint * strength[None, :] * on_lip)[..., None]
    lab = rgb_to_lab(patch[rows])
    # The colour moves, the grain stays: each pixel shifts by its surroundings' way to the goal
    # (moved to the goal themselves, Obama's closed upper lip kept half its fine detail).
    around = cv2.GaussianBlur(lab, (0, 0), max(LIP_DETAIL_SCALE * seal.width, 0.8))
    shift = rgb_to_lab(seal.upper_lip_rgb) - around
    shift[..., 0] *= UPPER_TINT_LIGHTNESS
    patch[rows] = lab_to_rgb(lab + weight * shift)
