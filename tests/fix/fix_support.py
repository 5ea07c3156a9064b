"""Helpers of the `testgap fix` scenario suite: a copy of a real library in a
git repository, refactors applied to it the way a person (or an IDE) would,
and the checks every scenario shares.

Nothing here imitates testgap: whether a test passes is pytest's verdict, and
whether a test was weakened is decided on Python's own `ast` of the files.
"""

from __future__ import annotations

import ast
import builtins
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from support.binary import Testgap, run_testgap
from support.processes import child_env, describe, run

GIT_IDENTITY = ["-c", "user.name=testgap", "-c", "user.email=testgap@example.invalid", "-c", "commit.gpgsign=false"]
SKIPPED = {".git", "__pycache__", ".pytest_cache"}


def git_env() -> dict[str, str]:
    # Neither the user's nor the system's git configuration may change what
    # a scenario does (hooks, signing, default branch names).
    return child_env(GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1")


class Project:
    """A copy of the library in its own git repository."""

    def __init__(self, root: Path) -> None:
        self.root = root

    # -- files -------------------------------------------------------------

    def path(self, rel: str) -> Path:
        return self.root / rel

    def read(self, rel: str) -> str:
        return self.path(rel).read_text(encoding="utf-8")

    def write(self, rel: str, text: str) -> None:
        path = self.path(rel)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    def write_code(self, rel: str, text: str) -> None:
        """Write an indented triple-quoted block as a file."""
        self.write(rel, textwrap.dedent(text).lstrip("\n"))

    def replace(self, rel: str, old: str, new: str, count: int = 1) -> None:
        """Replace `count` occurrences (0: all) of `old`, which must be there."""
        text = self.read(rel)
        assert old in text, f"{rel} has no {old!r}"
        self.write(rel, text.replace(old, new) if count == 0 else text.replace(old, new, count))

    def rename_word(self, rel: str, old: str, new: str) -> None:
        """Rename an identifier everywhere in a file."""
        text = self.read(rel)
        renamed, n = re.subn(rf"\b{re.escape(old)}\b", new, text)
        assert n, f"{rel} never mentions {old}"
        self.write(rel, renamed)

    def move_file(self, old: str, new: str) -> None:
        self.path(old).rename(self.path(new))

    def move_definitions(self, src: str, names: list[str], dst: str, *, reexport: str = "none") -> None:
        """Move top-level definitions from module file `src` to the new module
        file `dst`, as a refactoring tool does: `dst` gets `src`'s imports and
        imports from `src` the globals the moved code still uses.

        reexport: "none" (src no longer has the names), "names" (src imports
        them back by name).
        """
        source = self.read(src)
        tree = ast.parse(source)
        lines = source.splitlines(keepends=True)
        moved_nodes = [
            n
            for n in tree.body
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and n.name in names
        ]
        assert {n.name for n in moved_nodes} == set(names), f"{src} does not define all of {names}"
        spans = []
        for node in moved_nodes:
            start = min([node.lineno] + [d.lineno for d in node.decorator_list]) - 1
            spans.append((start, node.end_lineno))
        moved_text = "\n\n".join("".join(lines[a:b]).rstrip("\n") + "\n" for a, b in sorted(spans))
        kept = [line for i, line in enumerate(lines) if not any(a <= i < b for a, b in spans)]
        remaining = ast.parse("".join(kept))
        used = {
            n.id
            for node in moved_nodes
            for n in ast.walk(node)
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
        }
        defined_in_moved = {
            n.name for node in moved_nodes for n in ast.walk(node) if isinstance(n, (ast.FunctionDef, ast.ClassDef))
        } | set(names)
        import_nodes = [
            n
            for n in tree.body
            if isinstance(n, (ast.Import, ast.ImportFrom)) and not (isinstance(n, ast.ImportFrom) and n.level)
        ]
        imported = _module_bindings(ast.Module(body=import_nodes, type_ignores=[]))
        bound = _module_bindings(remaining) - imported
        module = self.module_name(src)
        needed = sorted(name for name in used if name in bound and name not in defined_in_moved)
        imports = [ast.get_source_segment(source, n) for n in import_nodes]
        header = [line for line in imports if line]
        if needed:
            header.append(f"from {module} import {', '.join(needed)}")
        dst_text = "\n".join(header) + "\n\n\n" + moved_text
        self.write(dst, dst_text)
        new_src = "".join(kept)
        if reexport == "names":
            new_src = new_src.rstrip("\n") + f"\n\nfrom {self.module_name(dst)} import {', '.join(names)}  # noqa: E402\n"
        self.write(src, new_src)

    def module_name(self, rel: str) -> str:
        """The dotted name of a module file: its packages are the directories
        with an `__init__.py` above it (not `src/` of a src layout)."""
        *dirs, stem = rel[: -len(".py")].split("/")
        parts = [] if stem == "__init__" else [stem]
        while dirs and self.path("/".join(dirs) + "/__init__.py").is_file():
            parts.insert(0, dirs.pop())
        return ".".join(parts)

    # -- git ---------------------------------------------------------------

    def git(self, *args: str) -> str:
        proc = run(["git", *GIT_IDENTITY, *args], self.root, env=git_env(), timeout=60)
        assert proc.returncode == 0, describe(proc)
        return proc.stdout

    def commit(self, message: str) -> None:
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)

    # -- running -----------------------------------------------------------

    def env(self) -> dict[str, str]:
        """The environment of the project's pytest runs (testgap's too): a
        temporary directory of their own, so that a test using `tmp_path`
        does not make pytest clean up, in the shared one, the numbered
        directories of other runs (seconds of deleting library copies).
        testgap keeps no PYTEST_* variable for its runs; TMPDIR it keeps."""
        temporary = self.root.parent / "tmp"
        temporary.mkdir(exist_ok=True)
        return child_env(TMPDIR=str(temporary))

    def pytest(self, *nodeids: str) -> subprocess.CompletedProcess:
        return run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--continue-on-collection-errors", *nodeids],
            self.root,
            env=self.env(),
            timeout=300,
        )

    def fix(self, *args: str) -> Testgap:
        return run_testgap(
            "fix", "--root", self.root, "--python", sys.executable, *args, cwd=self.root, env=self.env(), timeout=300
        )

    def snapshot(self) -> dict[str, bytes]:
        """Every file of the project (not git's, not caches)."""
        files = {}
        for path in sorted(self.root.rglob("*")):
            rel = path.relative_to(self.root)
            if any(part in SKIPPED for part in rel.parts) or not path.is_file():
                continue
            files[rel.as_posix()] = path.read_bytes()
        return files




def _module_bindings(tree: ast.Module) -> set[str]:
    """Names a module binds at top level, also inside `if`/`try` blocks."""
    names: set[str] = set()
    pending = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                names.add((alias.asname or alias.name).split(".")[0])
        elif isinstance(node, (ast.If, ast.Try, ast.With)):
            for block in ("body", "orelse", "finalbody"):
                pending.extend(getattr(node, block, []))
            for handler in getattr(node, "handlers", []):
                pending.extend(handler.body)
    return names - set(dir(builtins))


# --------------------------------------------------------------------------
# What a fix may and may not do


def is_test_code(rel: str) -> bool:
    """A test module or a conftest.py under a `tests` directory (at the top,
    or inside the package as toolz has it)."""
    *dirs, name = rel.split("/")
    return ("tests" in dirs or "test" in dirs) and (name.startswith("test_") or name == "conftest.py")


SKIP_NAMES = {"skip", "skipif", "xfail", "importorskip", "skipTest", "expectedFailure"}


@dataclass
class Strength:
    """What the checks of a test file amount to, by Python's own parser."""

    asserts: int = 0
    operators: list[list[str]] = field(default_factory=list)
    assert_calls: int = 0
    raises: int = 0
    skips: int = 0
    handlers: int = 0
    tests: int = 0


def strength(source: str) -> Strength:
    tree = ast.parse(source)
    s = Strength()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assert):
            s.asserts += 1
            s.operators.append(
                [type(op).__name__ for c in ast.walk(node.test) if isinstance(c, ast.Compare) for op in c.ops]
                + [type(b.op).__name__ for b in ast.walk(node.test) if isinstance(b, ast.BoolOp)]
            )
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name.startswith("assert"):
                s.assert_calls += 1
            if name in ("raises", "warns", "assertRaises", "assertRaisesRegex"):
                s.raises += 1
        elif isinstance(node, (ast.Try, getattr(ast, "TryStar", ast.Try))):
            s.handlers += 1
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test"):
            s.tests += 1
        if isinstance(node, ast.Attribute) and node.attr in SKIP_NAMES:
            s.skips += 1
        if isinstance(node, ast.Name) and node.id in SKIP_NAMES:
            s.skips += 1
        if isinstance(node, ast.Name) and node.id == "suppress":
            s.handlers += 1
    return s


def weakened(before: str, after: str) -> list[str]:
    """How `after` is weaker than `before` (empty: it is not)."""
    old, new = strength(before), strength(after)
    problems = []
    if new.asserts != old.asserts:
        problems.append(f"assert statements {old.asserts} → {new.asserts}")
    if new.operators != old.operators:
        problems.append("an assertion compares differently")
    if new.assert_calls < old.assert_calls:
        problems.append("a mock or unittest assertion was removed")
    if new.raises < old.raises:
        problems.append("an expected-exception check was removed")
    if new.skips > old.skips:
        problems.append("a skip or xfail was added")
    if new.handlers > old.handlers:
        problems.append("an exception is caught or suppressed")
    if new.tests != old.tests:
        problems.append(f"test functions {old.tests} → {new.tests}")
    return problems


# --------------------------------------------------------------------------
# Scenarios


@dataclass
class Scenario:
    """A realistic change to the library and what `testgap fix` must do."""

    name: str
    # The root cause a person would name (the first one, for chains).
    category: str
    nodeids: list[str]
    refactor: Callable[[Project], None]
    # Which of libraries.LIBRARIES the scenario changes.
    library: str = "boltons"
    # False: the test is right (or the machine is): testgap must not edit.
    fixable: bool = True
    # Changes to the project's own tests and code before the last commit.
    setup: Callable[[Project], None] | None = None
    commit_refactor: bool = False
    flags: tuple[str, ...] = ()
    # A line the fixed test file must contain: (path, text).
    expect: tuple[str, str] | None = None


@dataclass
class Outcome:
    """One scenario's figures, for the benchmark table."""

    scenario: str
    library: str
    category: str
    fixable: bool
    # Fixable: fixed, passing, only test code changed, nothing weakened.
    # Refusal: refused, and no file changed.
    correct: bool
    classified: str
    attempts: int
    # Wall time of the `testgap fix` run, and the failing tests it handled.
    seconds: float
    tests: int
    # Test files whose checks a fix weakened (must stay empty).
    weakened: list[str] = field(default_factory=list)


OUTCOMES: list[Outcome] = []


def first_category(report: dict) -> str:
    """The category testgap gave the first test's (first) root cause."""
    for test in report["tests"]:
        if test["outcome"] == "fixed" and test["fixes"]:
            return test["fixes"][0]["category"]
        if test["outcome"] == "needs_human" and test.get("diagnosis"):
            return test["diagnosis"]["category"]
    return "none"


def summary_table(outcomes: list[Outcome]) -> str:
    """Fix rate, correct refusals, classification accuracy, attempts and
    seconds per category."""
    rows = []
    categories = sorted({o.category for o in outcomes})
    for category in categories + ["all"]:
        group = [o for o in outcomes if category in ("all", o.category)]
        fixable = [o for o in group if o.fixable]
        refusals = [o for o in group if not o.fixable]
        seconds = sorted(o.seconds for o in group)
        attempts = [o.attempts for o in fixable]
        rows.append(
            (
                category,
                f"{sum(o.correct for o in fixable)}/{len(fixable)}" if fixable else "-",
                f"{sum(o.correct for o in refusals)}/{len(refusals)}" if refusals else "-",
                f"{sum(o.classified == o.category for o in group)}/{len(group)}",
                f"{sum(attempts) / len(attempts):.1f}" if attempts else "-",
                f"{seconds[len(seconds) // 2]:.2f}",
                f"{seconds[-1]:.2f}",
            )
        )
    header = ("category", "fixed", "refused", "classified", "attempts", "median s", "max s")
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(header, widths))]
    lines += ["  ".join(str(c).ljust(w) for c, w in zip(row, widths)) for row in rows]
    return "\n".join(lines)


def save_outcomes(path: Path, libraries: dict[str, str]) -> None:
    """The figures of every scenario that ran, for bench/fix_bench.py."""
    data = {"libraries": libraries, "outcomes": [o.__dict__ for o in OUTCOMES]}
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")


def copy_tree(src: Path, dst: Path) -> None:
    """A copy with its git repository (the work tree is a checkout of it)."""
    shutil.copytree(src, dst, symlinks=True, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
