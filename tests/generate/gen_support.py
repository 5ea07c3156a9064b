"""Helpers of the `testgap generate` suite: running `testgap generate`, and
reading what it generated with `ast` (processes, coverage runs and pinned
downloads are in the shared `support`).

Nothing here imitates testgap: whether a generated test passes, what it
covers and whether it asserts anything is decided by pytest, coverage.py and
Python's own parser.
"""

from __future__ import annotations

import ast
import hashlib
import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from support import EXAMPLE
from support.binary import find_testgap
from support.processes import describe, run

PYTHON = sys.executable


@dataclass
class Generated:
    """What one `testgap generate` run did."""

    proc: subprocess.CompletedProcess

    @property
    def code(self) -> int:
        return self.proc.returncode

    def report(self) -> dict[str, Any]:
        try:
            return json.loads(self.proc.stdout)
        except json.JSONDecodeError as error:
            raise AssertionError(f"stdout is not JSON: {error}\n{describe(self.proc)}") from None

    def functions(self) -> dict[str, dict[str, Any]]:
        """Every function of the report by `module:qualname`."""
        return {
            f"{m['module']}:{f['qualname']}": f for m in self.report()["modules"] for f in m["functions"]
        }


def generate(root: Path, *args: Any, env: dict[str, str] | None = None, timeout: float = 600) -> Generated:
    proc = run([find_testgap(), "generate", "--root", root, "--python", PYTHON, *args], root, env=env, timeout=timeout)
    assert "panicked" not in proc.stderr, describe(proc)
    assert proc.returncode in (0, 1, 2), describe(proc)
    return Generated(proc)


def function_lines(report: dict[str, Any], path: str, qualname: str) -> tuple[int, int]:
    """(covered, statements) of one function in coverage.py's own report."""
    region = report["files"][path]["functions"].get(qualname)
    if region is None:
        return (0, 0)
    summary = region["summary"]
    return (summary["covered_lines"], summary["num_statements"])


# --------------------------------------------------------------------------
# Reading generated tests


def _is_pytest_raises(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "raises"
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "pytest"
    )


def asserts_something(function: ast.FunctionDef) -> bool:
    """An `assert` that is not only `x is not None`, or a `pytest.raises`."""
    for node in ast.walk(function):
        if isinstance(node, ast.Assert):
            test = node.test
            lone_not_none = (
                isinstance(test, ast.Compare)
                and len(test.ops) == 1
                and isinstance(test.ops[0], ast.IsNot)
                and isinstance(test.comparators[0], ast.Constant)
                and test.comparators[0].value is None
            )
            if not lone_not_none:
                return True
        if isinstance(node, ast.With) and any(_is_pytest_raises(item.context_expr) for item in node.items):
            return True
    return False


def lone_isinstance(function: ast.FunctionDef) -> bool:
    """Every assertion is an `isinstance` check: asserts nothing of value."""
    asserts = [n for n in ast.walk(function) if isinstance(n, ast.Assert)]
    raises = any(
        isinstance(n, ast.With) and any(_is_pytest_raises(i.context_expr) for i in n.items) for n in ast.walk(function)
    )
    return (
        bool(asserts)
        and not raises
        and all(
            isinstance(a.test, ast.Call) and isinstance(a.test.func, ast.Name) and a.test.func.id == "isinstance"
            for a in asserts
        )
    )


def generated_tests(path: Path, previous: str | None) -> list[ast.FunctionDef]:
    """The test functions testgap added to `path` (all of them for a new
    file; those after the previous text for an appended one)."""
    text = path.read_text(encoding="utf-8")
    tree = ast.parse(text)
    start_line = 0 if previous is None else previous.count("\n") + 1
    return [
        node
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test") and node.lineno > start_line
    ]


def snapshot(root: Path) -> dict[str, str]:
    """Every file under `root` with its sha256."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def copy_example(dest: Path) -> Path:
    shutil.copytree(EXAMPLE, dest, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache", ".coverage"))
    return dest
