"""``agentlanes init``: survey a checkout and its data, and write a commented ``agentlanes.toml``."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from agentlanes.analysis.paths import known_paths
from agentlanes.config import build_config
from agentlanes.init.codeowners import OwnerRule, find_codeowners, parse_codeowners
from agentlanes.init.inference import InferredComponent, PriorityLabel, infer_components, infer_priorities
from agentlanes.init.template import Survey, render_config
from agentlanes.model import Dataset, IssueState
from agentlanes.sources.gitrepo import Checkout, run_git


@dataclass(frozen=True)
class InitResult:
    """Result of ``init``: the file written (``None`` when only the text was requested) and the inferred settings."""

    path: Path | None
    text: str
    components: tuple[InferredComponent, ...]
    priorities: tuple[PriorityLabel, ...] | None
    codeowners: str | None
    tracked_files: int
    notes: tuple[str, ...]


def find_checkout(path: str | Path) -> Checkout | None:
    """Return the git checkout containing ``path``, or ``None`` when it is not inside one."""
    result = run_git(Path(path), "rev-parse", "--show-toplevel", check=False)
    return Checkout(Path(result.stdout.strip())) if result.returncode == 0 else None


_REMOTE_REPOSITORY = re.compile(r"[/:]([^/:]+/[^/]+?)(?:\.git)?/?$")


def checkout_repository(checkout: Checkout) -> str | None:
    """Return ``OWNER/REPO`` of the checkout's ``origin`` remote, or ``None`` without one."""
    result = run_git(checkout.path, "remote", "get-url", "origin", check=False)
    match = _REMOTE_REPOSITORY.search(result.stdout.strip()) if result.returncode == 0 else None
    return match.group(1) if match else None


def same_repository(checkout: Checkout, dataset: Dataset) -> bool:
    """True when the checkout's origin names the data set's repository (``OWNER/REPO`` or ``OWNER__REPO``)."""
    remote = checkout_repository(checkout)
    if remote is None:
        return False
    return remote.lower() in {dataset.name.lower(), dataset.name.replace("__", "/", 1).lower()}


def tracked_files(checkout: Checkout) -> list[str]:
    """Return the files git tracks in the checkout (the index, so also files not yet committed)."""
    result = run_git(checkout.path, "ls-files", "-z")
    return [name for name in result.stdout.split("\0") if name]


def _read_codeowners(checkout: Checkout) -> tuple[list[OwnerRule], str | None]:
    codeowners = find_codeowners(checkout.path)
    if codeowners is None:
        return [], None
    return parse_codeowners(codeowners.read_text("utf-8", errors="replace")), codeowners.relative_to(
        checkout.path).as_posix()


def _priority_labels(dataset: Dataset) -> tuple[tuple[PriorityLabel, ...], int]:
    """Return the priority-like labels of the data set and how many labels it has in all."""
    all_labels = {label.name for issue in dataset.issues for label in issue.labels}
    all_labels |= {label.name for pull in dataset.pulls for label in pull.labels}
    open_labels = [[label.name for label in issue.labels] for issue in dataset.issues
                   if issue.state is IssueState.OPEN]
    return tuple(infer_priorities(open_labels, all_labels)), len(all_labels)


def survey(checkout: Checkout | None, dataset: Dataset | None, data_origin: str = "") -> Survey:
    """Collect the components and priority labels for the file from a checkout and/or a data set."""
    sources: list[str] = []
    notes: list[str] = []
    tree: list[str] = []
    rules: list[OwnerRule] = []
    where = None
    if checkout is not None:
        tree = tracked_files(checkout)
        sources.append(f"the checkout at {checkout.path} ({len(tree)} tracked files)")
        rules, where = _read_codeowners(checkout)
        if where is not None:
            sources.append(f"{where} ({len(rules)} rules)")
    elif dataset is not None:
        tree = list(known_paths(dataset))
        notes.append("no checkout was given, so the files are those the history changed and CODEOWNERS was not read")
    components, component_notes = infer_components(tree, rules, where or "CODEOWNERS")

    priorities = None
    labels_seen = 0
    if dataset is not None:
        priorities, labels_seen = _priority_labels(dataset)
        sources.append(f"the labels of {len(dataset.issues)} issues and {len(dataset.pulls)} pull requests "
                       f"in {data_origin or dataset.name}")

    title = dataset.name if dataset is not None else (checkout.path.name if checkout is not None else "a repository")
    return Survey(
        title=title, sources=tuple(sources) or ("the built-in defaults",), components=tuple(components),
        component_notes=tuple(component_notes), priorities=priorities, labels_seen=labels_seen, notes=tuple(notes),
        codeowners=where, tracked_files=len(tree) if checkout is not None else 0,
    )


def render_checked(survey_result: Survey) -> str:
    """Render the file and validate it the way every command will read it."""
    text = render_config(survey_result)
    build_config(tomllib.loads(text), "the file agentlanes init writes")
    return text
