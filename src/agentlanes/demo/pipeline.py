"""``agentlanes demo``: the whole pipeline on the embedded sample, with files identical on every run."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from agentlanes import api
from agentlanes.config import load_config


@dataclass(frozen=True)
class DemoResult:
    """Paths written by ``demo`` and the headline numbers for its summary."""

    sample: Path
    analysis: Path
    plan: Path
    plan_summary: Path
    dashboard_md: Path
    dashboard_html: Path
    dashboard_json: Path
    open_tasks: int
    ready: int
    selected: int
    merged_in_window: int


def run_demo(output_dir: str | Path = "artifacts", seed: int = 7) -> DemoResult:
    """Generate the embedded sample and run analyze, route and dashboard on it."""
    from agentlanes import artifacts as files
    from agentlanes.demo.generator import write_sample
    from agentlanes.render.dashboard_html import render_html
    from agentlanes.render.dashboard_md import render_markdown
    from agentlanes.render.routing_md import render_plan_markdown

    root = Path(output_dir)
    sample = write_sample(root / "demo" / "sample", seed)
    out = root / "orchestration"
    config = load_config(None)
    source = api.Source(from_dir=sample, name="example/orbit")
    analysis = api.analyze(source, config=config)
    # A stable description instead of the folder path, so every run writes identical files.
    analysis.source = f"embedded sample generated with seed {seed}"
    plan = api.route(analysis, config=config)
    # Solver timings differ between runs; zeroing them keeps the demo's files identical.
    plan.solver.seconds = 0.0
    plan.wave_plan.seconds = 0.0
    board = api.dashboard(source, config=config)
    analysis_path = files.write_model(out / files.ANALYSIS_FILE, analysis)
    plan_path = files.write_model(out / files.PLAN_FILE, plan)
    summary_path = files.write_text(out / files.PLAN_SUMMARY_FILE, render_plan_markdown(plan))
    md_path = files.write_text(out / files.DASHBOARD_MD, render_markdown(board))
    html_path = files.write_text(out / files.DASHBOARD_HTML, render_html(board))
    json_path = files.write_model(out / files.DASHBOARD_JSON, board)
    return DemoResult(
        sample=sample,
        analysis=analysis_path,
        plan=plan_path,
        plan_summary=summary_path,
        dashboard_md=md_path,
        dashboard_html=html_path,
        dashboard_json=json_path,
        open_tasks=analysis.summary.open_issues,
        ready=analysis.summary.ready,
        selected=len(plan.selected),
        merged_in_window=sum(row.merged for row in board.merged_per_week),
    )
