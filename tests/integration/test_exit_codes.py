"""Exit codes: `--fail-under` decides exactly as `coverage report --fail-under`
does (the rounded total against the number), and bad flags are usage errors."""

from __future__ import annotations

import math

import pytest
from integration_support import coverage_fails_under
from support.binary import run_testgap


def candidates(percent: float, precision: int) -> list[str]:
    """Thresholds around the total, where rounding decides."""
    step = 10.0**-precision
    shown = round(percent, precision)
    values = {
        0.0,
        math.floor(percent),
        shown,
        shown - step,
        shown + step,
        shown + step / 2,
        percent,
        shown - step / 2,
        min(100.0, math.ceil(percent) + 1),
        100.0,
    }
    return sorted(f"{v:.{precision + 3}f}".rstrip("0").rstrip(".") or "0" for v in values if 0 <= v <= 100)


@pytest.mark.parametrize("name", ["shop", "srclayout", "unittest_style"])
def test_fail_under_agrees_with_coverage_py(projects, name):
    """Precision 0, 1 and 2: same verdict as coverage.py for every threshold."""
    project = projects.get(name)
    percent = project.data["totals"]["percent_covered"]
    precision = projects.audit(name, "--format", "json").json()["precision"]
    wrong = []
    for threshold in candidates(percent, precision):
        fails = coverage_fails_under(project.root, threshold)
        result = run_testgap("audit", "--fail-under", threshold, "--format", "json", cwd=project.root)
        if result.returncode != (1 if fails else 0):
            wrong.append(
                f"--fail-under {threshold}: exit {result.returncode}, coverage.py {'fails' if fails else 'passes'}"
            )
        # The report is printed either way.
        assert result.json()["totals"]["percent_covered"] == pytest.approx(percent)
    assert not wrong, f"total {percent!r}:\n" + "\n".join(wrong)


def test_no_fail_under_means_success_at_any_coverage(projects):
    assert projects.audit("shop").returncode == 0  # 49% total


@pytest.mark.parametrize(
    "flags, mentions",
    [
        (["--format", "xml"], "xml"),
        (["--threshold", "abc"], "abc"),
        (["--color", "sometimes"], "sometimes"),
        (["--max-modules", "-1"], "-1"),
        (["--batch-size", "0"], "batch"),
        (["--frobnicate"], "--frobnicate"),
    ],
)
def test_bad_flags_are_usage_errors(projects, flags, mentions):
    result = run_testgap("audit", *flags, cwd=projects.get("shop").root)
    assert result.returncode == 2, result.explain("expected a usage error")
    assert mentions in result.stderr
    assert result.stdout == ""


def test_root_that_does_not_exist(tmp_path):
    missing = tmp_path / "no-such-project"
    result = run_testgap("audit", "--root", missing, cwd=tmp_path)
    assert result.returncode == 2, result.explain("expected exit 2")
    assert result.stderr.startswith("testgap: ")
    assert "no-such-project" in result.stderr
