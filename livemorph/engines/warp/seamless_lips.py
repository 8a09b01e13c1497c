"""An opening mouth stretches the lips, not the dark seam between them (warp engine, closed mouths).

A closed mouth's lips meet in a dark seam, darkest where it ends in the corners. A jaw drop
stretches the few pixels between the lips many times over (the corner's upper-lip triangles ten
times on 15-f13-anc-ph, whose lips are pressed together), and the seam came out as dark flaps with
hard, stepped edges beside the opening's sides: "purple-black blotches at both mouth corners"
(review, session 43). A real open mouth's lips are lip up to the opening, ending in a small soft
pinch at each corner.

Once per portrait with closed lips (``prepare_seamless_lips``) the picture round the mouth is kept
a second time with the seam inpainted from the lips above and below it and, past the corners, from
the skin (OpenCV's inpainting). Per frame (``blend_seamless_lips``) the lips of an open mouth are
sampled from that copy through the same map wherever the warp magnifies the picture across the
mouth line (``STRETCH``: a seam a pixel or two tall stretched into a flap), not right at the
corners (``PINCH``, where the seam stays a soft dark pinch, partly), and not while the lips only part
(``OPENING``). A portrait showing its own mouth interior at rest has no seam to stretch: its
opening is its own (``mouth.MouthGeometry.own_opening``).
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ...face.lip_contours import LOWER_INNER, UPPER_INNER
from . import raster
from .channels import in_channels
from ...easing import smoothstep
from .mouth import mean_lip_gap, outer_polygon
from .raster import polygon_mask

# The seam inpainted: this many mouth widths either side of the lips' meeting line, and as far as the
# second past each corner along it (the dark corner itself).
SEAM_HALF, CORNER_PAST = 0.03, 0.08
KEEP_AROUND = 1.0  # mouth widths of the picture kept round the mouth (the map samples the lips' rest place)
# The seamless lips take over as the mouth opens (inner-lip gap over mouth width: from the first, fully
# at the second; a smile's or speech's parted lips keep their own seam) ...
OPENING = (0.05, 0.2)
# ... where the map draws fewer source pixels than these per output row (magnified 2x, fully 4x), ...
STRETCH = (0.5, 0.25)
# ... less so at the inner corners: within the first share of the mouth width of one the seam keeps
# ``PINCH_KEEP`` of its own look, fading to none at the second. Without it lisa3's jaw drop ended in
# corners crisper than her closed lips' (edge contrast 7.2 against a bound of 6.2,
# test_warp_mouth_corners); kept whole, london_092's corner pinch stood alone as a dark mark (0.18 of
# its lips' L*; a real open mouth's under 0.11, test_warp_mouth_corner_folds).
PINCH, PINCH_KEEP = (0.03, 0.12), 0.7
OUTLINE_GROWTH = 1.08  # the lips' outline, grown about its centre, bounds the blend
EDGE_SOFTNESS = 0.02  # mouth widths: the blend's Gaussian edge


@dataclass(frozen=True)
class SeamlessLips:
    """The picture round a closed mouth with the seam between the lips inpainted."""

    patch: np.ndarray  # (h, w, 3) uint8
    origin: tuple[int, int]  # the patch's top-left corner (x, y) in the portrait


def prepare_seamless_lips(image: np.ndarray, face_xy: np.ndarray) -> SeamlessLips:
    """The inpainted copy of the picture round the mouth (``face_xy``: the portrait's landmarks)."""
    xy = np.asarray(face_xy, np.float64)[:, :2]
    width = max(float(np.linalg.norm(xy[UPPER_INNER[-1]] - xy[UPPER_INNER[0]])), 1.0)
    line = 0.5 * (xy[list(UPPER_INNER)] + xy[list(LOWER_INNER)])
    along = (line[-1] - line[0]) / width
    line = np.vstack([line[0] - CORNER_PAST * width * along, line, line[-1] + CORNER_PAST * width * along])
    h, w = image.shape[:2]
    lips = outer_polygon(xy)
    x0, y0 = np.maximum(np.floor(lips.min(axis=0) - KEEP_AROUND * width).astype(int), 0)
    x1, y1 = np.minimum(np.ceil(lips.max(axis=0) + KEEP_AROUND * width).astype(int) + 1, (w, h))
    patch = np.ascontiguousarray(image[y0:y1, x0:x1])
    seam = np.zeros(patch.shape[:2], np.uint8)
    cv2.polylines(seam, [np.round(line - (x0, y0)).astype(np.int32)], False, 255,
                  max(2, int(round(2 * SEAM_HALF * width))), cv2.LINE_AA)
    seam = np.where(seam > 64, 255, 0).astype(np.uint8)
    patch = cv2.inpaint(patch, seam, max(3, int(round(0.05 * width))), cv2.INPAINT_TELEA)
    return SeamlessLips(patch, (int(x0), int(y0)))


def blend_seamless_lips(frame: np.ndarray, lips: SeamlessLips, map_xy: np.ndarray,
                        region: tuple[int, int, int, int], moved_xy: np.ndarray) -> None:
    """In place on the warped ``frame``: an open mouth's stretched lips from ``lips``, sampled through
    the same ``map_xy`` (the region's backward map) as the frame was."""
    moved = np.asarray(moved_xy, np.float64)[:, :2]
    width = float(np.linalg.norm(moved[UPPER_INNER[-1]] - moved[UPPER_INNER[0]]))
    strength = float(smoothstep(*OPENING, mean_lip_gap(moved) / max(width, 1.0)))
    if strength <= 0.0:
        return
    outline = outer_polygon(moved)
    centre = outline.mean(axis=0)
    outline = centre + OUTLINE_GROWTH * (outline - centre)
    rx0, ry0, rx1, ry1 = region
    pad = 3 * EDGE_SOFTNESS * width + 2
    x0, y0 = np.maximum(np.floor(outline.min(axis=0) - pad).astype(int), (rx0, ry0))
    x1, y1 = np.minimum(np.ceil(outline.max(axis=0) + pad).astype(int) + 1, (rx1, ry1))
    if x1 - x0 < 3 or y1 - y0 < 3:
        return
    where = map_xy[y0 - ry0:y1 - ry0, x0 - rx0:x1 - rx0]
    # Source pixels per output row: under STRETCH the picture is magnified across the mouth line.
    per_row = np.hypot(np.gradient(where[..., 0], axis=0), np.gradient(where[..., 1], axis=0))
    share = polygon_mask((y1 - y0, x1 - x0), outline - (x0, y0), antialiased=True)
    share *= smoothstep(STRETCH[0], STRETCH[1], per_row)
    ys, xs = np.arange(y0, y1, dtype=np.float32)[:, None], np.arange(x0, x1, dtype=np.float32)[None, :]
    for corner in (UPPER_INNER[0], UPPER_INNER[-1]):
        cx, cy = (float(c) for c in moved[corner])  # Python floats keep the planes float32
        share *= 1.0 - PINCH_KEEP * smoothstep(PINCH[1] * width, PINCH[0] * width, np.hypot(xs - cx, ys - cy))
    share = strength * cv2.GaussianBlur(share, (0, 0), max(1.0, EDGE_SOFTNESS * width))
    if not share.any():
        return
    seamless = cv2.remap(lips.patch, np.ascontiguousarray(where - np.float32(lips.origin)), None,
                         raster.SAMPLING, borderMode=cv2.BORDER_REPLICATE)
    box = frame[y0:y1, x0:x1].astype(np.float32)
    frame[y0:y1, x0:x1] = np.clip(box + in_channels(share) * (seamless - box) + 0.5, 0, 255).astype(np.uint8)
