"""GANimation training loop: WGAN-GP critic, AU-conditioned generator, exact resume.

One *step* consumes one batch and updates the critic; every ``critic_steps``-th step also
updates the generator (the published 5:1 schedule). Both learning rates stay constant,
then decay linearly to 0 over the last ``1 - decay_start`` of the steps.

Reproducibility: all per-step randomness (data order, flips, target AUs, gradient-penalty
mixing) comes from one torch.Generator owned by the trainer, and the data order is a pure
function of (seed, step, batch size, world size), so a resumed run replays the uninterrupted
one exactly on the same hardware. The state file stores models, optimizers, schedulers,
AMP scalers, the step and every RNG state (of every rank under torchrun).

Under torchrun each process trains on its own DistributedSampler shard, gradients are
averaged by DistributedDataParallel, and only rank 0 logs, samples and writes checkpoints.
"""
from __future__ import annotations

import contextlib
import csv
import logging
import math
import random
import re
import signal
import threading
import time
import warnings
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, Dataset, DistributedSampler

from ..atomic import atomic_write, free_path
from ..aus import AU_MAX, NUM_AUS
from ..engines.ganimation.checkpoints import save_generator
from ..config.settings import to_dict
from ..errors import ConfigError
from ..termination import SIGNALS, Terminated
from ..engines.ganimation.networks import GanimationCritic, GanimationGenerator
from . import losses
from .dataset import TrainingSet
from .distributed import SINGLE, DistContext, resolve_device
from .samples import render_grid, write_png
from .state import capture_rng, load_state, restore_rng, save_state

log = logging.getLogger(__name__)

STATE_FILE = "state.pt"
GENERATOR_FILE = "generator.pt"
LOSSES_FILE = "losses.csv"
HISTORY_ROWS = 10_000  # loss rows kept in memory (the full log is losses.csv)
LOSS_NAMES = ("d_total", "d_real", "d_fake", "d_gp", "d_au", "g_total", "g_adv", "g_au", "g_cycle", "g_attention", "g_tv")


@dataclass
class TrainResult:
    run_dir: Path
    start_step: int
    steps: int  # the step reached
    total_steps: int
    images_used: int
    images_skipped: int
    skip_summary: str
    seconds: float
    generator_path: Path | None
    state_path: Path | None
    images_seen: int = 0  # training images consumed by this call, all processes together
    history: list[dict] = field(default_factory=list)  # this trainer's latest losses (up to HISTORY_ROWS rows)

    @property
    def images_per_second(self) -> float:
        return 0.0 if self.seconds <= 0 else self.images_seen / self.seconds


def steps_for_epochs(epochs: float, dataset_size: int, batch_size: int, world_size: int = 1) -> int:
    return max(1, math.ceil(epochs * dataset_size / (batch_size * world_size)))


class CropDataset(Dataset):
    """Index -> (crop uint8 HxWx3, AUs 0..5). Augmentation happens on the device, per batch."""

    def __init__(self, data: TrainingSet):
        self.data = data

    def __len__(self) -> int:
        return len(self.data)

    def __getitem__(self, index: int):
        return torch.from_numpy(np.array(self.data.images[index])), torch.from_numpy(self.data.aus[index])


class StepBatchSampler:
    """Batches of an endless index stream: this rank's DistributedSampler epochs back to back.

    Batch k is stream[k*B:(k+1)*B], so the data order at any step follows from the step alone
    (a resumed run starts at ``start_step`` without replaying the loader), and batches never
    shrink at epoch ends.
    """

    def __init__(self, dataset: Dataset, *, batch_size: int, seed: int, ctx: DistContext, start_step: int, end_step: int):
        self.sampler = DistributedSampler(dataset, num_replicas=ctx.world_size, rank=ctx.rank, shuffle=True, seed=seed)
        self.batch_size = batch_size
        self.start_step = start_step
        self.end_step = end_step

    def __len__(self) -> int:
        return max(0, self.end_step - self.start_step)

    def __iter__(self):
        per_epoch = len(self.sampler)
        position = self.start_step * self.batch_size
        epoch, offset = divmod(position, per_epoch)
        order = self._epoch(epoch)
        for _ in range(len(self)):
            batch = []
            while len(batch) < self.batch_size:
                if offset == per_epoch:
                    epoch, offset = epoch + 1, 0
                    order = self._epoch(epoch)
                take = min(self.batch_size - len(batch), per_epoch - offset)
                batch.extend(order[offset:offset + take])
                offset += take
            yield batch

    def _epoch(self, epoch: int) -> list[int]:
        self.sampler.set_epoch(epoch)
        return list(self.sampler)


class GeneratorCycle(nn.Module):
    """Both generator passes of a generator step in one forward, so DDP sees one forward per backward."""

    def __init__(self, generator: GanimationGenerator):
        super().__init__()
        self.generator = generator

    def forward(self, real, source_aus, target_aus):
        color, attention = self.generator(real, target_aus)
        fake = GanimationGenerator.compose(real, color, attention)
        color_back, attention_back = self.generator(fake, source_aus)
        reconstructed = GanimationGenerator.compose(fake, color_back, attention_back)
        return fake, attention, reconstructed, attention_back


class CriticPasses(nn.Module):
    """The critic step's forwards in one call, so DDP sees one forward per backward.

    Real and fake images go through the critic under mixed precision; the gradient-penalty
    points go through it in fp32. The penalty differentiates the critic's output with respect
    to its input and then again for the weights: in fp16 that double backward overflows (the
    critic and penalty losses were non-finite from step 1 on an H200), in fp32 it does not.
    """

    def __init__(self, critic: GanimationCritic, device_type: str, amp_dtype: torch.dtype | None):
        super().__init__()
        self.critic = critic
        self.device_type = device_type
        self.amp_dtype = amp_dtype

    def forward(self, real, fake, interpolated):
        mixed = (contextlib.nullcontext() if self.amp_dtype is None
                 else torch.autocast(device_type=self.device_type, dtype=self.amp_dtype))
        with mixed:
            scores, au_pred = self.critic(torch.cat([real, fake]))
        with torch.autocast(device_type=self.device_type, enabled=False):
            mix_scores, _ = self.critic(interpolated.float())
        return scores, au_pred, mix_scores


def resolve_amp(setting: str | bool, device: torch.device) -> torch.dtype | None:
    """The autocast dtype, or None for full precision. Mixed precision is a CUDA-only feature here."""
    setting = str(setting).lower()
    if setting not in ("auto", "bf16", "fp16", "off", "false", "true"):
        raise ConfigError(f"train.amp must be auto, bf16, fp16 or off, got {setting!r}")
    if device.type != "cuda" or setting in ("off", "false"):
        return None
    if setting in ("auto", "true"):
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    return torch.bfloat16 if setting == "bf16" else torch.float16


def linear_decay(total_steps: int, decay_start: float):
    """LambdaLR factor: 1 until decay_start * total, then linearly down to 0 at total."""
    start = int(round(decay_start * total_steps))

    def factor(step: int) -> float:
        if step < start:
            return 1.0
        return max(0.0, (total_steps - step) / max(1, total_steps - start))

    return factor


class Trainer:
    """Builds models/optimizers for a run folder and trains them; ``run()`` returns a TrainResult."""

    def __init__(
        self,
        config,
        data: TrainingSet,
        run_dir: str | Path,
        *,
        total_steps: int | None,
        resume: bool = False,
        init_checkpoint: str | Path | None = None,
        ctx: DistContext = SINGLE,
    ):
        self.config = config
        self.train = config.train
        self.data = data
        self.run_dir = Path(run_dir)
        self.ctx = ctx
        check_train_config(self.train)
        self.device = resolve_device(self.train.device, ctx)
        self.amp_dtype = resolve_amp(self.train.amp, self.device)
        self.weights = losses.LossWeights.from_config(self.train)
        self.generator_path = self.run_dir / GENERATOR_FILE

        self._seed_everything(self.train.seed)
        self.rng = torch.Generator().manual_seed(self.train.seed * 1000 + ctx.rank)
        self.step = 0
        self.init_checkpoint = str(init_checkpoint) if init_checkpoint else None
        self.last_generator_losses: dict[str, float] = {}  # from the latest generator update (progress bar)
        self._saved_step = -1  # the step of the last resumable state written
        self.history: deque[dict] = deque(maxlen=HISTORY_ROWS)
        self._pending_rows: list[dict] = []

        self.state_path = self.run_dir / STATE_FILE
        state = load_state(self.state_path) if resume else None
        # None = the resumed run's own length (so --resume alone never changes the plan).
        if total_steps is None:
            if state is None:
                raise ConfigError("the number of training steps is needed for a new run")
            total_steps = state["total_steps"]
        self.total_steps = int(total_steps)
        if self.total_steps < 1:
            raise ConfigError("the number of training steps must be at least 1")
        if state is not None and self.total_steps < int(state["step"]):
            raise ConfigError(f"the run in {self.run_dir} is already at step {int(state['step'])}, past the "
                              f"{self.total_steps} steps asked for: ask for more (--steps or --epochs), or for none "
                              f"to keep its own length")
        self.generator = self._build_generator(state, init_checkpoint).to(self.device).train()
        self.critic = GanimationCritic(
            image_size=self.train.image_size,
            conv_dim=self.train.critic_conv_dim,
            num_aus=NUM_AUS,
            repeat_num=self.train.critic_repeat_num,
        ).to(self.device).train()
        betas = tuple(float(b) for b in self.train.betas)
        self.opt_g = torch.optim.Adam(self.generator.parameters(), lr=self.train.lr_generator, betas=betas)
        self.opt_d = torch.optim.Adam(self.critic.parameters(), lr=self.train.lr_critic, betas=betas)
        decay = linear_decay(self.total_steps, self.train.decay_start)
        self.sched_g = torch.optim.lr_scheduler.LambdaLR(self.opt_g, decay)
        self.sched_d = torch.optim.lr_scheduler.LambdaLR(self.opt_d, decay)
        fp16 = self.amp_dtype == torch.float16 and self.device.type == "cuda"  # loss scaling is a CUDA recipe
        self.scaler_g = torch.amp.GradScaler("cuda", enabled=fp16)
        self.scaler_d = torch.amp.GradScaler("cuda", enabled=fp16)

        self.all_aus = torch.from_numpy(np.asarray(data.aus, np.float32)) / AU_MAX
        self.sample_images, self.sample_targets = self._sample_inputs()
        if state is not None:
            self._load(state)

        # DDP wrappers: the critic passes for critic steps, both generator passes for generator steps.
        cycle = GeneratorCycle(self.generator)
        critic_passes = CriticPasses(self.critic, self.device.type, self.amp_dtype)
        if ctx.enabled:
            ids = [self.device.index] if self.device.type == "cuda" else None
            self.cycle = DistributedDataParallel(cycle, device_ids=ids)
            self.critic_step_model = DistributedDataParallel(critic_passes, device_ids=ids)
        else:
            self.cycle = cycle
            self.critic_step_model = critic_passes

    # ------------------------------------------------------------------ set-up
    def _seed_everything(self, seed: int) -> None:
        random.seed(seed)
        np.random.seed(seed)
        torch.manual_seed(seed)  # also seeds every CUDA device

    def _build_generator(self, state: dict | None, init_checkpoint) -> GanimationGenerator:
        if state is not None:
            arch = state["architecture"]
            return GanimationGenerator(
                conv_dim=arch["conv_dim"], num_aus=NUM_AUS, repeat_num=arch["repeat_num"],
                norm_affine=arch["norm_affine"], conv_bias=arch["conv_bias"],
            )
        if init_checkpoint:
            from ..engines.ganimation.checkpoints import load_generator

            generator = load_generator(init_checkpoint, "cpu")
            if (generator.conv_dim, generator.repeat_num) != (self.train.conv_dim, self.train.repeat_num):
                log.info("--init checkpoint sets the generator shape: conv_dim %d, %d residual blocks "
                         "(train.conv_dim/repeat_num are ignored)", generator.conv_dim, generator.repeat_num)
            return generator
        return GanimationGenerator(conv_dim=self.train.conv_dim, num_aus=NUM_AUS, repeat_num=self.train.repeat_num)

    def _sample_inputs(self) -> tuple[torch.Tensor, torch.Tensor]:
        """Fixed faces and target expressions for the sample grids (own RNG: training order unaffected)."""
        n = len(self.data)
        picker = torch.Generator().manual_seed(self.train.seed + 12345)
        rows = torch.randperm(n, generator=picker)[: max(1, self.train.sample_images)]
        targets = torch.randperm(n, generator=picker)[: max(1, self.train.sample_targets)]
        images = torch.from_numpy(np.stack([np.array(self.data.images[int(i)]) for i in rows]))
        return self._to_model_range(images.to(self.device)), self.all_aus[targets].to(self.device)

    def _load(self, state: dict) -> None:
        arch = state["architecture"]
        if arch["image_size"] != self.train.image_size or arch["critic"] != [self.train.critic_conv_dim, self.train.critic_repeat_num]:
            raise ConfigError(
                f"{self.state_path} was trained at image_size {arch['image_size']} with critic {arch['critic']}; "
                "keep train.image_size/critic_* as they were to resume, or start a new --out"
            )
        self.generator.load_state_dict(state["generator"])
        self.critic.load_state_dict(state["critic"])
        self.opt_g.load_state_dict(state["opt_g"])
        self.opt_d.load_state_dict(state["opt_d"])
        self.sched_g.load_state_dict(state["sched_g"])
        self.sched_d.load_state_dict(state["sched_d"])
        self.scaler_g.load_state_dict(state["scaler_g"])
        self.scaler_d.load_state_dict(state["scaler_d"])
        self.step = int(state["step"])
        self.init_checkpoint = state.get("init_checkpoint") or self.init_checkpoint
        self.last_generator_losses = {k: v for k, v in state["last_generator_losses"].items()
                                      if v is not None and math.isfinite(v)}
        data = state["data"]
        if data["dataset_size"] != len(self.data) or data["batch_size"] != self.train.batch_size:
            log.warning("the data or batch size changed since the checkpoint: training continues, "
                        "but not in the order an uninterrupted run would have used")
        rng_states = state["rng"]
        if len(rng_states) == self.ctx.world_size:
            restore_rng(rng_states[self.ctx.rank], self.rng)
        else:
            log.warning("resuming with %d processes instead of %d: RNG streams restart from the seed",
                        self.ctx.world_size, len(rng_states))
        if self.total_steps != state["total_steps"]:
            # A longer or shorter run: the decay follows the new length from this step on (the
            # schedulers already hold the new factor; the loaded optimizers hold the old lr).
            factor = linear_decay(self.total_steps, self.train.decay_start)(self.step)
            for sched in (self.sched_g, self.sched_d):
                for group, base in zip(sched.optimizer.param_groups, sched.base_lrs):
                    group["lr"] = base * factor
        log.info("resumed %s at step %d of %d", self.run_dir, self.step, self.total_steps)

    # ------------------------------------------------------------------ loop
    def run(self, *, stop_after: int | None = None) -> TrainResult:
        """Train up to total_steps (or stop after step ``stop_after``, as an interruption would)."""
        from tqdm import tqdm

        start_step = self.step
        end_step = self.total_steps if stop_after is None else min(self.total_steps, stop_after)
        dataset = CropDataset(self.data)
        loader = DataLoader(
            dataset,
            batch_sampler=StepBatchSampler(dataset, batch_size=self.train.batch_size,
                                           seed=self.train.seed, ctx=self.ctx, start_step=start_step,
                                           end_step=end_step),
            num_workers=self.train.num_workers,
            pin_memory=self.device.type == "cuda",
            persistent_workers=False,
        )
        bar = tqdm(total=self.total_steps, initial=start_step, desc="training", unit="step", dynamic_ncols=True,
                   disable=not (self.train.progress and self.ctx.is_main))
        t0 = time.perf_counter()
        images = 0
        try:
            with _interrupt_between_steps(enabled=not self.ctx.enabled) as interrupted:
                for images_u8, aus in loader:
                    row = self.train_step(images_u8, aus)
                    images += images_u8.shape[0] * self.ctx.world_size
                    bar.update(1)
                    if self.step % 10 == 0 or self.step == end_step:
                        bar.set_postfix(self._progress_losses(row))
                    if self.train.sample_every and self.step % self.train.sample_every == 0:
                        self.write_samples()
                    if (self.train.checkpoint_every and self.step % self.train.checkpoint_every == 0) or self.step == end_step:
                        self.save_checkpoint()
                    if interrupted.is_set():
                        if self._saved_step != self.step:
                            self.save_checkpoint()
                        log.warning("interrupted: saved a resumable state at step %d of %d in %s (continue with --resume)",
                                    self.step, self.total_steps, self.run_dir)
                        if interrupted.signum != signal.SIGINT:
                            raise Terminated(interrupted.signum, "the state is saved (continue with --resume)")
                        raise KeyboardInterrupt
        finally:
            bar.close()
        seconds = time.perf_counter() - t0
        result = TrainResult(
            run_dir=self.run_dir, start_step=start_step, steps=self.step, total_steps=self.total_steps,
            images_used=len(self.data), images_skipped=len(self.data.skipped), skip_summary=self.data.skip_summary(),
            seconds=seconds, generator_path=self.generator_path if self.ctx.is_main else None,
            state_path=self.state_path if self.ctx.is_main else None, images_seen=images,
            history=list(self.history),
        )
        return result

    def _progress_losses(self, row: dict) -> dict:
        """The bar's losses: this step's critic terms and the latest generator update's terms
        (left out until the generator has been updated once)."""
        shown = {k: f"{row[k]:.3g}" for k in ("d_total", "d_gp")}
        shown.update({k: f"{self.last_generator_losses[k]:.3g}" for k in ("g_adv", "g_au", "g_cycle")
                      if k in self.last_generator_losses})
        return shown

    def _to_model_range(self, images_u8: torch.Tensor) -> torch.Tensor:
        """(N,H,W,3) uint8 -> (N,3,H,W) float in [-1, 1]."""
        return images_u8.permute(0, 3, 1, 2).float().div_(127.5).sub_(1.0)

    def _autocast(self):
        if self.amp_dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(device_type=self.device.type, dtype=self.amp_dtype)

    def train_step(self, images_u8: torch.Tensor, source_aus: torch.Tensor) -> dict:
        """One step: a critic update, plus a generator update every critic_steps-th step."""
        batch = images_u8.shape[0]
        real = self._to_model_range(images_u8.to(self.device, non_blocking=True))
        source = (source_aus.to(self.device) / AU_MAX).float()
        # All randomness of the step is drawn here, on the CPU, from the trainer's generator.
        flips = torch.rand(batch, generator=self.rng) < 0.5 if self.train.flip else torch.zeros(batch, dtype=torch.bool)
        other = torch.randint(len(self.all_aus), (batch,), generator=self.rng)
        noise = (torch.rand(batch, NUM_AUS, generator=self.rng) * 2 - 1) * self.train.target_noise
        mix = torch.rand(batch, 1, 1, 1, generator=self.rng)
        flips = flips.to(self.device).view(-1, 1, 1, 1)
        real = torch.where(flips, real.flip(3), real)
        target = (self.all_aus[other] + noise).to(self.device)
        mix = mix.to(self.device)

        row = {"step": self.step + 1, **self._critic_update(real, source, target, mix)}
        # Generator losses exist only on steps that update the generator; the others leave them
        # blank (None: an empty cell in losses.csv), not nan and not a stale copy.
        row.update({name: None for name in LOSS_NAMES if name.startswith("g_")})
        if (self.step + 1) % self.train.critic_steps == 0:
            self.last_generator_losses = self._generator_update(real, source, target)
            row.update(self.last_generator_losses)
        with warnings.catch_warnings():
            # The generator optimizer steps only every critic_steps-th step (and an fp16
            # scaler may skip a step); the schedule is per training step on purpose.
            warnings.filterwarnings("ignore", message=re.escape("Detected call of `lr_scheduler.step()`"))
            self.sched_d.step()
            self.sched_g.step()
        self.step += 1
        for name in LOSS_NAMES:
            if name.startswith("d_") and not math.isfinite(row[name]):
                log.warning("non-finite critic loss %s=%s at step %d", name, row[name], self.step)
        self.history.append(row)
        self._pending_rows.append(row)
        return row

    def _critic_update(self, real, source, target, mix) -> dict:
        w = self.weights
        with torch.no_grad(), self._autocast():
            color, attention = self.generator(real, target)
            fake = GanimationGenerator.compose(real, color, attention).float()
        interpolated = (mix * real + (1 - mix) * fake).requires_grad_(True)
        batch = real.shape[0]
        scores, au_pred, s_mix = self.critic_step_model(real, fake, interpolated)
        s_real, s_fake = scores[:batch], scores[batch:]
        penalty = losses.gradient_penalty(s_mix, interpolated)  # fp32 scores: see CriticPasses
        adversarial = losses.wasserstein_critic(s_real, s_fake)
        au = losses.au_regression(au_pred[:batch], source, per_image=w.au_per_image)
        total = w.adversarial * adversarial + w.gradient_penalty * penalty + w.au * au
        self.opt_d.zero_grad(set_to_none=True)
        self.scaler_d.scale(total).backward()
        self.scaler_d.step(self.opt_d)
        self.scaler_d.update()
        return {
            "d_total": total.item(), "d_real": s_real.float().mean().item(), "d_fake": s_fake.float().mean().item(),
            "d_gp": penalty.item(), "d_au": au.item(),
        }

    def _generator_update(self, real, source, target) -> dict:
        w = self.weights
        self.critic.requires_grad_(False)  # the critic only passes gradients through here
        try:
            with self._autocast():
                fake, attention, reconstructed, attention_back = self.cycle(real, source, target)
                scores, au_pred = self.critic(fake)
            adversarial = losses.wasserstein_generator(scores)
            au = losses.au_regression(au_pred, target, per_image=w.au_per_image)
            cyc = losses.cycle(reconstructed, real)
            att = losses.attention_mean(attention) + losses.attention_mean(attention_back)
            tv = losses.total_variation(attention) + losses.total_variation(attention_back)
            total = w.adversarial * adversarial + w.au * au + w.cycle * cyc + w.attention * att + w.tv * tv
            self.opt_g.zero_grad(set_to_none=True)
            self.scaler_g.scale(total).backward()
            self.scaler_g.step(self.opt_g)
            self.scaler_g.update()
        finally:
            self.critic.requires_grad_(True)
        return {
            "g_total": total.item(), "g_adv": adversarial.item(), "g_au": au.item(), "g_cycle": cyc.item(),
            "g_attention": att.item(), "g_tv": tv.item(),
        }

    # ------------------------------------------------------------------ outputs
    def write_samples(self) -> Path | None:
        if not self.ctx.is_main:
            return None
        grid = render_grid(self.generator, self.sample_images, self.sample_targets)
        return write_png(self.run_dir / "samples" / f"step_{self.step:07d}.png", grid)

    def save_checkpoint(self) -> None:
        """Resumable state + a generator file the engine loads; rank 0 writes, every rank's RNG is kept."""
        rng_states = self.ctx.all_gather_object(capture_rng(self.rng))
        if self.ctx.is_main:
            meta = {
                "trained_steps": self.step,
                "images": len(self.data),
                "labels": self.data.label_source,
                "init": self.init_checkpoint or "",
            }
            save_generator(self.run_dir / "checkpoints" / f"generator_{self.step:07d}.pt", self.generator,
                           image_size=self.train.image_size, meta=meta)
            save_generator(self.generator_path, self.generator, image_size=self.train.image_size, meta=meta)
            save_state(self.state_path, {
                "step": self.step,
                "total_steps": self.total_steps,
                "architecture": {
                    "image_size": self.train.image_size,
                    "conv_dim": self.generator.conv_dim,
                    "repeat_num": self.generator.repeat_num,
                    "norm_affine": self.generator.norm_affine,
                    "conv_bias": self.generator.conv_bias,
                    "critic": [self.train.critic_conv_dim, self.train.critic_repeat_num],
                },
                "generator": self.generator.state_dict(),
                "critic": self.critic.state_dict(),
                "opt_g": self.opt_g.state_dict(),
                "opt_d": self.opt_d.state_dict(),
                "sched_g": self.sched_g.state_dict(),
                "sched_d": self.sched_d.state_dict(),
                "scaler_g": self.scaler_g.state_dict(),
                "scaler_d": self.scaler_d.state_dict(),
                "rng": rng_states,
                "data": {"seed": self.train.seed, "batch_size": self.train.batch_size,
                         "dataset_size": len(self.data), "world_size": self.ctx.world_size},
                "last_generator_losses": self.last_generator_losses,
                "init_checkpoint": self.init_checkpoint or "",
                "train_config": to_dict(self.train),
            })
            self._append_losses()
        self._pending_rows = []
        self._saved_step = self.step
        self.ctx.barrier()

    def _append_losses(self) -> None:
        """losses.csv only ever holds steps covered by the saved state (rows past it are dropped on resume)."""
        path = self.run_dir / LOSSES_FILE
        columns = ["step", *LOSS_NAMES]
        kept: list[dict] = []
        if path.exists():
            try:
                with open(path, newline="", encoding="utf-8") as fh:
                    kept = [r for r in csv.DictReader(fh) if int(r["step"]) <= self.step - len(self._pending_rows)]
            except (KeyError, ValueError, TypeError, UnicodeDecodeError):
                # Not as written here (saved from a spreadsheet with another separator?): kept aside, not lost.
                aside = free_path(path.with_name(f"{path.stem}.unreadable{path.suffix}"))  # an earlier one stays too
                path.replace(aside)
                log.warning("%s is not as livemorph writes it (edited?); it is kept as %s and a new one starts",
                            path, aside.name)
        with atomic_write(path) as tmp, open(tmp, "w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=columns, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(kept)
            writer.writerows(self._pending_rows)
        self._pending_rows = []


class _Interruption(threading.Event):
    signum: int = signal.SIGINT  # the signal that set it


@contextlib.contextmanager
def _interrupt_between_steps(*, enabled: bool):
    """Yields an Event set by the first Ctrl+C (or SIGTERM/SIGHUP: a service manager, a closed
    terminal), so the loop finishes its step and saves a state it can resume exactly; a second
    Ctrl+C interrupts at once (a repeated SIGTERM/SIGHUP is let go: the save finishes). Off under
    torchrun (every rank would have to stop at the same step) and outside the main thread."""
    interrupted = _Interruption()
    if not enabled or threading.current_thread() is not threading.main_thread():
        yield interrupted
        return

    def handler(signum, frame):
        if interrupted.is_set():
            if signum == signal.SIGINT:
                raise KeyboardInterrupt
            return
        interrupted.signum = signum
        interrupted.set()
        name = "Ctrl+C" if signum == signal.SIGINT else signal.Signals(signum).name
        log.warning("%s: finishing this step and saving (Ctrl+C again to stop at once)", name)

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, *SIGNALS)}
    try:
        yield interrupted
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def check_train_config(train) -> None:
    """Raise ConfigError for settings no run can use (checked before any slow labelling)."""
    if train.image_size % (2 ** train.critic_repeat_num):
        raise ConfigError(
            f"train.image_size {train.image_size} must be divisible by 2**train.critic_repeat_num "
            f"({2 ** train.critic_repeat_num}); e.g. 128 with 6, 256 with 6 or 7"
        )
    if train.image_size % 4:
        raise ConfigError(f"train.image_size {train.image_size} must be a multiple of 4 (the generator halves it twice)")
    # Single-key ranges (batch_size, betas, amp, ...) are checked when the config loads (config.py).
