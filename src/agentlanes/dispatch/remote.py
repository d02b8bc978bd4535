"""The GitHub reads of dispatch, parsed into frozen records in this module.

- ``fetch_issue``: one issue right before acting on it. A REST request returns
  its state, assignees and labels, bot assignees included. One GraphQL query
  then returns its latest comments and the open pull requests linked to it by
  closing keywords, the Development sidebar or plain cross-references.
- ``fetch_open_work``: every open pull request and open issue, for the work
  already in flight. This costs one GraphQL request per 100 of each.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from agentlanes.errors import RemoteError
from agentlanes.github.client import GitHubClient, HTTPStatusError
from agentlanes.github.endpoint import RepoRef
from agentlanes.model import Issue, PullRequest
from agentlanes.sources import camel
from agentlanes.sources.payload import Item

# Page sizes and caps of the queries below (GitHub allows at most 100 per page).
PAGE_SIZE = 100
LABELS_CAP = 100
ASSIGNEES_CAP = 20
LINKED_CAP = 25
# Only the latest comments and cross-references are read; older agentlanes
# comments are still known from the audit log.
COMMENTS_CAP = 100
CROSS_REFERENCES_CAP = 100

ISSUE_LINKS = f"""
query DispatchIssueLinks($owner: String!, $name: String!, $number: Int!) {{
  repository(owner: $owner, name: $name) {{
    issue(number: $number) {{
      number
      closedByPullRequestsReferences(first: {LINKED_CAP}, includeClosedPrs: false) {{ nodes {{ number state url }} }}
      timelineItems(last: {CROSS_REFERENCES_CAP}, itemTypes: [CROSS_REFERENCED_EVENT]) {{
        nodes {{ ... on CrossReferencedEvent {{ source {{ __typename ... on PullRequest {{ number state url }} }} }} }}
      }}
      comments(last: {COMMENTS_CAP}) {{ totalCount nodes {{ body author {{ login }} }} }}
    }}
  }}
}}
"""

OPEN_PULLS = f"""
query DispatchOpenPullRequests($owner: String!, $name: String!, $after: String) {{
  repository(owner: $owner, name: $name) {{
    pullRequests(first: {PAGE_SIZE}, after: $after, states: [OPEN], orderBy: {{field: CREATED_AT, direction: ASC}}) {{
      pageInfo {{ hasNextPage endCursor }}
      nodes {{
        number title body state isDraft url createdAt headRefName
        author {{ __typename login }}
        closingIssuesReferences(first: {LINKED_CAP}) {{ nodes {{ number }} }}
      }}
    }}
  }}
}}
"""

OPEN_ISSUES = f"""
query DispatchOpenIssues($owner: String!, $name: String!, $after: String) {{
  repository(owner: $owner, name: $name) {{
    issues(first: {PAGE_SIZE}, after: $after, states: [OPEN], orderBy: {{field: CREATED_AT, direction: ASC}}) {{
      pageInfo {{ hasNextPage endCursor }}
      nodes {{
        number title state url createdAt
        labels(first: {LABELS_CAP}) {{ nodes {{ name }} }}
        assignees(first: {ASSIGNEES_CAP}) {{ nodes {{ login }} }}
        closedByPullRequestsReferences(first: {LINKED_CAP}, includeClosedPrs: false) {{ nodes {{ number }} }}
      }}
    }}
  }}
}}
"""


@dataclass(frozen=True, slots=True)
class Comment:
    author: str
    body: str


@dataclass(frozen=True, slots=True)
class IssueOnGitHub:
    """One issue as GitHub showed it just now.

    ``found`` is false when GitHub has no such issue (deleted or transferred),
    and ``is_pull`` is true when the number belongs to a pull request.
    ``open_pulls`` lists the URLs of open pull requests linked to the issue.
    ``comments`` contains the latest ``COMMENTS_CAP`` of ``comments_total``.
    """

    number: int
    found: bool = True
    is_pull: bool = False
    open: bool = True
    assignees: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    open_pulls: tuple[str, ...] = ()
    comments: tuple[Comment, ...] = ()
    comments_total: int = 0


def check_repository(client: GitHubClient, repo: RepoRef) -> None:
    """Fail early, with a clear message, when the repository is missing or hidden from the token."""
    try:
        client.rest("GET", f"repos/{repo.full_name}", description=f"reading repository {repo.full_name}")
    except HTTPStatusError as exc:
        if exc.status == 404:
            raise RemoteError(f"repository {repo.full_name} not found",
                              "check -R OWNER/REPO and --api-url, and that the token can see the repository") from None
        raise


def fetch_issue(client: GitHubClient, repo: RepoRef, number: int) -> IssueOnGitHub:
    """Read issue ``number``: state, assignees and labels by REST; links and comments only for an open issue."""
    try:
        raw = client.rest("GET", f"repos/{repo.full_name}/issues/{number}",
                          description=f"reading {repo.full_name}#{number}")
    except HTTPStatusError as exc:
        if exc.status in (404, 410):  # 410: the issue was deleted
            return IssueOnGitHub(number, found=False)
        raise
    if not isinstance(raw, dict):
        raise RemoteError(f"reading {repo.full_name}#{number} returned no issue object", "check --api-url")
    issue = IssueOnGitHub(
        number=number,
        is_pull="pull_request" in raw,
        open=raw.get("state") == "open",
        assignees=tuple(_logins(raw.get("assignees"))),
        labels=tuple(entry["name"] for entry in raw.get("labels") or []
                     if isinstance(entry, dict) and isinstance(entry.get("name"), str)),
    )
    if issue.is_pull or not issue.open or issue.assignees:
        return issue
    return _with_links(client, repo, issue)


def _logins(entries: Any) -> list[str]:
    return [entry["login"] for entry in entries or [] if isinstance(entry, dict) and isinstance(entry.get("login"), str)]


def _with_links(client: GitHubClient, repo: RepoRef, issue: IssueOnGitHub) -> IssueOnGitHub:
    variables = {"owner": repo.owner, "name": repo.name, "number": issue.number}
    reply = client.graphql(ISSUE_LINKS, variables, description=f"reading the links of {repo.full_name}#{issue.number}")
    node = ((reply.data.get("repository") or {}).get("issue")) if isinstance(reply.data, dict) else None
    if not isinstance(node, dict):
        return IssueOnGitHub(issue.number, found=False)
    pulls = [entry for entry in _nodes(node.get("closedByPullRequestsReferences")) if isinstance(entry, dict)]
    for event in _nodes(node.get("timelineItems")):
        source = event.get("source") if isinstance(event, dict) else None
        if isinstance(source, dict) and source.get("__typename") == "PullRequest":
            pulls.append(source)
    open_pulls = tuple(dict.fromkeys(str(p.get("url") or f"#{p.get('number')}") for p in pulls if p.get("state") == "OPEN"))
    comments_connection = node.get("comments") or {}
    comments = tuple(
        Comment(str((entry.get("author") or {}).get("login") or "ghost"), str(entry.get("body") or ""))
        for entry in _nodes(comments_connection) if isinstance(entry, dict)
    )
    total = comments_connection.get("totalCount") if isinstance(comments_connection, dict) else None
    return replace(issue, open_pulls=open_pulls, comments=comments,
                   comments_total=total if isinstance(total, int) else len(comments))


def _nodes(connection: Any) -> list[Any]:
    if not isinstance(connection, dict):
        return []
    return [node for node in connection.get("nodes") or [] if node is not None]


def fetch_open_work(client: GitHubClient, repo: RepoRef) -> tuple[list[PullRequest], list[Issue]]:
    """Read every open pull request and open issue, parsed into model records."""
    pulls = [camel.parse_pull(Item(node, "open pull requests on GitHub", index))
             for index, node in enumerate(_all_nodes(client, repo, OPEN_PULLS, "pullRequests"), 1)]
    skips: list[Any] = []
    issues = [issue for index, node in enumerate(_all_nodes(client, repo, OPEN_ISSUES, "issues"), 1)
              if (issue := camel.parse_issue(Item(node, "open issues on GitHub", index), skips)) is not None]
    return pulls, issues


def _all_nodes(client: GitHubClient, repo: RepoRef, query: str, field: str) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    after: str | None = None
    while True:
        variables = {"owner": repo.owner, "name": repo.name, "after": after}
        reply = client.graphql(query, variables, description=f"listing the open {field} of {repo.full_name}")
        repository = reply.data.get("repository")
        if not isinstance(repository, dict):
            raise RemoteError(f"repository {repo.full_name} not found",
                              "check -R OWNER/REPO and that the token can see the repository")
        connection = repository.get(field) or {}
        nodes.extend(node for node in _nodes(connection) if isinstance(node, dict))
        page = connection.get("pageInfo") or {}
        if not page.get("hasNextPage") or not page.get("endCursor"):
            return nodes
        after = page["endCursor"]
