"""The `livemorph` command. Thin: parse options, build the pipeline, run it.

Subcommands live in ``livemorph/cli/commands/<name>.py`` (a click command named ``command``)
and are imported only when invoked, so `livemorph --help` stays instant and heavy imports
(torch, mediapipe) stay off the start-up path. LivemorphError becomes one line on stderr and
its exit code; any other exception is a bug and keeps its traceback.
"""
from __future__ import annotations

import importlib
import logging
import sys

import click

from .. import __version__
from ..errors import LivemorphError

SUBCOMMANDS = {
    "aus": "Estimate facial Action Units from an image, a folder of images or a video; write an OpenFace-style CSV.",
    "render": "Animate a portrait offline from a driver video or AU track; write MP4, GIF, PNG or frames.",
    "run": "Live: webcam in, animated portrait out to a window, a virtual camera and recordings.",
    "models": "List, add and verify generator checkpoints and model files.",
    "doctor": "Check cameras, GPU, virtual-camera backends and model files; one line each.",
    "train": "Train or fine-tune a GANimation generator on a folder of face images.",
}


class EngineChoice(click.Choice):
    """``--engine``: 'auto' plus every registered engine, read from the registry when the option is parsed."""

    def __init__(self) -> None:
        super().__init__([])

    @property
    def choices(self):
        from ..engines import available_engines

        return ["auto", *available_engines()]

    @choices.setter
    def choices(self, value) -> None:
        pass  # fixed by the registry


class LazyGroup(click.Group):
    def list_commands(self, ctx):
        return list(SUBCOMMANDS)

    def get_command(self, ctx, name):
        if name not in SUBCOMMANDS:
            return None
        return importlib.import_module(f"livemorph.cli.commands.{name}").command

    def format_commands(self, ctx, formatter):
        rows = [(name, SUBCOMMANDS[name]) for name in SUBCOMMANDS if self.get_command(ctx, name) is not None]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="livemorph")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None,
              help="Your config.yaml (only the keys you change are needed).")
@click.option("--set", "overrides", multiple=True, metavar="SECTION.KEY=VALUE",
              help="Override one config value; repeatable, e.g. --set driving.strength=1.5")
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.pass_context
def cli(ctx, config_path, overrides, verbose):
    """livemorph: make any portrait mimic your facial expression, live.

    Your face -> 17 facial Action Units (OpenFace 0-5 scale) -> a portrait showing them.
    """
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    if not verbose:  # a warning then reads like the commands' own ("warning: ..."), not a logger's
        for handler in logging.getLogger().handlers:
            if type(handler) is logging.StreamHandler:  # basicConfig's (not a test runner's capture)
                handler.setFormatter(_PlainFormatter())
    ctx.obj = {"config_path": config_path, "overrides": list(overrides)}


class _PlainFormatter(logging.Formatter):
    """``warning: message``: its level in lower case and the message alone (``-v`` adds the module)."""

    def format(self, record: logging.LogRecord) -> str:
        text = f"{record.levelname.lower()}: {record.getMessage()}"
        return f"{text}\n{self.formatException(record.exc_info)}" if record.exc_info else text


def flag_overrides(flags: dict) -> list[str]:
    """``--set``-style overrides from a subcommand's flags: config key -> value, None = flag not given.

    Values are written as JSON, which is valid YAML: paths stay strings ('123', 'a: b'), numbers
    and booleans keep their type.
    """
    import json

    return [f"{key}={json.dumps(value)}" for key, value in flags.items() if value is not None]


def load_cli_config(ctx: click.Context, extra_overrides: list[str] | None = None):
    """The config for a subcommand: defaults < --config file < --set < the subcommand's own flags."""
    from ..config.settings import load_config

    obj = ctx.find_root().obj or {}
    return load_config(obj.get("config_path"), list(obj.get("overrides", [])) + list(extra_overrides or []))


def _global_option_hint(exc: click.UsageError) -> str | None:
    """For --set/--config given after the command (click said only "No such option"): where they go."""
    if not (isinstance(exc, click.NoSuchOption) and exc.option_name in ("--set", "--config")):
        return None
    if exc.ctx is None or exc.ctx.parent is None:
        return None
    value = "KEY=VALUE" if exc.option_name == "--set" else "FILE"
    command = exc.ctx.command_path.split(" ", 1)[1]  # "models add" for a subcommand's own
    return f"{exc.option_name} goes before the command: livemorph {exc.option_name} {value} {command} ..."


def main(argv: list[str] | None = None) -> int:
    try:
        # With standalone_mode=False click returns ctx.exit(n)'s code (or the command's return value).
        result = cli.main(args=argv, prog_name="livemorph", standalone_mode=False)
    except LivemorphError as exc:
        click.echo(f"livemorph: error: {exc}", err=True)
        return exc.exit_code
    except click.exceptions.Abort:  # click's name for Ctrl+C
        click.echo("livemorph: interrupted", err=True)
        return 130
    except click.exceptions.NoArgsIsHelpError as exc:  # `livemorph` alone: the help, as click shows it
        exc.show()
        return exc.exit_code
    except click.UsageError as exc:  # a mistyped option or value: one line too, with where to look
        where = exc.ctx.command_path if exc.ctx is not None else "livemorph"
        click.echo(f"livemorph: error: {_global_option_hint(exc) or exc.format_message()} (see `{where} --help`)",
                   err=True)
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except KeyboardInterrupt:
        click.echo("livemorph: interrupted", err=True)
        return 130
    return result if isinstance(result, int) else 0


if __name__ == "__main__":
    sys.exit(main())
