"""The synthetic Python modules behind bench/gen_coverage.py.

A module is laid out statement by statement, so the generator knows what
coverage.py 7.13 would see in it: which lines are statements, which are
excluded (`# pragma: no cover`, `if TYPE_CHECKING:`), which lines branch and
where to (a negative target leaves the code object that starts on that line),
and the functions and classes regions, by coverage.py's rules: a function
region is its body less nested function bodies, a class region is the bodies
of its methods. A simulated test run, seeded per module, then records which
lines and branch arcs ran and under which pytest-cov test contexts.
"""

from __future__ import annotations

import random

WORDS = (
    "account", "batch", "cache", "config", "record", "parser", "token", "route",
    "order", "price", "quota", "report", "schema", "session", "stream", "user",
    "widget", "ledger", "invoice", "metric", "filter", "index", "payload", "queue",
)
VERBS = (
    "load", "parse", "merge", "build", "check", "apply", "render", "resolve",
    "compute", "collect", "encode", "decode", "split", "scan", "fetch", "update",
)
BASES = ("", "", "object", "Exception", "dict")
ERRORS = ("ValueError", "TypeError", "KeyError", "RuntimeError", "LookupError")


def plural(word: str) -> str:
    return word + ("es" if word.endswith(("s", "x", "ch")) else "s")


class Module:
    """A module being laid out: its text and what coverage.py would see in it."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.statements: set[int] = set()
        self.excluded: set[int] = set()
        # Branch lines and their possible destinations (negative = exit).
        self.branches: dict[int, list[int]] = {}
        # What the simulated test run did.
        self.executed: set[int] = set()
        self.arcs_executed: set[tuple[int, int]] = set()
        self.contexts: dict[int, set[str]] = {}
        # (kind, qualified name, start line, region lines)
        self.regions: list[tuple[str, str, int, set[int]]] = []

    @property
    def next_line(self) -> int:
        return len(self.lines) + 1

    def add(self, text: str, statement: bool = False, excluded: bool = False) -> int:
        self.lines.append(text)
        line = len(self.lines)
        if excluded:
            self.excluded.add(line)
        elif statement:
            self.statements.add(line)
        return line

    def run(self, line: int, contexts) -> None:
        """Marks a line as executed by the given contexts."""
        if line in self.statements:
            self.executed.add(line)
        self.contexts.setdefault(line, set()).update(contexts)

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


# --- function bodies -------------------------------------------------------
#
# A body is a list of blocks. A block lays out its lines and records its branch
# arcs; an arc to NEXT goes to whatever statement follows the block, known only
# once the next block is laid out. Each block lists the executions it can have
# (its modes): the lines each one runs and the branch arcs it takes.

NEXT = object()


class Block:
    """One piece of a function body, with the executions it can have."""

    modes: tuple[str, ...] = ("run",)
    full_mode = "run"

    def __init__(self, rng: random.Random, indent: str) -> None:
        self.rng = rng
        self.indent = indent
        self.arcs: list[tuple[int, object]] = []  # every branch arc, NEXT unresolved
        self.taken: dict[str, list[tuple[int, object]]] = {}
        self.ran: dict[str, list[int]] = {}

    def lay_out(self, mod: Module, names: "Names") -> int:
        """Writes the block, returns its first line (always a statement)."""
        raise NotImplementedError


class Names:
    """Name pool for one function body."""

    def __init__(self, rng: random.Random, qualname: str) -> None:
        self.rng = rng
        self.qualname = qualname
        self.k = lambda: rng.randint(2, 99)
        self.word = lambda: rng.choice(WORDS)


class Assign(Block):
    def lay_out(self, mod, names):
        rng, ind = self.rng, self.indent
        text = rng.choice((
            f"acc = acc + {names.k()}",
            f"acc += x * {names.k()}",
            f'label = "{names.word()}_{names.k()}"',
            "total = len(items) + n",
            f"acc = max(acc, n - {names.k()})",
            f"key = ({names.word()!r}, n)",
        ))
        first = mod.add(ind + text, statement=True)
        self.ran = {"run": [first]}
        self.taken = {"run": []}
        return first


class MultilineCall(Block):
    """A call spread over lines: one statement on its first line."""

    def lay_out(self, mod, names):
        ind = self.indent
        first = mod.add(ind + "result = sorted(", statement=True)
        mod.add(ind + "    items,")
        mod.add(ind + "    key=abs,")
        mod.add(ind + "    reverse=flag,")
        mod.add(ind + ")")
        self.ran = {"run": [first]}
        self.taken = {"run": []}
        return first


class IfThen(Block):
    modes = ("true", "false", "both")
    full_mode = "both"

    def lay_out(self, mod, names):
        rng, ind = self.rng, self.indent
        cond = rng.choice((
            f"x > {names.k()}", "flag", f"n % {names.k()} == 0", "not items", f"x == {names.k()}",
        ))
        test = mod.add(f"{ind}if {cond}:", statement=True)
        body = mod.add(f"{ind}    acc += {names.k()}", statement=True)
        self.arcs = [(test, body), (test, NEXT)]
        self.ran = {"true": [test, body], "false": [test], "both": [test, body]}
        self.taken = {
            "true": [(test, body)],
            "false": [(test, NEXT)],
            "both": [(test, body), (test, NEXT)],
        }
        return test


class IfElse(Block):
    modes = ("true", "false", "both")
    full_mode = "both"

    def lay_out(self, mod, names):
        ind, k = self.indent, names.k()
        test = mod.add(f"{ind}if x < {k}:", statement=True)
        yes = mod.add(f"{ind}    acc -= {k}", statement=True)
        mod.add(f"{ind}else:")
        no = mod.add(f"{ind}    acc += {names.k()}", statement=True)
        self.arcs = [(test, yes), (test, no)]
        self.ran = {"true": [test, yes], "false": [test, no], "both": [test, yes, no]}
        self.taken = {"true": [(test, yes)], "false": [(test, no)], "both": [(test, yes), (test, no)]}
        return test


class GuardRaise(Block):
    modes = ("pass", "both")
    full_mode = "both"

    def lay_out(self, mod, names):
        rng, ind = self.rng, self.indent
        cond = rng.choice(("x < 0", "x is None", "n > len(items)", f"n == {names.k()}"))
        err = rng.choice(ERRORS)
        test = mod.add(f"{ind}if {cond}:", statement=True)
        body = mod.add(f'{ind}    raise {err}("{names.word()} out of range")', statement=True)
        self.arcs = [(test, body), (test, NEXT)]
        self.ran = {"pass": [test], "both": [test, body]}
        self.taken = {"pass": [(test, NEXT)], "both": [(test, body), (test, NEXT)]}
        return test


class ForAccumulate(Block):
    modes = ("skip", "loop")
    full_mode = "loop"

    def lay_out(self, mod, names):
        ind = self.indent
        head = mod.add(f"{ind}for item in items:", statement=True)
        body = mod.add(f"{ind}    acc += item * {names.k()}", statement=True)
        self.arcs = [(head, body), (head, NEXT)]
        self.ran = {"skip": [head], "loop": [head, body]}
        self.taken = {"skip": [(head, NEXT)], "loop": [(head, body), (head, NEXT)]}
        return head


class WhileCountdown(Block):
    modes = ("skip", "loop")
    full_mode = "loop"

    def lay_out(self, mod, names):
        ind = self.indent
        head = mod.add(f"{ind}while n > {names.k()}:", statement=True)
        body = mod.add(f"{ind}    n -= 1", statement=True)
        self.arcs = [(head, body), (head, NEXT)]
        self.ran = {"skip": [head], "loop": [head, body]}
        self.taken = {"skip": [(head, NEXT)], "loop": [(head, body), (head, NEXT)]}
        return head


class ForSearch(Block):
    """A loop with an early exit: two branch lines."""

    modes = ("skip", "miss", "all")
    full_mode = "all"

    def lay_out(self, mod, names):
        rng, ind = self.rng, self.indent
        head = mod.add(f"{ind}for i, item in enumerate(items):", statement=True)
        test = mod.add(f"{ind}    if item == x:", statement=True)
        if rng.random() < 0.5:
            hit = mod.add(f"{ind}        return i", statement=True)
        else:
            hit = mod.add(f'{ind}        raise {rng.choice(ERRORS)}("duplicate {names.word()}")', statement=True)
        self.arcs = [(head, test), (head, NEXT), (test, hit), (test, head)]
        self.ran = {"skip": [head], "miss": [head, test], "all": [head, test, hit]}
        self.taken = {
            "skip": [(head, NEXT)],
            "miss": [(head, test), (head, NEXT), (test, head)],
            "all": self.arcs,
        }
        return head


class NestedHelper(Block):
    """A nested function: its def line runs with the parent, its body is its own region."""

    modes = ("defined", "called")
    full_mode = "called"

    def lay_out(self, mod, names):
        ind = self.indent
        name = f"_{names.word()}_{names.k()}"
        head = mod.add(f"{ind}def {name}(v):", statement=True)
        body = mod.add(f"{ind}    return v * {names.k()}", statement=True)
        self.region = ("function", f"{names.qualname}.{name}", head, {body})
        self.ran = {"defined": [head], "called": [head, body]}
        self.taken = {"defined": [], "called": []}
        return head


def pick_blocks(rng: random.Random, indent: str, count: int) -> list[Block]:
    kinds = (
        (Assign, 24), (IfThen, 18), (IfElse, 10), (GuardRaise, 12), (ForAccumulate, 10),
        (WhileCountdown, 4), (ForSearch, 8), (MultilineCall, 5), (NestedHelper, 3),
    )
    blocks: list[Block] = []
    for _ in range(count):
        kind = rng.choices([k for k, _ in kinds], weights=[w for _, w in kinds])[0]
        blocks.append(kind(rng, indent))
    return blocks


class Plan:
    """How thoroughly the simulated tests exercise one module."""

    def __init__(self, imported: bool, call_rate: float, full_rate: float):
        self.imported = imported
        self.call_rate = call_rate
        self.full_rate = full_rate


def write_function(
    mod: Module, rng: random.Random, plan: Plan, *, name: str, qualname: str,
    indent: str, method: bool, tests: list[str],
) -> None:
    """Lays out one function (decorators, def line, body) and simulates its tests."""
    ind, body_ind = indent, indent + "    "
    decorator = None
    roll = rng.random()
    if method and roll < 0.08:
        decorator = "@staticmethod"
    elif method and roll < 0.14:
        decorator = "@classmethod"
    elif not method and roll < 0.06:
        decorator = "@functools.lru_cache(maxsize=128)"
    if decorator == "@staticmethod":
        params = "x, items=(), n=0, flag=False"
    elif decorator == "@classmethod":
        params = "cls, x, items=(), n=0, flag=False"
    elif rng.random() < 0.5:
        params = ("self, " if method else "") + "x, items=(), n=0, flag=False"
    else:
        params = ("self, " if method else "") + (
            "x: int, items: list[int] | tuple[int, ...] = (), n: int = 0, flag: bool = False"
        )
    asynchronous = not method and decorator is None and rng.random() < 0.04

    # The def statement: runs at import (or class creation) time.
    outer_contexts = [""]
    first = None
    if decorator:
        first = mod.add(ind + decorator, statement=True)
    header = f"{ind}{'async ' if asynchronous else ''}def {name}({params}) -> int:"
    def_line = mod.add(header, statement=True)
    code_first = first or def_line
    if plan.imported:
        mod.run(code_first, outer_contexts)
        if first is not None:
            mod.run(def_line, outer_contexts)

    body_start = mod.next_line
    if rng.random() < 0.45:
        mod.add(f'{body_ind}"""{rng.choice(VERBS).capitalize()} the {plural(rng.choice(WORDS))} of x."""')
    acc_line = mod.add(f"{body_ind}acc = {rng.randint(0, 9)}", statement=True)
    if asynchronous:
        await_line = mod.add(f"{body_ind}await asyncio.sleep(0)", statement=True)
    names = Names(rng, qualname)
    size = rng.choices((1, 2, 3, 4, 5, 6, 8), weights=(44, 28, 15, 8, 3, 1, 1))[0]
    blocks = pick_blocks(rng, body_ind, size)
    firsts = []
    for i, block in enumerate(blocks):
        if i and rng.random() < 0.2:
            mod.add(f"{body_ind}# {rng.choice(VERBS)} the {rng.choice(WORDS)} before going on")
        firsts.append(block.lay_out(mod, names))
    # Ending: a return, or an `if` whose false arc leaves the function.
    tail = rng.random() < 0.12
    if tail:
        tail_block = IfThen(rng, body_ind)
        end = tail_block.lay_out(mod, names)
    else:
        end = mod.add(f"{body_ind}return acc", statement=True)
    body_end = mod.next_line - 1
    exit_target = -code_first
    follow = firsts[1:] + [end]

    for block, after in zip(blocks, follow):
        for src, dst in block.arcs:
            mod.branches.setdefault(src, []).append(after if dst is NEXT else dst)
    if tail:
        for src, dst in tail_block.arcs:
            mod.branches.setdefault(src, []).append(exit_target if dst is NEXT else dst)

    # Regions: this body minus nested function bodies, which are their own.
    own = set(range(body_start, body_end + 1))
    nested = []
    for block in blocks:
        if isinstance(block, NestedHelper):
            nested.append(block.region)
            own -= block.region[3]
    mod.regions.append(("function", qualname, def_line, own))
    mod.regions.extend(nested)

    # The simulated tests.
    if not plan.imported or rng.random() >= plan.call_rate:
        return
    full = plan.full_rate >= 1.0

    def choose(block: Block) -> str:
        return block.full_mode if full or rng.random() < plan.full_rate else rng.choice(block.modes)

    # A block's first line runs whenever the function does; the rest depend on the mode.
    ran = [acc_line, end] + ([await_line] if asynchronous else [])
    partial_lines: list[int] = []
    resolved: list[tuple[int, int]] = []
    for block, after in zip(blocks, follow):
        mode = choose(block)
        ran.append(block.ran[mode][0])
        partial_lines.extend(block.ran[mode][1:])
        resolved.extend((s, after if d is NEXT else d) for s, d in block.taken[mode])
    if tail:
        mode = choose(tail_block)
        partial_lines.extend(tail_block.ran[mode][1:])
        resolved.extend((s, exit_target if d is NEXT else d) for s, d in tail_block.taken[mode])
    mod.arcs_executed.update(resolved)
    for line in ran:
        mod.run(line, tests)
    for line in partial_lines:
        mod.run(line, sorted(rng.sample(tests, rng.randint(1, len(tests)))))


def write_excluded_function(mod: Module, rng: random.Random, plan: Plan, indent: str, qualname: str, name: str) -> None:
    """`# pragma: no cover` on the def line excludes the whole function."""
    def_line = mod.add(f"{indent}def {name}(self):  # pragma: no cover", excluded=True)
    body = mod.add(f'{indent}    raise NotImplementedError("{rng.choice(WORDS)}")', excluded=True)
    mod.regions.append(("function", qualname, def_line, {body}))
    if plan.imported:
        mod.run(def_line, [""])


def test_ids(rng: random.Random, test_file: str, owner: str, name: str) -> list[str]:
    count = rng.choices((1, 2, 3), weights=(75, 18, 7))[0]
    base = f"{test_file}::{owner}test_{name.strip('_')}"
    ids = [f"{base}|run"]
    for i in range(1, count):
        ids.append(f"{base}_{rng.choice(('edge', 'empty', 'error', 'large'))}{i}|run"
                   if rng.random() < 0.5 else f"{base}[case{i}]|run")
    return sorted(set(ids))


def module_source(index: int, relpath: str, seed: int) -> Module:
    """Lays out module number `index` and simulates its tests."""
    rng = random.Random(f"{seed}:{index}")
    mod = Module()
    roll = rng.random()
    if roll < 0.15:
        plan = Plan(imported=False, call_rate=0.0, full_rate=0.0)
    elif roll < 0.27:
        plan = Plan(imported=True, call_rate=1.0, full_rate=1.0)
    else:
        plan = Plan(imported=True, call_rate=rng.uniform(0.1, 0.9), full_rate=rng.uniform(0.1, 0.8))
    full = plan.full_rate >= 1.0
    dotted = relpath[:-3].replace("/", ".")
    test_file = "tests/" + relpath.rsplit("/", 1)[0] + "/test_" + relpath.rsplit("/", 1)[1]
    imported = [""] if plan.imported else None

    def top(text: str, excluded: bool = False, statement: bool = True) -> int:
        line = mod.add(text, statement=statement and not excluded, excluded=excluded)
        if imported and (statement or excluded):
            mod.run(line, imported)
        return line

    mod.add(f'"""{rng.choice(VERBS).capitalize()} {plural(rng.choice(WORDS))} for {dotted}."""')
    if imported:
        mod.contexts.setdefault(1, set()).add("")
    mod.add("")
    top("from __future__ import annotations")
    mod.add("")
    top("import asyncio")
    top("import functools")
    for name in sorted(rng.sample(("os", "re", "sys", "json", "logging", "itertools"), rng.randint(0, 3))):
        top(f"import {name}")
    top("from typing import TYPE_CHECKING")
    mod.add("")
    if rng.random() < 0.3:
        # Excluded by coverage.py's default exclude_lines.
        top("if TYPE_CHECKING:", excluded=True)
        mod.add("    from collections.abc import Iterable", excluded=True)
        mod.add("")
    top(f"LIMIT = {rng.randint(10, 1000)}")
    if rng.random() < 0.4:
        top("NAMES = (")
        for word in rng.sample(WORDS, 3):
            mod.add(f'    "{word}",')
        mod.add(")")

    n_functions = rng.choices((0, 1, 2, 3, 4, 6), weights=(10, 58, 23, 6, 2, 1))[0]
    n_classes = rng.choices((0, 1, 2), weights=(84, 15, 1))[0]
    items = ["f"] * n_functions + ["c"] * n_classes
    rng.shuffle(items)
    used: set[str] = set()

    def fresh(make) -> str:
        while True:
            name = make()
            if name not in used:
                used.add(name)
                return name

    for item in items:
        mod.add("")
        mod.add("")
        if item == "f":
            name = fresh(lambda: f"{rng.choice(VERBS)}_{rng.choice(WORDS)}")
            tests = test_ids(rng, test_file, "", name)
            write_function(mod, rng, plan, name=name, qualname=name, indent="", method=False, tests=tests)
            continue
        cls = fresh(lambda: f"{rng.choice(WORDS).capitalize()}{rng.choice(('Store', 'Service', 'Builder', 'View', 'Handler'))}")
        base = rng.choice(BASES)
        class_line = top(f"class {cls}({base}):" if base else f"class {cls}:")
        class_start = len(mod.regions)
        if rng.random() < 0.6:
            mod.add(f'    """A {rng.choice(WORDS)} {rng.choice(VERBS)}er."""')
            mod.add("")
        top(f'    kind = "{rng.choice(WORDS)}"')
        n_methods = rng.choices((1, 2, 3, 4, 6), weights=(40, 35, 18, 6, 1))[0]
        method_names: set[str] = set()
        for m in range(n_methods):
            mod.add("")
            meth = "__init__" if m == 0 and rng.random() < 0.5 else None
            while meth is None or meth in method_names:
                meth = f"{rng.choice(VERBS)}_{rng.choice(WORDS)}"
            method_names.add(meth)
            if not full and rng.random() < 0.05:
                write_excluded_function(mod, rng, plan, "    ", f"{cls}.{meth}", meth)
                continue
            tests = test_ids(rng, test_file, f"Test{cls}::", meth)
            write_function(mod, rng, plan, name=meth, qualname=f"{cls}.{meth}", indent="    ", method=True, tests=tests)
        # A class region is the bodies of its methods, nested helpers included.
        lines: set[int] = set()
        for r in mod.regions[class_start:]:
            if r[1].startswith(cls + "."):
                lines |= r[3]
        mod.regions.append(("class", cls, class_line, lines))

    if not full and rng.random() < 0.15:
        mod.add("")
        mod.add("")
        test = top('if __name__ == "__main__":')
        body = mod.add("    print(LIMIT)", statement=True)
        # The module's code object starts at line 1: leaving it is the arc to -1.
        mod.branches[test] = [body, -1]
        if imported:
            mod.arcs_executed.add((test, -1))
    return mod


def package_init(relpath: str, members: list[str]) -> Module:
    """A package `__init__.py`: a docstring and `__all__`, run on import."""
    mod = Module()
    dotted = relpath[: -len("/__init__.py")].replace("/", ".")
    mod.add(f'"""The {dotted} package."""')
    mod.contexts[1] = {""}
    if members:
        mod.add("")
        line = mod.add("__all__ = [", statement=True)
        for name in members[:5]:
            mod.add(f'    "{name}",')
        mod.add("]")
        mod.run(line, [""])
    return mod
