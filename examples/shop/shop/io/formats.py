"""Export formats and turning rows into text."""

from __future__ import annotations

import csv
import enum
import io
import json
from collections.abc import Mapping, Sequence
from pathlib import PurePath

Row = Mapping[str, object]


class ExportFormat(str, enum.Enum):
    CSV = "csv"
    TSV = "tsv"
    JSON = "json"
    JSONL = "jsonl"

    @property
    def delimiter(self) -> str | None:
        return {"csv": ",", "tsv": "\t"}.get(self.value)


def detect_format(filename: str) -> ExportFormat:
    """The format named by a file's extension (`report.tsv` → TSV)."""
    suffix = PurePath(filename).suffix.lower().lstrip(".")
    if not suffix:
        raise ValueError(f"{filename!r} has no extension")
    try:
        return ExportFormat(suffix)
    except ValueError:
        raise ValueError(f"unsupported export format {suffix!r}") from None


def serialize(rows: Sequence[Row], fmt: str, *, indent: int | None = None) -> str:
    """Rows as text in `fmt`; every row must have the first row's keys."""
    if fmt == "json":
        return json.dumps(list(map(dict, rows)), indent=indent, default=str)
    if fmt == "jsonl":
        return "".join(json.dumps(dict(row), default=str) + "\n" for row in rows)
    if fmt not in ("csv", "tsv"):
        raise ValueError(f"unsupported export format {fmt!r}")
    if not rows:
        return ""
    fields = list(rows[0])
    for number, row in enumerate(rows[1:], start=2):
        if list(row) != fields:
            raise ValueError(f"row {number} has fields {list(row)}, expected {fields}")
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=fields, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()
