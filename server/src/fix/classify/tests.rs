//! Classification of failures captured from a real pytest 8.4 / Python 3.11
//! run of `testdata/sample` with the plugin (paths rewritten to `/project`).

use super::messages::{env_var_in_message, signature_detail};
use super::*;
use crate::fix::failure::{parse_report, Report, TestStatus};
use crate::fix::run::Overrides;
use crate::fix::workspace::Workspace;

/// The sample project: the code under test (`shop`) and its tests.
pub(crate) const SAMPLE: &[(&str, &str)] = &[
    (
        "shop/__init__.py",
        include_str!("../testdata/sample/shop/__init__.py.txt"),
    ),
    ("shop/broken.py", include_str!("../testdata/sample/shop/broken.py.txt")),
    ("shop/cart.py", include_str!("../testdata/sample/shop/cart.py.txt")),
    (
        "shop/pricing.py",
        include_str!("../testdata/sample/shop/pricing.py.txt"),
    ),
    (
        "shop/service.py",
        include_str!("../testdata/sample/shop/service.py.txt"),
    ),
    (
        "tests/conftest.py",
        include_str!("../testdata/sample/tests/conftest.py.txt"),
    ),
    (
        "tests/test_broken_lib.py",
        include_str!("../testdata/sample/tests/test_broken_lib.py.txt"),
    ),
    (
        "tests/test_imp.py",
        include_str!("../testdata/sample/tests/test_imp.py.txt"),
    ),
    (
        "tests/test_more.py",
        include_str!("../testdata/sample/tests/test_more.py.txt"),
    ),
    (
        "tests/test_moved_module.py",
        include_str!("../testdata/sample/tests/test_moved_module.py.txt"),
    ),
    (
        "tests/test_shop.py",
        include_str!("../testdata/sample/tests/test_shop.py.txt"),
    ),
    (
        "tests/test_third.py",
        include_str!("../testdata/sample/tests/test_third.py.txt"),
    ),
];

pub(crate) const SAMPLE_RUN: &str = include_str!("../testdata/sample_run.jsonl");

pub(crate) fn sample() -> (Workspace, Overrides, Report) {
    let root = Path::new("/project");
    let workspace = crate::fix::workspace::workspace_of(SAMPLE);
    let overrides: Overrides = SAMPLE
        .iter()
        .map(|(rel, text)| (root.join(rel), text.to_string()))
        .collect();
    let report = parse_report(SAMPLE_RUN, root);
    (workspace, overrides, report)
}

fn diagnose(nodeid: &str) -> Diagnosis {
    let (workspace, overrides, report) = sample();
    let status = report.status(nodeid);
    let Some(failure) = status.failure() else {
        panic!("{nodeid} did not fail in the sample run: {status:?}");
    };
    classify(failure, &workspace, &Texts::new(&overrides))
}

/// Every failure of the sample run and the category a person would give it.
const EXPECTED: &[(&str, Category)] = &[
    ("tests/test_broken_lib.py::test_price", Category::Unknown),
    ("tests/test_imp.py::test_a", Category::ImportError),
    ("tests/test_moved_module.py::test_total", Category::ImportError),
    ("tests/test_third.py::test_a", Category::Environment),
    ("tests/test_more.py::test_name_error", Category::ImportError),
    ("tests/test_more.py::test_lib_attribute_bug", Category::Unknown),
    ("tests/test_more.py::test_lib_type_bug", Category::Unknown),
    ("tests/test_more.py::test_module_attribute", Category::AttributeError),
    ("tests/test_more.py::test_env_message", Category::Environment),
    ("tests/test_more.py::test_service", Category::Environment),
    ("tests/test_more.py::test_mock_not_called", Category::MockMismatch),
    ("tests/test_more.py::test_plain_assert", Category::Unknown),
    ("tests/test_more.py::test_fixture_in_fixture", Category::MissingFixture),
    ("tests/test_more.py::test_too_many_positional", Category::TypeError),
    ("tests/test_more.py::test_missing_kwonly", Category::TypeError),
    ("tests/test_more.py::test_wrapped_unexpected_kw", Category::TypeError),
    ("tests/test_more.py::test_none_attribute", Category::Unknown),
    ("tests/test_shop.py::test_total_drift", Category::AssertionDrift),
    ("tests/test_shop.py::test_approx", Category::AssertionDrift),
    ("tests/test_shop.py::test_in", Category::AssertionDrift),
    ("tests/test_shop.py::test_attr", Category::AttributeError),
    ("tests/test_shop.py::test_missing_arg", Category::TypeError),
    ("tests/test_shop.py::test_kw", Category::TypeError),
    ("tests/test_shop.py::test_mock", Category::MockMismatch),
    ("tests/test_shop.py::test_patch", Category::MockMismatch),
    ("tests/test_shop.py::test_patch_deco", Category::MockMismatch),
    ("tests/test_shop.py::test_fixture", Category::MissingFixture),
    ("tests/test_shop.py::test_env", Category::Environment),
    ("tests/test_shop.py::test_file", Category::Environment),
    ("tests/test_shop.py::test_multi", Category::AssertionDrift),
];

#[test]
fn every_failure_of_the_sample_run_gets_its_category() {
    let (workspace, overrides, report) = sample();
    let texts = Texts::new(&overrides);
    let mut wrong = Vec::new();
    for (nodeid, expected) in EXPECTED {
        let status = report.status(nodeid);
        let failure = status.failure().unwrap_or_else(|| panic!("{nodeid}: {status:?}"));
        let diagnosis = classify(failure, &workspace, &texts);
        if diagnosis.category != *expected {
            wrong.push(format!("{nodeid}: {} ({})", diagnosis.category, diagnosis.summary));
        }
    }
    assert!(wrong.is_empty(), "misclassified:\n{}", wrong.join("\n"));
    // And nothing in the run was left out of the table.
    let failing = report
        .tests
        .values()
        .filter(|s| matches!(s, TestStatus::Failed(_)))
        .count()
        + report.collection_errors.len();
    assert_eq!(failing, EXPECTED.len());
}

#[test]
fn import_of_a_moved_name() {
    let d = diagnose("tests/test_imp.py::test_a");
    assert_eq!(
        d.detail,
        Detail::MissingName {
            module: "shop.cart".into(),
            name: "Cart".into()
        }
    );
    assert_eq!(d.summary, "`Cart` cannot be imported from `shop.cart`");
    assert_eq!(
        d.evidence,
        [
            "tests/test_imp.py:1: from shop.cart import Cart",
            "ImportError: cannot import name 'Cart' from 'shop.cart' (/project/shop/cart.py)"
        ]
    );
    assert_eq!(d.location, Some((PathBuf::from("/project/tests/test_imp.py"), 1)));
}

#[test]
fn a_moved_module_and_a_missing_package() {
    let d = diagnose("tests/test_moved_module.py::test_total");
    assert_eq!(
        d.detail,
        Detail::MissingModule {
            module: "shop.prices".into()
        }
    );
    let d = diagnose("tests/test_third.py::test_a");
    assert_eq!(d.detail, Detail::InstallPackage { module: "yaml".into() });
    assert_eq!(
        d.suggestion.as_deref(),
        Some("install the package that provides `yaml`: `python -m pip install PyYAML` in the project's environment")
    );
}

#[test]
fn failures_raised_inside_the_code_under_test_are_not_the_tests_fault() {
    let d = diagnose("tests/test_more.py::test_lib_attribute_bug");
    assert_eq!(d.category, Category::Unknown);
    assert!(
        d.evidence
            .contains(&"raised in the code under test: shop/service.py:22 in summary".to_string()),
        "{:?}",
        d.evidence
    );
    assert_eq!(
        d.suggestion.as_deref(),
        Some("the test looks right: fix shop/service.py:22 (in `summary`), not the test")
    );
    let d = diagnose("tests/test_broken_lib.py::test_price");
    assert_eq!(d.summary, "the code under test imports a name that does not exist");
    let d = diagnose("tests/test_more.py::test_lib_type_bug");
    assert_eq!(
        d.summary,
        "a call inside the code under test does not match its signature"
    );
}

#[test]
fn signature_changes() {
    let d = diagnose("tests/test_shop.py::test_missing_arg");
    assert_eq!(
        d.detail,
        Detail::MissingArguments {
            function: "Cart.__init__".into(),
            params: vec!["currency".into()],
            keyword_only: false
        }
    );
    assert_eq!(d.summary, "`Cart.__init__()` now requires `currency`");
    let d = diagnose("tests/test_more.py::test_missing_kwonly");
    assert_eq!(
        d.detail,
        Detail::MissingArguments {
            function: "make_cart".into(),
            params: vec!["currency".into()],
            keyword_only: true
        }
    );
    let d = diagnose("tests/test_shop.py::test_kw");
    assert_eq!(
        d.detail,
        Detail::UnexpectedKeyword {
            function: "total".into(),
            keyword: "discont".into()
        }
    );
    let d = diagnose("tests/test_more.py::test_too_many_positional");
    assert_eq!(
        d.detail,
        Detail::TooManyPositional {
            function: "total".into(),
            takes: 1,
            given: 2
        }
    );
    // Raised by a functools.wraps wrapper on behalf of the test's call.
    let d = diagnose("tests/test_more.py::test_wrapped_unexpected_kw");
    assert_eq!(d.category, Category::TypeError);
    assert!(d.confidence < 0.7);
    assert_eq!(d.location, Some((PathBuf::from("/project/tests/test_more.py"), 56)));
}

#[test]
fn attributes() {
    let d = diagnose("tests/test_shop.py::test_attr");
    assert_eq!(
        d.detail,
        Detail::MissingAttribute {
            owner: Owner::Instance("Cart".into()),
            name: "total".into()
        }
    );
    assert_eq!(d.summary, "`Cart` objects have no attribute `total`");
    let d = diagnose("tests/test_more.py::test_module_attribute");
    assert_eq!(
        d.detail,
        Detail::MissingAttribute {
            owner: Owner::Module("shop.pricing".into()),
            name: "totl".into()
        }
    );
    assert_eq!(d.summary, "module `shop.pricing` has no attribute `totl`");
}

#[test]
fn mocks() {
    let d = diagnose("tests/test_shop.py::test_patch_deco");
    assert_eq!(
        d.detail,
        Detail::PatchTarget {
            target: Some("shop.pricing".into()),
            attribute: "totl".into()
        }
    );
    assert_eq!(d.summary, "patch target `shop.pricing.totl` does not resolve");
    let d = diagnose("tests/test_shop.py::test_mock");
    assert_eq!(d.detail, Detail::MockCall { called: true });
    assert_eq!(d.location, Some((PathBuf::from("/project/tests/test_shop.py"), 38)));
    let d = diagnose("tests/test_more.py::test_mock_not_called");
    assert_eq!(d.detail, Detail::MockCall { called: false });
    assert!(d.suggestion.is_some());
}

#[test]
fn fixtures() {
    let d = diagnose("tests/test_shop.py::test_fixture");
    assert_eq!(d.detail, Detail::MissingFixture { name: "db".into() });
    assert!(
        d.evidence[0].starts_with("tests/test_shop.py:") && d.evidence[0].ends_with("def test_fixture(db):"),
        "{:?}",
        d.evidence
    );
    let d = diagnose("tests/test_more.py::test_fixture_in_fixture");
    assert_eq!(
        d.detail,
        Detail::MissingFixture {
            name: "db_session".into()
        }
    );
    assert_eq!(
        d.location.as_ref().unwrap().0,
        PathBuf::from("/project/tests/conftest.py")
    );
}

#[test]
fn environment() {
    let d = diagnose("tests/test_shop.py::test_env");
    assert_eq!(
        d.detail,
        Detail::SetVariable {
            name: "SHOP_TOKEN".into()
        }
    );
    let d = diagnose("tests/test_more.py::test_env_message");
    assert_eq!(
        d.detail,
        Detail::SetVariable {
            name: "SHOP_API_URL".into()
        }
    );
    let d = diagnose("tests/test_shop.py::test_file");
    assert_eq!(
        d.detail,
        Detail::MissingFile {
            path: "nope.csv".into()
        }
    );
    let d = diagnose("tests/test_more.py::test_service");
    assert!(matches!(d.detail, Detail::Service { .. }));
}

#[test]
fn drift() {
    let d = diagnose("tests/test_shop.py::test_total_drift");
    assert_eq!(d.detail, Detail::Compare { op: "==".into() });
    assert_eq!(d.summary, "`assert … == …` fails: 6 vs 7");
    assert_eq!(d.evidence[0], "tests/test_shop.py:9: assert total([1, 2, 3]) == 7");
}

#[test]
fn signature_messages() {
    let cases = [
        (
            "f() missing 2 required positional arguments: 'a' and 'b'",
            Detail::MissingArguments {
                function: "f".into(),
                params: vec!["a".into(), "b".into()],
                keyword_only: false,
            },
        ),
        (
            "Cart.add() takes from 2 to 3 positional arguments but 4 were given",
            Detail::TooManyPositional {
                function: "Cart.add".into(),
                takes: 3,
                given: 4,
            },
        ),
        (
            "Point() takes no arguments",
            Detail::TooManyPositional {
                function: "Point".into(),
                takes: 0,
                given: 1,
            },
        ),
    ];
    for (message, expected) in cases {
        assert_eq!(signature_detail(message), Some(expected), "{message}");
    }
    assert_eq!(
        signature_detail("unsupported operand type(s) for +: 'int' and 'str'"),
        None
    );
    assert_eq!(callee_of("Cart.__init__"), "Cart");
    assert_eq!(callee_of("Cart.add"), "add");
}

#[test]
fn environment_variables_in_messages() {
    assert_eq!(
        env_var_in_message("environment variable SHOP_API_URL is not set").as_deref(),
        Some("SHOP_API_URL")
    );
    assert_eq!(
        env_var_in_message("DATABASE_URL must be set in the environment").as_deref(),
        Some("DATABASE_URL")
    );
    assert_eq!(env_var_in_message("value is not set"), None);
}

/// The plugin, on the interpreter `tests/run` names in `TESTGAP_PYTHON`,
/// still reports what the classifier was tested on: the sample project run
/// live classifies the same. (Without that variable there is no pytest to
/// run, and nothing to check.)
#[test]
fn a_live_run_of_the_sample_classifies_the_same() {
    use crate::fix::run::Runner;
    use crate::pyenv::{Interpreter, InterpreterSource, TempDir};
    let Some(python) = std::env::var_os("TESTGAP_PYTHON") else {
        return;
    };
    let tmp = TempDir::new("fix-live-test").unwrap();
    let root = tmp.path().canonicalize().unwrap();
    for (rel, text) in SAMPLE {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let interpreter = Interpreter {
        path: python.into(),
        source: InterpreterSource::Explicit,
    };
    let runner = Runner::new(&root, interpreter, std::time::Duration::from_secs(120)).unwrap();
    let report = runner.run(&["tests".to_string()], &Overrides::new()).unwrap();
    let workspace = Workspace::scan(&root);
    let overrides = Overrides::new();
    let texts = Texts::new(&overrides);
    let mut wrong = Vec::new();
    for (nodeid, expected) in EXPECTED {
        match report.status(nodeid).failure() {
            Some(failure) => {
                let got = classify(failure, &workspace, &texts).category;
                if got != *expected {
                    wrong.push(format!("{nodeid}: {got}"));
                }
            }
            // A package the sample expects to be missing may be installed.
            None if *expected == Category::Environment => {}
            None => wrong.push(format!("{nodeid}: did not fail")),
        }
    }
    assert!(
        wrong.is_empty(),
        "live run classified differently:\n{}",
        wrong.join("\n")
    );
}
