"""The Helix setup (editors/helix/languages.toml) against the real server: the
snippet parses, runs `testgap lsp` beside ruff and pyright for Python, and
restricts testgap to features the server advertises in its `initialize`
answer, sent exactly as Helix would send its `config`.

Run with the test venv's Python; the server binary is $TESTGAP_BIN, else
target/debug/testgap.
"""

import json
import os
import subprocess
import tomllib

import pytest

from support import REPO
from support.fixtures import require_testgap

SNIPPET = REPO / "editors" / "helix" / "languages.toml"
VSCODE_MANIFEST = REPO / "editors" / "vscode" / "package.json"
TIMEOUT_S = 10

# Helix's only-features names (helix-core LanguageServerFeature) -> the
# server capability that lets Helix use the feature. Pushed diagnostics need
# no capability, only the documents: open/close sync.
FEATURE_CAPABILITY = {
    "format": "documentFormattingProvider",
    "goto-declaration": "declarationProvider",
    "goto-definition": "definitionProvider",
    "goto-type-definition": "typeDefinitionProvider",
    "goto-reference": "referencesProvider",
    "goto-implementation": "implementationProvider",
    "signature-help": "signatureHelpProvider",
    "hover": "hoverProvider",
    "document-highlight": "documentHighlightProvider",
    "completion": "completionProvider",
    "code-action": "codeActionProvider",
    "workspace-command": "executeCommandProvider",
    "document-symbols": "documentSymbolProvider",
    "workspace-symbols": "workspaceSymbolProvider",
    "diagnostics": "textDocumentSync",
    "pull-diagnostics": "diagnosticProvider",
    "rename-symbol": "renameProvider",
    "inlay-hints": "inlayHintProvider",
    "document-colors": "colorProvider",
}


def frame(message):
    body = json.dumps(message).encode("utf-8")
    return b"Content-Length: %d\r\n\r\n%s" % (len(body), body)


def read_message(stream):
    length = None
    while True:
        line = stream.readline()
        if not line:
            raise EOFError("the server closed its output")
        line = line.strip()
        if not line:
            break
        name, _, value = line.decode("ascii").partition(":")
        if name.lower() == "content-length":
            length = int(value)
    assert length is not None, "a message without Content-Length"
    return json.loads(stream.read(length))


def answer_of(proc, request_id):
    """Reads until the response to `request_id`; returns it and the notifications before it."""
    notifications = []
    while True:
        message = read_message(proc.stdout)
        if message.get("id") == request_id and "method" not in message:
            return message, notifications
        notifications.append(message)


@pytest.fixture(scope="module")
def snippet():
    return tomllib.loads(SNIPPET.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def testgap_entry(snippet):
    (python,) = [lang for lang in snippet["language"] if lang["name"] == "python"]
    entries = [s for s in python["language-servers"] if isinstance(s, dict) and s.get("name") == "testgap"]
    assert len(entries) == 1, python["language-servers"]
    return python, entries[0]


@pytest.fixture(scope="module")
def initialize(snippet, tmp_path_factory):
    """The server's `initialize` answer to Helix's config, and what it wrote to stderr."""
    root = tmp_path_factory.mktemp("helix-root")
    config = snippet["language-server"]["testgap"].get("config")
    proc = subprocess.Popen(
        [str(require_testgap()), *snippet["language-server"]["testgap"]["args"]],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=root,
    )
    try:
        proc.stdin.write(
            frame(
                {
                    "jsonrpc": "2.0",
                    "id": 1,
                    "method": "initialize",
                    "params": {
                        "processId": os.getpid(),
                        "clientInfo": {"name": "helix", "version": "25.07"},
                        "rootUri": root.as_uri(),
                        "workspaceFolders": [{"uri": root.as_uri(), "name": root.name}],
                        "capabilities": {"general": {"positionEncodings": ["utf-8", "utf-32", "utf-16"]}},
                        "initializationOptions": config,
                    },
                }
            )
        )
        proc.stdin.flush()
        response, _ = answer_of(proc, 1)
        proc.stdin.write(frame({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}))
        proc.stdin.flush()
        answer_of(proc, 2)
        proc.stdin.write(frame({"jsonrpc": "2.0", "method": "exit"}))
        proc.stdin.flush()
        proc.stdin.close()
        stderr = proc.stderr.read().decode(errors="replace")
        assert proc.wait(timeout=TIMEOUT_S) == 0, stderr
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=TIMEOUT_S)
    assert "result" in response, response
    return response["result"], stderr


def test_runs_testgap_lsp(snippet):
    server = snippet["language-server"]["testgap"]
    assert server["command"] == "testgap"
    assert server["args"] == ["lsp"]


def test_beside_ruff_and_pyright(testgap_entry):
    python, _ = testgap_entry
    names = [s if isinstance(s, str) else s["name"] for s in python["language-servers"]]
    assert names == ["ruff", "pyright", "testgap"]


def test_features_are_helix_names(testgap_entry):
    _, entry = testgap_entry
    features = entry["only-features"]
    assert features, "testgap must be limited to what it serves"
    assert len(set(features)) == len(features)
    unknown = set(features) - FEATURE_CAPABILITY.keys()
    assert not unknown, f"not Helix feature names: {sorted(unknown)}"


def test_every_feature_is_advertised(testgap_entry, initialize):
    _, entry = testgap_entry
    capabilities = initialize[0]["capabilities"]
    missing = [f for f in entry["only-features"] if not capabilities.get(FEATURE_CAPABILITY[f])]
    assert not missing, f"the server does not advertise {missing}: {json.dumps(capabilities)}"
    assert capabilities["textDocumentSync"]["openClose"] is True


def test_every_advertised_feature_is_listed(testgap_entry, initialize):
    """When the server learns a feature Helix can use (code actions, …), the snippet should list it."""
    _, entry = testgap_entry
    capabilities = initialize[0]["capabilities"]
    unlisted = sorted(
        f for f, cap in FEATURE_CAPABILITY.items() if capabilities.get(cap) and f not in entry["only-features"]
    )
    assert not unlisted, f"the server offers {unlisted}: add them to only-features in {SNIPPET}"


def test_config_is_server_settings(snippet, initialize):
    config = snippet["language-server"]["testgap"]["config"]
    declared = {
        key.removeprefix("testgap.")
        for key in json.loads(VSCODE_MANIFEST.read_text(encoding="utf-8"))["contributes"]["configuration"]["properties"]
    }
    assert set(config) <= declared - {"path", "trace.server"}, sorted(set(config) - declared)
    # The server rejects settings that do not fit with a warning (on stderr too).
    _, stderr = initialize
    assert "ignoring" not in stderr, stderr
