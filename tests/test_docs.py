"""Docs cannot drift: every setting and every CLI command is in the README."""

from __future__ import annotations

import re
from pathlib import Path

from stdgraph.cli import cli
from stdgraph.settings import SETTINGS, Settings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def test_every_setting_is_in_the_readme_table_with_its_default():
    rows = {m[1]: m for m in re.findall(r"^\| (\w+) \| `(STDGRAPH_\w+)` \| ([^|]+) \|", README,
                                        re.M)}
    assert {env for _name, env, _d, _h in SETTINGS} == set(rows)
    for name, env, default, _help in SETTINGS:
        assert rows[env][0] == name
        if default not in (None, (), False, ""):
            if isinstance(default, float) and default.is_integer():
                default = int(default)
            assert str(default).lower() in rows[env][2].lower().replace("`", ""), env


def test_every_command_is_in_the_readme():
    for name in cli.commands:
        assert f"stdgraph {name}" in README, name


def test_env_overrides_and_coercion():
    s = Settings.from_env({"STDGRAPH_QUERY_TIMEOUT": "2.5", "STDGRAPH_ALLOW_LOAD": "yes",
                           "STDGRAPH_CORS_ORIGINS": "http://a, http://b", "STDGRAPH_PORT": "9"},
                          port=10)
    assert (s.query_timeout, s.allow_load, s.cors_origins, s.port) == (
        2.5, True, ("http://a", "http://b"), 10)
