//! `workspace/executeCommand`: one function per command in
//! [`ServerCommand`], each taking its typed arguments. An unknown command
//! gets MethodNotFound and a log line; malformed arguments, InvalidParams.

use super::super::commands::{
    AuditArgs, DocumentArgs, LeastCoveredArgs, ServerCommand, ShowFunctionArgs, WriteTestsArgs,
};
use super::super::document::Document;
use super::super::jobs::{last_failed, Generated};
use super::super::server::Shared;
use super::super::{actions, gaps, testing};
use super::super::{internal, invalid};
use super::hover::hover_text;
use crate::fix::classify::is_test_file;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::*;

/// Runs the command `params` names with its arguments.
pub async fn execute_command(shared: &Arc<Shared>, params: ExecuteCommandParams) -> Result<Option<LSPAny>> {
    let Some(command) = ServerCommand::parse(&params.command) else {
        shared
            .log(MessageType::WARNING, format!("unknown command {}", params.command))
            .await;
        return Err(Error::method_not_found());
    };
    let args = &params.arguments;
    let answer = match command {
        ServerCommand::Audit => audit(shared, command.options(args)?).await?,
        ServerCommand::LeastCovered => least_covered(shared, command.options(args)?).await?,
        ServerCommand::ReloadCoverage => reload_coverage(shared).await,
        ServerCommand::ShowFunctionCoverage => show_function_coverage(shared, command.positional(args)?).await?,
        ServerCommand::WriteGeneratedTests => write_generated_tests(shared, command.positional(args)?).await?,
        ServerCommand::RunTests => run_tests(shared, command.options(args)?).await?,
        ServerCommand::Fix => fix(shared, command.options(args)?).await?,
        ServerCommand::Generate => generate(shared, command.options(args)?).await?,
    };
    Ok(Some(answer))
}

/// `testgap.audit`: one audit document for one root, a list for several.
async fn audit(shared: &Shared, args: AuditArgs) -> Result<Value> {
    let job = gaps::audit_job(&shared.session(), &args).map_err(invalid)?;
    let audits = tokio::task::spawn_blocking(move || gaps::run_audits(&job))
        .await
        .map_err(|e| internal(e.to_string()))?;
    Ok(gaps::audit_result(&audits))
}

/// `testgap.leastCovered`: functions with uncovered statements, least covered first.
async fn least_covered(shared: &Shared, args: LeastCoveredArgs) -> Result<Value> {
    let gaps = shared.least_covered(&args.query, args.limit).await?;
    Ok(Value::Array(gaps.iter().map(gaps::gap_json).collect()))
}

/// `testgap.reloadCoverage`: reloads every workspace's report.
async fn reload_coverage(shared: &Arc<Shared>) -> Value {
    let count = shared.session().workspaces.len();
    shared.load_reports((0..count).collect(), true).await;
    json!({"reloaded": count})
}

/// `testgap.showFunctionCoverage`: the function's hover, as a message.
async fn show_function_coverage(shared: &Shared, ShowFunctionArgs(uri, name): ShowFunctionArgs) -> Result<Value> {
    let text = {
        let session = shared.session();
        session.documents.get(&uri).and_then(|open| {
            let cov = open.coverage.as_ref()?;
            let f = open.doc.module.functions.iter().find(|f| f.qualname == name)?;
            hover_text(&open.doc, cov, f.def_line)
        })
    };
    let text = text.ok_or_else(|| invalid(format!("no coverage data for `{name}` in an open document")))?;
    shared
        .client
        .show_message(MessageType::INFO, text.replace("**", "").replace('`', ""))
        .await;
    Ok(json!({"function": name, "text": text}))
}

/// `testgap.writeGeneratedTests`: writes a new test file (only inside a
/// workspace, never over an existing file) and shows it.
async fn write_generated_tests(shared: &Shared, WriteTestsArgs(path, text): WriteTestsArgs) -> Result<Value> {
    let root = {
        let session = shared.session();
        session.workspace_of(&path).map(|w| session.workspaces[w].root.clone())
    };
    let root = root.ok_or_else(|| invalid(format!("{} is outside the workspace", path.display())))?;
    actions::write_new_file(&root, &path, &text).map_err(invalid)?;
    shared.show_file(&path).await;
    Ok(json!({"written": path.display().to_string()}))
}

/// `testgap.runTests`: the test under the cursor, the file, or (with
/// `lastFailed`, or without a document) the tests that failed in pytest's
/// last run. Publishes each failure at its test.
async fn run_tests(shared: &Shared, args: DocumentArgs) -> Result<Value> {
    let (root, nodeids) = match args.uri() {
        Some(uri) => {
            let place = shared.place(uri).map_err(invalid)?;
            let nodeids = if args.last_failed {
                last_failed(&place.root)?
            } else if is_test_file(&place.path, &place.root) {
                let session = shared.session();
                match session.documents.get(uri).map(|d| &d.doc) {
                    Some(doc) => vec![testing::nodeid_at(doc, &place.rel, args.line())],
                    None => vec![place.rel.clone()],
                }
            } else {
                return Err(invalid(format!(
                    "{} is not a test module: run the tests from a test file (test_*.py), or pass lastFailed",
                    place.rel
                )));
            };
            (place.root, nodeids)
        }
        // No document (Helix's command picker sends no arguments): the
        // tests that failed in pytest's last run.
        None => {
            let root = shared.first_root()?;
            let nodeids = last_failed(&root)?;
            (root, nodeids)
        }
    };
    let (job, _) = shared.job(&root, nodeids.clone());
    let what = if nodeids.len() == 1 {
        nodeids[0].clone()
    } else {
        format!("{} tests", nodeids.len())
    };
    let outcome = shared
        .with_progress(
            "run",
            format!("testgap: running {what}"),
            move || testing::run_tests(&job),
            testing::RunOutcome::message,
        )
        .await?;
    let files: Vec<PathBuf> = outcome.by_file.keys().cloned().collect();
    {
        let mut session = shared.session();
        for (file, found) in &outcome.by_file {
            let ran: Vec<String> = nodeids
                .iter()
                .filter(|id| root.join(id.split("::").next().unwrap_or(id)) == *file)
                .cloned()
                .collect();
            testing::merge(session.tests.entry(file.clone()).or_default(), &ran, found.clone());
        }
    }
    shared.publish_tests(&files).await;
    shared
        .log(MessageType::INFO, format!("ran {what}: {}", outcome.message()))
        .await;
    Ok(outcome.to_json(&root))
}

/// `testgap.fix`: the failing test under the cursor, else the file's
/// failing tests (without a document, or with `lastFailed`: those of
/// pytest's last run); the edit goes to the client to apply.
async fn fix(shared: &Shared, args: DocumentArgs) -> Result<Value> {
    let Some(uri) = args.uri() else {
        // No document: the tests that failed in pytest's last run.
        let root = shared.first_root()?;
        let nodeids = last_failed(&root)?;
        return fix_and_apply(shared, &root, nodeids).await;
    };
    let place = shared.place(uri).map_err(invalid)?;
    let nodeids = if args.last_failed {
        last_failed(&place.root)?
    } else {
        if !is_test_file(&place.path, &place.root) {
            return Err(invalid(format!(
                "{} is not a test module: fix failing tests from their test file",
                place.rel
            )));
        }
        let session = shared.session();
        let known: Vec<String> = session
            .tests
            .get(&place.path)
            .map(|t| t.failures.iter().map(|f| f.nodeid.clone()).collect())
            .unwrap_or_default();
        let under_cursor = session
            .documents
            .get(uri)
            .map(|d| testing::nodeid_at(&d.doc, &place.rel, args.line()))
            .filter(|id| id.contains("::"));
        match under_cursor {
            Some(id) => vec![id],
            None if !known.is_empty() => known,
            None => vec![place.rel.clone()],
        }
    };
    fix_and_apply(shared, &place.root, nodeids).await
}

/// Fixes `nodeids` and asks the client to apply the edit.
async fn fix_and_apply(shared: &Shared, root: &Path, nodeids: Vec<String>) -> Result<Value> {
    let outcome = shared.fix_tests(root, nodeids).await?;
    let message = outcome.message();
    let applied = match outcome.edit {
        Some(edit) => shared.apply(edit, "testgap.fix").await,
        None => false,
    };
    Ok(json!({
        "message": message,
        "failing": outcome.report.failing(),
        "fixed": outcome.report.fixed(),
        "applied": applied,
    }))
}

/// `testgap.generate`: tests for the function or class under the cursor,
/// else for the module's untested code; the edit goes to the client to
/// apply.
async fn generate(shared: &Shared, args: DocumentArgs) -> Result<Value> {
    let uri = args
        .uri()
        .ok_or_else(|| invalid("expected [{textDocument: {uri}, position?}]".to_string()))?;
    let place = shared.place(uri).map_err(invalid)?;
    if is_test_file(&place.path, &place.root) {
        return Err(invalid(format!(
            "{} is a test module: generate tests from the module they should test",
            place.rel
        )));
    }
    let target = {
        let session = shared.session();
        session
            .documents
            .get(uri)
            .and_then(|d| generate_target(&d.doc, args.line()))
            .map(|name| format!("{}::{name}", place.rel))
            .unwrap_or_else(|| place.rel.clone())
    };
    let Generated {
        edits,
        edit,
        left_over,
        summary,
    } = shared.generate(&place.root, &target).await?;
    let has_edits = matches!(&edit.document_changes, Some(DocumentChanges::Operations(ops)) if !ops.is_empty());
    let mut applied = has_edits && shared.apply(edit, "testgap.generate").await;
    // Clients that cannot create files: the user asked for the tests,
    // so the new file is written (never over an existing one) and shown.
    for file in &left_over {
        actions::write_new_file(&place.root, &file.path, &file.text).map_err(invalid)?;
        applied = true;
        shared.show_file(&file.path).await;
    }
    let files: Vec<String> = edits.iter().map(|e| e.rel.clone()).collect();
    Ok(json!({
        "message": format!("generated {summary} in {}", files.join(", ")),
        "target": target,
        "files": files,
        "applied": applied,
    }))
}

/// What `testgap.generate` targets at `line`: the function (not a nested
/// one) or class around it, by qualified name; `None` for the whole module.
fn generate_target(doc: &Document, line: Option<u32>) -> Option<String> {
    let line = line?;
    match doc.module.function_at(line, |f| f.parent_function.is_none()) {
        Some(f) => Some(f.qualname.clone()),
        None => doc.module.class_at(line).map(|c| c.qualname.clone()),
    }
}
