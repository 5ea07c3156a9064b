"""Aligned text tables for the benchmarks' output."""

from __future__ import annotations


def table(rows: list[list[str]], right: set[int]) -> str:
    """`rows` (the first is the header, underlined) in aligned columns, two
    spaces apart and indented by two; the columns in `right` right-aligned."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        cells = [c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths))]
        lines.append("  " + "  ".join(cells).rstrip())
        if n == 0:
            lines.append("  " + "  ".join("-" * w for w in widths))
    return "\n".join(lines)
