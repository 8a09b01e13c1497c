"""`livemorph render`: animate a portrait offline from a driver video or an AU track."""
from __future__ import annotations

import json

import click


def _quoted(value) -> str:
    # --set values are parsed as YAML: JSON-quote paths so '123' or 'a: b' stay strings.
    return json.dumps(str(value))


@click.command("render")
@click.option("--target", "-t", required=True, type=click.Path(dir_okay=False),
              help="Portrait image to animate (jpg, png, ...).")
@click.option("--driver", "-d", required=True, type=click.Path(dir_okay=False),
              help="Driving video (its AUs are estimated per frame) or an AU track CSV (livemorph's or OpenFace's).")
@click.option("--out", "-o", required=True, type=click.Path(),
              help="Output: .mp4, .gif, .png (the last frame) or a folder of PNG frames (no extension or trailing /).")
@click.option("--checkpoint", type=click.Path(dir_okay=False), default=None,
              help="GANimation generator checkpoint (path or registered name); selects the ganimation engine under auto.")
@click.option("--engine", type=click.Choice(["auto", "warp", "ganimation"]), default=None,
              help="Engine (default from config: auto = ganimation with a checkpoint, else warp).")
@click.option("--side-by-side/--portrait-only", default=None,
              help="Put the driver video left of the portrait (default from config render.side_by_side).")
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
@click.option("--progress/--no-progress", default=True, help="Show a progress bar on stderr.")
def command(target, driver, out, checkpoint, engine, side_by_side, device, strength, fps, face, neutral, max_frames,
            progress):
    """Animate TARGET with the expressions of DRIVER and write OUT.

    Example: livemorph render --target mona_lisa.jpg --driver me.mp4 --out mona.mp4
    """
    from livemorph.cli import load_cli_config
    from livemorph.pipeline import render_offline

    overrides = []
    if checkpoint is not None:
        overrides.append(f"ganimation.checkpoint={_quoted(checkpoint)}")
    if engine is not None:
        overrides.append(f"engine.name={engine}")
    if device is not None:
        overrides.append(f"engine.device={_quoted(device)}")
    if strength is not None:
        overrides.append(f"driving.strength={strength}")
    if fps is not None:
        overrides.append(f"render.fps={fps}")
    if side_by_side is not None:
        overrides.append(f"render.side_by_side={'true' if side_by_side else 'false'}")
    if neutral is not None:
        overrides.append(f"calibration.offline={neutral}")
    if face is not None:
        overrides.append(f"portrait.face={face if face.isdigit() else _quoted(face)}")
    config = load_cli_config(click.get_current_context(), overrides)

    summary = render_offline(target, driver, out, config, max_frames=max_frames, progress=progress)
    width, height = summary.size
    click.echo(
        f"wrote {summary.out}: {summary.frames} frames {width}x{height} @ {summary.fps:g} fps, "
        f"face found in {summary.faces_found}/{summary.driver_frames} driver frames, engine {summary.engine}, "
        f"{summary.seconds:.1f} s ({summary.render_fps:.1f} frames/s)",
        err=True,
    )
    if summary.faces_found == 0:
        click.echo("warning: no face was found in any driver frame, so the portrait kept its resting expression",
                   err=True)
