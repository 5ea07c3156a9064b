"""The raw stdio stream: nothing but framed JSON-RPC on stdout, even while the
server has warnings to give, and a clean exit."""

from __future__ import annotations

import json
import queue
import re
import subprocess
import sys
import threading
import time

import pytest

from lsp_support import Project
from support.binary import binary_path
from support.processes import HANGING_TEST, gone

HEADER = re.compile(rb"(Content-Length|Content-Type): [^\r\n]*\r\n")
TIMEOUT = 10
# A server whose client is gone has no reason to take longer than this to exit.
EXIT_TIMEOUT = 3


class RawServer:
    """`testgap lsp` driven byte by byte; every byte on stdout is checked to
    belong to a well-formed message."""

    def __init__(self, cwd) -> None:
        self.process = subprocess.Popen(
            [str(binary_path()), "lsp"],
            cwd=cwd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self.messages: queue.Queue = queue.Queue()
        self.garbage: list[bytes] = []
        self.stderr = b""
        self.next_id = 0
        threading.Thread(target=self._read_stdout, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()

    def _read_stderr(self) -> None:
        self.stderr = self.process.stderr.read()

    def _read_stdout(self) -> None:
        out = self.process.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    self.messages.put(None)
                    return
                if line == b"\r\n":
                    break
                if not HEADER.fullmatch(line):
                    self.garbage.append(line)
                    continue
                if line.startswith(b"Content-Length"):
                    length = int(line.split(b":")[1])
            if length is None:
                self.garbage.append(b"<a header block without Content-Length>")
                continue
            body = out.read(length)
            try:
                message = json.loads(body)
                assert message.get("jsonrpc") == "2.0"
            except (ValueError, AssertionError):
                self.garbage.append(body)
                continue
            self.messages.put(message)

    def send(self, method: str, params=None, request: bool = True):
        message = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            message["params"] = params
        if request:
            self.next_id += 1
            message["id"] = self.next_id
        body = json.dumps(message, ensure_ascii=False).encode("utf-8")
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()
        if not request:
            return None
        while True:
            reply = self.messages.get(timeout=TIMEOUT)
            assert reply is not None, "the server closed stdout"
            if reply.get("id") == message["id"] and "method" not in reply:
                return reply
            if "method" in reply and "id" in reply:  # a request to the client: answer it
                self.process.stdin.write(self._frame({"jsonrpc": "2.0", "id": reply["id"], "result": None}))
                self.process.stdin.flush()

    def pump_until(self, wanted) -> dict:
        """Reads messages, answering the server's requests, until `wanted(message)`."""
        while True:
            message = self.messages.get(timeout=TIMEOUT)
            assert message is not None, "the server closed stdout"
            if wanted(message):
                return message
            if "method" in message and "id" in message:
                self.process.stdin.write(self._frame({"jsonrpc": "2.0", "id": message["id"], "result": None}))
                self.process.stdin.flush()

    @staticmethod
    def _frame(message: dict) -> bytes:
        body = json.dumps(message).encode("utf-8")
        return b"Content-Length: %d\r\n\r\n" % len(body) + body


def initialize(server: RawServer, project: Project) -> None:
    reply = server.send(
        "initialize",
        {
            "processId": None,
            "rootUri": project.root.as_uri(),
            "capabilities": {"window": {"workDoneProgress": True}},
            "initializationOptions": {"granularity": "words"},  # a setting that does not fit: a warning
        },
    )
    assert reply["result"]["serverInfo"]["name"] == "testgap"
    server.send("initialized", {}, request=False)


def test_stdout_carries_only_protocol(own_project: Project):
    report = own_project.path("coverage.json")
    report.write_bytes(report.read_bytes()[:100])  # warnings to log
    server = RawServer(own_project.root)
    try:
        initialize(server, own_project)
        uri = own_project.uri("kasse/preise.py")
        text = own_project.text("kasse/preise.py")
        server.send(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": "python", "version": 3, "text": text}},
            request=False,
        )
        # An out-of-date version and a change to a document never opened: logged, not answered.
        for target, version in ((uri, 1), (own_project.uri("kasse/bon.py"), 2)):
            server.send(
                "textDocument/didChange",
                {
                    "textDocument": {"uri": target, "version": version},
                    "contentChanges": [{"text": "x = 1\n"}],
                },
                request=False,
            )
        hover = server.send(
            "textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": 8, "character": 4}}
        )
        assert "no coverage data" in hover["result"]["contents"]["value"]
        unknown = server.send("testgap/unknownRequest", {})
        assert unknown["error"]["code"] == -32601
        assert server.send("shutdown")["result"] is None
        server.send("exit", request=False)
        assert server.process.wait(timeout=TIMEOUT) == 0
    finally:
        if server.process.poll() is None:
            server.process.kill()
            server.process.wait()
    assert server.garbage == []
    # Drain: whatever came after the last answer was protocol too.
    while (message := server.messages.get(timeout=TIMEOUT)) is not None:
        assert message["jsonrpc"] == "2.0"
    assert server.garbage == []


def closed_stdin_ends(server: RawServer) -> None:
    server.process.stdin.close()
    try:
        server.process.wait(timeout=EXIT_TIMEOUT)
    except subprocess.TimeoutExpired:
        pytest.fail("the server kept running after its client closed stdin")
    finally:
        if server.process.poll() is None:
            server.process.kill()
            server.process.wait()
    assert server.garbage == []


def test_the_server_exits_when_the_editor_goes_away(project: Project):
    server = RawServer(project.root)
    initialize(server, project)
    # The coverage has loaded and every request of the server is answered.
    server.pump_until(lambda m: m.get("method") == "$/progress" and m["params"]["value"]["kind"] == "end")
    closed_stdin_ends(server)


def test_the_server_exits_when_the_editor_dies_before_answering(project: Project):
    """An editor that crashes while the server waits for its answer (here to
    `window/workDoneProgress/create`, sent while the coverage loads) must not
    leave the server running forever."""
    server = RawServer(project.root)
    initialize(server, project)
    # Read up to the request, and leave it unanswered.
    while True:
        message = server.messages.get(timeout=TIMEOUT)
        assert message is not None, "the server closed stdout"
        if message.get("method") == "window/workDoneProgress/create" and "id" in message:
            break
    closed_stdin_ends(server)


def test_exit_is_prompt_while_a_test_run_is_in_flight(own_project: Project):
    """`shutdown` + `exit` while `testgap.runTests` waits on a test that never
    ends: the server exits at once, and the pytest it started goes with it."""
    own_project.path("tests/test_haengt.py").write_text(HANGING_TEST, encoding="utf-8")
    pid_file = own_project.path("tests/running.pid")
    server = RawServer(own_project.root)
    try:
        initialize(server, own_project)
        server.send("workspace/didChangeConfiguration", {"settings": {"python": sys.executable}}, request=False)
        uri = own_project.uri("tests/test_haengt.py")
        server.send(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": HANGING_TEST}},
            request=False,
        )
        run = {"jsonrpc": "2.0", "id": 900, "method": "workspace/executeCommand",
               "params": {"command": "testgap.runTests", "arguments": [{"textDocument": {"uri": uri}}]}}
        server.process.stdin.write(server._frame(run))
        server.process.stdin.flush()
        deadline = time.monotonic() + 60
        while not pid_file.exists():
            assert time.monotonic() < deadline, "the test never started"
            time.sleep(0.05)
        pytest_pid = int(pid_file.read_text())
        started = time.monotonic()
        assert server.send("shutdown")["result"] is None
        server.send("exit", request=False)
        assert server.process.wait(timeout=EXIT_TIMEOUT) == 0
        assert time.monotonic() - started < EXIT_TIMEOUT
        deadline = time.monotonic() + EXIT_TIMEOUT
        while not gone(pytest_pid):
            assert time.monotonic() < deadline, "the test run outlived the server"
            time.sleep(0.05)
    finally:
        if server.process.poll() is None:
            server.process.kill()
            server.process.wait()
