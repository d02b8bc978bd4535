"""Render the live conflict matrix as GitHub Markdown."""

from __future__ import annotations

from agentlanes.metrics.matrix import ConflictMatrix
from agentlanes.render.safe import md_code, md_link, md_text, table

# Above this many heads the square matrix is too wide to read; the per-head table stays.
MAX_SQUARE_HEADS = 30
CONFLICT_MARK = "✗"
CLEAN_MARK = "·"
ERROR_MARK = "?"


def _label(head_id: str, url: str) -> str:
    return md_link(md_text(head_id), url)


def render_matrix_markdown(matrix: ConflictMatrix) -> str:
    """Return the matrix as Markdown: a summary, one row per head and, for few heads, the square matrix."""
    with_base = sum(1 for head in matrix.heads if head.base_conflict)
    lines = [
        f"# Open PR conflicts: {md_text(matrix.repository)}",
        "",
        f"Base {md_code(matrix.base)} at {md_code(matrix.base_oid[:12])}. Heads from {md_text(matrix.heads_from)}. "
        f"{len(matrix.heads)} heads: {with_base} conflict with the base; {len(matrix.pairs)} of "
        f"{matrix.pairs_checked} merged pairs conflict ({matrix.pairs_disjoint} pairs whose changes cannot touch were "
        "not merged). Merged in memory with one `git merge-tree --write-tree --stdin` run.",
        "",
    ]
    rows = []
    for head in matrix.heads:
        if head.base_conflict is None:
            base = f"error: {md_text(head.base_error, 100)}"
        elif head.base_conflict:
            base = f"{CONFLICT_MARK} {md_text(', '.join(head.base_files[:8]))}"
        else:
            base = "clean"
        partners = ", ".join(md_text(other) for other in head.conflicts_with) or "-"
        rows.append([_label(head.id, head.url), md_text(head.title or "-", 80), md_text(head.who or "-"),
                     md_code(head.ref), head.changed_files, base, partners])
    lines.append(table(["Head", "Title", "Who", "Found as", "Changed files", "With base", "Conflicts with"], rows))
    if matrix.pairs:
        lines += ["", "## Conflicting pairs", ""]
        lines.append(table(["Head", "Head", "Conflicted files"],
                           [[md_text(p.a), md_text(p.b), md_text(", ".join(p.files[:10]))] for p in matrix.pairs]))
    if 1 < len(matrix.heads) <= MAX_SQUARE_HEADS:
        lines += ["", "## Matrix", "", f"{CONFLICT_MARK} conflict, {CLEAN_MARK} clean or disjoint changes, "
                  f"{ERROR_MARK} git could not merge.", "", _square(matrix)]
    if matrix.skipped:
        lines += ["", "## Not checked", ""]
        lines.append(table(["Head", "Reason"], [[md_text(s.id), md_text(s.reason)] for s in matrix.skipped]))
    if matrix.failed_pairs:
        lines += ["", "## Pairs git could not merge", ""]
        lines.append(table(["Head", "Head", "Error"], [[md_text(f.a), md_text(f.b), md_text(f.error, 200)]
                                                      for f in matrix.failed_pairs]))
    return "\n".join(lines) + "\n"


def _mark(conflict: bool, failed: bool) -> str:
    if conflict:
        return CONFLICT_MARK
    if failed:
        return ERROR_MARK
    return CLEAN_MARK


def _square(matrix: ConflictMatrix) -> str:
    conflicting = {(p.a, p.b) for p in matrix.pairs} | {(p.b, p.a) for p in matrix.pairs}
    failed = {(f.a, f.b) for f in matrix.failed_pairs} | {(f.b, f.a) for f in matrix.failed_pairs}
    ids = [head.id for head in matrix.heads]
    rows = []
    for head in matrix.heads:
        cells = [_mark(head.base_conflict is True, head.base_conflict is None)]
        for other in ids:
            pair = (head.id, other)
            cells.append("" if other == head.id else _mark(pair in conflicting, pair in failed))
        rows.append([md_text(head.id), *cells])
    return table(["", "base", *(md_text(i) for i in ids)], rows)
