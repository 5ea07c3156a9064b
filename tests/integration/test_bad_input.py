"""Broken reports are input errors (exit 2, one clear line on stderr); problems
with single source files are warnings and the audit goes on (exit 0).
Never a panic (run_testgap checks every run)."""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import pytest
from integration_support import GENERATED, load_json, save_json, summary_differences, summary_from_coverage
from support.binary import run_testgap


def assert_input_error(result, report: Path) -> str:
    """Exit 2, nothing on stdout, one line on stderr naming the report."""
    assert result.returncode == 2, result.explain("expected exit 2")
    assert result.stdout == ""
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.explain("expected one line on stderr")
    assert lines[0].startswith("testgap: "), lines[0]
    assert report.name in lines[0], result.explain("the message does not name the file")
    return lines[0]


def audit_json(root: Path, *flags: str) -> dict:
    result = run_testgap("audit", "--format", "json", "--threshold", "101", *flags, cwd=root)
    assert result.returncode == 0, result.explain("expected the audit to go on")
    return result.json()


def warnings_of(audit: dict, kind: str) -> list[dict]:
    return [w for w in audit["warnings"] if w["kind"] == kind]


def make_old(path: Path) -> None:
    """Date a source file a day back, so that only the problem under test shows."""
    old = time.time() - 86_400
    os.utime(path, (old, old))


# ------------------------------------------------------------ broken reports


def test_named_report_does_not_exist(copy_project):
    root = copy_project("flat")
    missing = root / "htmlcov" / "nightly-coverage.json"
    assert_input_error(run_testgap("audit", "--coverage", missing, cwd=root), missing)


def test_truncated_report_names_line_and_column(copy_project):
    root = copy_project("flat")
    report = root / "coverage.json"
    text = report.read_text(encoding="utf-8")
    # Pretty-printed, so that the line number means something.
    pretty = json.dumps(json.loads(text), indent=2)
    cut = pretty[: len(pretty) * 2 // 3]
    report.write_text(cut, encoding="utf-8")
    message = assert_input_error(run_testgap("audit", cwd=root), report)
    found = re.search(r"line (\d+),? column (\d+)", message)
    assert found, message
    assert int(found[1]) == cut.count("\n") + 1, f"the file ends on line {cut.count(chr(10)) + 1}: {message}"


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"   \n",
        b"<html><body>502 Bad Gateway</body></html>\n",
        b"[1, 2, 3]\n",
        b'{"meta": {"format": 3}}\n',
        b"\xff\xfe{\x00}\x00",
    ],
    ids=["empty", "blank", "html", "array", "no-files", "utf16-garbage"],
)
def test_not_a_coverage_report(copy_project, content):
    root = copy_project("flat")
    report = root / "coverage.json"
    report.write_bytes(content)
    assert_input_error(run_testgap("audit", cwd=root), report)


def test_sqlite_data_file_instead_of_json(copy_project):
    """A common slip: pointing --coverage at `.coverage`, coverage.py's SQLite file."""
    root = copy_project("flat")
    data_file = root / ".coverage"
    assert data_file.is_file()
    assert_input_error(run_testgap("audit", "--coverage", data_file, cwd=root), data_file)


def test_directory_instead_of_file(copy_project):
    root = copy_project("flat")
    (root / "reports").mkdir()
    result = run_testgap("audit", "--coverage", root / "reports", cwd=root)
    assert result.returncode == 2, result.explain("expected exit 2")
    assert "reports" in result.stderr


@pytest.mark.parametrize(
    "field, value",
    [
        ("executed_lines", "x"),
        ("missing_lines", [1, "two", 3]),
        ("summary", None),
        ("missing_branches", [[1]]),
    ],
)
def test_wrong_field_types(copy_project, field, value):
    root = copy_project("flat")
    report = root / "coverage.json"
    data = load_json(report)
    data["files"]["ledger/money.py"][field] = value
    save_json(report, data)
    assert_input_error(run_testgap("audit", cwd=root), report)


def test_unsupported_format(copy_project):
    root = copy_project("flat")
    report = root / "coverage.json"
    data = load_json(report)
    data["meta"]["format"] = 99
    save_json(report, data)
    message = assert_input_error(run_testgap("audit", cwd=root), report)
    assert "99" in message


# ------------------------------------------------------------ problem files


def test_entries_outside_the_root_are_skipped(copy_project, tmp_path, projects):
    root = copy_project("flat")
    (tmp_path / "outside.py").write_text("def leaked():\n    return 1\n")
    report = root / "coverage.json"
    data = load_json(report)
    entry = data["files"]["ledger/cli.py"]
    data["files"]["../outside.py"] = entry
    data["files"]["/etc/passwd"] = entry
    save_json(report, data)
    audit = audit_json(root)
    outside = warnings_of(audit, "outside-root")
    assert sorted(w["path"] for w in outside) == sorted(["../outside.py", "/etc/passwd"])
    paths = [m["path"] for m in audit["modules"]]
    assert sorted(paths) == sorted(projects.get("flat").data["files"])
    assert audit["files"]["total"] == len(projects.get("flat").data["files"])


def test_listed_file_deleted(copy_project):
    root = copy_project("flat")
    (root / "ledger" / "cli.py").unlink()
    audit = audit_json(root)
    assert [w["path"] for w in warnings_of(audit, "missing-file")] == ["ledger/cli.py"]
    assert {m["path"] for m in audit["modules"]} >= {"ledger/money.py", "ledger/accounts.py"}


def test_source_with_syntax_error(copy_project, projects):
    """An edit left a syntax error (after the run): warn, keep the report's numbers."""
    root = copy_project("flat")
    source = root / "ledger" / "money.py"
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if "return cls(Decimal(0), currency)" in line)
    lines[at] = lines[at].replace("return cls(Decimal(0), currency)", "return cls(Decimal(0), currency")
    source.write_text("".join(lines), encoding="utf-8")
    make_old(source)
    audit = audit_json(root)
    assert [w["path"] for w in warnings_of(audit, "syntax-error")] == ["ledger/money.py"]
    (module,) = [m for m in audit["modules"] if m["path"] == "ledger/money.py"]
    entry = projects.get("flat").data["files"]["ledger/money.py"]
    assert not summary_differences(module["summary"], summary_from_coverage(entry["summary"]))
    assert module["stale"] is False


def test_binary_file_with_py_suffix(copy_project):
    root = copy_project("flat")
    source = root / "ledger" / "cli.py"
    lines = len(source.read_bytes().splitlines())
    source.write_bytes(b"\x7fELF\x02\x01\x01\x00" + b"\x00\x01\x02\n" * lines + os.urandom(256))
    make_old(source)
    audit = audit_json(root)
    assert [w["path"] for w in warnings_of(audit, "binary")] == ["ledger/cli.py"]


def test_latin1_source(projects):
    """A Latin-1 file (with its coding declaration) that coverage.py measured."""
    project = projects.get(GENERATED)
    audit = projects.audit(GENERATED, "--format", "json", "--threshold", "101")
    assert audit.returncode == 0, audit.explain("audit failed")
    report = audit.json()
    assert [w["path"] for w in warnings_of(report, "not-utf8")] == ["gen/legacy.py"]
    (module,) = [m for m in report["modules"] if m["path"] == "gen/legacy.py"]
    entry = project.data["files"]["gen/legacy.py"]
    assert not summary_differences(module["summary"], summary_from_coverage(entry["summary"]))
    assert [f["name"] for f in module["functions"]] == ["price"]


def test_fifty_thousand_line_module(projects):
    project = projects.get(GENERATED)
    big = project.root / "gen" / "big.py"
    assert len(big.read_text().splitlines()) == 50_000
    started = time.monotonic()
    result = projects.audit(GENERATED, "--format", "json", "--threshold", "101")
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.explain("audit failed")
    (module,) = [m for m in result.json()["modules"] if m["path"] == "gen/big.py"]
    entry = project.data["files"]["gen/big.py"]
    assert not summary_differences(module["summary"], summary_from_coverage(entry["summary"]))
    missing = {n for n, r in entry["functions"].items() if n and r["summary"]["missing_lines"]}
    assert {f["name"] for f in module["functions"]} == missing
    assert elapsed < 60, f"audit of a 50,000-line module took {elapsed:.1f} s"


# ------------------------------------------------------------ stale data


def test_source_changed_after_the_run_is_stale(copy_project):
    root = copy_project("flat")
    changed = root / "ledger" / "money.py"
    future = time.time() + 3600
    os.utime(changed, (future, future))
    audit = audit_json(root)
    stale = {m["path"]: m["stale"] for m in audit["modules"]}
    assert stale.pop("ledger/money.py") is True
    assert not any(stale.values()), f"untouched files marked stale: {[p for p, s in stale.items() if s]}"
    assert [w["path"] for w in warnings_of(audit, "stale")] == ["ledger/money.py"]
    # The table marks it with `*` (README), and the warning goes to stderr.
    text = run_testgap("audit", "--threshold", "101", cwd=root)
    assert text.returncode == 0
    rows = [line for line in text.stdout.splitlines() if "ledger/money.py" in line]
    assert rows and "*" in rows[0], text.stdout
    assert "ledger/money.py" in text.stderr


def test_source_shorter_than_report_is_stale(copy_project):
    """An older version checked out (old file time) with fewer lines than the report names."""
    root = copy_project("flat")
    source = root / "ledger" / "accounts.py"
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    source.write_text("".join(lines[: len(lines) // 2]), encoding="utf-8")
    make_old(source)
    audit = audit_json(root)
    stale = {m["path"]: m["stale"] for m in audit["modules"]}
    assert stale["ledger/accounts.py"] is True
    assert "ledger/accounts.py" in [w["path"] for w in warnings_of(audit, "stale")]


def test_fresh_run_is_not_stale(projects):
    audit = projects.audit("flat", "--format", "json", "--threshold", "101").json()
    assert not any(m["stale"] for m in audit["modules"])
    assert warnings_of(audit, "stale") == []
