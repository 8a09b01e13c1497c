"""Fingers over the driver's mouth are not part of the mouth a hint carries (``face.mouth_hint``).

A hand held to a laughing mouth (pexels_woman_laughing.mp4, frames 70-227) leaves its fingers
between the lips MediaPipe still finds; cut into the hint, they were laid into the portrait's
opening as a pale blob with a red-brown fingertip beside its teeth (london_092, frames 140-146),
or a white wedge at its corner (frames 205-222). What lies behind a finger is known where the
finger is painted here over a frame that shows the whole laugh: the hint must show mouth there,
not skin, and must stay as it was wherever no finger is.
"""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from livemorph.face import mouth_hint as hints

from conftest import driver_frame

LAUGH = ("pexels_woman_laughing.mp4", 298)  # her whole toothy laugh, no hand
FINGER_U = (0.22, 0.38)  # where across her mouth the finger is painted (shares of its width)
# Open mouths no hand covers, on every shared driver that shows one: laughs (pexels 260-420, her
# teeth in a sepia grade as near her cheeks' hue as teeth get), a wide dark "O" and talking
# (woman_expressions), a toothy smile (man_smiling_short), a beauty-filtered webcam's pinkish
# teeth next to her pale cheeks (woman_blinks).
UNCOVERED = [("pexels_woman_laughing.mp4", f) for f in (260, 300, 309, 316, 340, 380, 420)] + [
    ("woman_expressions.mp4", 30), ("woman_expressions.mp4", 304), ("man_smiling_short.mp4", 40),
    ("woman_blinks.mp4", 22), ("woman_blinks.mp4", 48)]


def _lab(rgb: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(np.clip(np.asarray(rgb, np.float32), 0, 255) / 255.0, cv2.COLOR_RGB2LAB)


def _as_cut(frame, lips, monkeypatch):
    """The hint as it was cut before occluders were looked for (no column is skin)."""
    with monkeypatch.context() as patched:
        patched.setattr(hints, "SKIN_MATCH", 0.0)
        return hints.mouth_hint(frame, lips)


@pytest.fixture(scope="module")
def laugh(image_tracker):
    frame = driver_frame(*LAUGH)
    track = image_tracker.detect_largest(frame)
    return frame, hints.lip_lines(track), np.asarray(track.landmarks)[:, :2]


def test_a_finger_over_the_mouth_is_drawn_as_the_mouth_beside_it(laugh, monkeypatch):
    frame, lips, landmarks = laugh
    clean = hints.mouth_hint(frame, lips)
    # A finger: a strip of her own cheek (below her right eye, lit as her face is), laid across
    # her mouth from above the upper lip to below the lower one.
    corner0, corner1 = lips[0][0], lips[0][-1]
    width = float(np.linalg.norm(corner1 - corner0))
    x0, x1 = (int(round(corner0[0] + u * width)) for u in FINGER_U)
    y0, y1 = int(lips[2][:, 1].min() - 0.4 * width), int(lips[3][:, 1].max() + 0.4 * width)
    cx, cy = np.round(landmarks[205]).astype(int)
    strip = frame[cy - (y1 - y0) // 2:cy - (y1 - y0) // 2 + (y1 - y0), cx - (x1 - x0) // 2:cx - (x1 - x0) // 2 + (x1 - x0)]
    fingered = frame.copy()
    fingered[y0:y1, x0:x1] = np.clip(strip.astype(np.float32) * 1.05, 0, 255).astype(np.uint8)

    cut, hint = _as_cut(fingered, lips, monkeypatch), hints.mouth_hint(fingered, lips)
    assert hint is not None
    columns = slice(int(FINGER_U[0] * hints.PATCH_HW[1]) + 1, int(FINGER_U[1] * hints.PATCH_HW[1]))
    behind = clean.patch[:, columns]
    # As cut, the finger's columns are the finger: 54 grey levels from the laugh behind it.
    cut_error = float(np.abs(cut.patch[:, columns] - behind).mean())
    assert cut_error > 40.0, cut_error
    # Drawn from the teeth beside it they are teeth again, if not the very teeth behind it (27).
    error = float(np.abs(hint.patch[:, columns] - behind).mean())
    assert error < 0.6 * cut_error, (error, cut_error)
    # ... their colour nearer the laugh's there than the finger's (Lab, column means).
    mean = lambda patch: _lab(patch[:, columns].reshape(-1, 3)[None]).reshape(-1, 3).mean(axis=0)  # noqa: E731
    assert np.linalg.norm(mean(hint.patch) - mean(clean.patch)) < np.linalg.norm(mean(hint.patch) - mean(cut.patch))
    # Away from the finger (past its shaded edge), the mouth is as cut.
    assert np.abs(hint.patch[:, 45:] - clean.patch[:, 45:]).max() < 0.5


@pytest.mark.parametrize("driver, index", UNCOVERED)
def test_an_open_mouth_no_finger_covers_is_cut_as_it_is(driver, index, image_tracker, monkeypatch):
    frame = driver_frame(driver, index)
    lips = hints.lip_lines(image_tracker.detect_largest(frame))
    cut, hint = _as_cut(frame, lips, monkeypatch), hints.mouth_hint(frame, lips)
    assert cut is not None, "the mouth is open in this frame"
    assert hint is not None and np.array_equal(hint.patch, cut.patch)
