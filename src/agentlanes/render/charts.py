"""Interactive Bokeh charts for the HTML dashboard: hover for values, click a legend entry to hide it.

Text from the data reaches a chart only as a group name, which Bokeh draws on a
canvas or inserts as text, never as HTML.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bokeh.models import ColumnDataSource, HoverTool, NumeralTickFormatter
from bokeh.palettes import Category10
from bokeh.plotting import figure

from agentlanes.metrics import models as m
from agentlanes.render.mermaid import short_week
from agentlanes.timeutil import parse_timestamp

# Groups drawn one by one; the rest are summed into one "others" series.
MAX_CHART_GROUPS = 8
OTHERS = "others"
HEIGHT = 330
TOOLS = "pan,wheel_zoom,box_zoom,reset,save"


def _palette(count: int) -> list[str]:
    colours = list(Category10[10])
    return [colours[index % len(colours)] for index in range(count)]


def _figure(title: str, height: int = HEIGHT, **options: object) -> figure:
    chart = figure(title=title, height=height, sizing_mode="stretch_width", tools=TOOLS, toolbar_location="below",
                   **options)
    chart.toolbar.logo = None
    chart.title.text_font_size = "13px"
    return chart


# Two columns of labels cut to LABEL_LENGTH characters fit a 360-pixel-wide phone screen.
LEGEND_COLUMNS = 2
LABEL_LENGTH = 22


def short_labels(names: Sequence[str]) -> list[str]:
    """Names cut to ``LABEL_LENGTH`` characters, kept unique, for legends and category axes."""
    labels: list[str] = []
    for name in names:
        label = name if len(name) <= LABEL_LENGTH else name[: LABEL_LENGTH - 1] + "…"
        while label in labels:
            label = label[:-1] + "′"
        labels.append(label)
    return labels


def _legend(chart: figure) -> None:
    """Put the legend under the plot in rows of ``LEGEND_COLUMNS``, so it never hides data, even on a phone."""
    if not chart.legend:
        return
    legend = chart.legend[0]
    legend.click_policy = "hide"
    legend.label_text_font_size = "11px"
    legend.orientation = "horizontal"
    legend.ncols = LEGEND_COLUMNS
    legend.spacing = 6
    legend.margin = 4
    chart.add_layout(legend, "below")


def top_groups(groups: Sequence[str], present: set[str]) -> tuple[list[str], bool]:
    """Return the first ``MAX_CHART_GROUPS`` groups that have data, and whether others remain."""
    with_data = [group for group in groups if group in present]
    return with_data[:MAX_CHART_GROUPS], len(with_data) > MAX_CHART_GROUPS


def _series(rows: Sequence[dict[str, int]], groups: Sequence[str]) -> tuple[list[str], dict[str, list[int]]]:
    """Per-row counts for the top groups plus ``others``; returns the series names and columns."""
    drawn, more = top_groups(groups, {g for row in rows for g, v in row.items() if v})
    names = drawn + ([OTHERS] if more else [])
    columns: dict[str, list[int]] = {f"s{index}": [] for index in range(len(names))}
    for row in rows:
        for index, name in enumerate(drawn):
            columns[f"s{index}"].append(row.get(name, 0))
        if more:
            columns[f"s{len(drawn)}"].append(sum(v for g, v in row.items() if g not in drawn))
    return names, columns


def streams_chart(d: m.Dashboard) -> figure:
    days = d.active_streams.days
    names, columns = _series([day.by_group for day in days], d.groups)
    source = ColumnDataSource({"at": [parse_timestamp(day.at) for day in days], "total": [day.total for day in days],
                               **columns})
    chart = _figure(f"Open non-draft PRs by {d.group_by}, daily", x_axis_type="datetime")
    keys = list(columns)
    if keys:
        chart.varea_stack(keys, x="at", source=source, color=_palette(len(keys)), legend_label=short_labels(names),
                          alpha=0.8)
    line = chart.line("at", "total", source=source, color="#222222", line_width=2, legend_label="total")
    chart.add_tools(HoverTool(renderers=[line], mode="vline",
                              tooltips=[("day", "@at{%F}"), ("open PRs", "@total")], formatters={"@at": "datetime"}))
    chart.yaxis.axis_label = "PRs"
    _legend(chart)
    return chart


def weekly_stack_chart(title: str, weeks: Sequence[str], rows: Sequence[dict[str, int]], groups: Sequence[str],
                       y_label: str) -> figure:
    """Stacked weekly bars per group, with the group name and value on hover."""
    names, columns = _series(rows, groups)
    labels = [short_week(week) for week in weeks]
    keys = list(columns)
    # Group names travel as data columns, so no name is ever read as a tooltip template.
    label_columns = {f"n{index}": [name] * len(labels) for index, name in enumerate(names)}
    source = ColumnDataSource({"week": labels, **columns, **label_columns})
    chart = _figure(title, x_range=labels)
    if keys:
        renderers = chart.vbar_stack(keys, x="week", width=0.8, source=source, color=_palette(len(keys)),
                                     legend_label=short_labels(names))
        for index, renderer in enumerate(renderers):
            chart.add_tools(HoverTool(renderers=[renderer], tooltips=[("week", "@week"), ("group", f"@n{index}"),
                                                                      (y_label, f"@s{index}")]))
    chart.yaxis.axis_label = y_label
    chart.xgrid.grid_line_color = None
    _legend(chart)
    return chart


def rate_chart(title: str, weeks: Sequence[str], counts: Sequence[tuple[int, int]], count_label: str,
               part_label: str) -> figure:
    """Weekly totals and parts as bars, and the part / total rate as a line on a percent axis."""
    labels = [short_week(week) for week in weeks]
    rates = [part / whole if whole else float("nan") for whole, part in counts]
    source = ColumnDataSource({"week": labels, "whole": [c[0] for c in counts], "part": [c[1] for c in counts],
                               "rate": rates})
    chart = _figure(title, x_range=labels)
    chart.vbar(x="week", top="whole", width=0.8, source=source, color="#aec7e8", legend_label=count_label)
    chart.vbar(x="week", top="part", width=0.5, source=source, color="#1f77b4", legend_label=part_label)
    chart.add_tools(HoverTool(tooltips=[("week", "@week"), (count_label, "@whole"), (part_label, "@part"),
                                        ("rate", "@rate{0.0%}")]))
    chart.yaxis.axis_label = "PRs"
    chart.xgrid.grid_line_color = None
    _legend(chart)
    return chart


def queue_chart(queue: m.MergeQueue) -> figure:
    moments: list[datetime] = [parse_timestamp(point.at) for point in queue.series]
    source = ColumnDataSource({"at": moments, "depth": [point.depth for point in queue.series]})
    chart = _figure(queue.label, x_axis_type="datetime")
    chart.step("at", "depth", source=source, mode="after", line_width=2, legend_label="entries")
    chart.add_tools(HoverTool(tooltips=[("at", "@at{%F %H:%M}"), ("depth", "@depth")], formatters={"@at": "datetime"}))
    chart.yaxis.axis_label = "entries"
    _legend(chart)
    return chart


def utilization_chart(d: m.Dashboard) -> figure:
    routed = [row for row in d.utilization if row.capacity]
    labels = [short_week(week) for week in d.window.weeks]
    legend = short_labels([row.agent for row in routed])
    chart = _figure("Weekly mean utilization per agent", x_range=labels)
    for row, colour, label in zip(routed, _palette(len(routed)), legend, strict=True):
        source = ColumnDataSource({"week": labels, "value": [w.utilization or 0.0 for w in row.weeks],
                                   "mean": [w.mean_in_flight for w in row.weeks], "agent": [row.agent] * len(labels)})
        line = chart.line("week", "value", source=source, color=colour, line_width=2, legend_label=label)
        chart.scatter("week", "value", source=source, color=colour, size=5, legend_label=label)
        chart.add_tools(HoverTool(renderers=[line], tooltips=[("agent", "@agent"), ("week", "@week"),
                                                              ("utilization", "@value{0%}"),
                                                              ("mean in flight", "@mean")]))
    chart.yaxis.formatter = NumeralTickFormatter(format="0%")
    _legend(chart)
    return chart


def outcomes_chart(d: m.Dashboard) -> figure:
    rows = d.outcomes[:MAX_CHART_GROUPS * 2]
    names = short_labels([row.group for row in rows])[::-1]
    source = ColumnDataSource({
        "label": names,
        "group": [row.group for row in rows][::-1],
        "merged": [row.merged for row in rows][::-1],
        "abandoned": [row.abandoned for row in rows][::-1],
        "still_open": [row.still_open for row in rows][::-1],
    })
    chart = _figure(f"Outcomes of PRs created, by {d.group_by}", y_range=names,
                    height=max(HEIGHT, 28 * len(names) + 90))
    chart.hbar_stack(["merged", "abandoned", "still_open"], y="label", height=0.7, source=source,
                     color=["#2ca02c", "#d62728", "#bbbbbb"], legend_label=["merged", "abandoned", "still open"])
    chart.add_tools(HoverTool(tooltips=[("group", "@group"), ("merged", "@merged"), ("abandoned", "@abandoned"),
                                        ("still open", "@still_open")]))
    chart.xaxis.axis_label = "PRs"
    chart.ygrid.grid_line_color = None
    _legend(chart)
    return chart


def durations_chart(title: str, durations: m.Durations) -> figure:
    labels = [short_week(w.week) for w in durations.weeks]
    source = ColumnDataSource({
        "week": labels,
        "p50": [w.p50_hours if w.p50_hours is not None else float("nan") for w in durations.weeks],
        "p90": [w.p90_hours if w.p90_hours is not None else float("nan") for w in durations.weeks],
        "count": [w.count for w in durations.weeks],
    })
    chart = _figure(title, x_range=labels)
    for key, colour in (("p50", "#1f77b4"), ("p90", "#ff7f0e")):
        chart.line("week", key, source=source, color=colour, line_width=2, legend_label=key)
        chart.scatter("week", key, source=source, color=colour, size=6, legend_label=key)
    chart.add_tools(HoverTool(tooltips=[("week", "@week"), ("p50 hours", "@p50{0.0}"), ("p90 hours", "@p90{0.0}"),
                                        ("samples", "@count")]))
    chart.yaxis.axis_label = "hours"
    _legend(chart)
    return chart

