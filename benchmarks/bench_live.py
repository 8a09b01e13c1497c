"""Live loop throughput and latency vs its slowest stage measured alone.

    python benchmarks/bench_live.py [--portrait PATH] [--frames 300] [--engine warp|ganimation] [--record]
                                    [--enlarge K]

1. Each stage alone, on the same frames: tracking + AUs (``AUStream.process``) and the engine
   (``PortraitPuppet.step``), median ms over the clip.
2. ``livemorph run`` (``run_live``, no window) with woman_expressions.mp4 played at its own
   30 fps as the camera, for ``--frames`` output frames.

Prints sustained fps, median / p95 end-to-end latency (capture -> frame out) and dropped
frames, next to the slowest stage's time. Goals (issue 4): fps >= 0.9 x the slowest stage's
rate (capped by the source's 30 fps), p95 latency < 2 x the slowest stage's time.
``--engine ganimation`` without ``--checkpoint`` uses a random-weight generator (same cost).
``--enlarge K`` runs a copy of the portrait enlarged K times (a close-up photo) twice: as ``run``
works on it (``live.max_side``, ``live.max_face_px``) and at its full size, and prints the fps ratio.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("LIVEMORPH_SHARED", REPO.parent / "shared")).resolve()
os.environ.setdefault("LIVEMORPH_MODELS", str(SHARED / "models"))


def median_ms(times: list[float]) -> float:
    return statistics.median(times) * 1000.0


def measure_stages_alone(config, portrait_path: str, video: str, n: int) -> dict:
    from livemorph.face.au_stream import AUStream
    from livemorph.engines import engine_from_config
    from livemorph.runtime.live import prepare_target
    from livemorph.capture.sources import open_source

    with open_source(video, paced=False, loop=True) as source:
        frames = [f for _, f in zip(range(n), source)]
    track_s, readings = [], []
    with AUStream.from_config(config, mouth_hints=config.warp.driver_mouth) as stream:
        for frame in frames:
            t = time.perf_counter()
            readings.append(stream.process(frame))
            track_s.append(time.perf_counter() - t)
    name, engine = engine_from_config(config)
    puppet = prepare_target(portrait_path, engine, config)
    engine_s = []
    for reading in readings:
        t = time.perf_counter()
        puppet.step(reading, 1.0)
        engine_s.append(time.perf_counter() - t)
    skip = min(10, n // 10)  # first calls pay for lazy initialisation
    return {"engine_name": name, "tracking": median_ms(track_s[skip:]), "engine": median_ms(engine_s[skip:])}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--portrait", default=str(SHARED / "assets/portraits/mona_lisa.jpg"))
    parser.add_argument("--video", default=str(SHARED / "assets/driving/woman_expressions.mp4"))
    parser.add_argument("--frames", type=int, default=300)
    parser.add_argument("--engine", default="warp", choices=["warp", "ganimation"])
    parser.add_argument("--checkpoint", default=None)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--record", action="store_true", help="also record an MP4 (a temp file) during the run")
    parser.add_argument("--enlarge", type=float, default=None,
                        help="run a copy of the portrait enlarged this many times, as run works on it and at full size")
    args = parser.parse_args()

    from livemorph.config.settings import load_config

    overrides = [f"engine.name={args.engine}", f"engine.device={args.device}", f"live.source={args.video!r}",
                 "live.loop=true"]
    tmp = tempfile.TemporaryDirectory()
    if args.engine == "ganimation":
        checkpoint = args.checkpoint
        if checkpoint is None:
            from livemorph.engines.ganimation.checkpoints import save_generator
            from livemorph.engines.ganimation.networks import GanimationGenerator

            checkpoint = str(save_generator(Path(tmp.name) / "random.pth", GanimationGenerator(), image_size=128,
                                            meta={"note": "random weights: timing only"}))
        overrides.append(f"ganimation.checkpoint={checkpoint!r}")
    if args.enlarge is None:
        bench(load_config(None, overrides), args.portrait, args, tmp.name)
    else:
        portrait = _enlarged(args.portrait, args.enlarge, Path(tmp.name))
        fitted = bench(load_config(None, overrides), portrait, args, tmp.name)
        full = bench(load_config(None, overrides + ["live.max_side=16384", "live.max_face_px=16384"]),
                     portrait, args, tmp.name)
        print(f"enlarged {args.enlarge:g}x: run at live.max_face_px {fitted:.1f} fps, at full size {full:.1f} fps "
              f"= {fitted / max(full, 1e-6):.2f} x")
    tmp.cleanup()
    return 0


def _enlarged(path: str, factor: float, folder: Path) -> str:
    """A copy of the portrait enlarged ``factor`` times (bicubic), as a PNG in ``folder``."""
    import cv2

    image = cv2.imread(path)
    big = folder / f"{Path(path).stem}_x{factor:g}.png"
    cv2.imwrite(str(big), cv2.resize(image, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC))
    return str(big)


def bench(config, portrait: str, args, tmp: str) -> float:
    """Stages alone, then ``run`` with ``portrait``; prints the figures and returns the sustained fps."""
    from livemorph.runtime.live import run_live

    alone = measure_stages_alone(config, portrait, args.video, min(args.frames, 150))
    slowest_name = max(("tracking", "engine"), key=lambda k: alone[k])
    slowest_ms = alone[slowest_name]
    source_fps = 30.0
    target_fps = min(1000.0 / slowest_ms, source_fps)

    record = str(Path(tmp) / "bench.mp4") if args.record else None
    if record:
        Path(record).unlink(missing_ok=True)  # a second run records afresh (livemorph never overwrites a take)
    snap = run_live(config, targets=[portrait], window=False, max_frames=args.frames, record=record)
    fps = snap["sustained_fps"] or 0.0
    lat = snap["latency_ms"]
    stages = snap["stages_ms"]

    print(f"engine {alone['engine_name']} | portrait {Path(portrait).name} | driver {Path(args.video).name} "
          f"(paced at {source_fps:g} fps) | {args.frames} frames | device {args.device}")
    print(f"stages alone:   tracking {alone['tracking']:.1f} ms   engine {alone['engine']:.1f} ms   "
          f"-> slowest {slowest_name} {slowest_ms:.1f} ms = {1000 / slowest_ms:.1f} fps "
          f"(source caps at {source_fps:g})")
    in_loop = "   ".join(f"{k} {v['median']:.1f}" for k, v in stages.items() if v["median"] is not None)
    print(f"stages in loop: {in_loop} ms (medians; they share the CPU)")
    print(f"sustained fps   {fps:.1f}   = {fps / target_fps:.2f} x min(slowest stage rate, source fps)   "
          f"[goal >= 0.90]")
    print(f"latency         median {lat['median']:.1f} ms   p95 {lat['p95']:.1f} ms   "
          f"= p95 {lat['p95'] / slowest_ms:.2f} x slowest stage   [goal < 2.00]")
    delivered = snap["counters"].get("captured", 0) + snap["dropped"].get("capture", 0)
    print(f"dropped         {snap['dropped_total']} ({', '.join(f'{k} {v}' for k, v in snap['dropped'].items()) or 'none'})"
          f" of {delivered} frames the source delivered (capture drops = frames newer ones replaced)")
    return fps


if __name__ == "__main__":
    sys.exit(main())
