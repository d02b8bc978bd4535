"""The HTML dashboard in real headless Chromium: charts draw, nothing errors, nothing loads, no script injects.

The ``driver`` fixture (tests/browser_support.py) starts Chromium, and says
where it comes from and when its absence fails the run.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from PIL import Image

from agentlanes import api
from agentlanes.demo.generator import write_sample
from agentlanes.render.dashboard_html import render_html

from conftest import gh_pull

pytestmark = pytest.mark.browser

PWN = "<script>window.__pwned = 1</script><img src=x onerror=\"window.__pwned = 2\">"
# A drawn chart has axes, labels, bars or lines in many colours; a blank one has one or two.
MIN_COLOURS = 12
MIN_INK = 0.02


def hostile_page(folder: Path, write_json) -> Path:
    pulls = [
        gh_pull(1, f"Fix {PWN} now", mergeable="CONFLICTING", author={"login": f"mallory {PWN}"},
                url="https://github.com/o/r/pull/1"),
        gh_pull(2, "Plain change", createdAt="2026-01-06T10:00:00Z", mergedAt="2026-01-08T10:00:00Z",
                author={"login": "app/copilot-swe-agent", "is_bot": True}),
        gh_pull(3, "Still open", createdAt="2026-01-07T10:00:00Z", state="OPEN", mergedAt=None, closedAt=None),
    ]
    board = api.dashboard(api.Source(pulls=write_json("pulls.json", pulls)), since="2026-01-05",
                          until="2026-01-12", group_by="author")
    page = folder / "hostile.html"
    page.write_text(render_html(board), encoding="utf-8")
    return page


def open_page(browser, page: Path) -> dict:
    """Load ``page`` and return the requests it made and the console entries it logged."""
    browser.get_log("performance")
    browser.get_log("browser")
    browser.get(page.as_uri())
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 30).until(lambda b: b.execute_script(
        "return !!(window.Bokeh && Bokeh.documents.length && Bokeh.documents[0].is_idle)"))
    requests = []
    for entry in browser.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            requests.append(message["params"]["request"]["url"])
    return {"requests": requests, "console": browser.get_log("browser")}


def ink(png: bytes) -> tuple[int, float]:
    """Count the distinct colours and the share of non-white pixels in a screenshot."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    counts = image.getcolors(maxcolors=image.width * image.height)
    inked = sum(count for count, (r, g, b) in counts if min(r, g, b) < 235) / (image.width * image.height)
    return len(counts), inked


def assert_charts_drawn(browser) -> int:
    charts = browser.find_elements("css selector", ".chart")
    assert charts, "the page has no charts"
    for chart in charts:
        browser.execute_script("arguments[0].scrollIntoView()", chart)
        colours, inked = ink(chart.screenshot_as_png)
        name = chart.get_attribute("data-chart")
        assert colours >= MIN_COLOURS, f"chart {name} looks blank ({colours} colours)"
        assert inked >= MIN_INK, f"chart {name} looks blank ({inked:.1%} ink)"
    return len(charts)


def assert_offline(page: Path, requests: list[str]) -> None:
    assert page.as_uri() in requests
    for url in requests:
        # chrome:// URLs are Chromium's own resources, served from inside the browser.
        assert url == page.as_uri() or url.startswith(("data:", "blob:", "chrome://")), f"the page requested {url}"


def test_hostile_page_renders_safely(driver, tmp_path: Path, write_json):
    page = hostile_page(tmp_path, write_json)
    loaded = open_page(driver, page)
    assert_offline(page, loaded["requests"])
    problems = [entry for entry in loaded["console"] if entry["level"] in ("SEVERE", "WARNING")]
    assert problems == []
    assert driver.execute_script("return window.__pwned === undefined")
    title_cells = driver.find_elements("css selector", "table.pulls td.title")
    assert any(PWN in cell.text for cell in title_cells)
    assert assert_charts_drawn(driver) >= 5


def test_demo_page_renders_offline(driver, tmp_path: Path):
    sample = write_sample(tmp_path / "sample", seed=7)
    page = tmp_path / "demo.html"
    page.write_text(render_html(api.dashboard(api.Source(from_dir=sample))), encoding="utf-8")
    loaded = open_page(driver, page)
    assert_offline(page, loaded["requests"])
    assert [e for e in loaded["console"] if e["level"] in ("SEVERE", "WARNING")] == []
    assert assert_charts_drawn(driver) >= 7


def test_empty_window_page_loads_cleanly(driver, tmp_path: Path, write_json):
    pulls = [gh_pull(1, createdAt="2025-01-01T00:00:00Z", mergedAt="2025-01-02T00:00:00Z",
                     closedAt="2025-01-02T00:00:00Z")]
    board = api.dashboard(api.Source(pulls=write_json("pulls.json", pulls)), since="2026-01-05", until="2026-01-20")
    page = tmp_path / "empty.html"
    page.write_text(render_html(board), encoding="utf-8")
    loaded = open_page(driver, page)
    assert_offline(page, loaded["requests"])
    assert [e for e in loaded["console"] if e["level"] in ("SEVERE", "WARNING")] == []


def test_page_fits_a_phone(driver, tmp_path: Path, write_json):
    page = hostile_page(tmp_path, write_json)
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True})
    try:
        open_page(driver, page)
        width, viewport = driver.execute_script(
            "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert viewport == 390
        assert width <= viewport, "the page scrolls sideways on a phone"
        assert_charts_drawn(driver)
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
