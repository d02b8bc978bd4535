"""Typed, frozen records for everything agentlanes reads from GitHub or git.

Parsers in ``agentlanes.sources`` build these records at the boundary; nothing past
that package touches raw payload dictionaries. Every timestamp is a timezone-aware
``datetime`` in UTC.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class AuthorKind(StrEnum):
    """Who made a contribution, as the dashboard buckets it."""

    HUMAN = "human"
    AGENT = "agent"
    DEPENDENCY_BOT = "dependency_bot"
    OTHER_BOT = "other_bot"


class IssueState(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class PullState(StrEnum):
    OPEN = "open"
    MERGED = "merged"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class Label:
    name: str
    description: str = ""


@dataclass(frozen=True, slots=True)
class Author:
    """A GitHub account (or, in git-derived data, a commit author name).

    ``login`` is ``"ghost"`` for deleted accounts, which GitHub reports as a null
    author. ``is_bot`` is what the payload said; ``None`` means it did not say.
    """

    login: str
    is_bot: bool | None = None


GHOST = Author(login="ghost", is_bot=False)


@dataclass(frozen=True, slots=True)
class Attribution:
    """Who produced a pull request, with the rule that decided it.

    ``agent`` names the coding agent when ``kind`` is ``AGENT`` (``"copilot"``,
    ``"jules"`` ...). ``rule`` is one of ``bot-author``, ``author-name``,
    ``branch-prefix``, ``commit-author``, ``commit-trailer``, ``body-marker``,
    ``dependency-bot``, ``bot-author-other`` or ``default-human``; ``evidence`` is
    the matched value, so a reader can check the call.
    """

    kind: AuthorKind
    agent: str | None
    rule: str
    evidence: str = ""


@dataclass(frozen=True, slots=True)
class ChangedFile:
    path: str
    additions: int | None = None
    deletions: int | None = None


@dataclass(frozen=True, slots=True)
class Dependency:
    """An edge "this issue depends on ``target``".

    ``kind`` is ``blocked-by`` (the issue cannot start before the target closes),
    ``blocks`` (the target cannot start before this issue closes; analysis turns
    it into a ``blocked-by`` edge on the target), ``parent`` (the target is this
    issue's parent, which does not block) or ``child`` (a sub-issue or task-list
    item, which blocks closing this issue, so it is treated as blocking). ``source`` says where the edge was read:
    ``text``, ``task-list``, ``sub-issues``, ``blocked-by``, ``x_dependencies``.
    """

    target: int
    kind: str
    source: str


@dataclass(frozen=True, slots=True)
class Issue:
    number: int
    title: str
    body: str
    state: IssueState
    created_at: datetime | None
    closed_at: datetime | None = None
    updated_at: datetime | None = None
    author: Author = GHOST
    assignees: tuple[str, ...] = ()
    labels: tuple[Label, ...] = ()
    url: str = ""
    dependencies: tuple[Dependency, ...] = ()
    closed_by_pulls: tuple[int, ...] = ()
    # Workflow status beyond open/closed when the tracker has one (beads:
    # ``in_progress``, ``hooked``), and its own priority (0 = highest).
    status: str | None = None
    priority: int | None = None
    issue_type: str | None = None

    @property
    def label_names(self) -> tuple[str, ...]:
        return tuple(label.name for label in self.labels)

    @property
    def text(self) -> str:
        return f"{self.title}\n\n{self.body}" if self.body else self.title


@dataclass(frozen=True, slots=True)
class TimelineEvent:
    """A pull-request timeline item that matters for metrics.

    ``kind`` is one of ``added_to_merge_queue``, ``removed_from_merge_queue``,
    ``head_ref_force_pushed``, ``ready_for_review``, ``convert_to_draft``,
    ``base_merged_into_head`` or ``conflict_observed``. ``reason`` carries the
    merge-queue removal reason when GitHub gives one.
    """

    kind: str
    at: datetime
    reason: str = ""


@dataclass(frozen=True, slots=True)
class PullCommit:
    """One commit of a pull request, as the ``commits`` field of ``gh pr list --json`` lists it.

    ``authors`` holds the logins and names of the commit's authors, including
    ``Co-authored-by`` co-authors.
    """

    oid: str
    authors: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PullRequest:
    number: int
    title: str
    body: str
    state: PullState
    created_at: datetime
    merged_at: datetime | None = None
    closed_at: datetime | None = None
    author: Author = GHOST
    attribution: Attribution = Attribution(
        kind=AuthorKind.HUMAN, agent=None, rule="default-human"
    )
    is_draft: bool = False
    head_ref: str | None = None
    base_ref: str | None = None
    head_oid: str | None = None
    # ``baseRefOid``: the base branch's commit when the data was exported.
    base_oid: str | None = None
    merge_commit_oid: str | None = None
    labels: tuple[Label, ...] = ()
    # ``None`` when the source did not list changed files; ``()`` when it listed none.
    files: tuple[ChangedFile, ...] | None = None
    closing_issues: tuple[int, ...] = ()
    assignees: tuple[str, ...] = ()
    review_decision: str | None = None
    mergeable: str | None = None
    merge_state_status: str | None = None
    ready_for_review_at: datetime | None = None
    timeline: tuple[TimelineEvent, ...] = ()
    commit_count: int | None = None
    # Names and logins of the PR's commit authors and ``Co-authored-by`` names,
    # where the source lists them; used to recognise agent work.
    commit_authors: tuple[str, ...] = ()
    # The PR's own commits with their authors, where the source lists them.
    commits: tuple[PullCommit, ...] = ()
    url: str = ""

    @property
    def file_paths(self) -> tuple[str, ...]:
        return tuple(f.path for f in self.files or ())

    @property
    def finished_at(self) -> datetime | None:
        """Merge time for merged pull requests, close time for closed ones."""
        if self.state is PullState.MERGED:
            return self.merged_at
        return self.closed_at


@dataclass(frozen=True, slots=True)
class Commit:
    sha: str
    parents: tuple[str, ...]
    author_name: str
    authored_at: datetime
    committed_at: datetime
    subject: str
    author_login: str | None = None
    author_is_bot: bool | None = None
    committer_name: str = ""
    coauthors: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    # Issue numbers the commit message names (beads ids resolved to numbers).
    issue_refs: tuple[int, ...] = ()
    # The message after the subject, when the source has it (a local checkout does).
    body: str = ""


@dataclass(frozen=True, slots=True)
class QueueSnapshot:
    """The merge queue of ``branch`` as read live at ``taken_at``: its depth and PR numbers."""

    taken_at: datetime
    depth: int
    branch: str = ""
    pulls: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Skip:
    """An input item that could not be used, and why. Counted, never silent."""

    source: str
    item: str
    reason: str


@dataclass(frozen=True, slots=True)
class Dataset:
    """Everything loaded from one repository's data, before any ``--as-of`` cut."""

    name: str
    issues: tuple[Issue, ...]
    pulls: tuple[PullRequest, ...]
    commits: tuple[Commit, ...] = ()
    # Issue number -> paths changed by the commits that reference the issue,
    # where a data set supplies that link (``x_issue_files.json``).
    issue_files: dict[int, tuple[str, ...]] = field(default_factory=dict)
    skips: tuple[Skip, ...] = ()
    origin: str = ""
    # Merge-queue readings stored by ``agentlanes sync``, oldest first.
    queue_snapshots: tuple[QueueSnapshot, ...] = ()
    # Set by ``sources.asof.snapshot``: the moment this view was rebuilt for, and
    # what the rebuild had to assume (e.g. unknown close times).
    as_of: datetime | None = None
    notes: tuple[str, ...] = ()

    @property
    def now(self) -> datetime | None:
        """The moment the data describes: ``as_of`` if set, else the newest event."""
        return self.as_of or self.latest_event

    @property
    def latest_event(self) -> datetime | None:
        """The newest timestamp anywhere in the data, a natural default for "now"."""
        stamps = self._stamps()
        return max(stamps) if stamps else None

    @property
    def earliest_event(self) -> datetime | None:
        """The oldest timestamp anywhere in the data."""
        stamps = self._stamps()
        return min(stamps) if stamps else None

    def _stamps(self) -> list[datetime]:
        stamps: list[datetime] = []
        for issue in self.issues:
            stamps.extend(t for t in (issue.created_at, issue.closed_at) if t)
        for pull in self.pulls:
            stamps.extend(t for t in (pull.created_at, pull.merged_at, pull.closed_at) if t)
        stamps.extend(commit.committed_at for commit in self.commits)
        # A merge-queue snapshot is an observation of the repository at its moment.
        stamps.extend(reading.taken_at for reading in self.queue_snapshots)
        return stamps
