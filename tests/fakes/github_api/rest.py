"""REST endpoints of issues that dispatch reads and writes, in GitHub's REST shapes.

- ``GET /repos/{owner}/{repo}/issues/{number}`` (pull requests carry ``pull_request``);
- ``POST .../issues/{number}/labels`` with ``{"labels": [...]}`` (200, the issue's labels);
- ``POST .../issues/{number}/assignees`` with ``{"assignees": [...]}`` (201, the issue);
  logins in ``repository.unassignable`` are ignored without an error, as GitHub does;
- ``POST .../issues/{number}/comments`` with ``{"body": "..."}`` (201, the comment).

A body of the wrong shape gets GitHub's 422 ``Invalid request.`` reply, and an
unknown repository or number a 404.
"""

from __future__ import annotations

import itertools
import re
import zlib
from typing import Any

from fakes.github_api.server import FakeGitHub, FakeRequest, FakeResponse
from fakes.github_api.state import FakeRepository, iso

_ISSUE = r"/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)/issues/(?P<number>\d+)"
_comment_ids = itertools.count(1000)
# The login the fake's token belongs to (``GET /user`` returns it too).
VIEWER = "octocat"


def _not_found() -> FakeResponse:
    return FakeResponse(404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"})


def _invalid(detail: str) -> FakeResponse:
    return FakeResponse(422, {"message": "Invalid request.", "errors": [detail],
                              "documentation_url": "https://docs.github.com/rest"})


def rest_user(login: str) -> dict[str, Any]:
    return {"login": login, "id": zlib.crc32(login.encode()), "type": "Bot" if login.endswith("[bot]") else "User"}


def rest_label(label: dict[str, Any]) -> dict[str, Any]:
    return {"id": zlib.crc32(label["name"].encode()), "name": label["name"],
            "description": label.get("description") or "", "color": "ededed", "default": False}


def rest_issue(repository: FakeRepository, record: dict[str, Any]) -> dict[str, Any]:
    number = record["number"]
    issue = {
        "number": number, "title": record["title"], "body": record.get("body") or "",
        "state": record["state"].lower() if record["state"] != "MERGED" else "closed",
        "html_url": record["url"], "url": f"https://api.example/repos/{repository.full_name}/issues/{number}",
        "user": rest_user((record.get("author") or {}).get("login") or "ghost"),
        "labels": [rest_label(label) for label in record.get("labels") or []],
        "assignees": [rest_user(login) for login in record.get("assignees") or []],
        "comments": len(repository.comments.get(number, [])),
        "created_at": record.get("createdAt"), "updated_at": record.get("updatedAt"), "closed_at": record.get("closedAt"),
    }
    issue["assignee"] = issue["assignees"][0] if issue["assignees"] else None
    if record["__typename"] == "PullRequest":
        issue["pull_request"] = {"url": f"https://api.example/repos/{repository.full_name}/pulls/{number}"}
    return issue


def _target(fake: FakeGitHub, match: re.Match[str]) -> tuple[FakeRepository, dict[str, Any]] | None:
    repository = fake.state.repository(match["owner"], match["repo"])
    if repository is None:
        return None
    try:
        return repository, repository.item(int(match["number"]))
    except KeyError:
        return None


def _strings(request: FakeRequest, key: str) -> list[str] | None:
    body = request.json
    # GitHub also takes a bare list of names for labels.
    values = body if key == "labels" and isinstance(body, list) else None
    if isinstance(body, dict):
        values = body.get(key)
    if not isinstance(values, list) or not values or not all(isinstance(v, str) and v.strip() for v in values):
        return None
    return values


def get_issue(fake: FakeGitHub, _request: FakeRequest, match: re.Match[str]) -> FakeResponse:
    found = _target(fake, match)
    return _not_found() if found is None else FakeResponse(200, rest_issue(*found))


def add_labels(fake: FakeGitHub, request: FakeRequest, match: re.Match[str]) -> FakeResponse:
    found = _target(fake, match)
    if found is None:
        return _not_found()
    names = _strings(request, "labels")
    if names is None:
        return _invalid("'labels' must be a non-empty list of label names")
    repository, record = found
    labels = list(record.get("labels") or [])
    for name in names:
        known = repository.labels.setdefault(name.lower(), {"name": name, "description": ""})
        if all(label["name"].lower() != name.lower() for label in labels):
            labels.append({"name": known["name"], "description": known.get("description", "")})
    updated = repository.update(record["number"], labels=labels)
    return FakeResponse(200, [rest_label(label) for label in updated["labels"]])


def add_assignees(fake: FakeGitHub, request: FakeRequest, match: re.Match[str]) -> FakeResponse:
    found = _target(fake, match)
    if found is None:
        return _not_found()
    logins = _strings(request, "assignees")
    if logins is None:
        return _invalid("'assignees' must be a non-empty list of logins")
    repository, record = found
    assignees = list(record.get("assignees") or [])
    assignees += [login for login in logins if login not in repository.unassignable and login not in assignees]
    updated = repository.update(record["number"], assignees=assignees)
    return FakeResponse(201, rest_issue(repository, updated))


def add_comment(fake: FakeGitHub, request: FakeRequest, match: re.Match[str]) -> FakeResponse:
    found = _target(fake, match)
    if found is None:
        return _not_found()
    body = request.json.get("body") if isinstance(request.json, dict) else None
    if not isinstance(body, str) or not body.strip():
        return _invalid("'body' must be a non-empty string")
    repository, record = found
    comment = {"id": next(_comment_ids), "body": body, "user": rest_user(VIEWER), "created_at": iso(fake.clock.time()),
               "html_url": f"{record['url']}#issuecomment"}
    with repository.lock:
        repository.comments.setdefault(record["number"], []).append(comment)
    repository.update(record["number"])
    return FakeResponse(201, comment)


def register_issue_routes(fake: FakeGitHub) -> None:
    fake.add_route("GET", _ISSUE, get_issue)
    fake.add_route("POST", _ISSUE + "/labels", add_labels)
    fake.add_route("POST", _ISSUE + "/assignees", add_assignees)
    fake.add_route("POST", _ISSUE + "/comments", add_comment)
