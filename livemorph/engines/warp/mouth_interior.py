"""A painted mouth interior: teeth rows, cavity and tongue, in the portrait's own tones.

Everything is a function of where a pixel sits in the opening -- ``u`` across the mouth (0..1,
corner to corner), pixels below the upper lip and above the lower lip -- scaled to the mouth
width, so one small patch of array maths paints any mouth. Shading follows a real mouth lit
from the front and above: teeth brightest in the middle, shadowed just under the upper lip,
widest in the middle and narrower and darker toward the corners, each a little different in
light and yellow, their free edges one smooth arc with small notches, parted by faint gaps
(never a dark outline); the cavity is lit near the lips and darkens with depth, its shadows
redder than its lit walls -- a wide one is a bowl, darkest at the throat in the middle, where it
goes a dark, dull red-brown (never a colourless black slot), its cheeks' walls a warm mid-tone;
a tongue shows only low in a wide opening, rising softly out of the throat's shadow, lit at its
front, its wet back catching the light along its top curve. The painted rows and the lower row
under a portrait's own teeth are one painter (``_arch_row``) with different tooth shapes.
"""
from __future__ import annotations

from dataclasses import astuple, dataclass

import numpy as np

import cv2

from .channels import channel_sum, in_channels, plane_times_colour
from ...easing import smoothstep

# Opening (mean inner-lip gap / mouth width) at which upper teeth start to show, and fully show;
# the lower row under a portrait's own teeth and the tongue only in a wider opening.
TEETH_START, TEETH_FULL = 0.02, 0.06
LOWER_TEETH_START, LOWER_TEETH_FULL = 0.16, 0.3
TONGUE_START, TONGUE_FULL = 0.14, 0.3
# Light of the wet sheen along the tongue's back (share of its lit colour), showing between these
# openings: in a smile's narrower one MediaPipe read it as the lower lip (the Mona Lisa's big smile
# parted 0.086 mouth widths instead of 0.092, test_warp_open_mouth). A ridge 0.07 of the opening
# tall, 0.1 below the tongue's top (narrower, the portrait's softness blurred it away).
TONGUE_SHEEN, TONGUE_SHEEN_OPENING = 0.3, (0.2, 0.3)
# The tongue is lit as the teeth above it are: it takes this power of their tint (RGB over its
# mean) -- a varnished painting's yellow (the Mona Lisa's tongue read mauve against her paint),
# nothing on a grey photo's or a photo's near-white teeth.
TONGUE_IN_TEETH_LIGHT = 0.4
# A painted row of teeth, from the middle out, as seen from the front: apparent half-widths (u)
# and lengths (share of the central incisor's) and light of each tooth. The centrals are widest,
# laterals and canines narrower and the premolars narrower still as the arch turns away from the
# viewer (a row of equal keys read as a comb), and darker toward the corners' shadow, the laterals
# (set back) a little darker than the canines beside them (an even ramp read as one strip).
UPPER_TEETH = ((0.125, 1.0, 1.0), (0.094, 0.9, 0.91), (0.075, 0.93, 0.95), (0.056, 0.8, 0.84),
               (0.044, 0.7, 0.8), (0.035, 0.62, 0.74))
LOWER_TEETH = ((0.058, 1.0, 1.0), (0.06, 0.97, 0.95), (0.055, 0.9, 0.88), (0.042, 0.75, 0.8))
# The incisal edge follows the lip in one smooth arc; between two teeth it dips in a small notch
# (an embrasure) this share of the tooth's length deep, deeper toward the canines, and this share
# of the tooth's width wide (a deep square notch at every boundary read as a sawtooth).
EMBRASURE_DEPTH, EMBRASURE_DEPTH_SIDE, EMBRASURE_WIDTH = 0.06, 0.1, 0.25
# The upper lip's shadow on the teeth: their light at the root, rising to full over this share of
# their length (at 0.7 the row's top edge was as bright as its middle right under the lip: an even
# strip "inserted" into the mouth, Grace Hopper's dentures). 0.35 of the length kept the longer
# middle of the smooth arc in shadow further down: a greyer row under the lip.
ROOT_LIGHT, ROOT_SHADOW = 0.5, 0.3
CORNER_SHADE = 0.55  # the row's light lost toward the corners' shadow (at 0.45 the ends stayed lit)
# No two teeth are alike: each one's light (from the middle out, the viewer's left half then the
# right) -- set a little back or turned -- and how much more of the teeth's own tint it has (the
# canines most: their dentine shows through; a grey photo's teeth stay grey). Teeth of one light
# read as a bar of dentures (Grace Hopper's, lisa3's glowing bar).
TOOTH_LIGHT = ((1.0, 0.91, 1.0, 0.88, 0.94, 0.9, 0.9), (1.0, 0.96, 0.91, 0.93, 0.88, 0.94, 0.9))
TOOTH_TINT = (0.05, 0.15, 0.3, 0.2, 0.2, 0.2, 0.2)  # more of the teeth's own tint: tint ** (1 + this)
GAP_FULL_AT_PX = 12.0  # teeth this wide (px) show the full line between them and their full roundness
# The line between two painted upper teeth in a photo: (its shade, how much more it has at the
# teeth's free edge, the least share of it on small teeth, its half-width in px between these), the
# half-width this share of the mouth width. A real laugh's front teeth (pexels_woman_laughing, a
# 90-100 px mouth) part in lines 0.07-0.20 of their light darker, 2-3 px wide: 0.15 of it at a
# portrait's mouth width (test_warp_smile_teeth_gaps). A 0.06 shade, 0.3 of it on small teeth, 0.7 px,
# drew 0.3 of that on Grace Hopper and 0.25 on lisa3: "one flat grey band with no gaps between teeth,
# like a pasted-in denture strip" (review 19); now 0.7 and 0.6. Toward the free edge it goes back
# to 0.18 (darker there it drew notches into london_092's incisal edge: test_warp_painted_teeth_shape).
UPPER_GAP, UPPER_GAP_WIDTH = (0.3, -0.12, 1.0, (1.0, 1.6)), 0.016
# In a varnished painting (``MouthGeometry.painting``) teeth are soft shapes and the line between them
# faint, as before (at a photo's line the Mona Lisa's read as corn kernels again).
PAINTING_GAP = (0.06, 0.12, 0.3, 0.7)
# (more shape here left more of the cavity's red in a smile's opening: the Mona Lisa's teeth b*
# 35.8 < 36.2, test_warp_smile)
SHAPE_IN_SHORT_ROOM = 0.4
# Under a portrait's own upper teeth the lower row rises as the gap under them opens (mouth widths: from
# the first value on, whole teeth at the second), its edges at most this share of the gap tall. By the
# whole opening alone (``LOWER_TEETH_START``: the own teeth's height counted in) a grin with short
# teeth parting as in talk showed a flat dark band over its lower lip, "a dark slab" (Trump, the
# astronaut at AU25 +1.0-2.5; with the lower row's edges preferred 8 of 8 in a blind A/B).
LOWER_UNDER_OWN_SHOWS, LOWER_UNDER_OWN_SHARE = (0.01, 0.06), 0.45
# ... and the tongue shows in that gap as it opens (from the first value on, fully at the second)
# (``TONGUE_UNDER_OWN_TEETH``). Only with the walls (the whole opening), it was hidden behind the lower
# row: the gap "a flat, even dark-maroon slab" in talk (lit, preferred 22 of 24 in a blind A/B, 1
# against; a real laugh's tongue fills the lower half of that gap, lit: pexels_woman_laughing frame 300).
TONGUE_UNDER_OWN = (0.03, 0.1)
# A gap this tall (mouth widths: from the first value on, fully at the second) is a jaw drop's, not
# talk's: the tongue lies low in it, in the throat's shade, as in a painted mouth (lit high in Obama's
# jaw drop, the darker 60 % of the opening under his teeth was at L* 39, a real one's under 30:
# test_warp_own_teeth_jaw). Through the puppet, talk and laughs open the gap 0.06-0.23, jaw drops
# 0.28-0.37.
TONGUE_LOW_FROM_GAP = (0.22, 0.32)
UPPER_TOOTH_HEIGHT = 0.13  # central incisor, fraction of the mouth width


@dataclass(frozen=True)
class Bowl:
    """The cavity of an opening, as a share of its lit colour: the throat, the deepest part of an
    open mouth (centred ``THROAT_V`` down the opening, between the upper teeth and the tongue,
    with ``THROAT_HALF_WIDTH`` across, in |2u - 1|, and ``THROAT_HALF_HEIGHT`` up and down, in
    shares of the opening's height: the palate above it is in the upper teeth's shadow), is
    ``throat`` (``deep_throat`` once the walls show); the cheeks and the floor around it
    ``rim``, and the lips' inner faces ``lips_inside`` more. The corners (the cheeks' inner walls) lose ``corner`` of it, and
    ``wide_corner`` more in a wide opening (deep in the cheeks). ``deep_black``: how dark a part of
    it must be to go to the dull deep (``synthesized_interior``)."""

    throat: float
    deep_throat: float  # the throat in a wide opening (a narrow one shows only the dark behind the teeth)
    rim: float
    lips_inside: float
    deep_black: tuple[float, float]  # darkness where its deep starts and is full (``DEEP_BLACK``)
    corner: float = 0.35
    wide_corner: float = 0.2


# The throat is wide and shallow. (At 0.55 across and 0.7 up its dark reached the corners and the
# teeth: one dark band under the upper row, a "slot"; the palate under the teeth now half-lit. At
# 0.48 across and (0.45, 0.35) up and down the darkest twentieth of a wide painted jaw drop was a
# column hanging from the teeth, 0.86 and 1.30 times as wide as tall on the Mona Lisa and london_092,
# "a dark vertical stripe ... like a seam" to two blind reviewers, where a real "O" is darkest in a
# broad band under its upper teeth (woman_expressions 308: 2.8); now 2.46 and 3.14,
# test_warp_jaw_drop_interior. Under a portrait's own teeth it was a notch, "a dark vertical streak
# ... like a rendering seam", the new preferred on 6 of 6 in a blind review, session 41.)
THROAT_V, THROAT_HALF_WIDTH, THROAT_HALF_HEIGHT = 0.42, 0.9, (0.3, 0.25)
# Deep inside, little light comes back, and what does is a dull warm brown: the cavity's darker
# parts (darkness: 1 - their light over the opening's brightest, from the first value on, fully at
# the second) lose up to this share of their light and this share of their colour. The redder
# shadows alone gave a flat saturated maroon (the Mona Lisa's deep L* 13 at chroma 24, london_092's
# 12 at 22); losing 0.7 of their light and 0.9 of their colour, a black slot under the upper teeth
# (L* 3, chroma under 1, darker than anything in the face: "a hole in a sepia painting"). Real
# open mouths' darkest fifth (Obama's, Trump's own) keep chroma 0.6-1.0 of their L*; the painted
# deep now 0.65-1.1 (test_warp_jaw_drop_interior). Darkened by a share of their light, not set to
# one black, the bowl keeps its gradient (at one black london_092's was a flat dark fill).
DEEP_BLACK, DEEP_BLACK_SHARE, DEEP_GREY = (0.4, 0.9), 0.55, 0.65
# Darkness from 0.1 on (fully at 0.8) darkened the cheeks' walls too: the whole opening under the
# teeth one dark band (a "slot"), the Mona Lisa's at L* 3-6 from corner to corner. From 0.4 on only
# the throat's core is the deep; the walls keep a warm mid-tone. Under a portrait's own teeth the
# cavity is the rest of its own dark opening and stays darker further out (from 0.1 on, lit walls
# there lifted the synthetic face's opening past half its skin: test_warp_engine). With the wide
# throat it starts at 0.2 and the deep is no deeper than the throat: from 0.1, deep at 0.14, the
# band under the teeth's shadow went black (deep L* 0.34 of Obama's face's darkest, 0.39 of
# Trump's; deep at 0.2 alone 0.42 and 0.45; both now 0.49, the narrow throat's 0.50 and 0.53).
OWN_DEEP_BLACK = (0.2, 0.85)
# Under a portrait's own teeth: the lip's own pixels mostly show the lips' inner faces (a deep
# throat of 0.1 left Obama's jaw drop a black slot under his teeth: L* 0.25 of his face's darkest).
OWN_TEETH_BOWL = Bowl(throat=0.2, deep_throat=0.2, rim=0.4, lips_inside=0.1, deep_black=OWN_DEEP_BLACK)
# Light that bounces around a red cavity comes back redder each time: its shadows are a deeper
# red than its lit walls, not the walls' colour dimmed (under a portrait's own teeth that read as
# a brown box, and a painted one a flat grey-brown on Grace Hopper). The cavity's hue spread grows
# by up to this share of itself in the dark: under a portrait's own teeth always, in a painted
# mouth as its walls show (redder shadows in a smile's narrow opening read to MediaPipe as lip: the
# Mona Lisa's big smile parted 0.085 mouth widths instead of 0.098, test_warp_open_mouth).
DEEP_RED = 1.0
# A painted mouth: its throat deepens as it opens wide, under walls twice as bright. Brighter
# walls (0.42, with its warm red-brown) read to MediaPipe as lips: the Mona Lisa's AU26 +3 read
# back +0.99 instead of +1.5; darker ones left the synthetic face's cavity a black hole.
PAINTED_BOWL = Bowl(throat=0.2, deep_throat=0.16, rim=0.32, lips_inside=0.3, deep_black=DEEP_BLACK)
# The corners are the cheeks' inner walls, close to the lips, not the deep: there it fades out
# between these |2u - 1| (greyed to the last pixel, lisa3's corners were crisper than her own:
# edge contrast 6.3 against the 6.2 allowed, test_warp_mouth_corners).
DEEP_SIDE = (0.5, 0.9)
# ... over this share of the picture's own black (a grey photo's or a flat texture's lifted blacks:
# the mouth stays within the picture's tones; one floor under the deep flattened it again).
DEEP_FLOOR = 0.35
# A wide-open mouth's inside in shade is a dull red-brown: no channel strays further than this
# share of the colour's mean from it, as the walls show (its lit walls' red, deepened in the dark
# at full strength, drew london_092's opening with a saturated red rim, and a maroon band around
# Obama's throat; in a smile's narrow opening it cooled the Mona Lisa's teeth, test_warp_smile).
DEEP_SATURATION = 0.45


@dataclass(frozen=True)
class TongueLook:
    """Where a painted tongue lies and how it is lit, in shares of the height it lies in (the
    opening's; under a portrait's own teeth, the gap under them): its back ``top`` of the way down in
    the middle, falling ``arch`` x (2u - 1)^2 toward the corners, rising out of the shade over
    ``rise``; fading out sideways from |2u - 1| ``edge`` to ``wide``; lit at ``back`` of its colour,
    ``front`` more toward its front, losing ``sides`` of that toward the corners."""

    top: float
    arch: float
    rise: float
    wide: float
    edge: float
    back: float
    front: float
    sides: float

    def toward(self, other: "TongueLook", share: float) -> "TongueLook":
        """This look ``share`` (0..1) of the way to ``other``'s."""
        return TongueLook(*(a + share * (b - a) for a, b in zip(astuple(self), astuple(other))))


# A painted mouth's: low in a wide opening, rising out of the throat's shadow over 0.18 of it.
PAINTED_TONGUE = TongueLook(top=0.56, arch=0.45, rise=0.18, wide=0.85, edge=0.6, back=0.4, front=0.4, sides=0.35)
# Under a portrait's own upper teeth, in the gap under them: high in it and lit brighter; rising softly,
# its wet sheen left out (over 0.18, with the sheen, its top was "a bright pink line like a second lip":
# soft, preferred 15 to 1, 7 the same, in a blind A/B); a rounded mound in the middle, the cheeks' sides
# in shade (as wide as the painted mouth's, "an evenly lit pink band reaching both edges": the mound
# preferred 17 to 4, 1 the same; the 4 close calls in jaw drops and laughs).
TONGUE_UNDER_OWN_TEETH = TongueLook(top=0.3, arch=0.9, rise=0.4, wide=0.7, edge=0.35, back=0.7, front=0.25,
                                    sides=0.6)


@dataclass(frozen=True)
class LowerRow:
    teeth: tuple  # the row from the middle out (``LOWER_TEETH``)
    room: float  # share of the opening's height the row may take, from the lower lip up
    tooth_height: float  # central incisor, fraction of the mouth width
    brightness: float  # relative to the upper row
    shows: tuple[float, float]  # opening (gap / mouth width) at which it starts to show, and fully shows
    fade: tuple[float, float] | None = None  # own row: |2u - 1| where it starts fading toward the corners, and is gone
    notch: float = 0.0  # tips rounding off deeper than the embrasures (``_arch_row``)
    gap_line: float = 0.06  # shade of the line between two teeth
    root_light: float = ROOT_LIGHT  # light where the teeth meet the lip, full over ROOT_SHADOW of their length


# Behind the lower lip, under painted upper teeth: a few incisor edges in the middle.
# In a broad smile the lower incisors' edges show above the lip before the jaw drops far.
BEHIND_THE_LIP = LowerRow(teeth=LOWER_TEETH, room=0.3, tooth_height=0.05, brightness=0.75, shows=(0.1, 0.24))
# Under a portrait's own upper row: its lips are parted over its teeth, so canine to canine shows,
# whole teeth with rounded tips and clear lines between them (at a 0.03 line and 0.3 rounding the
# row read as one grey strip), lit down to the lip: lower teeth stand clear of it, no lip hangs over
# them. (Shaded at their roots as upper teeth are under their lip, to half their light, and their
# tips rounded 0.4 deep, they were "a string of beads floating over a grey band": seated, they were
# preferred 23 of 24 in a blind A/B, test_warp_grin_jaw.)
UNDER_OWN_TEETH = LowerRow(teeth=LOWER_TEETH + ((0.04, 0.7, 0.75), (0.035, 0.6, 0.7)), room=0.3, tooth_height=0.055,
                           brightness=0.95,
                           shows=(LOWER_TEETH_START, LOWER_TEETH_FULL), fade=(0.6, 0.4), notch=0.2, gap_line=0.25,
                           root_light=0.85)


def _arch_row(g, u, depth_px, room, length_px, teeth, brightness, fade, *, notch=0.0, gap_line=0.06,
              gap_tip=0.12, gap_small_floor=0.3, gap_px=0.7, root_light=ROOT_LIGHT):
    """Colour (h, w, 3) and coverage (h, w) of a painted row of teeth growing ``depth_px`` away
    from its lip; ``room``: opening pixels available in each column; ``teeth``: the row from the
    middle out (``UPPER_TEETH``); ``fade``: over how much of |2u - 1| its outer end fades;
    ``notch``: how much deeper than an embrasure each tip rounds off toward its neighbours (share
    of its length); ``gap_line``: the shade of the line between two teeth (``gap_tip`` more at their
    free edge), at least ``gap_small_floor`` of it on small teeth, ``gap_px`` wide; ``root_light``:
    their light where they meet their lip (``ROOT_LIGHT``)."""
    half, lengths, lights = (np.asarray(column) for column in zip(*teeth))
    outer = np.cumsum(half)  # each tooth's outer boundary, in |u - 1/2|
    d = np.abs(u[0] - 0.5)
    side = 2 * d
    index = np.minimum(np.searchsorted(outer, d), len(half) - 1)
    within = 2 * np.clip((d - (outer[index] - half[index])) / half[index], 0.0, 1.0) - 1  # -1..1 across it
    to_gap = np.min(np.abs(d[:, None] - np.concatenate([[0.0], outer])[None, :]), axis=1)
    # One smooth incisal arc, each tooth's own length eased into the next (no steps), small notches
    # (deeper, rounded tips where ``notch`` asks for them).
    length = length_px * np.interp(d, outer - half / 2, lengths) * (1 - 0.12 * side ** 2)
    embrasure = (EMBRASURE_DEPTH + EMBRASURE_DEPTH_SIDE * side) * np.exp(-(to_gap / (EMBRASURE_WIDTH * half[index])) ** 2)
    length = length * (1 - embrasure) * (1 - notch * within ** 4)
    # An opening shorter than the teeth still shows some of their shape: the room for each tooth
    # keeps ``SHAPE_IN_SHORT_ROOM`` of its shortfall from the central's (clipped to the room, a
    # barely parted smile showed one flat strip over a dark line).
    shape = (length / max(length_px, 1e-3))[None, :]
    length = np.minimum(length_px * shape, room * (1 - SHAPE_IN_SHORT_ROOM * (1 - shape)))
    end = 2 * float(outer[-1])  # |2u - 1| where the row ends, its last teeth lost in the corners' shadow
    cover = smoothstep(length + 0.7, length - 0.7, depth_px) * smoothstep(end, end - fade, side)[None, :]
    # Shade: the lip's shadow over the roots, slightly translucent tips, each tooth flat across its
    # face and rounding off at its sides (rounded all across, the wide centrals dimmed the middle), a
    # faint line between teeth (a little stronger toward the free edge), darker toward the corners.
    along = depth_px / np.maximum(length, 1.0)
    vertical = ((root_light + (1 - root_light) * smoothstep(0.0, ROOT_SHADOW, along))
                * (1 - 0.1 * smoothstep(0.6, 1.0, along)))
    # (both fainter on small teeth, where a line a pixel wide is a large share of each: Mona Lisa's)
    small = np.clip(half[index] * g.width / GAP_FULL_AT_PX, 0.3, 1.0)
    gap = ((gap_line + gap_tip * smoothstep(0.4, 1.0, along))
           * (np.maximum(small, gap_small_floor) * np.exp(-(to_gap * g.width / gap_px) ** 2))[None, :])
    across = (1 - 0.2 * small * within ** 4) * lights[index] * (1 - CORNER_SHADE * smoothstep(0.25, 0.8, side))
    shade = brightness * vertical * (1 - gap) * across[None, :]
    # Shaded enamel picks up the mouth's own warm (or grey) light rather than going to black
    # (in the teeth's own hue, darkened, a varnished painting's cream teeth went olive).
    # Each tooth its own light and yellow, over its whole face (through the cavity's light in the
    # shade above, the darker teeth took its red and cooled the Mona Lisa's: test_warp_smile).
    own = np.where(u[0] < 0.5, np.take(TOOTH_LIGHT[0], index, mode="clip"), np.take(TOOTH_LIGHT[1], index, mode="clip"))
    yellower = teeth_tint(g.teeth_rgb)[None, :] ** np.take(TOOTH_TINT, index, mode="clip")[:, None]
    per_column = own[:, None] * yellower / yellower.mean(axis=1, keepdims=True)  # (w, 3)
    # Channel by channel on whole planes, each column's factor applied to its own: the values of
    # (shade[..., None] * teeth + ...) * per_column[None] (channels.py), in one merge.
    unshaded = (1 - shade) * 0.35
    return cv2.merge([(shade * g.teeth_rgb[c] + unshaded * g.cavity_rgb[c]) * per_column[:, c] for c in range(3)]), cover


def walls_show(opening: float) -> float:
    """0..1: how far a mouth this open (inner-lip gap over mouth width) shows its inside -- the
    cavity's walls, the tongue, the dark deep -- rather than the dark behind parted teeth."""
    return float(smoothstep(TONGUE_START, TONGUE_FULL, opening))


def painted_cavity_light(edge_depth: np.ndarray, v: np.ndarray, side: np.ndarray, opening: float,
                         bowl: Bowl = PAINTED_BOWL) -> np.ndarray:
    """Light (share of the cavity's lit colour) over a painted opening.

    ``edge_depth``: 0 at the lips .. 1 some way inside; ``v``: 0 at the upper lip .. 1 at the
    lower; ``side``: |2u - 1|; ``opening``: mean inner-lip gap / mouth width. A wide open mouth
    is a bowl, not a hole of one depth: darkest at the throat, lighter toward the cheeks, the
    palate and the floor, and lit on the lips' inner faces (a flat fill read as a dark "O" cut
    into the face). A narrow one shows only the dark behind the teeth.
    """
    half_height = np.where(v < THROAT_V, *THROAT_HALF_HEIGHT)
    r2 = (side / THROAT_HALF_WIDTH) ** 2 + ((v - THROAT_V) / half_height) ** 2
    walls = walls_show(opening)
    throat = bowl.throat + (bowl.deep_throat - bowl.throat) * walls
    light = throat + (bowl.rim - throat) * walls * smoothstep(0.0, 1.0, np.sqrt(r2))
    corners = 1 - (bowl.corner + bowl.wide_corner * walls) * side ** 2
    return (light + bowl.lips_inside * (1 - edge_depth) + 0.08 * v) * corners


def synthesized_interior(g, below_top: np.ndarray, above_bottom: np.ndarray, u: np.ndarray,
                         light: np.ndarray, opening: float, *, teeth: bool, lower_only: bool = False,
                         deep_red: float = DEEP_RED, bowl: Bowl = PAINTED_BOWL,
                         gap_under_own_teeth: float = 0.0, v_under_own_teeth: np.ndarray | None = None) -> np.ndarray:
    """(h, w, 3) float32 colours of a painted mouth interior over the opening's pixels.

    ``below_top`` / ``above_bottom``: pixels below the upper lip / above the lower lip;
    ``u`` across the mouth (0..1 corner to corner); ``light``: the cavity's light, a share of
    its lit colour (``painted_cavity_light``); ``opening``: mean
    inner-lip gap / mouth width. ``teeth``: paint teeth; ``lower_only``: only the lower row,
    for a portrait whose own upper teeth stay above this interior (whole teeth rising from
    behind the lower lip as the mouth opens, canine to canine). ``deep_red``: how much redder
    than its lit walls the cavity's shadows are (``DEEP_RED``); ``bowl``: the cavity's settings (the
    one ``light`` was worked out with); ``gap_under_own_teeth``: with ``lower_only``, how far the gap
    under the portrait's own upper teeth is open (mouth widths): the lower row rises as it opens too
    (``LOWER_UNDER_OWN_SHOWS``), and the tongue shows in it (``TONGUE_UNDER_OWN``), lying by
    ``v_under_own_teeth``: each pixel's place down that gap (0 at the teeth's edge .. 1 at the lower lip).
    """
    side = np.abs(2 * u - 1)
    height = np.maximum(below_top + above_bottom, 1.0)
    v = np.clip(below_top / height, 0.0, 1.0)
    mean = float(g.cavity_rgb.mean())
    tint = g.cavity_rgb / max(mean, 1.0)
    darkness = np.clip(1.0 - light / max(float(light.max()), 1e-3), 0.0, 1.0)
    # Channel by channel on whole planes (the same values as broadcasting (h, w, 1) against (3,): channels.py).
    exponent = 1.0 + deep_red * darkness
    redder = [base ** exponent for base in np.maximum(tint, 1e-3)]
    lit_mean = light * mean
    mean_redder = (redder[0] + redder[1] + redder[2]) / 3
    color = cv2.merge([lit_mean * channel / mean_redder for channel in redder])
    # Deep inside, dark and dull (``DEEP_BLACK``), in a wide opening as its walls show (in a smile's
    # narrow one, greyed, the dark between the teeth cooled the Mona Lisa's teeth to b* 35.2 against
    # her lightest skin's 41.2, test_warp_smile). A smile's narrow opening shows no walls: nothing to do.
    walls = walls_show(opening)
    if walls > 0.0:
        deep = walls * smoothstep(*bowl.deep_black, darkness) * smoothstep(DEEP_SIDE[1], DEEP_SIDE[0], side)
        color = color + in_channels(DEEP_GREY * deep) * (in_channels(channel_sum(color) / 3) - color)
        color = color * in_channels(1 - DEEP_BLACK_SHARE * deep) + DEEP_FLOOR * walls * g.black
        color = color + walls * (_no_more_saturated_than(color, DEEP_SATURATION) - color)
    # Tongue: a rounded, lip-coloured hump low in a wide opening, arched (highest in the middle),
    # lit at its front and fading into the throat's shadow toward its back (up). (A groove down
    # its middle, 0.15 darker over 0.06 of |2u - 1|, read as a seam down the mouth: 5-6 grey
    # levels under the profile beside it on london_092 and Grace Hopper.) It shows as the walls do,
    # rising out of the throat's shadow over 0.18 of the opening (over 0.08 its top cut the dark
    # off in a hard line: the lower edge of a "slot").
    # Under a portrait's own upper teeth it lies in the gap under them, shows as that gap opens and is
    # lit brighter (``TONGUE_UNDER_OWN``, ``TONGUE_UNDER_OWN_TEETH``).
    under_own = lower_only and v_under_own_teeth is not None
    tongue_shows = max(walls, float(smoothstep(*TONGUE_UNDER_OWN, gap_under_own_teeth))) if under_own else walls
    if tongue_shows > 0.0:
        tv = v_under_own_teeth if under_own else v
        # (In a wide jaw drop it lies low and in the throat's shade again, as in a painted mouth.)
        own = 1.0 - float(smoothstep(*TONGUE_LOW_FROM_GAP, gap_under_own_teeth)) if under_own else 0.0
        look = PAINTED_TONGUE.toward(TONGUE_UNDER_OWN_TEETH, own)
        tongue_top = look.top + look.arch * side ** 2
        tongue = (tongue_shows * smoothstep(tongue_top - look.rise / 3, tongue_top + 2 * look.rise / 3, tv)
                  * smoothstep(look.wide, look.edge, side))
        lit = (look.back + look.front * smoothstep(tongue_top, tongue_top + 0.4, tv)) * (1 - look.sides * side)
        # Its wet back catches the light from the front just behind its top curve: the tongue's
        # outline against the throat (fading into the throat, a wide mouth read as one dark gradient).
        # Not under the own teeth, in talk (``TONGUE_UNDER_OWN_TEETH``) nor in a jaw drop: over the own
        # lower row it was "a thin light reddish stripe curving just above the lower teeth, like the
        # edge of a flat slab" (left out, preferred 12 to 3, 5 the same, in a blind A/B of jaw drops).
        sheen = 0.0 if under_own else TONGUE_SHEEN * float(smoothstep(*TONGUE_SHEEN_OPENING, opening))
        if sheen > 0.0:
            lit = lit + sheen * np.exp(-((tv - tongue_top - 0.1) / 0.07) ** 2)
        color = color * in_channels(1 - tongue) + plane_times_colour(lit, g.tongue_rgb) * in_channels(tongue)
    if not teeth:
        return color
    room = np.maximum(height - np.maximum(1.0, 0.15 * height), 0.0)  # a line of shadow below the teeth
    upper_show = 0.0 if lower_only else float(smoothstep(TEETH_START, TEETH_FULL, opening))
    if upper_show > 0.0:
        photo_gap = UPPER_GAP[:3] + (float(np.clip(UPPER_GAP_WIDTH * g.width, *UPPER_GAP[3])),)
        gap_line, gap_tip, gap_small_floor, gap_px = (a + g.painting * (b - a) for a, b in zip(photo_gap, PAINTING_GAP))
        rgb, cover = _arch_row(g, u, below_top, room, UPPER_TOOTH_HEIGHT * g.width, UPPER_TEETH, 1.0, 0.12,
                               gap_line=gap_line, gap_tip=gap_tip, gap_small_floor=gap_small_floor, gap_px=gap_px)
        cover = upper_show * cover
        color = color * in_channels(1 - cover) + rgb * in_channels(cover)
    row = UNDER_OWN_TEETH if lower_only else BEHIND_THE_LIP
    lower_length = float(smoothstep(*row.shows, opening)) * row.tooth_height
    if lower_only:
        rising = float(smoothstep(*LOWER_UNDER_OWN_SHOWS, gap_under_own_teeth))
        lower_length = max(lower_length, rising * min(row.tooth_height, LOWER_UNDER_OWN_SHARE * gap_under_own_teeth))
    lower_length *= g.width
    if lower_length > 0.0:
        # Its teeth rise from behind the lip as the mouth opens, whole (faded in, a grey bar).
        rgb, cover = _arch_row(g, u, above_bottom, row.room * height, lower_length,
                               row.teeth, row.brightness, 0.2, notch=row.notch, gap_line=row.gap_line,
                               root_light=row.root_light)
        if row.fade is not None:
            cover = cover * smoothstep(*row.fade, side)
        color = color * in_channels(1 - cover) + rgb * in_channels(cover)
    return color


def _no_more_saturated_than(color: np.ndarray, share: float) -> np.ndarray:
    """``color`` (h, w, 3) with each pixel's spread about its channel mean at most ``share`` of
    that mean (hue and mean kept)."""
    mean = channel_sum(color) / 3
    mean3 = in_channels(mean)
    off = np.abs(color - mean3)
    # The largest of three whole planes (a max over the short last axis costs ~20x: channels.py).
    spread = np.maximum(np.maximum(off[..., 0], off[..., 1]), off[..., 2])
    return mean3 + (color - mean3) * in_channels(np.minimum(1.0, share * mean / np.maximum(spread, 1e-3)))


def teeth_tint(teeth_rgb: np.ndarray) -> np.ndarray:
    """(3,) the teeth's tint: their colour over its mean (the light, and varnish, they are in)."""
    return np.maximum(teeth_rgb / max(float(teeth_rgb.mean()), 1.0), 1e-3)


def tongue_in_the_teeths_light(tongue_rgb: np.ndarray, teeth_rgb: np.ndarray) -> np.ndarray:
    """(3,) the tongue's colour under the light (and varnish) the teeth show (``TONGUE_IN_TEETH_LIGHT``)."""
    tint = teeth_tint(teeth_rgb) ** TONGUE_IN_TEETH_LIGHT
    return tongue_rgb * tint / float(tint.mean())
