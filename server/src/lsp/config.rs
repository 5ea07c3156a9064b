//! The server's settings, from `initializationOptions` and
//! `workspace/didChangeConfiguration`. Every field is optional in the JSON;
//! the names are camelCase. Settings may come bare or under a `testgap` key.

use serde::{Deserialize, Serialize};
use tower_lsp_server::ls_types::DiagnosticSeverity;

/// What a user can set.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Config {
    /// Path of coverage.json, relative to the workspace root or absolute.
    /// Default: `coverage.json`, else the coverage configuration's `[json] output`.
    pub coverage_file: Option<String>,
    /// Functions covered below this percentage get a diagnostic.
    pub threshold: f64,
    /// Severity of per-function diagnostics.
    pub function_severity: Severity,
    /// Severity of per-line and per-branch diagnostics.
    pub line_severity: Severity,
    /// `function`: one diagnostic per function; `lines`: also one per
    /// uncovered range and per branch never taken.
    pub granularity: Granularity,
    pub inlay_hints: bool,
    pub code_lens: bool,
    /// The project's Python interpreter (used by test generation and repair).
    pub python: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            coverage_file: None,
            threshold: 100.0,
            function_severity: Severity::Information,
            line_severity: Severity::Hint,
            granularity: Granularity::Function,
            inlay_hints: true,
            code_lens: true,
            python: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Information,
    Hint,
}

impl From<Severity> for DiagnosticSeverity {
    fn from(s: Severity) -> Self {
        match s {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
            Severity::Information => DiagnosticSeverity::INFORMATION,
            Severity::Hint => DiagnosticSeverity::HINT,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Granularity {
    Function,
    Lines,
}

impl Config {
    /// Applies settings sent by a client (`{...}` or `{"testgap": {...}}`)
    /// on top of these: keys the client leaves out keep their values.
    /// Returns `None` when the client sent nothing, and the error text when
    /// the settings do not fit, so the caller can tell the user once and keep
    /// the previous settings.
    pub fn updated(&self, value: &serde_json::Value) -> Result<Option<Config>, String> {
        let value = value.get("testgap").unwrap_or(value);
        let Some(changes) = value.as_object().filter(|o| !o.is_empty()) else {
            return Ok(None);
        };
        let mut merged = serde_json::to_value(self).map_err(|e| e.to_string())?;
        if let Some(current) = merged.as_object_mut() {
            for (key, v) in changes {
                current.insert(key.clone(), v.clone());
            }
        }
        serde_json::from_value(merged).map(Some).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn bare_or_nested_camel_case() {
        let base = Config::default();
        let c = base
            .updated(&json!({"testgap": {"threshold": 80, "granularity": "lines", "inlayHints": false}}))
            .unwrap()
            .unwrap();
        assert_eq!(
            (c.threshold, c.granularity, c.inlay_hints),
            (80.0, Granularity::Lines, false)
        );
        let c = base
            .updated(&json!({"coverageFile": "build/c.json", "functionSeverity": "warning"}))
            .unwrap()
            .unwrap();
        assert_eq!(c.coverage_file.as_deref(), Some("build/c.json"));
        assert_eq!(c.function_severity, Severity::Warning);
        assert_eq!(base.updated(&json!(null)).unwrap(), None);
        assert_eq!(base.updated(&json!({"testgap": {}})).unwrap(), None);
        assert!(base
            .updated(&json!({"granularity": "words"}))
            .unwrap_err()
            .contains("words"));
    }

    #[test]
    fn partial_settings_keep_the_rest() {
        let first = Config::default()
            .updated(&json!({"granularity": "lines", "threshold": 70}))
            .unwrap()
            .unwrap();
        let second = first.updated(&json!({"threshold": 80})).unwrap().unwrap();
        assert_eq!((second.granularity, second.threshold), (Granularity::Lines, 80.0));
        let cleared = second.updated(&json!({"coverageFile": null})).unwrap().unwrap();
        assert_eq!(cleared.coverage_file, None);
    }
}
