"""Scenarios on toolz 1.2.0: functional utilities whose tests live inside the
package (toolz/tests), pytest style, with plain asserts.
"""

from __future__ import annotations

from fix_support import Project, Scenario

ITER = "toolz/itertoolz.py"
FUNC = "toolz/functoolz.py"
TESTS = "toolz/tests"


def move_windowing_functions(p: Project) -> None:
    """The windowing functions get a module of their own; the package's
    star imports and `__all__` follow, as a person doing the move would."""
    moved = ["sliding_window", "partition", "partition_all"]
    p.move_definitions(ITER, moved, "toolz/windowing.py")
    text = p.read("toolz/windowing.py")
    names = ", ".join(repr(n) for n in moved)
    p.write("toolz/windowing.py", text.replace("\n\n\n", f"\n\n__all__ = ({names})\n\n\n", 1))
    p.replace(ITER, "           'sliding_window', 'partition', 'partition_all', 'count', 'pluck',\n",
              "           'count', 'pluck',\n")
    p.replace("toolz/__init__.py", "from .itertoolz import *\n", "from .itertoolz import *\n\nfrom .windowing import *\n")
    p.replace("toolz/sandbox/parallel.py", "from toolz.itertoolz import partition_all", "from toolz.windowing import partition_all")


def move_reduceby_with_keyword_only_init(p: Project) -> None:
    """One commit, two refactors: `reduceby` gets a module of its own, and
    its initial value may only be given by keyword there."""
    p.move_definitions(ITER, ["reduceby"], "toolz/reductions.py")
    text = p.read("toolz/reductions.py")
    p.write("toolz/reductions.py", text.replace("\n\n\n", "\n\n__all__ = ('reduceby',)\n\n\n", 1))
    p.replace(ITER, "'frequencies', 'reduceby', 'iterate',", "'frequencies', 'iterate',")
    p.replace("toolz/__init__.py", "from .itertoolz import *\n", "from .itertoolz import *\n\nfrom .reductions import *\n")
    init_keyword_only(p, "toolz/reductions.py")


def init_keyword_only(p: Project, module: str = ITER) -> None:
    """`reduceby`'s initial value may only be given by keyword: a fourth
    positional argument read like another sequence."""
    p.replace(module, "def reduceby(key, binop, seq, init=no_default):", "def reduceby(key, binop, seq, *, init=no_default):")


def topk_returns_a_list(p: Project) -> None:
    """`topk` returns what heapq.nlargest returns, a list, instead of a copy
    as a tuple."""
    p.replace(ITER, "    return tuple(heapq.nlargest(k, seq, key=key))\n", "    return heapq.nlargest(k, seq, key=key)\n")


def rename_curry_bind(p: Project) -> None:
    """`curry.bind` becomes `curry.with_args`; its one caller in the library
    follows."""
    p.replace(FUNC, "    def bind(self, *args, **kwargs):\n", "    def with_args(self, *args, **kwargs):\n")
    p.replace(FUNC, "                return self.bind(*args, **kwargs)\n", "                return self.with_args(*args, **kwargs)\n")


ORDERS_CONFTEST = '''
    import pytest


    @pytest.fixture
    def orders():
        return [
            {"id": 1, "customer": "ann", "total": 30},
            {"id": 2, "customer": "bob", "total": 12},
            {"id": 3, "customer": "ann", "total": 8},
        ]
'''

ORDERS_TEST = '''
    from toolz import groupby, reduceby, valmap


    def test_orders_by_customer(orders):
        by_customer = groupby("customer", orders)
        assert valmap(len, by_customer) == {"ann": 2, "bob": 1}


    def test_spent_by_customer(orders):
        spent = reduceby("customer", lambda total, order: total + order["total"], orders, init=0)
        assert spent == {"ann": 38, "bob": 12}
'''


def add_orders_tests(p: Project) -> None:
    p.write_code(f"{TESTS}/conftest.py", ORDERS_CONFTEST)
    p.write_code(f"{TESTS}/test_orders.py", ORDERS_TEST)


def rename_orders_fixture(p: Project) -> None:
    p.rename_word(f"{TESTS}/conftest.py", "orders", "sales_orders")


def peek_loses_the_first_item(p: Project) -> None:
    """A regression: `peek` "simplified" returns the iterator it advanced, so
    the sequence it gives back lacks its first element."""
    p.replace(ITER, "    return item, itertools.chain((item,), iterator)\n", "    return item, iterator\n")


def groupby_half_renamed(p: Project) -> None:
    """A local variable renamed in all but one place: a NameError in the
    library's own code."""
    p.replace(ITER, "    d = collections.defaultdict(lambda: [].append)\n    for item in seq:\n        d[key(item)](item)\n",
              "    groups = collections.defaultdict(lambda: [].append)\n    for item in seq:\n        groups[key(item)](item)\n")


def requires_cytoolz(p: Project) -> None:
    """The C implementation becomes a hard dependency of `unique`."""
    p.replace(ITER, "from toolz.utils import no_default\n", "from toolz.utils import no_default\nfrom cytoolz.itertoolz import unique as _c_unique\n")


TOOLZ_SCENARIOS: list[Scenario] = [
    Scenario(
        "toolz/import/functions-moved-to-a-new-module",
        "import_error",
        [f"{TESTS}/test_itertoolz.py::test_sliding_window", f"{TESTS}/test_itertoolz.py::test_partition_all"],
        move_windowing_functions,
        library="toolz",
        expect=(f"{TESTS}/test_itertoolz.py", "from toolz.windowing import"),
    ),
    Scenario(
        "toolz/type/positional-became-keyword-only",
        "type_error",
        [f"{TESTS}/test_itertoolz.py::test_reduceby"],
        init_keyword_only,
        library="toolz",
        expect=(f"{TESTS}/test_itertoolz.py", "                    projects, init=0) == {'CA': 1200000, 'IL': 2100000}"),
    ),
    Scenario(
        "toolz/import/moved-and-keyword-only-in-one-commit",
        "import_error",
        [f"{TESTS}/test_itertoolz.py::test_reduceby"],
        move_reduceby_with_keyword_only_init,
        library="toolz",
        expect=(f"{TESTS}/test_itertoolz.py", "    assert reduceby(iseven, mul, data, init=1) == {False: 15, True: 8}"),
    ),
    Scenario(
        "toolz/drift/return-type-changed",
        "assertion_drift",
        [f"{TESTS}/test_itertoolz.py::test_topk"],
        topk_returns_a_list,
        library="toolz",
        expect=(f"{TESTS}/test_itertoolz.py", "    assert topk(2, [4, 1, 5, 2]) == [5, 4]"),
    ),
    Scenario(
        "toolz/attribute/method-renamed",
        "attribute_error",
        [f"{TESTS}/test_functoolz.py::test_curry_bind"],
        rename_curry_bind,
        library="toolz",
        expect=(f"{TESTS}/test_functoolz.py", "    assert add.with_args(10).with_args(20)() == add(10, 20)"),
    ),
    Scenario(
        "toolz/fixture/renamed-in-conftest",
        "missing_fixture",
        [f"{TESTS}/test_orders.py"],
        rename_orders_fixture,
        library="toolz",
        setup=add_orders_tests,
        expect=(f"{TESTS}/test_orders.py", "def test_spent_by_customer(sales_orders):"),
    ),
    Scenario(
        "toolz/refuse/regression-the-test-computes-the-expected-value",
        "assertion_drift",
        [f"{TESTS}/test_itertoolz.py::test_peek"],
        peek_loses_the_first_item,
        library="toolz",
        fixable=False,
    ),
    Scenario(
        "toolz/refuse/name-error-inside-the-library",
        "unknown",
        [f"{TESTS}/test_itertoolz.py::test_groupby"],
        groupby_half_renamed,
        library="toolz",
        fixable=False,
    ),
    Scenario(
        "toolz/refuse/package-not-installed",
        "environment",
        [f"{TESTS}/test_itertoolz.py::test_unique"],
        requires_cytoolz,
        library="toolz",
        fixable=False,
    ),
]
