"""The metrics the dashboard shows: display title, one-line definition and docs section.

Both renderers take panel and summary titles from here, and a test checks that
each ``title`` is a section of docs/metrics.md, so nothing is shown undefined.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFINITIONS_DOC = "docs/metrics.md"


@dataclass(frozen=True, slots=True)
class Metric:
    key: str
    title: str
    summary: str

    @property
    def anchor(self) -> str:
        """The GitHub heading anchor of the metric's section in docs/metrics.md."""
        kept = "".join(ch for ch in self.title.lower() if ch.isalnum() or ch in " -_")
        return kept.replace(" ", "-")


METRICS = {
    metric.key: metric
    for metric in (
        Metric("classification", "Author classification",
               "Each PR is human, agent, dependency bot or other bot, by the strongest matching signal."),
        Metric("active_streams", "Active parallel work streams",
               "Open, non-draft PRs (plus dispatched issues without a PR), sampled daily at 00:00 UTC."),
        Metric("merged_per_week", "PRs merged per week",
               "PRs merged in each ISO week (UTC), bucketed by merge time."),
        Metric("merge_rate", "PR merge rate",
               "PRs created in the window that were merged by its end / PRs created in the window."),
        Metric("merge_queue", "Merge queue depth",
               "Entries in the merge queue: stored live snapshots, a timeline replay, or a labelled proxy."),
        Metric("conflict_rate", "Conflict rate",
               "PRs with at least one conflict episode / PRs merged or closed in the window."),
        Metric("utilization", "Agent utilization",
               "An agent's in-flight tasks (open PRs, drafts included) / its configured capacity."),
        Metric("outcomes", "Outcomes per group",
               "PRs created in the window: opened, merged, abandoned, merge %, time to merge, agent commit share."),
        Metric("time_to_merge", "Time to merge",
               "Merged minus ready-for-review (drafts) or created; p50 and p90 of PRs merged in the window."),
        Metric("issue_lead_time", "Issue lead time",
               "Issue created to the first merge of a PR that closes it; p50 and p90 of such merges in the window."),
    )
}
