"""Render a routing plan as a Markdown summary, with the wave plan as a Mermaid Gantt chart."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from agentlanes.render.safe import fmt, md_code, md_text, table
from agentlanes.routing.conflicts import COMPONENT_CLAIM, is_component_claim
from agentlanes.routing.plan_models import RoutingPlan, WavePlanReport
from agentlanes.timeutil import parse_timestamp
from agentlanes.textutil import counted

READING_GUIDE = [
    "- **Value**: the task's priority times the agent's fitness for it; the solver maximises the sum over the "
    "tasks it starts. **Bound** is the proven ceiling of that sum and **gap** the distance to it.",
    "- **Strength** of a conflict: the joint probability that both tasks change the file (the product of their "
    "two predictions), or 1 for a shared component or an open pull request's file.",
    "- **Summed probability** of a hot file: the sum of every task's predicted probability of changing it, the "
    "number of tasks expected to touch it.",
    "- Agent fitness counts the agent's merged and abandoned pull requests in all the history before this moment.",
    "- Definitions and the wave bounds: agentlanes docs/routing.md.",
]
# The chart shows the first tasks in wave order; a bigger chart stops being readable.
MAX_GANTT_TASKS = 60
MAX_WAVES_LISTED = 20
MAX_EDGES_SHOWN = 15
_GANTT_TIME = "%Y-%m-%d %H:%M"


def gantt_label(value: object) -> str:
    """Reduce text to letters, digits and ``._/-`` so it cannot break a Gantt line.

    Mermaid ends a task name at ``:`` and a line at ``#`` or ``;``.
    """
    return re.sub(r"\s+", " ", re.sub(r"[^A-Za-z0-9 ._/-]", " ", str(value))).strip()[:40] or "task"


def _solver_line(plan: RoutingPlan) -> str:
    s = plan.solver
    gap = "n/a" if s.gap is None else f"{100 * s.gap:.2f}%"
    ratio = "n/a" if s.ratio_to_greedy is None else f"{s.ratio_to_greedy:.3f}"
    limit = "" if s.time_limit is None else f" (limit {s.time_limit:g} s)"
    return (f"Solver: {md_text(s.name)}, status **{md_text(s.status)}**, value {s.objective:g} "
            f"(greedy {s.greedy_objective:g}, ratio {ratio}), bound {fmt(s.bound, 4)}, gap {gap}, "
            f"{s.seconds:.3f} s{limit}; {s.pairings_in_model} of {s.pairings} (task, agent) pairings in the model.")


def render_gantt(waves: WavePlanReport, now: str | None) -> list[str]:
    """Draw the wave plan as a Mermaid Gantt chart, one section per agent, with the critical path marked."""
    start = parse_timestamp(now) if now else datetime(2000, 1, 1, tzinfo=UTC)
    length = timedelta(hours=waves.wave_hours)
    critical = set(waves.critical_path)
    lanes: dict[str, list[str]] = {}
    shown = 0
    for wave in waves.waves:
        begin, end = start + (wave.index - 1) * length, start + wave.index * length
        for task in wave.tasks:
            if shown == MAX_GANTT_TASKS:
                break
            tag = "crit, " if task.number in critical else ""
            lanes.setdefault(task.agent, []).append(
                f"    {task.number} {gantt_label(task.title)} :{tag}t{task.number}, "
                f"{begin.strftime(_GANTT_TIME)}, {end.strftime(_GANTT_TIME)}")
            shown += 1
    total = sum(len(w.tasks) for w in waves.waves)
    lines = ["```mermaid", "gantt",
             f"    title {waves.count} waves of {gantt_label(f'{waves.wave_hours:g}')} h each",
             "    dateFormat YYYY-MM-DD HH:mm", "    axisFormat %m-%d"]
    for agent in sorted(lanes):
        lines.append(f"    section {gantt_label(agent)}")
        lines += lanes[agent]
    lines.append("```")
    if shown < total:
        lines.append(f"\nThe chart shows the first {shown} of {total} planned tasks.")
    return lines


def _wave_section(waves: WavePlanReport, now: str | None) -> list[str]:
    if not waves.waves and not waves.unschedulable:
        return ["", "## Wave plan", "", "No ready or blocked task to plan."]
    verdict = ("proven minimal: it reaches the lower bound" if waves.minimal
               else f"the lower bound is {waves.lower_bound}, so up to "
                    f"{counted(waves.count - waves.lower_bound, 'wave')} might be saved")
    parts = ["", f"## Wave plan ({counted(waves.count, 'wave')}, {verdict})", "",
             f"Each wave is drawn as {waves.wave_hours:g} h ({md_text(waves.wave_hours_source)}). "
             + ("The first wave is the start-now list. " if waves.first_wave_is_selection else "")
             + f"Planned in {waves.seconds:.3f} s.", ""]
    if waves.bounds:
        parts += ["Lower bounds on the number of waves:", ""]
        parts += [f"- {b.waves}: {md_text(b.reason, 300)}" for b in waves.bounds]
        parts.append("")
    if waves.critical_path:
        parts.append("Critical path: " + " -> ".join(f"#{n}" for n in waves.critical_path) + "")
        parts.append("")
    if waves.hot_files:
        parts += ["### Hot files", "",
                  "Files whose predicted demand forces serial work; split them or batch their tasks.", ""]
        parts.append(table(["File", "Tasks touching", "Serialized (min. waves)", "Summed probability"],
                           [[_hot_name(h.path), h.tasks, h.serialized, f"{h.demand:.2f}"]
                            for h in waves.hot_files]))
        parts.append("")
    if waves.waves:
        parts += render_gantt(waves, now)
        parts.append("")
        rows = [[w.index, ", ".join(f"#{t.number} ({md_text(t.agent)})" for t in w.tasks)]
                for w in waves.waves[:MAX_WAVES_LISTED]]
        parts.append(table(["Wave", "Tasks (agent)"], rows))
        if len(waves.waves) > MAX_WAVES_LISTED:
            parts.append(f"\nThe table lists the first {MAX_WAVES_LISTED} of {len(waves.waves)} waves.")
    if waves.unschedulable:
        parts += ["", "Cannot be planned: " + "; ".join(f"#{u.number} ({md_text(u.reason, 120)})"
                                                        for u in waves.unschedulable)]
    return parts


def _graph_section(plan: RoutingPlan) -> list[str]:
    graph = plan.conflict_graph
    counts = ", ".join(f"{count} {kind}" for kind, count in graph.edges.items())
    parts = ["", "## Conflict graph", "",
             f"{counted(graph.tasks, 'open candidate')} and {counted(graph.locks, 'lock')} held by work in flight; "
             f"edges: {counts}."]
    if graph.strongest:
        parts += ["", table(["Task", "With", "Kind", "Where", "Strength"],
                            [[md_text(e.first), md_text(e.second), e.kind, md_text(e.detail, 80), f"{e.strength:.2f}"]
                             for e in graph.strongest[:MAX_EDGES_SHOWN]])]
        if len(graph.strongest) > MAX_EDGES_SHOWN or graph.truncated:
            parts.append(f"\nThe table shows the {min(MAX_EDGES_SHOWN, len(graph.strongest))} strongest edges; "
                         "routing_plan.json lists more.")
    return parts


def render_plan_markdown(plan: RoutingPlan) -> str:
    parts = [
        f"# Routing plan: {md_text(plan.repository)}",
        "",
        f"State at {plan.now or 'the newest event'}. Conflict rule: {md_text(plan.conflict_method)} "
        f"(joint file probability at least {plan.conflict_threshold:g}). {_solver_line(plan)}",
        "",
        f"## Start now ({counted(len(plan.selected), 'task')})",
        "",
    ]
    if plan.selected:
        parts.append(table(
            ["Issue", "Title", "Agent", "Value", "Type", "Size", "Predicted files", "Why this agent"],
            [[f"#{t.number}", md_text(t.title, 80), md_text(t.agent), f"{t.value:.2f}", t.type, t.size,
              ", ".join(md_code(f) for f in t.files[:3]) or "-", md_text("; ".join(t.reasons), 200)]
             for t in plan.selected],
        ))
    else:
        parts.append("Nothing can start now; the table below says why.")
    parts += ["", "## Agents", ""]
    parts.append(table(
        ["Agent", "Trigger", "Capacity", "In flight", "Free", "Quota left", "Selected"],
        [[md_text(a.display_name), md_text(f"{a.trigger.kind}: {a.trigger.value}"), a.capacity, a.in_flight,
          a.free, fmt(a.quota_left), ", ".join(f"#{n}" for n in a.selected) or "-"] for a in plan.agents],
    ))
    parts += ["", f"## Not started ({len(plan.not_selected)} tasks)", ""]
    if plan.not_selected:
        parts.append(table(
            ["Issue", "Title", "Status", "Why"],
            [[f"#{t.number}", md_text(t.title, 80), t.status, md_text("; ".join(t.reasons), 200)]
             for t in plan.not_selected],
        ))
    else:
        parts.append("Every ready task was selected.")
    parts += _wave_section(plan.wave_plan, plan.now)
    parts += _graph_section(plan)
    if plan.notes:
        parts += ["", "## Notes", ""] + [f"- {md_text(note, 300)}" for note in plan.notes]
    parts += ["", "## Reading this plan", "", *READING_GUIDE]
    parts.append("")
    return "\n".join(parts)


def _hot_name(path: str) -> str:
    if is_component_claim(path):
        return f"component {md_code(path.removeprefix(COMPONENT_CLAIM))} (tasks without confident files)"
    return md_code(path)
