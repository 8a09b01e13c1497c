"""Closed lids that read as closed, for the warp engine.

The warp brings the upper lid down onto the lower one (``eye_fields.lid_closure``), but it can
only stretch the skin it has: the closed lid comes out as a smear of stretched lid and crease
skin, with the eye's remains squashed into a ragged slit where the lids meet. Neither a person
nor MediaPipe reads that as a closed eye. A real closed eye is a smooth, convex lid of the
skin's own colour ending in a dark, soft lash line along where the lids meet.

So, as the lids close, we paint over the warped lid (between the displaced crease ring above
it and a smooth arc where the lids meet, and in the middle of the eye over the crease, whose
old line must not float above a shut eye): in the light of the place it lies in (``lid_tone``:
the portrait's skin around the open eye carried smoothly across it, so a lid in a socket
shadow stays in it; darker and a little pinker toward the lashes, shaded by the eyeball's
roundness), with the skin the warp dragged in around it relit to that light too (no lit oval,
no rim); the lid itself is the upper lid's skin carried down (filled from below too, the lighter
skin under the eye lit it as a dome), and between it and the brow no band is left darker than
both (the open eye's crease and socket shadow round a lit lid read as a pillow's outline);
the portrait's own skin grain at its own scale and level (``lid_grain``), and a
lash line in its own lash colour, its thickness scaled to the eye. A shut lid is no taller than
the open eye's opening plus its lid up to the crease (under raised brows the crease rides up
higher; the skin between keeps its own light, and the lid's top takes it). Everything fades in with
closure: nothing is painted while the eyes are open, and a half blink shows the real lid,
partly lowered, with the grain its stretching smoothed away laid back on.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, replace

import cv2
import numpy as np

from .channels import in_channels
from ...easing import smoothstep
from .au_mesh import BROW_LOWER_SIDES, BROW_UPPER_SIDES
from .brow_band import brows_visible
from .eye_fields import EYES
from .lid_grain import grain_at, grain_strip, increasing
from .lid_tone import (LUMA, LidTone, SocketLight, as_light_as_above, brow_mask, lid_color, lid_shading,
                       lightness_around, measure_socket_light, measure_tone, skin_lines, socket_fill)
from .raster import polygon_mask

# The skin ring below each eye (MediaPipe's eyeLower3), outer to inner corner, eye_fields.EYES order.
UNDER_EYE = ((143, 111, 117, 118, 119, 120, 121, 128, 245), (372, 340, 346, 347, 348, 349, 350, 357, 465))
# Each eye's brow (MediaPipe: upper contour, then lower, outer -> inner), eye_fields.EYES order. Brows
# are hair, not light: the light a shut lid and the skin around it take leaves them out, and
# the skin around the lid is relit only where no brow is drawn (a raised brow's old place
# took its darkness, a second brow over a shut eye).
BROWS = tuple(tuple(upper) + tuple(lower)[::-1] for upper, lower in zip(BROW_UPPER_SIDES, BROW_LOWER_SIDES))
# Painting fades in over this range of lid closure (0 = the portrait's lids, 1 = lids meet).
FILL_START, FILL_FULL = 0.2, 0.9
# The lash line comes in ahead of the lid: on a lid on its way down the part-strength paint washed
# out the lowered lid's own margin, and the eye under it showed through a pale veil ("see-through
# lids", London 092, fresh review). Fading in over 0.3-0.95 the margin's darkest grey at lids 60 %
# down was 19-29 levels over the open lid's (London 092, Obama, the astronaut); now 8-13. (Keeping
# the paint above the margin until the lids were nearly shut kept the margin too, but showed the
# squashed eye under it, its whites and catch-lights as slivers: a blind A/B preferred the veil.
# Over 0.1-0.6 the lashes' dark tail lay on the iris still in view under a lid a little under
# half way down: ``test_warp_lid_slides``.)
LASH_START, LASH_FULL = 0.2, 0.7
# Lash line thickness at its thickest (a little toward the outer corner), fraction of the eye width,
# and its opacity there.
LASH_THICKNESS = 0.05
LASH_OPACITY = (0.9, 0.75)
LASH_EDGE_ABOVE = (0.3, 0.7)  # the line's softness above the margin, relative to below it
# ... the first of each while the lids come down and at the first touch, the second once they are
# fully shut, over this range of closure (``LASH_SOFT_FROM``). A lowered lid keeps a crisp, dark
# margin (a blind A/B of lids a half and two thirds down preferred it on 7 of 8 portraits; softened
# there too, MediaPipe read man_smiling_short's blinks, which peak at closure 0.8, more open: eyeBlink
# amplitude per frame Obama 0.59 -> 0.49). Shut, the crisp near-black stroke read as drawn-on
# eyeliner: a fresh blind A/B of the 8 shut-eyed shared portraits preferred the softer band on 5
# (clearly on Obama, Trump, Grace Hopper, London 092 and lisa3; the crisp one marginally on the
# blurry astronaut, london_042 and the Mona Lisa).
LASH_SOFT_FROM = (0.9, 1.0)
# ... and below it (relative to its thickness), on a lid still on its way down and once the lids
# meet (``BELOW_FROM``): lashes fanned down over the eye still open under a lowered lid hid it.
LASHES_BELOW = (0.5, 1.0)
# How far the painted lid and lashes reach past each eye corner, fraction of the eye width.
CORNER_REACH = 0.08
# How far the painted lid reaches below the line where the lids meet (hiding the squashed eye
# and the lower lashes right under it; MediaPipe reads the shut eye a little better so).
LID_BELOW = 0.06
# ... once the lids come to meet, over this range of closure. A lid on its way down ends at its
# margin: reaching below it at every closure, the paint and its lashes covered what a lid lowered
# by two thirds leaves open (a look down: woman_expressions 103-107, her lids 0.36 of their rest
# apart, her irises in view), and the portraits' eyes read as shut (test_warp_lowered_lids). Full
# by 0.8: man_smiling_short's blinks peak at AU45 +1.6-1.7, and must still shut.
BELOW_FROM = (0.7, 0.8)
# ... and at least this far above it, even at the corners where the crease meets the lid.
MIN_LID_HEIGHT = 0.1
# The painted lid covers the displaced crease (its old line must not float above a shut eye):
# fully up to it, fading out COVER_ABOVE (fraction of the eye width) above it, into the
# (relit) skin there; less toward the corners, where brows, frames and
# the corners' own folds come close.
COVER_ABOVE = 0.1
# ... and the reach past the corners and the cover above the crease are at least this many
# pixels (on a small face the crease and the lashes' ends are a pixel or two from the lid).
MIN_PX = 2.5
# The skin around the lid takes the portrait's light at its place too, fading out over about
# GRAIN_FEATHER (fraction of the eye width) around the lid, as the grain does, by a factor within RELIGHT_BOUNDS;
# its light is measured leaving out the lashes and what is left of the eye, from LASH_ZONE[0]
# below to LASH_ZONE[1] above where the lids meet (fractions of the eye width).
RELIGHT_BOUNDS = (0.6, 1.6)
INSIDE_MARGIN = 3.0  # px: the relit skin fades in over this from the painted box's edge
# ... and no higher above where the lids meet than a shut lid reaches: from this share of its
# height (EyeLook.shut_height) up to its top it fades into the light of the skin there.
SHUT_LIGHT_TO = 0.6
# Between a shut lid and the brow no band is darker than the skin on both sides of it
# (_ring_lift): looked for from RING_FROM above where the lids meet (past the lashes' shadow)
# to RING_REACH above the lid's top (fractions of the eye width), on the light smoothed over
# RING_SMOOTHING, on a grid of RING_COLUMNS along the eye and RING_ROWS up.
RING_FROM, RING_REACH = 0.12, 0.6
RING_SMOOTHING = 0.04
RING_COLUMNS, RING_ROWS = 16, 24
RING_ACROSS = 1.0  # the lift's softness across the columns (Gaussian sigma, in columns)
_RING_UPS = np.linspace(0.0, 1.0, RING_ROWS, dtype=np.float32)  # the rows' shares of the way up
# A dip is lifted in full up to RING_LIFT[0] times its light, not at all from RING_LIFT[1] (hair,
# a frame: a feature, not a shadow).
RING_LIFT = (1.5, 1.9)
LASH_ZONE = (0.05, 0.12)
# A shut lid takes the light of the bare skin above it (lid_tone.as_light_as_above) from
# ABOVE_LIGHT_UP[0] up the lid (0 where the lids meet, 1 the crease), fully from ABOVE_LIGHT_UP[1]
# (and fully only in the middle of the eye: ``_toward_middle``): below, toward the lashes, it keeps
# the socket's darker light (MediaPipe reads a shut eye from the dark there: lit down to the lashes
# in a first try, lisa3's and Grace Hopper's eyeBlink fell ~0.05).
ABOVE_LIGHT_UP = (-0.1, 0.45)
# It is lit fully only from TOWARD_MIDDLE of the way along the eye from each corner, and toward them no
# lighter than the skin around it (above and beside it, not below, where the lower lid is), carried
# smoothly across it from where its paint is under PAINTED; that bound fades out toward the middle of
# the eye (gone at CEILING_TOWARD_MIDDLE of the way; there the skin around is the darker corners'
# and the frames': held to it throughout, the lids of lisa3 and london_042 fell to 0.90 of the skin
# above, and Grace Hopper's eyeBlink at AU45 +4 by 0.04-0.05). Lit up to the skin above's
# median nearly to their corners (a square-rooted sine along the eye), london_042's shut lids were
# light ovals in a darker socket, an edge at the outer corner: luminance falling by 0.18-0.20 of the
# skin above's over 0.05 eye widths outward, where a real shut lid on woman_blinks.mp4 falls by at
# most 0.09 (test_lid_edge).
TOWARD_MIDDLE = 0.35
PAINTED = 0.02
CEILING_TOWARD_MIDDLE = 0.5
# The painted box reaches this far above the crease (fraction of the eye width).
SKIN_AROUND = 0.25
MIDDLE_FROM = 0.22  # the cover is full from this far along the eye from each corner (fraction of its width)
# The skin's grain (lid_grain) fades in over this range of lid closure: on the closing lid
# (the warp's stretched lid skin, above its margin: fading in over GRAIN_ABOVE_MARGIN of the eye
# width) and, as it fills in, on the painted lid; it fades out toward GRAIN_REACH (0 = lash
# line, 1 = crease).
GRAIN_START, GRAIN_FULL = 0.1, 0.6
# A closing lid carries no catch-light: up to CATCHLIGHT_REACH (eye widths) above its margin,
# pixels brighter than the skin around them (a median over CATCHLIGHT_SKIN eye widths) by more
# than CATCHLIGHT_LEVELS grey levels take that skin's colour, fading in with the grain.
CATCHLIGHT_REACH = 0.15
CATCHLIGHT_SKIN = 0.12
CATCHLIGHT_LEVELS = 25.0
GRAIN_ABOVE_MARGIN = 0.04
GRAIN_REACH = 1.1
GRAIN_FEATHER = 0.1  # the grain's edge softness, fraction of the eye width
# What runs along a row of the lid's grain strip beyond this share of its grain level is a line
# (lid_grain.grain_strip): repeated up a shut lid, a fainter one still draws a band across it.
GRAIN_LINE_LEVELS = 0.3
# The grain's colour (RGB less luma) is held within this many times the skin's colour-noise level
# per channel: a speck of hair or a wrinkle's shadow kept its own greyer colour on a warm lid
# (Obama's olive-grey smudge); a noisy photo's colour noise stays.
GRAIN_COLOUR_LEVELS = 3.5
# A strip of smooth lid skin is brought all the way to the skin's texture at the grain's own scale
# (lid_grain.grain_strip; the pores' scale on a sharp photo): brought halfway, london_092's shut lids
# had half of his skin's texture there ("smooth grey patches"); a little noisier at the pixel (~1.1x).
GRAIN_SCALE_SHARE = 1.0
# ... and no grainier than GRAIN_BARE_LEVELS times the bare cheek below the eye (from the ring under
# it CHEEK_BAND eye widths down): the skin around the eye it is matched to can be stubbly or
# wrinkled (Obama's, Trump's: twice the cheek's level), and its specks laid up a shut lid read as a
# grainy grey-olive band. Not all the way down to the cheek's: london_092's lid skin, smoother
# than his cheek, fell back to half his skin's texture at the pores' scale (test_lid_texture).
CHEEK_BAND = 0.3
GRAIN_BARE_LEVELS = 1.4


@dataclass(frozen=True)
class EyeLook:
    """Per-eye colours and size, from the portrait."""

    tone: LidTone  # the lid skin's colour, see lid_tone
    light: SocketLight  # the light a closed lid takes where it lies, see lid_tone
    lash_rgb: np.ndarray  # (3,) float32, the darkest colour along the upper lid margin (lashes)
    width: float  # pixels, corner to corner
    grain: np.ndarray  # (rows, cols, 3) float32 the skin's fine detail above the lid margin, see lid_grain
    shut_height: float  # pixels: how far a shut lid reaches above where the lids meet, see _shut_height


@dataclass(frozen=True)
class LidLook:
    eyes: tuple[EyeLook, ...]  # in eye_fields.EYES order
    # 0 (no brows: what MediaPipe outlines as brows is skin or the socket's shadow, the Mona Lisa's)
    # .. 1 (brows plainly there), brow_band.brows_visible: only drawn brows are hair the painter
    # leaves alone.
    brows_seen: float = 1.0


def prepare_lids(image: np.ndarray, face_xy: np.ndarray) -> LidLook:
    """Colours and sizes of both eyes, measured once per portrait."""
    xy = np.asarray(face_xy, np.float64)[:, :2]
    gray = image.astype(np.float32) @ LUMA
    eyes = []
    for (lids, creases, (outer, inner)), under, brow, brow_lower in zip(EYES, UNDER_EYE, BROWS, BROW_LOWER_SIDES):
        width = float(np.linalg.norm(xy[outer] - xy[inner]))
        upper = _upper_lid(xy, lids, outer, inner)
        rings = [upper] + [_crease(xy, creases, outer, inner, ring) for ring in (0, 1)]
        margin = np.zeros(image.shape[:2], np.uint8)
        cv2.polylines(margin, [np.round(upper * 16).astype(np.int32)], False, 1,
                      thickness=max(2, int(round(0.1 * width))), lineType=cv2.LINE_8, shift=4)
        lower = xy[[outer] + [lower for _, lower in lids] + [inner]]
        below = polygon_mask(image.shape[:2], np.vstack([lower, xy[list(under)][::-1]]))
        # The grain level to match: the skin around the eye, below the lower lid and the brow
        # bone (between the crease rings).
        bone = polygon_mask(image.shape[:2], np.vstack([rings[1], rings[2][::-1]]))
        # No shut lid turns pinker than the bare skin above it, from the crease up to the brow.
        above = polygon_mask(image.shape[:2], np.vstack([rings[1], xy[list(brow_lower)][::-1]]))
        above &= ~(brow_mask(image.shape[:2], xy[list(brow)], width) > 0.0)
        tone = measure_tone(image, gray, upper, rings[1:], below, above)
        light = measure_socket_light(image, np.vstack([upper, lower[-2:0:-1]]), np.vstack([rings[2], lower]), width,
                                     tone.lid_rgb, brow=xy[list(brow)], upper=upper)
        # The painter only uses the above-over-light factor within the relighting's bounds: held to
        # them here, once, not on every frame's crop (the same values).
        bounded = np.clip(light.above_over_light, *RELIGHT_BOUNDS)
        bounded.flags.writeable = False
        light = replace(light, above_over_light=bounded)
        eyes.append(EyeLook(tone=tone, light=light, lash_rgb=_dark_rgb(image, gray, margin > 0), width=width,
                            grain=grain_strip(image, upper, rings[2], width, (below, bone),
                                              line_levels=GRAIN_LINE_LEVELS, colour_levels=GRAIN_COLOUR_LEVELS,
                                              scale_share=GRAIN_SCALE_SHARE,
                                              bare=_cheek(image.shape[:2], xy, under, lower, upper, width),
                                              bare_levels=GRAIN_BARE_LEVELS),
                            shut_height=_shut_height(upper, lower, rings[1])))
    return LidLook(tuple(eyes), brows_seen=brows_visible(image, face_xy))


def _cheek(shape: tuple[int, int], xy: np.ndarray, under: tuple[int, ...], lower: np.ndarray, upper: np.ndarray,
           width: float) -> np.ndarray:
    """(h, w) bool: bare skin below the eye, from the ring under it (eyeLower3) CHEEK_BAND eye
    widths down, away from the eye: no lashes, no brow hair, no lid fold."""
    ring = xy[list(under)]
    down = np.array([-(upper[-1] - upper[0])[1], (upper[-1] - upper[0])[0]], np.float64)
    down /= max(np.linalg.norm(down), 1e-6)
    if float((lower.mean(axis=0) - upper.mean(axis=0)) @ down) < 0:
        down = -down
    return polygon_mask(shape, np.vstack([ring, (ring + CHEEK_BAND * width * down)[::-1]])) > 0


class LidPainter:
    """Paints closed lids into a rendered frame, in place."""

    def __init__(self, look: LidLook):
        self.look = look

    def paint(self, frame: np.ndarray, moved_xy: np.ndarray, closures: tuple[float, ...]) -> None:
        """``closures``: each eye's lid closure, in ``EYES`` order (a wink shuts one)."""
        xy = np.asarray(moved_xy, np.float32)[:, :2]
        for (lids, creases, (outer, inner)), eye, brow, closure in zip(EYES, self.look.eyes, BROWS, closures):
            # Python floats: numpy's 0-d float64 would turn every weight they scale into float64.
            fill = float(smoothstep(FILL_START, FILL_FULL, closure))
            lash = float(smoothstep(LASH_START, LASH_FULL, closure))
            grain = float(smoothstep(GRAIN_START, GRAIN_FULL, closure))
            if fill <= 0.0 and lash <= 0.0 and grain <= 0.0:
                continue
            shut = float(smoothstep(*BELOW_FROM, closure))
            _paint_eye(frame, _upper_lid(xy, lids, outer, inner), _crease(xy, creases, outer, inner),
                       xy[list(brow)], eye, fill, lash, grain, shut, self.look.brows_seen,
                       soft=float(smoothstep(*LASH_SOFT_FROM, closure)))


def _paint_eye(frame: np.ndarray, meet: np.ndarray, crease: np.ndarray, brow: np.ndarray, eye: EyeLook,
               fill: float, lash: float, grain: float, shut: float, brows_seen: float = 1.0, soft: float = 0.0) -> None:
    """One eye: ``meet`` is the displaced upper-lid margin (outer corner .. inner corner),
    ``crease`` the displaced crease ring above it, with the same corners; ``brow`` the moved
    brow's outline (``BROWS``), hair as far as ``brows_seen`` (``LidLook``); ``shut``: how far the
    lids have come to meet (0..1, ``BELOW_FROM``): the lid and its lashes reach below the margin so far."""
    thickness = max(LASH_THICKNESS * eye.width, 1.2)  # sizes the box's margin
    # Eye-aligned coordinates: s along the corners' axis, n toward the crease ("up").
    origin = meet[0]
    axis = meet[-1] - origin
    length = float(np.linalg.norm(axis))
    if length < 2.0:
        return
    axis /= length
    normal = np.array([-axis[1], axis[0]], np.float32)
    if float((crease.mean(axis=0) - meet.mean(axis=0)) @ normal) < 0:
        normal = -normal
    # A shut lid is no taller than the open eye's lid and the skin that unfolds from it: the
    # crease a raised brow lifts higher still is not the lid's edge, and the warped skin between
    # them, with its own texture, shows (no tall flat lid from brow to lash line).
    arc = _parabola((meet - origin) @ axis, (meet - origin) @ normal)
    crease_s, crease_n = (crease - origin) @ axis, (crease - origin) @ normal
    crease_n = np.minimum(crease_n, np.polyval(arc, crease_s) + eye.shut_height)
    # The lid reaches a little past the corners, so the open eye's dark corners go too.
    reach = max(CORNER_REACH * eye.width, MIN_PX)
    crease_s = np.concatenate([crease_s[:1] - reach, crease_s, crease_s[-1:] + reach]).astype(np.float32)
    crease_n = np.concatenate([crease_n[:1], crease_n, crease_n[-1:]]).astype(np.float32)
    crease = (origin + crease_s[:, None] * axis + crease_n[:, None] * normal).astype(np.float32)
    pad = 1.5 * thickness + 0.1 * eye.width + 2.0
    pts = np.vstack([meet - reach * axis, meet + reach * axis, crease + SKIN_AROUND * eye.width * normal])
    h, w = frame.shape[:2]
    x0 = max(int(np.floor(pts[:, 0].min() - pad)), 0)
    y0 = max(int(np.floor(pts[:, 1].min() - pad)), 0)
    x1 = min(int(np.ceil(pts[:, 0].max() + pad)) + 1, w)
    y1 = min(int(np.ceil(pts[:, 1].max() + pad)) + 1, h)
    if x1 - x0 < 3 or y1 - y0 < 3:
        return
    # A row and a column of pixel coordinates, broadcast: the same values as full grids, half the work.
    xs = np.arange(x0, x1, dtype=np.float32)[None, :] - origin[0]
    ys = np.arange(y0, y1, dtype=np.float32)[:, None] - origin[1]
    s = xs * axis[0] + ys * axis[1]
    n = xs * normal[0] + ys * normal[1]
    # The lids meet along a smooth arc (``arc`` above): a parabola through the displaced margin
    # points (the points themselves zigzag by a pixel or two, which a crisp lash line would show).
    meet_at = _arc_at(arc, s)
    crease_at = np.interp(s, *increasing(crease_s, crease_n)).astype(np.float32)
    patch = frame[y0:y1, x0:x1].astype(np.float32)
    geometry = _EyeGeometry(origin, axis, normal, length, arc, reach, (x0, y0), s, n, meet_at, n - meet_at,
                            crease_s, crease_n, crease_at, thickness)
    if grain > 0.0:
        _no_catchlight_on_the_lid(patch, geometry, eye, grain)
    if fill > 0.0 or grain > 0.0:
        _paint_lid(patch, geometry, brow, eye, fill, grain, shut, brows_seen)
    if lash > 0.0:
        _paint_lashes(patch, geometry, eye, lash, shut, soft)
    frame[y0:y1, x0:x1] = np.clip(patch + 0.5, 0, 255).astype(np.uint8)


@dataclass(frozen=True)
class _EyeGeometry:
    """One eye in the painted box: eye-aligned coordinates (s along the corners' axis, n toward
    the crease) of every pixel, and the meeting arc and crease above each."""

    origin: np.ndarray  # outer corner
    axis: np.ndarray  # unit vector, outer -> inner corner
    normal: np.ndarray  # unit vector toward the crease
    length: float  # corner to corner, pixels
    arc: np.ndarray  # (3,) parabola n(s) where the lids meet
    reach: float  # how far the lid reaches past the corners, pixels
    corner: tuple[int, int]  # x0, y0 of the box
    s: np.ndarray  # (h, w)
    n: np.ndarray
    meet_at: np.ndarray  # (h, w) the arc's n at each pixel's s
    above_meet: np.ndarray  # (h, w) n - meet_at: how far each pixel lies above where the lids meet
    crease_s: np.ndarray  # (K,) the crease, outer -> inner corner, reaching past both (eye-aligned, as s and n)
    crease_n: np.ndarray
    crease_at: np.ndarray  # (h, w) the crease's n at each pixel's s
    lash_thickness: float  # the lash line at its thickest, pixels

    def arc_at(self, s):
        return _arc_at(self.arc, s)

    def point(self, s, n):
        return self.origin + np.asarray(s)[:, None] * self.axis + np.asarray(n)[:, None] * self.normal


def _parabola(s: np.ndarray, n: np.ndarray) -> np.ndarray:
    """(3,) float32 the least-squares parabola n(s) (``np.polyfit``'s coefficients, highest power
    first) through a lid margin's few points: its 3x3 normal equations solved in float64 by
    Cramer's rule (np.polyfit's SVD and checks, or a BLAS matrix product, cost several times as
    much for nine points); in float32 the same coefficients."""
    s, n = np.asarray(s, np.float64), np.asarray(n, np.float64)
    s2 = s * s
    a, b, c = float(s2 @ s2), float(s2 @ s), float(s2.sum())
    d, e, f = float(s @ s), float(s.sum()), float(len(s))
    y0, y1, y2 = float(s2 @ n), float(s @ n), float(n.sum())
    # The symmetric matrix [[a, b, c], [b, d, e], [c, e, f]]: its cofactors, then x = adj(M) y / det.
    m00, m01, m02 = d * f - e * e, c * e - b * f, b * e - c * d
    m11, m12, m22 = a * f - c * c, b * c - a * e, a * d - b * b
    det = a * m00 + b * m01 + c * m02
    return np.array([(m00 * y0 + m01 * y1 + m02 * y2) / det, (m01 * y0 + m11 * y1 + m12 * y2) / det,
                     (m02 * y0 + m12 * y1 + m22 * y2) / det], np.float32)


def _arc_at(arc: np.ndarray, s):
    """n of the parabola ``arc`` (``np.polyfit``'s coefficients) at ``s``."""
    return (arc[0] * s + arc[1]) * s + arc[2]


def _paint_lid(patch: np.ndarray, g: _EyeGeometry, brow: np.ndarray, eye: EyeLook, fill: float, grain: float,
               shut: float, brows_seen: float = 1.0) -> None:
    """The lid: from ``shut`` x ``LID_BELOW`` under the meeting arc (hiding the squashed eye there) up over the
    displaced crease, soft-edged, fading into the skin above it; its tone from that skin
    (lid_tone), with the skin's grain, which a closing lid (the warp's stretched lid skin above
    its margin) gets too."""
    edge = np.linspace(-g.reach, g.length + g.reach, 24, dtype=np.float32)
    softness = max(0.05 * eye.width, 0.8)
    # A lid on its way down ends at its margin with its softened edge above it, not across it.
    bottom = g.point(edge, g.arc_at(edge) - shut * LID_BELOW * eye.width + (1.0 - shut) * softness)
    # Near the corners the crease runs into the lid margin; keep the lid some height there so
    # the lashes the warp carried down into the corners are covered too.
    crease_s = g.crease_s
    top_n = np.maximum(g.crease_n, g.arc_at(crease_s) + MIN_LID_HEIGHT * eye.width)
    cover = max(COVER_ABOVE * eye.width, MIN_PX)
    top = g.point(crease_s, top_n + cover * _toward_middle(crease_s, g.length, MIDDLE_FROM))
    outline = polygon_mask(patch.shape[:2], np.vstack([top, bottom[::-1]]) - g.corner, antialiased=True)
    lid = cv2.GaussianBlur(outline, (0, 0), softness)
    # 0 at the meeting arc, 1 at the crease (which meets the lid at the corners: keep a height).
    height = np.maximum(g.crease_at - g.meet_at, 0.3 * eye.width)
    v = g.above_meet / height
    # In the middle of the eye it is painted fully up to the crease, fading out above it; toward
    # the corners it fades out below the crease instead, into the warped skin.
    middle = _toward_middle(g.s, g.length, MIDDLE_FROM)
    lid *= smoothstep(1.0 + middle * cover / height, 0.55 + 0.45 * middle, v)
    painted = lid > PAINTED
    lid *= fill
    # The grain reaches up to the crease (the warp's stretched lid skin, into which the paint
    # fades, has lost its own) and, on a closing lid, covers the lid above its margin.
    above_margin = smoothstep(0.0, GRAIN_ABOVE_MARGIN * eye.width, g.above_meet)
    feathered = cv2.GaussianBlur(outline, (0, 0), max(GRAIN_FEATHER * eye.width, 0.8))
    grain_weight = feathered * (np.maximum(fill, grain * above_margin) * smoothstep(GRAIN_REACH, GRAIN_REACH - 0.3, v))
    # Wherever the paint wiped out the warped skin's texture, the grain puts it back in full
    # (smooth paint without it is a pasted pad: lisa3's shut lids), up to a little past its reach.
    grain_weight = np.maximum(grain_weight, lid * smoothstep(GRAIN_REACH + 0.2, GRAIN_REACH - 0.1, v))
    shade = lid_shading(g.s, v, g.length)
    if fill > 0.0:
        # A shut eye keeps the light of the place it is in (lid_tone): the lid takes the
        # portrait's light there, and so does the skin the warp dragged in around it (lighter
        # brow-bone skin pulled down into a socket shadow), its texture kept.
        box = (g.corner[0], g.corner[1], g.corner[0] + patch.shape[1], g.corner[1] + patch.shape[0])
        # ... raised to the light of the bare skin above the lid (lid_tone.ABOVE_LIFT): a shut lid
        # unfolds out of the socket's shadow. Not at the corners: the open eye's socket shadow stays
        # there (lit to its ends, london_042's lid was a lit oval in a dark ring). And no lighter
        # than the skin around it, so its outline does not show (TOWARD_MIDDLE, PAINTED).
        above_meet = g.above_meet
        lashes = (above_meet >= -LASH_ZONE[0] * eye.width) & (above_meet <= LASH_ZONE[1] * eye.width)
        # A brow is hair only where the portrait draws one: on a browless face (the Mona Lisa) the
        # strip MediaPipe calls a brow is the socket's sfumato shadow, and left out of the relit skin
        # and of the dips filled between lid and brow (_ring_lift), it stayed a dark band round the
        # shut lid ("goggles", review 19): the lid's outline.
        if brows_seen > 0.0:
            drawn_brow = brow_mask(patch.shape[:2], brow - g.corner, eye.width) * np.float32(brows_seen)
        else:
            drawn_brow = np.zeros(patch.shape[:2], np.float32)
        brow_hair = drawn_brow > 0.0
        lines = skin_lines(patch, eye.width)  # one patch, filled across two holes
        rendered = socket_fill(patch, lashes | brow_hair, eye.width, eye.tone.lid_rgb, lines)
        lifted = smoothstep(*ABOVE_LIGHT_UP, v) * _toward_middle(g.s, g.length)
        under = (above_meet < LASH_ZONE[1] * eye.width) & (g.s > -g.reach) & (g.s < g.length + g.reach)
        around_lid = lightness_around(patch, painted | under | brow_hair, eye.width, eye.tone.lid_rgb, lines)
        ceiling = around_lid + _toward_middle(g.s, g.length, CEILING_TOWARD_MIDDLE) * np.maximum(
            eye.tone.skin_lab[0] - around_lid, 0.0)
        around = feathered  # the relit skin fades out as the grain does
        near = fill * smoothstep(0.0, 0.5, around)
        inside = _inside(near.shape)
        # (a width of at least 0.01 eye widths: smoothstep over none is undefined)
        near *= smoothstep(-max(shut * LID_BELOW, 0.01) * eye.width, 0.0, above_meet) * inside * (1.0 - drawn_brow)
        # ... but no farther above the lids than a shut lid reaches: the skin a raised brow lifts
        # over the socket keeps its own light (relit to the socket's, it was a grey-brown band
        # from the lid up to the brow: "eyeshadow").
        # The lid's own top takes the light of the skin it unfolds from, so its edge does not show.
        near *= smoothstep(eye.shut_height + cover, SHUT_LIGHT_TO * eye.shut_height, above_meet)
        near_rgb = in_channels(near)
        # Worked out only on the rows the relit skin and the lid reach: elsewhere the skin keeps its
        # light (a factor of 1), the lid's colour is not shown (the Lab conversions go row by row:
        # the same values either way).
        reached = _row_span((lid > 0.0) | (near > 0.0))
        if reached.stop > reached.start:
            light = as_light_as_above(eye.light.at(box)[reached], eye.tone, lifted[reached], ceiling[reached],
                                      lab=eye.light.lab_at(box)[reached])
            patch[reached] *= 1.0 + near_rgb[reached] * (
                np.clip(light / np.maximum(rendered[reached], 1.0), *RELIGHT_BOUNDS) - 1.0)
        # The lid is the upper lid's skin carried down over the eye (SocketLight.above_over_light), by
        # no more than the relighting's bounds; and between it and the brow no band is darker
        # than the lid and the skin above it (a ring: its outline).
        from_above = eye.light.above_over_light_at(box)  # held to RELIGHT_BOUNDS in prepare_lids
        # The lid's own colour takes the light in full, not the relit skin's bounded factor: a dark
        # remnant of the open eye (its crease, its iris) left in the warped skin's light kept its
        # own saturated colour, scaled up by the bound (the astronaut's orange speck).
        colour = patch.copy()  # where the lid is not painted, what is there
        lid_rows = _row_span(lid > 0.0)  # within ``reached``
        if lid_rows.stop > lid_rows.start:
            relit = rendered[lid_rows] + near_rgb[lid_rows] * (
                light[lid_rows.start - reached.start:lid_rows.stop - reached.start] - rendered[lid_rows])
            # The lid's light and its hue bound in one Lab conversion (as_light_as_above hands its L*a*b* on).
            lit, lit_lab = as_light_as_above(relit * from_above[lid_rows], eye.tone, lifted[lid_rows], ceiling[lid_rows],
                                             with_lab=True)
            colour[lid_rows] = lid_color(lit, eye.tone, shade[lid_rows], v[lid_rows], skin_lab=lit_lab)
        lid_rgb = in_channels(lid)
        lift = _ring_lift(patch, g, lid_rgb, colour, crease_s, top_n, eye.width)
        lift *= in_channels(fill * inside * smoothstep(1.0, 0.5, drawn_brow))  # not the brow's hair itself
        patch += lift
        colour += lift
        patch += lid_rgb * (colour - patch)
    # Grain: the portrait's own skin above the lid at its own scale (not the warp's stretched
    # copy), rows counted up from the lid's lower edge, moving with the lid as it closes.
    # Only on the rows it reaches.
    grained = _row_span(grain_weight > 0.0)
    if grained.stop > grained.start:
        rows = (g.above_meet[grained] + LID_BELOW * eye.width).astype(np.float32, copy=False)
        cols = (g.s[grained] * (eye.grain.shape[1] - 1) / max(g.length, 1.0)).astype(np.float32, copy=False)
        patch[grained] += in_channels(grain_weight[grained] * shade[grained]) * grain_at(eye.grain, cols, rows)


def _no_catchlight_on_the_lid(patch: np.ndarray, g: _EyeGeometry, eye: EyeLook, strength: float) -> None:
    """In place: on the closing lid, from its margin up to CATCHLIGHT_REACH, what stands out
    brighter than the skin around it by more than CATCHLIGHT_LEVELS is brought down to that skin:
    a catch-light right under the open lid's margin rides down on the lid as a white speck
    (the landmarks' margin runs through its top: London 092, the astronaut)."""
    band = (g.above_meet > -1.0) & (g.above_meet < CATCHLIGHT_REACH * eye.width) & (g.s > 0.0) & (g.s < g.length)
    rows = _row_span(band)
    if rows.stop <= rows.start:
        return
    part = patch[rows]
    size = max(3, int(CATCHLIGHT_SKIN * eye.width) | 1)  # odd, wider than a speck
    skin = cv2.medianBlur(np.clip(part + 0.5, 0, 255).astype(np.uint8), size).astype(np.float32)
    excess = (part - skin) @ LUMA
    weight = strength * band[rows] * smoothstep(0.5 * CATCHLIGHT_LEVELS, CATCHLIGHT_LEVELS, excess)
    # ... and its soft rim with it.
    weight = cv2.dilate(weight.astype(np.float32), np.ones((3, 3), np.uint8))
    part += in_channels(weight) * (skin - part)


def _row_span(mask: np.ndarray) -> slice:
    """The rows from the first to the last that ``mask`` (h, w) sets anywhere (empty if none)."""
    rows = np.flatnonzero(mask.any(axis=1))
    return slice(int(rows[0]), int(rows[-1]) + 1) if len(rows) else slice(0, 0)


def _ring_lift(patch: np.ndarray, g: _EyeGeometry, lid_rgb: np.ndarray, colour: np.ndarray,
               top_s: np.ndarray, top_n: np.ndarray, width: float) -> np.ndarray:
    """(h, w, 3) the light that lifts every dip between the lashes and the brow: a shut lid's
    skin runs on up to the brow bone (the fold whose shadow the warp leaves around it is gone),
    and a dark band round a lit lid reads as its outline (a pillow, a sticker). Up each column,
    from above the lashes' shadow to RING_REACH above the lid's top (``top_s``, ``top_n``), what
    will show (``colour`` where ``lid_rgb`` paints it, the skin elsewhere), smoothed, is raised to the
    lower of the brightest light below and above it there (a valley filled: what is no dip keeps
    its light, nothing is darkened)."""
    along = np.linspace(-g.reach, g.length + g.reach, RING_COLUMNS, dtype=np.float32)
    ups = _RING_UPS
    top_s, top_n = increasing(top_s, top_n)
    start = g.arc_at(along) + RING_FROM * width
    stop = np.interp(along, top_s, top_n) + RING_REACH * width
    heights = start[:, None] + ups[None, :] * (stop - start)[:, None]
    at = g.point(np.repeat(along, len(ups)), heights.ravel()) - g.corner
    grid_x = at[:, 0].reshape(len(along), len(ups)).astype(np.float32)
    grid_y = at[:, 1].reshape(len(along), len(ups)).astype(np.float32)
    shown = cv2.GaussianBlur(patch + lid_rgb * (colour - patch), (0, 0), max(RING_SMOOTHING * width, 0.8))
    rgb = cv2.remap(shown, grid_x, grid_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    # Neighbouring columns lifted by much and by nothing drew the lifted band's end as an edge.
    lift = cv2.GaussianBlur(_valley_lift(rgb), (1, 0), sigmaX=0.01, sigmaY=RING_ACROSS)
    # Back onto the pixels: column by s, row by the share of the way from start to stop.
    column = (g.s + g.reach) / (g.length + 2.0 * g.reach) * (len(along) - 1)
    pixel_start = g.meet_at + RING_FROM * width
    row = (g.n - pixel_start) / np.maximum(np.interp(g.s, top_s, top_n).astype(np.float32) + RING_REACH * width
                                           - pixel_start, 1.0)
    return cv2.remap(lift.transpose(1, 0, 2).copy(), column.astype(np.float32),
                     (row * (len(ups) - 1)).astype(np.float32), cv2.INTER_LINEAR,
                     borderMode=cv2.BORDER_CONSTANT, borderValue=0.0)


def _valley_lift(rgb: np.ndarray) -> np.ndarray:
    """(K, M, 3) the light that fills every valley along each of K profiles of ``rgb`` (K, M, 3),
    each running from the lid outward: raised to the lower of the brightest light before and
    after it on the profile, in that light's colour (a dark brown shadow scaled up turns
    orange), fully up to RING_LIFT[0] times its light, not at all from RING_LIFT[1]. A profile
    ends at the first feature far darker than the light before it (hair: a brow, the lashes a
    raised brow leaves in its place; a frame): that is no shadow, and what lies beyond it is not
    the skin around the lid. A bare brow (a painting's) is skin, and the profile runs on."""
    profile = rgb @ LUMA
    steps = np.arange(profile.shape[1])[None, :]
    brightest = np.maximum.accumulate(profile, axis=1)
    ended = np.maximum.accumulate(profile * RING_LIFT[1] < brightest, axis=1)
    before = np.maximum.accumulate(np.where(profile >= brightest, steps, 0), axis=1)
    flipped = np.where(ended, 0.0, profile)[:, ::-1]
    after = np.maximum.accumulate(np.where(flipped >= np.maximum.accumulate(flipped, axis=1), steps, 0), axis=1)
    after = profile.shape[1] - 1 - after[:, ::-1]
    rows = np.arange(profile.shape[0])[:, None]
    peak = np.where(profile[rows, before] <= profile[rows, after], before, after)
    ratio = profile[rows, peak] / np.maximum(profile, 1.0)
    share = smoothstep(RING_LIFT[1], RING_LIFT[0], ratio) * ~ended
    return ((rgb[rows, peak] - rgb) * share[..., None]).astype(np.float32, copy=False)


@functools.lru_cache(maxsize=256)  # box sizes recur frame after frame (a few hundred, ~20 kB each); callers only read it
def _inside(shape: tuple[int, ...]) -> np.ndarray:
    """(h, w) 0 at the box's edge, 1 from ``INSIDE_MARGIN`` pixels in: the relit skin ends inside
    the painted box, never in a step at its edge."""
    # The ramp of the nearer edge: the lower of a row's and a column's ramp (smoothstep never
    # falls, so the same values as the ramp of the lower distance), one (h, w) operation.
    ys, xs = np.ogrid[:shape[0], :shape[1]]
    rows = smoothstep(0.0, INSIDE_MARGIN, np.minimum(ys, shape[0] - 1 - ys).astype(np.float32))
    cols = smoothstep(0.0, INSIDE_MARGIN, np.minimum(xs, shape[1] - 1 - xs).astype(np.float32))
    ramp = np.minimum(rows, cols)
    ramp.flags.writeable = False  # cached and shared
    return ramp


def _toward_middle(s: np.ndarray, length: float, full: float = TOWARD_MIDDLE) -> np.ndarray:
    """0 at and beyond the eye's corners, rising smoothly to 1 from ``full`` of the way along it
    from each, at ``s`` along it (pixels)."""
    t = np.asarray(s, np.float32) / max(length, 1.0)
    return (smoothstep(0.0, full, t) * smoothstep(1.0, 1.0 - full, t)).astype(np.float32, copy=False)


def _paint_lashes(patch: np.ndarray, g: _EyeGeometry, eye: EyeLook, lash: float, shut: float, soft: float = 0.0) -> None:
    """The lash line along the meeting arc: thickest a little toward the outer corner, tapering
    and fading at both corners; darkest at the lid margin, a crisp edge above it (softer and less
    dark as far as ``soft`` says: a fully shut lid), lashes fading out below, over the eye that is
    still open under it as far as ``shut`` (0..1) says (``LASHES_BELOW``)."""
    thickness = g.lash_thickness
    t = g.s / g.length  # 0 outer corner .. 1 inner corner
    taper = smoothstep(-0.03, 0.15, t) * smoothstep(1.03, 0.85, t)
    profile = thickness * (0.35 + 0.65 * np.sin(np.pi * np.clip(t, 0.0, 1.0) ** 0.85)) * taper
    d = g.above_meet
    below = np.float32(_between(LASHES_BELOW, shut))
    above = np.float32(_between(LASH_EDGE_ABOVE, soft))
    spread = np.maximum(np.where(d > 0, above, below) * profile, 0.3)
    # Fading out toward the corners as it thins: at full darkness to its last pixel, the line ended
    # in a dark dot at each corner (the astronaut's, Grace Hopper's; a fresh blind review).
    line = np.exp(-0.5 * (d / spread) ** 2) * (profile > 0.05 * thickness) * np.sqrt(taper)
    opacity = _between(LASH_OPACITY, soft)
    line = (lash * opacity * line).astype(np.float32, copy=False)
    patch += in_channels(line) * (eye.lash_rgb - patch)


def _between(ends: tuple[float, float], share: float) -> float:
    """The value ``share`` (0..1) of the way from ``ends[0]`` to ``ends[1]``."""
    return ends[0] + (ends[1] - ends[0]) * share


def _shut_height(upper: np.ndarray, lower: np.ndarray, crease: np.ndarray) -> float:
    """How far a shut lid reaches above where the lids meet, in the portrait: the open eye's
    opening (upper to lower lid margin, in its middle) plus its lid up to the crease (the skin
    that unfolds as it shuts), both at their tallest across the eye's middle third; ``upper``
    and ``crease`` run outer -> inner corner with the same corners, ``lower`` too."""
    axis = upper[-1] - upper[0]
    axis = axis / max(float(np.linalg.norm(axis)), 1e-6)
    normal = np.array([-axis[1], axis[0]])
    span = np.linspace(1 / 3, 2 / 3, 7)

    def heights(line: np.ndarray) -> np.ndarray:
        s, n = (line - upper[0]) @ axis, (line - upper[0]) @ normal
        return np.interp(span * s[-1], *increasing(s, n))

    rise = np.abs(heights(crease) - heights(upper)) + np.abs(heights(upper) - heights(lower))
    return float(rise.max())


def _upper_lid(xy: np.ndarray, lids, outer: int, inner: int) -> np.ndarray:
    return xy[[outer] + [upper for upper, _ in lids] + [inner]]


def _crease(xy: np.ndarray, creases, outer: int, inner: int, ring: int = 0) -> np.ndarray:
    return xy[[outer] + list(creases[ring]) + [inner]]


def _dark_rgb(image: np.ndarray, gray: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Median colour of the darkest tenth of the masked pixels (the lashes)."""
    if mask.sum() < 4:
        return np.zeros(3, np.float32)
    g = gray[mask]
    dark = g <= np.percentile(g, 10)
    return np.median(image[mask][dark].astype(np.float32), axis=0)


