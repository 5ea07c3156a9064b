//! The commands the server executes (`workspace/executeCommand`): one table
//! of their names, and one typed argument list per command. The server's
//! capabilities, code lenses, code actions and the executeCommand handler all
//! read the names from here.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::path::PathBuf;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::Uri;

/// A command the server executes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerCommand {
    /// `testgap.audit`: the audit of each workspace, as `testgap audit --format json`.
    Audit,
    /// `testgap.leastCovered`: functions with uncovered statements, least covered first.
    LeastCovered,
    /// `testgap.reloadCoverage`: reloads every workspace's report.
    ReloadCoverage,
    /// `testgap.showFunctionCoverage`: a function's coverage as a message (the code lens's command).
    ShowFunctionCoverage,
    /// `testgap.writeGeneratedTests`: writes a new test file, for clients that cannot create files.
    WriteGeneratedTests,
    /// `testgap.runTests`: runs tests and publishes their failures.
    RunTests,
    /// `testgap.fix`: fixes failing tests and asks the client to apply the edit.
    Fix,
    /// `testgap.generate`: generates tests and asks the client to apply the edit.
    Generate,
}

impl ServerCommand {
    /// Every command, in the order the server announces them.
    pub const ALL: [ServerCommand; 8] = [
        ServerCommand::Audit,
        ServerCommand::LeastCovered,
        ServerCommand::ReloadCoverage,
        ServerCommand::ShowFunctionCoverage,
        ServerCommand::WriteGeneratedTests,
        ServerCommand::RunTests,
        ServerCommand::Fix,
        ServerCommand::Generate,
    ];

    /// The name clients send.
    pub fn as_str(self) -> &'static str {
        match self {
            ServerCommand::Audit => "testgap.audit",
            ServerCommand::LeastCovered => "testgap.leastCovered",
            ServerCommand::ReloadCoverage => "testgap.reloadCoverage",
            ServerCommand::ShowFunctionCoverage => "testgap.showFunctionCoverage",
            ServerCommand::WriteGeneratedTests => "testgap.writeGeneratedTests",
            ServerCommand::RunTests => "testgap.runTests",
            ServerCommand::Fix => "testgap.fix",
            ServerCommand::Generate => "testgap.generate",
        }
    }

    /// The command called `name`, if the server has one.
    pub fn parse(name: &str) -> Option<ServerCommand> {
        ServerCommand::ALL.into_iter().find(|c| c.as_str() == name)
    }

    /// The arguments the command takes, for the error a malformed call gets.
    fn expected(self) -> &'static str {
        match self {
            ServerCommand::Audit => "[{root?, threshold?, maxModules?, batchSize?}]",
            ServerCommand::LeastCovered => "[{query?, limit?}]",
            ServerCommand::ReloadCoverage => "no arguments",
            ServerCommand::ShowFunctionCoverage => "[document URI, function's qualified name]",
            ServerCommand::WriteGeneratedTests => "[the test file's path, its text]",
            ServerCommand::RunTests | ServerCommand::Fix | ServerCommand::Generate => {
                "[{textDocument: {uri}, position?, lastFailed?}]"
            }
        }
    }

    /// The command's arguments passed as one options object (absent or
    /// `null`: every option at its default).
    pub fn options<T: DeserializeOwned + Default>(self, arguments: &[Value]) -> Result<T> {
        match arguments.first() {
            None | Some(Value::Null) => Ok(T::default()),
            Some(first) => T::deserialize(first).map_err(|e| self.invalid_arguments(e)),
        }
    }

    /// The command's arguments passed as a list of values.
    pub fn positional<T: DeserializeOwned>(self, arguments: &[Value]) -> Result<T> {
        serde_json::from_value(Value::Array(arguments.to_vec())).map_err(|e| self.invalid_arguments(e))
    }

    fn invalid_arguments(self, error: serde_json::Error) -> Error {
        Error::invalid_params(format!(
            "invalid arguments for `{}` ({error}): expected {}",
            self.as_str(),
            self.expected()
        ))
    }
}

/// Options of `testgap.audit`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditArgs {
    /// The workspace to audit, as a file URI (percent-encoded) or a plain path; all when absent.
    pub root: Option<String>,
    pub threshold: Option<f64>,
    pub max_modules: Option<usize>,
    pub batch_size: Option<usize>,
}

/// Options of `testgap.leastCovered`.
#[derive(Debug, Deserialize)]
#[serde(default)]
pub struct LeastCoveredArgs {
    /// Keeps functions whose name or module contains it (any case).
    pub query: String,
    /// Most functions listed.
    pub limit: usize,
}

impl Default for LeastCoveredArgs {
    fn default() -> Self {
        LeastCoveredArgs {
            query: String::new(),
            limit: 50,
        }
    }
}

/// Arguments of `testgap.showFunctionCoverage`: the document and the
/// function's qualified name. The code lens builds them, so both sides agree.
#[derive(Debug, Deserialize)]
pub struct ShowFunctionArgs(pub Uri, pub String);

impl ShowFunctionArgs {
    /// The argument list a command carries.
    pub fn to_arguments(&self) -> Vec<Value> {
        vec![
            Value::String(self.0.as_str().to_string()),
            Value::String(self.1.clone()),
        ]
    }
}

/// Arguments of `testgap.writeGeneratedTests`: the new file's path and text.
#[derive(Debug, Deserialize)]
pub struct WriteTestsArgs(pub PathBuf, pub String);

impl WriteTestsArgs {
    /// The argument list a command carries.
    pub fn to_arguments(&self) -> Vec<Value> {
        vec![
            Value::String(self.0.display().to_string()),
            Value::String(self.1.clone()),
        ]
    }
}

/// Arguments of the document commands (`testgap.runTests`, `testgap.fix`,
/// `testgap.generate`): `{textDocument: {uri}, position?, lastFailed?}`.
/// The URI may also come bare as `uri`.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct DocumentArgs {
    text_document: Option<DocumentId>,
    uri: Option<Uri>,
    position: Option<Cursor>,
    /// The tests pytest's last run recorded as failed, instead of the document's.
    pub last_failed: bool,
}

#[derive(Debug, Deserialize)]
struct DocumentId {
    uri: Uri,
}

/// Only the cursor's line matters; clients also send its character.
#[derive(Debug, Deserialize)]
struct Cursor {
    line: u32,
}

impl DocumentArgs {
    /// The document the command is for.
    pub fn uri(&self) -> Option<&Uri> {
        self.text_document.as_ref().map(|d| &d.uri).or(self.uri.as_ref())
    }

    /// The cursor's line, 1-based.
    pub fn line(&self) -> Option<u32> {
        self.position.as_ref().map(|p| p.line + 1)
    }
}

/// What a code action carries to its resolve: the document, and either the
/// tests to fix or the target to generate tests for.
#[derive(Debug, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ActionData {
    /// "Fix failing test": the node ids to fix.
    Fix { uri: Uri, fix: Vec<String> },
    /// "Generate tests": a target as `testgap generate` takes it (`path::Qualname`).
    Generate { uri: Uri, target: String },
}

impl ActionData {
    /// The JSON a code action carries.
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// The data of an action this server listed.
    pub fn of(data: Option<&Value>) -> Result<ActionData> {
        ActionData::deserialize(data.unwrap_or(&Value::Null))
            .map_err(|_| Error::invalid_params("this code action's data is not testgap's: list the actions again"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_name_parses_back() {
        for command in ServerCommand::ALL {
            assert_eq!(ServerCommand::parse(command.as_str()), Some(command));
        }
        assert_eq!(ServerCommand::parse("testgap.nope"), None);
    }

    #[test]
    fn options_default_when_absent_and_fail_clearly_when_malformed() {
        let none: LeastCoveredArgs = ServerCommand::LeastCovered.options(&[]).unwrap();
        assert_eq!((none.query.as_str(), none.limit), ("", 50));
        let some: LeastCoveredArgs = ServerCommand::LeastCovered.options(&[json!({"limit": 2})]).unwrap();
        assert_eq!(some.limit, 2);
        let bad = ServerCommand::LeastCovered
            .options::<LeastCoveredArgs>(&[json!({"limit": "two"})])
            .unwrap_err();
        assert_eq!(bad.code, tower_lsp_server::jsonrpc::ErrorCode::InvalidParams);
        assert!(bad.message.contains("`testgap.leastCovered`"), "{}", bad.message);
        assert!(bad.message.ends_with("expected [{query?, limit?}]"), "{}", bad.message);
    }

    #[test]
    fn document_arguments_as_editors_send_them() {
        let args: DocumentArgs = ServerCommand::RunTests
            .options(&[json!({"textDocument": {"uri": "file:///p/t.py"}, "position": {"line": 2, "character": 4}})])
            .unwrap();
        assert_eq!(args.uri().map(|u| u.as_str()), Some("file:///p/t.py"));
        assert_eq!(args.line(), Some(3));
        assert!(!args.last_failed);
        let bare: DocumentArgs = ServerCommand::Fix
            .options(&[json!({"uri": "file:///p/t.py", "lastFailed": true})])
            .unwrap();
        assert_eq!(bare.uri().map(|u| u.as_str()), Some("file:///p/t.py"));
        assert!(bare.last_failed);
        let none: DocumentArgs = ServerCommand::RunTests.options(&[]).unwrap();
        assert!(none.uri().is_none() && none.line().is_none());
    }

    #[test]
    fn positional_arguments_round_trip() {
        let uri: Uri = "file:///p/shop.py".parse().unwrap();
        let args = ShowFunctionArgs(uri, "total".to_string()).to_arguments();
        assert_eq!(args, [json!("file:///p/shop.py"), json!("total")]);
        let back: ShowFunctionArgs = ServerCommand::ShowFunctionCoverage.positional(&args).unwrap();
        assert_eq!(back.1, "total");
        assert!(ServerCommand::WriteGeneratedTests
            .positional::<WriteTestsArgs>(&[json!("/p/tests/test_x.py")])
            .is_err());
    }

    #[test]
    fn action_data_keeps_its_shape() {
        let uri: Uri = "file:///p/shop.py".parse().unwrap();
        let fix = ActionData::Fix {
            uri: uri.clone(),
            fix: vec!["t.py::test_a".into()],
        };
        assert_eq!(
            fix.to_value(),
            json!({"uri": "file:///p/shop.py", "fix": ["t.py::test_a"]})
        );
        let generate = ActionData::Generate {
            uri,
            target: "shop.py::total".into(),
        };
        let value = generate.to_value();
        assert_eq!(value, json!({"uri": "file:///p/shop.py", "target": "shop.py::total"}));
        assert!(matches!(ActionData::of(Some(&value)), Ok(ActionData::Generate { .. })));
        assert!(ActionData::of(None).is_err());
    }
}
