"""Generator speed at batch 1, 128x128: plain eager fp32 vs livemorph's fast path, and render fps.

    python benchmarks/bench_generator.py [--iterations 20] [--checkpoint CKPT] [--devices cpu,cuda]

For every device present (CPU always, CUDA when available) it prints the median ms/frame
of (a) the generator in plain eager fp32 and (b) livemorph's fast path as the engine
chooses it on a real portrait crop (CUDA: fp16 + channels_last + CUDA graph when within
tolerance of fp32; CPU: plain fp32, so the ratio there is ~1), their ratio, and the
engine's full ``render`` rate (generator + full-resolution compose + paste) on the Mona
Lisa from ../shared. Goal on an H100: fast path <= 1 ms/frame and >= 3x eager fp32.
Without --checkpoint the published architecture with random weights is timed (speed does
not depend on the weight values).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from livemorph.aus import NUM_AUS  # noqa: E402
from livemorph.engines.ganimation.runtime import PLAIN, GeneratorRunner, choose_runner  # noqa: E402
from livemorph.engines.ganimation.networks import GanimationGenerator  # noqa: E402

SHARED = REPO.parent / "shared"


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def time_call(fn, device: torch.device, iterations: int, warmup: int = 3) -> float:
    """Median wall ms of ``fn()`` (synchronised on CUDA)."""
    for _ in range(warmup):
        fn()
    _sync(device)
    samples = []
    for _ in range(iterations):
        start = time.perf_counter()
        fn()
        _sync(device)
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def load_or_build(checkpoint: str | None) -> GanimationGenerator:
    if checkpoint:
        from livemorph.engines.ganimation.checkpoints import load_generator

        return load_generator(checkpoint)
    torch.manual_seed(0)
    return GanimationGenerator(conv_dim=64, repeat_num=6, norm_affine=False, conv_bias=True).eval()


def real_portrait():
    """(PortraitFace of the Mona Lisa, config) or (None, None) without ../shared."""
    path = SHARED / "assets/portraits/mona_lisa.jpg"
    if not path.exists():
        return None, None
    import os

    os.environ.setdefault("LIVEMORPH_MODELS", str(SHARED / "models"))
    from livemorph.config.settings import load_config
    from livemorph.portrait import load_portrait

    config = load_config()
    return load_portrait(path, config), config


def bench_device(device: torch.device, generator: GanimationGenerator, portrait, iterations: int) -> None:
    from livemorph.engines.ganimation.engine import GanimationEngine

    aus = torch.rand(1, NUM_AUS, generator=torch.Generator().manual_seed(1))
    engine = GanimationEngine(generator, device)
    if portrait is not None:
        prepared = engine.prepare(portrait)  # on CUDA this picks and validates the fast path
        probe = prepared.network_input
    else:
        probe = torch.rand(1, 3, 128, 128, device=device) * 2 - 1
        engine.runner = choose_runner(generator, device, half="auto", cuda_graph=True, tolerance=4.0,
                                      probe_image=probe, probe_aus=[aus], image_size=128)
        prepared = None

    eager = GeneratorRunner(generator, device, PLAIN, 128)
    image = probe.to(device)
    eager_ms = time_call(lambda: eager(image, aus), device, iterations)
    fast_ms = time_call(lambda: engine.runner(image, aus), device, iterations)
    print(f"{str(device):<8} eager fp32        {eager_ms:8.2f} ms/frame")
    print(f"{str(device):<8} fast path         {fast_ms:8.2f} ms/frame   ({engine.runner.settings.describe()})")
    print(f"{str(device):<8} speed-up          {eager_ms / fast_ms:8.2f} x  (eager / fast)")
    if prepared is not None:
        au_vector = np.linspace(0, 5, NUM_AUS).astype(np.float32)
        render_ms = time_call(lambda: engine.render(prepared, au_vector), device, max(iterations // 2, 3), warmup=2)
        h, w = portrait.image.shape[:2]
        print(f"{str(device):<8} engine render     {render_ms:8.2f} ms/frame = {1000 / render_ms:6.1f} fps "
              f"({w}x{h} portrait, crop {prepared.box[2] - prepared.box[0]} px)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=20)
    parser.add_argument("--checkpoint", default=None, help="time this generator instead of random weights")
    parser.add_argument("--devices", default=None, help="comma-separated (default: cpu, plus cuda when available)")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's choice)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    devices = args.devices.split(",") if args.devices else ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    generator = load_or_build(args.checkpoint)
    portrait, _ = real_portrait()
    params = sum(p.numel() for p in generator.parameters()) / 1e6
    print(f"GANimation generator, {params:.2f} M parameters, batch 1, 128x128; torch {torch.__version__}, "
          f"{torch.get_num_threads()} CPU threads")
    for name in devices:
        device = torch.device(name)
        if device.type == "cuda":
            device = torch.device("cuda", torch.cuda.current_device())
            print(f"cuda: {torch.cuda.get_device_name(device)}")
        bench_device(device, generator, portrait, args.iterations)
    return 0


if __name__ == "__main__":
    sys.exit(main())
