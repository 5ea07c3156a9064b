"""testgap's numbers are coverage.py's numbers, to the digit.

For every project (three fixtures, the bundled example and a real PyPI
library run under its own test suite) `--threshold 101` lists every file, so
each one can be compared with `coverage report` and with coverage.json.
"""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest
from integration_support import ALL_PROJECTS, import_name, summary_differences, summary_from_coverage
from support.binary import run_testgap

EVERYTHING = ("--format", "json", "--threshold", "101")


def listed(projects, name):
    report = projects.audit(name, *EVERYTHING)
    assert report.returncode == 0, report.explain("audit failed")
    return report.json()


@pytest.mark.parametrize("name", ALL_PROJECTS)
def test_every_file_is_listed(projects, name):
    project = projects.get(name)
    audit = listed(projects, name)
    paths = [m["path"] for m in audit["modules"]]
    assert len(paths) == len(set(paths)), "a module is listed twice"
    assert sorted(paths) == sorted(project.data["files"])
    assert audit["files"] == {"total": len(project.data["files"]), "below_threshold": len(paths)}
    assert audit["warnings"] == []


@pytest.mark.parametrize("name", ALL_PROJECTS)
def test_file_numbers_match_coverage_report(projects, name):
    """Stmts, Miss, Branch, BrPart and Cover, as `coverage report` prints them."""
    project = projects.get(name)
    modules = {m["path"]: m["summary"] for m in listed(projects, name)["modules"]}
    wrong = []
    for path, row in project.table.rows.items():
        got = modules.get(path)
        if got is None:
            wrong.append(f"{path}: not listed")
            continue
        ours = (
            got["statements"],
            got["missing_lines"],
            got["branches"],
            got["partial_branches"],
            got["percent_covered_display"],
        )
        theirs = (row.statements, row.missing, row.branches, row.partial, row.cover)
        if ours != theirs:
            wrong.append(f"{path}: testgap {ours}, coverage report {theirs}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("name", ALL_PROJECTS)
def test_totals_match_coverage_report(projects, name):
    project = projects.get(name)
    totals = listed(projects, name)["totals"]
    row = project.table.total
    assert (
        totals["statements"],
        totals["missing_lines"],
        totals["branches"],
        totals["partial_branches"],
        totals["percent_covered_display"],
    ) == (row.statements, row.missing, row.branches, row.partial, row.cover)
    assert not summary_differences(totals, summary_from_coverage(project.data["totals"]))


@pytest.mark.parametrize("name", ALL_PROJECTS)
def test_file_summaries_match_coverage_json(projects, name):
    project = projects.get(name)
    modules = {m["path"]: m["summary"] for m in listed(projects, name)["modules"]}
    wrong = []
    for path, entry in project.data["files"].items():
        for problem in summary_differences(modules[path], summary_from_coverage(entry["summary"])):
            wrong.append(f"{path}: {problem}")
    assert not wrong, "\n".join(wrong)


def range_problems(ranges: list[list[int]], missing: list[int], executed: set[int]) -> list[str]:
    """Ranges as coverage.py prints its Missing column: sorted, disjoint, from a
    missing line to a missing line, holding every missing line and no line that
    ran (a range may step over blank lines, comments and other unrun code)."""
    problems = []
    flat = [line for pair in ranges for line in pair]
    if flat != sorted(flat) or any(a > b for a, b in ranges):
        problems.append(f"ranges not sorted and disjoint: {ranges}")
    wanted = set(missing)
    for first, last in ranges:
        if first not in wanted or last not in wanted:
            problems.append(f"range {[first, last]} does not start and end on missing lines")
        ran = sorted(executed.intersection(range(first, last + 1)))
        if ran:
            problems.append(f"range {[first, last]} holds lines that ran: {ran}")
    inside = {line for line in wanted if any(a <= line <= b for a, b in ranges)}
    if inside != wanted:
        problems.append(f"missing lines outside every range: {sorted(wanted - inside)}")
    return problems


@pytest.mark.parametrize("name", ALL_PROJECTS)
def test_functions_match_coverage_regions(projects, name):
    """Every function coverage.py names with missing lines is listed, under the
    same qualified name, with the same numbers, lines and branches.

    coverage.py makes no region for a def inside `else:`/`except:`/`finally:`
    and keeps one region per name; testgap may list such defs on its own, so
    only names listed once are compared with a region here."""
    project = projects.get(name)
    wrong = []
    checked = 0
    for module in listed(projects, name)["modules"]:
        path = module["path"]
        entry = project.data["files"][path]
        regions = entry["functions"]
        executed = set(entry["executed_lines"])
        expected = {n for n, r in regions.items() if n and r["summary"]["missing_lines"] > 0}
        names = Counter(f["name"] for f in module["functions"])
        if expected - set(names):
            wrong.append(f"{path}: functions with missing lines not listed: {sorted(expected - set(names))}")
        for function in module["functions"]:
            where = f"{path}::{function['name']}"
            region = regions.get(function["name"])
            if region is None or names[function["name"]] > 1:
                if function["summary"]["missing_lines"] == 0:
                    wrong.append(f"{where}: listed without missing lines")
                continue
            checked += 1
            for problem in summary_differences(function["summary"], summary_from_coverage(region["summary"])):
                wrong.append(f"{where}: {problem}")
            for problem in range_problems(function["uncovered_lines"], region["missing_lines"], executed):
                wrong.append(f"{where}: {problem}")
            ours, theirs = function["missing_branches"], region["missing_branches"]
            if sorted(map(tuple, ours)) != sorted(map(tuple, theirs)):
                wrong.append(f"{where}: missing_branches {ours}, coverage.py {theirs}")
    assert not wrong, "\n".join(wrong[:60])
    assert checked > 0


def scoped_like_coverage(module: dict, regions: dict) -> bool:
    """Whether every listed function is a coverage.py region of its own (no
    def that coverage.py leaves to the module, no name used twice)."""
    names = Counter(f["name"] for f in module["functions"])
    return all(n in regions and count == 1 for n, count in names.items())


@pytest.mark.parametrize("name", ALL_PROJECTS)
def test_module_level_lines_match_coverage(projects, name):
    """The uncovered lines outside any function are coverage.py's module region."""
    project = projects.get(name)
    wrong = []
    compared = 0
    for module in listed(projects, name)["modules"]:
        path = module["path"]
        entry = project.data["files"][path]
        if not scoped_like_coverage(module, entry["functions"]):
            continue
        compared += 1
        region = entry["functions"].get("", {"missing_lines": []})
        for problem in range_problems(
            module["module_level_uncovered_lines"], region["missing_lines"], set(entry["executed_lines"])
        ):
            wrong.append(f"{path}: {problem}")
    assert not wrong, "\n".join(wrong[:60])
    assert compared > 0


@pytest.mark.parametrize("name", ALL_PROJECTS)
def test_function_lines_point_at_the_def(projects, name):
    """`line` is the def line, and the function's statements lie in [line, end_line]."""
    project = projects.get(name)
    wrong = []
    for module in listed(projects, name)["modules"]:
        path = module["path"]
        source = (project.root / path).read_text(encoding="utf-8").splitlines()
        regions = project.data["files"][path]["functions"]
        for function in module["functions"]:
            short = function["name"].rsplit(".", 1)[-1]
            line, end = function["line"], function["end_line"]
            if not 1 <= line <= end <= len(source):
                wrong.append(f"{path}::{function['name']}: lines {line}-{end} outside the file")
                continue
            if not re.match(rf"\s*(async\s+)?def\s+{re.escape(short)}\b", source[line - 1]):
                wrong.append(f"{path}:{line}: not the def of {function['name']}: {source[line - 1].strip()!r}")
            region = regions.get(function["name"])
            if region is None or sum(f["name"] == function["name"] for f in module["functions"]) > 1:
                continue  # not scoped by coverage.py (see test_functions_match_coverage_regions)
            body = region["executed_lines"] + region["missing_lines"]
            if body and not (line <= min(body) and max(body) <= end):
                wrong.append(f"{path}::{function['name']}: statements {min(body)}-{max(body)} not in {line}-{end}")
    assert not wrong, "\n".join(wrong[:60])


@pytest.mark.parametrize("name", ALL_PROJECTS)
def test_functions_least_covered_first(projects, name):
    for module in listed(projects, name)["modules"]:
        percents = [f["summary"]["percent_covered"] for f in module["functions"]]
        assert percents == sorted(percents), f"{module['path']}: {[f['name'] for f in module['functions']]}"


@pytest.mark.parametrize("name", ALL_PROJECTS)
def test_module_import_names(projects, name):
    project = projects.get(name)
    wrong = []
    for module in listed(projects, name)["modules"]:
        path = module["path"]
        inside = path[len(project.package_dir) + 1 :] if project.package_dir else path
        if inside.split("/")[0] not in project.packages:
            continue  # tests and scripts: no agreed import name
        want = import_name(path, project.package_dir)
        if module["module"] != want:
            wrong.append(f"{path}: {module['module']!r}, expected {want!r}")
    assert not wrong, "\n".join(wrong)


def test_src_layout_paths_and_names(projects):
    """Paths stay as coverage.py wrote them; import names drop the `src.` prefix."""
    modules = {m["path"]: m["module"] for m in listed(projects, "srclayout")["modules"]}
    assert modules["src/weatherkit/stations/registry.py"] == "weatherkit.stations.registry"
    assert modules["src/weatherkit/__init__.py"] == "weatherkit"
    # Never imported by any test: coverage.py reports it (source = src) at 0%.
    assert modules["src/weatherkit/plotting.py"] == "weatherkit.plotting"


def test_precision_from_coverage_config(projects):
    """`[report] precision` of the project is honoured (1 in pyproject.toml, 2 in .coveragerc)."""
    for name, decimals in (("srclayout", 1), ("unittest_style", 2), ("shop", 0)):
        audit = listed(projects, name)
        assert audit["precision"] == decimals
        pattern = rf"\d+\.\d{{{decimals}}}" if decimals else r"\d+"
        for summary in [audit["totals"], *(m["summary"] for m in audit["modules"])]:
            assert re.fullmatch(pattern, summary["percent_covered_display"]), (name, summary)


def test_pragma_no_cover_lines_are_excluded(projects):
    """Lines the project's config excludes count as excluded, not missing."""
    project = projects.get("unittest_style")
    modules = {m["path"]: m for m in listed(projects, "unittest_style")["modules"]}
    channels = modules["notify/channels.py"]
    assert (
        channels["summary"]["excluded_lines"] == len(project.data["files"]["notify/channels.py"]["excluded_lines"]) > 0
    )
    names = {f["name"] for f in channels["functions"]}
    assert "debug_dump" not in names  # `# pragma: no cover` on its def
    assert "Channel.send" not in names  # only `raise NotImplementedError`


def test_library_is_ranked(projects):
    """The real library: ranks 1..n, risk never increasing down the list."""
    audit = listed(projects, "boltons")
    modules = audit["modules"]
    assert len(modules) > 40
    assert [m["rank"] for m in modules] == list(range(1, len(modules) + 1))
    risks = [m["risk"] for m in modules]
    assert risks == sorted(risks, reverse=True)
    assert risks[0] > 0
    assert any(m["path"] == "boltons/iterutils.py" for m in modules)


@pytest.mark.parametrize("name", ALL_PROJECTS)
def test_line_join_matches_regions_without_them(projects, name, tmp_path):
    """A report without `functions` regions (format 2, or coverage before 7.5):
    testgap attributes lines and branches to functions itself, and gets the
    same numbers coverage.py's regions have."""
    project = projects.get(name)
    stripped = json.loads(json.dumps(project.data))
    stripped["meta"]["format"] = 2
    for entry in stripped["files"].values():
        entry.pop("functions", None)
        entry.pop("classes", None)
    report = tmp_path / "format2.json"
    report.write_text(json.dumps(stripped), encoding="utf-8")
    audit = run_testgap("audit", "--root", project.root, "--coverage", report, *EVERYTHING, cwd=project.root)
    assert audit.returncode == 0, audit.explain("audit failed")
    wrong, checked = [], 0
    for module in audit.json()["modules"]:
        regions = project.data["files"][module["path"]]["functions"]
        names = Counter(f["name"] for f in module["functions"])
        for function in module["functions"]:
            region = regions.get(function["name"])
            if region is None or names[function["name"]] > 1:
                continue
            checked += 1
            where = f"{module['path']}::{function['name']}"
            for problem in summary_differences(function["summary"], summary_from_coverage(region["summary"])):
                wrong.append(f"{where}: {problem}")
            if sorted(map(tuple, function["missing_branches"])) != sorted(map(tuple, region["missing_branches"])):
                wrong.append(f"{where}: missing_branches {function['missing_branches']}, {region['missing_branches']}")
    assert not wrong, "\n".join(wrong[:60])
    assert checked > 0
