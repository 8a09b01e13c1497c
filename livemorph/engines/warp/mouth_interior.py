"""A painted mouth interior: teeth rows, cavity and tongue, in the portrait's own tones.

Everything is a function of where a pixel sits in the opening -- ``u`` across the mouth (0..1,
corner to corner), pixels below the upper lip and above the lower lip -- scaled to the mouth
width, so one small patch of array maths paints any mouth. Shading follows a real mouth lit
from the front and above: teeth brightest in the middle, shadowed just under the upper lip,
rounded and darker toward the corners, parted by faint gaps (never a dark outline); the cavity
is lit near the lips and darkens with depth -- a wide one is a bowl, darkest at the throat; a
tongue shows only low in a wide opening, lit at its front.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .easing import smoothstep

# Opening (mean inner-lip gap / mouth width) at which upper teeth start to show, and fully show;
# lower teeth and the tongue only in a wider opening.
TEETH_START, TEETH_FULL = 0.02, 0.06
LOWER_TEETH_START, LOWER_TEETH_FULL = 0.16, 0.3
TONGUE_START, TONGUE_FULL = 0.14, 0.3
TONGUE_TOP = 0.56  # where the tongue's back shows in the middle of a wide opening (share of its height)
# Upper tooth boundaries across the mouth (u), centre outward: central and lateral incisors,
# canines, premolars -- narrower toward the corners, as the arch turns away from the viewer.
UPPER_EDGES = (0.24, 0.285, 0.33, 0.38, 0.435, 0.5, 0.565, 0.62, 0.67, 0.715, 0.76)
UPPER_LENGTH = (0.7, 0.75, 0.85, 0.92, 0.88, 1.0, 1.0, 0.88, 0.92, 0.85, 0.75, 0.7)  # per tooth
# Lower incisors are narrower than the upper ones (a copied upper row reads as fake).
LOWER_EDGES = (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7)
UPPER_TOOTH_HEIGHT = 0.13  # central incisor, fraction of the mouth width
# The cavity of a painted opening, as a share of its lit colour: the throat, the deepest part of
# an open mouth (centred THROAT_V down the opening, between the upper teeth and the tongue, with
# these half extents across, in |2u - 1|, and up and down, in shares of the opening's height:
# the palate above it is in the upper teeth's shadow), is THROAT_LIGHT; the cheeks and the floor
# around it CAVITY_RIM_LIGHT, and the lips' inner faces LIPS_INSIDE_LIGHT more. The corners (the
# cheeks' inner walls) lose CORNER_SHADE of it.
THROAT_V, THROAT_HALF_WIDTH, THROAT_HALF_HEIGHT = 0.42, 0.55, (0.7, 0.35)
THROAT_LIGHT, CAVITY_RIM_LIGHT, LIPS_INSIDE_LIGHT = 0.2, 0.36, 0.32
CORNER_SHADE, WIDE_CORNER_SHADE = 0.35, 0.2  # the latter more in a wide opening (deep in the cheeks)


@dataclass(frozen=True)
class LowerRow:
    room: float  # share of the opening's height the row may take, from the lower lip up
    tooth_height: float  # central incisor, fraction of the mouth width
    brightness: float  # relative to the upper row
    fade: tuple[float, float]  # |2u - 1| where it starts fading toward the corners, and is gone


# Behind the lower lip, under painted upper teeth: a few incisor edges in the middle.
BEHIND_THE_LIP = LowerRow(room=0.3, tooth_height=0.05, brightness=0.85, fade=(0.45, 0.3))
# Under a portrait's own upper row: its lips are parted over its teeth, so canine to canine shows.
UNDER_OWN_TEETH = LowerRow(room=0.3, tooth_height=0.055, brightness=0.95, fade=(0.6, 0.4))


def _tooth_columns(u: np.ndarray, edges: tuple, width_px: float):
    """Per column: tooth index, position within the tooth (-1..1) and distance (px) to the
    nearest tooth boundary."""
    e = np.asarray(edges)
    index = np.searchsorted(e, u)
    left = e[np.clip(index - 1, 0, len(e) - 1)]
    right = e[np.clip(index, 0, len(e) - 1)]
    span = np.maximum(right - left, 1e-3)
    within = np.where((index > 0) & (index < len(e)), 2 * (u - left) / span - 1, 0.0)
    gap_px = np.min(np.abs(u[:, None] - e[None, :]), axis=1) * width_px
    return index, within, gap_px


def _teeth_row(g, u, depth_px, room, length_px, edges, lengths, brightness, gap_shade=0.06):
    """Colour (h, w, 3) and coverage (h, w) of one row of teeth growing ``depth_px`` away from its
    lip; ``room``: opening pixels available in each column."""
    u_row = u[0]
    index, within, gap_px = _tooth_columns(u_row, edges, g.width)
    side = np.abs(2 * u_row - 1)
    if lengths is None:
        factor = np.ones_like(u_row)
    else:
        factor = np.asarray(lengths)[np.clip(index, 0, len(lengths) - 1)]
    # Each tooth's free edge is rounded at its corners (a scalloped row, not a strip).
    length = length_px * factor * (1 - 0.3 * side) * (1 - 0.3 * within ** 6)
    length = np.minimum(length[None, :], room)
    cover = smoothstep(length + 0.7, length - 0.7, depth_px) * smoothstep(0.86, 0.62, side)[None, :]
    # Shade: the lip's shadow at the root, slightly translucent tips, round across each tooth,
    # faint gaps, and darker toward the corners where the row turns away.
    along = depth_px / np.maximum(length, 1.0)
    vertical = (0.7 + 0.3 * smoothstep(0.0, 0.35, along)) * (1 - 0.1 * smoothstep(0.6, 1.0, along))
    across = (1 - 0.13 * within ** 2) * (1 - gap_shade * np.exp(-(gap_px / 0.8) ** 2))
    toward_corner = 1 - 0.6 * smoothstep(0.15, 0.75, side)
    shade = (brightness * vertical * (across * toward_corner)[None, :])[..., None]
    # Shaded enamel picks up the mouth's own warm (or grey) light rather than going to black.
    return shade * g.teeth_rgb + (1 - shade) * 0.35 * g.cavity_rgb, cover


def painted_cavity_light(edge_depth: np.ndarray, v: np.ndarray, side: np.ndarray, opening: float,
                         lips_inside: float = LIPS_INSIDE_LIGHT) -> np.ndarray:
    """Light (share of the cavity's lit colour) over a painted opening.

    ``edge_depth``: 0 at the lips .. 1 some way inside; ``v``: 0 at the upper lip .. 1 at the
    lower; ``side``: |2u - 1|; ``opening``: mean inner-lip gap / mouth width; ``lips_inside``:
    the extra light on the lips' inner faces, at the edge. A wide open mouth
    is a bowl, not a hole of one depth: darkest at the throat, lighter toward the cheeks, the
    palate and the floor, and lit on the lips' inner faces (a flat fill read as a dark "O" cut
    into the face). A narrow one shows only the dark behind the teeth.
    """
    half_height = np.where(v < THROAT_V, *THROAT_HALF_HEIGHT)
    r2 = (side / THROAT_HALF_WIDTH) ** 2 + ((v - THROAT_V) / half_height) ** 2
    walls = float(smoothstep(TONGUE_START, TONGUE_FULL, opening))  # they show as the tongue does
    bowl = THROAT_LIGHT + (CAVITY_RIM_LIGHT - THROAT_LIGHT) * walls * smoothstep(0.0, 1.0, np.sqrt(r2))
    corners = 1 - (CORNER_SHADE + WIDE_CORNER_SHADE * walls) * side ** 2
    return (bowl + lips_inside * (1 - edge_depth) + 0.08 * v) * corners


def synthesized_interior(g, below_top: np.ndarray, above_bottom: np.ndarray, u: np.ndarray,
                         light: np.ndarray, opening: float, *, teeth: bool, lower_only: bool = False) -> np.ndarray:
    """(h, w, 3) float32 colours of a painted mouth interior over the opening's pixels.

    ``below_top`` / ``above_bottom``: pixels below the upper lip / above the lower lip;
    ``u`` across the mouth (0..1 corner to corner); ``light``: the cavity's light, a share of
    its lit colour (``painted_cavity_light``); ``opening``: mean
    inner-lip gap / mouth width. ``teeth``: paint teeth; ``lower_only``: only the lower row,
    for a portrait whose own upper teeth stay above this interior (whole teeth rising from
    behind the lower lip as the mouth opens, canine to canine).
    """
    side = np.abs(2 * u - 1)
    height = np.maximum(below_top + above_bottom, 1.0)
    v = np.clip(below_top / height, 0.0, 1.0)
    color = light[..., None] * g.cavity_rgb
    # Tongue: a rounded, lip-coloured hump low in a wide opening, arched (highest in the middle),
    # lit at its front and fading into the throat's shadow toward its back (up), with a faint
    # groove down its middle.
    show = float(smoothstep(TONGUE_START, TONGUE_FULL, opening))
    if show > 0.0:
        tongue_top = TONGUE_TOP + 0.45 * side ** 2
        tongue = show * smoothstep(tongue_top - 0.02, tongue_top + 0.06, v) * smoothstep(0.85, 0.6, side)
        lit = (0.45 + 0.4 * smoothstep(tongue_top, tongue_top + 0.4, v)) * (1 - 0.35 * side)
        lit = lit * (1 - 0.15 * np.exp(-(side / 0.06) ** 2))
        color = color * (1 - tongue[..., None]) + (lit[..., None] * g.tongue_rgb) * tongue[..., None]
    if not teeth:
        return color
    room = np.maximum(height - np.maximum(1.0, 0.15 * height), 0.0)  # a line of shadow below the teeth
    upper_show = 0.0 if lower_only else float(smoothstep(TEETH_START, TEETH_FULL, opening))
    if upper_show > 0.0:
        rgb, cover = _teeth_row(g, u, below_top, room, UPPER_TOOTH_HEIGHT * g.width,
                                UPPER_EDGES, UPPER_LENGTH, 1.0)
        cover = upper_show * cover
        color = color * (1 - cover[..., None]) + rgb * cover[..., None]
    lower_show = float(smoothstep(LOWER_TEETH_START, LOWER_TEETH_FULL, opening))
    if lower_show > 0.0:
        row = UNDER_OWN_TEETH if lower_only else BEHIND_THE_LIP
        if lower_only:
            # Under a portrait's own teeth the lower row rises from behind the lip as the jaw drops,
            # whole teeth: faded in by opacity it read as a grey smear.
            rgb, cover = _teeth_row(g, u, above_bottom, row.room * height, lower_show * row.tooth_height * g.width,
                                    LOWER_EDGES, None, row.brightness, gap_shade=0.03)
            cover = cover * smoothstep(*row.fade, side)
        else:
            rgb, cover = _teeth_row(g, u, above_bottom, row.room * height, row.tooth_height * g.width,
                                    LOWER_EDGES, None, row.brightness, gap_shade=0.03)
            cover = lower_show * cover * smoothstep(*row.fade, side)
        color = color * (1 - cover[..., None]) + rgb * cover[..., None]
    return color
