"""`livemorph aus INPUT --out aus.csv`."""
from __future__ import annotations

from pathlib import Path

import click

from ..app import load_cli_config


@click.command("aus")
@click.argument("input_path", metavar="INPUT", type=click.Path(path_type=Path), required=False)
@click.option("--out", "-o", "out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="CSV to write (OpenFace layout: frame, timestamp, confidence, success, AU01_r..AU45_r).")
@click.option("--smooth/--raw", default=False,
              help="Videos: apply live smoothing, the live neutral estimate (written in neutral_AUxx columns, so "
                   "`render` replays it as is) and the no-face hold/ease (default: raw per-frame values, as OpenFace).")
@click.option("--explain", is_flag=True, help="Print how each AU is estimated (the mapping table) and exit.")
def command(input_path: Path | None, out: Path | None, smooth: bool, explain: bool):
    """Estimate the 17 facial Action Units (OpenFace 0-5 scale) of every frame of INPUT.

    INPUT is an image, a folder of images or a video. One CSV row per frame; frames
    without a face get success=0. The CSV can drive `livemorph render --driver`.
    """
    if explain:
        from ...face.estimators.blendshapes import mapping_table_markdown

        click.echo(mapping_table_markdown())
        return
    from tqdm import tqdm

    from ...runtime.analyse import analyse, count_frames
    from ...face.au_tracks import AUTrackWriter
    from ...errors import ConfigError, InputNotFound
    from ...frames import is_image_path
    from ...outputs.registry import same_file

    if input_path is None or out is None:
        raise ConfigError("livemorph aus needs INPUT and --out CSV, e.g. `livemorph aus me.mp4 --out aus.csv` "
                          "(or only --explain)")
    config = load_cli_config(click.get_current_context())
    if not input_path.exists():
        raise InputNotFound(f"input not found: {input_path}")
    if same_file(out, input_path):
        raise ConfigError(f"--out {out} is your input; writing it would destroy it: choose another output name")
    total = count_frames(input_path)
    # Images get a file-name column, so the CSV of a folder serves as `livemorph train` labels.
    stills = input_path.is_dir() or is_image_path(input_path)
    faces = frames = 0
    with tqdm(total=total, unit="frame", desc=input_path.name, disable=None, leave=False) as bar, \
            AUTrackWriter(out, key_column="file" if stills else None, with_neutral=smooth and not stills) as writer:
        for row in analyse(input_path, config, smooth=smooth, on_frame=lambda: bar.update(1)):
            writer.write(row.frame_index, row.timestamp_s, row.aus, row.success, row.confidence, key=row.name,
                         neutral=row.neutral)
            frames += 1
            faces += int(row.success)
    click.echo(f"wrote {out}: {frames} frame(s), face found in {faces}", err=True)
