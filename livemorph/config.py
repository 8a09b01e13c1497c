"""Typed configuration: config.yaml -> nested frozen dataclasses, one per stage.

Defaults live only in ``config.yaml`` (shipped inside the package as ``default_config.yaml``);
the dataclasses here declare names and types, never defaults. A user's config file may hold
just the keys it changes; ``--set section.key=value`` overrides come last. Loading does no
I/O beyond reading the YAML files and has no side effects.
"""
from __future__ import annotations

import types
import typing
from dataclasses import dataclass, fields, is_dataclass
from pathlib import Path
from typing import Any

import yaml

from .aus import AU_NAMES, NUM_AUS
from .errors import ConfigError

DEFAULT_CONFIG_PATH = Path(__file__).with_name("default_config.yaml")


@dataclass(frozen=True)
class TrackingConfig:
    model_path: str | None
    model_url: str
    model_sha256: str
    max_faces: int
    min_detection_confidence: float
    min_presence_confidence: float
    min_tracking_confidence: float
    reacquire_max_jump: float
    reacquire_after_ms: float


@dataclass(frozen=True)
class ExpressionConfig:
    gains: dict[str, float]

    def gain_vector(self):
        return au_dict_to_vector(self.gains, fill=1.0, what="expression.gains")


@dataclass(frozen=True)
class SmoothingConfig:
    enabled: bool
    min_cutoff: float
    beta: float
    d_cutoff: float
    fast_aus: list[str]
    fast_min_cutoff: float
    fast_beta: float


@dataclass(frozen=True)
class CalibrationConfig:
    auto: bool
    seconds: float
    max_motion: float
    quantile: float


@dataclass(frozen=True)
class NoFaceConfig:
    hold_seconds: float
    ease_seconds: float


@dataclass(frozen=True)
class PortraitConfig:
    face: str | int
    crop_scale: float
    min_face_px: int


@dataclass(frozen=True)
class DrivingConfig:
    strength: float
    gains: dict[str, float]
    locks: list[str]

    def gain_vector(self):
        return au_dict_to_vector(self.gains, fill=1.0, what="driving.gains")

    def lock_mask(self):
        import numpy as np

        mask = np.zeros(NUM_AUS, dtype=bool)
        for name in self.locks:
            mask[_au_index_or_config_error(name, "driving.locks")] = True
        return mask


@dataclass(frozen=True)
class EngineConfig:
    name: str
    device: str


@dataclass(frozen=True)
class GanimationConfig:
    checkpoint: str | None
    half: str | bool
    half_tolerance: float
    cuda_graph: bool
    feather: float


@dataclass(frozen=True)
class WarpConfig:
    strength: float
    gains: dict[str, float]
    blink_closed_at: float
    feather: float
    feather_below: float
    map_size: int
    max_displacement: float
    au25_to_jaw: float
    mouth_fill: bool
    teeth: bool

    def gain_vector(self):
        return au_dict_to_vector(self.gains, fill=1.0, what="warp.gains")


@dataclass(frozen=True)
class RenderConfig:
    fps: float | None
    side_by_side: bool
    gif_max_width: int
    gif_fps: float
    crf: int
    x264_preset: str


@dataclass(frozen=True)
class LiveConfig:
    source: int | str
    width: int
    height: int
    fps: float
    loop: bool
    reopen_seconds: float


@dataclass(frozen=True)
class VcamConfig:
    enabled: bool
    backend: str
    device: str | None
    width: int
    height: int
    fps: float
    pace: bool


@dataclass(frozen=True)
class RecordConfig:
    side_by_side: bool
    fps: float | None
    buffer_frames: int
    x264_preset: str


@dataclass(frozen=True)
class WindowConfig:
    hud: bool
    layout: str
    mirror: bool
    title: str
    max_height: int
    strength_step: float
    record_dir: str


@dataclass(frozen=True)
class TrainConfig:
    image_size: int
    conv_dim: int
    repeat_num: int
    critic_conv_dim: int
    critic_repeat_num: int
    batch_size: int
    steps: int
    epochs: int | None
    lr_generator: float
    lr_critic: float
    betas: list[float]
    critic_steps: int
    decay_start: float
    lambda_adversarial: float
    lambda_gp: float
    lambda_au: float
    au_loss_per_image: bool
    lambda_cycle: float
    lambda_attention: float
    lambda_tv: float
    target_noise: float
    flip: bool
    crop_faces: bool
    labels: str | None
    cache_dir: str | None
    amp: str | bool
    device: str
    seed: int
    num_workers: int
    sample_every: int
    sample_images: int
    sample_targets: int
    checkpoint_every: int
    progress: bool


@dataclass(frozen=True)
class Config:
    tracking: TrackingConfig
    expression: ExpressionConfig
    smoothing: SmoothingConfig
    calibration: CalibrationConfig
    no_face: NoFaceConfig
    portrait: PortraitConfig
    driving: DrivingConfig
    engine: EngineConfig
    ganimation: GanimationConfig
    render: RenderConfig
    live: LiveConfig
    vcam: VcamConfig
    record: RecordConfig
    window: WindowConfig
    train: TrainConfig
    warp: WarpConfig

    def replace(self, dotted_key: str, value: Any) -> "Config":
        """A copy with one ``section.key`` changed (value validated like a --set override)."""
        return _build(Config, _set_dotted(to_dict(self), dotted_key, value), "")

    def to_yaml(self) -> str:
        return yaml.safe_dump(to_dict(self), sort_keys=False)


# ----------------------------------------------------------------------------------------
def load_config(path: str | Path | None = None, overrides: list[str] | tuple[str, ...] = ()) -> Config:
    """Defaults, then the user's file (if any), then ``key=value`` overrides."""
    data = _read_yaml(DEFAULT_CONFIG_PATH)
    if path is not None:
        user = _read_yaml(Path(path))
        data = _merge(data, user, "")
    for item in overrides:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--set expects section.key=value, got {item!r}")
        try:
            value = yaml.safe_load(raw) if raw.strip() else None
        except yaml.YAMLError as exc:
            raise ConfigError(f"--set {key}: cannot parse value {raw!r}") from exc
        data = _set_dotted(data, key.strip(), value)
    return _build(Config, data, "")


def to_dict(obj: Any) -> Any:
    if is_dataclass(obj):
        return {f.name: to_dict(getattr(obj, f.name)) for f in fields(obj)}
    if isinstance(obj, dict):
        return {k: to_dict(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_dict(v) for v in obj]
    return obj


def au_dict_to_vector(mapping: dict[str, float], *, fill: float, what: str):
    import numpy as np

    vec = np.full(NUM_AUS, fill, dtype=np.float32)
    for name, value in mapping.items():
        vec[_au_index_or_config_error(name, what)] = float(value)
    return vec


def _au_index_or_config_error(name: str, what: str) -> int:
    from .aus import au_index

    try:
        return au_index(str(name))
    except KeyError:
        raise ConfigError(f"{what}: unknown AU {name!r}; valid: {', '.join(AU_NAMES)}") from None


def read_yaml_mapping(path: Path, what: str = "config file") -> dict:
    """A YAML file whose top level is a mapping (empty file -> {}); ConfigError otherwise."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError, OSError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ConfigError(f"{what} {path} is not valid YAML: {first}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{what} {path} must be a mapping, got {type(data).__name__}")
    return data


def _read_yaml(path: Path) -> dict:
    if not path.exists():
        raise ConfigError(f"config file not found: {path}")
    return read_yaml_mapping(path)


def _merge(base: dict, update: dict, prefix: str) -> dict:
    out = dict(base)
    for key, value in update.items():
        where = f"{prefix}{key}"
        if key not in base:
            raise ConfigError(f"unknown config key {where!r}; valid: {', '.join(map(str, base))}")
        if isinstance(base[key], dict) and isinstance(value, dict) and not _is_free_mapping(where):
            out[key] = _merge(base[key], value, where + ".")
        else:
            out[key] = value
    return out


# Mappings whose keys are data (AU names), not fixed field names.
_FREE_MAPPINGS = {"driving.gains"}


def _is_free_mapping(dotted: str) -> bool:
    return dotted in _FREE_MAPPINGS


def _set_dotted(data: dict, dotted: str, value: Any) -> dict:
    parts = dotted.split(".")
    out = dict(data)
    node = out
    for depth, part in enumerate(parts[:-1]):
        if part not in node or not isinstance(node[part], dict):
            valid = ", ".join(k for k, v in node.items() if isinstance(v, dict))
            raise ConfigError(f"unknown config section {'.'.join(parts[:depth + 1])!r}; valid: {valid}")
        node[part] = dict(node[part])
        node = node[part]
    leaf = parts[-1]
    parent = ".".join(parts[:-1])
    if leaf not in node and not _is_free_mapping(parent):
        raise ConfigError(f"unknown config key {dotted!r}; valid: {', '.join(f'{parent}.{k}' for k in node)}")
    node[leaf] = value
    return out


def _build(cls, data: Any, prefix: str):
    if not isinstance(data, dict):
        raise ConfigError(f"config section {prefix.rstrip('.') or '<root>'} must be a mapping")
    hints = typing.get_type_hints(cls)
    names = [f.name for f in fields(cls)]
    unknown = set(data) - set(names)
    if unknown:
        raise ConfigError(
            f"unknown config key {prefix}{sorted(unknown)[0]!r}; valid: {', '.join(prefix + n for n in names)}"
        )
    kwargs = {}
    for name in names:
        where = prefix + name
        if name not in data:
            raise ConfigError(f"config key {where!r} is missing (the packaged config.yaml must define it)")
        kwargs[name] = _coerce(hints[name], data[name], where)
    return cls(**kwargs)


def _coerce(tp, value, where: str):
    if is_dataclass(tp):
        return _build(tp, value, where + ".")
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(tp)
        if value is None and type(None) in options:
            return None
        errors = []
        for option in options:
            if option is type(None):
                continue
            try:
                return _coerce(option, value, where)
            except ConfigError as exc:
                errors.append(str(exc))
        raise ConfigError(errors[0] if errors else f"{where}: bad value {value!r}")
    if origin is list:
        (item,) = typing.get_args(tp)
        if value is None:
            return []
        if not isinstance(value, (list, tuple)):
            value = [value]
        return [_coerce(item, v, f"{where}[{i}]") for i, v in enumerate(value)]
    if origin is dict:
        _, vt = typing.get_args(tp)
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise ConfigError(f"{where} must be a mapping, got {value!r}")
        return {str(k): _coerce(vt, v, f"{where}.{k}") for k, v in value.items()}
    if tp is bool:
        if isinstance(value, bool):
            return value
        raise ConfigError(f"{where} must be true or false, got {value!r}")
    if tp is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        raise ConfigError(f"{where} must be a number, got {value!r}")
    if tp is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise ConfigError(f"{where} must be an integer, got {value!r}")
    if tp is str:
        if isinstance(value, str):
            return value
        raise ConfigError(f"{where} must be a string, got {value!r}")
    raise ConfigError(f"{where}: unsupported config type {tp}")

