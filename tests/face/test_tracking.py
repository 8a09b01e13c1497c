import numpy as np
import pytest

from livemorph.frames import load_image
from livemorph.face.tracking import NUM_BLENDSHAPES, NUM_LANDMARKS, FaceTrack, FaceTracker, pose_from_transform

from conftest import make_rgb, shared_path


@pytest.fixture(scope="module")
def image_tracker(config):
    with FaceTracker.from_config(config.tracking, mode="image") as tracker:
        yield tracker


def test_portrait_face_has_landmarks_blendshapes_and_pose_inside_the_image(image_tracker):
    image = load_image(shared_path("assets/portraits/mona_lisa.jpg"))
    faces = image_tracker.detect_all(image)
    assert len(faces) == 1
    face = faces[0]
    assert face.present and face.landmarks.shape == (NUM_LANDMARKS, 3) and face.blendshapes.shape == (NUM_BLENDSHAPES,)
    h, w = image.shape[:2]
    x0, y0, x1, y1 = face.box
    # The face is in the upper-middle of the painting (README: face ~240 px wide).
    assert 0 < x0 < x1 < w and 0 < y0 < y1 < h / 2
    assert 150 < x1 - x0 < 400
    assert np.all((face.blendshapes >= 0) & (face.blendshapes <= 1))


def test_no_face_gives_empty_track_not_an_error(image_tracker, config):
    blank = np.full((240, 320, 3), 128, np.uint8)
    assert image_tracker.detect_all(blank) == []
    with FaceTracker.from_config(config.tracking, mode="video") as tracker:
        track = tracker.track(blank, 0)
    assert not track.present and track.landmarks.shape == (NUM_LANDMARKS, 3)


def test_contract_errors(config):
    with FaceTracker.from_config(config.tracking, mode="video") as tracker:
        with pytest.raises(ValueError, match="uint8"):
            tracker.track(make_rgb().astype(np.float32), 0)
        with pytest.raises(ValueError, match="HxWx3"):
            tracker.track(np.zeros((10, 10), np.uint8), 0)
        # Timestamps that go backwards (a looping video) are tolerated, not an error.
        tracker.track(make_rgb(), 100)
        tracker.track(make_rgb(), 50)
    with pytest.raises(ValueError, match="expected|must have shape"):
        FaceTrack(np.zeros((10, 3), np.float32), np.zeros(52, np.float32), np.eye(4, dtype=np.float32), True, (1, 1))


@pytest.mark.parametrize("turns", (1, 3))
def test_a_face_found_in_the_picture_turned_comes_back_in_its_own_pixels(image_tracker, turns):
    # Obama's portrait shown on its side: the same face, so the same points and the same head roll.
    image = load_image(shared_path("assets/portraits/obama_official_2012.jpg"))
    upright = image_tracker.detect_largest(image)
    turned = image_tracker.detect_all(image, turns)[0]
    assert turned.image_size == upright.image_size
    apart = np.linalg.norm(turned.landmarks[:, :2] - upright.landmarks[:, :2], axis=1).mean()
    assert apart < 0.02 * upright.size  # 0.008-0.009 face sizes; turned back wrongly, 0.76
    assert abs(float(turned.pose[2] - upright.pose[2])) < 5.0  # degrees of roll (1.0 upright, 1.6 / 2.0 turned)
    near = image_tracker.detect_near(image, upright.box, turns=turns)
    assert np.linalg.norm(near.landmarks[:, :2] - upright.landmarks[:, :2], axis=1).mean() < 0.02 * upright.size


def test_pose_decomposition_recovers_known_angles():
    def rot(yaw, pitch, roll):
        y, p, r = np.radians([yaw, pitch, roll])
        ry = np.array([[np.cos(y), 0, np.sin(y)], [0, 1, 0], [-np.sin(y), 0, np.cos(y)]])
        rx = np.array([[1, 0, 0], [0, np.cos(p), -np.sin(p)], [0, np.sin(p), np.cos(p)]])
        rz = np.array([[np.cos(r), -np.sin(r), 0], [np.sin(r), np.cos(r), 0], [0, 0, 1]])
        m = np.eye(4)
        m[:3, :3] = ry @ rx @ rz
        return m

    for angles in [(20, -10, 5), (-35, 15, -12), (0, 0, 0)]:
        np.testing.assert_allclose(pose_from_transform(rot(*angles)), angles, atol=1e-4)


def _two_faces_frame(big_left: bool, shift: int = 0) -> np.ndarray:
    """A frame with a big face and a small face (real photos), side by side."""
    import cv2

    big = cv2.resize(load_image(shared_path("assets/portraits/london_092_beard.jpg")), (360, 360))
    small = cv2.resize(load_image(shared_path("assets/portraits/grace_hopper_glasses.jpg")), (200, 234))
    frame = np.full((400, 640, 3), 90, np.uint8)
    bx, sx = (10 + shift, 420) if big_left else (270 + shift, 20)
    frame[20:380, bx:bx + 360] = big
    frame[80:314, sx:sx + 200] = small
    return frame


def test_video_mode_follows_one_face_by_position(config):
    with FaceTracker.from_config(config.tracking, mode="video") as tracker:
        first = tracker.track(_two_faces_frame(big_left=True), 0)
        assert first.present and first.center[0] < 320  # the largest face, on the left
        # Same layout, slightly moved: still the same (left) face.
        second = tracker.track(_two_faces_frame(big_left=True, shift=8), 33)
        assert second.present and second.center[0] < 320
        # MediaPipe may list faces in any order; the followed face stays the one near its last position
        # even when the small face is on the other side and we keep going.
        for t in range(66, 300, 33):
            track = tracker.track(_two_faces_frame(big_left=True, shift=8), t)
            assert track.present and abs(track.center[0] - second.center[0]) < 20


def test_a_bigger_face_entering_does_not_steal_the_track(config):
    only_small = _two_faces_frame(big_left=False)
    only_small[20:380, 270:630] = 90  # remove the big face: only the small one (left) is in view
    with FaceTracker.from_config(config.tracking, mode="video") as tracker:
        start = tracker.track(only_small, 0)
        assert start.present and start.center[0] < 220
        for t in range(33, 400, 33):  # the big face appears on the right and stays
            track = tracker.track(_two_faces_frame(big_left=False), t)
            assert track.present and track.center[0] < 220, "tracker jumped to the newly arrived bigger face"
