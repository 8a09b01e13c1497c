"""Offline render speed: each stage alone, stages in sequence, and `render_offline`'s threaded pipeline.

    python benchmarks/bench_render.py [--shared ../shared] [--frames 120] [--ganimation-frames 12]
                                      [--portrait mona_lisa.jpg] [--device auto]

For each engine (warp; GANimation with a random-weight generator, same cost as real weights)
it prints ms/frame of every stage measured alone on the same frames (decode, track + AUs,
engine step, H.264 encode), their sum, a one-thread sequential loop over the same frames
(the baseline) and `render_offline` (stages on threads with bounded queues). Goals: threaded
above the sequential loop, and close to the slowest stage's rate (everything else overlaps
with it) — on two busy cores the stages also compete for the same CPU, so expect less.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from livemorph.face.au_stream import AUStream  # noqa: E402
from livemorph.config.settings import load_config  # noqa: E402
from livemorph.runtime.render import create_puppet, render_offline  # noqa: E402
from livemorph.portrait import load_portrait  # noqa: E402
from livemorph.outputs.mp4 import Mp4Recorder  # noqa: E402
from livemorph.capture.video_file import VideoFileSource  # noqa: E402


def ms_per_frame(fn, items) -> tuple[float, list]:
    times, results = [], []
    for item in items:
        t0 = time.perf_counter()
        results.append(fn(item))
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), results


def sequential_loop(puppet, config, driver: Path, frames: int, fps: float, out: Path) -> float:
    """The baseline: decode -> track -> engine -> encode one frame at a time on one thread."""
    with AUStream.from_config(config, mouth_hints=config.warp.driver_mouth) as stream, \
            Mp4Recorder(out, fps, crf=config.render.crf) as recorder:
        start = None
        for count, frame in enumerate(VideoFileSource(driver, paced=False)):
            if count == frames:
                break
            if start is None:
                start = time.perf_counter()  # like render_offline: from the first frame
            recorder.write(puppet.step(stream.process(frame)))
    return (frames - 1) / (time.perf_counter() - start) if frames > 1 else float("nan")


def bench_engine(name: str, config, portrait_path: Path, driver: Path, frames: int, workdir: Path) -> None:
    portrait = load_portrait(portrait_path, config)
    puppet = create_puppet(portrait, config, engine_name=name)

    source = VideoFileSource(driver, paced=False)
    t0 = time.perf_counter()
    video = []
    for frame in source:
        video.append(frame)
        if len(video) == frames:
            break
    decode_ms = (time.perf_counter() - t0) * 1000 / len(video)

    with AUStream.from_config(config, mouth_hints=config.warp.driver_mouth) as stream:
        track_ms, readings = ms_per_frame(stream.process, video)
    puppet.step(readings[0])  # warm-up (first-call allocations, lazy init)
    engine_ms, outputs = ms_per_frame(puppet.step, readings)
    with Mp4Recorder(workdir / f"{name}_encode.mp4", source.fps, crf=config.render.crf) as recorder:
        encode_ms, _ = ms_per_frame(recorder.write, outputs)

    stages = {"decode": decode_ms, "track+AUs": track_ms, f"engine {name}": engine_ms, "encode": encode_ms}
    sum_fps = 1000 / sum(stages.values())
    slowest_name, slowest_ms = max(stages.items(), key=lambda kv: kv[1])

    sequential_fps = sequential_loop(puppet, config, driver, len(video), source.fps, workdir / f"{name}_seq.mp4")
    summary = render_offline(portrait, driver, workdir / f"{name}.mp4", config, max_frames=len(video), progress=False)

    h, w = portrait.image.shape[:2]
    print(f"\n== {name} engine, portrait {portrait_path.name} {w}x{h}, driver {driver.name}, {len(video)} frames")
    for stage, ms in stages.items():
        print(f"  {stage:<18} {ms:8.1f} ms/frame  ({1000 / ms:7.1f} fps alone)")
    print(f"  sum of stages      {1000 / sum_fps:8.1f} ms/frame  ({sum_fps:7.1f} fps)")
    print(f"  sequential loop    {1000 / sequential_fps:8.1f} ms/frame  ({sequential_fps:7.1f} fps)  (baseline)")
    print(f"  render_offline     {1000 / summary.render_fps:8.1f} ms/frame  ({summary.render_fps:7.1f} fps)"
          f"   = {summary.render_fps / sequential_fps:.2f} x sequential,"
          f" {summary.render_fps * slowest_ms / 1000:.2f} x the slowest stage ({slowest_name})")
    print(f"  whole command incl. portrait + engine setup: {summary.seconds:.1f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--portrait", default="mona_lisa.jpg")
    parser.add_argument("--driver", default="woman_expressions.mp4")
    parser.add_argument("--frames", type=int, default=120)
    parser.add_argument("--ganimation-frames", type=int, default=12, help="0 skips GANimation (slow on CPU)")
    parser.add_argument("--device", default="auto")
    args = parser.parse_args()

    os.environ.setdefault("LIVEMORPH_MODELS", str(args.shared / "models"))
    portrait = args.shared / "assets" / "portraits" / args.portrait
    driver = args.shared / "assets" / "driving" / args.driver
    base = load_config(overrides=[f"engine.device={args.device}"])
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        bench_engine("warp", base, portrait, driver, args.frames, workdir)
        if args.ganimation_frames:
            import torch

            from livemorph.engines.ganimation.checkpoints import save_generator
            from livemorph.engines.ganimation.networks import GanimationGenerator

            torch.manual_seed(0)
            ckpt = save_generator(workdir / "random.pth", GanimationGenerator(), image_size=128)
            config = load_config(overrides=[f"engine.device={args.device}", f"ganimation.checkpoint={ckpt}"])
            bench_engine("ganimation", config, portrait, driver, args.ganimation_frames, workdir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
