import dataclasses
import typing

import pytest
import yaml

from livemorph.config.settings import DEFAULT_CONFIG_PATH, Config, load_config
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


def _yaml_keys(data, prefix="", free=("expression.gains", "driving.gains", "warp.gains", "calibration.rest_caps", "calibration.first_caps",
                                            "driving.relax")):
    keys = set()
    for k, v in data.items():
        if isinstance(v, dict) and (prefix + k) not in free:
            keys |= _yaml_keys(v, prefix + k + ".")
        else:
            keys.add(prefix + k)
    return keys


def test_the_packaged_defaults_are_a_real_file_identical_to_config_yaml():
    # The package reads livemorph/config/default_config.yaml; the top-level config.yaml is the same file for
    # users to read and copy. A real file, not a symlink: a checkout without symlinks (Windows) must work.
    from conftest import REPO_ROOT

    assert not DEFAULT_CONFIG_PATH.is_symlink()
    assert DEFAULT_CONFIG_PATH.read_bytes() == (REPO_ROOT / "config.yaml").read_bytes(), (
        "config.yaml and livemorph/config/default_config.yaml differ: edit config.yaml, then "
        "`cp config.yaml livemorph/config/default_config.yaml`")


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
        (["driving.locks=[AU99]"], r"driving.locks\[0\] must be one of AU01, .*got 'AU99'"),
        (["justtext"], "--set expects section.key=value"),
    ],
)
def test_bad_overrides_are_config_errors(overrides, fragment):
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


@pytest.mark.parametrize("text, said", [
    # PyYAML's first line alone ("while parsing a flow sequence") said neither where nor what.
    ("driving:\n  strength: 2.0\n  winks: [true\n", "line 4, column 1: expected ',' or ']', but got '<stream end>'"),
    ("driving:\n\tstrength: 2\n", "line 2, column 1: found character '\\t' that cannot start any token"),
    # YAML keeps the last of two keys: the first section's settings were dropped without a word.
    ("driving: {strength: 1.5}\ndriving: {winks: false}\n", "line 2, column 1: 'driving' is given twice"),
    ("driving:\n  strength: 1\n  strength: 2\n", "line 3, column 3: 'strength' is given twice"),
])
def test_a_config_files_mistake_is_said_with_its_line(tmp_path, text, said):
    path = tmp_path / "mine.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value) == f"config file {path} is not valid YAML: {said}"


def test_a_merge_key_is_no_repeated_key(tmp_path):
    # The duplicate check must not refuse YAML's merge keys (<<), which the plain loader took.
    path = tmp_path / "mine.yaml"
    path.write_text("driving:\n  <<: {strength: 2.0, winks: false}\n  winks: true\n")
    config = load_config(path)
    assert config.driving.strength == 2.0 and config.driving.winks is True


def test_config_round_trips_through_yaml(tmp_path):
    c = load_config(overrides=["driving.strength=1.25"])
    dumped = tmp_path / "resolved.yaml"
    dumped.write_text(c.to_yaml())
    assert load_config(dumped) == c


# Values a user could type that no stage can use: each is refused at load time, naming the key and
# what is allowed (they used to surface as tracebacks deep in numpy, OpenCV or PyAV, or not at all).
@pytest.mark.parametrize(
    "override, allowed",
    [
        ("calibration.quantile=1.5", ">= 0 and <= 0.5"),
        ("calibration.offline=first", "auto, live, none"),
        ("calibration.rest_caps={AU12: 7}", "<= 5"),
        ("smoothing.fast_aus=[AU99]", "one of AU01"),
        ("render.x264_preset=bogus", "one of ultrafast"),
        ("render.gif_fps=0", "> 0"),
        ("render.gif_max_width=0", ">= 16"),
        ("render.fps=-5", "> 0"),
        ("render.fps=0", "> 0"),
        ("tracking.max_faces=0", ">= 1"),
        ("portrait.face=biggest", "largest"),
        ("window.layout=grid", "one of portrait, side_by_side"),
        ("train.betas=[0.5]", "2 items"),
        ("train.amp=fp8", "one of auto, bf16, fp16, off"),
        ("driving.strength=.nan", "number"),
        ("warp.gains={AU99: 2}", "one of AU01"),
        ("record.fps=0", "> 0"),
        ("driving.strength=100", "<= 3"),  # as far as the live '+' key goes; 100 smeared the mouth into a tube
    ],
)
def test_out_of_range_values_name_the_key_and_what_is_allowed(override, allowed):
    key = override.split("=")[0]
    with pytest.raises(ConfigError) as caught:
        load_config(overrides=[override])
    message = str(caught.value)
    assert message.startswith(key) and allowed in message and "\n" not in message


def test_the_same_checks_apply_to_a_config_file(tmp_path):
    user = tmp_path / "mine.yaml"
    user.write_text("calibration:\n  quantile: 2\n")
    with pytest.raises(ConfigError, match="calibration.quantile must be"):
        load_config(user)


@pytest.mark.parametrize("section", ["warp", "expression", "driving"])
def test_a_gains_mapping_changes_only_the_aus_it_names(section, tmp_path):
    defaults = getattr(load_config(), section).gain_vector()
    changed = getattr(load_config(overrides=[f"{section}.gains={{AU12: 5}}"]), section).gain_vector()
    assert changed[8] == 5.0  # AU12 is the 9th AU
    keep = [i for i in range(17) if i != 8]
    assert (changed[keep] == defaults[keep]).all()
    user = tmp_path / "mine.yaml"
    user.write_text(f"{section}:\n  gains:\n    AU26: 0.5\n")
    from_file = getattr(load_config(user), section).gain_vector()
    assert from_file[15] == 0.5 and from_file[8] == defaults[8]


def test_set_or_config_after_the_command_says_where_they_go(capsys):
    from livemorph.cli.app import main

    # click said "No such option '--set'. (Did you mean one of: '--out', '--start', '--target'?)".
    for args, said in ((["render", "-t", "x.jpg", "--set", "driving.strength=2"],
                        "--set goes before the command: livemorph --set KEY=VALUE render ..."),
                       (["aus", "x.jpg", "--config", "mine.yaml"],
                        "--config goes before the command: livemorph --config FILE aus ...")):
        capsys.readouterr()
        assert main(args) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"livemorph: error: {said}") and err.count("\n") == 1, err


def test_every_listed_mistake_is_one_line_and_exit_2_on_the_command_line(capsys, tmp_path):
    from livemorph.cli.app import main

    out = tmp_path / "out.mp4"
    for args in (["render", "--fps", "-5"], ["render", "--fps", "0"],
                 ["--set", "render.gif_max_width=0", "render"], ["--set", "tracking.max_faces=0", "render"]):
        assert main(args + ["-t", "x.jpg", "-d", "y.mp4", "-o", str(out)]) == 2
        err = capsys.readouterr().err
        assert err.startswith("livemorph: error: ") and err.count("\n") == 1, err
    assert not out.exists()
