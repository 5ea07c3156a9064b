"""Python source as Python's own parser and an LSP client see it: lines,
and where each function is defined."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass


def lsp_lines(text: str) -> list[str]:
    """Lines the way LSP counts them: breaks at \\r\\n, \\r and \\n only."""
    return re.split(r"\r\n|\r|\n", text)


@dataclass(frozen=True)
class DefSite:
    """Where a function's name stands on its `def` line."""

    qualname: str
    name: str
    line: int  # 1-based line of the `def` keyword
    name_start: int  # character index of the name in that line
    name_end: int


def def_sites(text: str) -> dict[str, DefSite]:
    """Every function with its coverage.py-style qualified name (`Class.method`,
    `outer.inner`), located with Python's own parser."""
    lines = lsp_lines(text)
    sites: dict[str, DefSite] = {}

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                qualname = prefix + child.name
                line = lines[child.lineno - 1]
                m = re.search(r"\bdef\s+(" + re.escape(child.name) + r")\b", line)
                assert m, f"no `def {child.name}` on line {child.lineno}"
                sites[qualname] = DefSite(qualname, child.name, child.lineno, m.start(1), m.end(1))
                visit(child, qualname + ".")
            elif isinstance(child, ast.ClassDef):
                visit(child, prefix + child.name + ".")
            else:
                visit(child, prefix)

    visit(ast.parse(text), "")
    return sites
