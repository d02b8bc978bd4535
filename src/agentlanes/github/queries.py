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

# NOTE: closedByPullRequestsReferences and the merge-queue event types are recent
# additions; an older GitHub Enterprise Server rejects these queries as invalid.
ISSUES = f"""
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
      }}
    }}
  }}
}}
"""

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


def follow_up_query(lists: list[str]) -> str:
    """Build one query for the next pages of several PR lists, as aliases ``l0``, ``l1`` ...

    ``lists`` names the field of each alias; the variables are ``$id0``, ``$after0`` ...
    """
    parameters = ", ".join(f"$id{i}: ID!, $after{i}: String" for i in range(len(lists)))
    aliases = "\n".join(
        f"  l{i}: node(id: $id{i}) {{ ... on PullRequest {{ {key}({FOLLOW_UPS[key][0]}, after: $after{i}) {{ {FOLLOW_UPS[key][1]} }} }} }}"
        for i, key in enumerate(lists)
    )
    return f"query SyncPullRequestLists({parameters}) {{\n{aliases}\n}}\n"

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
