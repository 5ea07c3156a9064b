//! The audit as a SARIF 2.1.0 log: one result per function with uncovered
//! statements, so code-scanning services can show them on the code.

use super::{format_ranges, Audit};
use crate::coverage::display_percent;
use serde_json::{json, Value};

const RULE_ID: &str = "uncovered-function";

/// The audit as a SARIF log (what `--format sarif` prints).
pub fn render_sarif(audit: &Audit) -> Value {
    let precision = audit.config.precision;
    let mut results = Vec::new();
    for module in &audit.modules {
        for f in &module.functions {
            let percent = display_percent(f.summary.percent(), precision);
            let mut text = format!(
                "`{}` is {percent}% covered: lines {} never run",
                f.name,
                format_ranges(&f.uncovered_lines)
            );
            if f.summary.missing_branches > 0 {
                text.push_str(&format!("; {} branches never taken", f.summary.missing_branches));
            }
            results.push(json!({
                "ruleId": RULE_ID,
                "ruleIndex": 0,
                "level": if f.summary.covered_lines == 0 { "warning" } else { "note" },
                "message": {"text": text},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {"uri": encode_uri_path(&module.path), "uriBaseId": "%SRCROOT%"},
                        "region": {"startLine": f.line, "startColumn": f.name_column + 1, "endLine": f.end_line},
                    },
                    "logicalLocations": [{
                        "fullyQualifiedName": format!("{}.{}", module.module, f.name),
                        "kind": "function",
                    }],
                }],
                "partialFingerprints": {"testgapFunction/v1": format!("{}:{}", module.path, f.name)},
                "properties": {
                    "percentCovered": f.summary.percent(),
                    "missingStatements": f.summary.missing_lines,
                    "missingBranches": f.summary.missing_branches,
                    "complexity": f.complexity,
                    "moduleRank": module.rank,
                },
            }));
        }
    }
    let root_uri = format!("file://{}/", encode_uri_path(&audit.root.display().to_string()));
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "testgap",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": [{
                    "id": RULE_ID,
                    "name": "UncoveredFunction",
                    "shortDescription": {"text": "Function with statements no test runs"},
                    "fullDescription": {"text": "The function has statements that the test suite never executed, according to coverage.py. Modules are ranked by gap size and risk."},
                    "defaultConfiguration": {"level": "note"},
                    "help": {"text": "Write tests that reach the listed lines, then run `coverage run --branch -m pytest && coverage json` again."},
                }],
            }},
            "originalUriBaseIds": {"%SRCROOT%": {"uri": root_uri}},
            "results": results,
        }],
    })
}

/// Percent-encodes a `/`-separated path for a URI reference.
fn encode_uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => out.push(byte as char),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn uri_paths_are_encoded() {
        assert_eq!(super::encode_uri_path("pkg/my mod/ü.py"), "pkg/my%20mod/%C3%BC.py");
    }
}
