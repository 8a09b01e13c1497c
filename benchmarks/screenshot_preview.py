"""Screenshot the live preview window, shown for real on a private Xvfb display.

    python benchmarks/screenshot_preview.py [--target PORTRAIT] [--side-by-side] [--out preview.png]

Runs `livemorph run` (woman_expressions.mp4 as the camera, looped) with its window on Xvfb,
waits for the HUD to fill, saves a PNG of the window and stops the run with Ctrl+C (SIGINT).
Also saves ``<out>-help.png``: the same frame composed offline with the `h` help overlay.
Needs `apt-get install -y xvfb`.
"""
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
from xvfb_helper import screenshot, stop_process, wait_for_window, xvfb_display  # noqa: E402

SHARED = Path(os.environ.get("LIVEMORPH_SHARED", REPO.parent / "shared")).resolve()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", default=str(SHARED / "assets/portraits/mona_lisa.jpg"))
    parser.add_argument("--source", default=str(SHARED / "assets/driving/woman_expressions.mp4"))
    parser.add_argument("--side-by-side", action="store_true")
    parser.add_argument("--seconds", type=float, default=4.0, help="how long the window runs before the shot")
    parser.add_argument("--out", default="preview.png")
    args = parser.parse_args()

    env = dict(os.environ, LIVEMORPH_MODELS=str(SHARED / "models"), PYTHONPATH=str(REPO))
    cmd = [sys.executable, "-m", "livemorph", "run", "--target", args.target, "--source", args.source, "--loop"]
    if args.side_by_side:
        cmd.append("--side-by-side")
    for attempt in range(6):  # see ATTEMPTS in tests/outputs/test_preview_xvfb.py: Qt without a WM may never paint
        result = run_once(cmd, env, args.seconds)
        if result is not None:
            break
        print("the window stayed black (Qt missed its MapNotify without a window manager); retrying")
    else:
        print("no window appeared in 6 attempts", file=sys.stderr)
        return 1
    shot, box, returncode, stderr = result
    x0, y0, x1, y1 = box
    Image.fromarray(shot[y0:y1, x0:x1]).save(args.out)
    print(f"window {x1 - x0}x{y1 - y0} at ({x0},{y0}) -> {args.out}; run exit code {returncode}")
    print(stderr.strip().splitlines()[-1] if stderr.strip() else "")
    save_help_overlay(args, Path(args.out))
    return 0


def run_once(cmd, env, seconds):
    """(screenshot, window box, exit code, stderr), or None when the window stayed black."""
    with xvfb_display(1600, 900) as display:
        env = dict(env, DISPLAY=display)
        proc = subprocess.Popen(cmd, env=env, cwd=REPO, stderr=subprocess.PIPE, text=True)
        try:
            try:
                wait_for_window(display, min_width=200, min_height=300, timeout=30,
                                alive=lambda: proc.poll() is None)
            except TimeoutError as exc:
                print(exc)
                return None
            time.sleep(seconds)
            shot = screenshot(display)
            ys, xs = np.nonzero(shot.max(axis=2) > 0)
            box = (int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)
            proc.send_signal(signal.SIGINT)
            _, stderr = proc.communicate(timeout=30)
            return shot, box, proc.returncode, stderr
        finally:
            stop_process(proc)


def save_help_overlay(args, out: Path) -> None:
    """The help overlay (`h`) composed offline on the portrait itself."""
    from livemorph.config.settings import load_config
    from livemorph.frames import load_image
    from livemorph.runtime.live import LiveControls
    from livemorph.runtime.live_outputs import LiveFrame
    from livemorph.outputs.preview.hud import compose_preview

    class Reading:
        aus = np.linspace(0, 5, 17, dtype=np.float32)
        state, calibrated = "tracking", True

    config = load_config()
    portrait = load_image(args.target)
    frame = LiveFrame(portrait=portrait, user=portrait, reading=Reading(), index=0, source_time_s=0.0,
                      captured_at=0.0, target=Path(args.target).stem, strength=1.0)
    controls = LiveControls(strength=1.0, help=True)
    stats = {"fps": 24.0, "latency_ms": {"median": 60.0, "p95": 80.0}, "dropped_total": 3,
             "stages_ms": {"tracking": {"median": 18.0}, "engine": {"median": 25.0}}}
    canvas = compose_preview(frame, stats, controls, engine="warp", recording=True,
                             max_height=config.window.max_height)
    help_path = out.with_name(f"{out.stem}-help{out.suffix}")
    Image.fromarray(canvas).save(help_path)
    print(f"help overlay -> {help_path}")


if __name__ == "__main__":
    sys.exit(main())
