//! Which tests to fix: node ids given on the command line, the last failed
//! ones from pytest's cache, or the failures of a JUnit XML report.

use super::failure::slash_path;
use super::FixError;
use std::path::Path;

/// Node ids pytest's cache provider recorded as failed in the last run, in
/// sorted order; ids of files that no longer exist are dropped.
pub fn last_failed(root: &Path) -> Result<Vec<String>, FixError> {
    let path = root.join(".pytest_cache").join("v").join("cache").join("lastfailed");
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            return Err(FixError::Input(format!(
                "--last-failed: {} does not exist; run pytest once first",
                display_rel(root, &path)
            )))
        }
        Err(err) => return Err(FixError::Input(format!("cannot read {}: {err}", path.display()))),
    };
    let value: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| FixError::Input(format!("{} is not valid JSON: {e}", display_rel(root, &path))))?;
    let Some(map) = value.as_object() else {
        return Err(FixError::Input(format!(
            "{} is not a JSON object",
            display_rel(root, &path)
        )));
    };
    let mut ids: Vec<String> = map
        .iter()
        .filter(|(_, v)| v.as_bool() != Some(false))
        .map(|(k, _)| k.clone())
        .filter(|id| root.join(id.split("::").next().unwrap_or(id)).is_file())
        .collect();
    ids.sort();
    Ok(ids)
}

fn display_rel(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .map(slash_path)
        .unwrap_or_else(|_| path.display().to_string())
}

/// Node ids of the failed and errored test cases of a JUnit XML report (as
/// pytest's `--junitxml` writes it).
pub fn junit_failures(root: &Path, path: &Path) -> Result<Vec<String>, FixError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| FixError::Input(format!("cannot read the JUnit report {}: {e}", path.display())))?;
    let Some(cases) = test_cases(&text) else {
        return Err(FixError::Input(format!(
            "{} is not a JUnit XML report (no <testsuite> element)",
            path.display()
        )));
    };
    let mut ids = Vec::new();
    for case in cases {
        if !case.failed {
            continue;
        }
        if let Some(id) = node_id(root, &case) {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    Ok(ids)
}

#[derive(Debug, Default)]
struct TestCase {
    classname: String,
    name: String,
    file: Option<String>,
    failed: bool,
}

/// The `<testcase>` elements, with whether each holds `<failure>` or
/// `<error>`; `None` when there is no `<testsuite>` (or `<testsuites>`)
/// element. XML that stops being well formed ends the reading, keeping the
/// cases before it: a report cut short still names its first failures.
fn test_cases(xml: &str) -> Option<Vec<TestCase>> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut cases = Vec::new();
    let mut suite = false;
    // The test case being read, between its start and end tags.
    let mut open: Option<TestCase> = None;
    loop {
        let (element, closes) = match reader.read_event() {
            Ok(Event::Start(element)) => (element, false),
            Ok(Event::Empty(element)) => (element, true),
            Ok(Event::End(end)) => {
                if end.local_name().as_ref() == b"testcase" {
                    cases.extend(open.take());
                }
                continue;
            }
            Ok(Event::Eof) | Err(_) => break,
            Ok(_) => continue,
        };
        match element.local_name().as_ref() {
            b"testsuite" | b"testsuites" => suite = true,
            b"testcase" => {
                cases.extend(open.take());
                let case = test_case(&element);
                if closes {
                    cases.push(case);
                } else {
                    open = Some(case);
                }
            }
            b"failure" | b"error" => {
                if let Some(case) = open.as_mut() {
                    case.failed = true;
                }
            }
            _ => {}
        }
    }
    cases.extend(open);
    suite.then_some(cases)
}

/// A `<testcase>`'s attributes; one that cannot be read is left out.
fn test_case(element: &quick_xml::events::BytesStart) -> TestCase {
    let mut case = TestCase::default();
    for attribute in element.attributes().flatten() {
        let Ok(value) = attribute.normalized_value(quick_xml::XmlVersion::Implicit1_0) else {
            continue;
        };
        match attribute.key.local_name().as_ref() {
            b"classname" => case.classname = value.into_owned(),
            b"name" => case.name = value.into_owned(),
            b"file" => case.file = Some(value.into_owned()),
            _ => {}
        }
    }
    case
}

/// pytest writes `classname="tests.test_shop.TestCart"`: the module path
/// with dots, then the classes. The longest prefix naming an existing file
/// is the module.
fn node_id(root: &Path, case: &TestCase) -> Option<String> {
    if case.name.is_empty() {
        return None;
    }
    // A module that failed to import: `classname=""`, `name="tests.test_x"`.
    if case.classname.is_empty() {
        let rel = format!("{}.py", case.name.replace('.', "/"));
        return root.join(&rel).is_file().then_some(rel);
    }
    let parts: Vec<&str> = case.classname.split('.').filter(|p| !p.is_empty()).collect();
    if let Some(file) = &case.file {
        let module_parts = file.trim_end_matches(".py").replace(['/', '\\'], ".");
        let classes: Vec<&str> = case
            .classname
            .strip_prefix(&module_parts)
            .unwrap_or("")
            .split('.')
            .filter(|p| !p.is_empty())
            .collect();
        return Some(join_id(&file.replace('\\', "/"), &classes, &case.name));
    }
    for k in (1..=parts.len()).rev() {
        let rel = format!("{}.py", parts[..k].join("/"));
        if root.join(&rel).is_file() {
            return Some(join_id(&rel, &parts[k..], &case.name));
        }
    }
    None
}

fn join_id(module: &str, classes: &[&str], name: &str) -> String {
    let mut id = module.to_string();
    for class in classes {
        id.push_str("::");
        id.push_str(class);
    }
    id.push_str("::");
    id.push_str(name);
    id
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pyenv::TempDir;

    // As pytest 8.4 writes it with `--junitxml` (xunit2 family).
    const JUNIT: &str = r#"<?xml version="1.0" encoding="utf-8"?><testsuites name="pytest tests"><testsuite name="pytest" errors="1" failures="1" skipped="0" tests="4" time="0.120" timestamp="2025-11-25T10:00:00" hostname="ci"><testcase classname="tests.test_shop" name="test_total" time="0.001"><failure message="assert 6 == 7&#10; +  where 6 = total([1, 2, 3])">def test_total():
&gt;       assert total([1, 2, 3]) == 7
E       assert 6 == 7</failure></testcase><testcase classname="tests.test_shop.TestCart" name="test_add[a&amp;b]" time="0.001"><error message="failed on setup with &quot;fixture 'db' not found&quot;">...</error></testcase><testcase classname="tests.test_shop" name="test_ok" time="0.001" /><testcase classname="tests.test_shop" name="test_skip" time="0.000"><skipped type="pytest.skip" message="no">skip</skipped></testcase><testcase classname="" name="tests.test_broken" time="0.000"><error message="collection failure">ImportError while importing test module</error></testcase></testsuite></testsuites>"#;

    #[test]
    fn junit_failures_become_node_ids() {
        let tmp = TempDir::new("select-test").unwrap();
        std::fs::create_dir_all(tmp.path().join("tests")).unwrap();
        std::fs::write(tmp.path().join("tests/test_shop.py"), "").unwrap();
        std::fs::write(tmp.path().join("tests/test_broken.py"), "").unwrap();
        let report = tmp.path().join("junit.xml");
        std::fs::write(&report, JUNIT).unwrap();
        let ids = junit_failures(tmp.path(), &report).unwrap();
        assert_eq!(
            ids,
            vec![
                "tests/test_shop.py::test_total".to_string(),
                "tests/test_shop.py::TestCart::test_add[a&b]".to_string(),
                "tests/test_broken.py".to_string(),
            ]
        );
    }

    #[test]
    fn junit_with_file_attributes() {
        let xml = r#"<testsuite><testcase classname="tests.test_a.TestX" file="tests/test_a.py" line="3" name="test_y"><failure/></testcase></testsuite>"#;
        let tmp = TempDir::new("select-test").unwrap();
        let report = tmp.path().join("j.xml");
        std::fs::write(&report, xml).unwrap();
        assert_eq!(
            junit_failures(tmp.path(), &report).unwrap(),
            vec!["tests/test_a.py::TestX::test_y".to_string()]
        );
    }

    #[test]
    fn not_a_junit_report() {
        let tmp = TempDir::new("select-test").unwrap();
        let report = tmp.path().join("j.xml");
        std::fs::write(&report, "<html></html>").unwrap();
        let err = junit_failures(tmp.path(), &report).unwrap_err();
        assert!(err.to_string().contains("is not a JUnit XML report"), "{err}");
    }

    #[test]
    fn last_failed_from_the_cache() {
        let tmp = TempDir::new("select-test").unwrap();
        let err = last_failed(tmp.path()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "--last-failed: .pytest_cache/v/cache/lastfailed does not exist; run pytest once first"
        );
        let cache = tmp.path().join(".pytest_cache/v/cache");
        std::fs::create_dir_all(&cache).unwrap();
        std::fs::create_dir_all(tmp.path().join("tests")).unwrap();
        std::fs::write(tmp.path().join("tests/test_a.py"), "").unwrap();
        std::fs::write(
            cache.join("lastfailed"),
            r#"{"tests/test_a.py::test_b": true, "tests/test_a.py::test_a": true, "tests/gone.py::t": true}"#,
        )
        .unwrap();
        assert_eq!(
            last_failed(tmp.path()).unwrap(),
            vec![
                "tests/test_a.py::test_a".to_string(),
                "tests/test_a.py::test_b".to_string()
            ]
        );
    }

    #[test]
    fn entities_in_names() {
        let xml = r#"<testsuites><testsuite><testcase classname="tests.test_a" name="t[a&amp;b&lt;&#65;&#x42;]"><error/></testcase></testsuite></testsuites>"#;
        let cases = test_cases(xml).unwrap();
        assert_eq!(cases[0].name, "t[a&b<AB]");
        assert!(cases[0].failed);
    }

    #[test]
    fn a_report_cut_short_keeps_its_first_cases() {
        let xml = r#"<testsuite><testcase classname="a" name="t1"><failure/></testcase><testcase classname="a" name="t2"><failure mess"#;
        let cases = test_cases(xml).unwrap();
        let names: Vec<(&str, bool)> = cases.iter().map(|c| (c.name.as_str(), c.failed)).collect();
        assert_eq!(names, [("t1", true), ("t2", false)]);
    }
}
