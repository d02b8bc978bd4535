"""Render a simulation report as a Markdown summary."""

from __future__ import annotations

from agentlanes.render.safe import fmt, md_text, percent, table
from agentlanes.simulation.report import SimulationReport


def render_simulation_markdown(report: SimulationReport) -> str:
    skipped = ", ".join(f"{count} {md_text(reason)}" for reason, count in report.skipped.items()) or "none"
    parts = [
        f"# Simulation: {md_text(report.repository)}",
        "",
        f"Backlog at {report.as_of} ({md_text(report.tasks_from)}): {report.tasks} tasks simulated; left out: {skipped}. "
        f"Durations drawn from the times to merge of {report.durations.merged_pulls} pull requests merged before "
        f"then (median {report.durations.median_hours:g} h). Seed {report.seed}, {report.runs} runs per cell; "
        f"slots spread round-robin over {', '.join(md_text(a) for a in report.agents)}.",
        "",
        "## Where more agents stop paying off",
        "",
        table(["Policy", "Slots", "Why"],
              [[md_text(s.policy), fmt(s.parallel), md_text(s.reason, 200)] for s in report.saturation]),
        "",
        f"A slot count saturates when no larger count in the sweep adds {report.gain_tolerance:.0%} or more "
        "throughput.",
        "",
        "## Results (means over the runs)",
        "",
        table(
            ["Policy", "Slots", "Tasks/week", "Range", "Conflicts", "Rework h", "Idle", "Days to 80%", "Days to all",
             "Unfinished", "Optimal vs greedy"],
            [[md_text(p.policy), p.parallel, fmt(p.throughput_per_week), f"{fmt(p.throughput_min)}-{fmt(p.throughput_max)}",
              fmt(p.conflicts), fmt(p.rework_hours, 0), percent(p.idle_share), fmt(p.cleared_days),
              fmt(p.makespan_days), fmt(p.unfinished), "-" if p.value_ratio_to_greedy is None
              else f"{p.value_ratio_to_greedy:.3f} (min {p.value_ratio_min:.3f})"]
             for p in report.results],
        ),
        "",
        "Tasks/week counts the merges until 80% of the backlog had merged. Conflicts count merges that hit a task "
        "in flight changing one of the same files (real files, while policies see only predicted ones). Idle is "
        "the share of slot-hours free while tasks waited to start.",
    ]
    if report.notes:
        parts += ["", "## Assumptions", ""] + [f"- {md_text(note, 300)}" for note in report.notes]
    parts.append("")
    return "\n".join(parts)
