"""How far a jaw drop and a smile may go on this portrait, so the mouth stays this face's mouth.

Jaw: the lower lip rides on the jaw, and the chin with it. On a driver (woman_expressions.mp4
at its jawOpen peak) the lower lip, the lip's lower edge and the chin all go down by the same
0.37 eye-distances. The warp cannot always move the chin that far: below it a collar or the
frame edge holds the neck band (see ``silhouette``), and the lip then ran on into a chin that
stayed, squeezing the skin between them into a long, folded lower face with a flat slot of a
mouth. So the jaw drop eases toward the opening at which that skin has given
``warp.jaw_squeeze`` of its height: where the chin cannot go down, the mouth opens less.

Smile: the mouth corners rise relative to the lip centre, but within what a face does. Drivers
measured with MediaPipe (corner lift over mouth width): a broad smile 0.13, a full laugh 0.195
(pexels_woman_laughing.mp4, mouthSmile 0.98). py-feat's AU12 plus the warp's extra corner lift
reach 0.3+ at AU12 +3..5 (a U-shaped mouth line swinging up past the cheeks), so the lift eases
toward ``SMILE_LIFT_MAX`` and the corners are pulled back down (the mouth still widens). The lips
stretch thin as they do (``thin_smiling_lips``).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...face.lip_contours import LOWER_INNER, LOWER_OUTER, UPPER_INNER, UPPER_OUTER
from ...aus import AU
from ...face.tracking import OUTER_EYE_CORNERS
from .au_mesh import CHIN, LIP_BOTTOM, LOWER_LIP, NOSE_BASE, NOSE_TIP, UPPER_LIP_CENTRE, UPPER_LIP_TOP
from .direction import unit
from ...easing import ease_toward, smoothstep

CORNERS = (61, 291)
AU10, AU12 = int(AU.AU10), int(AU.AU12)
JAW_KNEE = 0.5  # the jaw drop eases from this share of its limit on
# The chin region moves with the lip's lower edge in a jaw drop: fully from this share of the
# way down from that edge to the chin, over a Gaussian this many mouth widths wide sideways.
CHIN_FOLLOW_FROM = 0.35
CHIN_FOLLOW_SPREAD = 0.6
# Corner lift over mouth width: the most a smile draws, and where the easing starts
# (a share of the way from the portrait's own lift to the most).
SMILE_LIFT_MAX = 0.2
SMILE_LIFT_KNEE = 0.5
SMILE_LIFT_ROOM = 0.04  # a portrait that already smiles that much still gets this much more
CORNER_REACH = 0.2  # the corners' pull-back fades over this share of the mouth width
# Lips parted in a smile part mostly upward: the upper lip rises off the teeth (a laughing
# driver's upper lip rose 0.08-0.2 eye-distances while the lower lip barely dropped). Upper-lip
# rise, mouth widths, per unit of AU25 at a full smile (AU12 +SMILE_FULL_AT); a laugh beyond it
# lifts the upper lip further, up to SMILE_PARTING_MAX_SHARE times that at AU12 +5 (drivers'
# upper lip at a laugh's peak: 0.11-0.37 mouth widths).
SMILE_PARTING = 0.06
SMILE_FULL_AT = 3.0
SMILE_PARTING_MAX_SHARE = 1.6
# The skin between the nose base and the upper lip (the philtrum) is squeezed by a smile's rise
# of the mouth and a laugh's lift of the upper lip; on drivers it kept 0.77-0.80 of its height at
# a smile's peak, lips parted or not (their nose base rose too). The squeeze eases from
# PHILTRUM_KNEE of its height on toward leaving PHILTRUM_KEEP of it: the mouth (both lips:
# their parting stays) goes down by the rest. Unbounded, a laugh with parted lips left a London
# portrait 0.17 of it (the upper lip jammed under the nose; 0.5-0.55 before the smile's rise);
# 0.72 cost the Mona Lisa's laugh a tenth of the smile MediaPipe reads on it.
PHILTRUM_KEEP = 0.6
PHILTRUM_KNEE = 0.25  # squeeze (a share of the height) up to which nothing is eased
OWN_TEETH_GAP = 0.05  # lips resting further apart (gap over mouth width) show the portrait's own teeth
# A smile stretches the lips thin. Drivers (MediaPipe, along the face's up, eye spans; rest -> AU12
# over +1.5): the upper lip (0 -> 13) 0.070 -> 0.052 on woman_blinks, 0.062 -> 0.050 on
# man_smiling_short, 0.062 -> 0.053 at woman_expressions' AU12 +0.5..1.5; the lower (14 -> 17)
# 0.121 -> 0.103 and 0.105 -> 0.090; woman_blinks' mostly by AU12 +0.6. Drawn, the portraits' lips
# kept their height and the lower one grew (woman_blinks' broad smile: London 042's lower lip 8 %
# thicker, London 092's 9 %, lisa3's 10 %): a thick mouth bent into a crescent ("deep U-shaped
# crescent", review, session 64). The shares of each lip's height a full smile takes (upper,
# lower); drawn, woman_blinks' broad smile (AU12 +2.05) thins the closed-lipped portraits' upper
# lips 14-33 % (hers 26 %) and their lower ones 9-19 % (hers 15 %).
LIPS_THIN = (0.18, 0.30)
LIPS_THIN_BY = 1.0  # ... whole by this AU12 change, as the drivers' nearly are
LIPS_THIN_SKIN = 1.0  # lip heights over which the skin beyond each lip's outer edge follows it
# Closed-lipped portraits only, their lips parted or not. Thinned as the session-64 prototype did
# (the seam rising toward the upper lip's outer edge, the lower lip with it), a laugh's opening
# shrank (London 042's lips parted 0.75x as far as man_smiling_short's), MediaPipe read less of its
# smile (lisa3's laugh: mouthSmile +0.44 against the driver's +0.68), a toothy smile bared a dark
# band above the teeth (Trump) and the Mona Lisa's upper lip nearly vanished over hers. Thinned as
# here, laughs look as before but for thinner lips (review, session 65); MediaPipe reads their
# opening a little smaller (bench lipGap, pexels_woman_laughing and man_smiling_short: London 042
# 0.80-0.87x the drivers', was 0.95-1.09x; the Mona Lisa 0.75-0.87x, was 0.85-0.96x). Let go as the
# lips part instead, the lips thickened as a laugh began and its opening read no larger (London 042
# 0.77-0.83x).
# A grin let go entirely draws its mesh corners this far (mouth widths) below the lip centre:
# the grin's own upturned corner pixels ride on them, and at level mesh corners MediaPipe still
# read Trump's corners +0.05 above the centre (a driver's round "O": -0.006).
RELEASED_CORNERS_BELOW = 0.03
UPPER_LIP = UPPER_OUTER[1:-1] + UPPER_INNER[1:-1]  # both edges of the upper lip, corners left out
# A jaw drop hangs from the skull: on a driver dropping her jaw (woman_expressions.mp4 frame 308,
# MediaPipe, eyes aligned) the nose base rose 0.03 eye distances and the upper lip went down
# 0.00-0.03 while the lower lip went 0.19-0.22 (upper over lower 0.00-0.14). The warp drew the
# Mona Lisa's nose base 0.03 and upper lip 0.09 down (0.29 of her lower lip's travel; about
# half from py-feat's AU26, half from her smile released as the jaw drops), and her opening
# started well below her mouth line. In a jaw drop the upper lip gives back this share of its
# downward motion, the skin above it more, the nose base and above all of it (``jaw_hold``).
JAW_HOLD_AT_LIP = 0.6
# A wide jaw drop (py-feat AU26 over WIDE_JAW, the driver's "O" eases to 1.5-2.0) holds the upper
# lip whole, as the driver's (0.00-0.03 eye distances): its shoulders arched (``arch_the_opening``),
# 0.6 let MediaPipe read Grace Hopper's upper lip 0.17-0.20 of her lower lip's way down. Small
# openings keep 0.6 (a whole hold there read London 042's lip edge lower and her chin 0.70 behind it).
JAW_HOLD_AT_LIP_WIDE = 1.0
WIDE_JAW = (0.8, 1.4)
JAW_HOLD_LINE = 0.08  # mouth widths over which the hold fades in across the mouth line (beside the lips)
NOSE_HOLD_AT_LIP = 0.3  # ... and the share of it the upper lip gives back
NOSE_HOLD_FULL_AT = 0.2  # share of its resting smile let go from which the nose is held whole (``nose_hold``)
# Held in its middle while its corners go down with the jaw, the upper lip ran flat across the
# opening and bent down sharply at the corners: a square-shouldered "tombstone" (the Mona Lisa's
# opening filled 0.80 of its bounding box; a driver's round "O", woman_expressions.mp4 frames
# 300-320, 0.74-0.78). In a jaw drop the upper lip's inner edge is brought down, where it sits
# higher, to an arch from the inner corners to its held middle: height (1 - u^2)^ARCH_POWER of the
# middle's over the corners (u: -1..1 corner to corner; 0.5 an ellipse). It carries the lip and,
# fading over OPENING_ARCH_FADE mouth widths, the skin above it.
OPENING_ARCH_POWER = 0.6
OPENING_ARCH_SHOULDERS = (0.4, 0.7)  # |u| over which the arch takes hold: the middle stays as held
OPENING_ARCH_FADE = 0.1


@dataclass(frozen=True)
class SmileBounds:
    up: np.ndarray  # (2,) the face's upward unit vector in the image
    width: float  # mouth width at rest, pixels
    upper_lip: np.ndarray  # (V,) float32, 1 on the upper lip's middle fading up into the skin above, 0 below the mouth
    corner_weight: np.ndarray  # (V,) float32, 1 at the mouth corners fading to 0 (the lip centre stays)
    knee: float  # corner lift (over mouth width) where the easing starts
    limit: float  # ... and the most it reaches
    mouth_block: np.ndarray  # (V,) float32, 1 on the lips fading to 0 at the nose base, toward the chin and beyond the corners
    philtrum: float  # nose base to upper lip top along ``up``, pixels
    upper_rim: np.ndarray  # (V,) float32, 1 on the upper lip corner to corner fading into the skin above, 0 below it
    lips_thin: np.ndarray  # (V, 2) float32 pixels: the lips stretched thin as in a full smile (``thin_smiling_lips``)
    rest_lift: float = 0.0  # the portrait's own corner lift over mouth width (a grin's: ~0.1-0.15)


def jaw_limit(jaw_px: np.ndarray, face_xy: np.ndarray, radial: np.ndarray, max_out: np.ndarray,
              squeeze_share: float) -> float:
    """Largest py-feat AU26 before the lower lip squeezes ``squeeze_share`` of the skin above the chin.

    ``jaw_px``: (N, 2) pixel motion per unit of py-feat AU26; ``radial``/``max_out``: the
    silhouette's outward directions and the most each point may move along them (the chin's
    room ends at a collar). inf when the chin can follow the lip.
    """
    height = float(np.linalg.norm(face_xy[LIP_BOTTOM] - face_xy[CHIN]))
    lip_rate, chin_rate = (float(jaw_px[p] @ radial[p]) for p in (LIP_BOTTOM, CHIN))
    lip_room, chin_room = float(max_out[LIP_BOTTOM]), float(max_out[CHIN])
    if lip_rate <= 0.0:
        return float("inf")
    amounts = np.linspace(0.0, 6.0, 601)
    squeeze = np.minimum(amounts * lip_rate, lip_room) - np.minimum(amounts * max(chin_rate, 0.0), chin_room)
    over = np.nonzero(squeeze > squeeze_share * height)[0]
    return float(amounts[over[0]]) if len(over) else float("inf")


def corners_following_the_jaw(jaw_px: np.ndarray, bounds: SmileBounds) -> np.ndarray:
    """(N, 2) motion to add per unit of an OPENING jaw so the mouth corners go down with the lips'
    centre (a driver's corner lift stayed within 0.015 of its rest from closed lips to a 0.64
    opening); py-feat's AU26 leaves them high, and the opening read as a round "O" pasted on the
    face. Not for a closing jaw: a grinning portrait relaxed for a neutral user closes its jaw,
    and corners rising with the lip centre kept its grin."""
    centre = 0.5 * (jaw_px[UPPER_LIP_CENTRE] + jaw_px[LOWER_LIP])
    corners = 0.5 * (jaw_px[CORNERS[0]] + jaw_px[CORNERS[1]])
    return (bounds.corner_weight[:len(jaw_px), None] * ((centre - corners) @ bounds.up) * bounds.up[None, :]).astype(jaw_px.dtype)


def chin_following_the_lip(jaw_px: np.ndarray, face_xy: np.ndarray, up: np.ndarray) -> np.ndarray:
    """(N, 2) py-feat's AU26 motion with the chin carried down like the lower lip's lower edge.

    On a driver the lip's lower edge and the chin go down alike (0.37 eye-distances each at
    jawOpen 0.6); py-feat's AU26 moves the chin ~0.78x as far (every shared portrait), squeezing
    the skin between them into a short, bunched lower face. Points below the lip's lower edge
    take its motion, fully from a third of the way down to the chin, fading out sideways
    over about the mouth's width (the jaw line beside the chin keeps the model's motion)."""
    xy = np.asarray(face_xy, np.float64)
    up = unit(up)
    across_unit = np.array([-up[1], up[0]])
    width = max(float(np.linalg.norm(xy[CORNERS[1]] - xy[CORNERS[0]])), 1.0)
    height = max(float((xy[LIP_BOTTOM] - xy[CHIN]) @ up), 1.0)
    rel = xy - xy[LIP_BOTTOM]
    below = np.clip(-(rel @ up) / (CHIN_FOLLOW_FROM * height), 0.0, 1.0)
    across = (rel @ across_unit) / width
    weight = below * np.exp(-0.5 * (across / CHIN_FOLLOW_SPREAD) ** 2)
    return (jaw_px + weight[:, None] * (jaw_px[LIP_BOTTOM] - jaw_px)).astype(jaw_px.dtype)


def jaw_hold(face_xy: np.ndarray, up: np.ndarray, num_vertices: int, at_lip: float = JAW_HOLD_AT_LIP,
             lips_apart: bool = False) -> np.ndarray:
    """(V,) float32: the share of a jaw drop's downward motion each point gives back
    (``hold_above_the_jaw``): ``at_lip`` on the upper lip rising to all of it at the nose
    base and above, none on the lower lip and below; from the middle of the mouth out to none at
    the corners and beyond (the cheeks lengthen with the jaw). Lips apart at rest (a grin's
    teeth): none, the upper lip coming down over the teeth as the grin lets go
    (``lip_over_teeth``); the grin let go holds their nose (``nose_hold``). With ``lips_apart``
    the same for them too: the hold of a closing jaw's upward motion (a gaping portrait relaxed,
    ``aus.relax_caps``; py-feat's AU26 drawn backwards lifted 0-f1-su's upper lip 11 px)."""
    xy = np.asarray(face_xy, np.float64)
    width = max(float(np.linalg.norm(xy[CORNERS[1]] - xy[CORNERS[0]])), 1.0)
    closed = _lips_closed(xy, width)
    weight = np.zeros(num_vertices, np.float32)
    if not (closed or lips_apart):
        return weight
    above, middle, below_eyes, toward_nose = _hold_parts(xy, unit(up))
    weight[:len(xy)] = above * middle * below_eyes * (1.0 - (1.0 - at_lip) * (1.0 - toward_nose))
    return weight


def wide_opening(feat_au26: float) -> float:
    """0..1: how far py-feat's AU26 is into a wide jaw drop (``WIDE_JAW``)."""
    return float(smoothstep(WIDE_JAW[0], WIDE_JAW[1], float(feat_au26)))


def nose_hold(face_xy: np.ndarray, up: np.ndarray, num_vertices: int) -> np.ndarray:
    """(V,) float32: the share of its downward motion each point gives back as a portrait's own
    smile lets go (``nose_hold_share``): all of it from the nose base to half way up the nose,
    ``NOSE_HOLD_AT_LIP`` on the upper lip (it still comes down over a grin's teeth), fading out
    toward the mouth corners and below the mouth line. A grin relaxing lowers the corners and
    cheeks; the nose keeps its length. py-feat's AU12 drawn backwards (and its AU26 in a jaw
    drop) pulled Obama's nose base 0.020 eye distances down in a jaw drop, Trump's 0.020 at the
    relaxed rest, as MediaPipe reads the output (test_warp_grin_nose)."""
    xy = np.asarray(face_xy, np.float64)
    up = unit(up)
    above, middle, below_eyes, toward_nose = _hold_parts(xy, up)
    vertical = NOSE_HOLD_AT_LIP + (1.0 - NOSE_HOLD_AT_LIP) * toward_nose
    weight = np.zeros(num_vertices, np.float32)
    weight[:len(xy)] = above * middle * below_eyes * vertical
    return weight


def nose_hold_share(released: float) -> float:
    """0..1: how much of ``nose_hold`` applies with ``released`` (0..1) of the portrait's own smile
    let go: the nose's downward pull grows with the release, so the hold is whole early on."""
    return float(smoothstep(0.0, NOSE_HOLD_FULL_AT, float(released)))


def _hold_parts(xy: np.ndarray, up: np.ndarray) -> tuple[np.ndarray, ...]:
    """The holds' factors, each (N,) 0..1: above the mouth line (the upper lip in, the lower lip
    out), the middle of the mouth (0 at the corners and beyond), below half way up the nose, and
    from the upper lip's top edge (0) to the nose base (1)."""
    corners = xy[list(CORNERS)]
    width = max(float(np.linalg.norm(corners[1] - corners[0])), 1.0)
    height = xy @ up
    line = 0.5 * float(height[UPPER_LIP_CENTRE] + height[LOWER_LIP])
    above = smoothstep(line - JAW_HOLD_LINE * width, line + JAW_HOLD_LINE * width, height)
    above[list(UPPER_LIP)] = 1.0
    above[list(LOWER_INNER[1:-1]) + list(LOWER_OUTER[1:-1])] = 0.0
    toward_nose = smoothstep(float(height[UPPER_LIP_TOP]), float(height[NOSE_BASE]), height)
    # 1 at the middle, 0 at the corners and beyond: a grin let go as the jaw drops brings its
    # corners down, and held, they kept the grin.
    along = (xy - corners[0]) @ ((corners[1] - corners[0]) / width ** 2)  # 0..1 corner to corner
    middle = np.clip(1.0 - (2.0 * along - 1.0) ** 2, 0.0, 1.0)
    # Nothing from half way up the nose on: lids closing or brows lowering in a jaw drop move as ever.
    nose_tip, eyes = float(height[NOSE_TIP]), float(height[list(OUTER_EYE_CORNERS)].mean())
    below_eyes = 1.0 - smoothstep(nose_tip, nose_tip + 0.5 * (eyes - nose_tip), height)
    return above, middle, below_eyes, toward_nose


def hold_above_the_jaw(displacement: np.ndarray, hold: np.ndarray, up: np.ndarray, jaw_share: float) -> None:
    """In place: in a jaw drop (``jaw_share`` of the opening that the jaw makes, 0..1) the nose and
    upper lip keep their place: each point gives back ``hold`` of its downward motion, whatever
    drew it (py-feat's AU26, a smile released as the jaw drops, the mesh smoothing)."""
    if jaw_share <= 0.0:
        return
    down = np.maximum(-(displacement @ up), 0.0)
    displacement += (jaw_share * hold[:len(displacement)] * down)[:, None] * up[None, :].astype(displacement.dtype)


def ease_jaw(feat_au26: float, limit: float) -> float:
    return ease_toward(feat_au26, JAW_KNEE * limit, limit)


def smile_bounds(face_xy: np.ndarray, up: np.ndarray, num_vertices: int) -> SmileBounds:
    up = unit(up)
    xy = np.asarray(face_xy, np.float64)
    width = float(np.linalg.norm(xy[CORNERS[1]] - xy[CORNERS[0]]))
    d2 = ((xy[:, None, :] - xy[list(CORNERS)][None]) ** 2).sum(axis=2).min(axis=1)
    weight = np.zeros(num_vertices, np.float32)
    weight[:len(xy)] = np.exp(-d2 / (2 * (CORNER_REACH * width) ** 2))
    rest = corner_lift_over_width(xy, up)
    limit = max(SMILE_LIFT_MAX, rest + SMILE_LIFT_ROOM)
    # A portrait already showing its teeth keeps its upper lip where it is: the jaw's parting
    # shows its teeth taller (lifted, its upper lip opened a dark band under them).
    closed = _lips_closed(xy, width)
    upper_lip = _upper_lip_weight(xy, up, width, num_vertices) * float(closed)
    # The jaw drop's arch (``upper_rim``) holds for a toothy grin too: let go into a jaw drop, its
    # drawn-up lip shoulders stayed, a square-topped opening MediaPipe read with the corners high
    # (Trump +0.058 mouth widths over the lip centre; the driver's "O" -0.006).
    return SmileBounds(up=up, width=width, upper_lip=upper_lip, corner_weight=weight,
                       knee=rest + SMILE_LIFT_KNEE * (limit - rest), limit=limit,
                       mouth_block=_mouth_block(xy, up, width, num_vertices),
                       philtrum=float((xy[NOSE_BASE] - xy[UPPER_LIP_TOP]) @ up),
                       upper_rim=_upper_rim_weight(xy, up, width, num_vertices), rest_lift=rest,
                       lips_thin=_lips_thinned(xy, up, width, num_vertices) * float(closed))


def _lips_closed(xy: np.ndarray, width: float) -> bool:
    """Whether the portrait's lips rest together (no more than ``OWN_TEETH_GAP`` of the mouth width
    apart): a portrait resting with them apart shows its own teeth and keeps its own lips."""
    return float(np.linalg.norm(xy[UPPER_LIP_CENTRE] - xy[LOWER_LIP])) < OWN_TEETH_GAP * width


def _lips_thinned(xy: np.ndarray, up: np.ndarray, width: float, num_vertices: int) -> np.ndarray:
    """(V, 2) pixels: closed lips as a full smile thins them (``LIPS_THIN``). Across the mouth, each
    lip's outer edge comes toward the seam, the lip squeezed evenly, and the seam stays: the lips'
    middle, which the closed smile is read against (``runtime.response.closed_smile_reading``),
    stays where the smile put it. (A real smile's seam rises toward the upper lip's edge. Drawn so,
    the corners' reading of London 042's closed smile fell, its smile was drawn x1.0 instead of
    x0.8, and the laugh its lips-part curve is probed from with it: that laugh's lips parted 0.70x
    as far as the driver's.) The skin beyond each outer edge follows it over ``LIPS_THIN_SKIN``
    lip heights (left still, the lower lip's shadow under it showed as a second smile line:
    ``au_mesh._lower_lip_keeps_its_height``)."""
    across = np.array([up[1], -up[0]])
    centre = xy[list(CORNERS)].mean(axis=0)
    u = (xy - centre) @ across / (0.5 * width)  # -1 / +1 at the corners
    h = (xy - centre) @ up

    def edge(points: tuple[int, ...]) -> np.ndarray:
        """Each point's height of this lip contour straight below or above it (the corners' beyond them)."""
        order = np.argsort(u[list(points)])
        return np.interp(np.clip(u, -1.0, 1.0), u[list(points)][order], h[list(points)][order])
    upper_outer, lower_outer = edge(UPPER_OUTER), edge(LOWER_OUTER)
    seam = 0.5 * (edge(UPPER_INNER) + edge(LOWER_INNER))
    upper_height = np.maximum(upper_outer - seam, 1e-6)
    lower_height = np.maximum(seam - lower_outer, 1e-6)

    def beyond(distance: np.ndarray, height: np.ndarray) -> np.ndarray:
        """How far skin ``distance`` beyond a lip's outer edge follows it (1 at the edge)."""
        return np.exp(-0.5 * (distance / (LIPS_THIN_SKIN * height)) ** 2)
    upper_rise = -LIPS_THIN[0] * np.minimum(h - seam, upper_height) * np.where(
        h > upper_outer, beyond(h - upper_outer, upper_height), 1.0)
    lower_rise = LIPS_THIN[1] * np.minimum(seam - h, lower_height) * np.where(
        h < lower_outer, beyond(lower_outer - h, lower_height), 1.0)
    rise = np.where(h >= seam, upper_rise, lower_rise)
    field = np.zeros((num_vertices, 2), np.float32)
    field[:len(xy)] = (rise * (np.abs(u) <= 1.0))[:, None] * up[None, :]
    return field


def thin_smiling_lips(displacement: np.ndarray, bounds: SmileBounds, smile: float) -> None:
    """In place: a rising smile (AU12 change ``smile``) stretches closed lips thin, wholly by
    ``LIPS_THIN_BY``. A smile let go leaves them as they rest: a grin's lips are its own."""
    share = float(smoothstep(0.0, LIPS_THIN_BY, smile))
    if share > 0.0:
        displacement += (share * bounds.lips_thin).astype(displacement.dtype)


def _upper_rim_weight(xy: np.ndarray, up: np.ndarray, width: float, num_vertices: int) -> np.ndarray:
    """1 on the upper lip (its corners included), fading over ``OPENING_ARCH_FADE`` mouth widths
    into the skin above; 0 on the lower lip and below the mouth line."""
    lip = xy[list(UPPER_INNER) + list(UPPER_OUTER)]
    d2 = ((xy[:, None, :] - lip[None]) ** 2).sum(axis=2).min(axis=1)
    weight = np.exp(-d2 / (2 * (OPENING_ARCH_FADE * width) ** 2))
    above = np.clip(((xy - xy[LOWER_LIP]) @ up) / (0.03 * width) + 1.0, 0.0, 1.0)
    above[list(LOWER_INNER[1:-1]) + list(LOWER_OUTER[1:-1])] = 0.0
    above[list(UPPER_INNER) + list(UPPER_OUTER)] = 1.0
    out = np.zeros(num_vertices, np.float32)
    out[:len(xy)] = weight * above
    return out


def arch_the_opening(displacement: np.ndarray, vertices: np.ndarray, bounds: SmileBounds, jaw_share: float) -> None:
    """In place: in a jaw drop (``jaw_share``, 0..1) the upper lip's inner edge comes down, where it
    sits higher, to an arch from the inner corners to its middle (``OPENING_ARCH_POWER``); the lip's
    middle and corners stay where they are."""
    if jaw_share <= 0.0:
        return
    inner = list(UPPER_INNER)
    moved = vertices[:len(displacement)] + displacement
    ends = moved[[inner[0], inner[-1]]]
    span = float(np.linalg.norm(ends[1] - ends[0]))
    if span < 1.0:
        return
    along = (ends[1] - ends[0]) / span
    corners_height = float(ends.mean(axis=0) @ bounds.up)
    rise = float(moved[UPPER_LIP_CENTRE] @ bounds.up) - corners_height  # the middle over the corners
    if rise <= 0.0:
        return
    u = np.clip(2.0 * ((moved[inner] - ends[0]) @ along) / span - 1.0, -1.0, 1.0)
    arch = corners_height + rise * (1.0 - u ** 2) ** OPENING_ARCH_POWER
    drop = np.maximum(moved[inner] @ bounds.up - arch, 0.0) * smoothstep(*OPENING_ARCH_SHOULDERS, np.abs(u))
    # Every point takes the drop of the inner edge at its place across the mouth (at rest).
    rest_ends = vertices[[inner[0], inner[-1]]]
    rest_along = (rest_ends[1] - rest_ends[0]) / max(float(np.linalg.norm(rest_ends[1] - rest_ends[0])), 1.0)
    rest_u = (vertices[:len(displacement)] - rest_ends[0]) @ rest_along
    order = np.argsort(rest_u[inner])
    per_point = np.interp(rest_u, rest_u[inner][order], drop[order], left=0.0, right=0.0)
    down = jaw_share * bounds.upper_rim[:len(displacement)] * per_point
    displacement -= (down[:, None] * bounds.up[None, :]).astype(displacement.dtype)


def _mouth_block(xy: np.ndarray, up: np.ndarray, width: float, num_vertices: int) -> np.ndarray:
    """1 on and around the lips, fading to 0 at the nose base above, to 0 at the chin below and
    over half the mouth width beyond the corners: what moves when the mouth moves whole."""
    height = (xy - xy[CHIN]) @ up  # above the chin
    lip_top, nose, lip_bottom = (float((xy[i] - xy[CHIN]) @ up) for i in (UPPER_LIP_TOP, NOSE_BASE, LIP_BOTTOM))
    vertical = np.where(height > lip_top, 1.0 - smoothstep(lip_top, nose, height), smoothstep(0.0, lip_bottom, height))
    corners = xy[list(CORNERS)]
    across = (xy - corners.mean(axis=0)) @ ((corners[1] - corners[0]) / width)  # along the mouth, pixels
    beside = np.exp(-np.maximum(np.abs(across) - 0.5 * width, 0.0) ** 2 / (2 * (0.25 * width) ** 2))
    weight = np.zeros(num_vertices, np.float32)
    weight[:len(xy)] = vertical * beside
    return weight


def keep_the_philtrum(displacement: np.ndarray, vertices: np.ndarray, bounds: SmileBounds) -> None:
    """In place: a philtrum squeezed beyond ``PHILTRUM_KNEE`` eases toward keeping
    ``PHILTRUM_KEEP`` of its height, the mouth going down whole by the difference."""
    if bounds.philtrum <= 1.0:
        return
    moved = vertices[:len(displacement)] + displacement
    squeeze = 1.0 - float((moved[NOSE_BASE] - moved[UPPER_LIP_TOP]) @ bounds.up) / bounds.philtrum
    allowed = ease_toward(squeeze, PHILTRUM_KNEE, 1.0 - PHILTRUM_KEEP)
    if allowed >= squeeze:
        return
    down = (squeeze - allowed) * bounds.philtrum
    displacement -= (down * bounds.mouth_block[:, None] * bounds.up[None, :]).astype(displacement.dtype)


def _upper_lip_weight(xy: np.ndarray, up: np.ndarray, width: float, num_vertices: int) -> np.ndarray:
    """1 on the upper lip, fading over ~a fifth of the mouth width into the skin above and toward
    the corners (which stay); 0 on and below the lip line."""
    lip = xy[list(UPPER_LIP)]
    d2 = ((xy[:, None, :] - lip[None]) ** 2).sum(axis=2).min(axis=1)
    near = np.exp(-d2 / (2 * (0.1 * width) ** 2))
    corners = xy[list(CORNERS)]
    across = (xy - corners[0]) @ ((corners[1] - corners[0]) / width ** 2)  # 0..1 corner to corner
    middle = np.clip(1.0 - (2.0 * across - 1.0) ** 2, 0.0, 1.0)
    # The lower lip and everything below the lip line stay (closed lips: the line is the inner lip).
    above = np.clip(((xy - xy[LOWER_LIP]) @ up) / (0.03 * width) + 1.0, 0.0, 1.0)
    above[list(LOWER_INNER) + list(LOWER_OUTER)] = 0.0
    weight = np.zeros(num_vertices, np.float32)
    weight[:len(xy)] = near * middle * above
    return weight


def release_grin_corners(displacement: np.ndarray, vertices: np.ndarray, bounds: SmileBounds, released: float) -> None:
    """In place: a portrait's own smile taken back (``released``, 0..1, of its resting AU12)
    brings its mouth corners down toward the lip centre's level, in proportion: py-feat's AU12
    drawn backwards takes back less than half of a grin's corner lift (Trump's 0.14 mouth widths
    kept 0.07 as MediaPipe reads the render, with AU12 at 0), and the jaw-drop face read as
    grinning. Eased like ``limit_smile``, the corners only ever pulled down."""
    if released <= 0.0 or bounds.rest_lift <= 0.0:
        return
    released = float(np.clip(released, 0.0, 1.0))
    lower_corners_to(displacement, vertices, bounds,
                     (1.0 - released) * bounds.rest_lift - released * RELEASED_CORNERS_BELOW)


def lower_corners_to(displacement: np.ndarray, vertices: np.ndarray, bounds: SmileBounds, allowed: float) -> None:
    """In place: the mouth corners brought down until they sit no more than ``allowed`` mouth
    widths above the lip centre (``corner_lift_over_width``); never raised."""
    for _ in range(2):  # as in limit_smile: the second pass takes up what the first moved
        moved = vertices[:len(displacement)] + displacement
        lift = corner_lift_over_width(moved, bounds.up)
        if lift <= allowed:
            return
        width = float(np.linalg.norm(moved[CORNERS[1]] - moved[CORNERS[0]]))
        displacement -= ((lift - allowed) * width * bounds.corner_weight[:, None] * bounds.up[None, :]).astype(displacement.dtype)


def bend_into_a_smile(displacement: np.ndarray, vertices: np.ndarray, bounds: SmileBounds, bend: np.ndarray) -> None:
    """In place: add ``bend`` (the smile's further curve, ``au_mesh._curve_the_smile``: corners up,
    lip centre still) as far as the bounds allow: the corner lift it adds eases toward their limit
    as ``limit_smile``'s does (a smile already at its bounds, the Mona Lisa's, bends no further)."""
    moved = vertices[:len(displacement)] + displacement
    lift = corner_lift_over_width(moved, bounds.up)
    wanted = corner_lift_over_width(moved + bend, bounds.up)
    if wanted <= lift:
        return
    allowed = max(ease_toward(wanted, bounds.knee, bounds.limit), lift)
    displacement += ((allowed - lift) / (wanted - lift) * bend).astype(displacement.dtype)


def part_smiling_lips(displacement: np.ndarray, bounds: SmileBounds, smile: float, parting: float) -> None:
    """In place: in a smile (AU12 change ``smile``) lips parted by ``parting`` (AU25 change) also
    lift the upper lip off the teeth."""
    smiling = smile / SMILE_FULL_AT
    if smiling > 1.0:  # a laugh: on toward SMILE_PARTING_MAX_SHARE at AU12 +5
        smiling = 1.0 + (SMILE_PARTING_MAX_SHARE - 1.0) * min((smile - SMILE_FULL_AT) / (5.0 - SMILE_FULL_AT), 1.0)
    share = max(smiling, 0.0) * max(parting, 0.0)
    if share <= 0.0:
        return
    rise = SMILE_PARTING * share * bounds.width
    displacement += (rise * bounds.upper_lip[:, None] * bounds.up[None, :]).astype(displacement.dtype)


def corner_lift_over_width(xy: np.ndarray, up: np.ndarray) -> float:
    """How far the mouth corners sit above the lip centre along ``up``, over the mouth width (the
    smile bounds are in mouth widths; the estimator's ``corner_lift`` reads the same from a
    track, over the eye span, for AU12)."""
    centre = 0.5 * (xy[UPPER_LIP_CENTRE] + xy[LOWER_LIP])
    corners = 0.5 * (xy[CORNERS[0]] + xy[CORNERS[1]])
    width = max(float(np.linalg.norm(xy[CORNERS[1]] - xy[CORNERS[0]])), 1.0)
    return float((corners - centre) @ up) / width


def limit_smile(displacement: np.ndarray, vertices: np.ndarray, bounds: SmileBounds) -> None:
    """In place: corners lifted beyond the bounds are brought back down (eased, never a jump)."""
    for _ in range(2):  # the second pass takes up what the first moved the lip centre and width by
        moved = vertices[:len(displacement)] + displacement
        lift = corner_lift_over_width(moved, bounds.up)
        allowed = ease_toward(lift, bounds.knee, bounds.limit)
        if allowed >= lift:
            return
        width = float(np.linalg.norm(moved[CORNERS[1]] - moved[CORNERS[0]]))
        displacement -= ((lift - allowed) * width * bounds.corner_weight[:, None] * bounds.up[None, :]).astype(displacement.dtype)


def let_go(change: np.ndarray, resting: np.ndarray, au: int, at_least: float = 0.0) -> float:
    """0..1: the share of the portrait's own ``au`` (its resting value, taken as no less than
    ``at_least``) that ``change`` takes back; 0 where the portrait shows none of it."""
    own = max(float(resting[au]), at_least)
    return float(np.clip(-float(change[au]) / own, 0.0, 1.0)) if own > 0.0 else 0.0


def lip_over_teeth(change: np.ndarray, resting: np.ndarray) -> float:
    """0..1: how far ``change`` lets the portrait's grin go, as the upper lip sees it: the share
    of its own upper-lip raise (AU10, what shows a grin's upper teeth) taken back, no more than
    the share of its own smile (AU12) taken back (a laugh lifts the lip, whatever AU10 reads).
    A grin relaxing into a jaw drop lowers the upper lip over the teeth (a driver's round "O"
    shows no upper teeth); the AU10 column cannot draw that, the inner lips' gap being the
    jaw's alone (``au_mesh.AUMeshModel.localized_basis``)."""
    return min(let_go(change, resting, AU10, at_least=1.0), let_go(change, resting, AU12, at_least=1.0))
