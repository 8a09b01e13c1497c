"""The tone of a painted closed lid (warp engine): its colour and shading, not its grain.

A shut eye keeps the light of the place it is in: where the open eye sat in a socket shadow,
the closed lid is in that shadow too, and its edge toward the skin around it does not show.
The warp cannot give it that light: it drags the lid and the lit brow-bone skin above it down
into the socket. So the light is measured on the portrait, per place (``SocketLight``): its
skin around the open eye carried smoothly across the eye and its lashes (a membrane fill,
``socket_fill``: each pixel takes the skin nearest it on every side, the upper-lid skin above
and the lower lid below, blended by distance). Lines and spots in that skin (lashes, the
crease, brows, glasses frames, highlights) are not the skin's light and are left out. The lid
painter relights the warped skin around the lid to it, and paints the lid in the same light
filled from the skin above the eye only (``SocketLight.above_over_light``): a shut lid is the upper
lid's skin carried down. Up the lid, where that light is darker than the bare skin above it (crease
to brow), it is raised to that skin's and takes its colour (``as_light_as_above``): a real shut lid
is as light as that skin, out of the socket's shadow. Up the lid that light is no pinker than the bare skin above it
(``LidTone.skin_hue``): the skin nearest the open eye is its thin, pink lid skin.

On top of it, small touches of the lid's own shape: the eyeball's roundness (darker toward the
corners, a little light in the middle), the lashes' shadow right above them (warm, as skin's
shadows are), and toward the lash line the portrait's open lid's hue (thinner, pinker skin).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from ...colour import lab_to_rgb, rgb_to_lab
from .channels import in_channels, plane_times_colour
from .direction import axes_toward
from ...easing import smoothstep
from .raster import polygon_mask

# Skin darker or brighter than this fraction of itself with its lines and spots narrower than
# LINE_SCALE of the eye width (at least LINE_SCALE_PX) taken out (lashes, the crease, frames,
# highlights) is a line or a spot, not the skin's light.
LINE_DARKER, LINE_BRIGHTER = 0.9, 1.1
LINE_SCALE, LINE_SCALE_PX = 0.04, 2
# The open eye's lashes and lid margins reach this far out of its outline (fraction of its
# width, and at least LASH_REACH_PX: lashes are a few pixels thick on a small face too, and the
# crease's line right above them, within 2 px of the astronaut's 19 px wide eyes, was taken for
# the light above the eye).
LASH_REACH, LASH_REACH_PX = 0.08, 3
# A brow's soft edge beyond its landmarks (fraction of the eye width): left out of the light too
BROW_EDGE = 0.05
# ... but only what is darker than this fraction of the skin around the eye is hair there: the
# soft edge covers skin too (the bright skin below a small face's brow, the Mona Lisa's bare brow
# bone); left out, the light above the eye came from the crease's line (with it, the astronaut's
# shut lids were ~25 grey levels darker than the skin above them: brown-ringed) or the open eye's
# lit lid alone (the Mona Lisa's pale mound). Within the landmarks' outline all is hair (grey
# and white brows are no darker than the skin).
BROW_HAIR = 0.7
# The fill is smoothed over this fraction of the eye width (the skin's grain is laid on
# separately, lid_grain).
SMOOTHING = 0.06
# Toward the lash line the lid takes the hue of the portrait's open lid relative to its brow
# bone (per RGB channel, brightness kept; within these bounds), coming in over these heights
# (0 where the lids meet, 1 the crease).
HUE_BOUNDS = (0.96, 1.04)
HUE_FROM, HUE_FULL = 0.8, 0.1
# No lid is pinker than the bare skin above it (the brow bone up to the brow, its brow left out;
# CIE hue, lightness and chroma kept): the light near the open eye is its thin skin and its
# shadows, pinker (london_092's lids read grey-mauve). Measured on at least SKIN_HUE_PIXELS;
# from SKIN_HUE_FROM[0] up the lid (0 where the lids meet, 1 the crease), fully from
# SKIN_HUE_FROM[1]: below, toward the lashes, the lid keeps its light's own hue (thin skin, warm
# shadows; MediaPipe reads a shut eye partly from there: turned there too, its eyeBlink fell
# ~0.01 on Obama, Grace Hopper and Trump).
SKIN_HUE_PIXELS = 20
MIN_SKIN_CHROMA = 3.0  # CIE a*, b*: a skin less coloured than this is grey, its hue left alone
SKIN_HUE_FROM = (0.35, 0.65)
# A shut lid is as light as the bare skin above it, not as dark as the socket the open eye sat in:
# on the shared driver woman_blinks.mp4 (10 blinks, both eyes, regions from the open frame's
# MediaPipe landmarks) the shut lid's mean luminance is 0.96-1.05 (median 1.00) of the skin from 0.3
# eye widths above the open eye's lid margin up to the brow, while the open eye's socket skin is
# 0.86-0.97 of it: the lid unfolds out of the socket's shadow and faces the light as the brow bone
# does. Left at the socket's light, lisa3's shut lid (a deep socket: 0.66 of the skin above) was a
# dark oval with a light band between it and the brow ("a sticker"). Its lightness is raised to that
# skin's by at most ABOVE_LIFT (CIE L*), and where it is raised it takes that skin's colour too
# (raised with its own a*, b*, Grace Hopper's dark red lid skin turned a bright orange). Where the
# skin above is no lighter (the Mona Lisa's darker, redder brow shading) nothing changes: given its
# a*, b* her golden lids went grey-mauve. The turn comes in over ABOVE_DARKER (L*) of darkness.
ABOVE_LIFT = 20.0
ABOVE_DARKER = 3.0
# The lashes' shadow right above them, fraction of the brightness, over this lid height.
LASH_SHADOW, LASH_SHADOW_REACH = 0.4, 0.55
# The eyeball's roundness: darker toward the corners (by these fractions at the outer and inner
# corner) and a soft light in the middle of the lid, fractions of the brightness.
CORNER_SHADE = (0.06, 0.12)
BULGE_LIGHT = 0.03
# Skin's shadows are warmer than its light (light scattered under it comes out red): the shading
# darkens red, green and blue by these shares of it (a yellow skin darkened evenly turns olive:
# the Mona Lisa's "greenish" lids) on a skin whose blue falls WARM_SKIN short of its red, less
# on a greyer one (a grey portrait's shadows stay grey).
SHADE_WARMTH = np.array([0.75, 1.0, 1.15], np.float32)
WARM_SKIN = 0.3
LUMA = np.array([0.299, 0.587, 0.114], np.float32)


@dataclass(frozen=True)
class LidTone:
    """One eye's lid skin, measured on the portrait."""

    lid_rgb: np.ndarray  # (3,) float32 median skin around the eye (where the rendered skin has none)
    lash_hue: np.ndarray  # (3,) float32 the open lid's colour relative to the brow bone's, brightness 1
    skin_hue: np.ndarray  # (2,) float32 the bare skin's hue above the lid (up to the brow): unit CIE a*, b* (0: grey)
    skin_lab: np.ndarray  # (3,) float32 the bare skin's colour above the lid (up to the brow), CIE L*a*b*


def measure_tone(image: np.ndarray, gray: np.ndarray, upper: np.ndarray, rings: list[np.ndarray],
                 below: np.ndarray, above: np.ndarray) -> LidTone:
    """``upper``: the upper-lid margin; ``rings``: the crease rings above it (lower, upper), all
    outer -> inner corner; ``below``: mask of the skin below the eye; ``above``: mask of the bare
    skin above the lid (crease to brow, no brow hair); in the portrait."""
    lid = polygon_mask(image.shape[:2], np.vstack([upper, rings[0][::-1]]))
    bone = polygon_mask(image.shape[:2], np.vstack([rings[0], rings[1][::-1]]))
    lid_rgb = 0.5 * (skin_rgb(image, gray, lid | bone) + skin_rgb(image, gray, below))
    bone_rgb = skin_rgb(image, gray, bone)
    hue = skin_rgb(image, gray, lid) / np.maximum(bone_rgb, 1.0)
    hue /= max(float(hue @ LUMA), 1e-3)
    skin = skin_rgb(image, gray, above) if above.sum() >= SKIN_HUE_PIXELS else bone_rgb
    ab = rgb_to_lab(skin[None, None, :])[0, 0, 1:]
    chroma = float(np.linalg.norm(ab))
    # A grey skin has no hue to keep (its direction is noise): nothing is turned (a zero hue).
    skin_hue = ab / chroma if chroma >= MIN_SKIN_CHROMA else np.zeros(2)
    return LidTone(lid_rgb=lid_rgb, lash_hue=np.clip(hue, *HUE_BOUNDS).astype(np.float32),
                   skin_hue=skin_hue.astype(np.float32), skin_lab=rgb_to_lab(skin[None, None, :])[0, 0].astype(np.float32))


def skin_rgb(image: np.ndarray, gray: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Median colour of the masked pixels between the 40th and 80th brightness percentile
    (lashes, lines and brows below, highlights above)."""
    if mask.sum() < 4:
        return np.median(image.reshape(-1, 3), axis=0).astype(np.float32)
    g = gray[mask]
    mid = (g >= np.percentile(g, 40)) & (g <= np.percentile(g, 80))
    return np.median(image[mask][mid].astype(np.float32), axis=0)


@dataclass(frozen=True)
class SocketLight:
    """The light of the skin around one eye in the portrait, the open eye and its lashes filled
    from the skin around them: what a closed lid there shows."""

    corner: tuple[int, int]  # x0, y0 of the map in the portrait
    rgb: np.ndarray  # (h, w, 3) float32
    # (h, w, 3) float32 the same light filled across the eye from the skin above it only, over
    # ``rgb`` (a factor): a shut lid is the upper lid's skin carried down (the lighter skin below
    # the eye made it a lit dome). A ratio of two portrait maps, so measured once.
    above_over_light: np.ndarray
    # (h, w, 3) float32 ``rgb`` in CIE L*a*b* (derived, read-only): every frame's ``as_light_as_above``
    # starts from it.
    lab: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        lab = rgb_to_lab(self.rgb)
        lab.flags.writeable = False
        object.__setattr__(self, "lab", lab)

    def at(self, box: tuple[int, int, int, int]) -> np.ndarray:
        """(h, w, 3) the light at the pixels of ``box`` (x0, y0, x1, y1; nearest edge beyond the map):
        a view of the map where the box lies in it (``measure_socket_light`` makes the maps read-only)."""
        return self._crop(self.rgb, box)

    def above_over_light_at(self, box: tuple[int, int, int, int]) -> np.ndarray:
        """(h, w, 3) ``above_over_light`` at the pixels of ``box``, as ``at``."""
        return self._crop(self.above_over_light, box)

    def lab_at(self, box: tuple[int, int, int, int]) -> np.ndarray:
        """(h, w, 3) ``lab`` at the pixels of ``box``, as ``at`` (CIE L*a*b* is per pixel: the same values
        as converting ``at(box)``)."""
        return self._crop(self.lab, box)

    def _crop(self, rgb: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
        # Whole pixels: a slice (or, past the map's edge, its edge rows and columns repeated).
        x0, y0, x1, y1 = box
        cx, cy = self.corner
        h, w = rgb.shape[:2]
        if x0 >= cx and y0 >= cy and x1 - cx <= w and y1 - cy <= h:
            return rgb[y0 - cy:y1 - cy, x0 - cx:x1 - cx]
        rows = np.clip(np.arange(y0 - cy, y1 - cy), 0, h - 1)
        cols = np.clip(np.arange(x0 - cx, x1 - cx), 0, w - 1)
        return rgb[rows[:, None], cols[None, :]]


def measure_socket_light(image: np.ndarray, eye: np.ndarray, around: np.ndarray, width: float,
                         fallback: np.ndarray, brow: np.ndarray, upper: np.ndarray) -> SocketLight:
    """``eye``: the open eye's outline (corners and both lid margins); ``around``: points whose
    box (with a margin) the map covers; ``brow``: the brow's outline, left out like the eye
    (hair, not light; around it only what is darker than ``fallback``, the lid skin's tone, by
    BROW_HAIR); ``upper``: the upper lid margin, outer -> inner corner; in the portrait."""
    h, w = image.shape[:2]
    pad = 0.3 * width + 2
    x0, y0 = (max(int(np.floor(v - pad)), 0) for v in around.min(axis=0))
    x1, y1 = (int(np.ceil(v + pad)) + 1 for v in around.max(axis=0))
    x1, y1 = min(x1, w), min(y1, h)
    patch = image[y0:y1, x0:x1].astype(np.float32)
    opening = polygon_mask(patch.shape[:2], eye - (x0, y0)).astype(np.uint8)
    radius = max(int(round(LASH_REACH * width)), LASH_REACH_PX)
    lashes = cv2.dilate(opening, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))) > 0
    lashes |= polygon_mask(patch.shape[:2], brow - (x0, y0)) > 0
    lashes |= _dark(patch, brow_mask(patch.shape[:2], brow - (x0, y0), width) > 0.0, BROW_HAIR * fallback)
    # Everything below the upper lid margin (carried on straight past the corners) is left out
    # for the light from above.
    ends = upper[[0, -1]] + np.array([[-1.0], [1.0]]) * 2.0 * (upper[-1] - upper[0])
    margin = np.vstack([ends[:1], upper, ends[1:]]) - (x0, y0)
    _, down, _ = axes_toward(upper[0], upper[-1], eye.mean(axis=0) - upper.mean(axis=0))
    down = down * 2.0 * (patch.shape[0] + patch.shape[1])
    below = polygon_mask(patch.shape[:2], np.vstack([margin, margin[::-1] + down])) > 0
    lines = skin_lines(patch, width)
    light = socket_fill(patch, lashes, width, fallback, lines)
    above_over_light = socket_fill(patch, lashes | below, width, fallback, lines) / np.maximum(light, 1.0)
    # Grown by an eye width on every side with its edge rows and columns (what ``at`` reads past a
    # map): a frame's lid box around the moving lid then lies inside it, cut as a slice.
    grow = int(np.ceil(width))
    light, above_over_light = (cv2.copyMakeBorder(m, grow, grow, grow, grow, cv2.BORDER_REPLICATE)
                               for m in (light, above_over_light))
    light.flags.writeable = above_over_light.flags.writeable = False  # ``at`` hands out views of them
    return SocketLight((x0 - grow, y0 - grow), light, above_over_light)


def brow_mask(shape: tuple[int, int], brow: np.ndarray, width: float) -> np.ndarray:
    """(h, w) float32 0..1: the brow (its outline, ``lids.BROWS`` order) with its soft edge,
    ``BROW_EDGE`` of the eye ``width`` beyond its landmarks."""
    inside = polygon_mask(shape, brow).astype(np.uint8)
    reach = max(int(round(BROW_EDGE * width)), 1)
    grown = cv2.dilate(inside, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * reach + 1, 2 * reach + 1)))
    return cv2.GaussianBlur(grown.astype(np.float32), (0, 0), 0.5 * reach)


def _dark(patch: np.ndarray, mask: np.ndarray, rgb: np.ndarray) -> np.ndarray:
    """(h, w) bool: the pixels of ``mask`` darker than ``rgb``'s luminance (noise smoothed out)."""
    return mask & (cv2.GaussianBlur(patch @ LUMA, (0, 0), 1.0) < float(np.asarray(rgb, np.float32) @ LUMA))


def skin_lines(patch: np.ndarray, width: float) -> np.ndarray:
    """(h, w) bool: the lines and spots in ``patch``'s skin that ``socket_fill`` fills across (what
    stands out of the skin's noise, narrower than a closing or opening takes out; not broad shading).
    One patch filled across several holes measures them once."""
    gray = cv2.GaussianBlur(patch @ LUMA, (0, 0), 1.0)  # noise is skin; judged on what stands out of it
    size = 2 * max(int(round(LINE_SCALE * width)), LINE_SCALE_PX) + 1
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    darker = gray < LINE_DARKER * cv2.morphologyEx(gray, cv2.MORPH_CLOSE, kernel)
    darker |= gray > LINE_BRIGHTER * cv2.morphologyEx(gray, cv2.MORPH_OPEN, kernel)
    return darker


def socket_fill(patch: np.ndarray, hole: np.ndarray, width: float, fallback: np.ndarray,
                lines: np.ndarray | None = None) -> np.ndarray:
    """(h, w, 3) the skin's smoothed light in ``patch``, carried across ``hole`` (bool mask, e.g.
    the lashes and what is left of the eye) and across lines and spots in the skin from the skin
    around them (a membrane fill). ``lines``: ``skin_lines(patch, width)``, if already measured."""
    if lines is None:
        lines = skin_lines(patch, width)
    skin = ~(hole | lines)
    if skin.sum() < 8:
        return np.broadcast_to(fallback, patch.shape).astype(np.float32)
    filled = _push_pull(patch, skin, fallback)
    return cv2.GaussianBlur(filled, (0, 0), max(SMOOTHING * width, 0.8))


def lightness_around(patch: np.ndarray, hole: np.ndarray, width: float, fallback: np.ndarray,
                     lines: np.ndarray) -> np.ndarray:
    """(h, w) CIE L* of ``socket_fill``'s light, worked out at half the size: the fill's second
    pyramid level, smoothed and converted there (a quarter of the pixels), brought back up with
    cv2.pyrUp. For a smooth bound (lids.py: the light around a shut lid): ~110 us an eye where the
    full fill and its conversion took ~160 (the push-pull's coarse levels are most of it); shut lids
    came out within 2 grey levels of the full fill's."""
    skin = ~(hole | lines)
    if skin.sum() < 8:
        return lab_lightness(np.broadcast_to(fallback, patch.shape))
    filled = _push_pull(patch, skin, fallback, halved=True)
    smoothing = max(SMOOTHING * width, 0.8)
    if filled.shape[:2] == patch.shape[:2]:  # too small a patch for a second level
        return lab_lightness(cv2.GaussianBlur(filled, (0, 0), smoothing))
    lightness = lab_lightness(cv2.GaussianBlur(filled, (0, 0), 0.5 * smoothing))
    return cv2.pyrUp(lightness, dstsize=(patch.shape[1], patch.shape[0]))


def _push_pull(values: np.ndarray, known: np.ndarray, fallback: np.ndarray, *, halved: bool = False) -> np.ndarray:
    """``values`` where ``known`` (bool) is set, filled from coarser and coarser averages where it
    is not (Gortler et al.'s push-pull: smooth, every known pixel's neighbourhood counts).
    ``halved``: the fill at the pyramid's second level (cv2.pyrDown's size), not put back at full size."""
    weight = known.astype(np.float32)
    pyramid = []
    summed, total = values * in_channels(weight), weight
    while min(total.shape) > 2:
        pyramid.append((summed, total))
        summed, total = cv2.pyrDown(summed), cv2.pyrDown(total)
    whole = summed.reshape(-1, 3).sum(axis=0)
    mean = whole / total.sum() if total.sum() > 1e-6 else fallback
    filled = np.broadcast_to(mean.astype(np.float32), summed.shape).copy()
    for summed, total in reversed(pyramid[1:]):
        coarse = cv2.pyrUp(filled, dstsize=(total.shape[1], total.shape[0]))
        sure = in_channels(np.minimum(np.maximum(2.0 * total, 0.0), 1.0))
        # sure * summed / total + (1 - sure) * coarse, in place (small arrays: each temporary costs).
        filled = sure * summed
        filled /= in_channels(np.maximum(total, 1e-6))
        coarse *= 1.0 - sure
        filled += coarse
    if halved:
        return filled  # the second level (the first if the patch is too small for one)
    if pyramid:
        # The finest level's weights are 0 or 1: the blend above is there exactly the known values
        # where set and the coarser fill elsewhere (the largest level, in one pass).
        filled = cv2.pyrUp(filled, dstsize=(known.shape[1], known.shape[0]))
        cv2.copyTo(values, known.view(np.uint8), filled)
    return filled.astype(np.float32, copy=False)


def as_light_as_above(light: np.ndarray, tone: LidTone, weight: np.ndarray, ceiling=None, *,
                      lab: np.ndarray | None = None, with_lab: bool = False):
    """(h, w, 3) ``light`` (0..255) where it is darker than the bare skin above the lid turned toward
    that skin's colour (``LidTone.skin_lab``) by ``weight`` (h, w) of the way, its CIE lightness raised
    by at most ABOVE_LIFT and to no more than ``ceiling`` (CIE L*, broadcast to (h, w); e.g. the skin
    right outside the lid: lit above it, the lid's outline shows); where it is not darker, as it is.
    ``lab``: ``light`` in CIE L*a*b*, if already known (``SocketLight.lab_at``; not changed).
    ``with_lab``: also hand back the result in CIE L*a*b* (what it was converted from; for ``lid_color``)."""
    lab = rgb_to_lab(light) if lab is None else np.array(lab, np.float32)
    target = tone.skin_lab[0] if ceiling is None else np.minimum(tone.skin_lab[0], ceiling)
    darker = target - lab[..., 0]
    turn = weight * smoothstep(0.0, ABOVE_DARKER, darker)
    lab[..., 0] += turn * np.clip(darker, 0.0, ABOVE_LIFT)
    lab[..., 1] += turn * (tone.skin_lab[1] - lab[..., 1])
    lab[..., 2] += turn * (tone.skin_lab[2] - lab[..., 2])
    rgb = lab_to_rgb(lab)
    return (rgb, lab) if with_lab else rgb


def lid_shading(s: np.ndarray, v: np.ndarray, length: float) -> np.ndarray:
    """(h, w) brightness factor of the eyeball's roundness and the lashes' shadow: ``s`` along the
    eye (pixels from the outer corner), ``v`` up the lid (0 lash line, 1 crease)."""
    t = np.clip(s / max(length, 1.0), 0.0, 1.0)
    corners = 1.0 - np.where(t < 0.5, *np.float32(CORNER_SHADE)) * (1.0 - np.sin(np.pi * t)) ** 2
    light = 1.0 + BULGE_LIGHT * np.exp(-((t - 0.45) / 0.3) ** 2 - ((v - 0.55) / 0.3) ** 2)
    shadow = 1.0 - LASH_SHADOW * smoothstep(LASH_SHADOW_REACH, 0.0, v)
    return (corners * light * shadow).astype(np.float32, copy=False)


def lid_color(skin: np.ndarray, tone: LidTone, shading: np.ndarray, v: np.ndarray, *,
              skin_lab: np.ndarray | None = None) -> np.ndarray:
    """(h, w, 3) the closed lid's colour: ``skin`` the light at each pixel (SocketLight.at);
    ``shading`` from lid_shading;
    ``v`` up the lid (0 where the lids meet, 1 the crease). ``skin_lab``: ``skin`` in CIE L*a*b*, if
    known (``as_light_as_above(..., with_lab=True)``: one conversion fewer; used up)."""
    hue = 1.0 + plane_times_colour(smoothstep(HUE_FROM, HUE_FULL, v), tone.lash_hue - 1.0)
    skin = skin + in_channels(smoothstep(*SKIN_HUE_FROM, v)) * (no_pinker(skin, tone.skin_hue, lab=skin_lab) - skin)
    # As warm as the skin is (a grey portrait's shadows stay grey).
    warm = np.clip((skin[..., 0] - skin[..., 2]) / np.maximum(skin[..., 0], 1.0) / WARM_SKIN, 0.0, 1.0)
    shaded = 1.0 - in_channels(1.0 - shading) * (1.0 + plane_times_colour(warm, SHADE_WARMTH - 1.0))
    return (shaded * hue * skin).astype(np.float32, copy=False)


def no_pinker(rgb: np.ndarray, hue: np.ndarray, *, lab: np.ndarray | None = None) -> np.ndarray:
    """(h, w, 3) ``rgb`` (0..255), where its CIE a*, b* hue turns from ``hue`` (a unit a*, b*)
    toward pink, turned back to ``hue``, its lightness and chroma kept; the rest as it is.
    ``lab``: ``rgb`` in CIE L*a*b*, if known (written over)."""
    lab = rgb_to_lab(rgb) if lab is None else lab
    pinker = lab[..., 1] * hue[1] - lab[..., 2] * hue[0] > 0.0
    if not pinker.any():
        return rgb
    chroma = np.hypot(lab[..., 1], lab[..., 2])
    # a* and b* one at a time (a masked copy into both strided channels at once costs 5 times as much).
    np.copyto(lab[..., 1], chroma * hue[0], where=pinker)
    np.copyto(lab[..., 2], chroma * hue[1], where=pinker)
    turned = lab_to_rgb(lab)
    cv2.copyTo(np.asarray(rgb, np.float32), (~pinker).view(np.uint8), turned)  # the rest as it is
    return turned


def lab_lightness(rgb: np.ndarray) -> np.ndarray:
    """CIE L* of ``rgb`` (..., 3, 0..255)."""
    return rgb_to_lab(rgb)[..., 0]
