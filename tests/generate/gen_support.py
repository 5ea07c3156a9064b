"""Helpers of the `testgap generate` suite: running the real binary, running
the generated tests with the real pytest and coverage.py in fresh processes,
and reading what was generated with `ast`.

Nothing here imitates testgap: whether a generated test passes, what it
covers and whether it asserts anything is decided by pytest, coverage.py and
Python's own parser.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "shop"
PYTHON = sys.executable

# A real library written by other people, pinned by version and sha256.
BOLTONS = ("boltons", "25.0.0", "e110fbdc30b7b9868cb604e3f71d4722dd8f4dcb4a5ddd06028ba8f1ab0b5ace")


def child_env(**extra: str) -> dict[str, str]:
    """The environment of child processes, without settings of the outer run
    that would change what pytest, coverage.py or testgap do."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("COVERAGE_", "PYTEST_", "RUST_BACKTRACE", "RUST_LOG"))
        and key not in ("PYTHONPATH", "VIRTUAL_ENV", "NO_COLOR")
    }
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update(extra)
    return env


def run(cmd: list[Any], cwd: Path, *, env: dict[str, str] | None = None, timeout: float = 300):
    return subprocess.run(
        [str(c) for c in cmd],
        cwd=cwd,
        env=env if env is not None else child_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def describe(proc: subprocess.CompletedProcess) -> str:
    return (
        f"$ {' '.join(map(str, proc.args))}\nexit status {proc.returncode}\n"
        f"--- stdout\n{proc.stdout[-6000:]}\n--- stderr\n{proc.stderr[-6000:]}"
    )


def find_testgap() -> Path:
    configured = os.environ.get("TESTGAP_BIN")
    path = Path(configured) if configured else REPO / "target" / "debug" / "testgap"
    if not path.is_file():
        raise RuntimeError(f"no testgap binary at {path}: build it with `cargo build --bins` (or run tests/run)")
    return path


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


def coverage_run(root: Path, *pytest_args: str, data_file: Path | None = None) -> dict[str, Any]:
    """Runs pytest under coverage.py in `root` (a fresh process) and returns
    coverage.py's JSON report. Fails when any test fails."""
    # Outside the project: the tests check that nothing else appears in it.
    data = data_file or root.parent / f"{root.name}.coverage"
    proc = run(
        [PYTHON, "-m", "coverage", "run", "--branch", f"--data-file={data}", "-m", "pytest", "-q", "-p", "no:cacheprovider", *pytest_args],
        root,
    )
    assert proc.returncode == 0, "the tests failed\n" + describe(proc)
    out = data.with_suffix(".json")
    proc = run([PYTHON, "-m", "coverage", "json", f"--data-file={data}", "-o", out], root)
    assert proc.returncode == 0, describe(proc)
    return json.loads(out.read_text(encoding="utf-8"))


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


# --------------------------------------------------------------------------
# The pinned library


def fetch_sdist(cache: Path) -> Path:
    """boltons' sdist, from the cache or (once) from PyPI through pip, checked
    against its pinned sha256."""
    name, version, sha256 = BOLTONS
    cache.mkdir(parents=True, exist_ok=True)
    for path in cache.glob(f"{name}-{version}.tar.gz"):
        if hashlib.sha256(path.read_bytes()).hexdigest() == sha256:
            return path
        path.unlink()
    requirements = cache / f"{name}-generate.requirements.txt"
    requirements.write_text(f"{name}=={version} --hash=sha256:{sha256}\n", encoding="utf-8")
    proc = run(
        [PYTHON, "-m", "pip", "download", "--quiet", "--no-deps", "--require-hashes", "--no-binary", name,
         "-r", requirements, "-d", cache],
        cache,
        env=child_env(PIP_DISABLE_PIP_VERSION_CHECK="1"),
    )
    assert proc.returncode == 0, f"could not download {name}=={version}\n" + describe(proc)
    (path,) = cache.glob(f"{name}-{version}.tar.gz")
    return path


def unpack(archive: Path, dest: Path) -> Path:
    with tarfile.open(archive) as tar:
        if hasattr(tarfile, "data_filter"):
            tar.extractall(dest, filter="data")
        else:  # pragma: no cover - Pythons before 3.11.4
            tar.extractall(dest)
    (top,) = [p for p in dest.iterdir() if p.is_dir()]
    return top


def copy_example(dest: Path) -> Path:
    shutil.copytree(EXAMPLE, dest, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache", ".coverage"))
    return dest
