//! The language server driven in-process over an in-memory pipe with raw
//! JSON-RPC, comparing whole answers.

use serde_json::{json, Value};
use std::path::Path;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, DuplexStream, ReadHalf, WriteHalf};

struct Client {
    reader: BufReader<ReadHalf<DuplexStream>>,
    writer: WriteHalf<DuplexStream>,
    next_id: i64,
    /// Notifications and server requests received while waiting for answers.
    inbox: Vec<Value>,
}

impl Client {
    fn start() -> Client {
        let (client_end, server_end) = tokio::io::duplex(1 << 20);
        let (server_read, server_write) = tokio::io::split(server_end);
        let (service, socket) = testgap::lsp::service();
        tokio::spawn(tower_lsp_server::Server::new(server_read, server_write, socket).serve(service));
        let (read, writer) = tokio::io::split(client_end);
        Client {
            reader: BufReader::new(read),
            writer,
            next_id: 0,
            inbox: Vec::new(),
        }
    }

    async fn send(&mut self, message: Value) {
        let body = message.to_string();
        let frame = format!("Content-Length: {}\r\n\r\n{body}", body.len());
        self.writer.write_all(frame.as_bytes()).await.unwrap();
    }

    async fn receive(&mut self) -> Value {
        let mut length = 0;
        loop {
            let mut line = String::new();
            self.reader.read_line(&mut line).await.unwrap();
            let line = line.trim();
            if line.is_empty() {
                break;
            }
            if let Some(value) = line.strip_prefix("Content-Length: ") {
                length = value.parse().unwrap();
            }
        }
        let mut body = vec![0; length];
        self.reader.read_exact(&mut body).await.unwrap();
        serde_json::from_slice(&body).unwrap()
    }

    /// Receives until `pick` accepts a message, answering server requests
    /// with null and keeping everything else in the inbox.
    async fn wait_for(&mut self, mut pick: impl FnMut(&Value) -> bool) -> Value {
        if let Some(i) = self.inbox.iter().position(&mut pick) {
            return self.inbox.remove(i);
        }
        let deadline = Duration::from_secs(10);
        tokio::time::timeout(deadline, async {
            loop {
                let message = self.receive().await;
                if message.get("method").is_some() && message.get("id").is_some() {
                    let id = message["id"].clone();
                    self.send(json!({"jsonrpc": "2.0", "id": id, "result": null})).await;
                }
                if pick(&message) {
                    return message;
                }
                self.inbox.push(message);
            }
        })
        .await
        .expect("the server answered in time")
    }

    async fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))
            .await;
        self.wait_for(|m| m.get("id") == Some(&json!(id)) && m.get("method").is_none())
            .await
    }

    async fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}))
            .await;
    }

    async fn diagnostics(&mut self, uri: &str, version: i64) -> Value {
        let message = self
            .wait_for(|m| {
                m["method"] == "textDocument/publishDiagnostics"
                    && m["params"]["uri"] == uri
                    && m["params"]["version"] == version
            })
            .await;
        message["params"]["diagnostics"].clone()
    }

    async fn initialize(&mut self, root: &Path, options: Value) -> Value {
        let answer = self
            .request(
                "initialize",
                json!({"processId": null, "rootUri": file_uri(root), "capabilities": {}, "initializationOptions": options}),
            )
            .await;
        self.notify("initialized", json!({})).await;
        answer
    }
}

fn file_uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

const SOURCE: &str = "\
def total(items, discount):
    if discount > 1:
        raise ValueError(\"discount above one\")
    return sum(items) * (1 - discount)


def größe(x):
    return x
";

/// A project whose coverage.json says: `total` ran lines 2 and 4, never 3;
/// `größe` never ran.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("shop.py"), SOURCE).unwrap();
    let summary = |covered: u64, statements: u64, branches: u64, covered_branches: u64| {
        json!({"covered_lines": covered, "num_statements": statements, "missing_lines": statements - covered,
               "excluded_lines": 0, "num_branches": branches, "covered_branches": covered_branches,
               "missing_branches": branches - covered_branches, "num_partial_branches": branches - covered_branches,
               "percent_covered": 0.0})
    };
    let report = json!({
        "meta": {"format": 2, "version": "7.4.0", "timestamp": "2099-01-01T00:00:00", "branch_coverage": true, "show_contexts": true},
        "files": {"shop.py": {
            "executed_lines": [1, 2, 4, 7], "missing_lines": [3, 8], "excluded_lines": [],
            "executed_branches": [[2, 4]], "missing_branches": [[2, 3]],
            "contexts": {"2": ["test_shop.py::test_total|run"], "4": ["test_shop.py::test_total|run"], "1": [""]},
            "summary": summary(4, 6, 2, 1),
        }},
        "totals": summary(4, 6, 2, 1),
    });
    std::fs::write(dir.path().join("coverage.json"), report.to_string()).unwrap();
    dir
}

async fn open(client: &mut Client, root: &Path, text: &str) -> String {
    let uri = file_uri(&root.join("shop.py"));
    client
        .notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}}),
        )
        .await;
    uri
}

#[tokio::test]
async fn diagnostics_follow_the_code_while_editing() {
    let dir = project();
    let mut client = Client::start();
    let init = client.initialize(dir.path(), json!({"granularity": "lines"})).await;
    assert_eq!(init["result"]["capabilities"]["positionEncoding"], "utf-16");
    assert_eq!(init["result"]["capabilities"]["textDocumentSync"]["change"], 2);
    let uri = open(&mut client, dir.path(), SOURCE).await;
    // The first publish may come before the report is loaded (empty); wait for the real one.
    let mut diagnostics = client.diagnostics(&uri, 1).await;
    while diagnostics.as_array().unwrap().is_empty() {
        diagnostics = client.diagnostics(&uri, 1).await;
    }
    let expected = json!([
        {
            "range": {"start": {"line": 0, "character": 4}, "end": {"line": 0, "character": 9}},
            "severity": 3, "code": "uncovered-function", "source": "testgap",
            "message": "`total` — 60% covered: line 3 never run; 1 branch never taken",
            "data": {"function": "total"},
        },
        {
            "range": {"start": {"line": 2, "character": 8}, "end": {"line": 2, "character": 46}},
            "severity": 4, "code": "uncovered-lines", "source": "testgap",
            "message": "line 3 never runs", "data": {"function": "total", "lines": [3, 3]},
        },
        {
            "range": {"start": {"line": 1, "character": 4}, "end": {"line": 1, "character": 20}},
            "severity": 4, "code": "missing-branch", "source": "testgap",
            "message": "line 2: the condition is never true", "data": {"function": "total", "from": 2, "to": 3},
        },
        {
            // `größe` is 5 characters: UTF-16 columns 4..9.
            "range": {"start": {"line": 6, "character": 4}, "end": {"line": 6, "character": 9}},
            "severity": 3, "code": "uncovered-function", "source": "testgap",
            "message": "`größe` — 0% covered: line 8 never run",
            "data": {"function": "größe"},
        },
        {
            "range": {"start": {"line": 7, "character": 4}, "end": {"line": 7, "character": 12}},
            "severity": 4, "code": "uncovered-lines", "source": "testgap",
            "message": "line 8 never runs", "data": {"function": "größe", "lines": [8, 8]},
        },
    ]);
    assert_eq!(diagnostics, expected);

    // Two lines inserted at the top move everything down by two.
    client
        .notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [
                {"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "text": "import os\n\n"}
            ]}),
        )
        .await;
    let moved = client.diagnostics(&uri, 2).await;
    let lines: Vec<(u64, String)> = moved
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["range"]["start"]["line"].as_u64().unwrap(),
                d["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        [
            (
                2,
                "`total` — 60% covered: line 5 never run; 1 branch never taken".to_string()
            ),
            (4, "line 5 never runs".to_string()),
            (3, "line 4: the condition is never true".to_string()),
            (8, "`größe` — 0% covered: line 10 never run".to_string()),
            (9, "line 10 never runs".to_string()),
        ]
    );
    let hover = client
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 1}}),
        )
        .await;
    assert_eq!(
        hover["result"]["contents"]["value"],
        "**testgap** · line 1 is new since the coverage data was recorded"
    );
    let hover = client
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": {"line": 2, "character": 5}}),
        )
        .await;
    assert_eq!(
        hover["result"]["contents"]["value"],
        "**testgap** · `total` — 60% covered\n\n2 of 3 statements run · 1 of 2 branches taken\n\nNever run: lines 5\n\nRun by 1 test: `test_shop.py::test_total`"
    );
    let hints = client
        .request(
            "textDocument/inlayHint",
            json!({"textDocument": {"uri": uri}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 99, "character": 0}}}),
        )
        .await;
    assert_eq!(
        hints["result"],
        json!([
            {"position": {"line": 2, "character": 27}, "label": "60% covered · 1/2 branches", "paddingLeft": true},
            {"position": {"line": 8, "character": 13}, "label": "untested", "paddingLeft": true},
        ])
    );
}

#[tokio::test]
async fn bad_input_never_drops_the_connection() {
    let dir = project();
    std::fs::write(dir.path().join("coverage.json"), "{\"meta\": {\"format\": 3,").unwrap();
    let mut client = Client::start();
    client.initialize(dir.path(), json!(null)).await;
    let shown = client.wait_for(|m| m["method"] == "window/showMessage").await;
    let text = shown["params"]["message"].as_str().unwrap();
    assert!(text.contains("coverage.json ends early"), "{text}");
    assert!(
        text.contains("coverage run --branch -m pytest && coverage json"),
        "{text}"
    );
    let uri = open(&mut client, dir.path(), SOURCE).await;
    let hover = client
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}}),
        )
        .await;
    assert!(hover["result"]["contents"]["value"]
        .as_str()
        .unwrap()
        .contains("no coverage data"));
    // Out of range, closed and unknown documents: empty answers, not errors.
    for (uri, line) in [
        (uri.as_str(), 1_000_000),
        ("untitled:Untitled-1", 0),
        ("file:///nowhere/x.py", 0),
    ] {
        let answer = client
            .request(
                "textDocument/hover",
                json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": 1_000_000}}),
            )
            .await;
        assert_eq!(answer["result"], Value::Null, "{uri}");
    }
    let unknown = client.request("testgap/nonsense", json!({})).await;
    assert_eq!(unknown["error"]["code"], -32601);
    let command = client
        .request(
            "workspace/executeCommand",
            json!({"command": "testgap.nope", "arguments": []}),
        )
        .await;
    assert_eq!(command["error"]["code"], -32601);
    let audit = client
        .request(
            "workspace/executeCommand",
            json!({"command": "testgap.audit", "arguments": []}),
        )
        .await;
    assert!(
        audit["error"]["message"].as_str().unwrap().contains("ends early"),
        "{audit}"
    );
    // Still serving.
    let answer = client.request("shutdown", json!(null)).await;
    assert_eq!(answer["result"], Value::Null);
    let extra_messages = client
        .inbox
        .iter()
        .filter(|m| m["method"] == "window/showMessage")
        .count();
    assert_eq!(extra_messages, 0, "one message for one problem");
}

#[tokio::test]
async fn utf8_positions_when_offered() {
    let dir = project();
    let mut client = Client::start();
    let init = client
        .request(
            "initialize",
            json!({"processId": null, "rootUri": file_uri(dir.path()),
                   "capabilities": {"general": {"positionEncodings": ["utf-8", "utf-16"]}}}),
        )
        .await;
    assert_eq!(init["result"]["capabilities"]["positionEncoding"], "utf-8");
    client.notify("initialized", json!({})).await;
    let uri = open(&mut client, dir.path(), SOURCE).await;
    let mut diagnostics = client.diagnostics(&uri, 1).await;
    while diagnostics.as_array().unwrap().is_empty() {
        diagnostics = client.diagnostics(&uri, 1).await;
    }
    // `größe` is 7 bytes: UTF-8 columns 4..11.
    assert_eq!(
        diagnostics[1]["range"],
        json!({"start": {"line": 6, "character": 4}, "end": {"line": 6, "character": 11}})
    );
}

/// Opens the project's file and waits for the diagnostics computed with the
/// report (not the empty ones published before it is loaded).
async fn open_with_report(client: &mut Client, root: &Path) -> String {
    let uri = open(client, root, SOURCE).await;
    while client.diagnostics(&uri, 1).await.as_array().unwrap().is_empty() {}
    uri
}

#[tokio::test]
async fn lenses_symbols_commands_settings_and_close() {
    let dir = project();
    let mut client = Client::start();
    client.initialize(dir.path(), json!({})).await;
    let uri = open_with_report(&mut client, dir.path()).await;

    let lenses = client
        .request("textDocument/codeLens", json!({"textDocument": {"uri": uri}}))
        .await;
    assert_eq!(
        lenses["result"],
        json!([
            {
                "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 27}},
                "command": {"title": "60% covered · 1/2 branches · never run: 3", "command": "testgap.showFunctionCoverage", "arguments": [uri, "total"]},
            },
            {
                "range": {"start": {"line": 6, "character": 0}, "end": {"line": 6, "character": 13}},
                "command": {"title": "untested · never run: 8", "command": "testgap.showFunctionCoverage", "arguments": [uri, "größe"]},
            },
        ])
    );

    let least = client
        .request(
            "workspace/executeCommand",
            json!({"command": "testgap.leastCovered", "arguments": [{"limit": 5}]}),
        )
        .await;
    let path = dir.path().join("shop.py").display().to_string();
    assert_eq!(
        least["result"],
        json!([
            {"name": "größe", "module": "shop", "path": path, "line": 7, "endLine": 8, "percent": 0.0, "percentDisplay": "0", "missingStatements": 1},
            {"name": "total", "module": "shop", "path": path, "line": 1, "endLine": 4, "percent": 60.0, "percentDisplay": "60", "missingStatements": 1},
        ])
    );

    let symbols = client.request("workspace/symbol", json!({"query": "tot"})).await;
    assert_eq!(
        symbols["result"],
        json!([{
            "name": "total", "kind": 12,
            "location": {"uri": format!("file://{path}"), "range": {"start": {"line": 0, "character": 0}, "end": {"line": 3, "character": 0}}},
            "containerName": "shop · 60% covered",
        }])
    );

    let audit = client
        .request(
            "workspace/executeCommand",
            json!({"command": "testgap.audit", "arguments": [{"threshold": 100}]}),
        )
        .await;
    assert_eq!(audit["result"]["schema_version"], 1);
    assert_eq!(audit["result"]["modules"][0]["path"], "shop.py");
    assert_eq!(audit["result"]["modules"][0]["functions"][0]["name"], "größe");

    // A partial settings change keeps the rest and republishes.
    client
        .notify(
            "workspace/didChangeConfiguration",
            json!({"settings": {"testgap": {"functionSeverity": "warning"}}}),
        )
        .await;
    let republished = client.diagnostics(&uri, 1).await;
    let severities: Vec<&Value> = republished.as_array().unwrap().iter().map(|d| &d["severity"]).collect();
    assert_eq!(severities, [&json!(2), &json!(2)]);

    // Closing clears the file's diagnostics.
    client
        .notify("textDocument/didClose", json!({"textDocument": {"uri": uri}}))
        .await;
    let cleared = client
        .wait_for(|m| m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri.as_str())
        .await;
    assert_eq!(cleared["params"], json!({"uri": uri, "diagnostics": []}));
    let hover = client
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 5}}),
        )
        .await;
    assert_eq!(hover["result"], Value::Null, "a closed document has nothing to say");
}

#[tokio::test]
async fn commands_are_announced_once_and_their_arguments_checked() {
    let dir = project();
    let mut client = Client::start();
    let init = client.initialize(dir.path(), json!({})).await;
    assert_eq!(
        init["result"]["capabilities"]["executeCommandProvider"]["commands"],
        json!([
            "testgap.audit",
            "testgap.leastCovered",
            "testgap.reloadCoverage",
            "testgap.showFunctionCoverage",
            "testgap.writeGeneratedTests",
            "testgap.runTests",
            "testgap.fix",
            "testgap.generate",
        ])
    );
    let uri = open_with_report(&mut client, dir.path()).await;

    // The code lens's arguments are what the command takes.
    let lenses = client
        .request("textDocument/codeLens", json!({"textDocument": {"uri": uri}}))
        .await;
    let command = &lenses["result"][0]["command"];
    let shown = client
        .request(
            "workspace/executeCommand",
            json!({"command": command["command"], "arguments": command["arguments"]}),
        )
        .await;
    assert_eq!(shown["result"]["function"], "total");
    assert!(shown["result"]["text"]
        .as_str()
        .unwrap()
        .starts_with("**testgap** · `total` — 60% covered"));

    // Arguments of the wrong shape: InvalidParams, naming the command and what it takes.
    let bad = client
        .request(
            "workspace/executeCommand",
            json!({"command": "testgap.leastCovered", "arguments": [{"limit": "two"}]}),
        )
        .await;
    assert_eq!(bad["error"]["code"], -32602);
    let message = bad["error"]["message"].as_str().unwrap();
    assert!(
        message.starts_with("invalid arguments for `testgap.leastCovered`"),
        "{message}"
    );
    assert!(message.ends_with("expected [{query?, limit?}]"), "{message}");
    let bad = client
        .request(
            "workspace/executeCommand",
            json!({"command": "testgap.writeGeneratedTests", "arguments": []}),
        )
        .await;
    assert_eq!(bad["error"]["code"], -32602);

    // Actions carry their target; data the server did not write is refused.
    let actions = client
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri},
                   "range": {"start": {"line": 1, "character": 0}, "end": {"line": 1, "character": 0}},
                   "context": {"diagnostics": []}}),
        )
        .await;
    let data: Vec<&Value> = actions["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| &a["data"])
        .collect();
    assert_eq!(
        data,
        [
            &json!({"uri": uri, "target": "shop.py::total"}),
            &json!({"uri": uri, "target": "shop.py"}),
        ]
    );
    let foreign = client
        .request(
            "codeAction/resolve",
            json!({"title": "Generate tests", "data": {"something": "else"}}),
        )
        .await;
    assert_eq!(foreign["error"]["code"], -32602);
}
