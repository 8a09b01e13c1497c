"""A shut lid's grain does not repeat up the lid (``engines/warp/lid_grain.grain_at``).

The grain is a strip of the skin right above the open eye: on a small face a few rows tall (the
astronaut's: 6 rows, 19 columns), while a shut lid is three or four times that. Repeated up the
lid (mirrored, each repeat shifted along it), the same rows came back at a fixed offset: a
reviewer saw "the checkered grain" on the astronaut's shut lids.

Judged on the grain laid over a lid eight strips tall from a strip of white noise, whose
independent reference is known: white noise correlates with itself at no offset. At every
offset (up 1..24 rows, along -19..19 columns) the grain beyond the strip is compared with
the grain at that offset; the largest correlation was 1.00 (an exact repeat, at 20 rows up and
8 columns back along); laid as a patchwork of the strip's own cells chosen at random, 0.15 at most
(strips of 6, 8 and 13 rows, six seeds).
"""
from __future__ import annotations

import numpy as np

from livemorph.engines.warp.lid_grain import grain_at, grain_strip
from livemorph.engines.warp.lids import GRAIN_COLOUR_LEVELS, GRAIN_LINE_LEVELS, GRAIN_SCALE_SHARE

# An exact repeat correlates fully; grain that shares some cells by chance far less.
REPEATS = 0.5
# Averaged over many portraits of white-noise skin, rows of the strip correlate by chance about 0.
ROWS_ALIKE = 0.15


def _largest_correlation(field: np.ndarray, start: int, lags: int, shifts: int) -> tuple[float, int, int]:
    best = (0.0, 0, 0)
    rows, cols = field.shape
    for dy in range(1, lags + 1):
        for dx in range(-shifts, shifts + 1):
            a = field[start:rows - dy, max(dx, 0):cols + min(dx, 0)]
            b = field[start + dy:, max(-dx, 0):cols - max(dx, 0)]
            if a.size < 60:
                continue
            r = float(np.corrcoef(a.ravel(), b.ravel())[0, 1])
            best = max(best, (r, dy, dx))
    return best


def test_the_grain_does_not_repeat_up_a_lid_taller_than_its_strip():
    rng = np.random.default_rng(3)
    strip = rng.normal(0.0, 8.0, (6, 19, 3)).astype(np.float32)  # the astronaut's strip's size
    rows, cols = np.mgrid[0:48, 0:38].astype(np.float32)  # a lid 8 strips tall, 2 wide
    laid = grain_at(strip, cols, rows)[..., 0]
    r, dy, dx = _largest_correlation(laid, start=6, lags=24, shifts=19)
    assert r < REPEATS, f"the grain repeats up the lid: correlation {r:.2f} at {dy} rows up, {dx} along"


def test_the_grain_right_above_the_lashes_is_the_skin_there():
    """Within the strip's height the grain is the strip itself, pixel for pixel (along the lid, the
    skin right above each point of it: a mole or a canvas's crack stays where it is)."""
    rng = np.random.default_rng(4)
    strip = rng.normal(0.0, 8.0, (6, 19, 3)).astype(np.float32)
    rows, cols = np.mgrid[0:6, 0:19].astype(np.float32)
    assert np.array_equal(grain_at(strip, cols, rows), strip)


def _noise_strip(seed: int, width: float) -> np.ndarray:
    """The grain strip of an eye ``width`` px wide on a portrait of white-noise skin (sd 8)."""
    rng = np.random.default_rng(seed)
    image = np.clip(150 + rng.normal(0, 8, (200, 200, 1)) + np.zeros((1, 1, 3)), 0, 255).astype(np.uint8)
    x = np.linspace(100 - width / 2, 100 + width / 2, 7)
    upper = np.stack([x, 100 - 0.15 * width * np.sin(np.linspace(0, np.pi, 7))], axis=1)
    top = upper - [0, 0.35 * width]
    skin = np.zeros((200, 200), bool)
    skin[100 + int(0.2 * width):100 + int(0.5 * width), 80:120] = True
    return grain_strip(image, upper, top, width, (skin,), line_levels=GRAIN_LINE_LEVELS,
                       colour_levels=GRAIN_COLOUR_LEVELS, scale_share=GRAIN_SCALE_SHARE)


def test_the_strip_of_white_noise_skin_has_no_rows_alike():
    """Specks and lines in the strip are replaced by grain from nearby rows; taken from the same
    columns a fixed number of rows away, a short strip's rows came out copies of each other (on
    white noise, the mean correlation of its rows 4 apart was 0.46 at the astronaut's eye width, 19
    px; 0.40 at 5 rows on a 43 px eye; now 0.08 at most)."""
    for width in (19.0, 30.0, 43.0):
        strips = [_noise_strip(seed, width).mean(axis=2) for seed in range(12)]
        for lag in range(1, strips[0].shape[0] - 1):
            alike = np.mean([np.corrcoef(s[:-lag].ravel(), s[lag:].ravel())[0, 1] for s in strips])
            assert alike < ROWS_ALIKE, f"rows {lag} apart of a {width:.0f} px eye's grain correlate {alike:.2f}"
