"""The README tells the truth about things the code defines (tables, commands, config)."""
import re
from pathlib import Path

from livemorph.cli.app import SUBCOMMANDS
from livemorph.face.estimators.blendshapes import mapping_table_markdown
from livemorph.outputs.preview.hotkeys import markdown_table

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()
CI_RUN = (Path(__file__).resolve().parents[1] / ".ci" / "run").read_text()


def test_hotkey_table_matches_the_key_map():
    assert markdown_table() in README


def test_au_mapping_table_matches_the_estimator():
    assert mapping_table_markdown() in README


def test_every_subcommand_is_documented():
    for name in SUBCOMMANDS:
        assert f"livemorph {name}" in README


def test_ci_runs_the_readme_install_and_test_commands():
    install = re.search(r"```sh\n(python3 -m venv .*)\n```", README).group(1)
    for part in install.split(" && "):
        assert part in CI_RUN, part
    assert "\npytest" in CI_RUN and "```sh\npytest\n```" in README
