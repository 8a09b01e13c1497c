"""Training under faults: fp16 mixed precision, Ctrl+C, and steps without a generator update.

Mixed precision is a CUDA feature; here the same code runs under CPU fp16 autocast, which
reproduces the fp16 overflow of the gradient penalty (CPU has no GradScaler: it stays off).
"""
from __future__ import annotations

import csv
import math
import os
import signal

import pytest
import torch

from livemorph.config.settings import load_config
from livemorph.engines.ganimation.networks import GanimationCritic
from livemorph.termination import Terminated
from livemorph.training import losses
from livemorph.training.trainer import CriticPasses, Trainer
from test_training import TINY, one_torch_thread, synthetic_set  # noqa: F401 (one_torch_thread: autouse)


def _loud_critic():
    """A small critic with large scores, as a WGAN critic has mid-training."""
    torch.manual_seed(0)
    critic = GanimationCritic(image_size=32, conv_dim=16, num_aus=17, repeat_num=3)
    with torch.no_grad():
        for p in critic.parameters():
            p.mul_(4.0)
    return critic


def test_gradient_penalty_under_fp16_autocast_is_finite_and_matches_fp32():
    critic = _loud_critic()
    real, fake = torch.rand(4, 3, 32, 32) * 2 - 1, torch.rand(4, 3, 32, 32) * 2 - 1
    interpolated = (0.5 * real + 0.5 * fake).requires_grad_(True)
    # The way it was: the penalty points through the critic in fp16, the gradient taken of scores
    # times the GradScaler's initial 65536 (to avoid underflow) -> it overflows fp16 (as on an H200).
    with torch.autocast("cpu", dtype=torch.float16):
        fp16_scores, _ = critic(interpolated)
    (scaled_grad,) = torch.autograd.grad(fp16_scores.float().sum() * 65536.0, interpolated, create_graph=True)
    assert not torch.isfinite(scaled_grad).all()
    # CriticPasses: real | fake in fp16, the penalty points in fp32.
    scores, au_pred, mix_scores = CriticPasses(critic, "cpu", torch.float16)(real, fake, interpolated)
    assert scores.dtype == torch.float16 and mix_scores.dtype == torch.float32
    penalty = losses.gradient_penalty(mix_scores, interpolated)
    assert math.isfinite(penalty.item()) and penalty.item() > 1.0  # a real penalty, not zero
    expected_interp = interpolated.detach().clone().requires_grad_(True)
    expected = losses.gradient_penalty(critic(expected_interp)[0], expected_interp)
    assert penalty.item() == pytest.approx(expected.item(), rel=1e-5)


def test_fp16_training_path_runs_with_finite_losses(tmp_path, monkeypatch):
    import livemorph.training.trainer as trainer_module

    monkeypatch.setattr(trainer_module, "resolve_amp", lambda setting, device: torch.float16)
    config = load_config(overrides=TINY + ["train.batch_size=4", "train.critic_steps=2"])
    trainer = Trainer(config, synthetic_set(n=8), tmp_path, total_steps=4)
    assert trainer.amp_dtype == torch.float16 and not trainer.scaler_d.is_enabled()  # no scaler on CPU
    result = trainer.run()
    values = [v for row in result.history for k, v in row.items() if k != "step" and v is not None]
    assert len(values) == 4 * 5 + 2 * 6 and all(math.isfinite(v) for v in values)


def test_steps_without_a_generator_update_leave_its_losses_blank(tmp_path):
    config = load_config(overrides=TINY + ["train.batch_size=4", "train.critic_steps=2"])
    Trainer(config, synthetic_set(n=8), tmp_path, total_steps=4).run()
    with open(tmp_path / "losses.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["step"] for r in rows] == ["1", "2", "3", "4"]
    text = (tmp_path / "losses.csv").read_text().lower()
    assert "nan" not in text
    for row in rows:
        updated = int(row["step"]) % 2 == 0
        for name in ("g_total", "g_adv", "g_au", "g_cycle", "g_attention", "g_tv"):
            assert (row[name] != "") == updated, (row["step"], name, row[name])
            if updated:
                assert math.isfinite(float(row[name]))
        assert math.isfinite(float(row["d_total"]))


# SIGTERM (a service manager, `timeout`) killed training on the spot, losing the steps since the
# last checkpoint and leaving a hidden .state.pt.partial; it now stops as Ctrl+C does, exit 143.
@pytest.mark.parametrize("signum, stopped", [(signal.SIGINT, KeyboardInterrupt), (signal.SIGTERM, Terminated)])
def test_ctrl_c_or_sigterm_saves_a_state_that_resumes_where_it_stopped(tmp_path, signum, stopped):
    config = load_config(overrides=TINY + ["train.batch_size=4", "train.critic_steps=2",
                                           "train.checkpoint_every=100"])
    data = synthetic_set(n=8)
    trainer = Trainer(config, data, tmp_path, total_steps=10)
    real_step = trainer.train_step

    def step_then_signal(*args):
        row = real_step(*args)
        if trainer.step == 3:
            os.kill(os.getpid(), signum)  # the user presses Ctrl+C (or the service is stopped) during step 3
        return row

    trainer.train_step = step_then_signal
    before = signal.getsignal(signum)  # Python's default, or ignored in a background job
    with pytest.raises(stopped):
        trainer.run()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no partial file left
    # Without the fix nothing was saved before step 10 (checkpoint_every=100).
    state = torch.load(tmp_path / "state.pt", weights_only=True)
    assert state["step"] == 3
    with open(tmp_path / "losses.csv", newline="") as fh:
        assert [r["step"] for r in csv.DictReader(fh)] == ["1", "2", "3"]
    resumed = Trainer(config, data, tmp_path, total_steps=10, resume=True)
    assert resumed.step == 3
    assert resumed.run().steps == 10
    assert signal.getsignal(signum) is before  # the handler was put back
