"""The tone of a painted closed lid (warp engine): its colour and shading, not its grain.

A closed upper lid is the lid skin stretched over the eyeball, bulging into the light: in its
body the colour of the lid skin (the warp's stretched copy of it, mixed with the lit skin
around the eye measured on the portrait); at the top the brow-bone skin it unfolds from (no
seam, and no old crease line where the two meet); toward the lash line a little darker and
pinker (thinner skin turning away from the light: the portrait's open lid, between the lashes
and the crease, shows the hue); across it the eyeball's roundness shades it: lit in the middle,
darker toward the corners, the inner one most (it sits deeper in the socket).

The rendered skin is sampled robustly (its lit pixels: the crease line, lash remnants, brows
and glasses frames are darker than skin and left out), smoothed and carried down each column.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from .easing import smoothstep
from .raster import polygon_mask

# Rendered skin is sampled between these brightness percentiles of its band (darker: lines,
# brows, frames; brighter: highlights), smoothed over SMOOTHING of the eye width.
SAMPLE_PERCENTILES = (35, 95)
SMOOTHING = 0.08
# The lid's body: the stretched lid skin between these lid heights (0 = where the lids meet,
# 1 = the displaced crease), this share of it, the rest the skin measured around the eye.
LID_BAND = (0.45, 0.95)
RENDERED_SHARE = 0.8
# The top: the brow-bone skin in this band above the displaced crease (fractions of the eye
# width), taking over from the body between these lid heights.
BONE_BAND = (0.06, 0.16)
TOP_FROM, TOP_FULL = 0.6, 1.2
# Toward the lash line the lid takes the hue of the portrait's open lid relative to its brow
# bone (per RGB channel, brightness kept; within these bounds), coming in over these heights.
HUE_BOUNDS = (0.93, 1.07)
HUE_FROM, HUE_FULL = 0.8, 0.1
# The lashes' shadow right above them, fraction of the brightness, over this lid height.
LASH_SHADOW, LASH_SHADOW_REACH = 0.3, 0.55
# The eyeball's roundness: darker toward the corners (by these fractions at the outer and inner
# corner) and a soft light in the middle of the lid.
CORNER_SHADE = (0.06, 0.12)
BULGE_LIGHT = 0.04
_LUMA = np.array([0.299, 0.587, 0.114], np.float32)


@dataclass(frozen=True)
class LidTone:
    """One eye's lid skin, measured on the portrait."""

    lid_rgb: np.ndarray  # (3,) float32 lit skin around the eye: lid, brow bone and below the eye
    lash_hue: np.ndarray  # (3,) float32 the open lid's colour relative to the brow bone's, brightness 1


def measure_tone(image: np.ndarray, gray: np.ndarray, upper: np.ndarray, rings: list[np.ndarray],
                 below: np.ndarray) -> LidTone:
    """``upper``: the upper-lid margin; ``rings``: the crease rings above it (lower, upper), all
    outer -> inner corner; ``below``: mask of the skin below the eye; in the portrait."""
    lid = polygon_mask(image.shape[:2], np.vstack([upper, rings[0][::-1]]))
    bone = polygon_mask(image.shape[:2], np.vstack([rings[0], rings[1][::-1]]))
    # A closed lid bulges out of the eye socket into the light: between the lit skin of the lid
    # and brow bone above the eye and the skin below it.
    lid_rgb = 0.5 * (lit_skin_rgb(image, gray, lid | bone) + lit_skin_rgb(image, gray, below))
    hue = lit_skin_rgb(image, gray, lid) / np.maximum(lit_skin_rgb(image, gray, bone), 1.0)
    hue /= max(float(hue @ _LUMA), 1e-3)
    return LidTone(lid_rgb=lid_rgb, lash_hue=np.clip(hue, *HUE_BOUNDS).astype(np.float32))


def lit_skin_rgb(image: np.ndarray, gray: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Median colour of the masked pixels between the 60th and 90th brightness percentile."""
    if mask.sum() < 4:
        return np.median(image.reshape(-1, 3), axis=0).astype(np.float32)
    g = gray[mask]
    lit = (g >= np.percentile(g, 60)) & (g <= np.percentile(g, 90))
    return np.median(image[mask][lit].astype(np.float32), axis=0)


def robust_skin(patch: np.ndarray, bands: tuple[np.ndarray, ...], width: float, fallback: np.ndarray) -> np.ndarray:
    """(h, w, 3) smoothed colour of the lit skin in ``bands`` (bool masks, each with its own
    brightness percentiles) around each pixel; where none is near, ``fallback``."""
    gray = patch @ _LUMA
    weight = np.zeros(patch.shape[:2], np.float32)
    for band in bands:
        if band.sum() >= 8:
            low, high = np.percentile(gray[band], SAMPLE_PERCENTILES)
            band = band & (gray >= low) & (gray <= high)
        weight[band] = 1.0
    sigma = max(SMOOTHING * width, 0.8)
    total = cv2.GaussianBlur(weight, (0, 0), sigma)[..., None]
    summed = cv2.GaussianBlur(patch * weight[..., None], (0, 0), sigma)
    eps = 1e-3
    return (summed + eps * fallback) / (total + eps)


def lid_shading(s: np.ndarray, v: np.ndarray, length: float) -> np.ndarray:
    """(h, w) brightness factor of the eyeball's roundness and the lashes' shadow: ``s`` along the
    eye (pixels from the outer corner), ``v`` up the lid (0 lash line, 1 crease)."""
    t = np.clip(s / max(length, 1.0), 0.0, 1.0)
    corners = 1.0 - np.where(t < 0.5, CORNER_SHADE[0], CORNER_SHADE[1]) * (1.0 - np.sin(np.pi * t)) ** 2
    light = 1.0 + BULGE_LIGHT * np.exp(-((t - 0.45) / 0.3) ** 2 - ((v - 0.55) / 0.3) ** 2)
    shadow = 1.0 - LASH_SHADOW * smoothstep(LASH_SHADOW_REACH, 0.0, v)
    return (corners * light * shadow).astype(np.float32)


def lid_color(body: np.ndarray, top: np.ndarray, tone: LidTone, shading: np.ndarray, v: np.ndarray) -> np.ndarray:
    """(h, w, 3) the closed lid's colour: ``body`` the rendered lid skin and ``top`` the brow-bone
    skin, each carried down to every pixel; ``shading`` from lid_shading; ``v`` up the lid (0
    where the lids meet, 1 the crease)."""
    base = RENDERED_SHARE * body + (1.0 - RENDERED_SHARE) * tone.lid_rgb
    base += smoothstep(TOP_FROM, TOP_FULL, v)[..., None] * (top - base)
    hue = 1.0 + smoothstep(HUE_FROM, HUE_FULL, v)[..., None] * (tone.lash_hue - 1.0)
    return (shading[..., None] * hue * base).astype(np.float32)
