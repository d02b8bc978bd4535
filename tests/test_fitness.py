"""Agent fitness from history: per type and per component, smoothed toward the prior."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime, timedelta

import pytest

from agentlanes import api
from agentlanes.config import AgentConfig, Trigger, build_config
from agentlanes.errors import ConfigError
from agentlanes.model import Attribution, AuthorKind, ChangedFile, PullRequest, PullState
from agentlanes.routing.fitness import (
    BASE_PRIOR,
    SMOOTHING,
    STRENGTH_BONUS,
    build_history,
    history_from_records,
    score_agent,
)

from conftest import gh_issue, gh_pull

START = datetime(2026, 1, 1, tzinfo=UTC)


def pull(number: int, agent: str, merged: bool, hours: float, files: tuple[str, ...]) -> PullRequest:
    return PullRequest(
        number=number, title=f"change {number}", body="", created_at=START,
        state=PullState.MERGED if merged else PullState.CLOSED,
        merged_at=START + timedelta(hours=hours) if merged else None,
        closed_at=START + timedelta(hours=hours),
        attribution=Attribution(AuthorKind.AGENT, agent, "bot-author"),
        files=tuple(ChangedFile(path) for path in files),
    )


def component_of(pr: PullRequest) -> set[str]:
    return {path.split("/")[0] for path in pr.file_paths}


def codex(**fields) -> AgentConfig:
    return AgentConfig(name="codex", trigger=Trigger(kind="comment", value="@codex"), **fields)


def test_history_splits_records_by_component():
    pulls = [pull(1, "codex", True, 2, ("api/a.py",)), pull(2, "codex", True, 4, ("api/b.py", "web/c.ts")),
             pull(3, "codex", False, 1, ("web/c.ts",)), pull(4, "jules", True, 1, ("api/a.py",))]
    history = build_history(pulls, lambda pr: "bug", component_of)
    assert history.by_component[("codex", "api")].merged == 2
    assert history.by_component[("codex", "api")].abandoned == 0
    assert history.by_component[("codex", "web")].merged == 1
    assert history.by_component[("codex", "web")].abandoned == 1
    assert history.by_type[("codex", "bug")].finished == 3
    assert history.overall["jules"].merged == 1


def test_component_record_moves_score_and_states_evidence():
    pulls = [pull(n, "codex", True, 3, ("api/a.py",)) for n in range(1, 5)]
    pulls += [pull(n, "codex", False, 1, ("web/c.ts",)) for n in range(5, 9)]
    history = build_history(pulls, lambda pr: "bug", component_of)
    api_score = score_agent(codex(), "bug", ["api"], "M", history)
    web_score = score_agent(codex(), "bug", ["web"], "M", history)
    assert api_score.score > web_score.score
    assert "codex: 4/4 PRs in component api merged, median 3.0 h to merge" in api_score.reasons
    assert "codex: 0/4 PRs in component web merged" in web_score.reasons
    assert "codex: 4/8 bug PRs merged, median 3.0 h to merge" in api_score.reasons


def test_score_follows_the_smoothing_formula():
    pulls = [pull(1, "codex", True, 1, ("api/a.py",)), pull(2, "codex", False, 1, ("api/a.py",))]
    history = build_history(pulls, lambda pr: "docs", component_of)
    prior = BASE_PRIOR + STRENGTH_BONUS
    overall = (1 + SMOOTHING * prior) / (2 + SMOOTHING)
    typed = (1 + SMOOTHING * overall) / (2 + SMOOTHING)
    component = (1 + SMOOTHING * typed) / (2 + SMOOTHING)
    agent = codex(strengths={"types": ["docs"]})
    assert score_agent(agent, "docs", ["api"], "M", history).score == pytest.approx(component, abs=1e-4)
    assert score_agent(agent, "docs", [], "M", history).score == pytest.approx(typed, abs=1e-4)


def test_configured_prior_replaces_the_default():
    empty = history_from_records([])
    fitness = score_agent(codex(prior=0.8), "feature", [], "M", empty)
    assert fitness.score == pytest.approx(0.8)
    assert "configured prior 0.80" in fitness.reasons
    assert score_agent(codex(), "feature", [], "M", empty).score == pytest.approx(BASE_PRIOR)


def test_invalid_prior_is_rejected():
    document = {"agents": [{"name": "codex", "prior": 1.5, "trigger": {"kind": "label", "value": "x"}}]}
    with pytest.raises(ConfigError, match=r"agents\[0\]\.prior"):
        build_config(document, "agents.toml")


def test_analysis_records_components_and_route_shows_evidence(write_json):
    agents = tomllib.loads('[[agents]]\nname = "copilot"\ncapacity = 1\n'
                           'trigger = { kind = "assignee", value = "copilot-swe-agent[bot]" }\n'
                           'recognise = { logins = ["copilot-swe-agent"] }\n')
    config = build_config(agents, "test")
    bot = {"login": "app/copilot-swe-agent", "is_bot": True}
    pulls = [gh_pull(n, "Fix the parser", author=bot, files=[{"path": "parser/p.py"}]) for n in (10, 11, 12)]
    pulls.append(gh_pull(13, "Fix the parser", author=bot, state="CLOSED", mergedAt=None,
                         files=[{"path": "parser/q.py"}]))
    source = api.Source(issues=write_json("i.json", [gh_issue(1, "Bug in parser/p.py")]),
                        pulls=write_json("p.json", pulls))
    analysis = api.analyze(source, config=config, as_of="2026-01-10")
    record = analysis.agent_records[0]
    assert record.agent == "copilot"
    assert [(c.component, c.merged, c.abandoned) for c in record.components] == [("parser", 3, 1)]
    plan = api.route(analysis, config=config)
    reasons = plan.selected[0].reasons
    assert "copilot: 3/4 PRs in component parser merged, median 24.0 h to merge" in reasons
