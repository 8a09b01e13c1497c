"""Typed configuration: config.yaml -> nested frozen dataclasses, one per stage.

Defaults live only in ``default_config.yaml`` next to this file (the top-level ``config.yaml``
is the same file for users to read, kept identical by a test). The dataclasses here declare
names and types, never defaults; a type may carry its allowed values (``config_checks``:
``Positive``, ``Fraction``, ``Annotated[int, Range(ge=16)]``, ``list[AUName]``, ...). Every
value is checked once, here, at load time, so a bad one is a single ConfigError naming the key
and what is allowed. Adding a key = one line in config.yaml (default + comment; copy the file over
livemorph/config/default_config.yaml) + one field here.
A user's config file may hold just the keys it changes; ``--set section.key=value`` overrides
come last. Loading does no I/O beyond reading the YAML files and has no side effects.
"""
from __future__ import annotations

import typing
from dataclasses import dataclass, fields, is_dataclass
from pathlib import Path
from typing import Annotated, Any

import yaml

from ..aus import AU_NAMES, NUM_AUS
from .checks import (AUName, Count, Fraction, Length, NonNegative, NonNegativeInt, OneOf, Pattern, Positive,
                            Range, X264Preset, coerce, is_mapping_type)
from ..errors import ConfigError

DEFAULT_CONFIG_PATH = Path(__file__).with_name("default_config.yaml")


@dataclass(frozen=True)
class TrackingConfig:
    model_path: str | None
    model_url: str
    model_sha256: Annotated[str, Pattern(r"([0-9a-fA-F]{64})?", "64 hex digits, or empty to skip the check")]
    max_faces: Count
    min_detection_confidence: Fraction
    min_presence_confidence: Fraction
    min_tracking_confidence: Fraction
    reacquire_max_jump: Positive
    reacquire_after_ms: NonNegative


@dataclass(frozen=True)
class ExpressionConfig:
    estimator: str  # a registered AU estimator (face/estimators); checked when it is built
    gains: dict[AUName, NonNegative]

    def gain_vector(self):
        return au_dict_to_vector(self.gains, fill=1.0, what="expression.gains")


@dataclass(frozen=True)
class SmoothingConfig:
    enabled: bool
    min_cutoff: Positive
    beta: NonNegative
    d_cutoff: Positive
    fast_aus: list[AUName]
    fast_min_cutoff: Positive
    fast_beta: NonNegative


@dataclass(frozen=True)
class CalibrationConfig:
    auto: bool
    quantile: Annotated[float, Range(ge=0, le=0.5)]
    window_seconds: Annotated[float, Range(ge=1, le=3600)]
    sample_hz: Annotated[float, Range(gt=0, le=120)]
    pin_seconds: Annotated[float, Range(ge=0, le=10)]
    rest_caps: dict[AUName, Annotated[float, Range(ge=0, le=5)]]
    first_caps: dict[AUName, Annotated[float, Range(ge=0, le=5)]]
    settle_seconds: NonNegative
    offline: Annotated[str, OneOf(("auto", "live", "none"))]

    def rest_cap_vector(self):
        return au_dict_to_vector(self.rest_caps, fill=5.0, what="calibration.rest_caps")

    def first_cap_vector(self):
        return au_dict_to_vector(self.first_caps, fill=5.0, what="calibration.first_caps")


@dataclass(frozen=True)
class NoFaceConfig:
    hold_seconds: NonNegative
    ease_seconds: NonNegative


@dataclass(frozen=True)
class PortraitConfig:
    face: Annotated[str, OneOf(("largest",))] | NonNegativeInt
    crop_scale: Positive
    min_face_px: NonNegativeInt
    max_side: Annotated[int, Range(ge=256, le=16384)]


# driving.strength's top, as far as the live '+' key goes too (100 smeared the mouth into a tube).
MAX_DRIVING_STRENGTH = 3.0


@dataclass(frozen=True)
class DrivingConfig:
    strength: Annotated[float, Range(ge=0, le=MAX_DRIVING_STRENGTH)]
    gains: dict[AUName, NonNegative]
    locks: list[AUName]
    relax: dict[AUName, Annotated[float, Range(ge=0, le=5)]]
    relax_grins_from: Annotated[float, Range(ge=0, le=5)]
    relax_open_mouths_from: Annotated[float, Range(ge=0, le=6)]
    auto_gain: bool
    auto_gain_limit: Annotated[float, Range(ge=1)]
    winks: bool
    gaze: bool

    def gain_vector(self):
        return au_dict_to_vector(self.gains, fill=1.0, what="driving.gains")

    def relax_vector(self):
        """Per AU, the most of its own expression a grinning (or gaping) portrait keeps while the
        user is neutral (5 = all); which portraits relax, and which AUs: ``aus.relax_caps``."""
        return au_dict_to_vector(self.relax, fill=5.0, what="driving.relax")

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
    half: Annotated[str, OneOf(("auto",))] | bool
    half_tolerance: NonNegative
    cuda_graph: bool
    feather: Fraction


@dataclass(frozen=True)
class WarpConfig:
    strength: Annotated[float, Range(ge=0, le=5)]
    gains: dict[AUName, NonNegative]
    blink_closed_at: Annotated[float, Range(ge=0, le=5)]
    feather: Annotated[float, Range(ge=0, le=2)]
    feather_below: Annotated[float, Range(ge=0, le=2)]
    map_size: Annotated[int, Range(ge=16, le=4096)]
    max_displacement: Fraction
    au25_to_jaw: Annotated[float, Range(ge=0, le=2)]
    jaw_squeeze: Annotated[float, Range(ge=0, le=1)]
    mouth_fill: bool
    teeth: bool
    driver_mouth: bool

    def gain_vector(self):
        return au_dict_to_vector(self.gains, fill=1.0, what="warp.gains")


@dataclass(frozen=True)
class RenderConfig:
    fps: Annotated[float, Range(gt=0, le=240)] | None
    side_by_side: bool
    pair_layout: Annotated[str, OneOf(("auto", "row", "column"))]
    gif_max_width: Annotated[int, Range(ge=16)]
    gif_fps: Annotated[float, Range(gt=0, le=50)]
    gif_max_mb: Annotated[float, Range(gt=0)] | None
    gif_max_seconds: Positive
    gif_boomerang: bool
    crf: Annotated[int, Range(ge=0, le=51)]
    x264_preset: X264Preset


@dataclass(frozen=True)
class LiveConfig:
    source: NonNegativeInt | str
    width: Count
    height: Count
    fps: Positive
    loop: bool
    reopen_seconds: NonNegative
    max_side: Annotated[int, Range(ge=256, le=16384)]
    max_face_px: Annotated[int, Range(ge=64, le=16384)]


@dataclass(frozen=True)
class VcamConfig:
    enabled: bool
    backend: str
    device: str | None
    width: Annotated[int, Range(ge=16)]
    height: Annotated[int, Range(ge=16)]
    fps: Positive
    pace: bool


@dataclass(frozen=True)
class RecordConfig:
    side_by_side: bool
    fps: Annotated[float, Range(gt=0, le=240)] | None
    buffer_frames: Count
    x264_preset: X264Preset
    keyframe_seconds: Positive


@dataclass(frozen=True)
class WindowConfig:
    hud: bool
    layout: Annotated[str, OneOf(("portrait", "side_by_side"))]
    mirror: bool
    title: str
    max_height: Annotated[int, Range(ge=16)]
    strength_step: Positive
    record_dir: str


@dataclass(frozen=True)
class TrainConfig:
    image_size: Annotated[int, Range(ge=16)]
    conv_dim: Count
    repeat_num: NonNegativeInt
    critic_conv_dim: Count
    critic_repeat_num: Count
    batch_size: Count
    steps: Count
    epochs: Count | None
    lr_generator: Positive
    lr_critic: Positive
    betas: Annotated[list[Annotated[float, Range(ge=0, lt=1)]], Length(2)]
    critic_steps: Count
    decay_start: Fraction
    lambda_adversarial: NonNegative
    lambda_gp: NonNegative
    lambda_au: NonNegative
    au_loss_per_image: bool
    lambda_cycle: NonNegative
    lambda_attention: NonNegative
    lambda_tv: NonNegative
    target_noise: NonNegative
    flip: bool
    crop_faces: bool
    labels: str | None
    cache_dir: str | None
    amp: Annotated[str, OneOf(("auto", "bf16", "fp16", "off"))] | bool
    device: str
    seed: NonNegativeInt
    num_workers: NonNegativeInt
    sample_every: NonNegativeInt
    sample_images: Count
    sample_targets: Count
    checkpoint_every: NonNegativeInt
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
    from ..aus import au_index

    try:
        return au_index(str(name))
    except KeyError:
        raise ConfigError(f"{what}: unknown AU {name!r}; valid: {', '.join(AU_NAMES)}") from None


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key given twice in one mapping: YAML keeps the last silently, so a
    second ``driving:`` section dropped the first one's settings without a word."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue  # <<: a merged mapping's keys may be given again: that is what merging is for
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, typing.Hashable):
                continue  # an unhashable key: the mapping's own construction says what is wrong
            if key in seen:
                raise yaml.constructor.ConstructorError(None, None, f"{key!r} is given twice", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep)


def read_yaml_mapping(path: Path, what: str = "config file") -> dict:
    """A YAML file whose top level is a mapping (empty file -> {}); ConfigError otherwise."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)  # noqa: S506 (a SafeLoader)
    except yaml.MarkedYAMLError as exc:  # where, and what: PyYAML's first line alone said neither
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        raise ConfigError(f"{what} {path} is not valid YAML: {where}{exc.problem or exc.context}") from exc
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
        if key not in base and not _is_free_mapping(prefix.rstrip(".")):
            raise ConfigError(f"unknown config key {where!r}; valid: {', '.join(prefix + str(k) for k in base)}")
        if isinstance(base.get(key), dict) and isinstance(value, dict):
            out[key] = _merge(base[key], value, where + ".")
        else:
            out[key] = value
    return out


def _field_type(dotted: str):
    """The declared type of ``section.key`` (None when there is no such field)."""
    tp = Config
    for part in dotted.split("."):
        if not is_dataclass(tp):
            return None
        tp = typing.get_type_hints(tp, include_extras=True).get(part)
        if tp is None:
            return None
    return tp


def _is_free_mapping(dotted: str) -> bool:
    """AU-keyed mappings (the gains): any AU name is a valid key, and a mapping updates only the keys it names."""
    tp = _field_type(dotted) if dotted else None
    return tp is not None and is_mapping_type(tp)


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
    if _is_free_mapping(dotted) and isinstance(node.get(leaf), dict) and isinstance(value, dict):
        value = {**node[leaf], **value}  # --set warp.gains={AU12: 5} changes AU12 only
    node[leaf] = value
    return out


def _build(cls, data: Any, prefix: str):
    if not isinstance(data, dict):
        raise ConfigError(f"config section {prefix.rstrip('.') or '<root>'} must be a mapping, got {data!r}")
    hints = typing.get_type_hints(cls, include_extras=True)
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
        tp = hints[name]
        kwargs[name] = _build(tp, data[name], where + ".") if is_dataclass(tp) else coerce(tp, data[name], where)
    return cls(**kwargs)
