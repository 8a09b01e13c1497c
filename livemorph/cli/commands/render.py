"""`livemorph render`: animate a portrait offline from a driver video or an AU track."""
from __future__ import annotations

import click

from ..app import EngineChoice


# Fewer driver frames with a face than this share is said (the summary line gives the count too).
FACES_FOUND_WARN = 0.5


@click.command("render")
@click.option("--target", "-t", required=True, type=click.Path(dir_okay=False),
              help="Portrait image to animate (jpg, png, ...).")
@click.option("--driver", "-d", required=True, type=click.Path(),
              help="Driving video (its AUs are estimated per frame) or an AU track CSV (livemorph's or OpenFace's).")
@click.option("--out", "-o", required=True, type=click.Path(),
              help="Output: .mp4, .gif, .png (the last frame) or a folder of PNG frames (no extension or trailing /).")
@click.option("--checkpoint", default=None, metavar="CKPT",
              help="GANimation generator checkpoint (path or registered name); selects the ganimation engine under auto.")
@click.option("--engine", type=EngineChoice(), default=None,
              help="Engine (default from config: auto = ganimation with a checkpoint, else warp).")
@click.option("--side-by-side/--portrait-only", default=None,
              help="Show the driver beside the portrait, in a row or a column (render.pair_layout; default from render.side_by_side).")
@click.option("--device", default=None, help="auto, cpu, cuda, cuda:N or mps.")
@click.option("--strength", type=float, default=None, help="Multiplier on the driver's change from neutral.")
@click.option("--fps", type=float, default=None,
              help="Output fps (default: the driver's); another rate resamples the driver, keeping its duration. "
                   "[config render.fps]")
@click.option("--face", default=None, help="Which face of a multi-face portrait: 'largest' or an index from the left.")
@click.option("--neutral", type=click.Choice(["auto", "live", "none"]), default=None,
              help="The driver's neutral face: auto = its resting face over the whole driver (a take recorded "
                   "with run --record-aus replays its own), live = estimated frame by frame as `run` does, "
                   "none = absolute AUs (synthetic or already normalised tracks). Default: calibration.offline.")
@click.option("--max-frames", type=click.IntRange(min=1), default=None, help="Render at most N driver frames.")
@click.option("--start", "start_s", type=click.FloatRange(min=0), default=0.0, metavar="SECONDS",
              help="Start the clip this many seconds into the driver.")
@click.option("--duration", "duration_s", type=click.FloatRange(min=0, min_open=True), default=None,
              metavar="SECONDS", help="Make the clip this many seconds long (default: to the driver's end).")
@click.option("--boomerang/--no-boomerang", default=None,
              help="GIF: play forward, then backward (a seamless loop). Default from config render.gif_boomerang.")
@click.option("--progress/--no-progress", default=True, help="Show a progress bar on stderr.")
def command(target, driver, out, checkpoint, engine, side_by_side, device, strength, fps, face, neutral, max_frames,
            start_s, duration_s, boomerang, progress):
    """Animate TARGET with the expressions of DRIVER and write OUT.

    Example: livemorph render --target mona_lisa.jpg --driver me.mp4 --out mona.mp4

    A 3-second looping meme from second 12 of a video:
    livemorph render -t mona_lisa.jpg -d me.mp4 -o meme.gif --start 12 --duration 3 --boomerang
    """
    from livemorph.cli.app import flag_overrides, load_cli_config
    from livemorph.errors import ConfigError, InputUnreadable
    from livemorph.runtime.render import render_offline
    from livemorph.outputs.registry import output_kind
    from livemorph.termination import Interrupted, stop_on_termination

    if boomerang and output_kind(out) != "gif":
        raise ConfigError("--boomerang is for GIF outputs (--out NAME.gif)")
    overrides = flag_overrides({
        "ganimation.checkpoint": checkpoint, "engine.name": engine, "engine.device": device,
        "driving.strength": strength, "render.fps": fps, "render.side_by_side": side_by_side,
        "calibration.offline": neutral, "render.gif_boomerang": boomerang,
        "portrait.face": None if face is None else int(face) if face.isdigit() else face,
    })
    config = load_cli_config(click.get_current_context(), overrides)
    if fps is not None and output_kind(out) == "gif" and fps > config.render.gif_fps:
        click.echo(f"warning: a GIF plays at most render.gif_fps ({config.render.gif_fps:g} fps), not --fps {fps:g}: "
                   f"raise it with --set render.gif_fps={fps:g}, or write an .mp4", err=True)

    try:
        with stop_on_termination(f"{out} was not written"):
            summary = render_offline(target, driver, out, config, max_frames=max_frames, start_s=start_s,
                                     duration_s=duration_s, progress=progress)
    except KeyboardInterrupt:
        raise Interrupted(f"{out} was not written") from None
    click.echo(
        f"wrote {summary.out}: {summary.output.describe()}, "
        f"face found in {summary.faces_found}/{summary.driver_frames} driver frames, engine {summary.engine}, "
        f"{summary.seconds:.1f} s ({summary.render_fps:.1f} frames/s)",
        err=True,
    )
    if summary.driver_is_still:
        click.echo(f"warning: the driver {driver} is a still image: one frame, and only its expression beyond a "
                   "resting face transfers; use a video or an AU track, or --neutral none for its absolute AUs",
                   err=True)
    elif summary.faces_found == 0:
        click.echo("warning: no face was found in any driver frame, so the portrait kept its resting expression",
                   err=True)
    elif summary.faces_found < FACES_FOUND_WARN * summary.driver_frames:
        # An upside-down driver showed MediaPipe a face in 23 of 90 frames: the portrait hardly moved.
        click.echo(f"warning: a face was found in only {summary.faces_found} of {summary.driver_frames} driver "
                   "frames; in the others the portrait held, then eased to its resting expression (a driver "
                   "upright, facing the camera, in light, reads best)", err=True)
    if summary.driver_cut_short:
        raise InputUnreadable(f"driver {driver} ended after {summary.driver_frames} of {summary.driver_expected} "
                              f"frames (truncated or damaged); {summary.out} holds those {summary.driver_frames}")
