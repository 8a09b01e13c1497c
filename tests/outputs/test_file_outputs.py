"""Recorders produce complete, decodable files (or none at all); the virtual camera gets the right frames."""
from __future__ import annotations

import os
import time
from types import SimpleNamespace

import av
import numpy as np
import pytest
from PIL import Image, ImageSequence

from livemorph.errors import ConfigError, OutputNotWritable, VirtualCameraUnavailable
from livemorph.outputs.folder import FrameFolderWriter
from livemorph.outputs.gif import GifRecorder
from livemorph.outputs.mp4 import Mp4Recorder
from livemorph.outputs.png import PngWriter
from livemorph.outputs.registry import open_recorder, output_kind
from livemorph.outputs.vcam import VirtualCamSink


def moving_square(n: int, h: int = 120, w: int = 160) -> list[np.ndarray]:
    """Frames that differ from each other (a white square moving over a colour gradient)."""
    yy, xx = np.mgrid[0:h, 0:w]
    base = np.stack([xx * 255 // w, yy * 255 // h, np.full_like(xx, 90)], axis=-1).astype(np.uint8)
    frames = []
    for i in range(n):
        f = base.copy()
        x = (i * 7) % (w - 20)
        f[40:60, x:x + 20] = 255
        frames.append(f)
    return frames


def decode_mp4(path):
    """The video stream's codec name and average rate, and its frames (RGB). Read while the file is
    open: PyAV 18.1.1 refuses a closed container's stream attributes ("Container is not open")."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        images = [f.to_ndarray(format="rgb24") for f in container.decode(stream)]
        return SimpleNamespace(codec=stream.codec_context.name, average_rate=float(stream.average_rate)), images


def leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if ".partial" in p.name)


def test_mp4_has_every_frame_at_the_right_size_and_rate(tmp_path, config):
    frames = moving_square(25)
    out = tmp_path / "clip.mp4"
    with open_recorder(out, 25, config.render) as rec:
        assert isinstance(rec, Mp4Recorder)
        for f in frames:
            rec.write(f)
    stream, images = decode_mp4(out)
    assert len(images) == 25
    assert images[0].shape == (120, 160, 3)
    assert stream.codec == "h264"
    assert stream.average_rate == pytest.approx(25, rel=1e-3)
    # lossy but close: the square is where we drew it
    assert np.abs(images[10].astype(int) - frames[10].astype(int)).mean() < 6
    assert leftovers(tmp_path) == []


def test_mp4_pads_odd_sizes_without_losing_pixels(tmp_path, config):
    frame = moving_square(1, h=75, w=99)[0]
    out = tmp_path / "odd.mp4"
    with Mp4Recorder(out, 30, crf=config.render.crf) as rec:
        rec.write(frame)
        rec.write(frame)
    _, images = decode_mp4(out)
    assert len(images) == 2 and images[0].shape == (76, 100, 3)
    assert np.abs(images[0][:75, :99].astype(int) - frame.astype(int)).mean() < 6
    # The summary line says the size the file has (it said 99x75).
    assert rec.output_info().size == (images[0].shape[1], images[0].shape[0])


def test_x264_preset_reaches_the_encoder(tmp_path, config):
    """Same frames, same CRF: ultrafast spends more bits than veryslow, so the option is live."""
    rng = np.random.default_rng(0)
    base = rng.integers(0, 256, (120, 160, 3), dtype=np.uint8)
    frames = [np.roll(base, 2 * i, axis=1) for i in range(20)]
    sizes = {}
    for preset in ("ultrafast", "veryslow"):
        out = tmp_path / f"{preset}.mp4"
        with open_recorder(out, 30, config.render, x264_preset=preset) as rec:
            for f in frames:
                rec.write(f)
        sizes[preset] = out.stat().st_size
    assert sizes["ultrafast"] > 1.1 * sizes["veryslow"], sizes


def test_gif_loops_is_capped_in_width_and_resampled(tmp_path, config):
    frames = [np.repeat(np.repeat(f, 5, 0), 5, 1) for f in moving_square(30)]  # 800 px wide
    out = tmp_path / "clip.gif"
    with open_recorder(out, 30, config.render) as rec:
        assert isinstance(rec, GifRecorder)
        for f in frames:
            rec.write(f)
    with Image.open(out) as im:
        assert im.info.get("loop") == 0  # loop forever
        assert im.width <= config.render.gif_max_width
        assert im.width == config.render.gif_max_width and im.height == round(600 * im.width / 800)
        durations = [f.info["duration"] for f in ImageSequence.Iterator(im)]
        n = im.n_frames
    expected = int(np.ceil(30 * config.render.gif_fps / 30))  # 30 frames at 30 fps -> 1 s at gif_fps
    assert n == min(30, expected)
    assert sum(durations) == pytest.approx(1000, abs=20)  # playback time preserved
    assert leftovers(tmp_path) == []


def test_gif_of_a_static_portrait_is_small(tmp_path, config):
    # Only a small region changes: per-frame deltas must keep the file far below raw size.
    frames = moving_square(30, h=400, w=400)
    for f in frames:
        f[:40] = 0
    out = tmp_path / "small.gif"
    with GifRecorder(out, 30, max_width=400, max_fps=15) as rec:
        for f in frames:
            rec.write(f)
    raw_size = 15 * 400 * 400
    assert out.stat().st_size < raw_size / 5


def test_png_writer_keeps_the_last_frame(tmp_path, config):
    frames = moving_square(3)
    out = tmp_path / "still.png"
    with open_recorder(out, 30, config.render) as rec:
        assert isinstance(rec, PngWriter)
        for f in frames:
            rec.write(f)
    np.testing.assert_array_equal(np.asarray(Image.open(out).convert("RGB")), frames[-1])


def test_folder_writer_writes_numbered_pngs(tmp_path, config):
    frames = moving_square(4)
    out = tmp_path / "frames"
    with open_recorder(str(out) + "/", 30, config.render) as rec:
        assert isinstance(rec, FrameFolderWriter)
        assert not out.exists()  # built under a temporary name
        for f in frames:
            rec.write(f)
    names = sorted(os.listdir(out))
    assert names == [f"frame_{i:06d}.png" for i in range(4)]
    np.testing.assert_array_equal(np.asarray(Image.open(out / names[2])), frames[2])
    assert leftovers(tmp_path) == []


def test_folder_writer_refuses_a_non_empty_folder(tmp_path):
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "old.png").write_bytes(b"x")
    with pytest.raises(OutputNotWritable):
        with FrameFolderWriter(tmp_path / "busy"):
            pass


@pytest.mark.parametrize("name", ["clip.mp4", "clip.gif", "still.png", "frames"])
@pytest.mark.parametrize("interruption", [KeyboardInterrupt, RuntimeError])
def test_interrupted_recording_leaves_no_file(tmp_path, config, name, interruption):
    out = tmp_path / name
    with pytest.raises(interruption):
        with open_recorder(out, 30, config.render) as rec:
            for f in moving_square(5):
                rec.write(f)
            raise interruption()
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_close_is_idempotent_and_write_after_close_is_refused(tmp_path, config):
    out = tmp_path / "clip.mp4"
    rec = open_recorder(out, 30, config.render)
    rec.open()
    rec.write(moving_square(1)[0])
    rec.close()
    rec.close()
    rec.abort()  # after a clean close: keeps the file
    assert out.exists()
    with pytest.raises(ValueError, match="after close"):
        rec.write(moving_square(1)[0])


def test_contract_breaks_are_one_line_value_errors(tmp_path, config):
    with open_recorder(tmp_path / "c.mp4", 30, config.render) as rec:
        with pytest.raises(ValueError, match="uint8"):
            rec.write(np.zeros((8, 8, 3), np.float32))
        with pytest.raises(ValueError, match="RGB"):
            rec.write(np.zeros((8, 8), np.uint8))
        rec.write(np.zeros((8, 8, 3), np.uint8))
        with pytest.raises(ValueError, match="differs") as info:
            rec.write(np.zeros((10, 8, 3), np.uint8))
        assert "\n" not in str(info.value)


def test_output_kind_by_extension():
    assert output_kind("a.mp4") == "mp4"
    assert output_kind("a.GIF") == "gif"
    assert output_kind("a.png") == "png"
    assert output_kind("some/dir/") == "folder"
    assert output_kind("frames") == "folder"
    with pytest.raises(ConfigError):
        output_kind("a.avi")


def test_unwritable_output_is_a_user_error(tmp_path, config):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutputNotWritable):
        with open_recorder(blocker / "clip.mp4", 30, config.render):
            pass


# ---- virtual camera ------------------------------------------------------------------------
class RecordingBackend:
    """A pyvirtualcam backend that keeps what it receives."""

    instances: list["RecordingBackend"] = []

    def __init__(self, *, width, height, fps, fourcc, device, **kw):
        self.width, self.height, self.fps, self.fourcc = width, height, fps, fourcc
        self.frames: list[np.ndarray] = []
        self.times: list[float] = []
        self.closed = False
        RecordingBackend.instances.append(self)

    def send(self, frame):
        self.frames.append(frame.copy())
        self.times.append(time.perf_counter())

    def close(self):
        self.closed = True

    def device(self):
        return "fake-cam"

    def native_fourcc(self):
        return None


class BrokenBackend(RecordingBackend):
    def __init__(self, **kw):
        raise RuntimeError("No v4l2 loopback device found at /dev/video*")


@pytest.fixture
def fake_vcam_backends():
    import pyvirtualcam
    from pyvirtualcam.camera import BACKENDS

    saved = dict(BACKENDS)
    RecordingBackend.instances.clear()
    pyvirtualcam.register_backend("livemorph-test", RecordingBackend)
    pyvirtualcam.register_backend("livemorph-broken", BrokenBackend)
    yield
    BACKENDS.clear()
    BACKENDS.update(saved)


def test_virtual_camera_receives_letterboxed_rgb_frames_paced(fake_vcam_backends):
    from pyvirtualcam import PixelFormat
    from pyvirtualcam.util import encode_fourcc

    frames = moving_square(6, h=100, w=100)
    with VirtualCamSink(width=320, height=240, fps=50, backend="livemorph-test", pace=True) as cam:
        assert cam.device == "fake-cam"
        for f in frames:
            cam.write(f)
    (backend,) = RecordingBackend.instances
    assert backend.closed
    assert backend.fourcc == encode_fourcc(PixelFormat.RGB.value)
    assert len(backend.frames) == 6
    got = backend.frames[0].reshape(240, 320, 3)
    # a square frame in a 4:3 camera: black bars left and right, the picture scaled to 240 high
    assert got[:, :30].max() == 0 and got[:, -30:].max() == 0
    assert got[:, 40:280].mean() > 50
    gaps = np.diff(backend.times)
    assert np.median(gaps) == pytest.approx(1 / 50, abs=0.008)  # sleep_until_next_frame paced it


def test_missing_virtual_camera_backend_is_a_clear_error(fake_vcam_backends):
    from pyvirtualcam.camera import BACKENDS

    from livemorph.errors import ConfigError
    from livemorph.outputs.vcam import EVERY_OS_BACKENDS

    elsewhere = next(name for name in EVERY_OS_BACKENDS if name not in BACKENDS)  # another OS's
    with pytest.raises(VirtualCameraUnavailable) as info:
        VirtualCamSink(width=64, height=48, fps=30, backend=elsewhere).open()
    assert str(info.value).splitlines()[0].startswith(f"virtual camera backend {elsewhere!r} is not available")
    with pytest.raises(ConfigError, match="vcam.backend 'no-such-backend' is unknown; valid: auto, "):
        VirtualCamSink(width=64, height=48, fps=30, backend="no-such-backend").open()  # a typo: no setup steps
    with pytest.raises(VirtualCameraUnavailable) as info:
        VirtualCamSink(width=64, height=48, fps=30, backend="livemorph-broken").open()
    first, *steps = str(info.value).splitlines()
    assert "No v4l2 loopback device" in first
    assert len(steps) >= 2 and all(len(line) < 160 for line in [first, *steps])  # one short line per step


def test_linux_virtual_camera_steps_install_the_driver_before_loading_it():
    from livemorph.outputs.vcam import vcam_setup_steps

    steps = vcam_setup_steps("linux")
    install = next(i for i, s in enumerate(steps) if "apt-get install v4l2loopback-dkms" in s)
    load = next(i for i, s in enumerate(steps) if "modprobe v4l2loopback" in s)
    assert install < load
    assert "exclusive_caps=1" in steps[load]
    assert any("OBS" in s for s in vcam_setup_steps("win32"))
    assert any("System Settings" in s for s in vcam_setup_steps("darwin"))


# ---- colour: BT.709, limited range, tagged ---------------------------------------------------
def bt709_limited_to_rgb(y: np.ndarray, cb: np.ndarray, cr: np.ndarray) -> np.ndarray:
    """Y'CbCr (8-bit, limited range) -> R'G'B' with the BT.709 matrix, written out from the standard
    (Kr = 0.2126, Kb = 0.0722), not from any library."""
    kr, kb = 0.2126, 0.0722
    kg = 1 - kr - kb
    yy = (y.astype(float) - 16) / 219
    pb = (cb.astype(float) - 128) / 224
    pr = (cr.astype(float) - 128) / 224
    r = yy + 2 * (1 - kr) * pr
    b = yy + 2 * (1 - kb) * pb
    g = (yy - kr * r - kb * b) / kg
    return np.clip(np.stack([r, g, b], axis=-1) * 255, 0, 255)


def test_mp4_is_tagged_bt709_limited_and_decodes_to_the_portraits_colours(tmp_path, config):
    from conftest import shared_path

    portrait = np.asarray(Image.open(shared_path("assets/portraits/mona_lisa.jpg")).convert("RGB").resize((180, 320)))
    patches = np.zeros((64, 180, 3), np.uint8)  # saturated colours show a wrong matrix most
    for i, colour in enumerate([(255, 0, 0), (0, 255, 0), (0, 0, 255), (230, 190, 40), (40, 160, 200), (128, 128, 128)]):
        patches[:, i * 30:(i + 1) * 30] = colour
    image = np.concatenate([portrait, patches], axis=0)
    out = tmp_path / "colour.mp4"
    with open_recorder(out, 30, config.render) as rec:
        for _ in range(3):
            rec.write(image)
    with av.open(str(out)) as container:
        stream = container.streams.video[0]
        context = stream.codec_context
        # 1 = BT.709 (primaries, transfer, matrix), 1 = limited ("MPEG") range; 2 would be "unspecified"
        assert (context.color_primaries, context.color_trc, context.colorspace, context.color_range) == (1, 1, 1, 1)
        frame = next(container.decode(stream))
    assert frame.format.name == "yuv420p"
    h, w = image.shape[:2]
    y = frame.to_ndarray()[:h]  # yuv420p: the Y plane, then the quarter-size U and V planes
    planes = frame.to_ndarray()[h:].reshape(2, h // 2, w // 2)
    up = lambda c: np.repeat(np.repeat(c, 2, axis=0), 2, axis=1)  # noqa: E731
    decoded = bt709_limited_to_rgb(y, up(planes[0]), up(planes[1]))
    assert np.abs(decoded[:320] - portrait).mean() < 4
    for i in range(6):  # each patch's centre, where chroma subsampling does not blur edges
        centre = decoded[330:380, i * 30 + 8:(i + 1) * 30 - 8].reshape(-1, 3).mean(axis=0)
        np.testing.assert_allclose(centre, image[340, i * 30 + 15], atol=4)


# ---- live recordings survive a kill ----------------------------------------------------------
def test_live_mp4_plays_up_to_its_last_fragment_when_the_process_dies(tmp_path, config):
    """A copy of the file taken mid-recording is what a SIGKILL leaves: it must decode."""
    import shutil

    out = tmp_path / "take.mp4"
    rec = open_recorder(out, 30, config.render, x264_preset="veryfast", record=config.record)
    rec.open()
    frames = moving_square(150)  # 5 s
    for i, f in enumerate(frames):
        rec.write(f)
        if i == 120:  # 4 s in: "kill" here
            shutil.copy(out, tmp_path / "killed.mp4")
    assert list(tmp_path.glob(".*")) == []  # written under its own name, nothing hidden
    rec.abort()  # the output failed: a live take keeps what it wrote
    _, images = decode_mp4(tmp_path / "killed.mp4")
    # a fragment per second of keyframes; the encoder holds back well under a second
    assert len(images) >= 120 - 2 * 30 - 30
    np.testing.assert_allclose(images[45].astype(int), frames[45].astype(int), atol=40)
    _, kept = decode_mp4(out)
    assert len(kept) >= len(images)


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc to name the synced file")
def test_live_mp4_fragments_are_fsynced_about_once_a_second(tmp_path, config, monkeypatch):
    """A power cut loses what the OS had not written yet: each finished fragment is pushed to disk."""
    synced = []
    real_fsync = os.fsync

    def spy(fd):
        synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", spy)
    out = tmp_path / "take.mp4"
    with open_recorder(out, 30, config.render, x264_preset="veryfast", record=config.record) as rec:
        for f in moving_square(90):  # 3 s
            rec.write(f)
    assert set(synced) == {str(out)}
    assert 3 <= len(synced) <= 5  # once a second (keyframe_seconds = 1) and once at the end


# ---- GIFs: budget, boomerang, bounded spool -------------------------------------------------
def noisy_frames(n: int, h: int = 270, w: int = 480, seed: int = 0) -> list[np.ndarray]:
    """Frames that LZW cannot compress: the worst case for a GIF's size."""
    rng = np.random.default_rng(seed)
    return [rng.integers(0, 256, (h, w, 3), dtype=np.uint8) for _ in range(n)]


def gif_facts(path):
    with Image.open(path) as im:
        durations = [f.info["duration"] for f in ImageSequence.Iterator(im)]
        return im.width, im.height, len(durations), sum(durations)


@pytest.mark.slow  # ~10 MB of GIF encoded four times
def test_gif_meets_the_default_size_budget_by_lowering_fps_first(tmp_path, config):
    assert config.render.gif_max_mb <= 8
    out = tmp_path / "big.gif"
    with open_recorder(out, 15, config.render) as rec:
        for f in noisy_frames(60):  # 4 s of noise at 15 fps: ~10.6 MB as it comes (177 kB a frame)
            rec.write(f)
    info = rec.output_info()
    assert out.stat().st_size <= config.render.gif_max_mb * 1e6
    width, height, n, total_ms = gif_facts(out)
    assert (width, height) == (480, 270)  # the rate went down before the size
    assert total_ms == pytest.approx(4000, abs=30)  # playing time kept
    assert n / 4.0 < 15 and n / 4.0 == pytest.approx(info.fps, abs=0.3)
    assert info.bytes == out.stat().st_size and info.size == (480, 270)
    assert "fps 15 ->" in info.describe() and "to fit 8 MB" in info.describe()


def test_gif_budget_lowers_size_after_the_fps_floor(tmp_path, config):
    out = tmp_path / "small.gif"
    budget = 600_000
    with GifRecorder(out, 15, max_width=480, max_fps=15, max_bytes=budget) as rec:
        for f in noisy_frames(45, h=136, w=240):  # 3 s, ~2 MB as it comes; ~1.1 MB even at 8 fps
            rec.write(f)
    width, height, n, total_ms = gif_facts(out)
    assert out.stat().st_size <= budget
    assert n == 24 and total_ms == pytest.approx(3000, abs=30)  # fps at its floor, 8
    assert width < 240 and height == round(136 * width / 240)
    assert rec.output_info().size == (width, height)
    assert rec.output_info().notes[0].startswith(f"fps 15 -> 8, width 240 -> {width} to fit")


def test_boomerang_gif_plays_forward_then_back(tmp_path, config):
    frames = [np.full((40, 60, 3), v, np.uint8) for v in (0, 60, 120, 180, 240)]
    out = tmp_path / "boom.gif"
    with GifRecorder(out, 10, max_width=480, max_fps=15, boomerang=True) as rec:
        for f in frames:
            rec.write(f)
    with Image.open(out) as im:
        shown = [int(np.asarray(f.convert("RGB"))[20, 30, 0]) for f in ImageSequence.Iterator(im)]
    assert shown == [0, 60, 120, 180, 240, 180, 120, 60]  # seamless: neither end frame twice in a row


def test_gif_spool_leaves_nothing_on_disk_and_is_bounded(tmp_path, config):
    out = tmp_path / "long.gif"
    rec = GifRecorder(out, 10, max_width=480, max_fps=15, max_seconds=2)
    rec.open()
    for f in moving_square(50):  # 5 s offered, 2 s kept
        rec.write(f)
    assert list(tmp_path.iterdir()) == []  # the spool is anonymous: a killed process leaves no .rgb
    rec.close()
    _, _, n, total_ms = gif_facts(out)
    assert n == 20 and total_ms == pytest.approx(2000, abs=20)
    assert "cut at 2 s" in rec.output_info().describe()
