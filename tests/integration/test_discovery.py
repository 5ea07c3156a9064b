"""Finding the coverage report: `--coverage`, `<root>/coverage.json`, then the
`[json] output` setting of the project's coverage configuration."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from integration_support import summary_differences, summary_from_coverage
from support.binary import run_testgap
from support.measure import COVERAGE_COMMAND


def same_file(reported: str, expected: Path, cwd: Path | None = None) -> bool:
    """Whether testgap's `coverage_file` (absolute, or relative to the directory
    it ran in) is `expected`."""
    path = Path(reported)
    if not path.is_absolute():
        assert cwd is not None, f"relative path {reported!r}"
        path = cwd / path
    return path.resolve() == expected.resolve()


def check_numbers(audit: dict, data: dict) -> None:
    assert not summary_differences(audit["totals"], summary_from_coverage(data["totals"]))


@pytest.mark.parametrize(
    "name, report",
    [("srclayout", "reports/cov.json"), ("unittest_style", "build/coverage.json")],
)
def test_report_found_through_project_config(projects, tmp_path, name, report):
    """pyproject.toml `[tool.coverage.json] output` and .coveragerc `[json] output`."""
    project = projects.get(name)
    assert not (project.root / "coverage.json").exists()
    # From inside the project, no flags at all.
    inside = run_testgap("audit", "--format", "json", cwd=project.root)
    audit = inside.json()
    assert same_file(audit["coverage_file"], project.root / report, project.root)
    assert Path(audit["root"]).is_absolute()
    assert same_file(audit["root"], project.root)
    check_numbers(audit, project.data)
    # From elsewhere, with --root.
    outside = run_testgap("audit", "--root", project.root, "--format", "json", cwd=tmp_path)
    assert same_file(outside.json()["coverage_file"], project.root / report, tmp_path)


CONFIGS = {
    "setup.cfg": "[metadata]\nname = ledger\n\n[coverage:json]\noutput = out/ledger.json\n",
    "tox.ini": "[tox]\nenvlist = py311\n\n[coverage:json]\noutput = out/ledger.json\n",
    "pyproject.toml": '[project]\nname = "ledger"\n\n[tool.coverage.json]\noutput = "out/ledger.json"\n',
    ".coveragerc": "[run]\nbranch = True\n\n[json]\noutput = out/ledger.json\n",
}


@pytest.mark.parametrize("config", CONFIGS)
def test_each_config_file_kind(copy_project, projects, config):
    root = copy_project("flat")
    (root / "out").mkdir()
    shutil.move(root / "coverage.json", root / "out" / "ledger.json")
    (root / config).write_text(CONFIGS[config], encoding="utf-8")
    audit = run_testgap("audit", "--format", "json", cwd=root).json()
    assert same_file(audit["coverage_file"], root / "out" / "ledger.json", root)
    check_numbers(audit, projects.get("flat").data)


def test_root_coverage_json_comes_before_config(copy_project):
    root = copy_project("flat")
    (root / "out").mkdir()
    (root / "out" / "ledger.json").write_text("{ not json", encoding="utf-8")
    (root / "setup.cfg").write_text(CONFIGS["setup.cfg"], encoding="utf-8")
    audit = run_testgap("audit", "--format", "json", cwd=root).json()
    assert same_file(audit["coverage_file"], root / "coverage.json", root)


def test_coverage_flag_comes_first(copy_project, tmp_path):
    root = copy_project("flat")
    elsewhere = tmp_path / "reports" / "nightly.json"
    elsewhere.parent.mkdir()
    shutil.copy2(root / "coverage.json", elsewhere)
    (root / "coverage.json").write_text("{ not json", encoding="utf-8")
    audit = run_testgap("audit", "--coverage", elsewhere, "--format", "json", cwd=root).json()
    assert same_file(audit["coverage_file"], elsewhere, root)
    # Relative to the current directory, as a user types it.
    relative = run_testgap(
        "audit", "--root", root, "--coverage", "reports/nightly.json", "--format", "json", cwd=tmp_path
    )
    assert same_file(relative.json()["coverage_file"], elsewhere, tmp_path)


def test_no_report_says_how_to_make_one(copy_project):
    root = copy_project("flat")
    (root / "coverage.json").unlink()
    result = run_testgap("audit", cwd=root)
    assert result.returncode == 2, result.explain("expected exit 2")
    assert result.stderr.startswith("testgap: "), result.stderr
    assert COVERAGE_COMMAND in result.stderr
    assert result.stdout == ""


def test_configured_report_missing(copy_project):
    """The config names a report that was never written: say which, and how."""
    root = copy_project("unittest_style")
    shutil.rmtree(root / "build")
    result = run_testgap("audit", "--format", "json", cwd=root)
    assert result.returncode == 2, result.explain("expected exit 2")
    assert result.stderr.startswith("testgap: ")
    assert "build/coverage.json" in result.stderr
    assert COVERAGE_COMMAND in result.stderr
    assert result.stdout == ""


def test_absolute_paths_in_report(copy_project, projects):
    """Reports written with absolute paths (coverage run from elsewhere, or
    relative_files off) give the same audit as relative ones."""
    import json

    root = copy_project("flat")
    data = json.loads((root / "coverage.json").read_text())
    data["files"] = {str(root / path): entry for path, entry in data["files"].items()}
    (root / "coverage.json").write_text(json.dumps(data))
    absolute = run_testgap("audit", "--format", "json", "--threshold", "101", cwd=root).json()
    relative = projects.audit("flat", "--format", "json", "--threshold", "101").json()
    assert absolute["warnings"] == []
    assert [(m["path"], m["summary"], m["module"]) for m in absolute["modules"]] == [
        (m["path"], m["summary"], m["module"]) for m in relative["modules"]
    ]
