"""`livemorph doctor`: one line per check, ok or the problem with its fix."""
from __future__ import annotations

import click


@click.command("doctor")
@click.option("--camera-timeout", type=click.FloatRange(min=0.1), default=3.0, show_default=True,
              help="Seconds to wait for each camera to deliver a frame.")
def command(camera_timeout):
    """Check cameras, torch device, virtual cameras, model files and checkpoints.

    Exits with the model-file error code (6) when the face landmarker model is missing or
    damaged: nothing works without it. Other problems are reported but do not fail.
    """
    from livemorph.cli.app import load_cli_config
    from livemorph.runtime.diagnostics import run_all
    from livemorph.errors import ModelFileError

    config = load_cli_config(click.get_current_context())
    checks = run_all(config, camera_timeout=camera_timeout)
    for check in checks:
        click.echo(check.line())
    failed_critical = [c for c in checks if c.critical and not c.ok]
    problems = sum(not c.ok for c in checks)
    click.echo(f"{len(checks) - problems} ok, {problems} problem(s)")
    if failed_critical:
        raise ModelFileError(f"{failed_critical[0].name}: {failed_critical[0].detail} (see the fix above)")
