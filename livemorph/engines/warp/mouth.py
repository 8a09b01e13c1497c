"""Mouth interior for the warp engine: where lips part, a mouth that looks like one.

A warp can only stretch the pixels it has: opening a closed mouth would stretch the lip line
into a pink smear. Wherever the inner-lip opening of the warped face is larger than in the
portrait, we paint inside the displaced inner-lip contour instead: the portrait's own
interior (its teeth) where it shows one, riding with the lips, and a synthesized interior
for the new gap -- upper teeth hanging from the upper lip (individual teeth, shaded toward
the corners), lower teeth at the lower lip when wide open, a tongue, and a dark, reddish
cavity behind. Everything is scaled to the portrait's mouth width and coloured from the
portrait itself (lip colour for cavity and tongue, its own teeth or desaturated skin for
teeth) so paintings and grayscale photos get matching tones.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from .au_mesh import LOWER_INNER, UPPER_INNER
from .easing import smoothstep

UPPER_OUTER = (61, 185, 40, 39, 37, 0, 267, 269, 270, 409, 291)
LOWER_OUTER = (61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291)
FACE_OVAL = (10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377,
             152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109)

# Opening (mean inner-lip gap / mouth width) at which upper teeth start to show, and fully show;
# lower teeth show only in a wider opening.
TEETH_START, TEETH_FULL = 0.02, 0.06
LOWER_TEETH_START, LOWER_TEETH_FULL = 0.12, 0.25
# A portrait whose lips part by more than this (gap / mouth width) shows its own interior:
# it is kept (and its teeth colour used) instead of painted teeth.
OWN_INTERIOR = 0.05
OWN_INTERIOR_STRETCH = 1.6  # that interior may grow this much taller before a cavity opens in it
# Tooth edges across the mouth (u = 0 left corner .. 1 right corner), centre outward: central
# and lateral incisors, canines, premolars; a real smile shows about this many.
TOOTH_EDGES = (0.5, 0.565, 0.435, 0.62, 0.38, 0.67, 0.33, 0.715, 0.285, 0.76, 0.24)
UPPER_TOOTH_HEIGHT = 0.11  # central incisor, fraction of the mouth width
LOWER_TOOTH_HEIGHT = 0.07


@dataclass(frozen=True)
class MouthGeometry:
    """Per-portrait mouth facts, computed once."""

    resting_gap: float  # mean inner-lip gap in the portrait, pixels
    width: float  # mouth width (inner corners), pixels
    cavity_rgb: np.ndarray  # (3,) float32
    lip_rgb: np.ndarray  # (3,) float32, median lip colour (the tongue is a shaded lip colour)
    teeth_rgb: np.ndarray  # (3,) float32


def prepare_mouth(image: np.ndarray, landmarks: np.ndarray) -> MouthGeometry:
    xy = np.asarray(landmarks, np.float64)[:, :2]
    lips = _polygon_mask(image.shape[:2], xy[list(UPPER_OUTER) + list(LOWER_OUTER[::-1])])
    lips &= ~_polygon_mask(image.shape[:2], _inner_polygon(xy))
    face = _polygon_mask(image.shape[:2], xy[list(FACE_OVAL)])
    lip_rgb = _median_rgb(image, lips)
    skin_rgb = _median_rgb(image, face)
    skin_gray = np.full(3, skin_rgb.mean())
    # Teeth: a little lighter than the skin and less saturated, so they sit in the picture's light.
    teeth = np.clip(1.1 * (0.6 * skin_gray + 0.4 * skin_rgb) + 10.0, 0, 235)
    resting_gap = _mean_gap(xy)
    width = float(np.linalg.norm(xy[UPPER_INNER[-1]] - xy[UPPER_INNER[0]]))
    own = _own_teeth_rgb(image, _polygon_mask(image.shape[:2], _inner_polygon(xy)))
    if own is not None and resting_gap > OWN_INTERIOR * width:
        teeth = own
    return MouthGeometry(
        resting_gap=resting_gap,
        width=width,
        cavity_rgb=(0.4 * lip_rgb + 6.0).astype(np.float32),
        lip_rgb=lip_rgb.astype(np.float32),
        teeth_rgb=teeth.astype(np.float32),
    )


class MouthPainter:
    """Paints the cavity into a rendered frame, in place."""

    def __init__(self, geometry: MouthGeometry, *, teeth: bool):
        self.geometry = geometry
        self.teeth = teeth

    def paint(self, frame: np.ndarray, source: np.ndarray, source_xy: np.ndarray, moved_xy: np.ndarray) -> None:
        """Fill the part of the opening that is wider than the portrait's own.

        The portrait's visible mouth interior (its teeth, if it shows them) stretches with the
        opening up to ``OWN_INTERIOR_STRETCH`` times its height; beyond that it splits: the top
        60 % rides with the upper lip, the rest with the lower lip, and only the new gap between
        them becomes cavity and tongue. A closed-mouth portrait has no interior to
        keep, so its opening is all synthesized: teeth, tongue and cavity.
        """
        g = self.geometry
        gap = _mean_gap(moved_xy)
        strength = smoothstep(0.02, 0.06, (gap - g.resting_gap) / max(g.width, 1.0))
        if strength <= 0.0:
            return
        polygon = _inner_polygon(moved_xy)
        h, w = frame.shape[:2]
        x0 = max(int(np.floor(polygon[:, 0].min())) - 2, 0)
        y0 = max(int(np.floor(polygon[:, 1].min())) - 2, 0)
        x1 = min(int(np.ceil(polygon[:, 0].max())) + 3, w)
        y1 = min(int(np.ceil(polygon[:, 1].max())) + 3, h)
        if x1 - x0 < 2 or y1 - y0 < 2:
            return
        mask = _polygon_mask((y1 - y0, x1 - x0), polygon - (x0, y0), antialiased=True)
        mask = cv2.GaussianBlur(mask, (0, 0), max(0.6, 0.012 * g.width))
        ys, xs = np.mgrid[y0:y1, x0:x1].astype(np.float32)
        upper, lower = moved_xy[list(UPPER_INNER)], moved_xy[list(LOWER_INNER)]
        top = np.interp(xs[0], upper[:, 0], upper[:, 1])[None, :]
        bottom = np.interp(xs[0], lower[:, 0], lower[:, 1])[None, :]
        height = np.maximum(bottom - top, 1.0)
        v = np.clip((ys - top) / height, 0.0, 1.0)  # 0 at the upper lip, 1 at the lower
        u = np.clip((xs - upper[0, 0]) / max(upper[-1, 0] - upper[0, 0], 1.0), 0.0, 1.0)
        color = synthesized_interior(g, ys - top, bottom - ys, u, v, gap / max(g.width, 1.0),
                                     teeth=self.teeth and g.resting_gap <= OWN_INTERIOR * g.width)
        color = self._keep_own_interior(color, source, source_xy, xs, ys, u, top, bottom)
        alpha = (strength * mask)[..., None]
        patch = frame[y0:y1, x0:x1].astype(np.float32)
        frame[y0:y1, x0:x1] = np.clip(patch * (1 - alpha) + color * alpha + 0.5, 0, 255).astype(np.uint8)

    @staticmethod
    def _keep_own_interior(color, source, source_xy, xs, ys, u, top, bottom):
        s_upper, s_lower = source_xy[list(UPPER_INNER)], source_xy[list(LOWER_INNER)]
        x_src = s_upper[0, 0] + u[0] * (s_upper[-1, 0] - s_upper[0, 0])
        s_top = np.interp(x_src, s_upper[:, 0], s_upper[:, 1])[None, :]
        s_bottom = np.interp(x_src, s_lower[:, 0], s_lower[:, 1])[None, :]
        own = np.maximum(s_bottom - s_top, 0.0)  # the portrait's own opening at this column
        if float(own.max()) < 2.0:
            return color
        below_top = ys - top
        above_bottom = bottom - ys
        # A somewhat wider opening shows more of the same teeth (the interior stretches with it, up
        # to OWN_INTERIOR_STRETCH): a bigger smile on a toothy portrait must not open a dark band
        # between its upper and lower teeth. Only beyond that does a cavity open between them.
        safe_own = np.maximum(own, 1.0)
        stretch = np.clip((bottom - top) / safe_own, 0.2, OWN_INTERIOR_STRETCH)
        keep_up, keep_low = 0.6 * own * stretch, 0.4 * own * stretch
        map_x = np.broadcast_to(x_src[None, :], ys.shape).astype(np.float32)
        upper_y = (s_top + below_top / stretch).astype(np.float32)
        lower_y = (s_bottom - above_bottom / stretch).astype(np.float32)
        from_upper = cv2.remap(source, map_x, upper_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        from_lower = cv2.remap(source, map_x, lower_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        soft = 1.5
        w_up = smoothstep(keep_up + soft, keep_up - soft, below_top)[..., None]
        w_low = smoothstep(keep_low + soft, keep_low - soft, above_bottom)[..., None] * (1 - w_up)
        return w_up * from_upper + w_low * from_lower + (1 - w_up - w_low) * color


def synthesized_interior(g: MouthGeometry, below_top: np.ndarray, above_bottom: np.ndarray,
                         u: np.ndarray, v: np.ndarray, opening: float, *, teeth: bool) -> np.ndarray:
    """(h, w, 3) float32 colours of a painted mouth interior over the opening's pixels.

    ``below_top`` / ``above_bottom``: pixels below the upper lip / above the lower lip;
    ``u`` across the mouth (0..1 corner to corner), ``v`` down the opening (0..1);
    ``opening``: mean inner-lip gap / mouth width. ``teeth``: paint teeth (off when the
    portrait shows its own, which ``MouthPainter`` keeps instead).
    """
    side = np.abs(2 * u - 1)  # 0 in the middle, 1 at the corners
    # Cavity: darkest high up behind the teeth and toward the corners (cheeks' shadow).
    depth = 0.55 + 0.45 * smoothstep(0.2, 1.0, v) * (1 - 0.5 * side)
    color = (depth * (1.0 - 0.35 * side))[..., None] * g.cavity_rgb
    # Tongue: a lit, rounded lip-coloured mass rising from the lower lip.
    tongue_top = 0.5 + 0.3 * (side / 0.7) ** 2
    tongue = smoothstep(tongue_top, tongue_top + 0.12, v) * smoothstep(0.75, 0.55, side)
    lit = 0.45 + 0.2 * (1 - smoothstep(tongue_top + 0.05, tongue_top + 0.45, v))
    tongue_rgb = (lit * (1 - 0.35 * side))[..., None] * g.lip_rgb
    color = color * (1 - tongue[..., None]) + tongue_rgb * tongue[..., None]
    if not teeth:
        return color
    width = g.width
    # Individual teeth: soft dark seams at the tooth edges, each tooth a little rounded.
    seam = np.zeros_like(u)
    for edge in TOOTH_EDGES:
        seam = np.maximum(seam, smoothstep(0.008, 0.0, np.abs(u - edge)))
    shade = (1.0 - 0.55 * side ** 1.5) * (1.0 - 0.18 * seam)
    # Upper row: hangs from the upper lip, shorter toward the corners, shadowed just under the lip.
    upper_h = np.minimum(0.55 * (below_top + above_bottom), UPPER_TOOTH_HEIGHT * width * (1 - 0.35 * side))
    upper = smoothstep(upper_h + 0.8, upper_h - 0.8, below_top) * smoothstep(0.82, 0.62, side)
    upper *= smoothstep(TEETH_START, TEETH_FULL, opening)
    upper_shade = shade * (0.9 + 0.1 * smoothstep(0.0, 0.25 * np.maximum(upper_h, 1.0), below_top))
    color = color * (1 - upper[..., None]) + (upper_shade[..., None] * g.teeth_rgb) * upper[..., None]
    # Lower row: only in a wide opening, peeking over the lower lip, in the tongue's shadow.
    lower_h = np.minimum(0.3 * (below_top + above_bottom), LOWER_TOOTH_HEIGHT * width * (1 - 0.4 * side))
    lower = smoothstep(lower_h + 0.8, lower_h - 0.8, above_bottom) * smoothstep(0.65, 0.45, side)
    lower *= smoothstep(LOWER_TEETH_START, LOWER_TEETH_FULL, opening)
    color = color * (1 - lower[..., None]) + ((0.75 * shade)[..., None] * g.teeth_rgb) * lower[..., None]
    return color


def _own_teeth_rgb(image: np.ndarray, interior: np.ndarray) -> np.ndarray | None:
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


def _inner_polygon(xy: np.ndarray) -> np.ndarray:
    return np.vstack([xy[list(UPPER_INNER)], xy[list(LOWER_INNER[-2:0:-1])]])


def _mean_gap(xy: np.ndarray) -> float:
    upper = np.asarray(xy)[list(UPPER_INNER[1:-1]), :2]
    lower = np.asarray(xy)[list(LOWER_INNER[1:-1]), :2]
    return float(np.linalg.norm(lower - upper, axis=1).mean())


def _polygon_mask(shape_hw, polygon: np.ndarray, antialiased: bool = False) -> np.ndarray:
    """Mask of a polygon: bool, or float32 0..1 when antialiased."""
    canvas = np.zeros(shape_hw, np.uint8)
    pts = np.round(np.asarray(polygon) * 16).astype(np.int32)
    cv2.fillPoly(canvas, [pts], 255, lineType=cv2.LINE_AA if antialiased else cv2.LINE_8, shift=4)
    return canvas.astype(np.float32) / 255.0 if antialiased else canvas > 0


def _median_rgb(image: np.ndarray, mask: np.ndarray) -> np.ndarray:
    pixels = image[mask]
    if len(pixels) == 0:
        return image.reshape(-1, 3).mean(axis=0).astype(np.float32)
    return np.median(pixels, axis=0).astype(np.float32)


