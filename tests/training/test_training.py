"""Issue 6: training and fine-tuning GANimation generators.

The learning test uses a synthetic task with a known answer: light images whose lower-half
square darkens in proportion to AU12 (all other AUs 0). A generator that learned the task
darkens that square when driven with AU12 = 5 and lightens it when driven with AU12 = 0,
and leaves the rest of the image alone; this is measured on pixels.
"""
from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from livemorph.aus import AU, NUM_AUS
from livemorph.config.settings import load_config
from livemorph.errors import TrainingDataError
from livemorph.training import losses
from livemorph.training.dataset import TrainingSet, load_training_set, read_label_csv
from livemorph.training.distributed import SINGLE
from livemorph.training.trainer import StepBatchSampler, Trainer, linear_decay, steps_for_epochs
from conftest import REPO_ROOT, shared_path


@pytest.fixture(autouse=True)
def one_torch_thread():
    """2 shared cores: one OpenMP thread trains several times faster than two fighting for them."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


SIZE = 32
SQUARE = (slice(20, 28), slice(10, 22))  # rows, cols of the AU12-controlled square
UPPER = (slice(2, 12), slice(2, 30))  # a region no AU controls
TINY = [
    f"train.image_size={SIZE}", "train.conv_dim=8", "train.repeat_num=1", "train.critic_conv_dim=16",
    "train.critic_repeat_num=3", "train.batch_size=8", "train.sample_every=0", "train.checkpoint_every=0",
    "train.progress=false", "train.device=cpu", "train.num_workers=0",
]


def synthetic_faces(n: int, seed: int, au12: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Light flat-colour images with noise; the square's brightness is scaled by 1 - 0.85 * AU12 / 5."""
    rng = np.random.default_rng(seed)
    aus = np.zeros((n, NUM_AUS), np.float32)
    aus[:, AU.AU12] = rng.uniform(0, 5, n) if au12 is None else au12
    images = np.empty((n, SIZE, SIZE, 3), np.uint8)
    for i in range(n):
        image = np.ones((SIZE, SIZE, 3)) * rng.uniform(150, 230, 3) + rng.normal(0, 6, (SIZE, SIZE, 3))
        image[SQUARE] *= 1 - 0.85 * aus[i, AU.AU12] / 5
        images[i] = np.clip(image, 0, 255)
    return images, aus


def linked_folder(tmp_path: Path, name: str, shared_folder: Path) -> Path:
    """A folder of symlinks to a shared asset folder's files (shared assets are never copied)."""
    folder = tmp_path / name
    folder.mkdir()
    for src in sorted(shared_folder.iterdir()):
        (folder / src.name).symlink_to(src)
    return folder


def synthetic_set(n: int = 200, seed: int = 0) -> TrainingSet:
    images, aus = synthetic_faces(n, seed)
    return TrainingSet(images=images, aus=aus, names=[f"{i:04d}.png" for i in range(n)], label_source="synthetic")


def drive(generator, images_u8: np.ndarray, au12: float) -> torch.Tensor:
    x = torch.from_numpy(images_u8).permute(0, 3, 1, 2).float() / 127.5 - 1
    aus = torch.zeros(len(x), NUM_AUS)
    aus[:, AU.AU12] = au12 / 5
    with torch.no_grad():
        color, attention = generator(x, aus)
        return generator.compose(x, color, attention)


def region_mean(images: torch.Tensor, region) -> float:
    return images[:, :, region[0], region[1]].mean().item()


# ------------------------------------------------------------------ the objective
def test_gradient_penalty_of_a_linear_critic_is_its_weight_norm_minus_one_squared():
    w = torch.tensor([0.3, -1.2, 2.0, 0.5])
    x = torch.randn(5, 4, requires_grad=True)
    scores = x @ w  # gradient w.r.t. every x is w
    expected = (w.norm().item() - 1.0) ** 2
    assert losses.gradient_penalty(scores, x).item() == pytest.approx(expected, rel=1e-6)


def test_attention_terms_on_known_masks():
    mask = torch.zeros(1, 1, 4, 4)
    mask[..., :, 2:] = 1.0  # one vertical edge: 4 rows x 1 jump of 1
    assert losses.total_variation(mask).item() == pytest.approx(4.0)
    assert losses.attention_mean(mask).item() == pytest.approx(0.5)
    assert losses.total_variation(torch.full((2, 1, 5, 5), 0.7)).item() == 0.0


def test_critic_and_au_losses():
    real, fake = torch.tensor([2.0, 4.0]), torch.tensor([1.0, -1.0])
    assert losses.wasserstein_critic(real, fake).item() == pytest.approx(0.0 - 3.0)
    assert losses.wasserstein_generator(fake).item() == pytest.approx(0.0)
    pred, target = torch.zeros(4, NUM_AUS), torch.full((4, NUM_AUS), 0.5)
    assert losses.au_regression(pred, target, per_image=False).item() == pytest.approx(0.25)
    assert losses.au_regression(pred, target, per_image=True).item() == pytest.approx(0.25 / 4)


def test_linear_decay_and_epoch_arithmetic():
    factor = linear_decay(100, 0.6)
    assert [factor(s) for s in (0, 59, 60, 80, 100)] == [1.0, 1.0, 1.0, pytest.approx(0.5), 0.0]
    assert steps_for_epochs(2, dataset_size=50, batch_size=25) == 4
    assert steps_for_epochs(1, dataset_size=51, batch_size=25, world_size=2) == 2


def test_batch_order_is_a_function_of_the_step():
    data = synthetic_set(n=10)
    full = list(StepBatchSampler(range(10), batch_size=4, seed=3, ctx=SINGLE, start_step=0, end_step=8))
    tail = list(StepBatchSampler(range(10), batch_size=4, seed=3, ctx=SINGLE, start_step=5, end_step=8))
    assert tail == full[5:]
    assert all(len(b) == 4 for b in full)
    stream = [i for b in full for i in b]
    assert sorted(stream[:10]) == list(range(10)) and sorted(stream[10:20]) == list(range(10))  # whole epochs
    assert stream[:10] != stream[10:20]  # reshuffled each epoch
    assert len(data) == 10


# ------------------------------------------------------------------ data
def test_label_csv_in_openface_layout(tmp_path):
    header = ["frame", " image", *(f" {n}_r" for n in ("AU01", "AU02", "AU04", "AU05", "AU06", "AU07", "AU09", "AU10",
                                                      "AU12", "AU14", "AU15", "AU17", "AU20", "AU23", "AU25", "AU26",
                                                      "AU45")), " AU28_c"]
    values = [round(0.25 * i, 2) for i in range(NUM_AUS)]
    csv_path = tmp_path / "aus.csv"
    csv_path.write_text(",".join(header) + "\n" + ",".join(["1", "a.jpg", *map(str, values), "1"]) + "\n")
    labels = read_label_csv(csv_path)
    np.testing.assert_allclose(labels["a.jpg"], values)
    csv_path.write_text("image,AU01_r,AU02_r\na.jpg,1,2\n")
    with pytest.raises(TrainingDataError, match="lacks AU columns"):
        read_label_csv(csv_path)


def test_missing_and_empty_data_folders_are_one_line_errors(tmp_path):
    from livemorph.cli.app import main

    config = load_config()
    with pytest.raises(TrainingDataError, match="not found"):
        load_training_set(tmp_path / "nope", config, run_dir=tmp_path / "run")
    (tmp_path / "empty").mkdir()
    with pytest.raises(TrainingDataError, match="no images"):
        load_training_set(tmp_path / "empty", config, run_dir=tmp_path / "run")
    assert main(["train", "--data", str(tmp_path / "empty"), "--out", str(tmp_path / "run"), "--steps", "1"]) == 10


def test_bad_train_settings_fail_before_labelling_or_creating_the_run(tmp_path):
    from livemorph.cli.app import main

    (tmp_path / "data").mkdir()
    out = ["train", "--data", str(tmp_path / "data"), "--out", str(tmp_path / "run"), "--steps", "1"]
    assert main(["--set", "train.amp=fp17", *out]) == 2
    assert main(["--set", "train.image_size=100", *out]) == 2  # not divisible by 2**critic_repeat_num
    assert not (tmp_path / "run").exists()


def test_images_without_faces_are_skipped_and_none_left_is_an_error(tmp_path, capsys):
    from PIL import Image

    from livemorph.cli.app import main

    shared_path("models/face_landmarker.task")
    data = tmp_path / "data"
    data.mkdir()
    for i in range(2):
        Image.fromarray(np.random.default_rng(i).integers(0, 256, (96, 96, 3), np.uint8)).save(data / f"noise{i}.png")
    code = main(["train", "--data", str(data), "--out", str(tmp_path / "run"), "--steps", "1"])
    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("livemorph:")]
    assert code == 10
    assert len(errors) == 1 and "no usable faces" in errors[0] and "2 images" in errors[0], errors


# ------------------------------------------------------------------ done-when 1: it learns
@pytest.mark.slow
def test_trained_generator_reproduces_the_au_controlled_change(tmp_path):
    from livemorph.engines.ganimation.checkpoints import load_generator

    # Small and fast: higher lr and one critic step per generator step for the tiny task.
    config = load_config(overrides=TINY + ["train.lr_generator=0.001", "train.lr_critic=0.001", "train.critic_steps=1"])
    result = Trainer(config, synthetic_set(), tmp_path, total_steps=200).run()
    assert result.steps == 200
    for row in result.history:
        assert all(math.isfinite(v) for v in row.values()), row

    generator = load_generator(tmp_path / "generator.pt", "cpu")
    assert generator.image_size == SIZE
    plain, _ = synthetic_faces(40, seed=7, au12=np.zeros(40))  # no square
    marked, _ = synthetic_faces(40, seed=7, au12=np.full(40, 5.0))  # dark square
    plain_x = torch.from_numpy(plain).permute(0, 3, 1, 2).float() / 127.5 - 1
    full_change = region_mean(plain_x, SQUARE) - region_mean(torch.from_numpy(marked).permute(0, 3, 1, 2).float() / 127.5 - 1, SQUARE)

    darkened = region_mean(drive(generator, plain, 0.0), SQUARE) - region_mean(drive(generator, plain, 5.0), SQUARE)
    lightened = region_mean(drive(generator, marked, 0.0), SQUARE) - region_mean(drive(generator, marked, 5.0), SQUARE)
    # Seeds 0-3 gave 59-76 % of the full change in each direction (untouched <= 0.002); demand a third.
    assert darkened > full_change / 3, (darkened, full_change)
    assert lightened > full_change / 3, (lightened, full_change)
    # The rest of the image is not what AU12 controls.
    untouched = abs(region_mean(drive(generator, plain, 5.0), UPPER) - region_mean(drive(generator, plain, 0.0), UPPER))
    assert untouched < darkened / 4, (untouched, darkened)


# ------------------------------------------------------------------ done-when 2: exact resume
@pytest.mark.slow
def test_resume_continues_at_the_same_step_with_the_same_losses(tmp_path):
    config = load_config(overrides=TINY + ["train.batch_size=4", "train.critic_steps=2", "train.checkpoint_every=5",
                                           "train.sample_every=5"])
    data = synthetic_set(n=12)
    straight = Trainer(config, data, tmp_path / "straight", total_steps=10).run()

    Trainer(config, data, tmp_path / "interrupted", total_steps=10).run(stop_after=5)
    resumed_trainer = Trainer(config, data, tmp_path / "interrupted", total_steps=10, resume=True)
    assert resumed_trainer.step == 5
    resumed = resumed_trainer.run()
    assert [r["step"] for r in resumed.history] == list(range(6, 11))
    for a, b in zip(straight.history[5:], resumed.history):
        for key in a:
            assert a[key] == pytest.approx(b[key], abs=1e-6, nan_ok=True), (key, a, b)
    final_a = torch.load(tmp_path / "straight" / "generator.pt", weights_only=True)["state_dict"]
    final_b = torch.load(tmp_path / "interrupted" / "generator.pt", weights_only=True)["state_dict"]
    for name in final_a:
        torch.testing.assert_close(final_a[name], final_b[name], rtol=0, atol=1e-6)
    # The loss log covers each step once, and samples were written at the intervals.
    rows = (tmp_path / "interrupted" / "losses.csv").read_text().strip().splitlines()
    assert [int(r.split(",")[0]) for r in rows[1:]] == list(range(1, 11))
    assert sorted(p.name for p in (tmp_path / "interrupted" / "samples").iterdir()) == ["step_0000005.png", "step_0000010.png"]


def test_cli_resume_keeps_or_extends_the_run_length(tmp_path, capsys):
    from livemorph.cli.app import main

    data = linked_folder(tmp_path, "sample", shared_path("assets/au_labels/ganimation_sample"))
    tiny = [a for item in TINY for a in ("--set", item)] + ["--set", "train.crop_faces=false", "--set", "train.batch_size=2",
                                                            "--set", "train.sample_every=1"]
    out = ["--data", str(data), "--out", str(data / "run")]  # a run folder inside the data: its PNGs are no data
    assert main([*tiny, "train", *out, "--steps", "2"]) == 0
    assert main([*tiny, "train", *out, "--resume"]) == 0  # nothing left of the planned 2 steps
    assert main([*tiny, "train", *out, "--resume", "--steps", "4"]) == 0  # extended
    printed_text = capsys.readouterr().out
    assert printed_text.count("images: 4 used (csv:openface_aus.csv), 0 skipped") == 3, printed_text
    printed = [line for line in printed_text.splitlines() if line.startswith("trained")]
    assert [line.split(" in ")[0] for line in printed] == [
        "trained steps 0..2 of 2", "trained steps 2..2 of 2", "trained steps 2..4 of 4"]
    rows = (data / "run" / "losses.csv").read_text().strip().splitlines()[1:]
    assert [int(r.split(",")[0]) for r in rows] == [1, 2, 3, 4]


def test_init_fine_tunes_from_a_checkpoint_and_refuses_to_overwrite_a_run(tmp_path):
    from livemorph.engines.ganimation.checkpoints import save_generator
    from livemorph.cli.app import main
    from livemorph.engines.ganimation.networks import GanimationGenerator

    torch.manual_seed(1)
    published = GanimationGenerator(conv_dim=8, repeat_num=2, norm_affine=False, conv_bias=True)  # replicate-like
    save_generator(tmp_path / "init.pt", published, image_size=128)
    config = load_config(overrides=TINY)
    trainer = Trainer(config, synthetic_set(n=8), tmp_path / "run", total_steps=1, init_checkpoint=tmp_path / "init.pt")
    assert (trainer.generator.conv_dim, trainer.generator.repeat_num, trainer.generator.conv_bias) == (8, 2, True)
    for name, value in published.state_dict().items():
        torch.testing.assert_close(trainer.generator.state_dict()[name], value)
    trainer.run()
    assert main(["train", "--data", str(tmp_path), "--out", str(tmp_path / "run"), "--steps", "1"]) == 9


def test_bf16_autocast_path_trains_with_finite_losses(tmp_path, monkeypatch):
    """The mixed-precision code path (autocast around both updates, fp32 losses and penalty).

    Mixed precision is a CUDA feature; this runs the same code under CPU bf16 autocast so it is
    exercised on machines without a GPU. It does not check CUDA speed or fp16 scaling.
    """
    import livemorph.training.trainer as trainer_module

    monkeypatch.setattr(trainer_module, "resolve_amp", lambda setting, device: torch.bfloat16)
    config = load_config(overrides=TINY + ["train.batch_size=4", "train.critic_steps=2"])
    trainer = Trainer(config, synthetic_set(n=8), tmp_path, total_steps=4)
    assert trainer.amp_dtype == torch.bfloat16 and not trainer.scaler_d.is_enabled()
    result = trainer.run()
    assert all(math.isfinite(v) for row in result.history for v in row.values() if v is not None)


# ------------------------------------------------------------------ done-when 3: real faces end to end
SMOKE = [
    "--set", "train.image_size=64", "--set", "train.conv_dim=8", "--set", "train.repeat_num=1",
    "--set", "train.critic_conv_dim=8", "--set", "train.critic_repeat_num=4", "--set", "train.batch_size=4",
    "--set", "train.sample_every=2", "--set", "train.checkpoint_every=2", "--set", "train.sample_images=3",
    "--set", "train.sample_targets=2", "--set", "train.progress=false", "--set", "train.device=cpu",
]


@pytest.mark.slow
def test_smoke_run_on_real_faces_then_render_with_the_checkpoint(tmp_path, shared_dir, capsys, monkeypatch):
    from PIL import Image

    from livemorph.engines.ganimation.checkpoints import load_generator
    from livemorph.cli.app import main
    from livemorph.engines.ganimation.face_crop import crop_box, extract_crop
    from livemorph.frames import load_image
    from livemorph.face.tracking import FaceTracker

    portraits = shared_path("assets/portraits")
    data = linked_folder(tmp_path, "faces", portraits)
    n_images = len(list(data.iterdir()))

    code = main([*SMOKE, "train", "--data", str(data), "--out", str(tmp_path / "run"), "--steps", "4"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "(self-labelled)" in out, out
    used = int(out.split("images: ")[1].split(" used")[0])
    assert used >= n_images - 2, out  # a turned head or tiny face may be missed, not most faces

    run = tmp_path / "run"
    grids = sorted((run / "samples").glob("*.png"))
    assert [g.name for g in grids] == ["step_0000002.png", "step_0000004.png"]
    grid = np.asarray(Image.open(grids[-1]))
    assert grid.shape == (3 * 64, (1 + 2 + 2) * 64, 3)  # 3 faces x (input | 2 targets | 2 masks)
    assert grid[:, :64].std() > 20  # the input column shows a real photo, not a flat fill
    assert sorted(p.name for p in (run / "checkpoints").iterdir()) == ["generator_0000002.pt", "generator_0000004.pt"]

    # Labels were cached: a second run must not need the face tracker at all.
    def no_tracker(*args, **kwargs):
        raise AssertionError("labelling ran again instead of using the cache")

    monkeypatch.setattr(FaceTracker, "from_config", no_tracker)
    assert main([*SMOKE, "train", "--data", str(data), "--out", str(tmp_path / "run2"), "--steps", "1",
                 "--init", str(run / "generator.pt")]) == 0
    monkeypatch.undo()

    # The engine's loader reads the trained file; run it on a real crop.
    generator = load_generator(run / "generator.pt", "cpu")
    assert generator.image_size == 64
    image = load_image(portraits / "obama_official_2012.jpg")
    with FaceTracker.from_config(load_config().tracking, mode="image") as tracker:
        track = tracker.detect_all(image)[0]
    crop = extract_crop(image, crop_box(track, image.shape, 1.0), 64)
    x = torch.from_numpy(crop).permute(2, 0, 1)[None].float() / 127.5 - 1
    aus = torch.zeros(1, NUM_AUS)
    aus[0, AU.AU12] = 1.0
    with torch.no_grad():
        color, attention = generator(x, aus)
        rendered = generator.compose(x, color, attention)
    assert rendered.shape == (1, 3, 64, 64) and torch.isfinite(rendered).all()

    # And the render command with that checkpoint, when it exists.
    if (REPO_ROOT / "livemorph" / "commands" / "render.py").exists():
        out_png = tmp_path / "rendered.png"
        code = main(["render", "--target", str(portraits / "obama_official_2012.jpg"),
                     "--driver", str(shared_path("assets/driving/man_smiling_short.mp4")), "--out", str(out_png),
                     "--checkpoint", str(run / "generator.pt"), "--device", "cpu", "--max-frames", "2",
                     "--no-progress"])
        assert code == 0, capsys.readouterr().err
        rendered_png = np.asarray(Image.open(out_png))
        assert rendered_png.shape[:2] == image.shape[:2]


@pytest.mark.slow
def test_csv_labelled_folder_and_two_process_torchrun(tmp_path, capsys):
    """The 4 GANimation sample crops with their OpenFace CSV, trained by 2 CPU processes (gloo DDP)."""
    data = linked_folder(tmp_path, "sample", shared_path("assets/au_labels/ganimation_sample"))
    torchrun = Path(sys.executable).with_name("torchrun")
    if not torchrun.exists():
        pytest.skip("torchrun not installed next to this python")
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(REPO_ROOT)}
    cmd = [str(torchrun), "--standalone", "--nproc_per_node", "2", "-m", "livemorph",
           *[a.replace("image_size=64", "image_size=32").replace("critic_repeat_num=4", "critic_repeat_num=3") for a in SMOKE],
           "--set", "train.crop_faces=false", "--set", "train.critic_steps=2", "--set", "train.batch_size=2",
           "train", "--data", str(data), "--out", str(tmp_path / "run"), "--steps", "4"]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=240, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "2 processes" in done.stdout and "images: 4 used (csv:openface_aus.csv)" in done.stdout, done.stdout
    rows = (tmp_path / "run" / "losses.csv").read_text().strip().splitlines()
    assert len(rows) == 5
    assert all(math.isfinite(float(v)) for v in rows[-1].split(",")[1:])
    state = torch.load(tmp_path / "run" / "state.pt", weights_only=True)
    assert state["step"] == 4 and len(state["rng"]) == 2  # both ranks' RNG kept for exact resume
