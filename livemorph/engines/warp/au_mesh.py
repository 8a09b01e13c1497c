"""py-feat's linear AU -> face-mesh model, read from the installed py-feat package.

py-feat ships ``resources/au_to_mesh_pls_v4.npz``: a linear (PLS) map from its 20 AUs (0-1
scale) plus head pose (pitch, yaw, roll) to the 478-point MediaPipe mesh. We only need the
file, so we locate it through the import machinery WITHOUT importing ``feat`` (that import
takes ~10 s and pulls in xgboost/torchvision).

Layout facts (measured, see shared/FACTS.md): ``coef`` is (23, 1434) and ``intercept`` (1434,);
the 1434 outputs are AXIS-MAJOR -- x of all 478 points, then y, then z -- and +Y points UP.
This module returns meshes point-major (478, 3) in IMAGE orientation: x right, y down, z away
from the viewer (MediaPipe's landmark convention), i.e. y and z are negated. Units are the
model's own (the mean face is ~175 units wide); the warp engine scales them to pixels.

livemorph's 17 AUs are on OpenFace's 0-5 scale, py-feat's on 0-1: a livemorph AU change of
``d`` drives py-feat's matching column by ``d / 5``. See ``feat_aus`` and docs/warp.md.
"""
from __future__ import annotations

import importlib.util
import logging
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np

from ...errors import ModelFileError
from ...face.lip_contours import LOWER_INNER, LOWER_OUTER, UPPER_INNER
from ...face.tracking import EYE_CORNER_POINTS
from .direction import unit
from ...easing import ease_toward, smoothstep
from .eye_fields import (LEFT_EYE_CORNERS, LEFT_EYE_CREASE, LEFT_EYE_LIDS, RIGHT_EYE_CORNERS, RIGHT_EYE_CREASE,
                         RIGHT_EYE_LIDS)
from .feat_aus import LIVEMORPH_TO_FEAT

log = logging.getLogger(__name__)

MODEL_RESOURCE = ("resources", "au_to_mesh_pls_v4.npz")
NUM_MESH_POINTS = 478
NUM_FACE_POINTS = 468  # the mesh without its 10 iris points (the iris rides inside the eye triangles)



# Face regions, MediaPipe indices, for the clean-up in ``AUMeshModel.localized_basis``.
SKULL_POINTS = (6, 168, 197, 195, 5, 4, 1, 10, 151, 9, 8, 108, 337, 67, 297, 109, 338,
                234, 454, 127, 356, 162, 389, 21, 251, 54, 284, 103, 332, 133, 362)
# The brows' upper and lower contours per side (image left = the subject's right), each from
# the outer end to the inner one, so the two contours face each other point by point.
BROW_UPPER_SIDES = ((70, 63, 105, 66, 107), (300, 293, 334, 296, 336))
BROW_LOWER_SIDES = ((46, 53, 52, 65, 55), (276, 283, 282, 295, 285))
BROW_POINTS = BROW_UPPER_SIDES[0] + BROW_UPPER_SIDES[1]
# The skin ring just under each brow (the upper of ``eye_fields``' crease rings, outer end first)
# and, per ring point, the brow pair above it (its nearest lower brow point on every portrait we
# keep, but one turned ~50 degrees away: MediaPipe's topology).
UNDER_BROW_RINGS = (RIGHT_EYE_CREASE[1], LEFT_EYE_CREASE[1])
BROW_PAIR_ABOVE = (0, 0, 1, 2, 3, 4, 4)
MOUTH_LINE_POINTS = (61, 291, 13, 14)
UPPER_LID_POINTS = (159, 386, 160, 387, 158, 385)
LOWER_LID_POINTS = (145, 374, 144, 373, 153, 380)
BROW_LOWER_POINTS = BROW_LOWER_SIDES[0] + BROW_LOWER_SIDES[1]
# Share of the brow's lowering that the upper lid follows in a frown: a little, so the eyes
# narrow without looking sleepy (0.3 closed narrow eyes like Trump's halfway at AU04 +2; the
# descending brow's hooding narrows them a little more by itself).
FROWN_LID_SHARE = 0.05
FROWN_KNIT = 2.0  # brows drawn toward the midline per unit of AU04 at their inner ends (model units)
# A frown lowers each brow's inner end most (corrugator, depressor supercilii and procerus pull
# there): on woman_expressions' frown (frame 135, MediaPipe, along the face's up) the inner ends
# came down 0.067 eye spans and the outer ends 0.016. py-feat's AU04 drops the outer ends a
# little further than the inner (3.9 against 3.4 units), and drawn so, frowns were drooping,
# sleepy brows ("sleepy or sun-squinting, not angry", a reviewer, on all eight portraits). Each
# brow's inner and outer ends drop these shares of its fitted mean drop.
FROWN_INNER_SHARE, FROWN_OUTER_SHARE = 1.5, 0.8
SKULL_MIDLINE = (6, 168, 197, 195, 9, 8, 151, 10)  # nose bridge and forehead centre line
SMILE_CORNER_LIFT = 3.0  # extra upward motion of the mouth corners per unit of AU12 (model units)
# ... and this much more where the smile grows past the portrait's own (a rising AU12, drawn by
# ``_curve_the_smile`` as a bend of the mouth line: corners up, lip centre still; within the smile's
# bounds, ``mouth_motion.bend_into_a_smile``), not where a smiling portrait lets its smile go (drawn
# both ways, Obama's relaxed mouth drooped: corners 0.045 eye spans under the lip centre).
# MediaPipe on drivers: their corners rose 0.106 eye spans over the lip centre at man_smiling_short's
# smile (AU12 +3.3) and 0.069 at woman_blinks' (+2.8). Driven so (`render`, response curves
# included), neutral portraits' corners rose 0.44-0.63 of that with the lift above alone (London 042,
# London 092, Grace Hopper, lisa3; 0.77 lisa3 on woman_blinks): a mouth that widened and parted more
# than it smiled ("reads as talking", a reviewer). Now 0.59-0.76 and 0.65-0.88. (At 4 units the response
# curves drew London 042's smile 16 % smaller, AU12 +2.65 for +3.14, and its lips parted 0.65 of the
# driver's, bench lipGap; at 3, 0.79-0.81, as before.)
SMILE_CORNER_RISE = 3.0
CORNER_RISE_RADIUS = 16.0  # ... fading over this distance round each corner (see _curve_the_smile)
CORNER_LIFT_RADIUS = 12.0  # ... fading over this distance (the mouth is ~65 units wide)
# In a smile only what moves outward goes back in depth, following the face's curve round the
# dental arch: the mean mesh's surface falls back ~0.4-1.0 units per unit outward just beyond
# the mouth corners. py-feat's AU12 instead moves the whole lower face 10-14 units back per
# unit (lips and chin too, 3.7x the corners' outward motion), which a turned head shows as
# the mouth and chin sliding toward the near cheek (the Mona Lisa's chin by 5 % of the face
# width, her near mouth corner 19 px outward and the far one 1 px inward). py-feat's AU20 (lip
# stretcher) does the same (the lower face 0.06-0.12 eye distances forward per unit, the nose tip
# 0.04): drawn at AU20 +1.5 the Mona Lisa's chin slid 0.032 eye distances across, her near corner
# 0.050 outward and the far one 0.003. A stretch goes round the face as a smile does.
SMILE_ARCH_SLOPE = 0.5
# A smile also lifts the mouth as a whole toward the nose: on drivers (MediaPipe, along the
# face's up, eye distances) the upper lip rose 0.05-0.09 at a smile's peak, more than py-feat's
# AU12 draws (0.03 at AU12 +3). The lips rise this much per unit of AU12 (model units; the eyes
# are ~95 apart), fading to nothing at the nose base, to CHIN_SHARE of it at the chin and out
# beyond the corners over MOUTH_RISE_REACH mouth half-widths; the nose base rises by
# NOSE_SHARE of it (drivers' philtrum only shrank by 0.03-0.04 eye distances: the nose base
# rose too), the nose tip stays. (Before, on a face pitched down like the Mona Lisa's, py-feat's
# lower face moving back in depth drew a similar rise.)
SMILE_MOUTH_RISE = 1.5
SMILE_MOUTH_RISE_NOSE_SHARE = 0.5
SMILE_MOUTH_RISE_CHIN_SHARE = 0.5
SMILE_MOUTH_RISE_REACH = 0.6
# Frowns (AU15 lip-corner depressor, AU17 chin raiser). py-feat's AU15 drops the corners only
# ~3.7 units (the mouth is ~65 wide) and its AU17 lifts the whole lower face, nose base included,
# by 10-17 units; both also move the lower face 7-26 units in depth, which a turned head shows
# as the mouth and chin sliding sideways (the Mona Lisa's moved 4-7 % of the face width).
# A driver's pout (woman_expressions frames 168-216, where livemorph reads AU15 up to +2.8 and AU17
# up to +2.6) drops her mouth corners 0.030 eye spans below her lip centre: MediaPipe on her frames,
# and by eye a gentle downward arc. With the corners dropping 7 units per unit of AU15 and lagging
# half the chin's rise, the portraits' meshes drew 0.062-0.090 there: a sad clown's upturned U on the
# contact sheet's pout column. Now 0.023-0.028 on portraits at rest, 0.038-0.050 on those whose own
# smile the frown also takes back (``feat_aus.FROWN_RELEASES_SMILE``). (test_warp_frown measures along the
# forehead-chin axis, on her frames turned < 12 degrees: hers 0.020, London 092's and Grace Hopper's
# meshes 1.2-1.5x that, 3.3-3.5x before.) That was 3 units per AU15, while livemorph read her pout
# only as it formed; reading her corners as she holds it (``estimators.blendshapes.CORNER_DROP_PER_FROWN``:
# AU15 over those frames 1.3 -> 2.1 on average) it drew 2.0-2.2x hers. At 2 units 1.4-1.7x, and the
# meshes' drop follows hers frame by frame (r over her frontal frames 0.48-0.53 -> 0.62-0.69).
CORNER_DROP = 2.0  # downward motion of the mouth corners per unit of AU15 (model units), see corner_field
CORNER_SPREAD = 0.3  # ... and outward, as a share of that drop (the depressor pulls down and out)
CORNER_REACH = 0.4  # the skin beside the corners follows them over this many mouth half-widths
CORNER_HEIGHT = 0.45  # ... and above and below them over this many
CHIN_RAISE = 4.0  # upward motion of the lips and chin per unit of AU17 (model units), see _raise_chin
# ... but the chin's bottom keeps this share of its place: the mentalis pushes the chin boss and
# lower lip up, the jaw bone does not move. Lifted whole, the chin's outline rose over the neck
# and collar (at AU17 +2.5, MediaPipe on the outputs: 0.02-0.045 eye spans, as far as the lower
# lip; the driver's chin, woman_expressions' pout, did not rise toward her nose at all).
CHIN_HOLD = 0.8
CHIN_CORNER_LAG = 0.2  # ... of which the mouth corners rise this share less
CHIN_RAISE_SHARE = 0.4  # share of py-feat's own AU17 motion across the face kept (its inward pull of the corners)
# The lip stretcher (AU20) pulls the corners out 3.3 units per unit, but py-feat's column also
# slides the whole mouth 11-13 units down (a fifth of its width; the chin 9, the nose base 2):
# a jaw drop it co-occurred with in the training data, its parting closed by the lips-stay-closed
# clean-up.
# Drawn, a stretched smile or a grimace lengthened the philtrum (london_092's mouth 24 px lower
# at AU20 +1.36). So its downward motion is dropped (``_stretch_stays_level``).
# py-feat's AU05 (upper lid raiser) spreads the eyes apart: per +1 each eye's outer corner goes 0.04
# eye distances outward and its lids 0.023. Drawn (AU05 +1 at the warp's gain of 3), MediaPipe read
# the outer corners 0.036-0.053 eye distances further apart (Obama, the Mona Lisa, London 092), and
# a surprised jaw drop's face looked "enlarged, like a mask pasted on" (Trump, fresh review; his
# corners +0.060 apart there). Raising a lid moves nothing across the face (``_lids_open_up_and_down``).
# py-feat's AU09 (nose wrinkler) lengthens and widens the face instead of lifting the nose: per +1
# the nose tip goes 0.042 eye distances down, the mouth corners 0.047, the upper lip 0.03 (the chin
# stays), the eyes, nose wings and cheeks 0.02 outward, the face's sides 0.09 up, and in depth the
# nose tip 0.12 and the mouth 0.19 back (which a turned head shows as motion across and down). Drawn
# (AU09 +1 at the warp's gain of 3), MediaPipe read the Mona Lisa's upper lip 0.052 eye distances
# lower; in woman_expressions' grimace (AU09 +0.8) it pulled down the lip that AU10 raises. A nose
# wrinkle lifts the skin beside the nose; nothing of it moves down, across the face or in depth, and
# the face's sides stay (``_nose_wrinkle_lifts``). The column holds no lift beside the nose, so what
# is left is its push on the lower lids (0.014 eye distances per +1 at most).
# The upper-lip raiser (AU10): py-feat's column barely lifts the upper lip (0.3-0.5 units per unit)
# and drops the lower lip 2.4 (a parting it co-occurred with); with the lips held closed it moved
# nothing a viewer sees (a grimace or a sneer showed no raised lip and no teeth: reviews 37-38).
# A rising AU10 draws instead the whole upper lip rising UPPER_LIP_RAISE units per unit, away from
# the lower lip (it parts them: the opening shows the teeth under it), fading out beyond the corners
# over UPPER_LIP_RAISE_REACH mouth half-widths, the skin above following up to the nose base, which
# rises UPPER_LIP_RAISE_NOSE of it (the nose tip stays); see ``AUMeshModel.upper_lip_raise_difference``.
# (Raised most in its middle, 0.3 of it toward the corners, a laugh's opening lost its crescent for a
# flat-topped box of teeth, and MediaPipe's mouthSmile on the laugh fell: on man_smiling_short
# london_042's amplitude 0.74 -> 0.66, Grace Hopper's 0.90 -> 0.84. At 3.5 units the laugh's lip went
# past the driver's, whose smile (AU12) already lifts the mouth: mouthSmile's r on pexels_woman_laughing
# fell to 0.78 on london_042, 0.87 on the Mona Lisa; 0.81 / 0.91 at 2.5.) A falling one (a grin
# let go) keeps py-feat's column, which the relaxed grin's lips and seal are tuned on, and a portrait
# showing its teeth keeps its lip over them (``WarpPrepared.lip_raise``).
UPPER_LIP_RAISE = 2.5
UPPER_LIP_RAISE_REACH = 0.4
UPPER_LIP_RAISE_NOSE = 0.3
# Without a smile the upper lip rises by itself, further: a grimace over clenched teeth or a sneer.
# MediaPipe's mouthUpperUp (AU10) also reads high in a laugh, whose lip the smile already lifts;
# in woman_expressions' grimace (AU10 +1.15, AU12 +0.86) the driver's philtrum (nose base to upper
# lip top) shortened 0.046 eye spans, the drawn one 0.019: the teeth never showed. So the raise is
# UPPER_LIP_RAISE_ALONE units per unit while the smile drawn (the livemorph AU12 change, 0-5 scale) is
# below the first of SMILE_TAKES_THE_RAISE, easing to UPPER_LIP_RAISE at the second (see
# ``lip_raise_extra``). Eased over AU12 +1..+3 instead (9 units), a laugh's rising smile raised the
# lip further too and MediaPipe read less of a smile: mouthSmile r on pexels_woman_laughing fell
# 0.94 -> 0.81 on Grace Hopper, 0.81 -> 0.75 on london_042. Easing out by +0.85, the grimace's own
# smile drawn about as asked (a closed smile's curve no longer halving it, ``runtime.response``) took
# most of its raise: london_092's philtrum shortened 0.5 of the driver's, 0.6 by +1.1.
UPPER_LIP_RAISE_ALONE = 12.0
SMILE_TAKES_THE_RAISE = (0.3, 1.1)
# That further raise is whole within this many half-widths of the mouth's middle and fades out
# toward the corners, which stay: raised whole up to them, the lip rose as a block, each corner a
# step ("boxy, step-shaped notches at both corners", a sneer in review 41).
RAISE_ALONE_WHOLE_WITHIN = 0.4
# A jaw drop moves the upper lip this share of what py-feat's AU26 moves it (see _jaw_hangs_from_the_mouth).
JAW_UPPER_LIP_SHARE = 0.4
NOSE_BASE, UPPER_LIP_TOP, LIP_BOTTOM = 2, 0, 17
UPPER_LIP_CENTRE, LOWER_LIP = 13, 14  # the inner lips' middle points
FOREHEAD_TOP = 10
BROW_COLUMNS = ("AU01", "AU02", "AU04")  # the skin around the brows follows them, see _skin_follows_brows
# In a raise the upper part of the band between the brows' lower edge and the upper lid (this
# share of it) moves with the brows whole: brow hairs reach below MediaPipe's lower brow
# contour, and a stretch starting right at the contour smeared them down toward the eye. A
# frown compresses the whole band evenly (squeezed into its lower part, the brows' fringe
# covered the lid and read as a closing eye).
BROW_BAND_RIGID = 0.4
# The brow columns move each brow as one piece (``_brows_keep_their_shape``), along a straight
# tilt with this share of the slope fitted to py-feat's motion. As fitted, the raisers lifted the
# brows' middles ~1.9x their outer ends and the inner lower point less than the upper (the region
# mask held back the points lying lower in the mean mesh): the arch rose over its own ends into
# Groucho arches (Obama) and the brows' heads kinked upward (london_092); the lowerer (AU04)
# dropped the middles most, flattening each brow's arch by a third of its drop and thinning it by
# 0.3 of it (the astronaut's brow pressed into a thin line over the lid). py-feat's AU02 also
# tilts inner end up (it co-occurred with AU01); with that tilt the Mona Lisa's far brow, whose
# outer end the silhouette holds, sheared its socket shadow into a tent (test_warp_far_eye), so
# AU02 lifts evenly. (MediaPipe reads an even AU02 a little weaker: the response curves draw the
# brows 1.1-1.35x further for it.)
BROW_SHAPE_TILT = {"AU01": 1.0, "AU02": 0.0, "AU04": 1.0}
# In a raise the lid crease nearest the lid (MediaPipe's eyeUpper1 ring) rises only this share of
# the brow above it: the fold is tied to the lid, and the stretch belongs between brow and crease
# (painted with skin there, ``brow_band``). Following the brows 0.7-0.8 of the way, it stretched
# the few pixels of lid skin above the lashes 3-4 times: the lash line's shadow smeared up into a
# smoky band (astronaut), the crease became a second dark arc above the lid (Mona Lisa,
# london_092) and the lids' middle rose into a pinched peak (Trump).
CREASE_RAISE_SHARE = 0.4
# A frown never squeezes the skin between the brows' lower edge and the upper lids below this
# share of the portrait's own height of it (squeezed flat, its triangles flipped and drew
# torn, jagged lid lines at AU04 +3..+5: the Mona Lisa, Obama, Trump).
FROWN_BAND_KEEP = 0.35
FROWN_KNEE = 0.6  # ... the easing starts at this share of that limit (below it a frown is drawn as is)
# (brow lower edge, upper lid point below it) pairs, MediaPipe indices, both eyes; at the inner
# ends the nose root's skin below them (a frown lowers the inner ends most, ``_slant_brows``).
BROW_LID_PAIRS = ((53, 160), (52, 159), (65, 158), (55, 193), (283, 387), (282, 386), (295, 385), (285, 417))
INNER_LIP_PAIRS = tuple(zip(UPPER_INNER[1:-1], LOWER_INNER[1:-1]))
# The only py-feat columns allowed to part the lips: jaw drop (which also draws livemorph's AU25).
LIP_OPENING_COLUMNS = ("AU26",)
NOSE_TIP, CHIN = 1, 152
NOSE_BRIDGE = 168  # between the eyes: a glasses frame's bridge rests here (6 and 197 below drift toward the tip on a turned head)
# Which part of the face each py-feat AU may move (None = unrestricted).
FEAT_AU_REGION: dict[str, str] = {
    "AU01": "brow", "AU02": "brow", "AU04": "brow", "AU05": "upper", "AU07": "upper", "AU43": "upper",
    "AU06": "middle", "AU09": "middle",
    "AU10": "lower", "AU11": "lower", "AU12": "lower", "AU14": "lower", "AU15": "lower", "AU17": "lower",
    "AU20": "lower", "AU23": "lower", "AU24": "lower", "AU25": "lower", "AU26": "lower", "AU28": "lower",
}


@dataclass(frozen=True)
class AUMeshModel:
    """The linear model, point-major and in image orientation."""

    au_columns: tuple[str, ...]  # py-feat's 20 AU names, in its input order
    mean_mesh: np.ndarray  # (478, 3) float32, the model's intercept (its mesh at AUs = pose = 0)
    au_basis: np.ndarray  # (20, 478, 3) float32, mesh displacement per +1 of each py-feat AU
    pose_basis: np.ndarray  # (3, 478, 3) float32, per +1 degree of pitch, yaw, roll (unused by the warp)

    def displacement(self, feat_delta: np.ndarray) -> np.ndarray:
        """Mesh displacement (478, 3) for a change of py-feat AUs (20,). The intercept cancels."""
        return np.tensordot(np.asarray(feat_delta, np.float32), self.au_basis, axes=1)

    def mesh(self, feat_aus: np.ndarray) -> np.ndarray:
        """Absolute mesh (478, 3) for py-feat AUs (20,) at frontal pose."""
        return self.mean_mesh + self.displacement(feat_aus)

    def column(self, name: str) -> int:
        return self.au_columns.index(name)

    @cached_property
    def mirror(self) -> np.ndarray:
        """(468,) each face point's mirror image across the midline (``mirror_points``), found once."""
        return mirror_points(self.mean_mesh)

    def localized_basis(self, *, hold_upper_lip: bool = True, slant_frown: bool = False,
                        corner_rise: float = 0.0) -> np.ndarray:
        """(20, 478, 3) per-AU displacements with the model's cross-talk taken out.

        Four clean-ups, all in the model's own frame:
        1. rigid part removed: the mesh was Procrustes-aligned before fitting, so e.g. a jaw
           drop also shrinks and shifts the whole aligned face; we subtract the small
           similarity motion (translation, rotation, scale) of the skull points (forehead,
           temples, nose bridge), so the skull stays still and only the expression moves;
        2. region masks: the fit also learned co-occurring AUs (AU05 "drops the jaw", AU09
           moves the face outline); each AU may only move its own part of the face (brow AUs
           the brows and forehead down to the upper lids, eye AUs the upper face, mouth AUs
           the lower face, cheek/nose AUs the middle);
        3. smiles lift: AU12 gets extra upward motion at the mouth corners (see
           ``_lift_mouth_corners``; ``corner_rise`` units more, bending the mouth line,
           ``_curve_the_smile``) and goes back in depth only where it moves outward
           (``_along_the_face``); frowns knit: AU04 also draws the brows together
           (``_knit_brows``) and, with ``slant_frown``, lowers their inner ends most
           (``_slant_brows``); a lip stretch stays level: AU20 moves nothing down
           (``_stretch_stays_level``) and goes back in depth as a smile does; eyes opening wide
           stay where they are: AU05 moves nothing across the face (``_lids_open_up_and_down``);
           a nose wrinkle only lifts: AU09 moves nothing down or across (``_nose_wrinkle_lifts``);
        4. lips stay closed: smiles, stretches and presses co-occurred with open mouths in the
           training data, so most columns also part the lips (AU12 by 1.1 units, AU06 by 3.5);
           each facing pair of inner-lip points moves by its mean instead, so only jaw drop
           (``LIP_OPENING_COLUMNS``) changes the lip gap and a smile is not a black slit;
           in a smile the lower lip keeps its height (``_lower_lip_keeps_its_height``);
        5. a jaw drop hangs from the skull (``hold_upper_lip``): the nose stays and the upper lip
           moves less (``_jaw_hangs_from_the_mouth``); without it, AU26 is py-feat's lip parting
           (``lips_part_difference``);
        6. every column is even on both sides (``_even_on_both_sides``): GANimation's AUs are
           all bilateral, py-feat's columns lopsided.
        """
        basis = np.stack([_remove_similarity(d, self.mean_mesh, SKULL_POINTS) for d in self.au_basis])
        y = self.mean_mesh[:, 1]
        eye = float(self.mean_mesh[list(EYE_CORNER_POINTS), 1].mean())
        brow = float(self.mean_mesh[list(BROW_POINTS), 1].mean())
        upper_lid = float(self.mean_mesh[list(UPPER_LID_POINTS), 1].mean())
        # The band above the lids ends at the highest lid point, so a raise leaves every lid point still.
        lid_top = float(self.mean_mesh[list(UPPER_LID_POINTS), 1].min())
        lower_lid = float(self.mean_mesh[list(LOWER_LID_POINTS), 1].mean())
        brow_lower = float(self.mean_mesh[list(BROW_LOWER_POINTS), 1].mean())
        top = float(self.mean_mesh[FOREHEAD_TOP, 1])
        nose = float(self.mean_mesh[NOSE_TIP, 1])
        mouth = float(self.mean_mesh[list(MOUTH_LINE_POINTS), 1].mean())
        chin = float(self.mean_mesh[CHIN, 1])
        weights = {
            "upper": 1.0 - smoothstep(eye + 0.3 * (nose - eye), nose, y),
            # Brow raisers move the brows whole; the skin down to the upper lid stretches (the
            # lids stay: py-feat's AU01 also pushed them down). AU04 keeps the "upper" region:
            # a frown narrows the eyes too.
            "brow": 1.0 - smoothstep(brow_lower, upper_lid, y),
            "lower": smoothstep(eye + 0.2 * (nose - eye), nose, y),
            "middle": smoothstep(brow, eye, y) * (1.0 - smoothstep(mouth, mouth + 0.5 * (chin - mouth), y)),
        }
        for k, name in enumerate(self.au_columns):
            region = FEAT_AU_REGION.get(name)
            unmasked = basis[k].copy() if name in BROW_SHAPE_TILT else None
            if region is not None:
                basis[k] *= weights[region][:, None]
            if name in BROW_SHAPE_TILT:
                _brows_keep_their_shape(basis[k], unmasked, self.mean_mesh, BROW_SHAPE_TILT[name])
            if name == "AU12":
                _along_the_face(basis[k], self.mean_mesh)
                _lift_mouth_corners(basis[k], self.mean_mesh, SMILE_CORNER_LIFT)
                _curve_the_smile(basis[k], self.mean_mesh, corner_rise)
                _raise_the_mouth(basis[k], self.mean_mesh)
            if name == "AU15":
                _depress_mouth_corners(basis[k], self.mean_mesh)
            if name == "AU17":
                _raise_chin(basis[k], self.mean_mesh)
            if name == "AU20":
                _stretch_stays_level(basis[k])
                _along_the_face(basis[k], self.mean_mesh)
            if name == "AU05":
                _lids_open_up_and_down(basis[k])
            if name == "AU09":
                _nose_wrinkle_lifts(basis[k], self.mean_mesh)
            if name == "AU26" and hold_upper_lip:
                _jaw_hangs_from_the_mouth(basis[k], self.mean_mesh)
            if name == "AU04":
                if slant_frown:
                    _slant_brows(basis[k], self.mean_mesh, FROWN_INNER_SHARE, FROWN_OUTER_SHARE)
                _knit_brows(basis[k], self.mean_mesh, FROWN_KNIT)
            if name in BROW_COLUMNS:
                frown = name == "AU04"
                # A frown's band ends at the lid contour under the brows' outer ends (see _band_bottom).
                bottom = _band_bottom(self.mean_mesh, lid_top) if frown else lid_top
                _skin_follows_brows(basis[k], self.mean_mesh, brow, brow_lower, bottom, lower_lid, top,
                                    FROWN_LID_SHARE if frown else 0.0, 0.0 if frown else BROW_BAND_RIGID)
                if not frown:
                    _crease_stays_near_the_lid(basis[k], CREASE_RAISE_SHARE)
            if name not in LIP_OPENING_COLUMNS:
                upper, lower = list(zip(*INNER_LIP_PAIRS))
                mean = 0.5 * (basis[k, list(upper)] + basis[k, list(lower)])
                basis[k, list(upper)] = mean
                basis[k, list(lower)] = mean
            if name == "AU12":
                _lower_lip_keeps_its_height(basis[k])
            _even_on_both_sides(basis[k], self.mirror)
        return basis.astype(np.float32)

    def lips_part_difference(self, held_basis: np.ndarray) -> np.ndarray:
        """(478, 3) what lips parting (AU25) adds to the jaw drop's column per unit: the upper lip
        and nose follow as py-feat's AU26 has them. Lips that part in a smile or at rest open
        around the mouth line; only the jaw drop itself hangs from the skull. ``held_basis``: this
        model's ``localized_basis()`` (already built by the caller)."""
        jaw = self.column("AU26")
        return self.localized_basis(hold_upper_lip=False)[jaw] - held_basis[jaw]

    def frown_slant_difference(self, held_basis: np.ndarray) -> np.ndarray:
        """(478, 3) what a frown adds to the AU04 column per unit as it lowers the brows: their inner
        ends further down than their outer ends (``FROWN_INNER_SHARE``, ``_slant_brows``). Only a
        frown: a portrait resting with lowered brows releases them evenly in a raise (slanted, its
        inner brows rose the furthest and drew the skin between them into streaks, Obama).
        ``held_basis``: this model's ``localized_basis()``."""
        frown = self.column("AU04")
        return self.localized_basis(slant_frown=True)[frown] - held_basis[frown]

    def smile_corner_rise_difference(self, held_basis: np.ndarray) -> np.ndarray:
        """(478, 3) what a rising AU12 adds to its column per unit: the mouth corners lifted
        ``SMILE_CORNER_RISE`` units more (``_curve_the_smile``). ``held_basis``: this model's
        ``localized_basis()``."""
        smile = self.column("AU12")
        return self.localized_basis(corner_rise=SMILE_CORNER_RISE)[smile] - held_basis[smile]

    def chin_release_difference(self, held_basis: np.ndarray) -> np.ndarray:
        """(478, 3) what a falling AU17 adds to its column per unit: a chin raise let go (a portrait
        resting with its chin raised, ``aus.opening_releases_chin``) lowers the lower lip and the
        chin, not the upper lip, which the column raises with them (``_raise_chin``: lips pressed,
        rising whole). Let go with the upper lip, it came down over a laugh's teeth and a
        grimace's raise (London 092: the philtrum shortened 0.44 of the driver's, 0.6 needed).
        ``held_basis``: this model's ``localized_basis()``."""
        chin = held_basis[self.column("AU17")]
        return chin * (_below_the_lip_seam(self.mean_mesh)[:, None] - 1.0)

    def upper_lip_raise_in_the_middle(self) -> np.ndarray:
        """(478, 3) the upper lip rising ``UPPER_LIP_RAISE`` units in its middle, the corners staying
        (``lip_raise_extra`` draws more of it)."""
        return _upper_lip_raise(self.mean_mesh, to_the_corners=False)

    def upper_lip_raise_difference(self, held_basis: np.ndarray) -> np.ndarray:
        """(478, 3) what a rising AU10 adds to its column per unit: the upper lip raised away from
        the lower (``UPPER_LIP_RAISE``) in place of the column's own motion. ``held_basis``: this
        model's ``localized_basis()``."""
        return _upper_lip_raise(self.mean_mesh) - held_basis[self.column("AU10")]


def feat_folder() -> Path:
    """The installed py-feat package's folder, found without importing it (``import feat`` takes
    ~10 s); ModelFileError if it is not installed."""
    try:
        spec = importlib.util.find_spec("feat")
    except (ImportError, ValueError) as exc:
        raise ModelFileError(f"cannot locate the py-feat package ({exc}); reinstall livemorph's dependencies") from exc
    if spec is None or not spec.submodule_search_locations:
        raise ModelFileError("py-feat is not installed; the warp engine needs its AU->mesh model: pip install py-feat")
    return Path(list(spec.submodule_search_locations)[0])


def model_path() -> Path:
    """Where the installed py-feat keeps the model file; ModelFileError if it is not there."""
    path = feat_folder().joinpath(*MODEL_RESOURCE)
    if not path.is_file():
        raise ModelFileError(f"py-feat is installed but {path} is missing; reinstall it: pip install --force-reinstall py-feat")
    return path


@lru_cache(maxsize=2)
def load_au_mesh_model(path: str | Path | None = None) -> AUMeshModel:
    """Read and reshape the model (cached; ~0.2 MB)."""
    path = Path(path) if path is not None else model_path()
    try:
        with np.load(path, allow_pickle=False) as data:
            coef = np.asarray(data["coef"], np.float32)
            intercept = np.asarray(data["intercept"], np.float32)
            au_columns = tuple(str(c) for c in data["au_columns"])
            input_columns = tuple(str(c) for c in data["input_columns"])
    except (OSError, KeyError, ValueError) as exc:
        raise ModelFileError(f"py-feat's AU->mesh model {path} is unreadable ({exc}); reinstall py-feat") from exc
    n_out = 3 * NUM_MESH_POINTS
    if coef.shape != (len(input_columns), n_out) or intercept.shape != (n_out,):
        raise ModelFileError(
            f"py-feat's AU->mesh model {path} has unexpected shapes coef {coef.shape}, intercept {intercept.shape}; "
            "install py-feat 2.1.5"
        )
    missing = [c for c in set(LIVEMORPH_TO_FEAT.values()) if c not in au_columns]
    if missing or input_columns[: len(au_columns)] != au_columns:
        raise ModelFileError(f"py-feat's AU->mesh model {path} lacks AU columns {missing}; install py-feat 2.1.5")
    basis = _axis_major_to_image_points(coef)
    return AUMeshModel(
        au_columns=au_columns,
        mean_mesh=_axis_major_to_image_points(intercept[None])[0],
        au_basis=basis[: len(au_columns)],
        pose_basis=basis[len(au_columns):],
    )


def _remove_similarity(displacement: np.ndarray, mesh: np.ndarray, points) -> np.ndarray:
    """``displacement`` minus the infinitesimal similarity (t + s*p + w x p) that best fits it on ``points``."""
    idx = list(points)
    center = mesh[idx].mean(axis=0)
    rel = (mesh[idx] - center).astype(np.float64)
    rows = np.zeros((len(idx), 3, 7))
    rows[:, :, :3] = np.eye(3)
    rows[:, :, 3] = rel
    # w x p = -[p]x w, written out per component.
    px, py, pz = rel[:, 0], rel[:, 1], rel[:, 2]
    rows[:, 0, 5], rows[:, 0, 6] = pz, -py
    rows[:, 1, 4], rows[:, 1, 6] = -pz, px
    rows[:, 2, 4], rows[:, 2, 5] = py, -px
    params, *_ = np.linalg.lstsq(rows.reshape(-1, 7), displacement[idx].reshape(-1).astype(np.float64), rcond=None)
    t, s, w = params[:3], params[3], params[4:]
    rel_all = mesh - center
    return displacement - (t + s * rel_all + np.cross(w, rel_all))


def _lift_mouth_corners(displacement: np.ndarray, mesh: np.ndarray, lift: float) -> None:
    """In place: add ``lift`` units of upward motion at the mouth corners, fading with distance.

    py-feat's AU12 widens the mouth far more than it lifts the corners (7.5 vs 2.5 units), the
    regression's average over smiles that are often open; with the lips held closed that reads
    as a stretch more than a smile (MediaPipe's mouthSmile barely rises for small ones).
    """
    corners = mesh[[61, 291], :2]
    d2 = ((mesh[:, None, :2] - corners[None]) ** 2).sum(axis=2).min(axis=1)
    displacement[:, 1] -= lift * np.exp(-d2 / (2 * CORNER_LIFT_RADIUS ** 2))


def _curve_the_smile(displacement: np.ndarray, mesh: np.ndarray, lift: float) -> None:
    """In place: bend the mouth line up into a smile's curve, ``lift`` units at the corners. Across
    the mouth the rise grows with the square of the distance from its middle (none at the lip
    centre, the line's slope zero there), beyond the corners it fades over ``CORNER_RISE_RADIUS``,
    and above and below the corners' height over the same. (Faded by the distance to the nearer
    corner alone, as ``_lift_mouth_corners`` does, the line had a kink in its middle: a closed smile
    drawn as a V; with two Gaussians added the lip centre rose a quarter as far as the corners.)"""
    corners = mesh[[61, 291], :2]
    centre_x, half_width = float(corners[:, 0].mean()), 0.5 * float(abs(corners[1, 0] - corners[0, 0]))
    across = np.abs(mesh[:, 0] - centre_x) / half_width
    beyond = np.maximum(across - 1.0, 0.0) * half_width
    along = np.where(across <= 1.0, across ** 2, np.exp(-beyond ** 2 / (2 * CORNER_RISE_RADIUS ** 2)))
    height = mesh[:, 1] - float(corners[:, 1].mean())
    displacement[:, 1] -= lift * along * np.exp(-height ** 2 / (2 * CORNER_RISE_RADIUS ** 2))


def _along_the_face(displacement: np.ndarray, mesh: np.ndarray) -> None:
    """In place: a smile's or a stretch's depth motion replaced by the outward motion's travel
    back round the face (``SMILE_ARCH_SLOPE`` per unit outward); what does not move outward does
    not move in depth."""
    centre_x = float(mesh[[61, 291], 0].mean())
    outward = displacement[:, 0] * np.sign(mesh[:, 0] - centre_x)
    displacement[:, 2] = SMILE_ARCH_SLOPE * np.maximum(outward, 0.0)


def _lower_lip_keeps_its_height(displacement: np.ndarray) -> None:
    """In place: the lower lip's outer edge rises with its inner edge. py-feat's AU12 lifts the
    outer edge 1.1 units more per unit (a thinning lip), which on the Mona Lisa squeezed her
    lower lip from 11 to 8 px at AU12 +3 and drew its edge and the shadow under it as a second
    smile line just below the first."""
    inner, outer = list(LOWER_INNER[1:-1]), list(LOWER_OUTER[1:-1])
    displacement[outer, 1] = displacement[inner, 1]


def _raise_the_mouth(displacement: np.ndarray, mesh: np.ndarray) -> None:
    """In place: add AU12's rise of the whole mouth (``SMILE_MOUTH_RISE``), the skin around it
    taking it up as it fades (to part of it at the nose base and nothing at the nose tip above,
    to part of it at the chin below)."""
    y = mesh[:, 1]
    lips_top, lips_bottom = float(mesh[UPPER_LIP_TOP, 1]), float(mesh[LIP_BOTTOM, 1])
    above = _up_to_the_lips(mesh, SMILE_MOUTH_RISE_NOSE_SHARE)
    below = 1.0 - (1.0 - SMILE_MOUTH_RISE_CHIN_SHARE) * smoothstep(lips_bottom, float(mesh[CHIN, 1]), y)
    beside = np.exp(-np.maximum(_across_the_mouth(mesh) - 1.0, 0.0) ** 2 / (2 * SMILE_MOUTH_RISE_REACH ** 2))
    displacement[:, 1] -= SMILE_MOUTH_RISE * np.where(y < lips_top, above, below) * beside


def _up_to_the_lips(mesh: np.ndarray, nose_share: float) -> np.ndarray:
    """(478,) how much of the upper lip's rise each point above the lips takes: all of it from the
    upper lip's top, fading to ``nose_share`` at the nose base and to nothing at the nose tip."""
    y = mesh[:, 1]
    lips_top, base, tip = float(mesh[UPPER_LIP_TOP, 1]), float(mesh[NOSE_BASE, 1]), float(mesh[NOSE_TIP, 1])
    return np.where(y >= base, nose_share + (1.0 - nose_share) * smoothstep(base, lips_top, y),
                    nose_share * smoothstep(tip, base, y))


def _across_the_mouth(mesh: np.ndarray) -> np.ndarray:
    """(478,) each point's distance from the mouth's middle across the face, in mouth half-widths
    (1 at the corners)."""
    corners = mesh[[61, 291], :2]
    return np.abs(mesh[:, 0] - float(corners[:, 0].mean())) / (0.5 * float(abs(corners[1, 0] - corners[0, 0])))


def _stretch_stays_level(displacement: np.ndarray) -> None:
    """In place: no point moves down (image y), so the stretch pulls the corners out and leaves
    the mouth, the chin and the jaw at their height."""
    np.minimum(displacement[:, 1], 0.0, out=displacement[:, 1])


def _lids_open_up_and_down(displacement: np.ndarray) -> None:
    """In place: nothing moves across the face (image x): the lids open up and down, and the eyes'
    corners, the eyes and the brows stay where they are across it."""
    displacement[:, 0] = 0.0


def _nose_wrinkle_lifts(displacement: np.ndarray, mesh: np.ndarray) -> None:
    """In place: nothing moves across the face (image x), down it (image y) or in depth (which a
    turned head shows as motion across and down), and the face's sides beyond the eyes' outer
    corners stay (the column lifts them most). What is left lifts the lower lids a little."""
    corners = mesh[list(EYE_CORNER_POINTS), 0]
    middle = float(corners.mean())
    eye_half_span = 0.5 * float(corners.max() - corners.min())  # midline to an outer corner
    inside = 1.0 - smoothstep(0.9 * eye_half_span, 1.3 * eye_half_span, np.abs(mesh[:, 0] - middle))
    displacement[:, 0] = 0.0
    displacement[:, 2] = 0.0
    np.minimum(displacement[:, 1], 0.0, out=displacement[:, 1])
    displacement[:, 1] *= inside


def lip_raise_extra(au12_change: float) -> float:
    """How many more ``_upper_lip_raise`` fields a rising AU10 draws beyond its column's one, for
    this change of (livemorph) AU12: all of ``UPPER_LIP_RAISE_ALONE`` without a smile, none in a broad one."""
    alone = 1.0 - float(smoothstep(*SMILE_TAKES_THE_RAISE, au12_change))
    return (UPPER_LIP_RAISE_ALONE / UPPER_LIP_RAISE - 1.0) * alone


def _upper_lip_raise(mesh: np.ndarray, *, to_the_corners: bool = True) -> np.ndarray:
    """(478, 3): the upper lip and the skin above it rising, per unit of AU10 (see ``UPPER_LIP_RAISE``);
    whole up to the corners, or (``to_the_corners=False``) fading out toward them from
    ``RAISE_ALONE_WHOLE_WITHIN`` half-widths of the middle."""
    y = mesh[:, 1]
    inner = np.asarray(UPPER_INNER)[np.argsort(mesh[list(UPPER_INNER), 0])]
    # What lies below the upper lip's inner contour (the lower lip, the chin) stays.
    above_lip_line = y <= np.interp(mesh[:, 0], mesh[inner, 0], y[inner]) + 1e-3
    above_lip_line[list(LOWER_INNER[1:-1]) + list(LOWER_OUTER[1:-1])] = False
    across = _across_the_mouth(mesh)
    if to_the_corners:
        along = smoothstep(1.0 + UPPER_LIP_RAISE_REACH, 1.0, across)
    else:
        along = smoothstep(1.0, RAISE_ALONE_WHOLE_WITHIN, across)
    field = np.zeros_like(mesh)
    field[:, 1] = -UPPER_LIP_RAISE * _up_to_the_lips(mesh, UPPER_LIP_RAISE_NOSE) * along * above_lip_line
    return field


def corner_field(mesh: np.ndarray) -> np.ndarray:
    """(478,) 0..1: how much each point moves with the mouth corners when they are pulled down.

    Nothing at the middle third of the lips, rising to 1 at the corners, fading beyond them
    over ``CORNER_REACH`` mouth half-widths and above and below them over ``CORNER_HEIGHT``:
    the depressor drags the corner and the skin beside and below it, the lips bend between.
    (A round fade around each corner point, as the smile's, squeezed the lip next to the
    corner against it and folded those triangles.)
    """
    corners = mesh[[61, 291], :2]
    centre_x = float(corners[:, 0].mean())
    half = 0.5 * float(abs(corners[1, 0] - corners[0, 0]))
    across = np.abs(mesh[:, 0] - centre_x) / half
    along = smoothstep(0.35, 1.0, across)
    beyond = np.exp(-np.maximum(across - 1.0, 0.0) ** 2 / (2 * CORNER_REACH ** 2))
    height = (mesh[:, 1] - float(corners[:, 1].mean())) / half
    return (along * beyond * np.exp(-height ** 2 / (2 * CORNER_HEIGHT ** 2))).astype(np.float32)


def _depress_mouth_corners(displacement: np.ndarray, mesh: np.ndarray) -> None:
    """In place: AU15 drawn as ``corner_field`` pulled ``CORNER_DROP`` down and ``CORNER_SPREAD``
    of that outward; py-feat's own column (a 3.7-unit drop, lips squeezed at their centre and
    the lower face moved in depth) is replaced."""
    field = corner_field(mesh)
    centre_x = float(mesh[[61, 291], 0].mean())
    displacement[:] = 0.0
    displacement[:, 1] = CORNER_DROP * field
    displacement[:, 0] = CORNER_SPREAD * CORNER_DROP * field * np.sign(mesh[:, 0] - centre_x)


def _raise_chin(displacement: np.ndarray, mesh: np.ndarray) -> None:
    """In place: AU17 as the chin boss pushing the lower lip up: the lips rise ``CHIN_RAISE``
    units, where ``corner_field`` is 1 by ``CHIN_CORNER_LAG`` less (the mouth's inverted U); below
    the lower lip the rise fades to ``1 - CHIN_HOLD`` of it at the chin's bottom (the skin between
    bunches); the skin above the upper lip takes it up, fading to nothing at the nose base.
    py-feat's inward pull of the corners is kept at ``CHIN_RAISE_SHARE``.

    py-feat's own column lifts the nose base too and squeezes both lips toward their seam
    (outer lip edges move 4 units more than the inner ones), which drew the seam as a thin
    jagged dark line; rising whole, the lips keep their shape.
    """
    rise = smoothstep(float(mesh[NOSE_BASE, 1]), float(mesh[UPPER_LIP_TOP, 1]), mesh[:, 1])
    rise *= 1.0 - CHIN_HOLD * smoothstep(float(mesh[LIP_BOTTOM, 1]), float(mesh[CHIN, 1]), mesh[:, 1])
    displacement[:, 0] *= CHIN_RAISE_SHARE * rise
    displacement[:, 1] = -CHIN_RAISE * rise * (1.0 - CHIN_CORNER_LAG * corner_field(mesh))
    displacement[:, 2] = 0.0


def _below_the_lip_seam(mesh: np.ndarray) -> np.ndarray:
    """(478,) 0 down to the upper inner lip, 1 from the lower inner lip down, smooth between."""
    return smoothstep(float(mesh[UPPER_LIP_CENTRE, 1]), float(mesh[LOWER_LIP, 1]), mesh[:, 1]).astype(np.float32)


def _jaw_hangs_from_the_mouth(displacement: np.ndarray, mesh: np.ndarray) -> None:
    """In place: AU26 moves the lower lip and chin in full, the upper lip ``JAW_UPPER_LIP_SHARE``
    of py-feat's motion, and nothing from the nose tip up (the skin between fades in).

    py-feat's column also pulls the nose tip down 0.16 and the upper lip 0.35 of the chin's
    travel (the regression's average over open mouths that stretch the whole face); rendered,
    the nose and upper lip slid down and a jaw drop read as a long, stretched face. A driver
    dropping her jaw (woman_expressions, MediaPipe on her frames, eyes aligned) moves her nose
    tip < 0.01 and her upper lip 0.14 of her chin's travel.
    """
    y = mesh[:, 1]
    upper_inner, lower_inner = float(mesh[UPPER_LIP_CENTRE, 1]), float(mesh[LOWER_LIP, 1])
    share = (JAW_UPPER_LIP_SHARE * smoothstep(float(mesh[NOSE_TIP, 1]), upper_inner, y)
             + (1.0 - JAW_UPPER_LIP_SHARE) * smoothstep(upper_inner, lower_inner, y))
    displacement *= share[:, None]


def mirror_points(mesh: np.ndarray) -> np.ndarray:
    """(468,) for each face point, its mirror image across the face's midline (points on the
    midline map to themselves): the one-to-one pairing of the points with the mesh reflected
    across the midline that moves them least (the mean mesh is symmetric to a median 0.5 units,
    at most 2.4, of its 175)."""
    from scipy.optimize import linear_sum_assignment

    face = np.asarray(mesh[:NUM_FACE_POINTS], np.float64)
    reflected = face.copy()
    reflected[:, 0] = 2.0 * float(face[list(SKULL_MIDLINE), 0].mean()) - reflected[:, 0]
    _, mirror = linear_sum_assignment(np.linalg.norm(face[:, None, :] - reflected[None, :, :], axis=2))
    return mirror


def _even_on_both_sides(displacement: np.ndarray, mirror: np.ndarray) -> None:
    """In place: the face points' motion made mirror-symmetric (the mean of each point's and its
    mirror point's, reflected; ``mirror``: ``mirror_points`` of the mean mesh).

    py-feat's columns are lopsided (the regression's noise; every FACS unit livemorph drives is
    bilateral): its AU26 pulls the image-left mouth corner 1.4 units inward and the right one
    0.6, AU20 pulls them 2.0 / 4.7 outward, AU23 3.8 / 2.0 and AU17 1.7 / 2.5 inward, and AU04
    moved the point between the brows 3.1 units sideways. Drawn, jaw drops, stretched smiles
    and pressed lips leaned toward one end of the mouth on every portrait (lisa3's tilted
    mouth: one corner closed into skin), frowns drew one brow in 13 % more than the other.
    """
    face = displacement[:NUM_FACE_POINTS]
    reflected = face[mirror].copy()
    reflected[:, 0] *= -1.0
    displacement[:NUM_FACE_POINTS] = 0.5 * (face + reflected)


def _knit_brows(displacement: np.ndarray, mesh: np.ndarray, knit: float) -> None:
    """In place: a frown (corrugator) also draws the brows together, most at their inner ends.

    py-feat's AU04 mostly lowers the brows (inner ends ~1 unit toward the midline per 3.4 down),
    which reads as tired rather than cross; the knit is what makes a frown a frown.
    """
    brows = np.array(list(BROW_POINTS) + list(BROW_LOWER_POINTS))
    x = mesh[brows, 0]
    mid = float(mesh[list(SKULL_MIDLINE), 0].mean())
    reach = float(np.abs(x - mid).max())
    inner = np.clip(1.0 - (np.abs(x - mid) - np.abs(x - mid).min()) / max(reach, 1e-6), 0.0, 1.0)
    displacement[brows, 0] += knit * inner * np.sign(mid - x)


def _slant_brows(displacement: np.ndarray, mesh: np.ndarray, inner_share: float, outer_share: float) -> None:
    """In place: each brow's vertical motion runs straight from ``inner_share`` of its mean at the
    inner end to ``outer_share`` of it at the outer end (both contours alike: the brow keeps its
    thickness)."""
    mid = float(mesh[list(SKULL_MIDLINE), 0].mean())
    for upper, lower in zip(BROW_UPPER_SIDES, BROW_LOWER_SIDES):
        points = list(upper) + list(lower)
        reach = np.abs(mesh[points, 0] - mid)
        outward = (reach - reach.min()) / max(float(np.ptp(reach)), 1e-6)  # 0 inner end .. 1 outer end
        displacement[points, 1] = float(displacement[points, 1].mean()) * (inner_share + (outer_share - inner_share) * outward)


def _brows_keep_their_shape(displacement: np.ndarray, unmasked: np.ndarray, mesh: np.ndarray, tilt: float) -> None:
    """In place: each brow (both contours) moves as one piece, its motion the straight-line
    function of x fitted to the model's, with ``tilt`` of its slope: a shift, a tilt and a
    stretch, which bend no part of the brow against the rest (see ``BROW_SHAPE_TILT``).
    ``unmasked``: the column before the region masks, which hold back the brow points lying
    lower in the mean mesh."""
    for upper, lower in zip(BROW_UPPER_SIDES, BROW_LOWER_SIDES):
        points = list(upper) + list(lower)
        x = mesh[points, 0]
        design = np.stack([np.ones_like(x), x - x.mean()], axis=1)
        coefficients, *_ = np.linalg.lstsq(design, unmasked[points], rcond=None)
        coefficients[1] *= tilt
        displacement[points] = design @ coefficients


def _skin_follows_brows(displacement: np.ndarray, mesh: np.ndarray, brow_y: float, brow_lower_y: float,
                        upper_lid_y: float | np.ndarray, lower_lid_y: float, top_y: float, lid_share: float,
                        rigid: float) -> None:
    """In place: the skin above and below the brows moves with the brow point nearest in x.

    py-feat's brow columns barely move the forehead, and move the lid crease less than the
    brows, so a strong raise slid the brows over the forehead points and a strong frown over
    the crease (both fold the mesh into torn patches). Here the forehead takes the brow's
    motion scaled from 1 at the brows to 0.35 at the top of the face (it bunches into the
    raise, the scalp stays), and the skin between brow and upper lid moves whole over its
    upper ``rigid`` share, then blends linearly from the brow's motion to ``lid_share`` of it
    at the upper lid (a frown pushes the lid down a little; a raise leaves it), fading to
    nothing at the lower lid, so the band stretches or compresses evenly and nothing
    overtakes anything.
    """
    brows = list(BROW_POINTS) + list(BROW_LOWER_POINTS)
    y = mesh[:, 1]
    others = np.setdiff1d(np.arange(len(mesh)), brows)
    nearest = np.array(brows)[np.abs(mesh[others, 0][:, None] - mesh[brows, 0][None, :]).argmin(axis=1)]
    follow = displacement[nearest].copy()
    lid_y = np.broadcast_to(np.asarray(upper_lid_y, y.dtype), y.shape)[others]  # a float or per point
    above = y[others] < brow_y
    share = 0.35 + 0.65 * smoothstep(top_y, brow_y, y[others])
    between = (y[others] >= brow_y) & (y[others] < lid_y)  # blend is 1 down to the brows' lower edge
    # Linear, so the band between brow and lid compresses evenly (a smoothstep crushed its middle).
    blend = np.clip((lid_y - y[others]) / ((1.0 - rigid) * (lid_y - brow_lower_y)), 0.0, 1.0)
    blend = lid_share + (1.0 - lid_share) * blend
    eye = (y[others] >= lid_y) & (y[others] < lower_lid_y)
    eye_blend = lid_share * np.clip((lower_lid_y - y[others]) / np.maximum(lower_lid_y - lid_y, 1e-6), 0.0, 1.0)
    new = displacement[others].copy()
    new[above] = share[above, None] * follow[above]
    new[between] = blend[between, None] * follow[between] + (1 - blend[between, None]) * new[between]
    new[eye] = eye_blend[eye, None] * follow[eye] + (1 - eye_blend[eye, None]) * new[eye]
    displacement[others] = new


def _band_bottom(mesh: np.ndarray, lid_top: float) -> np.ndarray:
    """(N,) per point, the y where the skin under the brows ends: ``lid_top`` over each eye's
    highest upper-lid point, and to either side of it the lid contour itself, flat beyond the
    corners (outward toward the temple, inward to the midline between the eyes).

    The lids slope down from their highest point. Outward, the outer ends of the crease rings
    (113, 247 and their mirrors) lie below ``lid_top``: held with the lid while the brow's outer
    end dropped onto them, the skin under it was squeezed from 10 px to 1 (Obama, AU04 +3) and
    folded under the brow tail. Inward, the skin of the nose root (193, 168, 417) lies below it
    too: held while the inner brows came down onto it (a frown lowers them most, ``_slant_brows``)
    it flattened and turned over (Obama, Trump, lisa3 at AU04 +3); a frown's procerus pulls it down.
    Measured to the contour, the band compresses evenly down to the lid and the inner corner.
    """
    x = mesh[:, 0]
    bottom = np.full(len(mesh), lid_top, mesh.dtype)
    midline = 0.5 * float(mesh[RIGHT_EYE_CORNERS[1], 0] + mesh[LEFT_EYE_CORNERS[1], 0])
    for lids, (outer, inner) in ((RIGHT_EYE_LIDS, RIGHT_EYE_CORNERS), (LEFT_EYE_LIDS, LEFT_EYE_CORNERS)):
        contour = [outer] + [upper for upper, _ in lids] + [inner]
        cx, cy = mesh[contour, 0], mesh[contour, 1]
        top = int(np.argmin(cy))
        order = np.argsort(cx)
        line = np.interp(x, cx[order], cy[order])  # flat beyond the corners
        outward = (x - cx[top]) * np.sign(cx[0] - cx[top]) > 0
        inward = ((x - cx[top]) * np.sign(cx[-1] - cx[top]) > 0) & ((x - midline) * np.sign(cx[top] - midline) > 0)
        side = outward | inward
        bottom[side] = np.maximum(lid_top, line[side])
    return bottom


def _crease_stays_near_the_lid(displacement: np.ndarray, share: float) -> None:
    """In place: each point of the crease ring nearest the lid moves ``share`` of the motion of
    the ring above it (which follows the brows, and fades out at the eye's corners)."""
    for near, above in (RIGHT_EYE_CREASE, LEFT_EYE_CREASE):
        displacement[list(near)] = share * displacement[list(above)]


def keep_brows_whole(limited: np.ndarray, unlimited: np.ndarray, up: np.ndarray) -> None:
    """In place: each brow moves whole, lowered or raised (``up``: the face's up, a unit vector).

    The silhouette's limit (``silhouette.limit``) holds points near the face's outline more, and
    a brow's upper edge lies nearer the outline than its lower edge: at AU04 +2.6 london_042's
    brows kept their lower edge's full drop (18-27 px) and a third of it on the upper (6-18 px),
    a brow stretched into a thick, smeared band; on the astronaut and the Mona Lisa the outer
    half of the upper edge held back more, pressing the brows into thin lines. In a frown each
    facing pair of contour points moves by the larger share of its motion that either point kept
    (the smaller one pulled the lower edge back above the skin under it, which then overtook it).
    Raised, the pair moves by the smaller share: the forehead's room held the upper edge and the
    lower rose on, pressing the brow into a thin, drawn-on arc (AU01/AU02 +4, a user's +2 through
    a response curve that doubles it: london_042's brows 0.33x as thick, py-feat's 0-f1-su-ph's
    0.43x, Trump's mesh 0.58x; now 1.0x, 0.86x, 0.98x). The skin under a raised brow rises less
    than its lower edge, so it cannot overtake it. Along the brow no pair moves by a larger share
    than the pair inward of it: on a head turned far aside (py-feat's 45-m7-di-ph) the outline held
    the far brow's middle while its outer end, curling down the temple just inside, rose 11 px
    past it, a hard diagonal slash with a stepped notch over the temple's hair.

    The skin ring just under a raised brow rises by no larger share than the brow above it. Far
    from the outline, it kept all of a rise the brow gave up: on py-feat's 15-f13 (forehead held
    by her fringe) raised with AU04 falling, it rose 30-31 px under a lower edge held to 21-25 and
    turned over onto the brow, a jagged light notch cut into it.
    """
    up = np.asarray(up, unlimited.dtype)
    above = np.array(BROW_PAIR_ABOVE)
    for upper, lower, ring in zip(BROW_UPPER_SIDES, BROW_LOWER_SIDES, UNDER_BROW_RINGS):
        pair = np.array([upper, lower])  # (2, 5)
        shares = _kept_shares(limited[pair], unlimited[pair])  # (2, 5)
        rising = (unlimited[pair] @ up).min(axis=0) > 0.0  # both points of the pair
        share = np.where(rising, shares.min(axis=0), shares.max(axis=0))
        # No pair moves by a larger share than the pair inward of it (the sides run outer end first).
        share = np.minimum.accumulate(share[::-1])[::-1]
        limited[pair] = unlimited[pair] * share[None, :, None]
        ring = np.array(ring)
        held = rising[above] & (unlimited[ring] @ up > 0.0)
        ring_share = np.minimum(_kept_shares(limited[ring], unlimited[ring]), share[above])
        limited[ring[held]] = unlimited[ring[held]] * ring_share[held, None]


def _kept_shares(limited: np.ndarray, unlimited: np.ndarray) -> np.ndarray:
    """Per point, the share of its unlimited motion's length that the limited one kept."""
    before = np.linalg.norm(unlimited, axis=-1)
    after = np.linalg.norm(limited, axis=-1)
    return np.where(before > 1e-6, after / np.maximum(before, 1e-6), 0.0)


def frown_limit(au04_pixels: np.ndarray, face_xy: np.ndarray, up: np.ndarray, pairs=BROW_LID_PAIRS,
                keep: float = FROWN_BAND_KEEP) -> float:
    """Largest py-feat AU04 value that keeps ``keep`` of the portrait's brow-to-lid band.

    ``au04_pixels`` is the portrait's (V, 2) pixel displacement per unit of py-feat AU04,
    ``face_xy`` its landmarks, ``up`` the face's upward unit vector in the image. The band is
    the portrait's own (brows resting close to the eyes have less to give); inf when AU04
    does not narrow it. ``pairs`` are its (upper, lower) points, vertex indices.
    """
    up = unit(up)
    brow, lid = (np.array(side) for side in zip(*pairs))
    height = (face_xy[brow] - face_xy[lid]) @ up
    shrink = -((au04_pixels[brow] - au04_pixels[lid]) @ up)  # per unit of AU04, > 0 narrows
    ok = (shrink > 1e-6) & (height > 0)
    if not ok.any():
        return float("inf")
    return float(((1.0 - keep) * height[ok] / shrink[ok]).min())


def ease_frown(feat_au04: float, limit: float) -> float:
    """py-feat AU04 as drawn: unchanged up to ``FROWN_KNEE`` of ``limit`` (see ``frown_limit``),
    then easing smoothly toward ``limit`` (moderate frowns keep the driver's proportions)."""
    return ease_toward(feat_au04, FROWN_KNEE * limit, limit)


def _axis_major_to_image_points(rows: np.ndarray) -> np.ndarray:
    """(k, 1434) axis-major, +Y up -> (k, 478, 3) point-major, y down, z away from the viewer."""
    points = rows.reshape(len(rows), 3, NUM_MESH_POINTS).transpose(0, 2, 1).copy()
    points[..., 1:] *= -1.0  # flipping y and z together keeps the frame right-handed (a pure rotation)
    return points.astype(np.float32)

