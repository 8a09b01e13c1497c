"""Soak: the live loop for many frames with recording on -- memory must stay flat, latency must not creep.

    python benchmarks/bench_soak.py                      # 20,000 frames (~11 min at the video's 30 fps)
    python benchmarks/bench_soak.py --frames 2000 --every 250

``livemorph run`` (``run_live``, no window, warp engine) with woman_expressions.mp4 looping as
the camera and an MP4 recording of the whole run. Every ``--every`` output frames it prints the
process RSS and the rolling latency median / p95 (last 240 frames). Goals (issue 11): RSS
growth after warm-up < 50 MB; latency in the last window no worse than 1.25 x (+ 5 ms) the
first window after warm-up. Exit code 1 when a goal is missed.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
SHARED = Path(os.environ.get("LIVEMORPH_SHARED", REPO.parent / "shared")).resolve()
os.environ.setdefault("LIVEMORPH_MODELS", str(SHARED / "models"))

RSS_GROWTH_LIMIT_MB = 50.0
LATENCY_RATIO_LIMIT, LATENCY_SLACK_MS = 1.25, 5.0


def rss_mb() -> float:
    """Resident set size now (Linux /proc; elsewhere the peak, which can only over-state growth)."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak / 2**20 if sys.platform == "darwin" else peak / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=20_000)
    parser.add_argument("--warmup", type=int, default=None, help="frames before the baseline (default: 10%%, max 1000)")
    parser.add_argument("--every", type=int, default=1000, help="print a sample every this many output frames")
    parser.add_argument("--portrait", default=str(SHARED / "assets/portraits/grace_hopper_glasses.jpg"))
    parser.add_argument("--video", default=str(SHARED / "assets/driving/woman_expressions.mp4"))
    parser.add_argument("--engine", default="warp", choices=["warp", "ganimation"])
    args = parser.parse_args()
    warmup = args.warmup if args.warmup is not None else min(1000, args.frames // 10)

    from livemorph.config.settings import load_config
    from livemorph.runtime.live import run_live
    from livemorph.runtime.live_stats import LiveStats

    config = load_config(None, [f"engine.name={args.engine}", f"live.source={args.video!r}", "live.loop=true"])
    stats = LiveStats()
    samples: list[dict] = []
    done = threading.Event()

    def sample(frames: int) -> None:
        snap = stats.snapshot()
        lat = snap["latency_ms"]
        samples.append({"frames": frames, "rss": rss_mb(), "median": lat["median"], "p95": lat["p95"],
                        "fps": snap["fps"], "dropped": snap["dropped_total"]})
        row = samples[-1]
        print(f"{frames:7d} frames  RSS {row['rss']:7.1f} MB  latency median {row['median'] or 0:6.1f} ms "
              f"p95 {row['p95'] or 0:6.1f} ms  fps {row['fps'] or 0:5.1f}  dropped {row['dropped']}", flush=True)

    def watch() -> None:
        next_at = warmup
        while not done.wait(0.05):
            frames = stats.snapshot()["frames_out"]
            if frames >= next_at:
                sample(frames)
                next_at = (next_at // args.every + 1) * args.every

    print(f"soak: {args.frames} frames, warm-up {warmup}, engine {args.engine}, recording on, "
          f"{Path(args.video).name} looping as the camera, portrait {Path(args.portrait).name}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        started = time.monotonic()
        try:
            run_live(config, targets=[args.portrait], window=False, max_frames=args.frames,
                     record=str(Path(tmp) / "soak.mp4"), stats=stats)
        finally:
            done.set()
            watcher.join()
        size_mb = (Path(tmp) / "soak.mp4").stat().st_size / 2**20
    print(f"ran {time.monotonic() - started:.0f} s; recording {size_mb:.1f} MB; RSS after the run {rss_mb():.1f} MB")
    if len(samples) < 2:
        print("too few samples: run more --frames than the warm-up")
        return 1

    first, last = samples[0], samples[-1]
    growth = last["rss"] - first["rss"]
    peak_growth = max(s["rss"] for s in samples) - first["rss"]
    rss_ok = peak_growth < RSS_GROWTH_LIMIT_MB
    print(f"RSS after warm-up: {first['rss']:.1f} MB -> {last['rss']:.1f} MB (growth {growth:+.1f} MB, "
          f"peak {peak_growth:+.1f} MB)  [goal < {RSS_GROWTH_LIMIT_MB:g} MB]  {'ok' if rss_ok else 'FAIL'}")
    latency_ok = True
    for key in ("median", "p95"):
        a, b = first[key], last[key]
        if a is None or b is None:
            continue
        ok = b <= a * LATENCY_RATIO_LIMIT + LATENCY_SLACK_MS
        latency_ok &= ok
        print(f"latency {key}: {a:.1f} ms -> {b:.1f} ms (x{b / a:.2f})  "
              f"[goal <= x{LATENCY_RATIO_LIMIT} + {LATENCY_SLACK_MS:g} ms]  {'ok' if ok else 'FAIL'}")
    return 0 if rss_ok and latency_ok else 1


if __name__ == "__main__":
    sys.exit(main())
