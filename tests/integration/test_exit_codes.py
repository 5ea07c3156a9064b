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


@pytest.mark.parametrize("value", ["0", "50%", "100", "101", "150"])
def test_audit_and_generate_take_the_same_thresholds(projects, value):
    """`--threshold` means "below this" in both: any percentage from 0 up."""
    root = projects.get("shop").root
    audit = run_testgap("audit", "--threshold", value, "--format", "json", cwd=root)
    assert audit.returncode == 0, audit.explain("expected the threshold to be taken")
    assert audit.json()["threshold"] == float(value.rstrip("%"))
    # No targets: the flags were taken, and generate stops before running anything.
    generate = run_testgap("generate", "--threshold", value, cwd=root)
    assert generate.returncode == 2, generate.explain("expected exit 2")
    assert generate.stderr.startswith("testgap: nothing to generate"), generate.explain("flag refused")


@pytest.mark.parametrize("value", ["abc", "-1", "NaN", "inf", ""])
def test_audit_and_generate_refuse_the_same_thresholds(projects, value):
    root = projects.get("shop").root
    errors = []
    for command in ("audit", "generate"):
        result = run_testgap(command, f"--threshold={value}", cwd=root)
        assert result.returncode == 2, result.explain("expected a usage error")
        assert result.stdout == ""
        assert f"`{value}` is not a threshold: a percentage from 0 up" in result.stderr, result.explain(command)
        errors.append(result.stderr.splitlines()[0])
    assert errors[0] == errors[1], "one message for both subcommands"


@pytest.mark.parametrize("value", ["101", "-1", "abc"])
def test_fail_under_is_a_percentage_from_0_to_100(projects, value):
    """As coverage.py, which refuses a fail_under outside 0..100."""
    result = run_testgap("audit", f"--fail-under={value}", cwd=projects.get("shop").root)
    assert result.returncode == 2, result.explain("expected a usage error")
    assert result.stdout == ""
    assert f"`{value}` is not a percentage from 0 to 100" in result.stderr
