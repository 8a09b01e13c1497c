"""Checking config values against their declared type and allowed values.

A config field's type says everything that is allowed: ``Annotated[float, Range(gt=0)]``,
``Annotated[str, OneOf(...)]``, ``list[AUName]``, unions with ``None``. ``coerce`` turns a
YAML value into that type or raises one ConfigError naming the key, what is allowed and
what was given, so each key is checked once, at load time, in one place.
"""
from __future__ import annotations

import math
import re
import types
import typing
from dataclasses import dataclass
from typing import Annotated, Any

from ..aus import AU_NAMES
from ..errors import ConfigError


@dataclass(frozen=True)
class Range:
    """Numeric bounds; ``ge``/``le`` inclusive, ``gt``/``lt`` exclusive."""

    ge: float | None = None
    gt: float | None = None
    le: float | None = None
    lt: float | None = None

    def allows(self, value) -> bool:
        return ((self.ge is None or value >= self.ge) and (self.gt is None or value > self.gt)
                and (self.le is None or value <= self.le) and (self.lt is None or value < self.lt))

    def describe(self) -> str:
        parts = [f"{op} {bound:g}" for op, bound in ((">=", self.ge), (">", self.gt), ("<=", self.le), ("<", self.lt))
                 if bound is not None]
        return " and ".join(parts)


@dataclass(frozen=True)
class OneOf:
    """A value from a fixed set (compared as written, case-sensitive)."""

    choices: tuple

    def allows(self, value) -> bool:
        return value in self.choices

    def describe(self) -> str:
        return "one of " + ", ".join(str(c) for c in self.choices)


@dataclass(frozen=True)
class Pattern:
    """A string matching a regular expression (whole string)."""

    regex: str
    meaning: str

    def allows(self, value) -> bool:
        return re.fullmatch(self.regex, value) is not None

    def describe(self) -> str:
        return self.meaning


@dataclass(frozen=True)
class Length:
    """A list with exactly this many items."""

    count: int

    def allows(self, value) -> bool:
        return len(value) == self.count

    def describe(self) -> str:
        return f"exactly {self.count} items"


# Shorthands for the field types in config.py.
AUName = Annotated[str, OneOf(tuple(AU_NAMES))]
Positive = Annotated[float, Range(gt=0)]
NonNegative = Annotated[float, Range(ge=0)]
Fraction = Annotated[float, Range(ge=0, le=1)]
Count = Annotated[int, Range(ge=1)]
NonNegativeInt = Annotated[int, Range(ge=0)]
X264_PRESETS = ("ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow")
X264Preset = Annotated[str, OneOf(X264_PRESETS)]


def describe(tp) -> str:
    """What a value of type ``tp`` must be, in words ('a number > 0', 'one of a, b')."""
    origin = typing.get_origin(tp)
    if origin is Annotated:
        base, *rules = typing.get_args(tp)
        words = [rule.describe() for rule in rules]
        if typing.get_origin(base) is list and isinstance(rules[0], Length):
            return f"a list of {rules[0].count} items, each {describe(typing.get_args(base)[0])}"
        if isinstance(rules[0], (OneOf, Pattern)):
            return " and ".join(words)
        return f"{describe(base)} {' and '.join(words)}"
    if origin in (typing.Union, types.UnionType):
        return " or ".join("null" if option is type(None) else describe(option) for option in typing.get_args(tp))
    if origin is list:
        return f"a list, each item {describe(typing.get_args(tp)[0])}"
    if origin is dict:
        key, value = typing.get_args(tp)
        return f"a mapping of {describe(key)} to {describe(value)}"
    return {bool: "true or false", float: "a number", int: "an integer", str: "a string"}.get(tp, str(tp))


def coerce(tp, value: Any, where: str):
    """``value`` as type ``tp``; ConfigError('<where> must be <what>, got <value>') otherwise."""
    origin = typing.get_origin(tp)
    if origin is Annotated:
        base, *rules = typing.get_args(tp)
        checked = coerce(base, value, where)
        for rule in rules:
            if not rule.allows(checked):
                raise _bad(where, tp, value)
        return checked
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(tp)
        if value is None and type(None) in options:
            return None
        for option in options:
            if option is type(None):
                continue
            try:
                return coerce(option, value, where)
            except ConfigError:
                continue
        raise _bad(where, tp, value)
    if origin is list:
        (item,) = typing.get_args(tp)
        if value is None:
            return []
        if not isinstance(value, (list, tuple)):
            value = [value]
        return [coerce(item, v, f"{where}[{i}]") for i, v in enumerate(value)]
    if origin is dict:
        key_type, value_type = typing.get_args(tp)
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise _bad(where, tp, value)
        return {coerce(key_type, str(k), f"{where} key"): coerce(value_type, v, f"{where}.{k}")
                for k, v in value.items()}
    if tp is bool and isinstance(value, bool):
        return value
    if tp is float and isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    if tp is int and isinstance(value, int) and not isinstance(value, bool):
        return value
    if tp is str and isinstance(value, str):
        return value
    if tp in (bool, float, int, str):
        raise _bad(where, tp, value)
    raise ConfigError(f"{where}: unsupported config type {tp}")


def is_mapping_type(tp) -> bool:
    """A dict-typed field: its keys are data (AU names), so a mapping given for it updates only those keys."""
    if typing.get_origin(tp) is Annotated:
        tp = typing.get_args(tp)[0]
    return typing.get_origin(tp) is dict


def _bad(where: str, tp, value) -> ConfigError:
    return ConfigError(f"{where} must be {describe(tp)}, got {value!r}")
