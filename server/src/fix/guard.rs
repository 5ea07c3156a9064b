//! The rule every candidate must pass: a test is never "fixed" by weakening
//! it. Compared with the text before the edit, a candidate may not have
//! fewer `assert` statements, mock assertions or `pytest.raises` checks,
//! other comparison operators in its asserts, more skips or xfails, more
//! `try` blocks or suppressed exceptions, fewer test functions, or syntax
//! errors.

use super::source::{descendants, Source};

/// What a file's checks amount to.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Strength {
    asserts: usize,
    /// `x.assert_called_with(...)` and friends, `self.assertEqual(...)`.
    assert_calls: usize,
    /// `pytest.raises`, `pytest.warns`, `assertRaises`.
    raises: usize,
    /// Comparison operators inside assert statements, sorted.
    operators: Vec<String>,
    /// `or` inside assert statements: each one is a way out.
    alternatives: usize,
    skips: usize,
    handlers: usize,
    tests: usize,
    errors: bool,
}

fn strength(src: &Source) -> Strength {
    let mut s = Strength {
        errors: src.has_errors(),
        ..Strength::default()
    };
    for node in descendants(src.root()) {
        match node.kind() {
            "assert_statement" => {
                s.asserts += 1;
                for inner in descendants(node) {
                    if inner.kind() == "boolean_operator"
                        && inner
                            .child_by_field_name("operator")
                            .is_some_and(|o| src.text_of(o) == "or")
                    {
                        s.alternatives += 1;
                    }
                    if inner.kind() == "comparison_operator" {
                        let mut cursor = inner.walk();
                        for op in inner.children_by_field_name("operators", &mut cursor) {
                            s.operators
                                .push(src.text_of(op).split_whitespace().collect::<Vec<_>>().join(" "));
                        }
                    }
                }
            }
            "try_statement" => s.handlers += 1,
            "function_definition" if src.def_name(node).is_some_and(|n| n.starts_with("test")) => s.tests += 1,
            "identifier" => {
                let name = src.text_of(node);
                match name {
                    "skip" | "skipif" | "xfail" | "importorskip" | "skipTest" | "skipUnless" | "skipIf"
                    | "expectedFailure" => s.skips += 1,
                    "suppress" => s.handlers += 1,
                    "raises" | "warns" | "deprecated_call" | "assertRaises" | "assertRaisesRegex" | "assertWarns" => {
                        s.raises += 1
                    }
                    _ if name.starts_with("assert") && is_called_attribute(node) => s.assert_calls += 1,
                    _ => {}
                }
            }
            _ => {}
        }
    }
    s.operators.sort();
    s
}

/// `x.<node>(...)`: an attribute that is called.
fn is_called_attribute(node: tree_sitter::Node) -> bool {
    let Some(attribute) = node.parent().filter(|p| p.kind() == "attribute") else {
        return false;
    };
    attribute.parent().is_some_and(|c| {
        c.kind() == "call"
            && c.child_by_field_name("function")
                .is_some_and(|f| f.id() == attribute.id())
    })
}

/// Why `after` weakens `before`, if it does.
pub fn weakening(before: &str, after: &str) -> Option<String> {
    let old = strength(&Source::parse(before));
    let new = strength(&Source::parse(after));
    if new.errors && !old.errors {
        return Some("the edit leaves a syntax error".to_string());
    }
    if new.asserts < old.asserts {
        return Some(format!("it removes assertions ({} → {})", old.asserts, new.asserts));
    }
    if new.operators != old.operators && new.asserts == old.asserts {
        return Some("it changes the comparison an assertion makes".to_string());
    }
    if new.alternatives > old.alternatives {
        return Some("it lets an assertion pass another way (`or`)".to_string());
    }
    if new.assert_calls < old.assert_calls {
        return Some("it removes a mock or unittest assertion".to_string());
    }
    if new.raises < old.raises {
        return Some("it removes an expected-exception check".to_string());
    }
    if new.skips > old.skips {
        return Some("it adds a skip or xfail".to_string());
    }
    if new.handlers > old.handlers {
        return Some("it catches or suppresses exceptions".to_string());
    }
    if new.tests < old.tests {
        return Some("it removes a test".to_string());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const BEFORE: &str = "import pytest\n\ndef test_a(m):\n    assert f(1) == 2\n    m.assert_called_once_with(1)\n    with pytest.raises(ValueError):\n        g()\n";

    fn check(after: &str) -> Option<String> {
        weakening(BEFORE, after)
    }

    #[test]
    fn literal_and_name_changes_pass() {
        assert_eq!(check(&BEFORE.replace("== 2", "== 3")), None);
        assert_eq!(check(&BEFORE.replace("f(1)", "f(1, c=2)")), None);
        assert_eq!(
            check(&BEFORE.replace("import pytest", "import pytest\nfrom m import f")),
            None
        );
    }

    #[test]
    fn weakening_is_refused() {
        let cases = [
            (
                BEFORE.replace("    assert f(1) == 2\n", ""),
                "it removes assertions (1 → 0)",
            ),
            (
                BEFORE.replace("== 2", "!= 2"),
                "it changes the comparison an assertion makes",
            ),
            (
                BEFORE.replace("f(1) == 2", "f(1) == 2 or True"),
                "it lets an assertion pass another way (`or`)",
            ),
            (
                BEFORE.replace("    m.assert_called_once_with(1)\n", ""),
                "it removes a mock or unittest assertion",
            ),
            (
                BEFORE.replace("    with pytest.raises(ValueError):\n        g()\n", "    g()\n"),
                "it removes an expected-exception check",
            ),
            (
                BEFORE.replace("def test_a", "@pytest.mark.skip\ndef test_a"),
                "it adds a skip or xfail",
            ),
            (
                BEFORE.replace(
                    "    assert f(1) == 2\n",
                    "    try:\n        assert f(1) == 2\n    except AssertionError:\n        pass\n",
                ),
                "it catches or suppresses exceptions",
            ),
            (BEFORE.replace("== 2", "== ("), "the edit leaves a syntax error"),
        ];
        for (after, why) in cases {
            assert_eq!(check(&after).as_deref(), Some(why), "{after}");
        }
    }
}
