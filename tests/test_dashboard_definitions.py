"""Every number the dashboard shows has a written definition in docs/metrics.md."""

from __future__ import annotations

import re
import types
import typing
from pathlib import Path

import pytest
from pydantic import BaseModel

from agentlanes import api
from agentlanes.demo.generator import write_sample
from agentlanes.metrics.catalog import DEFINITIONS_DOC, METRICS
from agentlanes.metrics.models import Dashboard
from agentlanes.render.dashboard_html import render_html
from agentlanes.render.dashboard_md import render_markdown

from conftest import REPO_ROOT

DOC = (REPO_ROOT / "docs" / "metrics.md").read_text("utf-8")
PAGE_SECTIONS = {"Summary", "Notes"}


def doc_sections() -> dict[str, str]:
    """``## heading`` -> the text up to the next such heading."""
    parts = re.split(r"^## (.+)$", DOC, flags=re.MULTILINE)
    return {parts[i].strip(): parts[i + 1] for i in range(1, len(parts), 2)}


def model_paths(model: type[BaseModel], prefix: str = "") -> set[str]:
    """Leaf field paths of a model: ``[]`` for list items, ``{}`` for map values of models."""
    paths: set[str] = set()
    for name, field in model.model_fields.items():
        annotation, suffix = field.annotation, ""
        origin, args = typing.get_origin(annotation), typing.get_args(annotation)
        if origin is list:
            annotation, suffix = args[0], "[]"
        elif origin is dict:
            annotation, suffix = args[1], "{}"
        elif origin in (typing.Union, types.UnionType):
            annotation = next(arg for arg in args if arg is not type(None))
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            paths |= model_paths(annotation, f"{prefix}{name}{suffix}.")
        else:
            paths.add(prefix + name)
    return paths


def documented_fields() -> set[str]:
    table = doc_sections()["JSON fields"]
    return set(re.findall(r"^\| `([^`]+)` \|", table, flags=re.MULTILINE))


@pytest.fixture(scope="module")
def board(tmp_path_factory: pytest.TempPathFactory) -> Dashboard:
    sample = write_sample(tmp_path_factory.mktemp("sample"), seed=3)
    return api.dashboard(api.Source(from_dir=sample))


@pytest.mark.parametrize("key", sorted(METRICS))
def test_metric_has_doc_section(key: str):
    sections = doc_sections()
    title = METRICS[key].title
    assert title in sections, f"docs/metrics.md has no '## {title}' section"
    for part in ("**Formula.**", "**Window.**", "**What counts.**"):
        assert part in sections[title], f"section '{title}' does not state {part}"


def test_every_json_field_documented():
    missing = model_paths(Dashboard) - documented_fields()
    assert not missing, f"JSON fields without a definition in docs/metrics.md: {sorted(missing)}"


def test_no_stale_json_field_documented():
    stale = documented_fields() - model_paths(Dashboard)
    assert not stale, f"docs/metrics.md defines fields the JSON no longer has: {sorted(stale)}"


def test_markdown_panels_are_defined(board: Dashboard):
    page = render_markdown(board)
    headings = set(re.findall(r"^## (.+)$", page, flags=re.MULTILINE))
    titles = {metric.title for metric in METRICS.values()}
    assert headings - PAGE_SECTIONS <= titles
    assert titles <= headings
    for metric in METRICS.values():
        assert f"{metric.summary} Full definition: agentlanes {DEFINITIONS_DOC}, section “{metric.title}”." in page


def test_markdown_summary_rows_are_defined(board: Dashboard):
    page = render_markdown(board)
    summary = page.split("## Summary", 1)[1].split("\n## ", 1)[0]
    labels = re.findall(r"^\| ([^|]+) \|", summary, flags=re.MULTILINE)[1:]
    titles = [metric.title for metric in METRICS.values()]
    assert len(labels) == 7
    for label in labels:
        assert any(label.replace("\\", "").startswith(title) for title in titles), label


def test_html_panels_are_defined(board: Dashboard):
    page = render_html(board)
    shown = set(re.findall(r'data-metric="([^"]+)"', page))
    assert shown - {"summary", "notes"} <= set(METRICS)
    assert set(METRICS) <= shown


def test_anchor_matches_doc_heading():
    for metric in METRICS.values():
        slug = re.sub(r"[^a-z0-9 _-]", "", metric.title.lower()).replace(" ", "-")
        assert metric.anchor == slug


def test_doc_names_the_variants():
    for phrase in ("issue-metrics variant", "DevLake variant", "Swarmia", "PRs in progress", "UTC", "ISO 8601 weeks",
                   "lower bound", "upper bound", "by creation time", "by merge time"):
        assert phrase in DOC, phrase


def test_time_to_merge_variant_is_named(board: Dashboard):
    assert "issue-metrics variant" in board.time_to_merge.variant
    assert "not first-commit cycle time" in board.time_to_merge.variant
    assert "cycle time" not in render_markdown(board).split("## Time to merge", 1)[1].split("Variant:")[0]


def test_readme_links_the_definitions():
    assert Path(REPO_ROOT / "docs" / "metrics.md").is_file()
    assert "docs/metrics.md" in (REPO_ROOT / "README.md").read_text("utf-8")
