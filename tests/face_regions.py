"""MediaPipe face-mesh regions and masks the warp tests measure the output in.

These are MediaPipe's landmark indices (facts of its mesh, the same for any engine), kept out of
the engine's own modules so a test's region never comes from the code it judges.
"""
from __future__ import annotations

import cv2
import numpy as np

# Lip contours, left to right in the image; corners shared.
UPPER_INNER = (78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308)
LOWER_INNER = (78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308)
UPPER_OUTER = (61, 185, 40, 39, 37, 0, 267, 269, 270, 409, 291)
LOWER_OUTER = (61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291)
# MediaPipe's brows, per side (image left, then right), outer end -> inner end: upper and lower contour.
BROW_UPPER_SIDES = ((70, 63, 105, 66, 107), (300, 293, 334, 296, 336))
BROW_LOWER_SIDES = ((46, 53, 52, 65, 55), (276, 283, 282, 295, 285))
INNER_LIPS = UPPER_INNER + LOWER_INNER[-2:0:-1]  # the opening, as one closed outline
OUTER_LIPS = UPPER_OUTER + LOWER_OUTER[-2:0:-1]
FACE_OVAL = (10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377,
             152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109)


def fill(shape, points) -> np.ndarray:
    """(h, w) uint8 0/1: the polygon through ``points`` (rounded to whole pixels)."""
    mask = np.zeros(shape, np.uint8)
    cv2.fillPoly(mask, [np.round(points).astype(np.int32)], 1)
    return mask


def polygon(shape, points) -> np.ndarray:
    """(h, w) bool: the polygon through ``points`` at sub-pixel precision."""
    mask = np.zeros(shape, np.uint8)
    cv2.fillPoly(mask, [np.round(np.asarray(points) * 16).astype(np.int32)], 1, cv2.LINE_8, 4)
    return mask > 0


def outside_the_face(shape, landmarks) -> tuple[np.ndarray, float]:
    """(h, w) float32 pixels from the face's outline (the hull of its 468 mesh points: on a turned
    head the far cheek's edge), 0 inside it; and the face's size (the mesh's larger extent)."""
    xy = np.asarray(landmarks)[:468, :2]
    outline = fill(shape, cv2.convexHull(xy.astype(np.float32))[:, 0])
    return cv2.distanceTransform(1 - outline, cv2.DIST_L2, 5), float(np.ptp(xy, axis=0).max())


# Per side (image left, image right): the brows' lower contour and the upper-lid crease ring below it.
BROW_TO_CREASE = (((46, 53, 52, 65, 55), (247, 30, 29, 27, 28, 56, 190)),
                  ((276, 283, 282, 295, 285), (467, 260, 259, 257, 258, 286, 414)))


def columns_between(landmarks, upper, lower):
    """Per whole-pixel column both contours reach (``upper``, ``lower``: MediaPipe index tuples):
    (x, the upper contour's y, the lower's), each contour interpolated along x."""
    lm = np.asarray(landmarks)[:, :2]
    top, bottom = lm[list(upper)], lm[list(lower)]
    x0 = int(np.ceil(max(top[:, 0].min(), bottom[:, 0].min())))
    x1 = int(np.floor(min(top[:, 0].max(), bottom[:, 0].max())))
    top, bottom = top[np.argsort(top[:, 0])], bottom[np.argsort(bottom[:, 0])]
    for x in range(x0, x1 + 1):
        yield x, np.interp(x, *top.T), np.interp(x, *bottom.T)


# MediaPipe eye contours, outer -> inner corner (upper lid, lower lid), and corners, per eye.
EYE_CONTOURS = (((246, 161, 160, 159, 158, 157, 173), (7, 163, 144, 145, 153, 154, 155), (33, 133)),
                ((466, 388, 387, 386, 385, 384, 398), (249, 390, 373, 374, 380, 381, 382), (263, 362)))


def eye_frames(landmarks):
    """Per eye (``EYE_CONTOURS``): its upper and lower lid points (outer -> inner), its width
    (corner to corner, px) and the unit vector across the eye toward the lower lid ("down")."""
    lm = np.asarray(landmarks, np.float64)[:, :2]
    for upper, lower, (outer, inner) in EYE_CONTOURS:
        up, low = lm[list(upper)], lm[list(lower)]
        width = float(np.linalg.norm(lm[outer] - lm[inner]))
        axis = (lm[inner] - lm[outer]) / width
        down = np.array([-axis[1], axis[0]])
        if float((low - up).mean(axis=0) @ down) < 0:
            down = -down
        yield up, low, width, down


def outer_eye_distance(landmarks) -> float:
    """Between the two eyes' outer corners (MediaPipe 33, 263), pixels."""
    lm = np.asarray(landmarks, np.float64)[:, :2]
    return float(np.linalg.norm(lm[263] - lm[33]))


def below_the_jaw(shape, landmarks) -> np.ndarray:
    """(h, w) bool: the pixels beyond the line through the jaw corners (MediaPipe 172, 397), along the
    face's down from its eyes to its chin: the neck, which follows a jaw drop."""
    xy = np.asarray(landmarks, np.float64)[:, :2]
    down = xy[152] - 0.5 * (xy[33] + xy[263])
    jaw = 0.5 * (xy[172] + xy[397])
    yy, xx = np.mgrid[0:shape[0], 0:shape[1]]
    return (xx - jaw[0]) * down[0] + (yy - jaw[1]) * down[1] > 0


def face_down(landmarks) -> tuple[np.ndarray, float]:
    """The face's own down (unit, square to the outer eye corners' line, roll removed) and the outer
    eye corners' distance in pixels: heights along the face, in eye spans, are ``(b - a) @ down / span``."""
    lm = np.asarray(landmarks, np.float64)[:, :2]
    across = lm[263] - lm[33]
    span = float(np.linalg.norm(across))
    return np.array([-across[1], across[0]]) / span, span


def eye_apertures(landmarks) -> tuple[float, ...]:
    """Per eye (``EYE_CONTOURS``: the subject's right, then left): the mean gap between its
    lids across the eye, over its width (~0.3 open, < 0.1 shut)."""
    return tuple(float(((low - up) @ down).mean()) / width for up, low, width, down in eye_frames(landmarks))


def iris_discs(landmarks) -> list[tuple[np.ndarray, float]]:
    """Per eye (``EYE_CONTOURS``): its iris's centre and radius (px), from MediaPipe's iris
    points (468-472 and 473-477, each a centre and four rim points), matched to the eye they
    sit in."""
    lm = np.asarray(landmarks, np.float64)[:, :2]
    discs = []
    for _, _, (outer, inner) in EYE_CONTOURS:
        middle = (lm[outer] + lm[inner]) / 2
        centre = min((468, 473), key=lambda k: float(np.linalg.norm(lm[k] - middle)))
        radius = float(np.mean([np.linalg.norm(lm[centre + j] - lm[centre]) for j in range(1, 5)]))
        discs.append((lm[centre], radius))
    return discs


def luma(image) -> np.ndarray:
    """(h, w) float32: an RGB image's grey (Rec. 601 weights)."""
    return np.asarray(image).astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)


def iris_greys(image, discs) -> np.ndarray:
    """Per disc (``iris_discs``, found at rest): the mean grey inside its inner 0.7. Skin painted
    over an iris where it lay at rest brightens it: how far a lid has come down over it."""
    grey = luma(image)
    rows, cols = np.mgrid[:grey.shape[0], :grey.shape[1]]
    return np.array([grey[(cols - c[0]) ** 2 + (rows - c[1]) ** 2 <= (0.7 * r) ** 2].mean() for c, r in discs])


def shut_lid_and_skin(shape, landmarks, reach: float):
    """Per eye, from a portrait's landmarks (its eyes open): (bool masks) where its shut lid lies (from
    0.2 eye widths above the upper lid margin down to halfway to the lower lid) and the skin around
    the open eye (0.06 to ``reach`` eye widths above its upper and below its lower lid margin, past
    the lashes)."""
    for up, low, width, down in eye_frames(landmarks):
        lid = polygon(shape, np.vstack([up - 0.2 * width * down, (0.5 * (up + low))[::-1]]))
        skin = (polygon(shape, np.vstack([up - 0.06 * width * down, (up - reach * width * down)[::-1]]))
                | polygon(shape, np.vstack([low + 0.06 * width * down, (low + reach * width * down)[::-1]])))
        yield lid, skin


# MediaPipe per eye: upper lid, lower lid (outer -> inner), corners (outer, inner), the brow's lower
# contour.
EYES_AND_BROWS = (((246, 161, 160, 159, 158, 157, 173), (7, 163, 144, 145, 153, 154, 155), (33, 133), (46, 53, 52, 65, 55)),
                  ((466, 388, 387, 386, 385, 384, 398), (249, 390, 373, 374, 380, 381, 382), (263, 362),
                   (276, 283, 282, 295, 285)))


def lid_and_skin_above(shape, landmarks):
    """Per eye: where the shut lid lies above its lash line, and the bare skin above the open lid."""
    lm = np.asarray(landmarks, np.float64)[:, :2]
    for upper, lower, (outer, inner), brow in EYES_AND_BROWS:
        up, low, brow = lm[list(upper)][1:-1], lm[list(lower)][1:-1], lm[list(brow)]
        width = float(np.linalg.norm(lm[outer] - lm[inner]))
        axis = (lm[inner] - lm[outer]) / width
        down = np.array([-axis[1], axis[0]])
        if float((low - up).mean(axis=0) @ down) < 0:
            down = -down
        lid = polygon(shape, np.vstack([up - 0.15 * width * down, (0.5 * (up + low) - 0.1 * width * down)[::-1]]))
        skin = polygon(shape, np.vstack([up - 0.3 * width * down, (brow + 0.06 * width * down)[::-1]]))
        yield lid, skin


def fine_detail(image: np.ndarray, sigma: float) -> np.ndarray:
    """Luminance minus its blur over ``sigma`` px: the detail finer than that."""
    gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32)
    return gray - cv2.GaussianBlur(gray, (0, 0), sigma)


def robust_spread(values: np.ndarray) -> float:
    """The values' spread as a standard deviation, from their median absolute deviation."""
    return float(1.4826 * np.median(np.abs(values - np.median(values))))


# The far (image-left) eye's upper lid, outer -> inner corner, and its brow's upper contour.
FAR_LID = (33, 246, 161, 160, 159, 158, 157, 173, 133)
FAR_BROW = BROW_UPPER_SIDES[0]


def far_eye_columns(landmarks, span: tuple[float, float]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The whole image columns over ``span`` of the far eye (shares of the way from its outer
    corner), and at each the y of MediaPipe's upper-lid line and of its brow's upper contour."""
    xy = np.asarray(landmarks)[:, :2].astype(np.float64)
    lid, brow = xy[list(FAR_LID)], xy[list(FAR_BROW)]
    x0, x1 = lid[0, 0], lid[-1, 0]
    columns = np.arange(int(np.ceil(x0 + span[0] * (x1 - x0))), int(x0 + span[1] * (x1 - x0)) + 1)
    order = np.argsort(brow[:, 0])
    return columns, np.interp(columns, lid[:, 0], lid[:, 1]), np.interp(columns, brow[order, 0], brow[order, 1])


def far_lid_lit_heights(image: np.ndarray, landmarks, span: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
    """Per image column over ``span`` of the far eye (shares of the way from its outer corner):
    the lit lid skin's height above MediaPipe's lid line (from the brightest row in the lower half
    of the way up to where the light falls halfway to the darkest row above it; counted from where
    the line lies, not from its pixel row) and the lid-to-brow distance."""
    gray = cv2.GaussianBlur(cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32), (0, 0), 1.0)
    columns, lid_y, brow_y = far_eye_columns(landmarks, span)
    top = int(np.floor((brow_y - 0.5 * (lid_y - brow_y)).min()))
    heights = []
    for x, y in zip(columns, lid_y):
        up = gray[top:int(y) - 1, x][::-1]  # from the lid upward
        lit = int(np.argmax(up[:max(3, len(up) // 2)]))
        half = 0.5 * (up[lit] + up[lit:].min())
        dark = np.nonzero(up[lit:] < half)[0]
        heights.append(lit + (dark[0] if len(dark) else len(up) - lit) + (y - int(y)))
    return np.asarray(heights, np.float64), lid_y - brow_y


def corner_lift(landmarks) -> float:
    """The mouth corners' height above the lip centre along the face's own up (forehead top minus
    chin), in mouth widths: a smile's corners sit above it, a frown's below."""
    lm = np.asarray(landmarks)[:, :2].astype(np.float64)
    up = lm[10] - lm[152]
    up /= np.linalg.norm(up)
    centre = 0.5 * (lm[13] + lm[14])
    return float((0.5 * (lm[61] + lm[291]) - centre) @ up / np.linalg.norm(lm[291] - lm[61]))



def corner_rise(landmarks) -> float:
    """``corner_lift`` in eye spans (outer eye corners): a smile widens the mouth and a pout narrows
    it, so mouth widths would understate the one and overstate the other."""
    lm = np.asarray(landmarks)[:, :2].astype(np.float64)
    return corner_lift(lm) * float(np.linalg.norm(lm[291] - lm[61])) / outer_eye_distance(lm)

# Per brow end, each side (image left, then right): its two facing (upper, lower) contour pairs.
BROW_ENDS = {"inner": ((107, 55, 66, 65), (336, 285, 296, 295)), "outer": ((70, 46, 63, 53), (300, 276, 293, 283))}


def brow_end_shifts(source: np.ndarray, output: np.ndarray, landmarks, patch: float = 0.125,
                    search: float = 0.2) -> dict[str, np.ndarray]:
    """Where each brow end's pixels went: per end (``BROW_ENDS``), (2, 2) per side its shift across
    (toward the image's right) and up the face, in eye spans. Each end's patch of ``source`` (about
    its contour points, ``patch`` eye spans either side) is found again in ``output`` by template
    matching within ``search`` eye spans (MediaPipe run afresh on an output reads brow motion at
    about half of what the pixels show, and evens a slanted brow)."""
    xy = np.asarray(landmarks, np.float64)[:, :2]
    across = xy[263] - xy[33]
    span = float(np.linalg.norm(across))
    axes = np.stack([across, [across[1], -across[0]]]) / span  # across, up
    half, reach = int(patch * span), int(search * span)
    grey = [cv2.cvtColor(np.asarray(image), cv2.COLOR_RGB2GRAY) for image in (source, output)]
    shifts = {}
    for end, sides in BROW_ENDS.items():
        found = []
        for points in sides:
            x, y = np.round(xy[list(points)].mean(axis=0)).astype(int)
            tile = grey[0][y - half:y + half + 1, x - half:x + half + 1]
            window = grey[1][y - half - reach:y + half + reach + 1, x - half - reach:x + half + reach + 1]
            _, _, _, (dx, dy) = cv2.minMaxLoc(cv2.matchTemplate(window, tile, cv2.TM_CCOEFF_NORMED))
            found.append(axes @ np.array([dx - reach, dy - reach], np.float64) / span)
        shifts[end] = np.array(found)
    return shifts


def opening_grown(shape, xy: np.ndarray, reach: float) -> np.ndarray:
    """(h, w) bool: the opening between the inner lips (MediaPipe landmarks ``xy``), grown by
    about ``reach`` pixels (a disc ``2 * reach`` across, rounded down to an odd size)."""
    opening = fill(shape, np.vstack([xy[list(UPPER_INNER)], xy[list(LOWER_INNER[-2:0:-1])]]))
    return cv2.dilate(opening, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (int(2 * reach) | 1,) * 2)).astype(bool)


def dark_beside_the_corners(image: np.ndarray, xy: np.ndarray) -> float:
    """The larger, over the two mouth corners, of the share of pixels darker than 0.7 of the cheek's
    median grey (the cheek 0.30-0.45 mouth widths further out, the same rows) beside the corner:
    from 0.03 mouth widths inward of the outer lip corner to 0.12 outward, over the rows from the
    upper inner lip's top to the lower inner lip's bottom, the opening between the inner lips
    (grown by 0.06 mouth widths: its own rim) left out. MediaPipe landmarks."""
    gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32)
    width = float(np.linalg.norm(xy[308] - xy[78]))
    opening = opening_grown(gray.shape, xy, 0.06 * width)
    ys, xs = np.mgrid[:gray.shape[0], :gray.shape[1]]
    top, bottom = xy[list(UPPER_INNER), 1].min(), xy[list(LOWER_INNER), 1].max()
    rows = (ys > top) & (ys < bottom)
    shares = []
    for corner, outward in ((61, -1), (291, 1)):
        beyond = outward * (xs - xy[corner, 0]) / width
        beside = rows & (beyond > -0.03) & (beyond < 0.12) & ~opening
        cheek = np.median(gray[rows & (beyond > 0.30) & (beyond < 0.45)])
        shares.append(float(np.mean(gray[beside] < 0.7 * cheek)))
    return max(shares)


def brightness_between_brows(image: np.ndarray, landmarks, across: float, up: float) -> tuple[np.ndarray, float]:
    """The column-mean brightness of the skin between the inner brows (the middle ``across`` share
    each side of the midpoint between the inner brows' lower ends, from their lower ends ``up`` eye
    spans up the image), and the eye span (outer eye corners' distance), pixels."""
    xy = np.asarray(landmarks)[:, :2].astype(np.float64)
    span = float(np.linalg.norm(xy[33] - xy[263]))
    middle, half = 0.5 * (xy[55, 0] + xy[285, 0]), across * abs(xy[285, 0] - xy[55, 0])
    bottom = max(xy[55, 1], xy[285, 1])
    grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32)
    return grey[int(bottom - up * span):int(bottom), int(middle - half):int(middle + half)].mean(axis=0), span
