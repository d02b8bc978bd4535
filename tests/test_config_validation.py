"""Configuration validation: every invalid value names its key, the value and the allowed values."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from agentlanes.config import DEFAULT_PRIORITIES, build_config, load_config
from agentlanes.config_schema import allowed_text, config_schema, node_at, resolve, table_keys
from agentlanes.docgen.configuration import render_configuration_reference
from agentlanes.errors import ConfigError

REPO_ROOT = Path(__file__).resolve().parents[1]
AGENT = '[[agents]]\nname = "codex"\ntrigger = { kind = "comment", value = "@codex" }\n'

# (TOML text, key path in the message, value as shown, allowed values as shown)
INVALID = [
    ('[conflict]\nmethod = "files"', "conflict.method", "'files'", "one of 'footprint', 'component', 'both'"),
    ("[conflict]\nfootprint_threshold = 1.5", "conflict.footprint_threshold", "1.5", "a number from 0 to 1"),
    ('[conflict]\nfootprint_threshold = "high"', "conflict.footprint_threshold", "'high'", "a number from 0 to 1"),
    ('[conflict]\nlock_open_pulls = "yes"', "conflict.lock_open_pulls", "'yes'", "true or false"),
    ("[classification]\ncoauthor_means_agent = 1", "classification.coauthor_means_agent", "1", "true or false"),
    ("[classification]\ndependency_bots = [1]", "classification.dependency_bots[0]", "1", "a string"),
    (AGENT + "capacity = -1", "agents[0].capacity (agent 'codex')", "-1", "an integer from 0 to 1000"),
    (AGENT + "capacity = 4.0", "agents[0].capacity (agent 'codex')", "4.0", "an integer from 0 to 1000"),
    (AGENT + 'capacity = "4"', "agents[0].capacity (agent 'codex')", "'4'", "an integer from 0 to 1000"),
    (AGENT + "daily_quota = -3", "agents[0].daily_quota (agent 'codex')", "-3",
     "an integer at least 0, or leave the key out"),
    (AGENT + "prior = 1.0", "agents[0].prior (agent 'codex')", "1.0",
     "a number greater than 0 and less than 1, or leave the key out"),
    (AGENT + 'strengths = { types = ["bugs"] }', "agents[0].strengths.types[0] (agent 'codex')", "'bugs'",
     "one of 'bug', 'feature', 'docs', 'test', 'refactor', 'chore', 'security', 'performance'"),
    (AGENT + 'eligible = { max_size = "XXL" }', "agents[0].eligible.max_size (agent 'codex')", "'XXL'",
     "one of 'XS', 'S', 'M', 'L', 'XL', or leave the key out"),
    ('[[agents]]\nname = "Codex Cloud"\ntrigger = { kind = "label", value = "x" }', "agents[0].name (agent "
     "'Codex Cloud')", "'Codex Cloud'", "lowercase letters, digits, '.', '_' and '-', starting with a letter or digit"),
    ('[[agents]]\nname = "x"\ntrigger = { kind = "mention", value = "@x" }', "agents[0].trigger.kind (agent 'x')",
     "'mention'", "one of 'assignee', 'label', 'comment', 'command'"),
    ('[[agents]]\nname = "x"\ntrigger = { kind = "label", value = "" }', "agents[0].trigger.value (agent 'x')",
     "''", "a non-empty string"),
    ('[[components]]\nname = "api"\npaths = []', "components[0].paths", "[]", "a non-empty list of path globs"),
    ('[priorities]\n"priority:p0" = -2', 'priorities."priority:p0"', "-2", "a number from 0 to 1000"),
    ('[priorities]\nhigh = "yes"', "priorities.high", "'yes'", "a number from 0 to 1000"),
    ("conflict = 3", "conflict", "3", "a table with the keys method, footprint_threshold, lock_open_pulls"),
]


def config_error(text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        build_config(tomllib.loads(text), "agentlanes.toml")
    return str(caught.value)


@pytest.mark.parametrize(("text", "key", "value", "allowed"), INVALID, ids=[case[1] for case in INVALID])
def test_invalid_value_names_key_value_allowed(text: str, key: str, value: str, allowed: str):
    message = config_error(text)
    assert message.startswith("agentlanes.toml: ")
    assert f"{key}: invalid value {value}; allowed: {allowed}" in message
    assert "docs/configuration.md" in message


def test_every_error_is_listed_at_once():
    message = config_error('[conflict]\nmethod = "files"\nfootprint_threshold = 7\n' + AGENT + "capacity = -1")
    assert message.startswith("agentlanes.toml: 3 invalid values\n")
    assert "conflict.method" in message
    assert "conflict.footprint_threshold" in message
    assert "agents[0].capacity" in message


def test_unknown_key_suggests_the_nearest():
    message = config_error(AGENT + "capacty = 3")
    assert "agents[0].capacty (agent 'codex'): unknown key (did you mean 'capacity'?)" in message
    assert "allowed keys here: name, display_name, capacity, daily_quota" in message


def test_unknown_table_lists_the_top_level_keys():
    message = config_error("[dispatching]\nenabled = true")
    assert "dispatching: unknown key; allowed keys here: agents, components, conflict, classification, priorities" in message


def test_missing_trigger_is_named():
    message = config_error('[[agents]]\nname = "x"')
    assert "agents[0].trigger (agent 'x'): missing key; required: a table with the keys kind, value" in message


def test_duplicate_agent_names_rejected():
    message = config_error(AGENT + AGENT)
    assert "agents: agent name 'codex' appears twice" in message


def test_labels_differing_in_case_rejected():
    message = config_error("[priorities]\nP0 = 1.0\np0 = 2.0")
    assert "'P0' and 'p0' name the same label" in message


def test_agent_component_must_be_configured():
    message = config_error('[[components]]\nname = "api"\npaths = ["api/"]\n' + AGENT + 'strengths = { components = ["web"] }')
    assert "agents[0].strengths.components (agent 'codex'): invalid value 'web'" in message
    assert "allowed: one of the configured components 'api'" in message


def test_agent_component_free_without_components():
    config = build_config(tomllib.loads(AGENT + 'strengths = { components = ["web"] }'), "test")
    assert config.agents[0].strengths.components == ("web",)


def test_whole_numbers_accepted_for_fractions():
    config = build_config(tomllib.loads("[conflict]\nfootprint_threshold = 1\n[priorities]\np0 = 3"), "test")
    assert config.conflict.footprint_threshold == 1.0
    assert config.priorities == {"p0": 3.0}


def test_agents_file_errors_name_both_files(tmp_path: Path):
    (tmp_path / "agentlanes.toml").write_text("[conflict]\nmethod = \"both\"\n", encoding="utf-8")
    (tmp_path / "agents.toml").write_text(AGENT + "capacity = 5000\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "agentlanes.toml", tmp_path / "agents.toml")
    message = str(caught.value)
    assert message.startswith(f"{tmp_path / 'agentlanes.toml'} + agents from {tmp_path / 'agents.toml'}: ")
    assert "agents[0].capacity (agent 'codex'): invalid value 5000" in message


def test_toml_syntax_error_names_file(tmp_path: Path):
    path = tmp_path / "agentlanes.toml"
    path.write_text("[conflict\nmethod = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="agentlanes.toml: not valid TOML"):
        load_config(path)


def test_cli_exit_code_and_message(run_cli, tmp_path: Path, write_json):
    (tmp_path / "agentlanes.toml").write_text(AGENT + 'trigger = 3\n', encoding="utf-8")
    result = run_cli("analyze", "--issues", write_json("i.json", []))
    assert result.code == 2, result.err
    assert "error: agentlanes.toml: " in result.err
    assert "Traceback" not in result.err


def _leaf_keys(node: dict, path: tuple = ()) -> list[tuple]:
    """Every key path of the model, descending into tables and lists of tables."""
    keys = []
    for key in table_keys(node):
        field = resolve(node)["properties"][key]
        keys.append((*path, key))
        child = resolve(field)
        items = resolve(child.get("items", {})) if child.get("type") == "array" else {}
        if "properties" in items:
            keys += _leaf_keys(items, (*path, key, 0))
        elif "$ref" in field and "properties" in child:
            keys += _leaf_keys(child, (*path, key))
    return keys


def test_every_key_has_description_and_allowed_values():
    keys = _leaf_keys(config_schema())
    assert len(keys) > 30
    for key in keys:
        node = node_at(key)
        assert node is not None, key
        assert node.get("description"), f"{key} has no description"
        assert "see docs" not in allowed_text(node), f"{key} has no allowed-values text"


def test_configuration_reference_matches_model():
    page = (REPO_ROOT / "docs" / "configuration.md").read_text("utf-8")
    assert page == render_configuration_reference(), "docs/configuration.md is stale: run `make docs`"


def test_configuration_reference_lists_every_key():
    page = (REPO_ROOT / "docs" / "configuration.md").read_text("utf-8")
    for key in _leaf_keys(config_schema()):
        assert f"| `{key[-1]}` |" in page, key


def test_defaults_load_without_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    config = load_config()
    assert config.source == "built-in defaults"
    assert [agent.name for agent in config.routable_agents] == ["copilot", "codex", "jules", "claude", "devin"]
    assert config.priorities == DEFAULT_PRIORITIES
    assert config.conflict.footprint_threshold == 0.05
