"""An independent judge of "the portrait does what the driver does".

It reads bare MediaPipe blendshapes (no livemorph code: not our tracker wrapper, not our AU
mapping) on the driver's frames and on the rendered portrait's frames, and compares the two
series per channel: Pearson r and the amplitude ratio (output sd / driver sd). Used by
``bench_fidelity.py`` and by the fidelity tests, so both judge the same way.

Beside the blendshapes, four channels are read off the same landmarks' geometry:

- ``lidGap``: how far the lids stand apart (``LID_PAIRS``, along the face's up, in eye widths) as
  a share of that face's own open eye (its 95th percentile over the sequence). It asks what a
  person sees -- do the lids close as far as the driver's do -- where eyeBlink asks MediaPipe's
  blendshape head, which on some faces reads lids its own landmarks put together as a little over
  half a blink (Obama's, Trump's: 0.55-0.65 with upper and lower lid points within a pixel).
- ``lipGap``: how far the inner lips stand apart (``LIP_PAIRS``, along the face's up) in eye spans
  (the outer eye corners' distance), as it is: a mouth opens as far on any face. It asks what
  jawOpen cannot: does the mouth open as wide as the driver's. jawOpen reads a chin dropping with
  the lips; driven by one reading, renders opened 0.9-1.5x as wide as the driver (woman_expressions
  frame 308: an inner-lip gap of 0.27 eye spans; Obama 0.40, london_042 and the Mona Lisa 0.37).
- ``cornerLift``: how far the mouth corners sit above the middle of the lips (``MOUTH_CORNERS``,
  ``LIP_MIDDLE``, along the face's up) in eye spans, as it is, compared over the frames where both
  faces' lips are closed (``CLOSED_LIPS``): what a person sees of a closed smile (its corners up
  against the lip centre). mouthSmile reads a real closed smile and a drawn one differently: on
  woman_blinks' closed smiles the portraits' mouthSmile ran 1.12-1.42x the driver's (per frame) where
  their corners rose 0.59-1.07x as far. Open, the lips' middle drops with the jaw, and the lift
  said more of the jaw drop than of the smile (woman_expressions, who never smiles, spanned 0.056 eye
  spans; its "O" frames correlated with the portraits' at r 0.35-0.55); lipGap judges that.

- ``browRise``: how far the brows' inner half (``BROW_POINTS``) sits above the eyes' corners, along
  the face's up, in eye spans, as it is: does the portrait's brow move as far as the driver's, up in a
  raise and down in a frown. browInnerUp asks MediaPipe, whose reading of a raise differs from face
  to face (a drawn raise of +1 read 0.04 on Obama and 1.5 on lisa3 with her brows rising less), and
  which the per-portrait response curves match; this asks how far they travel. A reviewer comparing
  driver and outputs by eye called brows "dropping for no reason" where man_smiling_short's brows
  fall 0.02 eye spans (frames 0-30) and the portraits' 0.05-0.09 with browInnerUp in the goal.
  It is the roughest of the four: the brows stand in front of the eyes, so a nod moves them in the
  picture too (pexels_woman_laughing's laughs: r 0.38-0.84 where browInnerUp reads 0.60-0.90). And
  it is a guide, not what a person sees: a blind review read woman_blinks' big surprise raises on
  Obama, Trump, the Mona Lisa and London 092 as short of hers where browRise reads them 1.4-1.8x.

One more score is worked out from ``lipGap`` rather than read: ``lipPart``, the lips parting a little
(``LIPS_PART_A_LITTLE``): talk, and the first frames of every opening. Over the frames where the
driver's lips stand 0.03-0.1 eye spans apart (each face's gap from its own rest: ``REST_QUANTILE``), its
amplitude is how far the portrait's part there, as a share of the driver's (the ratio of the medians:
so narrow a band has little spread to compare); its r is taken over those frames and the ones where
the driver's lips are closed. The wide openings that set lipGap's r and amplitude hid a dead zone:
driven by woman_expressions, whose lips part 0.04-0.09 eye spans in 61 of her 318 frames, London 092,
the Mona Lisa and Grace Hopper parted theirs 0.005-0.014 there (the driver's 0.05-0.07), and matched
her from 0.09 on.

The geometric channels are read on landmarks steadied against the head's motion (``steadied``):
every frame's face brought onto the sequence's median face by the similarity (rotation, scale,
shift, in 3-D) that best lays its ``RIGID`` points there. In the picture a nod moves these small
measures as much as an expression does: a curved mouth's corners rise above its middle as the head
tips down (woman_blinks looks down 5-10 degrees with a resting mouth, MediaPipe's mouthSmile 0.00:
her corners read up to 0.054 eye spans in the picture, a closed smile). Over her closed-lipped
frames her lift correlates with her pitch at 0.74 in the picture and 0.55 steadied; she does smile
more looking down (her mouthSmile, MediaPipe's own reading, correlates with her pitch at 0.40).
Her lift's 5-95 % span is 0.068 eye spans in the picture, 0.053 steadied. A portrait does not nod,
so it is the expression under the nod that it should draw. The reference is the face's own, from
the same MediaPipe reading: no livemorph code and no head-pose model is involved.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

# channel -> the blendshapes averaged into it
CHANNELS: dict[str, tuple[str, ...]] = {
    "jawOpen": ("jawOpen",),
    "mouthSmile": ("mouthSmileLeft", "mouthSmileRight"),
    "eyeBlink": ("eyeBlinkLeft", "eyeBlinkRight"),
    "browInnerUp": ("browInnerUp",),
    "browDown": ("browDownLeft", "browDownRight"),
}
# Channels read off the landmarks' geometry (``_geometry``), after the blendshape channels.
GEOMETRY = ("lidGap", "lipGap", "cornerLift", "browRise")
# ... of which these are compared as shares of the face's own open eye (``OPEN_EYE_QUANTILE``).
OWN_OPEN_EYE = ("lidGap",)
ALL_CHANNELS = tuple(CHANNELS) + GEOMETRY
# (upper, lower) lid points and (outer, inner) corners per eye, MediaPipe indices (image left eye first).
LID_PAIRS = (((160, 144), (159, 145), (158, 153)), ((387, 373), (386, 374), (385, 380)))
EYE_CORNERS = ((33, 133), (263, 362))
# (upper, lower) inner-lip points: the middle and a little either side of it.
LIP_PAIRS = ((13, 14), (82, 87), (312, 317))
# The mouth's corners (image left, right) and the middle of its lips (outer and inner, upper and lower).
MOUTH_CORNERS = (61, 291)
LIP_MIDDLE = (0, 17, 13, 14)
# The brows' inner half (upper edge, image left brow first), whose height above the eyes' corners is
# ``browRise``.
BROW_POINTS = (105, 66, 107, 334, 296, 336)
# Points an expression hardly moves (the nose's bridge and ridge, the eyes' corners, the face's sides
# at the temples and cheekbones), on which ``steadied`` lays each frame onto the sequence's median face.
RIGID = (168, 6, 197, 195, 5, 4, 1, 33, 133, 263, 362, 234, 454, 127, 356)
# a driver "really uses" a channel when its 5-95 % range spans at least this much (``USED_RANGES``
# where a channel's own scale differs) ...
USED_RANGE = 0.15
# ... the corners' lift, with the lips closed, at least 0.04 eye spans: woman_blinks' closed smiles
# span 0.053 steadied, pexels_woman_laughing's laughs caught closing 0.051; woman_expressions, who
# never smiles, 0.021 (a pout's corners; in the picture her nods made it 0.057).
USED_RANGES = {"cornerLift": 0.04, "browRise": 0.02}
# Channels compared only over the frames where both faces' inner lips are closer than this (eye spans,
# ``lip_gap``): resting mouths part by 0.00-0.02.
CLOSED_LIPS_ONLY, CLOSED_LIPS = ("cornerLift",), 0.04
# ``lipPart``: the driver's lips parting by this much (eye spans, from their rest) ...
LIPS_PART_A_LITTLE = (0.03, 0.1)
REST_QUANTILE = 0.1  # ... each face's rest: this quantile of its lips' gap over the sequence
LIP_PART = "lipPart"
SCORED_CHANNELS = ALL_CHANNELS + (LIP_PART,)  # what ``compare`` scores
# A driver uses a channel only over at least this many frames (a second at 30 fps for the closed-lipped
# ones): man_smiling_short's 21 closed-lipped frames are his rest and the two frames his grin's lips
# take to part, which spanned 0.05 eye spans steadied (the portraits read r 0.54-0.80 and amplitude
# 0.40-0.76 over them: a lip parting, not a closed smile).
MIN_FRAMES, MIN_CLOSED_LIPPED_FRAMES = 11, 30
# Geometric channels compared as shares of the face's own open eye: this quantile of the series.
OPEN_EYE_QUANTILE = 0.95


# How the judge runs MediaPipe on a sequence:
# - "tracked": VIDEO mode with one face, MediaPipe's own video pipeline: after the first frame it
#   crops each frame around the previous frame's landmarks instead of detecting the face again.
# - "per-frame": IMAGE mode, the face detected afresh in every frame (no history).
# They agree on every channel but one: on three of the five shared drivers the tracked crop reads
# browInnerUp at 0.55-0.6x the per-frame reading (e.g. pexels_woman_laughing frame 190, a plain worried
# inner-brow raise with forehead creases: 0.27 tracked, 0.61 per frame); see bench_fidelity --judge.
JUDGE_MODES = ("tracked", "per-frame")


def read_channels(frames, model_path: str | Path, fps: float = 30.0, mode: str = "tracked") -> np.ndarray:
    """(N, len(ALL_CHANNELS)) blendshape and geometry channels per RGB frame; NaN rows where no
    face is found."""
    import mediapipe as mp
    from mediapipe.tasks.python import BaseOptions, vision

    if mode not in JUDGE_MODES:
        raise ValueError(f"judge mode must be one of {JUDGE_MODES}, got {mode!r}")
    tracked = mode == "tracked"
    options = vision.FaceLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(model_path)),
        running_mode=vision.RunningMode.VIDEO if tracked else vision.RunningMode.IMAGE,
        num_faces=1, output_face_blendshapes=True)
    shapes, faces = [], []
    with vision.FaceLandmarker.create_from_options(options) as landmarker:
        for i, frame in enumerate(frames):
            image = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(frame))
            if tracked:
                result = landmarker.detect_for_video(image, int(round(i * 1000.0 / fps)))
            else:
                result = landmarker.detect(image)
            if not result.face_blendshapes:
                shapes.append([np.nan] * len(CHANNELS))
                faces.append(None)
                continue
            scores = {c.category_name: c.score for c in result.face_blendshapes[0]}
            shapes.append([float(np.mean([scores[n] for n in names])) for names in CHANNELS.values()])
            height, width = frame.shape[:2]  # MediaPipe's z is on x's scale
            faces.append(np.array([[p.x * width, p.y * height, p.z * width] for p in result.face_landmarks[0]]))
    geometry = [[np.nan] * len(GEOMETRY) if points is None else _geometry(points) for points in steadied(faces)]
    return np.hstack([np.asarray(shapes, np.float64).reshape(-1, len(CHANNELS)),
                      np.asarray(geometry, np.float64).reshape(-1, len(GEOMETRY))])


def steadied(faces: list) -> list:
    """Each (N, 3) face (``None`` where none was found) laid onto the sequence's median face by the
    similarity transform that best maps its ``RIGID`` points onto the median's (least squares,
    Umeyama's method): the head's motion taken out, its expression left."""
    found = [points for points in faces if points is not None]
    if not found:
        return faces
    reference = np.median(np.stack(found), axis=0)[list(RIGID)]
    return [None if points is None else _laid_onto(points, reference) for points in faces]


def _laid_onto(points: np.ndarray, reference: np.ndarray) -> np.ndarray:
    source = points[list(RIGID)]
    source_mean, reference_mean = source.mean(axis=0), reference.mean(axis=0)
    a, b = source - source_mean, reference - reference_mean
    u, singular, vt = np.linalg.svd(a.T @ b)
    signs = np.array([1.0, 1.0, np.sign(np.linalg.det(u @ vt))])  # a rotation, never a mirror
    rotation = (u * signs) @ vt
    scale = float((singular * signs).sum() / max(float((a ** 2).sum()), 1e-12))
    return (points - source_mean) @ rotation * scale + reference_mean


def _geometry(points: np.ndarray) -> list[float]:
    """``GEOMETRY`` of one face's landmarks (pixels; x and y are read), along the face's up (square
    to the line through the outer eye corners): the lids' gap, mean over both eyes, in each eye's
    width; the inner lips' gap (``lip_gap``); the corners' lift (``corner_lift``)."""
    points = np.asarray(points, np.float64)[:, :2]
    up, _ = _up_and_span(points)
    gaps = [np.mean([(points[upper] - points[lower]) @ up for upper, lower in pairs])
            / max(float(np.linalg.norm(points[outer] - points[inner])), 1e-9)
            for pairs, (outer, inner) in zip(LID_PAIRS, EYE_CORNERS)]
    return [float(np.mean(gaps)), lip_gap(points), corner_lift(points), brow_rise(points)]


def lip_gap(points: np.ndarray) -> float:
    """How far one face's inner lips stand apart (``LIP_PAIRS``, landmarks in pixels), along the
    face's up, in the outer eye corners' distance (tests measure a mouth's opening with it too)."""
    up, span = _up_and_span(points)
    return float(np.mean([(points[upper] - points[lower]) @ up for upper, lower in LIP_PAIRS])) / span


def corner_lift(points: np.ndarray) -> float:
    """How far one face's mouth corners (``MOUTH_CORNERS``, their mean) sit above the middle of its
    lips (``LIP_MIDDLE``), along the face's up, in eye spans: positive for corners raised. (The same
    measure as the AU estimator's ``corner_lift``, written again on purpose: the judge runs no
    livemorph code.)"""
    up, span = _up_and_span(points)
    middle = points[list(LIP_MIDDLE)].mean(axis=0)
    return float((points[list(MOUTH_CORNERS)].mean(axis=0) - middle) @ up) / span


def brow_rise(points: np.ndarray) -> float:
    """How far one face's brows' inner half (``BROW_POINTS``, their mean) sits above its eyes' corners
    (``EYE_CORNERS``, their mean), along the face's up, in eye spans: it grows in a brow raise and
    shrinks in a frown."""
    up, span = _up_and_span(points)
    eyes = points[[corner for pair in EYE_CORNERS for corner in pair]].mean(axis=0)
    return float((points[list(BROW_POINTS)].mean(axis=0) - eyes) @ up) / span


def _up_and_span(points: np.ndarray) -> tuple[np.ndarray, float]:
    """The face's up (square to the line through the outer eye corners) and those corners' distance."""
    across = points[EYE_CORNERS[1][0]] - points[EYE_CORNERS[0][0]]
    span = max(float(np.linalg.norm(across)), 1e-9)
    return np.array([across[1], -across[0]]) / span, span


@dataclass(frozen=True)
class ChannelScore:
    channel: str
    used: bool  # the driver really moves this channel
    r: float  # Pearson correlation driver vs output
    amplitude: float  # output sd / driver sd


def compare(driver: np.ndarray, output: np.ndarray) -> list[ChannelScore]:
    """Per channel (``SCORED_CHANNELS``), over frames where both faces were found (``CLOSED_LIPS_ONLY``:
    with both mouths closed; ``lipPart``: ``_lip_part``)."""
    n = min(len(driver), len(output))
    driver, output = driver[:n], output[:n]
    both = ~(np.isnan(driver).any(1) | np.isnan(output).any(1))
    lips = ALL_CHANNELS.index("lipGap")
    closed = (driver[both, lips] < CLOSED_LIPS) & (output[both, lips] < CLOSED_LIPS)
    scores = []
    for j, name in enumerate(ALL_CHANNELS):
        d, o = driver[both, j], output[both, j]
        if name in CLOSED_LIPS_ONLY:
            d, o = d[closed], o[closed]
        if name in OWN_OPEN_EYE and len(d):  # each face against its own open eye
            d, o = d / max(float(np.quantile(d, OPEN_EYE_QUANTILE)), 1e-9), o / max(float(np.quantile(o, OPEN_EYE_QUANTILE)), 1e-9)
        enough = len(d) >= (MIN_CLOSED_LIPPED_FRAMES if name in CLOSED_LIPS_ONLY else MIN_FRAMES)
        used = enough and float(np.quantile(d, 0.95) - np.quantile(d, 0.05)) >= USED_RANGES.get(name, USED_RANGE)
        r = float(np.corrcoef(d, o)[0, 1]) if len(d) > 2 and d.std() > 0 and o.std() > 0 else float("nan")
        amplitude = float(o.std() / d.std()) if len(d) > 2 and d.std() > 0 else float("nan")
        scores.append(ChannelScore(name, used, r, amplitude))
    scores.append(_lip_part(driver[both, lips], output[both, lips]))
    return scores


def _lip_part(driver_gap: np.ndarray, output_gap: np.ndarray) -> ChannelScore:
    """``lipPart``: over the frames where the driver's lips part a little (``LIPS_PART_A_LITTLE``), how
    far the output's part, as a share of the driver's (medians, each face's gap from its own rest); r
    over those frames and the ones where the driver's lips are closed."""
    if len(driver_gap) < MIN_FRAMES:
        return ChannelScore(LIP_PART, False, float("nan"), float("nan"))
    d = driver_gap - float(np.quantile(driver_gap, REST_QUANTILE))
    o = output_gap - float(np.quantile(output_gap, REST_QUANTILE))
    low, high = LIPS_PART_A_LITTLE
    parting, upto = (d >= low) & (d < high), d < high
    used = int(parting.sum()) >= MIN_FRAMES
    r = (float(np.corrcoef(d[upto], o[upto])[0, 1]) if upto.sum() > 2 and d[upto].std() > 0 and o[upto].std() > 0
         else float("nan"))
    amplitude = float(np.median(o[parting]) / np.median(d[parting])) if parting.any() else float("nan")
    return ChannelScore(LIP_PART, used, r, amplitude)


def decode_video(path: str | Path) -> tuple[list[np.ndarray], float]:
    """All frames of a video as RGB arrays, and its frame rate."""
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        fps = float(stream.average_rate or 30.0)
        frames = [frame.to_ndarray(format="rgb24") for frame in container.decode(stream)]
    return frames, fps
