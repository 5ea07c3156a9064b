"""Benchmark C: the language server, driven over stdio as an editor drives it.

    python3 bench/lsp_bench.py --testgap target/release/testgap --data bench/out/data-20000-1 --out bench/out

Measures, in one run:

1. initialize -> first publishDiagnostics for a file of a project whose
   coverage.json is ~100 MB, against Python's json.load of the same report
   (the cost of merely reading it);
2. didChange -> updated publishDiagnostics on a 10,000-line file, p50 and
   p99 over 1,000 keystroke-like edits, against a full re-parse of the same
   text without the old tree (`testgap bench edits`, same edits, same run);
3. the server's resident memory with 200 files open, against its memory with
   none open.

Prints a table and writes lsp.json next to the other results. Standard
library only.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import random
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path


class Server:
    """A `testgap lsp` child spoken to with Content-Length framed JSON-RPC."""

    def __init__(self, binary: str) -> None:
        self.proc = subprocess.Popen(
            [binary, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
        )
        self.inbox: queue.Queue = queue.Queue()
        self.next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        out = self.proc.stdout
        while True:
            length = 0
            while True:
                line = out.readline()
                if not line:
                    return
                line = line.strip()
                if not line:
                    break
                name, _, value = line.partition(b":")
                if name.lower() == b"content-length":
                    length = int(value)
            self.inbox.put((time.perf_counter(), json.loads(out.read(length))))

    def send(self, message: dict) -> None:
        body = json.dumps(message).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
        self.proc.stdin.flush()

    def notify(self, method: str, params) -> None:
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method: str, params) -> int:
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})
        return self.next_id

    def wait(self, pick, timeout: float = 120.0):
        """The arrival time and message of the first message `pick` accepts."""
        deadline = time.perf_counter() + timeout
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                raise TimeoutError("the server did not answer in time")
            at, message = self.inbox.get(timeout=left)
            if "method" in message and "id" in message:
                self.send({"jsonrpc": "2.0", "id": message["id"], "result": None})
            if pick(message):
                return at, message

    def rss(self) -> int:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        return 0

    def close(self) -> None:
        try:
            rid = self.request("shutdown", None)
            self.wait(lambda m: m.get("id") == rid, timeout=10)
            self.notify("exit", None)
            self.proc.wait(timeout=10)
        except Exception:
            self.proc.kill()
            self.proc.wait()


def uri(path: Path) -> str:
    return path.resolve().as_uri()


def initialize(server: Server, root: Path, options: dict | None = None) -> None:
    rid = server.request(
        "initialize",
        {"processId": os.getpid(), "rootUri": uri(root), "capabilities": {}, "initializationOptions": options or {}},
    )
    server.wait(lambda m: m.get("id") == rid)
    server.notify("initialized", {})


def open_file(server: Server, path: Path, version: int = 1) -> str:
    u = uri(path)
    server.notify(
        "textDocument/didOpen",
        {"textDocument": {"uri": u, "languageId": "python", "version": version, "text": path.read_text()}},
    )
    return u


def diagnostics_for(u: str, version: int | None = None, nonempty: bool = False):
    def pick(m: dict) -> bool:
        if m.get("method") != "textDocument/publishDiagnostics" or m["params"]["uri"] != u:
            return False
        if version is not None and m["params"].get("version") != version:
            return False
        return bool(m["params"]["diagnostics"]) or not nonempty

    return pick


def partial_files(report: dict, data: Path, count: int) -> list[Path]:
    """Files the report measured with lines missing, in report order."""
    out = []
    for name, entry in report["files"].items():
        if entry["missing_lines"]:
            out.append(data / "project" / name)
            if len(out) == count:
                break
    return out


def first_diagnostics(binary: str, data: Path, runs: int) -> dict:
    report_path = data / "coverage.json"
    started = time.perf_counter()
    with open(report_path, "rb") as fh:
        report = json.load(fh)
    json_load = time.perf_counter() - started
    target = partial_files(report, data, 1)[0]
    del report
    times = []
    for _ in range(runs):
        server = Server(binary)
        t0 = time.perf_counter()
        initialize(server, data / "project", {"coverageFile": str(report_path.resolve())})
        u = open_file(server, target)
        at, _ = server.wait(diagnostics_for(u, nonempty=True))
        times.append(at - t0)
        server.close()
    return {
        "report_bytes": report_path.stat().st_size,
        "json_load_seconds": json_load,
        "first_diagnostics_seconds": times,
        "first_diagnostics_median": statistics.median(times),
    }


def big_project(out: Path, lines: int = 10_000) -> Path:
    """A 10,000-line module and a coverage.json consistent with it."""
    root = out / "lsp-big"
    root.mkdir(parents=True, exist_ok=True)
    source, executed, missing = [], [], []
    for i in range(lines // 10):
        base = len(source) + 1
        source += [
            f"def func_{i}(x, y=3):",
            f"    if x > {i}:",
            "        return x + y",
            "    for k in range(y):",
            "        x += k",
            "    return x * 2",
            "",
            "",
            "",
            "",
        ]
        executed += [base, base + 1] + ([base + 2] if i % 2 else [])
        missing += ([] if i % 2 else [base + 2]) + [base + 3, base + 4, base + 5]
    (root / "big.py").write_text("\n".join(source) + "\n")
    summary = {
        "covered_lines": len(executed),
        "num_statements": len(executed) + len(missing),
        "percent_covered": 100.0 * len(executed) / (len(executed) + len(missing)),
        "missing_lines": len(missing),
        "excluded_lines": 0,
    }
    report = {
        "meta": {"format": 2, "version": "7.13.0", "timestamp": "2099-01-01T00:00:00", "branch_coverage": False, "show_contexts": False},
        "files": {"big.py": {"executed_lines": executed, "missing_lines": missing, "excluded_lines": [], "summary": summary}},
        "totals": summary,
    }
    (root / "coverage.json").write_text(json.dumps(report))
    return root


def edit_latency(binary: str, out: Path, edits: int) -> dict:
    root = big_project(out)
    path = root / "big.py"
    server = Server(binary)
    initialize(server, root)
    u = open_file(server, path)
    server.wait(diagnostics_for(u, nonempty=True))
    lines = path.read_text().splitlines()
    rng = random.Random(1)
    latencies = []
    for version in range(2, edits + 2):
        row = rng.randrange(len(lines) - 1)
        content = lines[row]
        indent = content[: len(content) - len(content.lstrip())]
        # Keystrokes as people type them: a character at the end of a line,
        # or a new line with the indentation of the line it goes before.
        if version % 2:
            at, text = {"line": row, "character": len(content.encode("utf-16-le")) // 2}, "x"
            lines[row] = content + "x"
        else:
            at, text = {"line": row, "character": 0}, f"{indent}pass\n"
            lines.insert(row, f"{indent}pass")
        t0 = time.perf_counter()
        server.notify(
            "textDocument/didChange",
            {"textDocument": {"uri": u, "version": version}, "contentChanges": [{"range": {"start": at, "end": at}, "text": text}]},
        )
        arrived, _ = server.wait(diagnostics_for(u, version=version))
        latencies.append(arrived - t0)
    server.close()
    latencies.sort()
    in_process = json.loads(
        subprocess.run([binary, "bench", "edits", str(path), "--count", str(edits)], check=True, capture_output=True, text=True).stdout
    )
    return {
        "lines": len(lines),
        "edits": edits,
        "p50_ms": 1000 * latencies[len(latencies) // 2],
        "p99_ms": 1000 * latencies[int(len(latencies) * 0.99)],
        "in_process": in_process,
    }


def memory(binary: str, data: Path, files: int) -> dict:
    report_path = data / "coverage.json"
    with open(report_path, "rb") as fh:
        targets = partial_files(json.load(fh), data, files)
    server = Server(binary)
    initialize(server, data / "project", {"coverageFile": str(report_path.resolve())})
    first = open_file(server, targets[0])
    server.wait(diagnostics_for(first, nonempty=True))
    loaded = server.rss()
    for path in targets[1:]:
        u = open_file(server, path)
        server.wait(diagnostics_for(u))
    full = server.rss()
    server.close()
    return {"open_files": len(targets), "rss_one_file": loaded, "rss_all_files": full, "report_bytes": report_path.stat().st_size}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--testgap", required=True)
    ap.add_argument("--data", required=True, help="the directory gen_coverage.py wrote")
    ap.add_argument("--out", required=True)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--edits", type=int, default=1000)
    ap.add_argument("--files", type=int, default=200)
    args = ap.parse_args()
    data, out = Path(args.data), Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    first = first_diagnostics(args.testgap, data, args.runs)
    edits = edit_latency(args.testgap, out, args.edits)
    mem = memory(args.testgap, data, args.files)
    mib = 1 << 20
    ip = edits["in_process"]
    rows = [
        ("initialize -> first diagnostics", f"{first['first_diagnostics_median']:.3f} s",
         f"json.load of the report: {first['json_load_seconds']:.3f} s "
         f"({first['json_load_seconds'] / first['first_diagnostics_median']:.1f}x; goal: under 1 s)"),
        ("didChange -> diagnostics p50", f"{edits['p50_ms']:.1f} ms", f"{edits['lines']} lines, {edits['edits']} edits"),
        ("didChange -> diagnostics p99", f"{edits['p99_ms']:.1f} ms", "goal: under 10 ms"),
        ("keystroke in-process p50 / p99", f"{ip['keystroke_p50_ms']:.2f} / {ip['keystroke_p99_ms']:.2f} ms",
         f"of {ip['edits']} edits, {ip['reoutlined_edits']} re-outlined their statements, "
         f"{ip['parsed_edits']} parsed the whole file"),
        ("re-parse with old tree p50 / p99", f"{ip['incremental_parse_p50_ms']:.1f} / {ip['incremental_parse_p99_ms']:.1f} ms",
         f"full re-parse p50 {ip['full_parse_p50_ms']:.1f} ms "
         f"({ip['full_parse_p50_ms'] / max(ip['incremental_parse_p50_ms'], 1e-9):.1f}x); outline included"),
        (f"RSS with {mem['open_files']} files open", f"{mem['rss_all_files'] / mib:.0f} MiB",
         f"with 1 open: {mem['rss_one_file'] / mib:.0f} MiB; report {mem['report_bytes'] / mib:.0f} MiB"),
    ]
    width = max(len(r[0]) for r in rows)
    print("C. language server")
    for name, value, note in rows:
        print(f"  {name:<{width}}  {value:>14}  {note}")
    (out / "lsp.json").write_text(json.dumps({"first_diagnostics": first, "edits": edits, "memory": mem}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
