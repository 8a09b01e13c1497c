"""Tracking + AU estimation speed on a 640x360 video, and our AUs vs OpenFace on four labelled faces.

    python benchmarks/bench_tracking.py [--video PATH] [--shared ../shared]

Prints ms/frame for decode alone, tracking (MediaPipe) alone, and tracking + AU estimation +
stabilizer, so the cost of our own per-frame work shows as a difference in the same run.
Goal (issue 2): under 20 ms/frame for tracking + AUs on two CPU cores.
"""
from __future__ import annotations

import argparse
import csv
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from livemorph.runtime.analyse import analyse  # noqa: E402
from livemorph.aus import AU_NAMES  # noqa: E402
from livemorph.config.settings import load_config  # noqa: E402
from livemorph.face.estimators import estimator_from_config  # noqa: E402
from livemorph.capture.video_file import VideoFileSource  # noqa: E402
from livemorph.face.stabilize import AUStabilizer  # noqa: E402
from livemorph.face.tracking import FaceTracker  # noqa: E402


def timed_pass(video: Path, config, with_aus: bool) -> list[float]:
    per_frame = []
    stabilizer = AUStabilizer.from_config(config)
    estimator = estimator_from_config(config)
    with FaceTracker.from_config(config.tracking, mode="video") as tracker, VideoFileSource(video, paced=False) as src:
        frames = list(src)
        for frame in frames:
            t0 = time.perf_counter()
            track = tracker.track(frame.image, frame.timestamp_ms)
            if with_aus:
                raw = estimator.estimate(track) if track.present else None
                stabilizer.update(raw, track.present, frame.timestamp_ms)
            per_frame.append((time.perf_counter() - t0) * 1000)
    return per_frame[5:]  # skip warm-up


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path(os.environ.get("LIVEMORPH_SHARED", ROOT.parent / "shared")))
    parser.add_argument("--video", type=Path, default=None)
    args = parser.parse_args()
    os.environ.setdefault("LIVEMORPH_MODELS", str(args.shared / "models"))
    config = load_config()
    video = args.video or args.shared / "assets/driving/pexels_woman_laughing.mp4"

    t0 = time.perf_counter()
    with VideoFileSource(video, paced=False) as src:
        n = sum(1 for _ in src)
    decode_ms = (time.perf_counter() - t0) * 1000 / n
    track_only = timed_pass(video, config, with_aus=False)
    with_aus = timed_pass(video, config, with_aus=True)
    print(f"video: {video.name} ({n} frames)")
    print(f"  decode only                 {decode_ms:6.2f} ms/frame (not counted below)")
    print(f"  tracking (MediaPipe)        median {statistics.median(track_only):6.2f}  p95 {np.percentile(track_only, 95):6.2f} ms/frame")
    print(f"  tracking + AUs + smoothing  median {statistics.median(with_aus):6.2f}  p95 {np.percentile(with_aus, 95):6.2f} ms/frame")
    print(f"  our AU stage adds           {statistics.median(with_aus) - statistics.median(track_only):6.2f} ms/frame "
          f"(ratio {statistics.median(with_aus) / statistics.median(track_only):.3f}x tracking alone)")
    # Our own per-frame work alone, on a real track (the difference above is within MediaPipe's noise).
    config_stab = AUStabilizer.from_config(config)
    estimator = estimator_from_config(config)
    with FaceTracker.from_config(config.tracking, mode="video") as tracker, VideoFileSource(video, paced=False) as src:
        track = next(t for t in (tracker.track(f.image, f.timestamp_ms) for f in src) if t.present)
    reps = 2000
    t0 = time.perf_counter()
    for i in range(reps):
        config_stab.update(estimator.estimate(track), True, i * 33.3)
    own_ms = (time.perf_counter() - t0) * 1000 / reps
    print(f"  AU estimation + stabilizer alone {own_ms:6.3f} ms/frame ({own_ms / statistics.median(track_only) * 100:.1f}% of tracking)")
    goal = statistics.median(with_aus) < 20.0
    print(f"  goal < 20 ms/frame: {'met' if goal else 'NOT met'}")

    folder = args.shared / "assets/au_labels/ganimation_sample"
    labels = {r["image"]: np.array([float(r[f"{a}_r"]) for a in AU_NAMES]) for r in csv.DictReader(open(folder / "openface_aus.csv"))}
    ours = {r.name: r.aus for r in analyse(folder, config)}
    names = sorted(labels)
    o = np.stack([ours[k] for k in names])
    t = np.stack([labels[k] for k in names])
    print("\nper-AU on the four OpenFace-labelled GANimation faces (ours / OpenFace, per face; then mean |diff|)")
    print("  AU    " + "  ".join(f"{k[2:12]:>11s}" for k in names) + "   mean|d|")
    for j, au in enumerate(AU_NAMES):
        cells = "  ".join(f"{o[i, j]:4.1f} /{t[i, j]:4.1f}" for i in range(len(names)))
        print(f"  {au}  {cells}   {np.abs(o[:, j] - t[:, j]).mean():5.2f}")
    print(f"  overall mean |diff| {np.abs(o - t).mean():.2f}; sum ratio ours/OpenFace {o.sum() / t.sum():.2f}; "
          f"correlation {np.corrcoef(o.ravel(), t.ravel())[0, 1]:.2f}")


if __name__ == "__main__":
    main()
