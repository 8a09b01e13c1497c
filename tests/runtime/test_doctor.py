"""`livemorph doctor`: one line per check, bounded time, non-zero exit only for a bad model file."""
from __future__ import annotations

import time

import pytest

from livemorph.cli.app import main
from livemorph.runtime.diagnostics import check_cameras, check_checkpoints, check_virtual_cameras


def doctor(capsys, *global_args):
    capsys.readouterr()
    code = main([*global_args, "doctor", "--camera-timeout", "0.5"])
    captured = capsys.readouterr()
    return code, captured.out.splitlines(), captured.err.splitlines()


def line_for(lines, name):
    (line,) = [l for l in lines if l.startswith(name)]
    return line


def test_doctor_reports_each_check_on_one_line_and_passes_with_the_shared_model(capsys, shared_dir):
    code, out, err = doctor(capsys)
    assert code == 0, err
    for name in ("camera", "device", "vcam", "face model", "checkpoint"):
        line = line_for(out, name)
        assert " ok: " in line or " problem: " in line
        if " problem: " in line:
            assert "; fix: " in line  # every problem says what to do
    assert "sha256 verified" in line_for(out, "face model")
    assert str(shared_dir / "models") in line_for(out, "face model")


@pytest.mark.parametrize("content", [None, b"not a tflite bundle"])
def test_missing_or_damaged_model_fails_the_doctor(tmp_path, capsys, content):
    model = tmp_path / "face_landmarker.task"
    if content is not None:
        model.write_bytes(content)
    code, out, err = doctor(capsys, "--set", f"tracking.model_path={model}")
    assert code == 6
    line = line_for(out, "face model")
    assert " problem: " in line and "fix: " in line
    assert ("damaged" in line) if content else ("not found" in line)
    assert len(err) == 1 and err[0].startswith("livemorph: error: face model")


def test_a_model_folder_without_the_model_is_fixed_where_it_points(tmp_path, capsys, monkeypatch):
    # With $LIVEMORPH_MODELS set, doctor said to run online or download into the cache, which is
    # not read while it is set; with tracking.model_path a folder, "not found".
    monkeypatch.setenv("LIVEMORPH_MODELS", str(tmp_path))
    code, out, _ = doctor(capsys)
    assert code == 6
    line = line_for(out, "face model")
    assert line.endswith("or unset LIVEMORPH_MODELS") and ".cache" not in line, line
    monkeypatch.delenv("LIVEMORPH_MODELS")
    code, out, _ = doctor(capsys, "--set", f"tracking.model_path={tmp_path}")
    assert code == 6
    line = line_for(out, "face model")
    assert f"{tmp_path} is a folder" in line and "set it to null" in line.split("fix: ")[1], line


def test_camera_probe_never_hangs_and_reports_what_it_found():
    def opener(device):
        if device == "/dev/video0":
            return (640, 480)
        if device == "/dev/video2":
            time.sleep(30)  # a driver that hangs on open
        return None

    start = time.monotonic()
    check = check_cameras(opener, device_paths=["/dev/video0", "/dev/video1", "/dev/video2"], timeout=0.5)
    assert time.monotonic() - start < 2.0
    assert check.ok and "/dev/video0" in check.detail and "640x480" in check.detail
    assert "no answer from /dev/video2" in check.detail


def test_no_camera_is_a_problem_with_a_fix():
    check = check_cameras(lambda device: None, device_paths=[], indices=(0, 1), timeout=0.5)
    assert not check.ok and "tried 0, 1" in check.detail and "--source" in check.fix
    assert not check.critical


class OpenableBackend:
    opened = []

    def __init__(self, *, width, height, fps, fourcc, device, **kw):
        OpenableBackend.opened.append((width, height, fps))

    def send(self, frame):
        pass

    def close(self):
        pass

    def device(self):
        return "/dev/video42"

    def native_fourcc(self):
        return None


class FailingBackend(OpenableBackend):
    def __init__(self, **kw):
        raise RuntimeError("No v4l2 loopback device found")


@pytest.fixture
def only_backends():
    from pyvirtualcam.camera import BACKENDS

    saved = dict(BACKENDS)

    def use(**backends):
        BACKENDS.clear()
        BACKENDS.update(backends)

    yield use
    BACKENDS.clear()
    BACKENDS.update(saved)


def test_virtual_camera_check_opens_each_backend(only_backends):
    only_backends(broken=FailingBackend, fake=OpenableBackend)
    OpenableBackend.opened.clear()
    (check,) = check_virtual_cameras(320, 240, 30)
    assert check.ok and "fake (/dev/video42)" in check.detail
    assert OpenableBackend.opened == [(320, 240, 30)]


def test_no_virtual_camera_points_at_the_per_os_setup(only_backends):
    only_backends(broken=FailingBackend)
    (check,) = check_virtual_cameras()
    assert not check.ok and "No v4l2 loopback device found" in check.detail
    assert "modprobe v4l2loopback devices=1 exclusive_caps=1" in check.fix and "OBS" in check.fix
    assert "\n" not in check.line()


def test_registered_checkpoints_are_verified(tmp_path, monkeypatch, config):
    import torch

    from livemorph.engines.ganimation.checkpoints import save_generator
    from livemorph.engines.ganimation.model_registry import USER_REGISTRY_ENV, add_model
    from livemorph.engines.ganimation.networks import GanimationGenerator

    monkeypatch.setenv(USER_REGISTRY_ENV, str(tmp_path / "models.yaml"))
    assert [c.detail.split(" (")[0] for c in check_checkpoints(config)] == ["none registered"]
    torch.manual_seed(0)
    ckpt = save_generator(tmp_path / "mine.pth", GanimationGenerator(), image_size=128)
    add_model(ckpt, name="mine")
    (check,) = check_checkpoints(config)
    assert check.ok and check.detail.startswith("mine: ok")
    ckpt.write_bytes(b"changed")  # the file changed after it was registered
    (check,) = check_checkpoints(config)
    # The problem names the entry, its file and what is wrong; the fix, the commands that mend it
    # (it read "problem: mine; fix: changed since it was added ...").
    assert not check.ok and check.detail == f"mine ({ckpt}): changed since it was added (sha256 differs)"
    assert "livemorph models add FILE --name mine --replace" in check.fix and "livemorph models remove mine" in check.fix
    # Followed with another file, the fix works (without --replace a taken name is refused).
    other = save_generator(tmp_path / "other.pth", GanimationGenerator(), image_size=128)
    add_model(other, name="mine", replace=True)
    (check,) = check_checkpoints(config)
    assert check.ok



def test_opencv_stays_silent_through_the_whole_camera_probe():
    # OpenCV writes "[ WARN:0@0.027] global cap_v4l.cpp:915 open VIDEOIO(V4L2:/dev/video0): can't open
    # camera by index" straight to stderr for each device that does not open. Its log level is
    # global: quieted per probe, one probe's restore let the others' warnings through (`doctor`
    # printed two to four of them, by chance). Every probe must run with it silent.
    import cv2

    from livemorph.runtime.diagnostics import probe_cameras

    levels = []

    def opener(device):
        time.sleep(0.05 * device)  # the probes overlap and end one after another
        levels.append(cv2.utils.logging.getLogLevel())

    before = cv2.utils.logging.getLogLevel()
    probe_cameras([0, 1, 2, 3], opener, timeout=2.0)
    assert levels == [cv2.utils.logging.LOG_LEVEL_SILENT] * 4
    assert cv2.utils.logging.getLogLevel() == before
