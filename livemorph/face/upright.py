"""Which way up a portrait's face lies, and fitting it the right way up.

MediaPipe fits faces it is shown upright or on their side, but a face it is shown upside down
comes out either not at all or as an upright face fitted upside down: its mouth on the forehead
(the Obama portrait turned upside down). A crop of a face on its side can come out so too: the Mona
Lisa turned a quarter, found the right way round in the whole picture, was fitted upside down on
the crop around her face (``portrait.fitted_again``), and the warp engine opened her mouth on her
forehead. So a portrait's face is looked for in the picture turned each quarter turn
(``the_way_up``): the fits that agree on which way is down outvote one that lies the other way, and
the face is then fitted again on a crop turned so that it stands upright (``quarter_turns_to_upright``).

A driver video whose pixels lie turned (filmed sideways, re-encoded without its rotation tag) is
found the same way, once per video, on a few of its frames (``video_way_up``), and its frames are
turned upright as they are read: fitted sideways, a frown read as a one-eyed wink.
"""
from __future__ import annotations

import logging
from collections import Counter
from contextlib import closing
from pathlib import Path
from typing import Iterable

import numpy as np

from .tracking import EYE_CORNER_POINTS, FaceTrack

# The mouth's middle: the inner lips' middles and the corners.
MOUTH_POINTS = (13, 14, 61, 291)
# Two fits lie the same way up when their eyes-to-mouth directions are at most this far apart
# (degrees): a face fitted upside down lies 173-179 degrees from the right fit; the shared
# portraits' fits in the picture turned a quarter lie 0.1-19 degrees from their upright ones.
SAME_WAY_DEGREES = 60.0
# A driver video's way up is read on its frames this far apart (seconds) in its first
# ``WAY_UP_SECONDS``, from the first ``WAY_UP_FACES`` of them that show a face clearly one way up.
WAY_UP_EVERY_S = 1.0
WAY_UP_SECONDS = 10.0
WAY_UP_FACES = 5
# A face votes only when its down lies this close to one of the picture's axes (degrees): a head
# tilted near 45 degrees (lying on a sofa, a playful tilt) says nothing of which way the video is up.
CLEAR_WAY_DEGREES = 30.0

log = logging.getLogger(__name__)


def face_down(landmarks: np.ndarray) -> np.ndarray:
    """(2,) unit vector in the image from the eyes' middle to the mouth's: the face's down."""
    points = np.asarray(landmarks, np.float64)[:, :2]
    down = points[list(MOUTH_POINTS)].mean(axis=0) - points[list(EYE_CORNER_POINTS)].mean(axis=0)
    return down / max(float(np.linalg.norm(down)), 1e-9)


def quarter_turns_to_upright(landmarks: np.ndarray) -> int:
    """How many ``np.rot90`` quarter turns show this face most nearly upright (0 for a face the
    right way up or tilted less than 45 degrees)."""
    return _turns_to_stand(face_down(landmarks))


def _turns_to_stand(down: np.ndarray) -> int:
    dx, dy = down
    # One np.rot90 turn takes a direction (dx, dy) to (dy, -dx); upright, down is (0, 1).
    downs = [dy, -dx, -dy, dx]
    return int(np.argmax(downs))


def same_way_up(a: FaceTrack, b: FaceTrack) -> bool:
    """Whether two fits of a face agree on which way is down (``SAME_WAY_DEGREES``)."""
    cosine = float(face_down(a.landmarks) @ face_down(b.landmarks))
    return cosine >= np.cos(np.radians(SAME_WAY_DEGREES))


def the_way_up(tracker, image: np.ndarray, face: FaceTrack, shown_at: int = 0) -> FaceTrack:
    """``face`` (a fit of a face in ``image`` shown to MediaPipe turned ``shown_at`` quarter turns),
    or, where most of MediaPipe's fits of it in the picture turned each other quarter turn lie the
    other way up, the one of those found where the face stands most nearly upright. A face the
    turned pictures do not show (too small for the whole picture) keeps its fit."""
    agreeing = _fits_by_way(tracker, image, face, shown_at)
    most = max(len(group) for group in agreeing)
    if len(agreeing[0]) == most:  # the first fit is outvoted only by more fits, not by as many
        return face
    return _most_upright(next(group for group in agreeing if len(group) == most))


def _most_upright(group: list[tuple[int, FaceTrack]]) -> FaceTrack:
    """Of fits lying one way up, one found where the face stood most nearly upright (else the first)."""
    upright = [fit for turns, fit in group if turns == quarter_turns_to_upright(fit.landmarks)]
    return upright[0] if upright else group[0][1]


def _fits_by_way(tracker, image: np.ndarray, face: FaceTrack, shown_at: int) -> list[list[tuple[int, FaceTrack]]]:
    """MediaPipe's fits of ``face`` in ``image`` shown at each quarter turn, ``face``'s own first: for
    each fit, the (quarter turns shown at, fit) pairs that lie the same way up as it."""
    fits = [(shown_at % 4, face)]  # (the quarter turns the picture was shown at, the fit)
    for turns in sorted({0, 1, 2, 3} - {shown_at % 4}):
        found = [other for other in tracker.detect_all(image, turns)
                 if np.linalg.norm(other.center - face.center) <= 0.5 * face.size]
        if found:
            fits.append((turns, min(found, key=lambda other: float(np.linalg.norm(other.center - face.center)))))
    return [[pair for pair in fits if same_way_up(fit, pair[1])] for _, fit in fits]


# In a tie of a video frame's fits, the way whose fits agree this many times more closely wins.
TIGHTER_WINS = 3.0


def _frame_way(tracker, image: np.ndarray, face: FaceTrack, shown_at: int) -> np.ndarray | None:
    """The face's down in one video frame, as most of its fits say it. In a tie (a portrait's keeps
    its first fit) the way whose fits agree far more closely wins: in a face upside down and tilted
    20 degrees more, two fits lay upside down (mouth on the forehead) 17-29 degrees apart and tied
    two right ones 0.1-0.3 apart. Else the frame gives no way (None)."""
    agreeing = _fits_by_way(tracker, image, face, shown_at)
    most = max(len(group) for group in agreeing)
    ways = []  # one group per way, tightest first
    for group in sorted((g for g in agreeing if len(g) == most), key=_spread):
        if not any(same_way_up(group[0][1], kept[0][1]) for kept in ways):
            ways.append(group)
    if len(ways) > 1 and _spread(ways[0]) * TIGHTER_WINS >= _spread(ways[1]):
        return None
    return face_down(_most_upright(ways[0]).landmarks)


def _spread(group: list[tuple[int, FaceTrack]]) -> float:
    """The largest angle (degrees) between the downs of a group's fits."""
    downs = [face_down(fit.landmarks) for _, fit in group]
    return max(float(np.degrees(np.arccos(np.clip(a @ b, -1.0, 1.0)))) for a in downs for b in downs)


def frames_way_up(tracker, images: Iterable[np.ndarray], faces_wanted: int = WAY_UP_FACES) -> int:
    """The quarter turns (``np.rot90``) that stand the faces in ``images`` (frames of one video)
    upright: each frame's face's way up (``_frame_way``: as ``the_way_up`` reads it, a tie giving no
    vote), where it lies clearly one way up (``CLEAR_WAY_DEGREES``), read until ``faces_wanted``
    frames voted; a turn only where more than half of them say so, else 0 (as the frames are)."""
    votes: Counter[int] = Counter()
    for image in images:
        face, shown_at = None, 0
        for shown_at in range(4):  # a face upside down may be found only turned (as for portraits)
            faces = tracker.detect_all(image, shown_at)
            if faces:
                face = faces[0]
                break
        if face is None:
            continue
        down = _frame_way(tracker, image, face, shown_at)
        if down is None or np.degrees(np.arccos(min(float(np.abs(down).max()), 1.0))) > CLEAR_WAY_DEGREES:
            continue  # its fits tie, or it is tilted near a diagonal: no vote
        votes[_turns_to_stand(down)] += 1
        if sum(votes.values()) >= faces_wanted:
            break
    if not votes:
        return 0
    turns, count = votes.most_common(1)[0]
    return turns if 2 * count > sum(votes.values()) else 0


def video_way_up(path: str | Path, tracking_config) -> int:
    """The quarter turns that stand a driver video's faces upright, read on a frame a second from
    its first seconds (``frames_way_up``) and said in a warning line where they are not 0."""
    from ..capture.video_file import VideoFileSource
    from .tracking import FaceTracker

    source = VideoFileSource(path, paced=False)
    with FaceTracker.from_config(tracking_config, mode="image") as tracker, \
            closing(source.samples(WAY_UP_EVERY_S, WAY_UP_SECONDS)) as images:
        turns = frames_way_up(tracker, images)
    say_turned(Path(path).name, turns)
    return turns


def say_turned(name: str, turns: int) -> None:
    """One warning line where the faces of a video (or folder of stills) ``name`` are read turned."""
    if turns:
        log.warning("the faces in %s are %s; its frames are turned back upright", name,
                    {1: "turned a quarter turn clockwise", 2: "upside down",
                     3: "turned a quarter turn anticlockwise"}[turns])
