import dataclasses
import typing

import pytest
import yaml

from livemorph.config import DEFAULT_CONFIG_PATH, Config, load_config
from livemorph.errors import ConfigError


def _dataclass_keys(cls, prefix=""):
    keys = set()
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        tp = hints[f.name]
        if dataclasses.is_dataclass(tp):
            keys |= _dataclass_keys(tp, prefix + f.name + ".")
        else:
            keys.add(prefix + f.name)
    return keys


def _yaml_keys(data, prefix="", free=("expression.gains", "driving.gains", "warp.gains", "calibration.rest_caps")):
    keys = set()
    for k, v in data.items():
        if isinstance(v, dict) and (prefix + k) not in free:
            keys |= _yaml_keys(v, prefix + k + ".")
        else:
            keys.add(prefix + k)
    return keys


def test_every_yaml_key_is_a_typed_field_and_vice_versa():
    data = yaml.safe_load(DEFAULT_CONFIG_PATH.read_text())
    assert _yaml_keys(data) == _dataclass_keys(Config)


def test_every_key_in_config_yaml_has_a_comment():
    for line in DEFAULT_CONFIG_PATH.read_text().splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or stripped.startswith("AU"):
            continue
        if stripped.endswith(":"):  # a section header or a mapping header
            continue
        assert "#" in line, f"config.yaml line has no comment: {line!r}"


def test_defaults_load_and_overrides_apply():
    c = load_config(overrides=["driving.strength=2", "driving.gains.AU12=1.5", "smoothing.enabled=false"])
    assert c.driving.strength == 2.0
    assert c.driving.gain_vector()[8] == 1.5
    assert c.smoothing.enabled is False


def test_user_file_may_hold_only_changed_keys(tmp_path):
    user = tmp_path / "mine.yaml"
    user.write_text("driving:\n  strength: 0.5\n")
    c = load_config(user)
    assert c.driving.strength == 0.5
    assert c.no_face.hold_seconds == load_config().no_face.hold_seconds


@pytest.mark.parametrize(
    "overrides, fragment",
    [
        (["nosuch.key=1"], "unknown config section 'nosuch'"),
        (["driving.nosuch=1"], "unknown config key 'driving.nosuch'"),
        (["driving.strength=abc"], "driving.strength must be a number"),
        (["smoothing.enabled=3"], "smoothing.enabled must be true or false"),
        (["driving.locks=[AU99]"], None),  # caught when used, see below
        (["justtext"], "--set expects section.key=value"),
    ],
)
def test_bad_overrides_are_config_errors(overrides, fragment):
    if fragment is None:
        c = load_config(overrides=overrides)
        with pytest.raises(ConfigError, match="unknown AU 'AU99'"):
            c.driving.lock_mask()
        return
    with pytest.raises(ConfigError, match=fragment):
        load_config(overrides=overrides)


def test_bad_files(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("driving: [unclosed\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(bad)
    listy = tmp_path / "list.yaml"
    listy.write_text("- a\n- b\n")
    with pytest.raises(ConfigError, match="must be a mapping"):
        load_config(listy)


def test_config_round_trips_through_yaml(tmp_path):
    c = load_config(overrides=["driving.strength=1.25"])
    dumped = tmp_path / "resolved.yaml"
    dumped.write_text(c.to_yaml())
    assert load_config(dumped) == c
