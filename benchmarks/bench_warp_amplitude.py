"""Warp engine amplitude: does a commanded AU change come out as large as a driver's would read?

    python benchmarks/bench_warp_amplitude.py [--set warp.KEY=VALUE ...] [--gain AU12=6 ...] [portrait names...]

For each shared portrait and expression channel, command an AU change ``d`` on top of the
portrait's resting AUs, render, and read bare MediaPipe blendshapes on the output (no
livemorph estimator involved). A driver whose blendshape rose by ``d / scale`` is read by
livemorph's estimator as the change ``d`` (``expression.AU_MAPPING``: AU = scale * (bs - offset)),
so the ratio  measured blendshape change / (d / scale)  is the amplitude the independent
fidelity judge sees on the output relative to the driver: 1.0 is ideal, 0.7-1.4 passes.
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("LIVEMORPH_SHARED", REPO.parent / "shared")).resolve()
os.environ.setdefault("LIVEMORPH_MODELS", str(SHARED / "models"))
sys.path.insert(0, str(REPO))

from livemorph.aus import AU  # noqa: E402
from livemorph.config.settings import load_config  # noqa: E402
from livemorph.engines.warp import WarpEngine  # noqa: E402
from livemorph.face.estimators.blendshapes import AU_MAPPING  # noqa: E402
from livemorph.portrait import load_portrait  # noqa: E402
from livemorph.face.tracking import FaceTracker  # noqa: E402

# (channel, blendshape names averaged, AUs commanded together, the AU whose scale converts)
CHANNELS = (
    ("jawOpen", ("jawOpen",), (AU.AU26,), AU.AU26),
    ("mouthSmile", ("mouthSmileLeft", "mouthSmileRight"), (AU.AU12,), AU.AU12),
    ("eyeBlink", ("eyeBlinkLeft", "eyeBlinkRight"), (AU.AU45,), AU.AU45),
    ("browInnerUp", ("browInnerUp",), (AU.AU01, AU.AU02), AU.AU01),
    ("browDown", ("browDownLeft", "browDownRight"), (AU.AU04,), AU.AU04),
)
STEPS = (1.0, 2.0, 3.0)


def blendshape(track, names) -> float:
    return float(np.mean([track.blendshape(n) for n in names]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("portraits", nargs="*")
    parser.add_argument("--set", action="append", default=[], help="try a warp setting, e.g. blink_closed_at=2")
    parser.add_argument("--gain", action="append", default=[], help="try a warp gain, e.g. AU12=6")
    parser.add_argument("--channels", default="", help="comma-separated channel names (default: all)")
    args = parser.parse_args()
    config = load_config()
    warp = config.warp
    for item in args.set:
        key, value = item.split("=")
        warp = dataclasses.replace(warp, **{key: type(getattr(warp, key))(value)})
    if args.gain:
        tried = {k: float(v) for k, v in (g.split("=") for g in args.gain)}
        warp = dataclasses.replace(warp, gains={**warp.gains, **tried})
    engine = WarpEngine(warp)
    channels = [c for c in CHANNELS if not args.channels or c[0] in args.channels.split(",")]
    names = args.portraits or sorted(p.name for p in (SHARED / "assets" / "portraits").iterdir())
    scales = {m.au: m.scale for m in AU_MAPPING}
    print(f"{'portrait':28s} " + " ".join(f"{c[0]:>12s}" for c in channels) + "   (ratio at d=1/2/3 -> mean)")
    table = []
    with FaceTracker.from_config(config.tracking, mode="image") as tracker:
        for name in names:
            portrait = load_portrait(SHARED / "assets" / "portraits" / name, config, tracker=tracker)
            prepared = engine.prepare(portrait)
            cells, row = [], []
            for _, shapes, aus, scale_au in channels:
                rest = blendshape(portrait.track, shapes)
                ratios = []
                for d in STEPS:
                    target = prepared.resting_aus.copy()
                    target[list(aus)] += d
                    faces = tracker.detect_all(engine.render(prepared, target))
                    if not faces:
                        ratios.append(float("nan"))
                        continue
                    ratios.append((blendshape(faces[0], shapes) - rest) / (d / scales[scale_au.name]))
                row.append(float(np.nanmean(ratios)))
                cells.append("/".join(f"{r:.1f}" for r in ratios) + f"={row[-1]:.2f}")
            table.append(row)
            print(f"{name:28s} " + " ".join(f"{c:>12s}" for c in cells), flush=True)
    print(f"{'median':28s} " + " ".join(f"{v:12.2f}" for v in np.nanmedian(np.array(table), axis=0)))


if __name__ == "__main__":
    main()
