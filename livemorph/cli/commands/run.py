"""`livemorph run`: live puppeteering from a camera (or a video/image) to a window, a virtual
camera and recordings. Flags override the config; the work is in ``livemorph.runtime.live``."""
from __future__ import annotations

import click

from ..app import EngineChoice


@click.command("run")
@click.option("--target", "targets", multiple=True, required=True, metavar="PORTRAIT",
              help="Portrait image to animate; repeat for several (n/p switch between them).")
@click.option("--source", default=None, metavar="SPEC",
              help="Camera index (0), /dev/videoN, a video file or an image. [config live.source]")
@click.option("--loop/--no-loop", default=None, help="Loop a video-file source. [config live.loop]")
@click.option("--vcam", is_flag=True, default=False, help="Also send the output to a virtual camera.")
@click.option("--vcam-backend", default=None, metavar="NAME",
              help="pyvirtualcam backend: auto, v4l2loopback, obs, unitycapture. [config vcam.backend]")
@click.option("--record", default=None, metavar="OUT.mp4|OUT.gif",
              help="Record the output from the start (the r key toggles recording).")
@click.option("--record-aus", default=None, metavar="TRACK.csv",
              help="Record your AUs (OpenFace CSV) to replay later with `livemorph render --driver`.")
@click.option("--no-window", is_flag=True, default=False, help="No preview window (scripts, servers, tests).")
@click.option("--max-frames", type=click.IntRange(min=1), default=None, metavar="N",
              help="Stop after N output frames.")
@click.option("--checkpoint", default=None, metavar="CKPT",
              help="GANimation generator checkpoint (path or registered name). [config ganimation.checkpoint]")
@click.option("--engine", type=EngineChoice(), default=None,
              help="auto: GANimation when a checkpoint is set, else warp. [config engine.name]")
@click.option("--side-by-side", is_flag=True, default=False,
              help="Show you with the portrait: side by side in the window; in recordings in a row or a column "
                   "(render.pair_layout). The virtual camera shows the portrait alone.")
@click.option("--device", default=None, metavar="DEV", help="auto, cpu, cuda, cuda:N, mps. [config engine.device]")
@click.option("--stats-json", default=None, metavar="PATH.json",
              help="Write the run's figures (fps, latency, per-stage ms, drops) as JSON at the end.")
def command(targets, source, loop, vcam, vcam_backend, record, record_aus, no_window, max_frames, checkpoint,
            engine, side_by_side, device, stats_json):
    """Live: your face (camera) drives the portrait, shown in a window, a virtual camera and recordings.

    Hotkeys in the window: press h. Ctrl+C stops cleanly (recordings are finished).
    """
    from livemorph.cli.app import flag_overrides, load_cli_config
    from livemorph.runtime.live import run_live, summary_line

    overrides = flag_overrides({
        "live.source": None if source is None else int(source) if source.strip().isdigit() else source,
        "live.loop": loop, "vcam.enabled": True if vcam else None, "vcam.backend": vcam_backend or None,
        "ganimation.checkpoint": checkpoint or None, "engine.name": engine or None, "engine.device": device or None,
        "record.side_by_side": True if side_by_side else None,
        "window.layout": "side_by_side" if side_by_side else None,
    })
    config = load_cli_config(click.get_current_context(), overrides)
    try:
        snapshot = run_live(config, targets=targets, window=not no_window, record=record, record_aus=record_aus,
                            max_frames=max_frames, stats_json=stats_json)
    except BaseException as exc:  # Ctrl+C, a signal, an error: the files finished before it are listed
        for saved in getattr(exc, "recordings", []):
            click.echo(f"livemorph run: recorded {saved}", err=True)
        raise
    click.echo(f"livemorph run: {summary_line(snapshot)}", err=True)
    counters = snapshot.get("counters", {})
    if counters.get("captured", 0) and not counters.get("faces", 0):  # as `render` says of its driver
        click.echo(f"warning: no face was found in any of the {counters['captured']} frames read, so the portrait "
                   "kept its resting expression", err=True)
    for saved in snapshot.get("recordings", []):
        click.echo(f"livemorph run: recorded {saved}", err=True)
