"""The Mermaid charts in the Markdown artifacts, rendered by the real Mermaid in headless Chromium.

GitHub draws ```mermaid blocks with Mermaid, so a chart that Mermaid cannot parse
shows up as an error box in the routing plan or the dashboard. ``make test``
fetches the standalone bundle of the pinned release from the npm registry and
passes its path in ``AGENTLANES_MERMAID_JS``. Without it the tests skip, and
with ``CI=true`` that is a failure.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from agentlanes import api
from agentlanes.demo.generator import write_sample
from agentlanes.render.dashboard_md import render_markdown
from agentlanes.render.routing_md import render_plan_markdown

from conftest import gh_issue, gh_pull

pytestmark = pytest.mark.browser

BLOCK = re.compile(r"```mermaid\n(.*?)```", re.DOTALL)
GANTT_TASK = re.compile(r":(?:crit, )?(t\d+), ")
HOSTILE_TITLES = [
    "Fix: the parser; then # the rest",
    "Crash with <script>alert(1)</script> in docs/a.md",
    'Quote "this" and `that` %% not a comment',
    "Colons: everywhere: even here, and commas, too",
    "```\nsection evil\n``` break out",
]


@pytest.fixture(scope="module")
def mermaid_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    bundle = os.environ.get("AGENTLANES_MERMAID_JS", "")
    if not bundle or not Path(bundle).is_file():
        message = (f"Mermaid bundle not found (AGENTLANES_MERMAID_JS={bundle!r}); "
                   "run the tests with `make test`, which fetches it with npm")
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    page = tmp_path_factory.mktemp("mermaid") / "render.html"
    page.write_text(
        "<!doctype html><html><body><div id='out'></div>"
        f"<script src='{Path(bundle).resolve().as_uri()}'></script>"
        "<script>mermaid.initialize({startOnLoad: false, securityLevel: 'strict'});</script>"
        "</body></html>",
        encoding="utf-8",
    )
    return page


def render(driver, page: Path, chart: str) -> dict:
    """Render one chart and return what the drawn SVG contains: ``ok``, ``error``, element ``ids``, and
    the counts of ``rects`` and ``scripts``."""
    driver.get(page.as_uri())
    return driver.execute_async_script(
        """
        const [text, done] = arguments;
        mermaid.render('chart', text).then(({svg}) => {
          const out = document.getElementById('out');
          out.innerHTML = svg;
          const ids = Array.from(out.querySelectorAll('[id]')).map(e => e.id);
          done({ok: true, error: null, ids: ids, rects: out.querySelectorAll('rect').length,
                scripts: out.querySelectorAll('script').length});
        }).catch(e => done({ok: false, error: String(e && e.message || e), ids: [], rects: 0, scripts: 0}));
        """,
        chart,
    )


def charts(markdown: str) -> list[str]:
    return BLOCK.findall(markdown)


@pytest.fixture(scope="module")
def sample_markdown(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    folder = write_sample(tmp_path_factory.mktemp("sample") / "sample", 7)
    source = api.Source(from_dir=folder)
    plan = api.route(api.analyze(source))
    return render_plan_markdown(plan), render_markdown(api.dashboard(source))


def test_plan_gantt_renders_every_task(driver, mermaid_page: Path, sample_markdown: tuple[str, str]):
    plan_md, _ = sample_markdown
    blocks = charts(plan_md)
    assert len(blocks) == 1
    tasks = GANTT_TASK.findall(blocks[0])
    assert len(tasks) > 10
    result = render(driver, mermaid_page, blocks[0])
    assert result["ok"], result["error"]
    # Mermaid prefixes each bar's id with the id of the render call ("chart").
    missing = sorted(t for t in tasks if f"chart-{t}" not in result["ids"])
    assert not missing


def test_dashboard_charts_render(driver, mermaid_page: Path, sample_markdown: tuple[str, str]):
    _, board_md = sample_markdown
    blocks = charts(board_md)
    assert len(blocks) >= 3
    for block in blocks:
        result = render(driver, mermaid_page, block)
        assert result["ok"], f"{result['error']}\n{block}"
        assert result["rects"] > 0, block


def test_hostile_titles_stay_inside_their_bars(driver, mermaid_page: Path, write_json):
    issues = [gh_issue(n, title, body="Change src/app.py") for n, title in enumerate(HOSTILE_TITLES, start=1)]
    pulls = [gh_pull(20, files=[{"path": "src/app.py"}])]
    source = api.Source(issues=write_json("issues.json", issues), pulls=write_json("pulls.json", pulls))
    plan_md = render_plan_markdown(api.route(api.analyze(source)))
    blocks = charts(plan_md)
    assert len(blocks) == 1
    result = render(driver, mermaid_page, blocks[0])
    assert result["ok"], f"{result['error']}\n{blocks[0]}"
    assert result["scripts"] == 0
    tasks = GANTT_TASK.findall(blocks[0])
    assert sorted(tasks) == sorted(f"t{n}" for n in range(1, len(HOSTILE_TITLES) + 1))
    assert all(f"chart-{t}" in result["ids"] for t in tasks)
