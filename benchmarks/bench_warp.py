"""Warp engine benchmark: AU round trip per portrait, warp-step speed, and video renders to judge.

    python benchmarks/bench_warp.py [--frames N] [--skip-video]

1. Round trip, every portrait in shared/assets/portraits: command an AU change, render, run
   livemorph's own tracker + AU estimator on the output, print commanded vs re-measured change
   in the driven channel and the largest change among the other channels.
2. Speed: ``engine.render`` (warp step only, tracking excluded) on the 720x1280 Mona Lisa with
   a different AU vector every frame; ratio against a plain full-frame ``cv2.remap`` baseline;
   the same frames with a wink and a smirk beside the AUs (``face.wink``); with a look aside
   (``face.gaze``); and with a driver's open
   mouth as the hint (``warp.driver_mouth``, the default whenever a driver is present); and
   driven by woman_expressions.mp4's live readings as `run` drives it (a few AUs at a time, with
   the driver's mouth, winks and gaze beside them) instead of random AUs that move everything at once.
3. Renders of woman_expressions.mp4 onto the Mona Lisa and the Trump portrait
   (AUStream -> retarget -> engine.render -> MP4) and a contact sheet of a dozen frames,
   driver left of output, in benchmarks/out/.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import cv2
import numpy as np

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("LIVEMORPH_SHARED", REPO.parent / "shared")).resolve()
os.environ.setdefault("LIVEMORPH_MODELS", str(SHARED / "models"))
sys.path.insert(0, str(REPO))

from livemorph.aus import AU, AU_NAMES  # noqa: E402
from livemorph.runtime.render import puppet_for  # noqa: E402
from livemorph.config.settings import load_config  # noqa: E402
from livemorph.engines.warp import WarpEngine  # noqa: E402
from livemorph.face.estimators.blendshapes import estimate_aus  # noqa: E402
from livemorph.portrait import load_portrait  # noqa: E402
from livemorph.face.tracking import FaceTracker  # noqa: E402

OUT = REPO / "benchmarks" / "out"

# (label, {AU: change}); the first AU is the one read back.
ROUND_TRIP_CASES = (
    ("AU12 +3", {AU.AU12: 3.0}),
    ("AU26 +3", {AU.AU26: 3.0}),
    ("AU45 +4", {AU.AU45: 4.0}),
    ("AU01+02 +3", {AU.AU01: 3.0, AU.AU02: 3.0}),
    ("AU04 +3", {AU.AU04: 3.0}),
    ("AU05 +3", {AU.AU05: 3.0}),
    ("AU06 +3", {AU.AU06: 3.0}),
    ("AU15 +3", {AU.AU15: 3.0}),
    ("AU17 +3", {AU.AU17: 3.0}),
    ("AU20 +3", {AU.AU20: 3.0}),
    ("AU25 +3", {AU.AU25: 3.0}),
)


def commanded(resting: np.ndarray, change: dict) -> np.ndarray:
    aus = resting.copy()
    for au, value in change.items():
        aus[au] = min(5.0, aus[au] + value)
    return aus


def round_trip(config, engine: WarpEngine) -> None:
    print("\n== AU round trip (commanded change -> re-measured change by livemorph's tracker + estimator) ==")
    print(f"{'portrait':28s} {'case':11s} {'cmd':>5s} {'meas':>5s}   largest other change")
    gains = config.expression.gain_vector()
    with FaceTracker.from_config(config.tracking, mode="image") as tracker:
        for path in sorted((SHARED / "assets" / "portraits").iterdir()):
            portrait = load_portrait(path, config, tracker=tracker)
            prepared = engine.prepare(portrait)
            rest = portrait.resting_aus
            print(f"{path.name:28s} resting: " + " ".join(f"{n[2:]}={v:.1f}" for n, v in zip(AU_NAMES, rest) if v >= 0.1))
            for label, change in ROUND_TRIP_CASES:
                target = commanded(rest, change)
                faces = tracker.detect_all(engine.render(prepared, target))
                if not faces:
                    print(f"{'':28s} {label:11s} face lost in the output")
                    continue
                delta = estimate_aus(faces[0], gains) - rest
                main = list(change)[0]
                others = [i for i in range(len(AU_NAMES)) if i not in change]
                worst = max(others, key=lambda i: abs(delta[i]))
                print(f"{'':28s} {label:11s} {target[main] - rest[main]:5.1f} {delta[main]:+5.1f}   "
                      f"{AU_NAMES[worst]} {delta[worst]:+.1f}")


def speed(config, engine: WarpEngine, frames: int) -> None:
    print("\n== warp step speed (render only, tracking excluded) ==")
    portrait = load_portrait(SHARED / "assets" / "portraits" / "mona_lisa.jpg", config)
    prepared = engine.prepare(portrait)
    rng = np.random.default_rng(0)
    targets = [np.clip(portrait.resting_aus + rng.uniform(-1, 3, 17).astype(np.float32), 0, 5) for _ in range(frames)]
    times = _render_times(engine, prepared, targets)
    h, w = portrait.image.shape[:2]
    gx, gy = np.meshgrid(np.arange(w, dtype=np.float32) + 0.3, np.arange(h, dtype=np.float32) + 0.3)
    base = _times(lambda _: cv2.remap(portrait.image, gx, gy, cv2.INTER_LINEAR), range(min(frames, 50)))
    med, base_med = statistics.median(times), statistics.median(base)
    x0, y0, x1, y1 = prepared.region
    print(f"portrait {w}x{h}, warped box {x1 - x0}x{y1 - y0}, {len(prepared.triangles)} triangles, {frames} frames")
    print(f"render: median {med * 1e3:.2f} ms ({1 / med:.0f} fps), p90 {np.percentile(times, 90) * 1e3:.2f} ms")
    print(f"baseline full-frame cv2.remap: {base_med * 1e3:.2f} ms; render / baseline = {med / base_med:.2f}")
    # woman_expressions' first wink: one eye shut, the other open, the brow over the shut one down,
    # that side's mouth corner up (a smirk)
    wink = np.zeros((2, 17), np.float32)
    wink[:, AU.AU45], wink[:, AU.AU04], wink[:, AU.AU12] = (-0.9, 2.2), (-0.5, 0.5), (-2.0, 2.0)
    winking = _render_times(engine, prepared, targets, wink=wink)
    print(f"render with a wink and a smirk beside the AUs: {_median_p90(winking)}")
    looking = _render_times(engine, prepared, targets, gaze=np.array([0.2, 0.05], np.float32))
    print(f"render with a look aside beside the AUs (face.gaze, the irises moved): {_median_p90(looking)}")
    hint = _driver_mouth(config)
    if hint is not None:
        hinted = _render_times(engine, prepared, targets, mouth_hint=hint)
        print(f"render with a driver's open mouth as the hint: {_median_p90(hinted)}")
    # The random targets above move every AU at once, every frame (a stress test); a driver moves a
    # few at a time, as a webcam user does.
    readings = _driven_readings(config, "woman_expressions.mp4")
    if readings:
        times = _times(puppet_for(engine, portrait, config).step, readings)  # retarget + engine.render
        print(f"render driven by woman_expressions.mp4 as `run` drives it ({len(readings)} frames, its mouth, "
              f"winks and gaze as hints): {_median_p90(times)}")


def _render_times(engine: WarpEngine, prepared, targets, **hints) -> list[float]:
    """Seconds per ``engine.render`` of each target AU vector (after one untimed warm-up)."""
    return _times(lambda aus: engine.render(prepared, aus, **hints), targets)


def _median_p90(times) -> str:
    return f"median {statistics.median(times) * 1e3:.2f} ms, p90 {np.percentile(times, 90) * 1e3:.2f} ms"


def _times(call, items) -> list[float]:
    """Seconds per ``call(item)`` of each item, after one untimed warm-up call on the first."""
    call(items[0])
    times = []
    for item in items:
        t0 = time.perf_counter()
        call(item)
        times.append(time.perf_counter() - t0)
    return times


def _driven_readings(config, driver_name: str) -> list:
    """The live AU readings (``AUStream``, as `run` makes them: live neutral, the driver's mouth and
    wink beside the AUs) of every frame of a shared driver; [] where the video is not there."""
    from livemorph.face.au_stream import video_readings

    path = SHARED / "assets" / "driving" / driver_name
    if not path.exists():
        return []
    return [reading for _, reading in video_readings(path, config, mouth_hints=config.warp.driver_mouth)]


def _driver_mouth(config):
    """The open mouth of a laughing driver frame (pexels_woman_laughing.mp4 #298) as a mouth hint;
    None where that video is not there."""
    from livemorph.capture.video_file import VideoFileSource
    from livemorph.face.mouth_hint import lip_lines, mouth_hint

    path = SHARED / "assets" / "driving" / "pexels_woman_laughing.mp4"
    if not path.exists():
        return None
    with VideoFileSource(path, paced=False) as source:
        frame = next((f.image.copy() for f in source if f.index == 298), None)
    if frame is None:
        return None
    with FaceTracker.from_config(config.tracking, mode="image") as tracker:
        return mouth_hint(frame, lip_lines(tracker.detect_largest(frame)))


def render_video(config, engine: WarpEngine, portrait_name: str, driver: Path) -> None:
    from livemorph.face.au_stream import AUStream
    from livemorph.outputs.registry import open_recorder
    from livemorph.capture.video_file import VideoFileSource

    portrait = load_portrait(SHARED / "assets" / "portraits" / portrait_name, config)
    puppet = puppet_for(engine, portrait, config)
    prepared = puppet.prepared
    stem = f"warp_{Path(portrait_name).stem}_{driver.stem}"
    pairs, times = [], []
    with VideoFileSource(driver, paced=False) as source, \
            AUStream.from_config(config, mouth_hints=config.warp.driver_mouth) as stream:
        fps = source.fps
        with open_recorder(OUT / f"{stem}.mp4", fps, config.render) as recorder:
            for frame in source:
                reading = stream.process(frame)
                target = puppet.aus_for(reading)
                t0 = time.perf_counter()
                out = engine.render(prepared, target)
                times.append(time.perf_counter() - t0)
                recorder.write(out)
                pairs.append((frame.index, frame.image, out, target))
    picks = np.linspace(0, len(pairs) - 1, 12).round().astype(int)
    # Show the portrait's face box (the only part that moves) so the expression is visible.
    x0, y0, x1, y1 = prepared.region
    tiles = []
    for i in picks:
        index, drv, out, target = pairs[i]
        out = out[y0:y1, x0:x1]
        height = 360
        d = cv2.resize(drv, (round(drv.shape[1] * height / drv.shape[0]), height), interpolation=cv2.INTER_AREA)
        o = cv2.resize(out, (round(out.shape[1] * height / out.shape[0]), height), interpolation=cv2.INTER_AREA)
        tile = np.hstack([d, o])
        top = ", ".join(f"{AU_NAMES[k][2:]}={target[k]:.1f}" for k in np.argsort(-target)[:3])
        cv2.putText(tile, f"#{index} {top}", (6, 20), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (255, 255, 0), 1, cv2.LINE_AA)
        tiles.append(tile)
    width = max(t.shape[1] for t in tiles)
    tiles = [np.pad(t, ((0, 0), (0, width - t.shape[1]), (0, 0))) for t in tiles]
    rows = [np.hstack(tiles[r * 3:(r + 1) * 3]) for r in range(4)]
    sheet = np.vstack(rows)
    cv2.imwrite(str(OUT / f"{stem}_sheet.png"), cv2.cvtColor(sheet, cv2.COLOR_RGB2BGR))
    print(f"{stem}: {len(pairs)} frames, render median {statistics.median(times) * 1e3:.2f} ms -> "
          f"{OUT / (stem + '.mp4')}, {OUT / (stem + '_sheet.png')}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=300, help="frames timed in the speed test")
    parser.add_argument("--skip-video", action="store_true")
    parser.add_argument("--skip-round-trip", action="store_true")
    args = parser.parse_args()
    config = load_config()
    engine = WarpEngine(config.warp)
    cv2.setNumThreads(2)
    if not args.skip_round_trip:
        round_trip(config, engine)
    speed(config, engine, args.frames)
    if not args.skip_video:
        OUT.mkdir(parents=True, exist_ok=True)
        print("\n== renders of woman_expressions.mp4 ==")
        driver = SHARED / "assets" / "driving" / "woman_expressions.mp4"
        for name in ("mona_lisa.jpg", "trump_official_2017.png"):
            render_video(config, engine, name, driver)


if __name__ == "__main__":
    main()
