"""`testgap fix` as a command: selecting tests (node ids, --last-failed,
--junit), --diff versus --write, JSON output, exit codes, time limits."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest
from fix_support import Project
from support.binary import run_testgap
from support.processes import UNRELATED_PLUGINS, run

PRICING = """\
def total(items, *, discount=0):
    return sum(items) - discount


class Cart:
    def __init__(self, owner):
        self.owner = owner
        self.items = []

    def add_item(self, price):
        self.items.append(price)
"""

TESTS = """\
from shop.cart import total


def test_total():
    assert total([1, 2]) == 3


def test_discount():
    assert total([5], discount=2) == 3
"""


@pytest.fixture
def shop(tmp_path) -> Project:
    """A small project whose `total` moved from shop.cart to shop.pricing."""
    project = Project(tmp_path / "shop")
    project.write("pytest.ini", f"[pytest]\naddopts = {UNRELATED_PLUGINS}\n")
    project.write("shop/__init__.py", "")
    project.write("shop/cart.py", "")
    project.write("shop/pricing.py", PRICING)
    project.write("tests/test_shop.py", TESTS)
    return project


def test_moved_import_is_shown_as_a_diff_by_default(shop):
    before = shop.read("tests/test_shop.py")
    mtime = shop.path("tests/test_shop.py").stat().st_mtime_ns
    result = shop.fix("tests/test_shop.py::test_total", "tests/test_shop.py::test_discount")
    assert result.returncode == 0, result.explain("expected exit 0")
    assert result.stdout.startswith("Fixed 2/2 · attempts 1 · "), result.stdout
    assert "import `total` from `shop.pricing` instead of `shop.cart`" in result.stdout
    assert "fixed with tests/test_shop.py::test_total" in result.stdout
    assert "-from shop.cart import total\n+from shop.pricing import total\n" in result.stdout
    assert result.stdout.endswith("Not written: run again with --write to apply these edits.\n")
    # Candidates are tried without touching the file.
    assert shop.read("tests/test_shop.py") == before
    assert shop.path("tests/test_shop.py").stat().st_mtime_ns == mtime


def test_write_applies_the_edit(shop):
    result = shop.fix("--write", "tests/test_shop.py")
    assert result.returncode == 0, result.explain("expected exit 0")
    assert "Wrote tests/test_shop.py" in result.stdout
    assert shop.read("tests/test_shop.py") == TESTS.replace("shop.cart", "shop.pricing")
    assert shop.pytest("tests").returncode == 0


def test_json_report(shop):
    result = shop.fix("--format", "json", "tests/test_shop.py::test_total")
    report = result.json()
    assert report["schema_version"] == 1
    assert report["summary"]["failing"] == 1 and report["summary"]["fixed"] == 1
    test = report["tests"][0]
    assert test["nodeid"] == "tests/test_shop.py::test_total"
    assert test["outcome"] == "fixed"
    fix = test["fixes"][0]
    assert fix["category"] == "import_error"
    assert fix["kind"] == "repair"
    assert fix["files"] == ["tests/test_shop.py"]
    assert "tests/test_shop.py:1: from shop.cart import total" in fix["evidence"]
    (change,) = report["files"]
    assert change["path"] == "tests/test_shop.py"
    assert change["edits"] == [{"start_line": 0, "end_line": 1, "new_text": "from shop.pricing import total\n"}]


def test_last_failed_and_junit(shop):
    junit = shop.root / "report.xml"
    proc = run([sys.executable, "-m", "pytest", "-q", f"--junitxml={junit}", "tests"], shop.root, timeout=120)
    assert proc.returncode != 0
    from_cache = shop.fix("--last-failed", "--format", "json")
    assert [t["nodeid"] for t in from_cache.json()["tests"]] == ["tests/test_shop.py"], from_cache.stdout
    from_junit = shop.fix("--junit", str(junit), "--format", "json")
    assert [t["outcome"] for t in from_junit.json()["tests"]] == ["fixed"], from_junit.stdout


def test_nothing_to_fix(shop):
    shop.write("tests/test_shop.py", TESTS.replace("shop.cart", "shop.pricing"))
    result = shop.fix("tests/test_shop.py")
    assert result.returncode == 0
    assert result.stdout.startswith("Nothing to fix: 1 test passed"), result.stdout


def test_a_test_the_code_breaks_exits_1_and_changes_nothing(shop):
    shop.write("tests/test_shop.py", TESTS.replace("shop.cart", "shop.pricing").replace("== 3\n", "== 4\n", 1))
    shop.git("init", "-q", "-b", "main")
    shop.commit("tests")
    before = shop.snapshot()
    result = shop.fix("--write", "tests/test_shop.py::test_total")
    assert result.returncode == 1, result.explain("expected exit 1")
    assert "Fixed 0/1" in result.stdout
    assert "possible regression in the code" in result.stdout
    assert shop.snapshot() == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "testgap: no tests to fix: give node ids, --last-failed, or --junit FILE\n"),
        (("--junit", "missing.xml"), "testgap: cannot read the JUnit report missing.xml: "),
        (("--last-failed",), "testgap: --last-failed: .pytest_cache/v/cache/lastfailed does not exist; run pytest once first\n"),
        (("--max-attempts", "0", "tests"), "error: invalid value '0' for '--max-attempts <MAX_ATTEMPTS>'"),
        (("--write", "--diff", "tests"), "error: the argument '--write' cannot be used with '--diff'"),
    ],
)
def test_usage_errors_exit_2(shop, args, message):
    result = shop.fix(*args)
    assert result.returncode == 2, result.explain("expected exit 2")
    assert result.stderr.startswith(message), result.stderr


def test_a_missing_interpreter_is_a_usage_error(shop):
    result = run_testgap("fix", "--root", shop.root, "--python", shop.root / "no-python", "tests", cwd=shop.root)
    assert result.returncode == 2
    assert "given with --python does not exist" in result.stderr


def test_a_hanging_run_is_killed_at_the_time_limit(shop):
    shop.write("tests/test_hang.py", "import time\n\n\ndef test_hang():\n    time.sleep(600)\n")
    started = time.monotonic()
    result = shop.fix("--timeout", "3", "tests/test_hang.py")
    assert time.monotonic() - started < 30
    assert result.returncode == 2
    assert "did not finish in time" in result.stderr


def test_git_is_not_required(shop):
    # Outside a repository, drift is refused (nothing shows the code changed
    # on purpose) but everything else works.
    assert not (shop.root / ".git").exists()
    result = shop.fix("tests/test_shop.py")
    assert result.returncode == 0, result.explain("expected exit 0")


def test_node_ids_relative_to_the_working_directory(shop):
    result = run_testgap(
        "fix", "--root", shop.root, "--python", sys.executable, "test_shop.py::test_total", cwd=shop.root / "tests"
    )
    assert result.returncode == 0, result.explain("expected exit 0")
    assert "tests/test_shop.py::test_total" in result.stdout


def test_edits_stay_in_test_code(shop: Project):
    # A conftest fixture asks for a fixture that was renamed: the conftest is
    # test code and may be edited; the package never is.
    shop.write("tests/test_shop.py", TESTS.replace("shop.cart", "shop.pricing"))
    shop.write(
        "tests/conftest.py",
        "import pytest\n\nfrom shop.pricing import Cart\n\n\n@pytest.fixture\ndef owner_name():\n    return 'ann'\n\n\n"
        "@pytest.fixture\ndef cart(owner):\n    return Cart(owner)\n",
    )
    shop.write("tests/test_cart.py", "def test_owner(cart):\n    assert cart.owner == 'ann'\n")
    before = shop.snapshot()
    result = shop.fix("--write", "tests/test_cart.py::test_owner")
    assert result.returncode == 0, result.explain("expected exit 0")
    after = shop.snapshot()
    changed = [p for p in after if before.get(p) != after[p]]
    assert changed == ["tests/conftest.py"], changed
    assert "def cart(owner_name):\n    return Cart(owner_name)\n" in shop.read("tests/conftest.py")
    assert Path(shop.root / "shop/pricing.py").read_text() == PRICING


def test_a_conftest_that_cannot_be_imported(shop: Project):
    # pytest stops before collecting anything; the import in conftest.py is
    # what needs the fix.
    shop.write("tests/test_shop.py", TESTS.replace("shop.cart", "shop.pricing"))
    shop.write("tests/conftest.py", "import pytest\n\nfrom shop.cart import Cart\n\n\n@pytest.fixture\ndef cart():\n    return Cart('ann')\n")
    shop.write("tests/test_cart.py", "def test_owner(cart):\n    assert cart.owner == 'ann'\n")
    result = shop.fix("--write", "--format", "json", "tests/test_cart.py::test_owner")
    assert result.returncode == 0, result.explain("expected exit 0")
    fix = result.json()["tests"][0]["fixes"][0]
    assert fix["category"] == "import_error"
    assert fix["files"] == ["tests/conftest.py"]
    assert "from shop.pricing import Cart\n" in shop.read("tests/conftest.py")


STATS_CORE = '''\
__all__ = ["ilen", "interleave", "islice_all"]


def ilen(iterable):
    """How many items `iterable` yields."""
    return sum(1 for _ in iterable)


def interleave(*iterables):
    return [x for group in zip(*iterables) for x in group]


def islice_all(iterable, n):
    return list(iterable)[:n]
'''


def test_a_name_renamed_where_a_package_re_exports_it_from(tmp_path):
    """`stats.ilen` comes from `from .core import *`; `core.ilen` became
    `count_items`, which no name similarity finds (`interleave` and
    `islice_all` look closer): git, asked about the package's submodules,
    does."""
    project = Project(tmp_path / "stats")
    project.write("pytest.ini", f"[pytest]\naddopts = {UNRELATED_PLUGINS}\n")
    project.write("stats/__init__.py", "from .core import *\n")
    project.write("stats/core.py", STATS_CORE)
    project.write("tests/test_stats.py", "import stats\n\n\ndef test_ilen():\n    assert stats.ilen(iter([1, 2])) == 2\n")
    project.git("init", "-q", "-b", "main")
    project.commit("stats")
    project.write(
        "stats/core.py",
        STATS_CORE.replace('"ilen"', '"count_items"').replace("def ilen(", "def count_items("),
    )
    project.commit("ilen is count_items now")
    result = project.fix("tests/test_stats.py::test_ilen")
    assert result.returncode == 0, result.explain("expected exit 0")
    assert "Fixed 1/1 · attempts 1" in result.stdout, result.stdout
    assert "`stats.ilen` was renamed `count_items`" in result.stdout
    assert "-    assert stats.ilen(iter([1, 2])) == 2\n+    assert stats.count_items(iter([1, 2])) == 2\n" in result.stdout
