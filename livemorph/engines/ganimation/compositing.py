"""Putting a re-rendered face crop back into the full-resolution portrait.

The generator works at 128x128, but a portrait's face is often 300-600 px wide. Blending at
128 and upscaling the result would blur the whole face; instead the colour map and the
attention mask are upsampled to the crop's native size and blended there against the
original full-resolution pixels, so everything the attention keeps (A = 1) stays exactly
as sharp as the portrait. The crop is then pasted back with a feathered edge so no seam
shows where the box ends. ``paste_back`` is generic (any engine's crop); the ``*_torch``
functions are the GANimation blend, run on the generator's device.
"""
from __future__ import annotations

import numpy as np

from ...easing import smoothstep
from ...frames import check_rgb_uint8

Box = tuple[int, int, int, int]


def box_overlap(box: Box, image_shape: tuple[int, ...]) -> tuple[tuple[slice, slice], tuple[slice, slice]]:
    """(image rows/cols, crop rows/cols) of the part of ``box`` that lies inside the image."""
    h, w = image_shape[:2]
    x0, y0, x1, y1 = (int(v) for v in box)
    ix0, iy0, ix1, iy1 = max(x0, 0), max(y0, 0), min(x1, w), min(y1, h)
    if ix1 <= ix0 or iy1 <= iy0:
        raise ValueError(f"box {box} does not overlap the {w}x{h} image")
    return (slice(iy0, iy1), slice(ix0, ix1)), (slice(iy0 - y0, iy1 - y0), slice(ix0 - x0, ix1 - x0))


def feather_mask(box: Box, image_shape: tuple[int, ...], feather: float) -> np.ndarray:
    """(box h, box w) float32 weights: 1 inside, easing to 0 over ``feather`` x side at each edge.

    Edges of the box that lie outside the image get no ramp: there is nothing to blend
    with there, and a ramp would leave the face unchanged along the picture's border.
    """
    x0, y0, x1, y1 = (int(v) for v in box)
    h, w = image_shape[:2]
    bw, bh = x1 - x0, y1 - y0
    width = max(float(feather) * min(bw, bh), 0.0)
    ramp_x = _edge_ramp(bw, width, fade_start=x0 >= 0, fade_end=x1 <= w)
    ramp_y = _edge_ramp(bh, width, fade_start=y0 >= 0, fade_end=y1 <= h)
    return np.outer(ramp_y, ramp_x).astype(np.float32)


def _edge_ramp(n: int, width: float, *, fade_start: bool, fade_end: bool) -> np.ndarray:
    ramp = np.ones(n, np.float64)
    if width <= 0:
        return ramp
    # Distance of each pixel centre from the edge, in units of the feather width, smoothstepped.
    pos = (np.arange(n) + 0.5) / width
    if fade_start:
        ramp = np.minimum(ramp, smoothstep(0.0, 1.0, pos))
    if fade_end:
        ramp = np.minimum(ramp, smoothstep(0.0, 1.0, pos[::-1]))
    return ramp


def paste_back(portrait: np.ndarray, crop_rgb: np.ndarray, box: Box, feather: float,
               mask: np.ndarray | None = None) -> np.ndarray:
    """A copy of ``portrait`` with ``crop_rgb`` (the box's size) blended in with a feathered edge.

    Pixels outside ``box`` are untouched; where ``crop_rgb`` equals the portrait the result
    equals the portrait exactly. ``mask`` (from ``feather_mask``) may be passed to reuse it.
    """
    check_rgb_uint8(portrait, "portrait")
    check_rgb_uint8(crop_rgb, "crop")
    x0, y0, x1, y1 = (int(v) for v in box)
    if crop_rgb.shape[:2] != (y1 - y0, x1 - x0):
        raise ValueError(f"crop is {crop_rgb.shape[1]}x{crop_rgb.shape[0]}, box is {x1 - x0}x{y1 - y0}")
    if mask is None:
        mask = feather_mask(box, portrait.shape, feather)
    (irows, icols), (crows, ccols) = box_overlap(box, portrait.shape)
    out = portrait.copy()
    base = portrait[irows, icols].astype(np.float32)
    new = crop_rgb[crows, ccols].astype(np.float32)
    weight = mask[crows, ccols, None]
    # base + w * (new - base): exactly base wherever new == base or w == 0.
    out[irows, icols] = np.clip(np.rint(base + weight * (new - base)), 0, 255).astype(np.uint8)
    return out


def blend_generated_torch(region, color, attention, mask):
    """GANimation blend at the crop's native size, on the tensors' device.

    region: (1, 3, S, S) float, the portrait's pixels 0..255 (edge-padded where the box left
    the image); color: (1, 3, 128, 128) in [-1, 1]; attention: (1, 1, 128, 128) in [0, 1]
    (1 keeps the source); mask: (1, 1, S, S) feather weights. Returns (S, S, 3) uint8.
    """
    import torch
    import torch.nn.functional as F

    size = region.shape[-2:]
    color = _resize_torch(color.float(), size, F)
    attention = _resize_torch(attention.float(), size, F)
    color_255 = (color + 1.0) * 127.5
    weight = (1.0 - attention) * mask
    out = region + weight * (color_255 - region)
    return out.round_().clamp_(0, 255).to(torch.uint8)[0].permute(1, 2, 0)


def _resize_torch(tensor, size, F):
    if tuple(tensor.shape[-2:]) == tuple(size):
        return tensor
    shrinking = size[0] < tensor.shape[-2]
    return F.interpolate(tensor, size=size, mode="bilinear", align_corners=False, antialias=shrinking)

