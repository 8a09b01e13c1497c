"""A jaw drop opens the mouth into a rounded "O", not a square-shouldered "tombstone".

Judged on the output's pixels: the dark opening (Otsu on L* around MediaPipe's inner lips, the
part holding the lips' middle, holes such as teeth filled in) and its area over its bounding
box's (an ellipse 0.785, a rectangle 1). The driver's own open "O" (woman_expressions.mp4 frames
300-320, measured the same way): 0.738-0.778, median 0.755. Before ``mouth_motion.arch_the_opening``
the Mona Lisa's opening read 0.80: her upper lip's middle was held flat across nearly the whole
mouth while its corners dropped with the jaw, so its top edge ran flat into near-vertical sides
(review 17); 0.75 since.
"""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from livemorph.capture.video_file import VideoFileSource
from livemorph.engines.warp import WarpEngine
from livemorph.face.lip_contours import LOWER_INNER, UPPER_INNER
from livemorph.face.mouth_hint import lip_lines, with_mouth_hint
from livemorph.runtime.render import puppet_for

from conftest import shared_face, shared_path, user_change

JAW_DROP = {"AU26": 2.8, "AU25": 3.0}  # the driver's round "O" as livemorph reads it (frame 308)
DRIVER_O = range(300, 321)
PAINTED_FRAME = 308  # its open mouth painted into the output, as the contact sheet and ``run`` do


def opening_squareness(image: np.ndarray, landmarks: np.ndarray) -> float:
    """The dark mouth opening's area over its bounding box's area."""
    inner = np.vstack([landmarks[list(UPPER_INNER)], landmarks[list(LOWER_INNER)]])[:, :2]
    centre = inner.mean(axis=0)
    width, height = np.ptp(inner[:, 0]), np.ptp(inner[:, 1])
    x0, y0 = int(max(centre[0] - 0.8 * width, 0)), int(max(centre[1] - 0.5 * height - 0.3 * width, 0))
    x1, y1 = int(centre[0] + 0.8 * width), int(centre[1] + 0.5 * height + 0.3 * width)
    light = cv2.cvtColor(np.ascontiguousarray(image[y0:y1, x0:x1]), cv2.COLOR_RGB2LAB)[:, :, 0]
    light = cv2.GaussianBlur(light, (0, 0), 0.01 * width + 0.5)
    _, dark = cv2.threshold(light, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    _, parts = cv2.connectedComponents(dark.astype(np.uint8))
    seed = parts[int(centre[1]) - y0, int(centre[0]) - x0]
    assert seed != 0, "no dark opening between the lips"
    opening = (parts == seed).astype(np.uint8)
    outside = opening.copy()  # holes (teeth, a lit tongue) belong to the opening
    cv2.floodFill(outside, np.zeros((opening.shape[0] + 2, opening.shape[1] + 2), np.uint8), (0, 0), 2)
    opening = (outside != 2).astype(np.uint8)
    ys, xs = np.nonzero(opening)
    return float(opening.sum()) / float((np.ptp(xs) + 1) * (np.ptp(ys) + 1))


@pytest.fixture(scope="module")
def driver_o(image_tracker):
    """The driver's squareness over its "O" frames, and the jaw drop carrying its open mouth."""
    values, reading = [], None
    with VideoFileSource(shared_path("assets/driving/woman_expressions.mp4"), paced=False) as source:
        for frame in source:
            if frame.index in DRIVER_O:
                track = image_tracker.detect_largest(frame.image)
                assert track.present and track.blendshape("jawOpen") > 0.4, f"frame {frame.index} is no open mouth"
                values.append(opening_squareness(frame.image, track.landmarks[:, :2]))
                if frame.index == PAINTED_FRAME:
                    reading = with_mouth_hint(user_change(**JAW_DROP), frame.image, lip_lines(track))
            elif frame.index > DRIVER_O[-1]:
                break
    assert reading is not None and reading.mouth_hint is not None, "no mouth hint from the driver"
    return np.array(values), reading


@pytest.mark.slow
def test_the_mona_lisas_jaw_drop_opens_as_round_as_the_drivers(config, image_tracker, driver_o):
    driver_squareness, jaw_drop = driver_o
    engine = WarpEngine(config.warp)
    puppet = puppet_for(engine, shared_face("mona_lisa.jpg", config, image_tracker), config)
    out = puppet.step(jaw_drop)
    track = image_tracker.detect_largest(out)
    assert track.present and track.blendshape("jawOpen") > 0.4, "the jaw did not drop"
    squareness = opening_squareness(out, track.landmarks[:, :2])
    assert squareness <= driver_squareness.max(), (
        f"the opening fills {squareness:.3f} of its box; the driver's \"O\" "
        f"{driver_squareness.min():.3f}-{driver_squareness.max():.3f}")
