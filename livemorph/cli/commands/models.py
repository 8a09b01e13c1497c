"""`livemorph models list | add PATH [--name N] [--replace] | remove NAME | verify`: the generator checkpoints livemorph knows."""
from __future__ import annotations

from pathlib import Path

import click


@click.group("models")
def command():
    """List, add, remove and verify GANimation generator checkpoints.

    Known published checkpoints are listed with where to get them; after downloading one,
    `livemorph models add FILE --name NAME` registers it (in your user config folder) so
    `--checkpoint NAME` finds it.
    """


@command.command("list")
def list_command():
    """Known and added checkpoints, with their status and where to get the missing ones."""
    from ...engines.ganimation.model_registry import list_models, user_registry_path

    for entry in list_models():
        if entry.path is not None:
            state = f"installed: {entry.path}" if entry.path.exists() else f"MISSING: {entry.path}"
        else:
            state = "not installed"
        click.echo(f"{entry.name:<14} {entry.layout or '?':<22} {state}")
        if entry.description:
            click.echo(f"{'':<14} {entry.description}")
        if entry.path is None and entry.url:
            click.echo(f"{'':<14} get it: {entry.url}  then: livemorph models add FILE --name {entry.name}")
        if entry.licence:
            click.echo(f"{'':<14} licence: {entry.licence}")
    click.echo(f"(your added checkpoints are recorded in {user_registry_path()})")


@command.command("add")
# A folder is let through: the checkpoint reader names the generator file inside it.
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--name", "-n", default=None, help="Name to use with --checkpoint (default: the file's name).")
@click.option("--replace", is_flag=True, help="Register PATH under a name already added for another file.")
def add_command(path: Path, name: str | None, replace: bool):
    """Check that PATH loads as a generator and register it (a name already taken needs --replace)."""
    from ...engines.ganimation.model_registry import add_model

    entry = add_model(path, name, replace=replace)
    click.echo(f"added {entry.name!r}: {entry.layout} checkpoint {entry.path} (sha256 {entry.sha256[:16]}...)")
    click.echo(f"use it with: livemorph run --checkpoint {entry.name}")


@command.command("remove")
@click.argument("name")
def remove_command(name: str):
    """Forget the added checkpoint NAME (its file is not deleted). Exit 3 if no such name was added."""
    from ...engines.ganimation.model_registry import remove_model

    entry = remove_model(name)
    click.echo(f"removed {entry.name!r} (the file {entry.path} was left in place)")


@command.command("verify")
def verify_command():
    """Re-check every added checkpoint: file present, unchanged (sha256), loads. Exit 7 if any fails."""
    from ...errors import CheckpointError
    from ...engines.ganimation.model_registry import verify_models

    results = verify_models()
    if not results:
        click.echo("no checkpoints added yet (livemorph models add FILE --name NAME)")
        return
    for entry, ok, status in results:
        click.echo(f"{'ok  ' if ok else 'FAIL'} {entry.name:<14} {status}")
    failed = [entry.name for entry, ok, _ in results if not ok]
    if failed:
        raise CheckpointError(f"{len(failed)} checkpoint(s) failed verification: {', '.join(failed)}")
