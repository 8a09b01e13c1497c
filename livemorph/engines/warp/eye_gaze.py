"""The portrait's eyes look where the driver looks (``face.gaze``).

No AU says where the eyes point, and the mesh has no points on the eyeball: without this the
portrait stares ahead while the driver looks about. Per eye, once per portrait (``EyeBall``):
- the iris, a disc round MediaPipe's iris centre with its measured radius, its parts hidden
  under the lids filled from its visible part (OpenCV's inpainting) so it can roll out from under them;
- the white of the eye without the iris, filled from the sclera either side of it (inpainting
  from the white alone: the lids' lashes and the iris lend it nothing);
- the lids' opening, drawn in a little so the lash line stays where it is.
Per frame, inside the opening as the warp has placed it, the iris is laid on the white shifted by
the gaze times the eye's width; where it reaches the lids they cover it. Closed lids are painted
over it afterwards (``lids``). No gaze, no change.

Only the iris moves: a first version slid the whole eyeball, and the white it pulled in past the
corners was caruncle and skin (a pink wedge beside a turned iris on London 092). Up and down the
lids follow the eye (looking down lowers the upper lid, which the blink reading carries), so the
iris travels only ``VERTICAL_SHARE`` of the gaze down or up within the opening.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from .direction import axes_toward
from .eye_fields import EYES
from .raster import polygon_mask

IRISES = ((468, (469, 470, 471, 472)), (473, (474, 475, 476, 477)))  # centre and rim, ``EYES`` order
VERTICAL_SHARE = 0.35
# The opening is drawn in by this share of the eye's width (at least a pixel) before it is cut:
# the lash line and the lid's shadow on the eyeball stay with the lids, not with the iris.
LASH_INSET = 0.04
IRIS_MARGIN = 1.1  # the disc cut out as iris, times MediaPipe's iris radius (its dark limbal ring included)
EDGE_SOFTNESS = 0.6  # cut edges, Gaussian sigma in pixels: no hard outline round the iris or the opening
INPAINT_RADIUS = 3  # pixels: OpenCV's neighbourhood for filling the white and the iris's hidden parts
MIN_WIDTH = 8.0  # pixels: a smaller eye has too little iris to move (the shift would be under a pixel)
SHIFT_FROM = 0.25  # pixels: a smaller shift leaves the eye as the warp drew it


@dataclass(frozen=True)
class EyeBall:
    """One eye's movable iris on its white, in the portrait's pixels (a box round the eye)."""

    box: tuple[int, int, int, int]  # x0, y0, x1, y1
    white: np.ndarray  # (h, w, 3) float32: the eye with its iris replaced by the sclera beside it
    iris: np.ndarray  # (h, w, 3) float32: the iris, its hidden parts filled
    iris_alpha: np.ndarray  # (h, w) float32 0..1: the iris's disc, soft-edged
    opening: np.ndarray  # (h, w) float32 0..1: where the eyeball shows between the lids (drawn in, soft-edged)
    across: np.ndarray  # (2,) unit vector from corner to corner, toward image right
    down: np.ndarray  # (2,) unit vector perpendicular to it, toward the face's chin
    width: float  # corner to corner, pixels
    contour: tuple[int, ...]  # the lids' landmark indices round the opening


def eye_contour(lids, corners) -> tuple[int, ...]:
    """The opening's outline: one corner, the upper lid, the other corner, the lower lid back."""
    return (corners[0], *(upper for upper, _ in lids), corners[1], *(lower for _, lower in reversed(lids)))


def prepare_eyeballs(image: np.ndarray, landmarks: np.ndarray, up: np.ndarray) -> tuple[EyeBall, ...] | None:
    """Both eyes' ``EyeBall`` (``eye_fields.EYES`` order) from the portrait's 478 landmarks (its
    irises' included), or None when an eye is too small to move or shows no white beside its iris."""
    xy = np.asarray(landmarks, np.float64)[:, :2]
    height, width = image.shape[:2]
    eyes = []
    for (lids, _, corners), (centre, rim) in zip(EYES, IRISES):
        across, down, span = axes_toward(xy[corners[0]], xy[corners[1]], -np.asarray(up, np.float64))
        if across[0] < 0:
            across = -across
        radius = IRIS_MARGIN * float(np.mean(np.linalg.norm(xy[list(rim)] - xy[centre], axis=1)))
        if span < MIN_WIDTH or radius < 1.0:
            return None
        contour = eye_contour(lids, corners)
        outline = xy[list(contour)]
        pad = radius + 2
        x0, y0 = max(int(outline[:, 0].min() - pad), 0), max(int(outline[:, 1].min() - pad), 0)
        x1, y1 = min(int(outline[:, 0].max() + pad) + 1, width), min(int(outline[:, 1].max() + pad) + 1, height)
        patch = np.ascontiguousarray(image[y0:y1, x0:x1])
        inside = polygon_mask(patch.shape[:2], outline - (x0, y0))
        inset = max(1, round(LASH_INSET * span))
        inside = cv2.erode(inside.astype(np.uint8), np.ones((2 * inset + 1, 2 * inset + 1), np.uint8)) > 0
        rows, cols = np.mgrid[y0:y1, x0:x1]
        disc = np.hypot(cols - xy[centre, 0], rows - xy[centre, 1]) <= radius
        white = _white_without_iris(patch, inside, disc)
        if white is None:
            return None
        iris = cv2.inpaint(patch, (disc & ~inside).astype(np.uint8), INPAINT_RADIUS, cv2.INPAINT_TELEA)
        eyes.append(EyeBall((x0, y0, x1, y1), white, iris.astype(np.float32),
                            cv2.GaussianBlur(disc.astype(np.float32), (0, 0), EDGE_SOFTNESS),
                            cv2.GaussianBlur(inside.astype(np.float32), (0, 0), EDGE_SOFTNESS),
                            across, down, span, contour))
    return tuple(eyes)


def _white_without_iris(patch: np.ndarray, inside: np.ndarray, disc: np.ndarray) -> np.ndarray | None:
    """``patch`` with its iris (``disc``) and everything beyond the opening (``inside``) filled from
    the white of the eye alone (OpenCV's inpainting: it fills from the known pixels' edge inward, so
    the disc takes the sclera's shading from either side); None when the opening shows no white."""
    known = inside & ~disc
    if not known.any():
        return None
    return cv2.inpaint(patch, (~known).astype(np.uint8), INPAINT_RADIUS, cv2.INPAINT_TELEA).astype(np.float32)


def look(frame: np.ndarray, eyes: tuple[EyeBall, ...], gaze: np.ndarray, map_xy: np.ndarray | None,
         region: tuple[int, int, int, int], moved_xy: np.ndarray) -> None:
    """In place: each eye's iris, shifted by ``gaze`` ((2,) eye widths across and down), laid on
    its white inside its opening where the warp carried it (``map_xy``: the region's backward
    map, output pixel -> portrait, None where nothing moved; ``moved_xy``: the mesh's points in the frame)."""
    rx0, ry0, rx1, ry1 = region
    for eye in eyes:
        shift = eye.width * (float(gaze[0]) * eye.across + VERTICAL_SHARE * float(gaze[1]) * eye.down)
        if float(np.hypot(*shift)) < SHIFT_FROM:
            continue
        outline = np.asarray(moved_xy, np.float64)[list(eye.contour)]
        x0, y0 = max(int(outline[:, 0].min()) - 2, rx0), max(int(outline[:, 1].min()) - 2, ry0)
        x1, y1 = min(int(outline[:, 0].max()) + 3, rx1), min(int(outline[:, 1].max()) + 3, ry1)
        if x1 - x0 < 2 or y1 - y0 < 2:
            continue
        bx0, by0 = eye.box[:2]
        if map_xy is None:
            map_y, map_x = (c.astype(np.float32) for c in np.mgrid[y0 - by0:y1 - by0, x0 - bx0:x1 - bx0])
        else:
            sub = map_xy[y0 - ry0:y1 - ry0, x0 - rx0:x1 - rx0]
            map_x, map_y = sub[..., 0] - bx0, sub[..., 1] - by0
        opening = cv2.remap(eye.opening, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0.0)
        if not opening.any():
            continue
        white = cv2.remap(eye.white, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        # Each pixel shows the iris from where the gaze moved it in from.
        from_x, from_y = map_x - np.float32(shift[0]), map_y - np.float32(shift[1])
        iris = cv2.remap(eye.iris, from_x, from_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        alpha = cv2.remap(eye.iris_alpha, from_x, from_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                          borderValue=0.0)[..., None]
        share = opening[..., None]
        patch = frame[y0:y1, x0:x1]
        eyeball = white + alpha * (iris - white)
        patch[:] = np.clip(patch + share * (eyeball - patch) + 0.5, 0, 255).astype(np.uint8)
