"""Author classification rules and the --as-of rebuild."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from agentlanes.attribution import Attributor
from agentlanes.config import load_config
from agentlanes.model import Author, AuthorKind, Dataset, Issue, IssueState, PullRequest, PullState
from agentlanes.sources.asof import snapshot

ATTRIBUTOR = Attributor(load_config(None))
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def pull(**fields) -> PullRequest:
    base = dict(number=1, title="t", body="", state=PullState.MERGED, created_at=T0,
                merged_at=datetime(2026, 1, 3, tzinfo=UTC), author=Author("alice", False))
    base.update(fields)
    return PullRequest(**base)


@pytest.mark.parametrize(
    ("fields", "kind", "agent", "rule"),
    [
        (dict(author=Author("app/dependabot", True)), AuthorKind.DEPENDENCY_BOT, None, "dependency-bot"),
        (dict(author=Author("app/copilot-swe-agent", True)), AuthorKind.AGENT, "copilot", "bot-author"),
        (dict(author=Author("app/devin-ai-integration", True)), AuthorKind.AGENT, "devin", "bot-author"),
        (dict(author=Author("Claude Code Agent", False)), AuthorKind.AGENT, "claude", "author-name"),
        (dict(head_ref="codex/fix-login"), AuthorKind.AGENT, "codex", "branch-prefix"),
        (dict(head_ref="openhands-fix-issue-12"), AuthorKind.AGENT, "openhands", "branch-prefix"),
        (dict(commit_authors=("Cursor Agent",)), AuthorKind.AGENT, "cursor", "commit-trailer"),
        (dict(body="Task: https://chatgpt.com/codex/tasks/task_e_1"), AuthorKind.AGENT, "codex", "body-marker"),
        (dict(author=Author("AI Agent", False)), AuthorKind.AGENT, "unidentified", "generic-agent-name"),
        (dict(author=Author("app/github-actions", True)), AuthorKind.OTHER_BOT, None, "bot-author-other"),
        (dict(author=Author("Fleet Sync Bot", False)), AuthorKind.OTHER_BOT, None, "bot-author-other"),
        (dict(), AuthorKind.HUMAN, None, "default-human"),
    ],
)
def test_attribution_rules(fields, kind, agent, rule):
    result = ATTRIBUTOR.attribute(pull(**fields))
    assert result.kind is kind
    assert result.agent == agent
    assert result.rule == rule


def test_strongest_signal_wins():
    # A dependency bot PR co-authored by an agent is still dependency-bot work.
    result = ATTRIBUTOR.attribute(pull(author=Author("app/dependabot", True), commit_authors=("Claude",)))
    assert result.kind is AuthorKind.DEPENDENCY_BOT


def test_trailer_needs_whole_word():
    assert ATTRIBUTOR.attribute(pull(commit_authors=("Ampere Smith",))).kind is AuthorKind.HUMAN
    assert ATTRIBUTOR.attribute(pull(commit_authors=("Amp",))).agent == "amp"


def _dataset() -> Dataset:
    issues = (
        Issue(1, "open then", "", IssueState.CLOSED, T0, closed_at=datetime(2026, 2, 1, tzinfo=UTC),
              assignees=("bob",), status="closed"),
        Issue(2, "closed before", "", IssueState.CLOSED, T0, closed_at=datetime(2026, 1, 5, tzinfo=UTC)),
        Issue(3, "later", "", IssueState.OPEN, datetime(2026, 3, 1, tzinfo=UTC)),
        Issue(4, "no time", "", IssueState.OPEN, None),
    )
    pulls = (
        pull(number=10, merged_at=datetime(2026, 1, 20, tzinfo=UTC)),
        pull(number=11, merged_at=datetime(2026, 1, 5, tzinfo=UTC)),
        pull(number=12, state=PullState.CLOSED, merged_at=None, closed_at=None),
        pull(number=13, created_at=datetime(2026, 2, 1, tzinfo=UTC)),
    )
    return Dataset("d", issues, pulls)


def test_snapshot_rebuilds_states():
    cut = snapshot(_dataset(), datetime(2026, 1, 10, tzinfo=UTC))
    states = {i.number: i.state for i in cut.issues}
    assert states == {1: IssueState.OPEN, 2: IssueState.CLOSED}
    reopened = next(i for i in cut.issues if i.number == 1)
    assert reopened.assignees == ()
    assert reopened.closed_at is None
    pulls = {p.number: p.state for p in cut.pulls}
    assert pulls == {10: PullState.OPEN, 11: PullState.MERGED, 12: PullState.CLOSED}
    assert cut.now == datetime(2026, 1, 10, tzinfo=UTC)
    assert any("without creation time" in note for note in cut.notes)
    assert any("without close time" in note for note in cut.notes)


def test_snapshot_none_is_identity():
    data = _dataset()
    assert snapshot(data, None) is data
