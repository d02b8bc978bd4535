"""The GraphQL documents sync sends, and the page sizes and caps they use.

Page sizes: GitHub stops a GraphQL query after 10 s and replies 502. An issue
page of 100 is light (scalars, labels, assignees). A pull-request page carries up
to 100 changed files, 100 timeline events and 50 commit messages per PR, so 100 PRs
can reach 10,000 file nodes plus 5,000 commit messages in one reply; 50 halves that
and still meets the target of one request per 50 PRs. After a 502 or 504, sync
halves the page (down to ``MIN_PAGE_SIZE``), and doubles it again after
``RECOVER_AFTER_PAGES`` pages in a row succeed.

Cost: GitHub adds up the list requests a query implies (one per list per parent
item) and charges about one point per 100. A PR page of 50 asks for 6 lists per
PR plus the merge commit's parents, about 351 list requests or 4 points; an
issue page of 100 asks for 3 lists per issue, about 3 points. No list is nested
inside a nested list (commit authors come from the single ``author`` field and
message trailers), because that multiplies the cost.

Issue relations: asking for the sub-issue, blocked-by and blocking lists on the
issue page would add 3 lists per issue, 300 list requests or 3 more points a
page, although most issues have no relations. The page asks instead for each
issue's ``parent`` and the counts in ``subIssuesSummary`` and
``issueDependenciesSummary``: single objects, not lists, so they cost nothing
extra. Only the lists whose count is above zero are then read, as aliases of
one follow-up query (``relation_query``), ``RELATION_BATCH`` lists a request.
Each alias is one list request, so a follow-up costs about 1 point (GitHub's
minimum) and a sync without relations sends none.
"""

from __future__ import annotations

ISSUE_PAGE_SIZE = 100
PULL_PAGE_SIZE = 50
MIN_PAGE_SIZE = 5
# Pages that must succeed at a reduced size before the size doubles again, so a
# single 502 does not slow the rest of a long run.
RECOVER_AFTER_PAGES = 10
# Nested lists: changed files, timeline events and closing issues past their
# first page are fetched with follow-up queries (``FOLLOW_UPS``); labels,
# assignees, linked pull requests of issues and commits are cut at these caps,
# and sync reports how many items were cut.
FILES_PAGE_SIZE = 100
TIMELINE_PAGE_SIZE = 100
CLOSING_PAGE_SIZE = 25
FOLLOW_UP_PAGE_SIZE = 100
# Follow-up pages fetched per request. GitHub charges a query about one point per
# 100 list requests it implies, so 10 lists of 100 cost 1 point, like one list.
FOLLOW_UP_BATCH = 10
# Issue relation lists read per follow-up request. 100 lists of at most 100 issues
# (a number and a URL each) request 10,000 nodes at most, as many as the file
# nodes of one PR page, and cost about 1 point. A page of 100 issues with at most
# 100 relation lists then needs one follow-up, which keeps a first sync of N
# issues within ceil(N/50) requests.
RELATION_BATCH = 100
LABELS_CAP = 50
ASSIGNEES_CAP = 20
LINKED_CAP = 20
COMMITS_CAP = 50
QUEUE_ENTRIES_CAP = 100

TIMELINE_TYPES = (
    "ADDED_TO_MERGE_QUEUE_EVENT",
    "REMOVED_FROM_MERGE_QUEUE_EVENT",
    "HEAD_REF_FORCE_PUSHED_EVENT",
    "READY_FOR_REVIEW_EVENT",
    "CONVERT_TO_DRAFT_EVENT",
)

_ACTOR = "{ __typename login }"

_TIMELINE_NODES = """
  pageInfo { hasNextPage endCursor }
  nodes {
    __typename
    ... on AddedToMergeQueueEvent { createdAt }
    ... on RemovedFromMergeQueueEvent { createdAt reason }
    ... on HeadRefForcePushedEvent { createdAt }
    ... on ReadyForReviewEvent { createdAt }
    ... on ConvertToDraftEvent { createdAt }
  }
"""

_FILE_NODES = "totalCount pageInfo { hasNextPage endCursor } nodes { path additions deletions }"
_CLOSING_NODES = "totalCount pageInfo { hasNextPage endCursor } nodes { number }"
_TYPES = ", ".join(TIMELINE_TYPES)

# An issue's relations as the issue page requests them, from the most to the least
# that a server may know (see ``agentlanes.github.relations``). Relation targets
# carry their URL, which tells an issue of another repository from one of this one.
_TARGET = "number url"
RELATIONS_WITH_TOTALS = (
    f"parent {{ {_TARGET} }} subIssuesSummary {{ total }} issueDependenciesSummary {{ totalBlockedBy totalBlocking }}"
)
# ``blockedBy`` and ``blocking`` of the summary count open issues only.
RELATIONS_OPEN_COUNTS = f"parent {{ {_TARGET} }} subIssuesSummary {{ total }} issueDependenciesSummary {{ blockedBy blocking }}"
RELATIONS_SUB_ISSUES = f"parent {{ {_TARGET} }} subIssuesSummary {{ total }}"

# NOTE: closedByPullRequestsReferences and the merge-queue event types are recent
# additions; an older GitHub Enterprise Server rejects these queries as invalid.
_ISSUES = """
query SyncIssues($owner: String!, $name: String!, $first: Int!, $after: String) {{
  repository(owner: $owner, name: $name) {{
    defaultBranchRef {{ name }}
    issues(first: $first, after: $after, orderBy: {{field: UPDATED_AT, direction: ASC}}) {{
      totalCount
      pageInfo {{ hasNextPage endCursor }}
      nodes {{
        id number title body state url createdAt updatedAt closedAt
        author {_ACTOR}
        labels(first: {LABELS_CAP}) {{ totalCount nodes {{ name description }} }}
        assignees(first: {ASSIGNEES_CAP}) {{ totalCount nodes {{ login }} }}
        closedByPullRequestsReferences(first: {LINKED_CAP}, includeClosedPrs: false) {{ totalCount nodes {{ number }} }}
        {relations}
      }}
    }}
  }}
}}
"""


def issues_query(relations: str) -> str:
    """Build the issue page query; ``relations`` is one of the ``RELATIONS_*`` selections, or empty."""
    return _ISSUES.format(_ACTOR=_ACTOR, LABELS_CAP=LABELS_CAP, ASSIGNEES_CAP=ASSIGNEES_CAP, LINKED_CAP=LINKED_CAP,
                          relations=relations)


ISSUES = issues_query(RELATIONS_WITH_TOTALS)

PULLS = f"""
query SyncPullRequests($owner: String!, $name: String!, $first: Int!, $after: String) {{
  repository(owner: $owner, name: $name) {{
    pullRequests(first: $first, after: $after, orderBy: {{field: UPDATED_AT, direction: ASC}}) {{
      totalCount
      pageInfo {{ hasNextPage endCursor }}
      nodes {{
        id number title body state isDraft url createdAt updatedAt closedAt mergedAt
        author {_ACTOR}
        headRefName baseRefName headRefOid baseRefOid
        reviewDecision mergeable mergeStateStatus
        mergeCommit {{
          oid messageHeadline messageBody authoredDate committedDate
          author {{ name user {{ login }} }}
          committer {{ name }}
          parents(first: 2) {{ nodes {{ oid }} }}
        }}
        labels(first: {LABELS_CAP}) {{ totalCount nodes {{ name description }} }}
        assignees(first: {ASSIGNEES_CAP}) {{ totalCount nodes {{ login }} }}
        closingIssuesReferences(first: {CLOSING_PAGE_SIZE}) {{ {_CLOSING_NODES} }}
        files(first: {FILES_PAGE_SIZE}) {{ {_FILE_NODES} }}
        timelineItems(first: {TIMELINE_PAGE_SIZE}, itemTypes: [{_TYPES}]) {{ {_TIMELINE_NODES} }}
        commits(first: {COMMITS_CAP}) {{
          totalCount
          nodes {{ commit {{ messageBody author {{ name user {{ login }} }} }} }}
        }}
      }}
    }}
  }}
}}
"""


# The pull-request lists read to the end with follow-up queries: field name ->
# (arguments besides ``after``, selection).
FOLLOW_UPS = {
    "files": (f"first: {FOLLOW_UP_PAGE_SIZE}", _FILE_NODES),
    "timelineItems": (f"first: {FOLLOW_UP_PAGE_SIZE}, itemTypes: [{_TYPES}]", _TIMELINE_NODES),
    "closingIssuesReferences": (f"first: {FOLLOW_UP_PAGE_SIZE}", _CLOSING_NODES),
}


# The issue relation lists, read with follow-up queries from their first page.
_RELATION_NODES = f"totalCount pageInfo {{ hasNextPage endCursor }} nodes {{ {_TARGET} }}"
RELATION_LISTS = {
    "subIssues": (f"first: {FOLLOW_UP_PAGE_SIZE}", _RELATION_NODES),
    "blockedBy": (f"first: {FOLLOW_UP_PAGE_SIZE}", _RELATION_NODES),
    "blocking": (f"first: {FOLLOW_UP_PAGE_SIZE}", _RELATION_NODES),
}


def _lists_query(operation: str, type_name: str, fields: dict[str, tuple[str, str]], lists: list[str]) -> str:
    parameters = ", ".join(f"$id{i}: ID!, $after{i}: String" for i in range(len(lists)))
    aliases = "\n".join(
        f"  l{i}: node(id: $id{i}) {{ ... on {type_name} {{ {key}({fields[key][0]}, after: $after{i}) {{ {fields[key][1]} }} }} }}"
        for i, key in enumerate(lists)
    )
    return f"query {operation}({parameters}) {{\n{aliases}\n}}\n"


def follow_up_query(lists: list[str]) -> str:
    """Build one query for the next pages of several PR lists, as aliases ``l0``, ``l1`` ...

    ``lists`` names the field of each alias; the variables are ``$id0``, ``$after0`` ...
    """
    return _lists_query("SyncPullRequestLists", "PullRequest", FOLLOW_UPS, lists)


def relation_query(lists: list[str]) -> str:
    """Build one query for pages of several issue relation lists, with the aliases and variables of ``follow_up_query``.

    ``$afterN`` is null for a list's first page.
    """
    return _lists_query("SyncIssueRelations", "Issue", RELATION_LISTS, lists)


MERGE_QUEUE = f"""
query SyncMergeQueue($owner: String!, $name: String!, $branch: String!) {{
  repository(owner: $owner, name: $name) {{
    mergeQueue(branch: $branch) {{
      entries(first: {QUEUE_ENTRIES_CAP}) {{
        totalCount
        nodes {{ position state enqueuedAt pullRequest {{ number }} }}
      }}
    }}
  }}
}}
"""
