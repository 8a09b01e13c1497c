"""Landmarks + blendshapes -> the 17 AUs on OpenFace's 0-5 scale (pure numpy).

The mapping lives in one table, ``AU_MAPPING``: each AU reads one *feature* (a mean of
MediaPipe blendshapes, or a landmark-geometry measure where blendshapes are weak) and maps
it linearly, ``AU = scale * max(0, feature - offset)``, then a per-AU gain from config.
Offsets swallow the small values resting faces show; scales put typical strong expressions
where OpenFace puts them (GANimation's training AUs are mostly below 2-3).

Measured weak spots (shared/FACTS.md and our own runs): ``cheekSquint*`` and ``noseSneer*``
read ~0 on every face, so AU06 and AU09 use stand-ins (see ``_features``). Frowns: ``mouthFrown``
stays below 0.15 even on a clear downturn (rest < 0.02) and ``mouthShrugLower`` below 0.4, hence
AU15's and AU17's large scales. Landmark geometry does not replace them: on woman_expressions the
corners move < 0.02 eye spans against the lip centre in a brow frown (head pose removed), and
neither it nor any blendshape sees the mouth of a frown made while looking down (frames 120-135
there read mouthFrown 0.00). But a pout held after it forms keeps its corners down where
mouthFrown lets go, so AU15 also reads the corners' drop below the lip centre
(``CORNER_DROP_PER_FROWN``); talking and smiling lift the corners, never below a resting mouth's.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...aus import AU_MAX, AU_NAMES, NUM_AUS
from ...easing import smoothstep
from ..tracking import BLENDSHAPE_INDEX, EYE_CORNER_POINTS, OUTER_EYE_CORNERS, FaceTrack, facing_the_camera

# MediaPipe face-mesh landmark indices used for geometry.
LM_EYE_OUTER_R, LM_EYE_OUTER_L = OUTER_EYE_CORNERS  # the subject's right, left
LM_LIP_INNER_UPPER, LM_LIP_INNER_LOWER = 13, 14  # inner-lip midpoints
LM_LIP_OUTER_UPPER, LM_LIP_OUTER_LOWER = 0, 17  # outer-lip midpoints
LM_MOUTH_CORNER_R, LM_MOUTH_CORNER_L = 61, 291
LM_LIP_CENTRE = (LM_LIP_OUTER_UPPER, LM_LIP_OUTER_LOWER, LM_LIP_INNER_UPPER, LM_LIP_INNER_LOWER)
LM_BROWS_INNER_HALF = (105, 66, 107, 334, 296, 336)  # the brows' upper edges, inner halves

# Closed-lip smiles: MediaPipe's mouthSmile stays near 0 on them (the Mona Lisa reads 0.001), but
# the corners rise above the lip centre. Measured on the shared faces as corner lift / eye span:
# resting faces -0.01..+0.03, the Mona Lisa +0.06, broad smiles +0.09..+0.15.
CORNER_LIFT_REST = 0.035  # lift below this is a resting mouth
CORNER_LIFT_PER_SMILE = 13.0  # lift above rest -> mouthSmile-equivalent units (lift 0.10 ~ smile 0.85)
CORNER_LIFT_MAX_SMILE = 0.9  # geometry only lifts AU12 to a broad smile; beyond that mouthSmile decides
# Corners down (AU15): mouthFrown reads a pout only while it forms. woman_expressions holds hers
# (frames 181-211) with her corners further below her lip centre than at rest, by eye a plain
# downturned mouth, while mouthFrown falls to 0.01-0.05 (AU15 +0.0-0.8), and the portraits let their
# corners go back up: their drop against hers over frames 168-216 correlated -0.3. So the corners'
# own drop counts too, as much mouthFrown as CORNER_DROP_PER_FROWN per eye span beyond
# CORNER_DROP_REST, at most CORNER_DROP_MAX_FROWN. A driver's drop is measured with the head's pose
# undone (``corner_lift``): she holds the pout looking up (pitch -4 to -7), which in the picture alone
# drew her corners -0.024..-0.041 below the lip centre, undone -0.012..-0.022, against her rests'
# -0.011..+0.002 (frames 0-32, 224-246, 290-296); her held pout reads AU15 +1.3-3.3, as it did in the
# picture at 4.5 per eye span beyond 0.01. Smiles and open mouths lift the corners: the other shared
# drivers' lowest (man_smiling_short, -0.008) reads at AU15's offset. (A still portrait is read as
# it shows, ``face.tracking.as_seen``: the shared ones rest at -0.009 (london_042: AU15 0.17) to +0.13.)
CORNER_DROP_REST = 0.006
CORNER_DROP_PER_FROWN = 10.0
CORNER_DROP_MAX_FROWN = 0.13
# mouthShrugLower of real pouts peaks at ~0.35 on the shared drivers; above that it is mostly not
# a chin raise (a full beard rests at 0.54, a hand over the mouth reads 0.5, a face leaving the
# frame 0.96), so the chin-raise feature grows at a quarter of the rate there.
SHRUG_KNEE = 0.35
SHRUG_ABOVE_KNEE = 0.25
# AU45: how far the lids are lowered, as a share of their resting gap (MediaPipe's lid landmarks
# 159-145 and 386-374 over the eye width, both eyes), against the mean eyeBlink, on the four shared
# drivers alike: 0.10-0.15 -> 0.25, 0.25-0.35 -> 0.45-0.50 (a look down, a half-lowered lid),
# 0.50-0.55 -> 0.73, 0.65 -> 0.88 (the landmarks' gap with the lids met). So AU45 is in proportion
# from a small offset: lids half lowered read ~1, half of the ~2 that shuts them. (An offset of 0.25
# once swallowed every lowered lid: woman_expressions' frames 72-96, lids at 55 % of rest, drew the
# portrait's eyes open.)


@dataclass(frozen=True)
class AUMapping:
    au: str
    feature: str
    offset: float
    scale: float
    why: str


# The one place where AUs get their meaning. Order follows AU_NAMES.
AU_MAPPING: tuple[AUMapping, ...] = (
    AUMapping("AU01", "browInnerUp", 0.05, 4.0, "a full raise (~0.9) -> ~3.4"),
    AUMapping("AU02", "browOuterUp", 0.05, 4.0, "mean of left/right"),
    AUMapping("AU04", "browDown", 0.05, 4.5, "mean of left/right; a frown (~0.7) -> ~3"),
    AUMapping("AU05", "eyeWide", 0.02, 8.0, "MediaPipe rarely exceeds 0.4, hence the large scale"),
    AUMapping("AU06", "cheekRaise", 0.05, 3.0, "cheekSquint is dead in MediaPipe: smile + squint above rest"),
    AUMapping("AU07", "eyeSquint", 0.30, 4.0, "lid tightener; resting faces read ~0.3"),
    AUMapping("AU09", "noseWrinkle", 0.30, 4.0, "noseSneer is dead: upper-lip raise AND brow lower together"),
    AUMapping("AU10", "mouthUpperUp", 0.10, 3.0, "broad smiles raise it too"),
    AUMapping("AU12", "smile", 0.02, 3.8, "mouthSmile, or corner lift above the lip centre for closed-lip smiles; a broad smile (~0.85) -> ~3"),
    AUMapping("AU14", "mouthDimple", 0.02, 8.0, "small range in MediaPipe (<0.15)"),
    AUMapping("AU15", "frown", 0.02, 30.0, "mouthFrown (or the corners' drop, held pouts) less mouthSmile; a frown's corners read only 0.05-0.15 (rest < 0.02) -> ~1-4"),
    AUMapping("AU17", "chinRaise", 0.05, 9.0, "mouthShrugLower (eased above 0.35: beards, hands) less mouthSmile; a pout (~0.25) -> ~1.8"),
    AUMapping("AU20", "mouthStretch", 0.03, 6.0, "mean of left/right"),
    AUMapping("AU23", "mouthPress", 0.10, 5.0, "approximate: pressing is the nearest blendshape"),
    AUMapping("AU25", "lipGap", 0.02, 12.0, "geometry: inner-lip gap / outer-eye-corner distance"),
    AUMapping("AU26", "jawOpen", 0.05, 5.0, "a wide jaw drop (~0.6) -> ~2.8"),
    AUMapping("AU45", "eyeBlink", 0.02, 3.3, "in proportion to how far the lids come down: half lowered (~0.3) -> ~1, met (~0.65) -> ~2"),
)
assert tuple(m.au for m in AU_MAPPING) == AU_NAMES

_OFFSETS = np.array([m.offset for m in AU_MAPPING], np.float32)
_SCALES = np.array([m.scale for m in AU_MAPPING], np.float32)


# A closed mouth's inner lips stand this far apart (eye spans; the shared drivers' 10 % quantiles:
# 0.001-0.004), under AU25's offset: lips that part read AU25 0 until they stand the offset apart.
CLOSED_LIP_GAP = 0.003
# ... so a user whose mouth rests closed has parted the lips this much more (AU25 units) than the
# change read says, once it reads at all; coming in over LIPS_PART_ONSET_OVER of the reading (from
# zero slope: a still user's noise shows nothing).
_AU25 = AU_NAMES.index("AU25")
_LIPS = AU_MAPPING[_AU25]
LIPS_PART_ONSET = _LIPS.scale * (_LIPS.offset - CLOSED_LIP_GAP)
LIPS_PART_ONSET_OVER = 0.3
# ... and going again over this range of the reading: wide openings were matched to the drivers
# without it (the bench's lipGap, the laughs' lips-part curve, ``runtime.response.IN_COMPANY``),
# and MediaPipe reads a laugh's smile less as its lips part wider (lisa3's laughs, AU25 +2.1-2.4
# drawn 0.3 further apart: mouthSmile +0.34-0.61 -> +0.15-0.47).
LIPS_PART_ONSET_GOES = (1.0, 2.0)


def lips_part_onset(aus: np.ndarray, neutral: np.ndarray) -> float:
    """The lips' parting (AU25 units) that AU25's offset hid from the change ``aus - neutral``,
    where the lips part a little.

    Talk parts the lips 0.03-0.07 eye spans; AU25 reads that +0.1 to +0.6, the first 0.02 lost
    under the offset. Drawn as read, a talking driver's lips parted 0.1-0.65x as far on the
    closed-lipped shared portraits (``benchmarks/bench_fidelity.py``, lipPart). A user resting with
    the lips apart past the offset (AU25 read at neutral) lost nothing: the onset fades out as that
    neutral AU25 grows to the onset's own size."""
    resting = float(neutral[_AU25])
    hidden = LIPS_PART_ONSET * float(np.clip(1.0 - resting / LIPS_PART_ONSET, 0.0, 1.0))
    change = float(aus[_AU25]) - resting
    coming, going = smoothstep(0.0, LIPS_PART_ONSET_OVER, change), smoothstep(*LIPS_PART_ONSET_GOES, change)
    return hidden * float(coming * (1.0 - going))


def _bs(shapes: np.ndarray, *names: str) -> float:
    return float(np.mean([shapes[BLENDSHAPE_INDEX[n]] for n in names]))


def _pair(shapes: np.ndarray, stem: str) -> float:
    return _bs(shapes, stem + "Left", stem + "Right")


def inner_lip_gap(landmarks: np.ndarray) -> float:
    """Inner-lip opening normalised by the outer-eye-corner distance (scale and distance free)."""
    eye_span = float(np.linalg.norm(landmarks[LM_EYE_OUTER_R, :2] - landmarks[LM_EYE_OUTER_L, :2]))
    if eye_span < 1e-6:
        return 0.0
    gap = float(np.linalg.norm(landmarks[LM_LIP_INNER_UPPER, :2] - landmarks[LM_LIP_INNER_LOWER, :2]))
    return gap / eye_span


def corner_lift(landmarks: np.ndarray, transform: np.ndarray | None = None) -> float:
    """How far the mouth corners sit above the lip centre, along the face's own vertical axis
    (roll removed), normalised by the outer-eye-corner distance; positive = corners higher.

    With ``transform`` (the track's facial transformation matrix) it is measured with the head's
    pose undone (``tracking.facing_the_camera``): in the picture a curved mouth's corners rise above its
    centre as the head tips down and sink as it tips up, by about 0.0025 eye spans a degree
    (woman_expressions frames 112-136, pitch +4-6: +0.009-0.018 against +0.003 at rest, with the
    pose undone -0.001-+0.003). woman_blinks, looking down 8-10 degrees and not smiling (frames
    432-528, mouthSmile 0.00), read +0.042-0.054, a closed smile (AU12 up to +0.9); undone
    +0.021-0.032, a resting mouth."""
    return _lift_above_lip_centre(_pose_undone(landmarks, transform), (LM_MOUTH_CORNER_R, LM_MOUTH_CORNER_L))


def corner_lifts(landmarks: np.ndarray, transform: np.ndarray | None = None) -> tuple[float, float]:
    """``corner_lift`` of each corner alone: the subject's right, then left."""
    points = _pose_undone(landmarks, transform)
    return (_lift_above_lip_centre(points, (LM_MOUTH_CORNER_R,)),
            _lift_above_lip_centre(points, (LM_MOUTH_CORNER_L,)))


def _pose_undone(landmarks: np.ndarray, transform: np.ndarray | None) -> np.ndarray:
    return np.asarray(landmarks) if transform is None else facing_the_camera(landmarks, transform)


def brow_height(landmarks: np.ndarray) -> float:
    """How far the brows' inner halves (their upper edges) sit above the eyes' corners, along the
    face's own vertical axis (roll removed), normalised by the outer-eye-corner distance: it grows
    as the brows rise and shrinks in a frown."""
    return _height_above(landmarks, LM_BROWS_INNER_HALF, EYE_CORNER_POINTS)


def _lift_above_lip_centre(landmarks: np.ndarray, corners: tuple[int, ...]) -> float:
    return _height_above(landmarks, corners, LM_LIP_CENTRE)


def _height_above(landmarks: np.ndarray, points: tuple[int, ...], below: tuple[int, ...]) -> float:
    """How far the mean of ``points`` sits above the mean of ``below`` along the face's up (square
    to the outer eye corners' line), in that line's length."""
    right, left = landmarks[LM_EYE_OUTER_R, :2], landmarks[LM_EYE_OUTER_L, :2]
    across = left - right
    span = float(np.linalg.norm(across))
    if span < 1e-6:
        return 0.0
    down = np.array([-across[1], across[0]]) / span  # image y grows downwards; this is the face's "down"
    return float(np.dot(np.mean(landmarks[list(below), :2], 0) - np.mean(landmarks[list(points), :2], 0), down)) / span


def _frown_by_corners(lift: float) -> float:
    """The mouthFrown a mouth's corners say by their drop below the lip centre (``corner_lift``: ``lift``)."""
    return min(CORNER_DROP_MAX_FROWN, CORNER_DROP_PER_FROWN * max(0.0, -lift - CORNER_DROP_REST))


def _eased_shrug(shrug: float) -> float:
    return min(shrug, SHRUG_KNEE) + SHRUG_ABOVE_KNEE * max(0.0, shrug - SHRUG_KNEE)


def _features(track: FaceTrack) -> dict[str, float]:
    s = track.blendshapes
    smile = _pair(s, "mouthSmile")
    squint = _pair(s, "eyeSquint")
    brow_down = _pair(s, "browDown")
    upper_up = _pair(s, "mouthUpperUp")
    lift = corner_lift(track.landmarks, track.transform)
    return {
        "browInnerUp": _bs(s, "browInnerUp"),
        "browOuterUp": _pair(s, "browOuterUp"),
        "browDown": brow_down,
        "eyeWide": _pair(s, "eyeWide"),
        # A real cheek raise bunches the lower lids (squint beyond a resting ~0.3) and comes with
        # smiles; use cheekSquint itself should a model version make it live again.
        "cheekRaise": max(_pair(s, "cheekSquint"), 0.6 * smile + 0.4 * max(0.0, squint - 0.3)),
        "eyeSquint": squint,
        "noseWrinkle": max(_pair(s, "noseSneer"), min(upper_up, brow_down)),
        "mouthUpperUp": upper_up,
        "smile": max(smile, min(CORNER_LIFT_MAX_SMILE,
                                CORNER_LIFT_PER_SMILE * (lift - CORNER_LIFT_REST))),
        "mouthDimple": _pair(s, "mouthDimple"),
        # Both small in MediaPipe and read a little on a hand over a laughing mouth: a smile releases them.
        # ... or the corners' drop below the lip centre, which mouthFrown loses in a held pout.
        "frown": max(_pair(s, "mouthFrown"), _frown_by_corners(lift)) - smile,
        "chinRaise": _eased_shrug(_bs(s, "mouthShrugLower")) - smile,
        "mouthStretch": _pair(s, "mouthStretch"),
        "mouthPress": _pair(s, "mouthPress"),
        "lipGap": inner_lip_gap(track.landmarks),
        "jawOpen": _bs(s, "jawOpen"),
        "eyeBlink": _pair(s, "eyeBlink"),
    }


def feature_vector(track: FaceTrack) -> np.ndarray:
    feats = _features(track)
    return np.array([feats[m.feature] for m in AU_MAPPING], np.float32)


def linear_reading(track: FaceTrack) -> np.ndarray:
    """``AU_MAPPING`` without its clip at 0 and 5 (and without config gains): changes of this
    reading are proportional to the blendshape changes behind them, also below the offsets, so it
    measures how much an expression changed (``runtime.response``). NaN without a face."""
    if not track.present:
        return np.full(NUM_AUS, np.nan, np.float32)
    return (_SCALES * (feature_vector(track) - _OFFSETS)).astype(np.float32)


def estimate_aus(track: FaceTrack, gains: np.ndarray | None = None) -> np.ndarray:
    """The 17 AUs (0-5) of one tracked face; zeros when no face is present."""
    if not track.present:
        return np.zeros(NUM_AUS, np.float32)
    aus = linear_reading(track)  # the clip below also drops what lies under the offsets (scales > 0)
    if gains is not None:
        aus = aus * np.asarray(gains, np.float32)
    return np.clip(aus, 0.0, AU_MAX).astype(np.float32)


class BlendshapeEstimator:
    """The default estimator (``expression.estimator: mediapipe``): ``AU_MAPPING`` times ``expression.gains``."""

    name = "mediapipe"

    def __init__(self, expression_config=None):
        self.gains = None if expression_config is None else expression_config.gain_vector()

    def estimate(self, track: FaceTrack) -> np.ndarray:
        return estimate_aus(track, self.gains)


def mapping_table_markdown() -> str:
    """The mapping as a Markdown table (README and `livemorph aus --explain` print it)."""
    rows = ["| AU | meaning | feature | offset | scale | note |", "|---|---|---|---|---|---|"]
    from ...aus import AU_DESCRIPTIONS

    for m in AU_MAPPING:
        rows.append(f"| {m.au} | {AU_DESCRIPTIONS[m.au]} | {m.feature} | {m.offset} | {m.scale} | {m.why} |")
    return "\n".join(rows)
