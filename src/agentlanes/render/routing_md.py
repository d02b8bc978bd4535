"""Render a routing plan as a Markdown summary."""

from __future__ import annotations

from agentlanes.render.safe import fmt, md_code, md_text, table
from agentlanes.routing.plan import RoutingPlan


def render_plan_markdown(plan: RoutingPlan) -> str:
    solver = plan.solver
    gap = "n/a" if solver.gap is None else f"{100 * solver.gap:.2f}%"
    ratio = "n/a" if solver.ratio_to_greedy is None else f"{solver.ratio_to_greedy:.3f}"
    parts = [
        f"# Routing plan: {md_text(plan.repository)}",
        "",
        f"State at {plan.now or 'the newest event'}. Conflict rule: {md_text(plan.conflict_method)} "
        f"(joint file probability at least {plan.conflict_threshold:g}). Solver: {md_text(solver.name)}, "
        f"status {md_text(solver.status)}, value {solver.objective:g} (greedy {solver.greedy_objective:g}, "
        f"ratio {ratio}), gap {gap}, {solver.seconds:.3f} s.",
        "",
        f"## Start now ({len(plan.selected)} tasks)",
        "",
    ]
    if plan.selected:
        parts.append(table(
            ["Issue", "Title", "Agent", "Value", "Type", "Size", "Predicted files", "Why this agent"],
            [[f"#{t.number}", md_text(t.title, 80), md_text(t.agent), f"{t.value:.2f}", t.type, t.size,
              ", ".join(md_code(f) for f in t.files[:3]) or "-", md_text("; ".join(t.reasons), 160)]
             for t in plan.selected],
        ))
    else:
        parts.append("Nothing can start now; the table below says why.")
    parts += ["", "## Agents", ""]
    parts.append(table(
        ["Agent", "Trigger", "Capacity", "In flight", "Free", "Quota left", "Selected"],
        [[md_text(a.display_name), md_text(f"{a.trigger['kind']}: {a.trigger['value']}"), a.capacity, a.in_flight,
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
    if plan.notes:
        parts += ["", "## Notes", ""] + [f"- {md_text(note, 300)}" for note in plan.notes]
    parts.append("")
    return "\n".join(parts)
