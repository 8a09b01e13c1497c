"""The driver's own mouth laid into the portrait's opening (warp engine).

Bringing Portraits to Life (Averbuch-Elor et al., 2017) transfers the driver's mouth interior: real
teeth, tongue and shading read as a mouth where a synthesized one reads as paint. ``interior``
lays the driver's mouth (``face.mouth_hint.MouthHint``, cut from the driver frame in its own
canonical frame) over the synthesized interior (``mouth_interior``) once the driver's lips part far
enough and it reads as a mouth (teeth or a dark cavity), shaded as a cavity lit from the front, its
tones carried to the portrait's: black to the face's own deep, lips to lips, teeth to teeth
(``_matched_to_portrait``). ``mouth.MouthPainter`` calls it for every painted opening.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import cv2
import numpy as np

from ...colour import lab_to_rgb, rgb_to_lab
from ...face.mouth_hint import CLOSED_OPENING
from .channels import in_channels
from ...easing import smoothstep
from .mouth_interior import PAINTED_TONGUE, THROAT_V, walls_show

if TYPE_CHECKING:
    from .mouth import MouthGeometry

# The driver's own mouth (``face.mouth_hint``) takes the synthesized interior's place, in full once
# the driver's lips part by the second share of its mouth width (from the first: where a hint is
# first cut at all): a barely parted driver mouth is mostly lip, stretched over the portrait's wider
# opening (in between both mouths show at once, one through the other: kept short).
HINT_OPENING = (CLOSED_OPENING, 0.07)
# A driver's mouth reads as a mouth when it shows teeth (``_driver_teeth_lab``) or a dark cavity: its
# lighter quarter (``HINT_DARK_PERCENTILE`` of its L*) under this share of its lips' L* (fully under the
# second). Teeth clenched in shade are neither (woman_expressions' grimace: L* 20-36 under lips at 30,
# its lighter quarter at 0.77-0.99 of them): matched to the portrait they went a lip-coloured or grey
# band between its lips, "a pale strip, no teeth" (review 40), so there the synthesized interior, its
# teeth shaded by the lip, stays. (Judged by the lighter tenth, a wide "O" whose upper teeth showed
# faintly for a frame read as teeth in shade: woman_expressions frame 300, its tenth at 0.84 of the
# lips between 0.67 and 0.73, and the synthesized interior's grey teeth flashed into it; its lighter
# quarter stays at 0.40-0.44.)
HINT_DARK_UNDER_LIPS = (0.8, 0.55)
HINT_DARK_PERCENTILE = 75
# Its lightness runs into the portrait's teeth lightness through a soft knee from this share of it.
HINT_KNEE = 0.8
# ... but its teeth keep their shading (``_shaded_as_the_drivers_teeth``), fully from this share of
# the way from its lips' lightness to its teeth's (the laugh's gaps sit 0.4-0.5 of the way).
TEETH_SHADING_FROM = 0.25
# The driver's teeth lightness (Lab L) under an ordinary exposure: it goes to the portrait's teeth
# (anchored on the lips alone, a dark-lipped portrait's teeth came out as dark as its lips) when the
# driver's mouth shows no teeth of its own (``_driver_teeth_lab``).
DRIVER_TEETH_L = 88.0
# Where it shows them (pixels this many L* above its lips, this many of the patch at least), their
# body -- the median of those above the halfway mark between its lips and its brightest (the 99th
# percentile) -- goes to the portrait's teeth, in lightness and colour: anchored at 88, a webcam's
# teeth (L* 71-80 over lips at 58) landed under halfway from the portrait's lips to its teeth, in
# more of the lips' colour than the teeth's ("a beige skin-coloured band" on Grace Hopper, "a grey
# slab" as dim as london_042's lips).
DRIVER_TEETH_OVER_LIPS, DRIVER_TEETH_SHARE = 12.0, 0.04
# Upper teeth show in the driver's mouth when its upper rows are this much brighter (grey levels)
# than its darkest row.
DRIVER_TEETH_CONTRAST = 40.0
DRIVER_TEETH_BANDS = 8  # bands across the mouth in which that is found
HINT_CHROMA_MAX = 1.5  # its colour at most this much stronger than the driver's own
# ... and it darkens by up to this share of its light from under the upper lip down to the throat
# (``THROAT_V``), the corners (the cheeks' inner walls) in half-shade, as a cavity lit from the front
# and above does (a driver's dark "O", crushed to one dark by the webcam, came out one flat fill;
# darkened about the opening's middle, its rim all round stayed lighter and redder: "a maroon oval
# with a dark-red ring" on london_092, review 16).
DRIVER_DEPTH_SHADE = 0.3
# Its floor, where darker than the lips, takes up to this share of the way to the tongue's lit colour
# (``MouthGeometry.tongue_rgb``) below an arched top (``PAINTED_TONGUE``): the tongue's lit top, lighter and
# redder than the deep above it. The shared drivers' own open "O"s (woman_expressions 300-308) light
# their floor 0.27-0.7 of the way from their darkest to their lips; a webcam's crushed dark left it one
# even fill ("no tongue and no shading inside", review 16).
DRIVER_FLOOR_LIGHT = 0.5
# The driver's mouth patch is sampled this share in from its rows' ends (v) and its corners (u): its
# outermost rows and columns are the driver's own lips (L* 16-29 over a dark "O" at 1-10), which,
# matched to the portrait's lips, drew a lip-coloured ring inside the rolled lips and dotted rims at
# the corners (review 16).
HINT_INSET_V, HINT_INSET_U = 0.06, 0.03


def interior(synthesized, hint, g: MouthGeometry, u: np.ndarray, v: np.ndarray, *,
              below_upper_teeth: bool = False) -> np.ndarray:
    """The opening's colour at each pixel's (u, v): the synthesized interior (``synthesized()``)
    with the driver's mouth (``hint``, optional) laid over it by ``HINT_OPENING``; once the driver's
    mouth covers it all the synthesized one is never worked out. Where the driver's mouth is darker
    than the lips it darkens from under the upper lip down to the throat, less toward the corners
    (``DRIVER_DEPTH_SHADE``), and its floor takes the tongue's lit top (``DRIVER_FLOOR_LIGHT``) as far
    as the driver's mouth is open wide enough to show it (``walls_show``)."""
    weight = 0.0 if hint is None else float(smoothstep(*HINT_OPENING, float(hint.opening))) * _reads_as_a_mouth(hint)
    if weight <= 0.0:
        return synthesized()
    driver = _driver_interior(hint, g, u, v, below_upper_teeth=below_upper_teeth)
    # Only the cavity changes, what is darker than the lips: teeth and a lit tongue keep their light
    # (darkened with it, a smile's teeth went a dim grey-olive band: review 15).
    lightness = rgb_to_lab(driver)[..., 0]
    cavity = 1.0 - smoothstep(float(g.deep_lab[0]), float(g.lip_lab[0]), lightness)
    side = np.abs(2.0 * u - 1.0)
    # In shade from the upper lip down to the throat, the corners half-shaded ...
    shade = (1.0 - smoothstep(THROAT_V, 1.0, v)) * (1.0 - side ** 2)
    driver = driver * in_channels(1.0 - DRIVER_DEPTH_SHADE * shade * cavity)
    # ... and the tongue's top lit below them, arched, highest in the middle.
    tongue_top = PAINTED_TONGUE.top + PAINTED_TONGUE.arch * side ** 2
    floor = (walls_show(float(hint.opening)) * smoothstep(tongue_top - 0.1, tongue_top + 0.3, v)
             * smoothstep(0.9, 0.5, side))
    driver = driver + in_channels(DRIVER_FLOOR_LIGHT * floor * cavity) * (g.tongue_rgb - driver)
    if weight >= 1.0:
        return driver
    color = synthesized()
    return color + weight * (driver - color)


def _reads_as_a_mouth(hint) -> float:
    """0..1: how far the driver's mouth shows teeth (``_driver_teeth_lab``'s test) or a dark cavity
    (``HINT_DARK_UNDER_LIPS``) rather than dim, lip-toned teeth in shade."""
    lightness = rgb_to_lab(hint.patch)[..., 0]
    lip_l = max(float(rgb_to_lab(hint.lip_rgb[None])[0, 0]), 1.0)
    if _shows_teeth(lightness, lip_l):
        return 1.0
    return float(smoothstep(*HINT_DARK_UNDER_LIPS, float(np.percentile(lightness, HINT_DARK_PERCENTILE)) / lip_l))


def _driver_interior(hint, g: MouthGeometry, u: np.ndarray, v: np.ndarray, *,
                     below_upper_teeth: bool = False) -> np.ndarray:
    """The driver's mouth interior (``hint``) at each pixel's (u, v) in the opening, colour-matched
    to the portrait (``_matched_to_portrait``). ``below_upper_teeth``: v runs over the part of the
    driver's opening below its upper teeth (``_driver_teeth_end``)."""
    if below_upper_teeth:
        start = _driver_teeth_end(hint.patch, u)
        v = start + (1.0 - start) * v
    # Inside the driver's own lips (``HINT_INSET_V``, ``HINT_INSET_U``).
    v = HINT_INSET_V + (1.0 - 2.0 * HINT_INSET_V) * v
    u = HINT_INSET_U + (1.0 - 2.0 * HINT_INSET_U) * u
    patch = _matched_to_portrait(hint, g)
    rows, cols = patch.shape[:2]
    shape = np.broadcast_shapes(u.shape, v.shape)
    map_u = np.broadcast_to(u * (cols - 1), shape).astype(np.float32)
    map_v = np.broadcast_to(v * (rows - 1), shape).astype(np.float32)
    return cv2.remap(patch, map_u, map_v, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def _driver_teeth_end(patch: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Where the driver's upper teeth end at each ``u``, as a share of its opening (0 when none
    show): in each of a few bands across the mouth, ``teeth_end_row`` with the brightest in its
    upper half (one value for the whole mouth left the arch's ends hanging as specks of a second
    row toward the corners)."""
    rows, cols = patch.shape[:2]
    edges = np.linspace(0.0, 1.0, DRIVER_TEETH_BANDS + 1)
    ends = []
    for lo, hi in zip(edges[:-1], edges[1:]):
        profile = patch[:, int(lo * cols):max(int(hi * cols), int(lo * cols) + 1)].mean(axis=(1, 2))
        end = teeth_end_row(profile, DRIVER_TEETH_CONTRAST, brightest_within=rows // 2)
        ends.append(np.nan if end is None else float(end) / (rows - 1))
    centres, ends = 0.5 * (edges[:-1] + edges[1:]), np.array(ends)
    found = ~np.isnan(ends)
    if not found.any():
        return np.zeros_like(u, dtype=np.float32)
    # A band in the corners' shadow, its teeth too dim to tell, ends as its neighbours do.
    return np.interp(u, centres[found], ends[found]).astype(np.float32)


def _matched_to_portrait(hint, g: MouthGeometry) -> np.ndarray:
    """The driver's mouth patch in the portrait's palette, in Lab.

    Three anchors carry the driver's tones to the portrait's: black to the face's own darkest in
    the cavity's hue (``MouthGeometry.deep_lab``), the driver's lips to the portrait's lips, the
    driver's teeth (``_driver_teeth_lab``) to the portrait's teeth. Lightness runs along them, eased
    under the portrait's teeth (the brightest a mouth gets in it). Colour is the portrait's at the
    anchors, blended between them by the driver's lightness, plus the driver's own departures from
    its anchors (a tongue pinker than the lips; not its teeth's own tint), at the strength of the
    portrait's lip colour against the driver's: a grey portrait stays grey. (Hued around the teeth's
    tint alone, a varnished painting's dark went olive: the Mona Lisa's jaw drop "a black-green
    hole"; at the picture's black, the astronaut's, whose dark suit sets it, "near-black, pasted".)"""
    lab = rgb_to_lab(hint.patch)
    driver_lip = rgb_to_lab(hint.lip_rgb[None])[0]
    driver_teeth = _driver_teeth_lab(lab, driver_lip)
    lip, teeth, deep = g.lip_lab, g.teeth_lab, g.deep_lab
    lip_l = min(float(lip[0]), float(teeth[0]) - 5.0)
    deep_l = min(float(deep[0]), lip_l - 5.0)
    driver_teeth_l = float(driver_teeth[0])
    driver_lip_l = min(max(float(driver_lip[0]), 5.0), driver_teeth_l - 10.0)
    driver_anchors = (0.0, driver_lip_l, driver_teeth_l)
    driver_l = lab[..., 0].copy()
    lightness = np.interp(driver_l, driver_anchors, (deep_l, lip_l, float(teeth[0])), right=np.nan)
    above = np.isnan(lightness)  # brighter than the driver's teeth: on along the teeth's slope
    slope = (float(teeth[0]) - lip_l) / (driver_teeth_l - driver_lip_l)
    lightness[above] = float(teeth[0]) + slope * (driver_l[above] - driver_teeth_l)
    knee = HINT_KNEE * teeth[0]
    room = max(float(teeth[0] - knee), 1e-3)
    lightness = np.where(lightness > knee, knee + room * np.tanh((lightness - knee) / room), lightness)
    lightness = _shaded_as_the_drivers_teeth(lightness, driver_l, driver_lip_l, driver_teeth_l,
                                             knee + room * np.tanh((float(teeth[0]) - knee) / room), float(teeth[0]))
    strength = min(float(np.linalg.norm(lip[1:])) / max(float(np.linalg.norm(driver_lip[1:])), 5.0), HINT_CHROMA_MAX)
    for c in (1, 2):
        portrait = np.interp(driver_l, driver_anchors, (float(deep[c]), float(lip[c]), float(teeth[c])))
        expected = np.interp(driver_l, driver_anchors, (0.0, float(driver_lip[c]), float(driver_teeth[c])))
        moved = portrait + strength * (lab[..., c] - expected)
        # ... but never past neutral, to the other side of the portrait's own: a driver's teeth less red
        # than its red lips took the Mona Lisa's teeth, hardly red (a* 2-9), to a* -13: green teeth.
        lab[..., c] = np.where(portrait * moved < 0.0, 0.0, moved)
    lab[..., 0] = lightness
    return np.clip(lab_to_rgb(lab), 0, 255).astype(np.float32)


def _shaded_as_the_drivers_teeth(lightness: np.ndarray, driver_l: np.ndarray, driver_lip_l: float,
                                 driver_teeth_l: float, body_l: float, teeth_l: float) -> np.ndarray:
    """``lightness`` (L*, the driver's mouth in the portrait's palette) where the driver's teeth keep
    their own shading: above its lips' lightness a pixel is as light against the portrait's teeth
    body (``body_l``, where the anchors and the knee put the driver's, ``driver_teeth_l``) as it is
    against the driver's in light (CIE Y) -- the gaps between teeth, each tooth's darker sides, the
    lip's shadow over their tops; what is lighter than the body eases into the room left under the
    portrait's teeth (``teeth_l``: each tooth's lit middle, never brighter). Run along the anchors
    and through the knee, the laugh's gaps (0.75 of its teeth's grey) came out at 0.87 on Grace
    Hopper and its lit middles one flat top: "one flat grey band, no gaps" (review 19). Toward the
    lips it eases back to the anchors (``TEETH_SHADING_FROM``)."""
    relative = _luminance(driver_l) / _luminance(driver_teeth_l)
    shaded = 116.0 * np.cbrt(_luminance(body_l) * relative) - 16.0
    room = max(teeth_l - body_l, 1e-3)
    shaded = np.where(shaded > body_l, body_l + room * np.tanh((shaded - body_l) / room), shaded)
    share = smoothstep(driver_lip_l, driver_lip_l + TEETH_SHADING_FROM * (driver_teeth_l - driver_lip_l), driver_l)
    return lightness + share * (shaded - lightness)


def _luminance(lightness):
    """CIE Y (0..1) of an L* (above the linear toe, which a mouth's teeth and lips never reach)."""
    return ((np.asarray(lightness, np.float32) + 16.0) / 116.0) ** 3


def _driver_teeth_lab(lab: np.ndarray, driver_lip: np.ndarray) -> np.ndarray:
    """(3,) Lab of the driver's teeth in its mouth patch (``lab``): the median of its pixels above
    the halfway mark between its lips' and its brightest lightness, where enough of them are
    ``DRIVER_TEETH_OVER_LIPS`` lighter than its lips; else ordinary teeth (``DRIVER_TEETH_L``,
    neutral): a dark "O" shows none. (A tongue lit that far above the lips would pass for teeth.)"""
    lightness = lab[..., 0]
    lip_l = float(driver_lip[0])
    if not _shows_teeth(lightness, lip_l):
        return np.array([DRIVER_TEETH_L, 0.0, 0.0], np.float32)
    body = lightness > 0.5 * (lip_l + float(np.percentile(lightness, 99)))
    return np.median(lab[body], axis=0).astype(np.float32)


def _shows_teeth(lightness: np.ndarray, lip_l: float) -> bool:
    """Whether a driver's mouth patch (its L*) shows teeth: at least ``DRIVER_TEETH_SHARE`` of it
    ``DRIVER_TEETH_OVER_LIPS`` lighter than its lips (``lip_l``)."""
    return float(np.mean(lightness > lip_l + DRIVER_TEETH_OVER_LIPS)) >= DRIVER_TEETH_SHARE


def teeth_end_row(profile: np.ndarray, min_contrast: float, brightest_within: int | None = None) -> int | None:
    """Where upper teeth end down a brightness ``profile`` (top to bottom): the first row past the
    brightest (among the first ``brightest_within`` rows) that falls halfway to the darkest; None
    when the brightest is less than ``min_contrast`` grey levels above the darkest or no row falls."""
    brightest = int(np.argmax(profile[:brightest_within]))
    darkest = profile.min()
    if profile[brightest] - darkest < min_contrast:
        return None
    below = np.nonzero(profile[brightest:] < 0.5 * (profile[brightest] + darkest))[0]
    return brightest + int(below[0]) if len(below) else None
