"""Training throughput: images/s of the GANimation trainer (critic + generator updates).

Measures whole training steps of ``livemorph.training.trainer.Trainer`` on random crops
(labelling is not part of it), over full 5:1 cycles so generator updates are included.
On CPU it compares thread counts; where CUDA is available it compares full precision with
bf16 and fp16 autocast, each as a ratio to fp32 in the same run.

    python benchmarks/bench_training.py                 # the published shape: 128 px, width 64
    python benchmarks/bench_training.py --image-size 64 --conv-dim 32 --batch-size 8
"""
from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from livemorph.aus import NUM_AUS  # noqa: E402
from livemorph.config.settings import load_config  # noqa: E402
from livemorph.training.dataset import TrainingSet  # noqa: E402
from livemorph.training.trainer import Trainer  # noqa: E402


def random_set(n: int, size: int) -> TrainingSet:
    rng = np.random.default_rng(0)
    return TrainingSet(
        images=rng.integers(0, 256, (n, size, size, 3), dtype=np.uint8),
        aus=rng.uniform(0, 5, (n, NUM_AUS)).astype(np.float32),
        names=[f"{i}.png" for i in range(n)],
        label_source="random",
    )


def images_per_second(args, device: str, amp: str, cycles: int) -> tuple[float, str]:
    """(images/s, 'losses finite' or how many were not) over the timed cycles."""
    overrides = [
        f"train.image_size={args.image_size}", f"train.conv_dim={args.conv_dim}",
        f"train.critic_conv_dim={args.conv_dim}", f"train.batch_size={args.batch_size}",
        f"train.device={device}", f"train.amp={amp}", "train.sample_every=0", "train.checkpoint_every=0",
        "train.progress=false",
    ]
    config = load_config(overrides=overrides)
    per_cycle = config.train.critic_steps  # one generator update per this many steps
    data = random_set(max(64, args.batch_size * 4), args.image_size)
    with tempfile.TemporaryDirectory() as run_dir:
        trainer = Trainer(config, data, run_dir, total_steps=per_cycle * (cycles + 1))
        trainer.run(stop_after=per_cycle)  # warm-up cycle: allocator, cuDNN autotune, first-call costs
        if trainer.device.type == "cuda":
            torch.cuda.synchronize()
        t0 = time.perf_counter()
        result = trainer.run(stop_after=per_cycle * (cycles + 1))
        if trainer.device.type == "cuda":
            torch.cuda.synchronize()
        seconds = time.perf_counter() - t0
    values = [v for row in result.history for k, v in row.items() if k != "step" and v is not None]
    bad = sum(not math.isfinite(v) for v in values)
    health = "losses finite" if bad == 0 else f"{bad} of {len(values)} losses NOT finite"
    return per_cycle * cycles * args.batch_size / seconds, health


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--image-size", type=int, default=128)
    parser.add_argument("--conv-dim", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=4, help="default 4 on CPU so a run takes minutes, not hours")
    parser.add_argument("--cycles", type=int, default=1, help="timed 5-step cycles per setting")
    parser.add_argument("--threads", type=int, nargs="*", default=None,
                        help="CPU thread counts to compare (default: 1 and torch's default)")
    parser.add_argument("--gpu-batch-size", type=int, default=25)
    parser.add_argument("--gpu-cycles", type=int, default=4)
    parser.add_argument("--skip-cpu", action="store_true", help="measure only CUDA (on a GPU machine)")
    args = parser.parse_args()

    print(f"torch {torch.__version__}; {args.image_size} px, width {args.conv_dim}; images/s = training "
          "images consumed per second (each step: 1 critic update; every 5th: 1 generator update)")
    baseline = None
    for threads in [] if args.skip_cpu else (args.threads or sorted({1, torch.get_num_threads()})):
        torch.set_num_threads(threads)
        ips, health = images_per_second(args, "cpu", "off", args.cycles)
        baseline = baseline or ips
        print(f"cpu  fp32  {threads} thread(s)  batch {args.batch_size:3d}: {ips:8.2f} images/s  "
              f"(x{ips / baseline:.2f} vs the first line), {health}")
    if not torch.cuda.is_available():
        print("cuda: not available on this machine (mixed precision not measured)")
        return
    args.batch_size = args.gpu_batch_size
    name = torch.cuda.get_device_name()
    fp32, health = images_per_second(args, "cuda", "off", args.gpu_cycles)
    print(f"cuda fp32  {name}  batch {args.batch_size:3d}: {fp32:8.2f} images/s, {health}")
    for amp in ("bf16", "fp16"):
        if amp == "bf16" and not torch.cuda.is_bf16_supported():
            print("cuda bf16: not supported by this GPU")
            continue
        ips, health = images_per_second(args, "cuda", amp, args.gpu_cycles)
        print(f"cuda {amp}  {name}  batch {args.batch_size:3d}: {ips:8.2f} images/s  (x{ips / fp32:.2f} vs fp32), "
              f"{health}")


if __name__ == "__main__":
    main()
