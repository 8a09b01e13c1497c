"""The GANimation engine: full-resolution output, exact identity at attention 1, untouched
pixels outside the crop, AU scaling, caching, factory/registry wiring and the fast-path choice."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from conftest import shared_path
from livemorph.engines.ganimation.checkpoints import save_generator
from livemorph.engines import create_engine
from livemorph.engines.ganimation.engine import GanimationEngine
from livemorph.errors import ConfigError, NoFaceInPortrait
from livemorph.engines.ganimation.runtime import (
    PLAIN, GeneratorRunner, RunSettings, choose_runner, composed_difference, fast_candidates, pick_settings,
)
from livemorph.engines.ganimation.networks import GanimationGenerator

HALF_FAST = RunSettings(half=True, channels_last=True, cuda_graph=True)
FP32_FAST = RunSettings(half=False, channels_last=True, cuda_graph=True)


def tiny_generator(seed: int = 0, conv_dim: int = 8, repeat_num: int = 2) -> GanimationGenerator:
    # The published architecture at a fraction of the width: same code path, fast on a CPU.
    torch.manual_seed(seed)
    return GanimationGenerator(conv_dim=conv_dim, repeat_num=repeat_num, norm_affine=False, conv_bias=True).eval()


class Constant(nn.Module):
    """A head that ignores its features and outputs a constant map."""

    def __init__(self, channels: int, value: float):
        super().__init__()
        self.channels, self.value = channels, value

    def forward(self, features):
        n, _, h, w = features.shape
        return torch.full((n, self.channels, h, w), self.value, dtype=features.dtype, device=features.device)


@pytest.fixture(scope="module")
def mona(config):
    from livemorph.portrait import load_portrait

    return load_portrait(shared_path("assets/portraits/mona_lisa.jpg"), config)


def _outside_box_mask(shape, box):
    x0, y0, x1, y1 = box
    mask = np.ones(shape[:2], bool)
    mask[max(y0, 0):max(y1, 0), max(x0, 0):max(x1, 0)] = False
    return mask


def test_attention_one_gives_back_the_portrait_exactly(mona):
    generator = tiny_generator()
    generator.attention_head = Constant(1, 1.0)  # A == 1 everywhere: keep every source pixel
    engine = GanimationEngine(generator, "cpu", warm_up=False)
    prepared = engine.prepare(mona)
    frame = engine.render(prepared, np.full(17, 3.0, np.float32))
    assert frame.shape == mona.image.shape == (1280, 720, 3)
    assert np.array_equal(frame, mona.image)


def test_only_the_crop_box_changes_and_it_does_change(mona):
    engine = GanimationEngine(tiny_generator(), "cpu", warm_up=False)
    prepared = engine.prepare(mona)
    frame = engine.render(prepared, np.linspace(0, 5, 17).astype(np.float32))
    assert frame.shape == mona.image.shape and frame.dtype == np.uint8
    outside = _outside_box_mask(frame.shape, prepared.box)
    assert np.array_equal(frame[outside], mona.image[outside])
    diff = np.abs(frame.astype(int) - mona.image.astype(int))
    assert diff[~outside].max() > 10
    # the box is the face: it contains the eye and mouth landmarks
    x0, y0, x1, y1 = prepared.box
    for i in (33, 263, 61, 291, 1):  # eyes, mouth corners, nose tip (the chin may sit on the edge, as in training)
        x, y = mona.track.landmarks[i, :2]
        assert x0 <= x <= x1 and y0 <= y <= y1


def test_attention_zero_paints_the_colour_map_at_full_resolution(mona):
    generator = tiny_generator()
    generator.attention_head = Constant(1, 0.0)
    generator.color_head = Constant(3, 0.2)  # colour (0.2 + 1) * 127.5 = 153
    engine = GanimationEngine(generator, "cpu", feather=0.1, warm_up=False)
    prepared = engine.prepare(mona)
    frame = engine.render(prepared, np.zeros(17, np.float32))
    x0, y0, x1, y1 = prepared.box
    side = x1 - x0
    inner = frame[y0 + side // 5: y1 - side // 5, x0 + side // 5: x1 - side // 5]
    assert np.all(inner == 153)
    # at the box edge the feather hands back to the portrait
    edge = frame[y0 + side // 2, x0].astype(int)
    assert np.abs(edge - mona.image[y0 + side // 2, x0].astype(int)).max() <= 0.05 * 153 + 1


def test_render_feeds_the_generator_aus_divided_by_five(mona):
    generator = tiny_generator()
    seen = []
    original = generator.forward

    def spy(image, aus):
        seen.append((tuple(image.shape), aus.detach().clone()))
        return original(image, aus)

    generator.forward = spy
    engine = GanimationEngine(generator, "cpu", warm_up=False)
    prepared = engine.prepare(mona)
    aus = np.linspace(0, 4, 17).astype(np.float32)
    engine.render(prepared, aus)
    above = np.full(17, 4.0, np.float32)
    above[:3] = (4.5, 6.0, -1.0)  # a smiling portrait driven further; a relaxed one driven below 0
    engine.render(prepared, above)
    (shape, fed), (_, fed_above) = seen
    assert shape == (1, 3, 128, 128)
    np.testing.assert_allclose(fed.numpy()[0], aus / 5.0, rtol=0, atol=1e-7)
    # above 4 the AUs approach 5 smoothly (4 + 1 - e^-(x-4)), keeping their order; below 0 is 0
    expected = np.array([4 + 1 - np.exp(-0.5), 4 + 1 - np.exp(-2.0), 0.0]) / 5.0
    np.testing.assert_allclose(fed_above.numpy()[0, :3], expected, rtol=0, atol=1e-6)


def test_network_input_is_the_crop_scaled_to_minus_one_one(mona):
    engine = GanimationEngine(tiny_generator(), "cpu", warm_up=False)
    prepared = engine.prepare(mona)
    assert prepared.crop.shape == (128, 128, 3)
    expected = prepared.crop.astype(np.float32).transpose(2, 0, 1) / 127.5 - 1
    np.testing.assert_allclose(prepared.network_input.numpy()[0], expected, atol=1e-6)


def test_prepare_is_cached_per_image_and_a_faceless_portrait_is_refused(mona):
    from livemorph.portrait import PortraitFace
    from livemorph.face.tracking import FaceTrack

    engine = GanimationEngine(tiny_generator(), "cpu", warm_up=False)
    assert engine.prepare(mona) is engine.prepare(mona)
    faceless = PortraitFace(image=mona.image, track=FaceTrack.empty(mona.image.shape[:2]),
                            resting_aus=np.zeros(17, np.float32), source="blank")
    with pytest.raises(NoFaceInPortrait):
        engine.prepare(faceless)


def test_grayscale_portrait_renders_at_its_size(config):
    from livemorph.portrait import load_portrait

    portrait = load_portrait(shared_path("assets/portraits/london_042_grayscale.png"), config)
    engine = GanimationEngine(tiny_generator(), "cpu", warm_up=False)
    prepared = engine.prepare(portrait)
    frame = engine.render(prepared, np.ones(17, np.float32))
    assert frame.shape == portrait.image.shape
    outside = _outside_box_mask(frame.shape, prepared.box)
    assert np.array_equal(frame[outside], portrait.image[outside])


@pytest.mark.slow
def test_factory_loads_a_registered_checkpoint_by_name(tmp_path, monkeypatch, config, mona):
    from livemorph.engines.ganimation.model_registry import add_model

    monkeypatch.setenv("LIVEMORPH_MODEL_REGISTRY", str(tmp_path / "models.yaml"))
    generator = tiny_generator(seed=5)
    ckpt = save_generator(tmp_path / "tiny.pth", generator, image_size=128)
    add_model(ckpt, name="tiny")
    cfg = config.replace("ganimation.checkpoint", "tiny")
    engine = create_engine("ganimation", cfg, "cpu")
    assert engine.name == "ganimation" and engine.device.type == "cpu"
    assert engine.describe() == "ganimation on cpu (fp32 + eager)"
    prepared = engine.prepare(mona)
    aus = np.full(17, 1.5, np.float32)
    # same weights through the engine and straight through the saved generator module
    direct = GanimationEngine(generator, "cpu", warm_up=False)
    assert np.array_equal(engine.render(prepared, aus), direct.render(direct.prepare(mona), aus))


def test_small_face_crop_is_upsampled_for_the_network_and_composed_at_its_own_size(config):
    from livemorph.portrait import load_portrait

    portrait = load_portrait(shared_path("assets/portraits/astronaut_small_face.png"), config)
    generator = tiny_generator()
    generator.attention_head = Constant(1, 0.0)
    generator.color_head = Constant(3, -1.0)  # paint black where the generator acts
    engine = GanimationEngine(generator, "cpu", feather=0.0, warm_up=False)
    prepared = engine.prepare(portrait)
    x0, y0, x1, y1 = prepared.box
    assert x1 - x0 < 128  # a small face: the 128px network input is an upsampled crop
    assert prepared.crop.shape == (128, 128, 3)
    frame = engine.render(prepared, np.zeros(17, np.float32))
    assert frame.shape == portrait.image.shape
    inside = frame[max(y0, 0):y1, max(x0, 0):x1]
    assert np.all(inside == 0)  # the whole box, at native size, and nothing more
    outside = _outside_box_mask(frame.shape, prepared.box)
    assert np.array_equal(frame[outside], portrait.image[outside])


def test_render_crop_with_attention_one_is_the_network_input_crop(mona):
    generator = tiny_generator()
    generator.attention_head = Constant(1, 1.0)
    engine = GanimationEngine(generator, "cpu", warm_up=False)
    prepared = engine.prepare(mona)
    assert np.array_equal(engine.render_crop(prepared, np.full(17, 2.0, np.float32)), prepared.crop)


def test_factory_without_checkpoint_is_a_config_error(config):
    with pytest.raises(ConfigError, match="checkpoint"):
        create_engine("ganimation", config, "cpu")


# ---------------------------------------------------------------------------------------
# The CUDA fast path's decision logic, exercised on CPU with fake comparisons.
def test_pick_settings_takes_the_fastest_within_tolerance():
    differences = {HALF_FAST: 6.0, FP32_FAST: 0.3}
    chosen, diff = pick_settings([HALF_FAST, FP32_FAST, PLAIN], differences.__getitem__, tolerance=4.0)
    assert chosen == FP32_FAST and diff == 0.3
    chosen, _ = pick_settings([HALF_FAST, FP32_FAST, PLAIN], {HALF_FAST: 2.0}.__getitem__, tolerance=4.0)
    assert chosen == HALF_FAST
    chosen, _ = pick_settings([HALF_FAST, FP32_FAST, PLAIN], lambda s: 99.0, tolerance=4.0)
    assert chosen == PLAIN


def test_fast_candidates_per_device_and_setting():
    assert fast_candidates(torch.device("cpu"), "auto", True) == [PLAIN]
    assert fast_candidates(torch.device("cpu"), True, True) == [PLAIN]
    cuda = torch.device("cuda", 0)
    assert fast_candidates(cuda, "auto", True) == [HALF_FAST, FP32_FAST, PLAIN]
    assert fast_candidates(cuda, False, False) == [RunSettings(False, True, False), PLAIN]
    assert fast_candidates(cuda, True, True) == [HALF_FAST]


def test_composed_difference_is_in_grey_levels():
    image = torch.zeros(1, 3, 4, 4)
    attention = torch.full((1, 1, 4, 4), 0.5)
    a = (torch.zeros(1, 3, 4, 4), attention)
    b = (torch.full((1, 3, 4, 4), 0.04), attention)
    # composed differ by (1 - 0.5) * 0.04 in [-1, 1] units = 0.02 * 127.5 grey levels
    assert composed_difference(image, a, b) == pytest.approx(0.02 * 127.5, rel=1e-5)


def test_choose_runner_on_cpu_is_plain_fp32_and_matches_the_module():
    generator = tiny_generator()
    image = torch.rand(1, 3, 128, 128) * 2 - 1
    aus = torch.rand(1, 17)
    runner = choose_runner(generator, torch.device("cpu"), half="auto", cuda_graph=True, tolerance=4.0,
                           probe_image=image, probe_aus=[aus], image_size=128)
    assert runner.settings == PLAIN
    with torch.no_grad():
        expected = generator(image, aus)
    color, attention = runner(image, aus)
    assert torch.equal(color, expected[0]) and torch.equal(attention, expected[1])


def test_channels_last_and_half_runners_stay_close_to_fp32():
    generator = tiny_generator()
    image = torch.rand(1, 3, 64, 64) * 2 - 1
    aus = torch.rand(1, 17)
    reference = GeneratorRunner(generator, torch.device("cpu"), PLAIN, 64)(image, aus)
    channels_last = GeneratorRunner(generator, torch.device("cpu"), RunSettings(False, True, False), 64)
    assert composed_difference(image, reference, channels_last(image, aus)) < 0.01
    half = GeneratorRunner(generator, torch.device("cpu"), RunSettings(True, False, False), 64)
    out = half(image, aus)
    assert out[0].dtype == torch.float32  # callers always get fp32
    assert composed_difference(image, reference, out) < 4.0
    # the original module is untouched (the fp16 copy is separate)
    assert next(generator.parameters()).dtype == torch.float32


# ---------------------------------------------------------------------------------------
# End to end: `livemorph render` with a random-weight generator on the shared assets.
@pytest.fixture(scope="module")
def tiny_checkpoint(tmp_path_factory):
    generator = tiny_generator(seed=7, conv_dim=4, repeat_num=1)
    return save_generator(tmp_path_factory.mktemp("ckpt") / "tiny.pth", generator, image_size=128)


def _render(args):
    from livemorph.cli.app import main

    return main(["--set", "render.gif_max_width=4096", "--set", "render.gif_fps=50", "render",
                 "--engine", "ganimation", "--device", "cpu", "--no-progress", *args])


@pytest.mark.slow
def test_render_cli_writes_mp4_and_gif_of_the_portrait_size(tmp_path, tiny_checkpoint):
    import av
    from PIL import Image

    portrait = shared_path("assets/portraits/mona_lisa.jpg")
    driver = shared_path("assets/driving/man_smiling_short.mp4")
    with av.open(str(driver)) as container:
        driver_frames = sum(1 for _ in container.decode(video=0))
    assert driver_frames == 72

    mp4 = tmp_path / "mona.mp4"
    assert _render(["--target", str(portrait), "--driver", str(driver), "--out", str(mp4),
                    "--checkpoint", str(tiny_checkpoint)]) == 0
    with av.open(str(mp4)) as container:
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    assert len(frames) == driver_frames
    assert frames[0].shape == (1280, 720, 3)

    gif = tmp_path / "mona.gif"
    assert _render(["--target", str(portrait), "--driver", str(driver), "--out", str(gif),
                    "--checkpoint", str(tiny_checkpoint), "--max-frames", "8"]) == 0
    with Image.open(gif) as im:
        assert im.size == (720, 1280)
        assert im.info.get("loop") == 0
        # Pillow merges identical consecutive frames (adding their durations), so count time:
        # 8 driver frames at 30 fps, each rounded to GIF's 10 ms ticks.
        total_ms = 0
        for index in range(im.n_frames):
            im.seek(index)
            total_ms += im.info["duration"]
        assert abs(total_ms - 8 * 1000 / 30) <= 8 * 10


@pytest.mark.slow
def test_render_cli_frames_change_only_inside_the_face_crop(tmp_path, tiny_checkpoint, config, mona):
    from livemorph.frames import load_image

    folder = tmp_path / "frames"
    assert _render(["--target", str(shared_path("assets/portraits/mona_lisa.jpg")),
                    "--driver", str(shared_path("assets/driving/man_smiling_short.mp4")),
                    "--out", str(folder), "--checkpoint", str(tiny_checkpoint), "--max-frames", "4"]) == 0
    pngs = sorted(folder.glob("*.png"))
    assert len(pngs) == 4
    box = GanimationEngine(tiny_generator(), "cpu", warm_up=False).prepare(mona).box
    outside = _outside_box_mask(mona.image.shape, box)
    changed_inside = 0
    for png in pngs:
        frame = load_image(png)
        assert frame.shape == mona.image.shape
        assert np.array_equal(frame[outside], mona.image[outside])
        changed_inside += int(np.any(frame[~outside] != mona.image[~outside]))
    assert changed_inside == len(pngs)


def test_render_accepts_the_drivers_mouth_hint_and_draws_from_the_aus_alone(mona):
    from livemorph.aus import NUM_AUS
    from livemorph.face.mouth_hint import PATCH_HW, MouthHint

    engine = GanimationEngine(tiny_generator(), "cpu", warm_up=False)
    prepared = engine.prepare(mona)
    aus = np.full(NUM_AUS, 2.0, np.float32)
    hint = MouthHint(patch=np.full(PATCH_HW + (3,), 255.0, np.float32), lip_rgb=np.array([200.0, 60, 60], np.float32),
                     opening=0.4)
    assert np.array_equal(engine.render(prepared, aus, mouth_hint=hint), engine.render(prepared, aus))


class Echo(nn.Module):
    """A generator that paints its input back (attention 0): a render shows the crop as the network saw it."""

    image_size = 128

    def forward(self, image, aus):
        return image, torch.zeros_like(image[:, :1])


@pytest.mark.parametrize("turns", (1, 2, 3))
def test_a_turned_portrait_shows_the_generator_its_face_upright(mona, config, turns):
    # The Mona Lisa lying on her side or upside down (np.rot90): the generator must see her face as
    # it sees the upright painting (it was trained on upright crops), and what it paints must land
    # on her face as she lies.
    from livemorph.portrait import prepare_portrait_face

    turned = prepare_portrait_face(np.ascontiguousarray(np.rot90(mona.image, turns)), config)
    engine = GanimationEngine(Echo(), "cpu", warm_up=False)
    upright, lying = engine.prepare(mona), engine.prepare(turned)
    # 6.0-6.3 grey levels (MediaPipe's fits a pixel or two apart on the painting's cracks); framed
    # axis-aligned from the turned points, her crop lay sideways, off her face: 33-53.
    crops_apart = np.abs(lying.crop.astype(np.float32) - upright.crop).mean()
    assert crops_apart < 12.0, f"the turned portrait's crop lies {crops_apart:.1f} grey levels from the upright one's"
    # Her crop painted back where it came from gives her face back, a little softened.
    x0, y0, x1, y1 = lying.box
    box = (slice(max(y0, 0), y1), slice(max(x0, 0), x1))
    out = engine.render(lying, mona.resting_aus)
    off = np.abs(out[box].astype(np.float32) - turned.image[box]).mean()
    assert off < 5.0, f"the generator's paint lies {off:.1f} grey levels off her face"
