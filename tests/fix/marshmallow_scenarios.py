"""Scenarios on marshmallow 4.4.0: a src layout, shared fixtures in
tests/conftest.py, tests in classes and plain functions.
"""

from __future__ import annotations

from fix_support import Project, Scenario

SRC = "src/marshmallow"
FIELDS = f"{SRC}/fields.py"
VALIDATE = f"{SRC}/validate.py"
REGISTRY = f"{SRC}/class_registry.py"
DESERIALIZATION = "tests/test_deserialization.py::TestFieldDeserialization"


def rename_ordered_set_module(p: Project) -> None:
    """orderedset.py gets a PEP 8 module name; the library's import follows."""
    p.move_file(f"{SRC}/orderedset.py", f"{SRC}/ordered_set.py")
    p.replace(f"{SRC}/schema.py", "from marshmallow.orderedset import OrderedSet", "from marshmallow.ordered_set import OrderedSet")


def move_timestamp_functions(p: Project) -> None:
    """The timestamp conversions leave utils for a module of their own; the
    field that uses them follows."""
    p.move_definitions(f"{SRC}/utils.py", ["from_timestamp", "from_timestamp_ms"], f"{SRC}/timestamps.py")
    p.replace(FIELDS, "from marshmallow import class_registry, types, utils, validate\n",
              "from marshmallow import class_registry, timestamps, types, utils, validate\n")
    p.replace(FIELDS, '        "timestamp": utils.from_timestamp,\n        "timestamp_ms": utils.from_timestamp_ms,\n',
              '        "timestamp": timestamps.from_timestamp,\n        "timestamp_ms": timestamps.from_timestamp_ms,\n')


def rename_length_equal(p: Project) -> None:
    """`Length(equal=...)` is spelled `Length(exact=...)`; the attribute and
    the messages keep their names, the library's own call follows."""
    p.replace(VALIDATE, "        equal: int | None = None,\n        error: str | None = None,\n    ):\n        if equal is not None",
              "        exact: int | None = None,\n        error: str | None = None,\n    ):\n        if exact is not None")
    p.replace(VALIDATE, "        self.equal = equal\n", "        self.equal = exact\n")
    p.replace(FIELDS, "Length(equal=len(self.tuple_fields))", "Length(exact=len(self.tuple_fields))")


def reword_integer_message(p: Project) -> None:
    p.replace(FIELDS, 'default_error_messages = {"invalid": "Not a valid integer."}',
              'default_error_messages = {"invalid": "Not a valid whole number."}')


def rename_fixture_in_conftest(old: str, new: str):
    def refactor(p: Project) -> None:
        p.rename_word("tests/conftest.py", old, new)

    return refactor


# -- tests the project has besides marshmallow's own

NESTED_LOOKUP_TEST = '''
    from unittest import mock

    from marshmallow import Schema, fields


    class AuthorSchema(Schema):
        name = fields.String()


    class BookSchema(Schema):
        title = fields.String()
        author = fields.Nested("AuthorSchema")


    def test_a_nested_schema_named_by_string_comes_from_the_registry():
        with mock.patch("marshmallow.class_registry.get_class", return_value=AuthorSchema) as get_class:
            data = BookSchema().dump({"title": "Dune", "author": {"name": "Frank"}})
        assert data == {"title": "Dune", "author": {"name": "Frank"}}
        get_class.assert_called_once_with("AuthorSchema", all=False)
'''


def add_nested_lookup_test(p: Project) -> None:
    p.write_code("tests/test_nested_lookup.py", NESTED_LOOKUP_TEST)


COLLECTION_CHECK_TEST = '''
    from unittest import mock

    from marshmallow import fields


    def test_a_list_field_checks_that_it_got_a_collection():
        with mock.patch("marshmallow.utils.is_collection", return_value=True) as is_collection:
            assert fields.List(fields.Integer()).deserialize([1, 2]) == [1, 2]
        is_collection.assert_called_once_with([1, 2])
'''


def add_collection_check_test(p: Project) -> None:
    p.write_code("tests/test_collection_check.py", COLLECTION_CHECK_TEST)


def import_is_collection_by_name(p: Project) -> None:
    """fields.py imports the helper by name, as schema.py already does: the
    test's patch of `marshmallow.utils.is_collection` no longer reaches the
    name the field calls."""
    p.replace(FIELDS, "from marshmallow.constants import missing as missing_\n",
              "from marshmallow.constants import missing as missing_\nfrom marshmallow.utils import is_collection\n")
    p.replace(FIELDS, "utils.is_collection(", "is_collection(", count=0)


def rename_get_class(p: Project) -> None:
    """An IDE rename of `class_registry.get_class` (and its overloads) to
    `lookup_schema`; its caller in fields.py follows."""
    p.rename_word(REGISTRY, "get_class", "lookup_schema")
    p.rename_word(FIELDS, "get_class", "lookup_schema")


def drop_redundant_default(p: Project) -> None:
    """`all=False` is get_class's default: the caller stops spelling it out."""
    p.replace(FIELDS, "class_registry.get_class(nested, all=False)", "class_registry.get_class(nested)")


def nested_lookup_regression_committed(p: Project) -> None:
    """A commit that asks the registry for every class of the name (a
    regression: the field expects one) and, in the same commit, adds a test
    to the test module that checks the lookup."""
    p.replace(FIELDS, "class_registry.get_class(nested, all=False)", "class_registry.get_class(nested, all=True)")
    p.write(
        "tests/test_nested_lookup.py",
        p.read("tests/test_nested_lookup.py")
        + "\n\ndef test_the_nested_schema_is_made_once():\n    assert BookSchema().fields['author'].nested == 'AuthorSchema'\n",
    )


def timezone_from_the_environment(p: Project) -> None:
    """Naive datetimes get the zone the deployment configures, and nothing
    works until it is configured."""
    p.replace(FIELDS, "import copy\n", "import copy\nimport os\n")
    p.replace(
        FIELDS,
        "        if not utils.is_aware(ret):\n            if self.default_timezone is None:\n",
        "        if not utils.is_aware(ret):\n"
        '            if "MARSHMALLOW_TIMEZONE" not in os.environ:\n'
        '                raise RuntimeError("the MARSHMALLOW_TIMEZONE environment variable is not set")\n'
        "            if self.default_timezone is None:\n",
    )


def email_domains_from_a_data_file(p: Project) -> None:
    """The local domains the Email validator accepts are read from a data
    file next to the module, which is not there."""
    p.replace(VALIDATE, "import re\n", "import re\nfrom pathlib import Path\n")
    p.replace(
        VALIDATE,
        "    def __init__(self, *, error: str | None = None):\n        self.error: str = error or self.default_message\n",
        "    def __init__(self, *, error: str | None = None):\n"
        "        self.error: str = error or self.default_message\n"
        '        domains = Path(__file__).with_name("email_domains.txt").read_text(encoding="utf-8")\n'
        "        self.DOMAIN_WHITELIST = tuple(domains.split())\n",
    )


def error_messages_typo(p: Project) -> None:
    """A refactor of the Email field that misspells an attribute."""
    p.replace(FIELDS, '        validator = validate.Email(error=self.error_messages["invalid"])',
              '        validator = validate.Email(error=self.error_message["invalid"])')


MARSHMALLOW_SCENARIOS: list[Scenario] = [
    Scenario(
        "marshmallow/import/module-renamed",
        "import_error",
        ["tests/test_fields.py"],
        rename_ordered_set_module,
        library="marshmallow",
        expect=("tests/test_fields.py", "from marshmallow.ordered_set import OrderedSet"),
    ),
    Scenario(
        "marshmallow/attribute/functions-moved-to-a-new-module",
        "attribute_error",
        ["tests/test_utils.py::test_from_timestamp", "tests/test_utils.py::test_from_timestamp_ms"],
        move_timestamp_functions,
        library="marshmallow",
        expect=("tests/test_utils.py", "timestamps.from_timestamp(value)"),
    ),
    Scenario(
        "marshmallow/type/keyword-renamed",
        "type_error",
        ["tests/test_validate.py::test_length_equal"],
        rename_length_equal,
        library="marshmallow",
        expect=("tests/test_validate.py", '    assert validate.Length(exact=3)("foo") == "foo"'),
    ),
    Scenario(
        "marshmallow/drift/error-message-reworded",
        "assertion_drift",
        [f"{DESERIALIZATION}::test_integer_field_deserialization"],
        reword_integer_message,
        library="marshmallow",
        expect=("tests/test_deserialization.py", '        assert excinfo.value.args[0] == "Not a valid whole number."'),
    ),
    Scenario(
        "marshmallow/fixture/renamed-in-conftest",
        "missing_fixture",
        ["tests/test_schema.py::test_class_variable", "tests/test_schema.py::test_url_field"],
        rename_fixture_in_conftest("serialized_user", "user_data"),
        library="marshmallow",
        expect=("tests/test_schema.py", "def test_url_field(user_data, user):"),
    ),
    Scenario(
        "marshmallow/fixture/dependency-renamed-in-conftest",
        "missing_fixture",
        ["tests/test_schema.py::test_serializing_basic_object"],
        rename_fixture_in_conftest("user", "monty"),
        library="marshmallow",
        expect=("tests/test_schema.py", "def test_serializing_basic_object(monty):"),
    ),
    Scenario(
        "marshmallow/mock/patched-function-renamed",
        "mock_mismatch",
        ["tests/test_nested_lookup.py"],
        rename_get_class,
        library="marshmallow",
        setup=add_nested_lookup_test,
        expect=("tests/test_nested_lookup.py", 'mock.patch("marshmallow.class_registry.lookup_schema"'),
    ),
    Scenario(
        "marshmallow/mock/expected-call-changed-on-purpose",
        "mock_mismatch",
        ["tests/test_nested_lookup.py"],
        drop_redundant_default,
        library="marshmallow",
        setup=add_nested_lookup_test,
        expect=("tests/test_nested_lookup.py", 'get_class.assert_called_once_with("AuthorSchema")'),
    ),
    Scenario(
        "marshmallow/mock/name-now-imported-by-name",
        "mock_mismatch",
        ["tests/test_collection_check.py"],
        import_is_collection_by_name,
        library="marshmallow",
        setup=add_collection_check_test,
        expect=("tests/test_collection_check.py", 'mock.patch("marshmallow.fields.is_collection", return_value=True)'),
    ),
    Scenario(
        "marshmallow/refuse/mock-regression-already-committed",
        "mock_mismatch",
        ["tests/test_nested_lookup.py::test_a_nested_schema_named_by_string_comes_from_the_registry"],
        lambda p: None,
        library="marshmallow",
        setup=lambda p: (add_nested_lookup_test(p), p.commit("a test of the nested lookup"), nested_lookup_regression_committed(p)),
        fixable=False,
    ),
    Scenario(
        "marshmallow/refuse/environment-variable-required",
        "environment",
        [f"{DESERIALIZATION}::test_custom_date_format_datetime_field_deserialization"],
        timezone_from_the_environment,
        library="marshmallow",
        fixable=False,
    ),
    Scenario(
        "marshmallow/refuse/data-file-missing",
        "environment",
        ["tests/test_schema.py::test_email_field"],
        email_domains_from_a_data_file,
        library="marshmallow",
        fixable=False,
    ),
    Scenario(
        "marshmallow/refuse/attribute-error-inside-the-library",
        "unknown",
        [f"{DESERIALIZATION}::test_email_field_deserialization"],
        error_messages_typo,
        library="marshmallow",
        fixable=False,
    ),
]
