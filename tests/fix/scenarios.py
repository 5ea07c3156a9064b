"""The scenarios: realistic changes to real libraries (their own code and
tests, from the PyPI sdists: boltons here, toolz and marshmallow in their own
modules) after which some of their tests fail, and what `testgap fix` must do
about them.

Fixable ones change the library the way refactors do (a function moves, a
keyword is renamed, a default changes on purpose, a fixture is renamed); the
test is behind and testgap must bring it up to date without weakening it.
Refusals are failures where the test is right (the code has a bug, or the
machine lacks something): testgap must leave every file alone.
"""

from __future__ import annotations

import ast
import re

from fix_support import Project, Scenario
from marshmallow_scenarios import MARSHMALLOW_SCENARIOS
from toolz_scenarios import TOOLZ_SCENARIOS

MATH = "boltons/mathutils.py"
STR = "boltons/strutils.py"
FILE = "boltons/fileutils.py"


def rename_in_function(p: Project, rel: str, function: str, old: str, new: str) -> None:
    """Rename an identifier inside one top-level function only."""
    text = p.read(rel)
    node = next(n for n in ast.parse(text).body if isinstance(n, ast.FunctionDef) and n.name == function)
    lines = text.splitlines(keepends=True)
    start, end = node.lineno - 1, node.end_lineno
    body = re.sub(rf"\b{old}\b", new, "".join(lines[start:end]))
    p.write(rel, "".join(lines[:start]) + body + "".join(lines[end:]))


# -- tests the project has besides boltons' own (committed before the change)

ATOMIC_SAVE_TEST = '''
    from unittest import mock

    from boltons import fileutils


    def test_atomic_save_renames_the_part_file(tmp_path):
        target = str(tmp_path / "report.txt")
        with mock.patch("boltons.fileutils.atomic_rename") as rename:
            with fileutils.atomic_save(target) as part:
                part.write(b"done")
        rename.assert_called_once_with(target + ".part", target, overwrite=True)
'''


def add_atomic_save_test(p: Project) -> None:
    p.write_code("tests/test_atomic_save.py", ATOMIC_SAVE_TEST)


def add_int_list_fixture(p: Project) -> None:
    p.write(
        "tests/conftest.py",
        p.read("tests/conftest.py")
        + "\n\nimport pytest\n\n\n@pytest.fixture\ndef sample_ints():\n    return [1, 3, 5, 6, 7, 8, 10, 11, 15]\n",
    )
    p.write_code(
        "tests/test_int_lists.py",
        """
        from boltons import strutils


        def test_format_sample(sample_ints):
            assert strutils.format_int_list(sample_ints) == '1,3,5-8,10-11,15'


        def test_roundtrip_sample(sample_ints):
            text = strutils.format_int_list(sample_ints)
            assert strutils.parse_int_list(text) == sample_ints
        """,
    )


def space_after_delimiter_by_default(p: Project) -> None:
    p.replace(STR, "def format_int_list(int_list, delim=',', range_delim='-', delim_space=False):",
              "def format_int_list(int_list, delim=',', range_delim='-', delim_space=True):")


def regression_with_a_new_test(p: Project) -> None:
    """A commit that changes format_int_list (a regression) and, in the same
    commit, adds a test to its test module: the module's other tests were
    last committed with the code as it is now."""
    space_after_delimiter_by_default(p)
    p.write(
        "tests/test_strutils.py",
        p.read("tests/test_strutils.py") + "\n\ndef test_format_single_int():\n    assert strutils.format_int_list([2]) == '2'\n",
    )


BOLTONS_SCENARIOS: list[Scenario] = [
    # ---------------------------------------------------------------- imports
    Scenario(
        "boltons/import/function-moved",
        "import_error",
        ["tests/test_mathutils.py"],
        lambda p: p.move_definitions(MATH, ["clamp"], "boltons/numutils.py"),
        expect=("tests/test_mathutils.py", "from boltons.numutils import clamp"),
    ),
    Scenario(
        "boltons/import/module-renamed",
        "import_error",
        ["tests/test_queueutils.py"],
        lambda p: p.move_file("boltons/queueutils.py", "boltons/priorityqueue.py"),
        expect=("tests/test_queueutils.py", "from boltons.priorityqueue import SortedPriorityQueue, HeapPriorityQueue"),
    ),
    Scenario(
        "boltons/import/class-renamed",
        "import_error",
        ["tests/test_listutils.py"],
        lambda p: p.rename_word("boltons/listutils.py", "BarrelList", "BarrelledList"),
        expect=("tests/test_listutils.py", "from boltons.listutils import SplayList, BarrelledList"),
    ),
    Scenario(
        "boltons/import/two-names-moved-apart",
        "import_error",
        ["tests/test_mathutils.py"],
        lambda p: (
            p.move_definitions(MATH, ["clamp"], "boltons/numutils.py"),
            p.move_definitions(MATH, ["Bits"], "boltons/bitutils.py"),
        ),
        expect=("tests/test_mathutils.py", "from boltons.bitutils import Bits"),
    ),
    # ------------------------------------------------------------- attributes
    Scenario(
        "boltons/attribute/method-renamed",
        "attribute_error",
        ["tests/test_listutils.py::test_splay_list"],
        lambda p: p.replace("boltons/listutils.py", "def swap(self, item_index", "def swap_items(self, item_index"),
        expect=("tests/test_listutils.py", "splay.swap_items(0, 9)"),
    ),
    Scenario(
        "boltons/attribute/function-renamed",
        "attribute_error",
        ["tests/test_strutils.py::test_strip_ansi"],
        lambda p: p.rename_word(STR, "strip_ansi", "strip_ansi_codes"),
        expect=("tests/test_strutils.py", "strutils.strip_ansi_codes("),
    ),
    Scenario(
        "boltons/attribute/function-moved",
        "attribute_error",
        ["tests/test_strutils.py::test_is_uuid"],
        lambda p: p.move_definitions(STR, ["is_uuid"], "boltons/uuidutils.py"),
        expect=("tests/test_strutils.py", "assert uuidutils.is_uuid(uuid.uuid4()) == True"),
    ),
    Scenario(
        "boltons/attribute/method-renamed-on-every-instance",
        "attribute_error",
        ["tests/test_mathutils.py::test_bits"],
        lambda p: p.rename_word(MATH, "as_hex", "to_hex"),
        expect=("tests/test_mathutils.py", "chk(Bits('1111').to_hex(), '0F')"),
    ),
    # ------------------------------------------------------------- signatures
    Scenario(
        "boltons/type/keywords-renamed",
        "type_error",
        ["tests/test_mathutils.py::test_clamp_examples"],
        lambda p: (rename_in_function(p, MATH, "clamp", "lower", "low"), rename_in_function(p, MATH, "clamp", "upper", "high")),
        expect=("tests/test_mathutils.py", "assert 0 == clamp(-1, low=0)"),
    ),
    Scenario(
        "boltons/type/defaults-removed",
        "type_error",
        ["tests/test_mathutils.py::test_clamp_transparent"],
        lambda p: p.replace(MATH, "def clamp(x, lower=float('-inf'), upper=float('inf')):", "def clamp(x, lower, upper):"),
        expect=("tests/test_mathutils.py", "assert clamp(0, lower=float('-inf'), upper=float('inf')) == 0"),
    ),
    Scenario(
        "boltons/type/keyword-only",
        "type_error",
        ["tests/test_mathutils.py::test_clamp_examples"],
        lambda p: p.replace(MATH, "def clamp(x, lower=float('-inf')", "def clamp(x, *, lower=float('-inf')"),
        expect=("tests/test_mathutils.py", "assert 0 == clamp(0, lower=0, upper=1) == clamp(-1, lower=0, upper=1)"),
    ),
    Scenario(
        "boltons/type/new-required-flag",
        "type_error",
        ["tests/test_strutils.py::test_format_int_list"],
        lambda p: (
            p.replace(STR, "range_delim='-', delim_space=False):", "range_delim='-', delim_space=False, *, sort: bool):"),
            p.replace(STR, "    for x in sorted(int_list):", "    for x in (sorted(int_list) if sort else int_list):"),
        ),
        expect=("tests/test_strutils.py", "assert strutils.format_int_list([5, 6, 7, 8], sort=False) == '5-8'"),
    ),
    # ------------------------------------------------------------------ mocks
    Scenario(
        "boltons/mock/patched-function-renamed",
        "mock_mismatch",
        ["tests/test_atomic_save.py"],
        lambda p: p.rename_word(FILE, "atomic_rename", "rename_atomic"),
        setup=add_atomic_save_test,
        expect=("tests/test_atomic_save.py", 'mock.patch("boltons.fileutils.rename_atomic")'),
    ),
    Scenario(
        "boltons/mock/class-moved-patch-follows-the-lookup",
        "attribute_error",
        ["tests/test_atomic_save.py"],
        lambda p: p.move_definitions(FILE, ["atomic_save", "AtomicSaver"], "boltons/atomicsave.py"),
        setup=add_atomic_save_test,
        expect=("tests/test_atomic_save.py", 'mock.patch("boltons.atomicsave.atomic_rename")'),
    ),
    Scenario(
        "boltons/mock/expected-call-changed-on-purpose",
        "mock_mismatch",
        ["tests/test_atomic_save.py"],
        lambda p: p.replace(FILE, "kwargs.pop('overwrite', True)", "kwargs.pop('overwrite', False)"),
        setup=add_atomic_save_test,
        expect=("tests/test_atomic_save.py", 'rename.assert_called_once_with(target + ".part", target, overwrite=False)'),
    ),
    # --------------------------------------------------------------- fixtures
    Scenario(
        "boltons/fixture/renamed-in-the-test-module",
        "missing_fixture",
        ["tests/test_urlutils.py::test_regex", "tests/test_urlutils.py::test_roundtrip"],
        lambda p: p.replace("tests/test_urlutils.py", "def test_url(request):", "def url_text(request):"),
        expect=("tests/test_urlutils.py", "def test_roundtrip(url_text):"),
    ),
    Scenario(
        "boltons/fixture/renamed-in-conftest",
        "missing_fixture",
        ["tests/test_int_lists.py"],
        lambda p: p.rename_word("tests/conftest.py", "sample_ints", "int_samples"),
        setup=add_int_list_fixture,
        expect=("tests/test_int_lists.py", "def test_format_sample(int_samples):"),
    ),
    # ------------------------------------------------------------------ drift
    Scenario(
        "boltons/drift/default-changed-on-purpose",
        "assertion_drift",
        ["tests/test_strutils.py::test_format_int_list"],
        space_after_delimiter_by_default,
        expect=("tests/test_strutils.py", "assert strutils.format_int_list([1, 3, 5, 6, 7, 8, 10, 11, 15]) == '1, 3, 5-8, 10-11, 15'"),
    ),
    Scenario(
        "boltons/drift/sample-standard-deviation",
        "assertion_drift",
        ["tests/test_statsutils.py::test_stats_basic"],
        lambda p: p.replace(
            "boltons/statsutils.py",
            "        return self.variance ** 0.5\n",
            "        n = len(self.data)\n        return (self.variance * n / (n - 1)) ** 0.5\n",
        ),
        expect=("tests/test_statsutils.py", "assert round(da.std_dev, 2) == 5.92"),
    ),
    Scenario(
        "boltons/drift/expected-value-in-a-variable",
        "assertion_drift",
        ["tests/test_strutils.py::test_indent"],
        lambda p: p.replace(STR, "def indent(text, margin, newline='\\n', key=bool):",
                            "def indent(text, margin, newline='\\n', key=lambda line: True):"),
        expect=("tests/test_strutils.py", "    ref = '  \\n  abc\\n  def\\n  \\n  xyz\\n  '"),
    ),
    # ------------------------------------- refusals: the test is right
    Scenario(
        "boltons/refuse/attribute-error-inside-the-library",
        "unknown",
        ["tests/test_setutils.py::test_indexed_set_basic"],
        lambda p: p.replace("boltons/setutils.py", "def _get_real_index(self, index):", "def _real_index(self, index):"),
        fixable=False,
    ),
    Scenario(
        "boltons/refuse/type-error-inside-the-library",
        "unknown",
        ["tests/test_setutils.py::test_indexed_set_basic"],
        lambda p: p.replace("boltons/setutils.py", "def _get_real_index(self, index):",
                            "def _get_real_index(self, index, strict):"),
        fixable=False,
    ),
    Scenario(
        "boltons/refuse/import-error-inside-the-library",
        "unknown",
        ["tests/test_statsutils.py"],
        lambda p: p.replace("boltons/statsutils.py", "from collections import Counter\n",
                            "from collections import Counter\n\nfrom boltons.mathutils import clamp_value\n"),
        fixable=False,
    ),
    Scenario(
        "boltons/refuse/regression-already-committed",
        "assertion_drift",
        ["tests/test_strutils.py::test_format_int_list"],
        lambda p: None,
        setup=regression_with_a_new_test,
        fixable=False,
    ),
    Scenario(
        "boltons/refuse/code-stopped-calling-the-mock",
        "mock_mismatch",
        ["tests/test_atomic_save.py"],
        lambda p: p.replace(
            FILE,
            "            atomic_rename(self.part_path, self.dest_path,\n                          overwrite=self.overwrite)\n",
            "            pass\n",
        ),
        setup=add_atomic_save_test,
        fixable=False,
    ),
    Scenario(
        "boltons/refuse/environment-variable-required",
        "environment",
        ["tests/test_jsonutils.py"],
        lambda p: p.replace("boltons/jsonutils.py", "DEFAULT_BLOCKSIZE = 4096",
                            "DEFAULT_BLOCKSIZE = int(os.environ['BOLTONS_JSONL_BLOCKSIZE'])"),
        fixable=False,
    ),
    Scenario(
        "boltons/refuse/package-not-installed",
        "environment",
        ["tests/test_statsutils.py"],
        lambda p: p.replace("boltons/statsutils.py", "from collections import Counter\n",
                            "from collections import Counter\n\nimport numpy\n"),
        fixable=False,
    ),
]

SCENARIOS: list[Scenario] = BOLTONS_SCENARIOS + TOOLZ_SCENARIOS + MARSHMALLOW_SCENARIOS
