"""Render the dashboard as one self-contained HTML page with interactive Bokeh charts.

The page loads nothing: BokehJS (only its core bundle, about 1.3 MB) is inlined,
and a Content-Security-Policy allows only the page's own inline scripts, by
their SHA-256 hashes, and no connection, image, font or frame from anywhere.
Every value from the data is HTML-escaped by Jinja's autoescaping, so even a
script that slipped into the markup would not be allowed to run.
"""

from __future__ import annotations

import base64
import hashlib
import re

from bokeh.embed import components
from bokeh.resources import Resources
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from agentlanes.metrics import models as m
from agentlanes.metrics.catalog import DEFINITIONS_DOC, METRICS
from agentlanes.metrics.conflicts import PROXY_SOURCE
from agentlanes.render import charts
from agentlanes.render.mermaid import short_week
from agentlanes.render.safe import fmt, percent, safe_url
from agentlanes.textutil import counted

_SCRIPT = re.compile(r"<script[^>]*>(.*?)</script>", re.DOTALL)
# The page's size limit (bytes), checked by the tests; the Bokeh core bundle takes about 1.3 MB of it.
MAX_PAGE_BYTES = 3_000_000


def _environment() -> Environment:
    return Environment(loader=PackageLoader("agentlanes.render", "templates"),
                       autoescape=select_autoescape(default=True, default_for_string=True),
                       trim_blocks=True, lstrip_blocks=True)


def build_charts(d: m.Dashboard) -> dict[str, object]:
    """Build the page's charts by name, leaving out charts with nothing to draw."""
    built: dict[str, object] = {}
    weeks = d.window.weeks
    if any(day.total for day in d.active_streams.days):
        built["streams"] = charts.streams_chart(d)
    if any(w.merged for w in d.merged_per_week):
        built["merged"] = charts.weekly_stack_chart(f"PRs merged per week by {d.group_by}", weeks,
                                                    [w.by_group for w in d.merged_per_week], d.groups, "PRs")
    if d.merge_rate.created:
        built["merge_rate"] = charts.rate_chart("PRs created per week, and merged", weeks,
                                                [(w.created, w.merged) for w in d.merge_rate.weeks], "created",
                                                "merged")
    if d.merge_queue.series:
        built["queue"] = charts.queue_chart(d.merge_queue)
    if d.conflict_rate.closed:
        built["conflicts"] = charts.rate_chart("Merged or closed PRs per week, with conflicts", weeks,
                                               [(w.closed, w.with_conflict) for w in d.conflict_rate.weeks],
                                               "merged or closed", "with conflict")
    if any(row.capacity for row in d.utilization):
        built["utilization"] = charts.utilization_chart(d)
    if d.outcomes:
        built["outcomes"] = charts.outcomes_chart(d)
    if d.time_to_merge.count:
        built["time_to_merge"] = charts.durations_chart("Time to merge by week of merge (hours)", d.time_to_merge)
    if d.issue_lead_time.count:
        built["issue_lead_time"] = charts.durations_chart("Issue lead time by week of merge (hours)",
                                                          d.issue_lead_time)
    return built


def _script_hash(content: str) -> str:
    digest = hashlib.sha256(content.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def content_security_policy(*script_blocks: str) -> str:
    """Return a policy allowing only the given inline ``<script>`` blocks and inline styles, nothing remote."""
    hashes = " ".join(_script_hash(body) for block in script_blocks for body in _SCRIPT.findall(block))
    return (f"default-src 'none'; script-src {hashes}; style-src 'unsafe-inline'; img-src data: blob:; "
            "font-src data:; connect-src 'none'; form-action 'none'; base-uri 'none'")


def render_html(d: m.Dashboard) -> str:
    """Return the whole dashboard page as HTML."""
    script, divs = components(build_charts(d))
    bokeh_js = Resources(mode="inline", components=["bokeh"]).render_js()
    template = _environment().get_template("dashboard.html.j2")
    return template.render(
        d=d,
        metrics=METRICS,
        divs={name: Markup(div) for name, div in divs.items()},
        bokeh_js=Markup(bokeh_js),
        bokeh_script=Markup(script),
        csp=content_security_policy(bokeh_js, script),
        docs_name=DEFINITIONS_DOC,
        merged_total=sum(w.merged for w in d.merged_per_week),
        stream_groups=[g for g in d.groups if d.active_streams.by_group.get(g)
                       or any(w.by_group_at_end.get(g) for w in d.active_streams.weeks)],
        pct=percent,
        fmt=fmt,
        short_week=short_week,
        safe_url=safe_url,
        counted=counted,
        proxy_source=PROXY_SOURCE,
    )
