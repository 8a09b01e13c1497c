"""The GANimation face crop: a square, axis-aligned, tight face box, resized to 128.

The published generators were trained on crops from a face detector (dlib-HOG style via
``face_recognition``): brows near the top edge, chin at the bottom edge, cheek to cheek,
no rotation alignment. ``crop_box`` reproduces that framing from MediaPipe landmarks.
Its proportions were measured on the four crops in
``shared/assets/au_labels/ganimation_sample`` (landmarks found on each crop, expressed
as fractions of the crop side; averages below), so the generator sees faces the way it
saw them in training. The trainer uses the same two functions to crop its data.
"""
from __future__ import annotations

from types import SimpleNamespace

import cv2
import numpy as np

from ...face import quarter_turns
from ...face.tracking import EYE_CORNER_POINTS
from ...frames import check_rgb_uint8

# MediaPipe FaceMesh indices.
_MOUTH_CORNERS = (61, 291)
_BROWS = (70, 63, 105, 66, 107, 336, 296, 334, 293, 300)
_CHIN = 152
_CHEEKS = (234, 454)

# Where the features sit in a GANimation crop of side 1 (means over the sample crops).
EYE_LEVEL = 0.284          # eye-centre height from the top edge
CENTER_X = 0.51            # midpoint of eyes and mouth, from the left edge
EYE_TO_MOUTH = 0.47        # eye-centre to mouth-centre distance
CHEEK_TO_CHEEK = 0.87      # landmark 234 to 454
BROW_TO_CHIN = 0.89        # mean brow height to chin


def crop_box(track, image_shape: tuple[int, ...], scale: float = 1.0) -> tuple[int, int, int, int]:
    """Square integer box (x0, y0, x1, y1) of the GANimation crop for the face in ``track``.

    ``track`` is a ``FaceTrack`` (landmarks in this image's pixels); ``scale`` enlarges the
    box around its centre (config ``portrait.crop_scale``). The box may extend past the
    image edges; ``extract_crop`` pads. ``image_shape`` is kept for callers that clip.
    """
    lm = np.asarray(track.landmarks, dtype=np.float64)[:, :2]
    eyes = lm[list(EYE_CORNER_POINTS)].mean(axis=0)
    mouth = lm[list(_MOUTH_CORNERS)].mean(axis=0)
    # Three size cues, each robust to a different pose change (yaw narrows the cheeks,
    # pitch shortens brow-chin and eye-mouth); their mean keeps the box steady.
    cues = (
        np.linalg.norm(mouth - eyes) / EYE_TO_MOUTH,
        np.linalg.norm(lm[_CHEEKS[1]] - lm[_CHEEKS[0]]) / CHEEK_TO_CHEEK,
        (lm[_CHIN, 1] - lm[list(_BROWS), 1].mean()) / BROW_TO_CHIN,
    )
    natural = float(np.mean(cues))  # crop side at scale 1
    cx = (eyes[0] + mouth[0]) / 2 + (0.5 - CENTER_X) * natural
    cy = eyes[1] + (0.5 - EYE_LEVEL) * natural
    size = max(int(round(natural * float(scale))), 2)
    x0 = int(round(cx - size / 2))
    y0 = int(round(cy - size / 2))
    return x0, y0, x0 + size, y0 + size


def upright_crop_box(track, image_shape: tuple[int, ...], scale: float, turns: int) -> tuple[int, int, int, int]:
    """``crop_box`` of a face lying ``turns`` quarter turns from upright (``face.upright``): the box
    ``crop_box`` frames in the picture turned so the face stands upright (``np.rot90``), in the
    picture's own pixels, where it is a square as well. Its crop, turned the same way, shows the
    face to the generator upright, as it saw faces in training."""
    size = tuple(image_shape[:2])
    turned_size = quarter_turns.turned_size(size, turns)
    upright = SimpleNamespace(landmarks=quarter_turns.turned(np.asarray(track.landmarks)[:, :2], turns, size))
    x0, y0, x1, y1 = crop_box(upright, turned_size, scale)
    corners = quarter_turns.turned_back([[x0, y0], [x1, y1]], turns, turned_size)
    (x0, y0), (x1, y1) = corners.min(axis=0).round(), corners.max(axis=0).round()
    return int(x0), int(y0), int(x1), int(y1)


def extract_crop(image: np.ndarray, box: tuple[int, int, int, int], size: int) -> np.ndarray:
    """The ``box`` region of ``image`` resized to ``size``x``size``; outside the image, edge pixels repeat."""
    check_rgb_uint8(image, "image")
    region = crop_region(image, box)
    interpolation = cv2.INTER_AREA if region.shape[0] > size else cv2.INTER_CUBIC
    return np.ascontiguousarray(cv2.resize(region, (size, size), interpolation=interpolation))


def crop_region(image: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    """The ``box`` region at native resolution, edge-padded where it leaves the image."""
    h, w = image.shape[:2]
    x0, y0, x1, y1 = (int(v) for v in box)
    if x1 <= x0 or y1 <= y0:
        raise ValueError(f"empty crop box {box}")
    pad_left, pad_top = max(0, -x0), max(0, -y0)
    pad_right, pad_bottom = max(0, x1 - w), max(0, y1 - h)
    inside = image[max(y0, 0):min(y1, h), max(x0, 0):min(x1, w)]
    if inside.size == 0:
        raise ValueError(f"crop box {box} lies entirely outside the {w}x{h} image")
    if pad_left or pad_top or pad_right or pad_bottom:
        inside = cv2.copyMakeBorder(inside, pad_top, pad_bottom, pad_left, pad_right, cv2.BORDER_REPLICATE)
    return inside
