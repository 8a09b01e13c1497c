"""The colour of teeth painted into a portrait that shows none of its own (warp engine).

Teeth are among the brightest things in a face, but in the face's own light: about as bright as
its highlights or its eye whites, never brighter than the skin around the mouth, clearly lighter
than the lips, near-neutral yet hued by the light that colours the skin (ivory on a varnished
painting, grey on a grey photo). ``painted_teeth_rgb`` is read once per portrait by
``mouth.prepare_mouth``.
"""
from __future__ import annotations

import cv2
import numpy as np

from ...colour import lab_to_rgb, rgb_to_lab
from ...face.lip_contours import LOWER_OUTER, UPPER_OUTER
from ...easing import smoothstep
from .raster import polygon_mask

# The eyes' contours (MediaPipe indices), where their whites are read.
EYES = ((33, 7, 163, 144, 145, 153, 154, 155, 133, 173, 157, 158, 159, 160, 161, 246),
        (362, 382, 381, 380, 374, 373, 390, 249, 263, 466, 388, 387, 386, 385, 384, 398))
# Typical hues (RGB over their mean) of skin and of teeth under white light.
SKIN_HUE = np.array([1.25, 0.96, 0.79])
TEETH_HUE = np.array([1.09, 1.0, 0.9])
# On a tinted picture teeth are never cooler than the face's whites (``_warm_as_the_whites``):
# its lightest skin (face pixels above this brightness percentile: its lit highlights, whose
# lightness the teeth take there) and its eye whites.
LIGHTEST_SKIN = 97
# Painted teeth are as bright as the face's highlights (this brightness percentile of its pixels)
# or its eye whites, whichever is brighter, and never brighter than the brighter of the two.
TEETH_HIGHLIGHT = 95
# ... and no brighter than this brightness percentile of the skin around the mouth (a box this many
# mouth widths out from its middle, lips left out): the mouth's light, not the forehead's or a
# cheek's in a face lit from one side. With the grain laid over them the teeth's brightest then
# stay under that skin's brightest (at its 99th percentile they did not: test_warp_teeth).
NEAR_MOUTH_HIGHLIGHT, NEAR_MOUTH_BOX = 95, (0.8, 0.5, 0.6)  # percentile; half-width, above, below
# Whites this yellow (Lab b*, all of them: from the first value on, fully at the second) mark a
# tinted picture (a varnished painting), whose painted teeth are ivory: as light as its lightest
# skin, the lit highlights its palette goes to (at 1.1 times its eye whites, in the varnish's shade
# under the lids, the Mona Lisa's teeth were "lumpy ochre corn-kernel teeth").
TINTED_WHITES_B = (10.0, 30.0)
# Painted teeth sit at least this share of the way from the lips' lightness (Lab L*) to the lightest
# skin around the mouth (its ``NEAR_MOUTH_LIGHTEST`` L* percentile: the lower face's lit highlights):
# the shared photos' own rows sit 0.69 (Trump), 1.08 (the astronaut) and 1.10 (Obama) of the way
# to their face's lightest. At that skin's 95th brightness percentile alone, the teeth of a dark
# face lit bright on the chin sat 0.3 of the way: "a grey slab" as dim as london_042's lips. (At
# 0.9 london_092's synthesized teeth stay within test_warp_teeth's bound on his lower face's skin.)
TEETH_OVER_LIPS, NEAR_MOUTH_LIGHTEST = 0.9, 99
# ... and are no more colourful (Lab chroma) than this -- teeth under white light: the shared
# photos' own rows 5-10 -- or than the picture's white point where that is tinted (a varnished
# painting). Hued from Grace Hopper's ruddy skin they were chroma 26: "a beige skin-coloured band".
TEETH_CHROMA_MAX = 12.0


def painted_teeth_rgb(image: np.ndarray, xy: np.ndarray, face: np.ndarray, lip_rgb: np.ndarray) -> np.ndarray:
    """Painted teeth in the portrait's own light: off-white, about as bright as the face's
    highlights or its eye whites (whichever is brighter) and never brighter than they are or
    than the skin around the mouth (``_near_mouth_highlight``), tinted like the picture -- a
    warm cream on a varnished painting, grey on a grey photo; on a tinted picture no cooler
    than its whites and as light as its lit skin (``_warm_as_the_whites``); in any picture
    clearly lighter than the lips and near-neutral (``_lit_as_teeth``)."""
    pixels = image[face].astype(np.float32)
    skin = np.median(pixels, axis=0)
    luminance = pixels.mean(axis=1)
    # Teeth are among the brightest things in a face whatever its skin, but they take the face's
    # exposure, not the picture's: a bright lamp or wall behind a dim face (lisa3: teeth at 1.2x
    # her brightest skin, 2x her eye whites) made them glow like dentures.
    highlights = float(np.percentile(luminance, TEETH_HIGHLIGHT))
    sclera = _eye_whites(image, xy)
    eye_whites = float(sclera.mean()) if sclera is not None else 0.0
    around = _skin_around_the_mouth(xy, face)
    target = min(max(highlights, 1.3 * float(skin.mean()), 0.92 * eye_whites), max(highlights, eye_whites),
                 _near_mouth_highlight(image, around))
    every_4th = image[::4, ::4].reshape(-1, 3).astype(np.float32)  # plenty for the picture's white
    picture_luminance = every_4th.mean(axis=1)
    white_point = float(np.percentile(picture_luminance, 99.5))
    # Hue: teeth's off-white under the light that gives this skin its colour (skin over a typical
    # skin's hue). A grey picture has no colour to go on, and its teeth stay grey.
    skin_tint = skin / max(float(skin.mean()), 1.0)
    light = (skin_tint / SKIN_HUE) ** 0.7  # damped: skins differ in hue too
    tint = TEETH_HUE * light / float((TEETH_HUE * light).mean())
    coloured = float(np.clip((skin.max() - skin.min()) / max(float(skin.max()), 1.0) / 0.35, 0.0, 1.0))
    teeth = min(target, 225.0) * (1.0 + coloured * (tint - 1.0))
    face_whites = [np.median(pixels[luminance >= np.percentile(luminance, LIGHTEST_SKIN)], axis=0)]
    if sclera is not None:
        face_whites.append(sclera)
    white = np.median(every_4th[picture_luminance >= white_point], axis=0)
    teeth = _warm_as_the_whites(np.clip(teeth, 0, 240), white, face_whites)
    lightest = float(np.percentile(rgb_to_lab(image[around])[:, 0], NEAR_MOUTH_LIGHTEST)) if around.sum() >= 50 else 0.0
    return _lit_as_teeth(teeth, lip_rgb, lightest, white)


def _lit_as_teeth(teeth: np.ndarray, lip_rgb: np.ndarray, lightest: float, white_point: np.ndarray) -> np.ndarray:
    """Teeth that read as teeth: lighter than the lips by ``TEETH_OVER_LIPS`` of the way to the
    lightest skin's L* around the mouth (``lightest``), and near-neutral: Lab chroma at most
    ``TEETH_CHROMA_MAX`` or the picture's white point's (``white_point``, RGB), whichever is more."""
    lab = rgb_to_lab(np.asarray(teeth, np.float32)[None])[0]
    lip_l = float(rgb_to_lab(np.asarray(lip_rgb, np.float32)[None])[0, 0])
    lab[0] = max(float(lab[0]), lip_l + TEETH_OVER_LIPS * (lightest - lip_l))
    most = max(TEETH_CHROMA_MAX, float(np.linalg.norm(rgb_to_lab(np.asarray(white_point, np.float32)[None])[0, 1:])))
    lab[1:] *= min(1.0, most / max(float(np.linalg.norm(lab[1:])), 1e-3))
    return np.clip(lab_to_rgb(lab[None])[0], 0, 240).astype(np.float32)


def _near_mouth_highlight(image: np.ndarray, skin: np.ndarray) -> float:
    """The brightest of the skin around the mouth (``skin``, ``_skin_around_the_mouth``):
    ``NEAR_MOUTH_HIGHLIGHT`` percentile of its mean RGB, the light the teeth are in. Lisa3's
    painted teeth, at her face's highlights, were brighter than any skin near her mouth ("too
    bright and clean" in a dim photo)."""
    if skin.sum() < 50:
        return 255.0
    return float(np.percentile(image[skin].astype(np.float32).mean(axis=1), NEAR_MOUTH_HIGHLIGHT))


def _skin_around_the_mouth(xy: np.ndarray, face: np.ndarray) -> np.ndarray:
    """Bool mask: the face's skin in a box ``NEAR_MOUTH_BOX`` around the mouth, lips (and their
    soft edge) left out."""
    lips = polygon_mask(face.shape, xy[list(UPPER_OUTER) + list(LOWER_OUTER[::-1])])
    width = float(np.linalg.norm(xy[UPPER_OUTER[-1]] - xy[UPPER_OUTER[0]]))
    cx, cy = xy[list(UPPER_OUTER + LOWER_OUTER)].mean(axis=0)
    half, above, below = (share * width for share in NEAR_MOUTH_BOX)
    box = np.zeros_like(face)
    box[max(int(cy - above), 0):max(int(cy + below), 0), max(int(cx - half), 0):max(int(cx + half), 0)] = True
    margin = max(1, int(round(0.03 * width)))  # the lips' soft edge is not skin
    return box & face & ~cv2.dilate(lips.astype(np.uint8), np.ones((2 * margin + 1,) * 2, np.uint8)).astype(bool)


def _warm_as_the_whites(teeth: np.ndarray, white_point: np.ndarray, face_whites: list) -> np.ndarray:
    """On a tinted picture, teeth no cooler than its whites and as light as its lightest skin.

    ``face_whites``: RGB of the face's lightest skin and, when they show, its eye whites. Where
    these and the picture's ``white_point`` are all yellow (a varnished painting: the Mona
    Lisa's read b* +41 in Lab, a photo's white point 0 +-7), teeth hued from the skin alone came
    out greener and bluer than the eye whites beside them (b* +31, a* -5: "pale mint" on
    yellow-brown paint). There the teeth's Lab a* and b* are raised to the coolest of the face's
    whites (never lowered) and their lightness eased to the lightest skin's (``face_whites[0]``):
    ivory, the lightest the painting's palette goes; a photo's teeth keep their colour.
    """
    whites = rgb_to_lab(np.vstack([white_point] + list(face_whites)))
    tinted = float(smoothstep(*TINTED_WHITES_B, float(whites[:, 2].min())))
    if tinted <= 0.0:
        return np.asarray(teeth, np.float32)
    lab = rgb_to_lab(np.asarray(teeth, np.float32)[None])[0]
    goal = lab.copy()
    goal[1] = max(lab[1], float(whites[1:, 1].min()))
    goal[2] = max(lab[2], float(whites[1:, 2].min()))
    goal[0] = float(whites[1, 0])
    return np.clip(lab_to_rgb((lab + tinted * (goal - lab))[None])[0], 0, 240).astype(np.float32)


def _eye_whites(image: np.ndarray, xy: np.ndarray) -> np.ndarray | None:
    """Median colour of the brighter, least saturated pixels inside the eyes; None when too
    few show."""
    eyes = np.zeros(image.shape[:2], bool)
    for contour in EYES:
        eyes |= polygon_mask(image.shape[:2], xy[list(contour)])
    pixels = image[eyes].astype(np.float32)
    if len(pixels) < 30:
        return None
    value = pixels.max(axis=1)
    saturation = (value - pixels.min(axis=1)) / np.maximum(value, 1.0)
    white = (value >= np.percentile(value, 75)) & (saturation <= np.percentile(saturation, 60))
    if white.sum() < 8:
        return None
    return np.median(pixels[white], axis=0)
