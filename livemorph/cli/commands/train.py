"""`livemorph train`: train or fine-tune a GANimation generator on a folder of face images.

Run it under ``torchrun --nproc_per_node N -m livemorph train ...`` to use N GPUs (or
several machines); every process runs this same command.
"""
from __future__ import annotations

import logging
import shutil
from pathlib import Path

import click

from ...atomic import atomic_write
from ...errors import ConfigError, LivemorphError, OutputNotWritable

log = logging.getLogger(__name__)


@click.command("train")
@click.option("--data", "data_dir", required=True, type=click.Path(file_okay=False),
              help="Folder of face images (any sizes); an AU CSV in it (OpenFace columns, keyed by file name) is used as labels.")
@click.option("--out", "run_dir", required=True, type=click.Path(file_okay=False),
              help="Run folder: checkpoints, samples, losses.csv, the config used.")
@click.option("--steps", type=click.IntRange(min=1), default=None, help="Training steps (one batch each).")
@click.option("--epochs", type=click.IntRange(min=1), default=None, help="Passes over the data instead of --steps.")
@click.option("--resume", is_flag=True, help="Continue the run in --out exactly where its last checkpoint left it.")
@click.option("--init", "init_checkpoint", type=click.Path(), default=None,
              help="Fine-tune from this generator checkpoint: a file (any layout the engine loads) or a registered name.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None,
              help="A config.yaml for this run (same as the global --config).")
def command(data_dir, run_dir, steps, epochs, resume, init_checkpoint, config_path):
    """Train or fine-tune a GANimation generator on a folder of face images."""
    from ..app import load_cli_config

    if steps is not None and epochs is not None:
        raise ConfigError("pass either --steps or --epochs, not both")
    if resume and init_checkpoint:
        raise ConfigError("--init starts a new run from a checkpoint; drop it when using --resume")
    ctx = click.get_current_context()
    if config_path is not None:
        ctx.find_root().obj["config_path"] = config_path
    overrides = []
    if steps is not None:
        overrides += [f"train.steps={steps}", "train.epochs=null"]
    if epochs is not None:
        overrides.append(f"train.epochs={epochs}")
    config = load_cli_config(ctx, overrides)
    # --resume without --steps/--epochs keeps the resumed run's own length.
    keep_length = resume and steps is None and epochs is None
    run(config, Path(data_dir), Path(run_dir), resume=resume, init_checkpoint=init_checkpoint, keep_length=keep_length)


def run(config, data_dir: Path, run_dir: Path, *, resume: bool, init_checkpoint: str | None, keep_length: bool = False):
    from ...termination import stop_on_termination
    from ...training.distributed import init_distributed, resolve_device, shutdown_distributed
    from ...training.trainer import Trainer, check_train_config, steps_for_epochs

    check_train_config(config.train)
    _check_run_folder(data_dir, run_dir, resume)
    init_path = _resolve_init(init_checkpoint)
    created = not run_dir.exists()
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputNotWritable(f"cannot create run folder {run_dir}: {exc.strerror}") from exc

    ctx = init_distributed(config.train.device)
    trainer = None
    try:
        with stop_on_termination():
            resolve_device(config.train.device, ctx)  # a missing GPU is said before the slow labelling
            data = _load_data_in_turn(ctx, data_dir, config, run_dir)
            train = config.train
            if keep_length:
                total = None
            elif train.epochs:
                total = steps_for_epochs(train.epochs, len(data), train.batch_size, ctx.world_size)
            else:
                total = train.steps
            if ctx.is_main:
                _write_config(run_dir, config)
                log.info("training on %d images (%s), %d skipped", len(data), data.label_source, len(data.skipped))
                for name, reason in sorted(data.skipped.items()):
                    log.info("skipped %s: %s", name, reason)
            trainer = Trainer(config, data, run_dir, total_steps=total, resume=resume,
                              init_checkpoint=init_path, ctx=ctx)
            result = trainer.run()
    except (LivemorphError, KeyboardInterrupt):
        if trainer is None and created and ctx.is_main:
            shutil.rmtree(run_dir, ignore_errors=True)  # a run that never started leaves no folder behind
        raise
    finally:
        shutdown_distributed(ctx)
    if ctx.is_main:
        click.echo(f"trained steps {result.start_step}..{result.steps} of {result.total_steps} in {result.seconds:.1f} s "
                   f"({result.images_per_second:.1f} images/s on {trainer.device}"
                   f"{', ' + str(ctx.world_size) + ' processes' if ctx.enabled else ''})")
        click.echo(f"images: {result.images_used} used ({data.label_source}), {result.images_skipped} skipped"
                   f"{' (' + result.skip_summary + ')' if result.images_skipped else ''}")
        click.echo(f"generator: {result.generator_path}")
        click.echo(f"state: {result.state_path} (continue with --resume)")
    return result


def _check_run_folder(data_dir: Path, run_dir: Path, resume: bool) -> None:
    """Before the slow labelling: a run folder that holds the data (its images were left out as the
    run's own files), one that holds another run's files, and one that cannot be written."""
    from ...outputs.registry import check_writable
    from ...training.state import require_state_file
    from ...training.trainer import GENERATOR_FILE, LOSSES_FILE, STATE_FILE

    if data_dir.resolve().is_relative_to(run_dir.resolve()):
        raise ConfigError(f"--out {run_dir} holds your --data folder {data_dir}; the run's checkpoints and samples "
                          f"would mix with your images: choose a run folder outside it")
    if resume:
        require_state_file(run_dir / STATE_FILE)
    else:
        if (run_dir / STATE_FILE).exists():
            raise OutputNotWritable(f"{run_dir} already holds a training run; pass --resume to continue it "
                                    f"or choose a new --out")
        found = [name for name in (GENERATOR_FILE, LOSSES_FILE, "checkpoints") if (run_dir / name).exists()]
        if found:
            raise OutputNotWritable(f"{run_dir} already holds a training run's {found[0]}; a new run would write "
                                    f"over it: choose a new --out")
    check_writable(run_dir / "config.yaml", "--out")


def _resolve_init(init_checkpoint: str | None) -> Path | None:
    """--init as a file or a registered name (as render --checkpoint takes it), found and read before
    labelling: a folder, a damaged or diverged file is said at once (the trainer reads it again)."""
    if not init_checkpoint:
        return None
    from ...engines.ganimation.checkpoints import build_generator, read_checkpoint_file
    from ...engines.ganimation.model_registry import resolve_checkpoint

    path = resolve_checkpoint(init_checkpoint)
    build_generator(read_checkpoint_file(path), source=str(path))
    return path


def _load_data_in_turn(ctx, data_dir, config, run_dir):
    """The first process on each machine labels and caches; the others then read its cache."""
    from ...training.dataset import load_training_set

    data, error = None, None
    for turn in (True, False):
        if (ctx.local_rank == 0) == turn:
            try:
                data = load_training_set(data_dir, config, run_dir=run_dir)
            except LivemorphError as exc:  # re-raised below, after the barrier, so no process hangs
                error = exc
        ctx.barrier()
    if error is not None:
        raise error
    return data


def _write_config(run_dir: Path, config) -> None:
    """The effective config of the run, next to its checkpoints (atomic write)."""
    path = run_dir / "config.yaml"
    with atomic_write(path) as tmp:
        tmp.write_text(config.to_yaml(), encoding="utf-8")
