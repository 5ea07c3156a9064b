use super::*;
use crate::coverage::load_report;

/// A project in a temporary directory: (path, source) pairs plus a
/// coverage.json built from (path, executed, missing, branches) rows.
struct Project {
    dir: tempfile::TempDir,
}

impl Project {
    fn new(files: &[(&str, &str)], coverage: &str) -> Project {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        std::fs::write(dir.path().join("coverage.json"), coverage).unwrap();
        Project { dir }
    }

    fn audit(&self, config: &AuditConfig) -> Audit {
        let root = crate::coverage::normalize(self.dir.path()).unwrap();
        let report = load_report(&root, &root.join("coverage.json")).unwrap();
        super::audit(&root, &report, config)
    }
}

fn entry(
    executed: &[u32],
    missing: &[u32],
    executed_branches: &str,
    missing_branches: &str,
    branches: (u64, u64, u64),
) -> String {
    let statements = executed.len() + missing.len();
    let (num, covered, partial) = branches;
    format!(
        r#"{{"executed_lines": {executed:?}, "missing_lines": {missing:?}, "excluded_lines": [],
            "executed_branches": {executed_branches}, "missing_branches": {missing_branches},
            "summary": {{"covered_lines": {}, "num_statements": {statements}, "missing_lines": {},
                        "excluded_lines": 0, "num_branches": {num}, "covered_branches": {covered},
                        "missing_branches": {}, "num_partial_branches": {partial}}}}}"#,
        executed.len(),
        missing.len(),
        num - covered
    )
}

fn report(files: &[(&str, String)]) -> String {
    let files: Vec<String> = files.iter().map(|(p, e)| format!("{p:?}: {e}")).collect();
    format!(
        r#"{{"meta": {{"format": 2, "version": "7.4.0", "timestamp": "2020-01-01T00:00:00", "branch_coverage": true, "show_contexts": false}},
            "files": {{{}}}}}"#,
        files.join(", ")
    )
}

const PRICING: &str = "\
def total(items, discount):
    if discount > 1:
        raise ValueError(\"discount above one\")
    return sum(items) * (1 - discount)


def _helper(x):
    return x
";

const CART: &str = "\
class Cart:
    def add(self, item):
        self.items.append(item)
";

fn project() -> Project {
    Project::new(
        &[
            ("shop/pricing.py", PRICING),
            ("shop/cart.py", CART),
            ("shop/io/fmt.py", "X = 1\n"),
        ],
        &report(&[
            (
                "shop/pricing.py",
                entry(&[1, 7], &[2, 3, 4, 8], "[]", "[[2, 3], [2, 4]]", (2, 0, 0)),
            ),
            ("shop/cart.py", entry(&[1], &[2, 3], "[]", "[]", (0, 0, 0))),
            ("shop/io/fmt.py", entry(&[1], &[], "[]", "[]", (0, 0, 0))),
        ]),
    )
}

#[test]
fn ranks_by_risk_and_explains_the_gap() {
    let audit = project().audit(&AuditConfig::default());
    let ranked: Vec<(&str, f64)> = audit.modules.iter().map(|m| (m.path.as_str(), m.risk)).collect();
    // pricing: total has 3 uncovered of 3 statements, public (×1.5), complexity 2
    // (+2×1×3/3), one untested raise (+3); _helper 1 uncovered, private;
    // 2 branches never taken (+0.5×2).
    // cart: Cart.add 1 of 1 uncovered, public; the def line at module level.
    assert_eq!(
        ranked,
        [("shop/pricing.py", 4.5 + 2.0 + 3.0 + 1.0 + 1.0), ("shop/cart.py", 2.5)]
    );
    assert_eq!((audit.files_total, audit.files_below_threshold), (3, 2));
    let pricing = &audit.modules[0];
    assert_eq!(pricing.module, "shop.pricing");
    let total = &pricing.functions[0];
    assert_eq!(total.name, "total");
    assert_eq!(total.uncovered_lines, [(2, 4)]);
    assert_eq!(total.missing_branches, [(2, 3), (2, 4)]);
    assert_eq!(
        (total.untested_raises, total.raises.as_slice()),
        (1, ["ValueError".to_string()].as_slice())
    );
    assert_eq!(pricing.functions[1].name, "_helper");
    assert!(!pricing.functions[1].public);
}

#[test]
fn max_modules_and_batches() {
    let config = AuditConfig {
        threshold: 101.0,
        max_modules: 2,
        batch_size: 1,
        ..AuditConfig::default()
    };
    let audit = project().audit(&config);
    assert_eq!(audit.modules.len(), 2);
    assert_eq!(audit.files_below_threshold, 3);
    let batches: Vec<(usize, &str, usize)> = audit
        .batches
        .iter()
        .map(|b| (b.id, b.package.as_str(), b.modules.len()))
        .collect();
    assert_eq!(
        batches,
        [(1, "shop", 1), (2, "shop", 1)],
        "a full batch opens another for the same package"
    );
    let config = AuditConfig {
        threshold: 101.0,
        ..AuditConfig::default()
    };
    let audit = project().audit(&config);
    let batches: Vec<(&str, Vec<&str>)> = audit
        .batches
        .iter()
        .map(|b| (b.package.as_str(), b.modules.iter().map(String::as_str).collect()))
        .collect();
    assert_eq!(
        batches,
        [
            ("shop", vec!["shop/pricing.py", "shop/cart.py"]),
            ("shop/io", vec!["shop/io/fmt.py"])
        ]
    );
    assert_eq!(audit.modules[2].batch, 2);
}

#[test]
fn missing_and_changed_files_are_reported_not_fatal() {
    let p = project();
    std::fs::remove_file(p.dir.path().join("shop/cart.py")).unwrap();
    std::fs::write(p.dir.path().join("shop/pricing.py"), "x = 1\n").unwrap();
    let audit = p.audit(&AuditConfig::default());
    let kinds: Vec<(WarningKind, &str)> = audit.warnings.iter().map(|w| (w.kind, w.path.as_str())).collect();
    assert!(kinds.contains(&(WarningKind::MissingFile, "shop/cart.py")), "{kinds:?}");
    assert!(kinds.contains(&(WarningKind::Stale, "shop/pricing.py")), "{kinds:?}");
    let pricing = audit.modules.iter().find(|m| m.path == "shop/pricing.py").unwrap();
    assert!(pricing.stale);
    // The report's own numbers still stand for a file that is gone.
    let cart = audit.modules.iter().find(|m| m.path == "shop/cart.py").unwrap();
    assert_eq!(cart.summary.missing_lines, 2);
}

#[test]
fn renders_json_and_sarif() {
    // The text table is the command line's (cli/audit_table.rs).
    let audit = project().audit(&AuditConfig::default());
    let json: serde_json::Value = serde_json::from_str(&render_json(&audit)).unwrap();
    assert_eq!(json["modules"][0]["summary"]["percent_covered_display"], "25");
    assert_eq!(
        json["modules"][0]["functions"][0]["uncovered_lines"],
        serde_json::json!([[2, 4]])
    );

    let sarif = render_sarif(&audit);
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 3, "one result per function with uncovered statements");
    assert_eq!(
        results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "shop/pricing.py"
    );
    assert_eq!(results[0]["locations"][0]["physicalLocation"]["region"]["startLine"], 1);
    assert_eq!(
        results[0]["message"]["text"],
        "`total` is 0% covered: lines 2-4 never run; 2 branches never taken"
    );
}

#[test]
fn only_the_largest_gaps_are_analysed_when_there_are_many() {
    // max_modules 1 → 3 candidates out of 4 below the threshold; d.py, the
    // smallest gap, is not analysed.
    let p = Project::new(
        &[
            ("a.py", "x = 1\ny = 2\nz = 3\n"),
            ("b.py", "x = 1\ny = 2\n"),
            ("c.py", "x = 1\ny = 2\n"),
            ("d.py", "x = 1\n"),
        ],
        &report(&[
            ("a.py", entry(&[], &[1, 2, 3], "[]", "[]", (0, 0, 0))),
            ("b.py", entry(&[], &[1, 2], "[]", "[]", (0, 0, 0))),
            ("c.py", entry(&[], &[1, 2], "[]", "[]", (0, 0, 0))),
            ("d.py", entry(&[], &[1], "[]", "[]", (0, 0, 0))),
        ]),
    );
    let audit = p.audit(&AuditConfig {
        max_modules: 1,
        ..AuditConfig::default()
    });
    assert_eq!(audit.files_below_threshold, 4);
    assert_eq!(audit.modules.len(), 1);
    assert_eq!(audit.modules[0].path, "a.py");
}
