"""The Neovim plugin (editors/neovim) end to end: headless Neovim starts the
real `testgap lsp` on a small project whose coverage.json comes from a real
`coverage run --branch -m pytest`, and driver.lua records what the user sees.

Run with the test venv's Python (pytest and coverage.py installed); the server
binary is $TESTGAP_BIN, else target/debug/testgap. Neovim is required: the
test fails, rather than skips, without it.
"""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from support import REPO
from support.fixtures import require_testgap
from support.measure import coverage_run
from support.processes import child_env, run_pytest
from support.source import def_sites

PLUGIN = REPO / "editors" / "neovim"
DRIVER = Path(__file__).with_name("driver.lua")

NVIM_TIMEOUT_S = 120
STAGE_TIMEOUT_MS = 10_000
INSERTED_LINES = 3

PROJECT = {
    "pyproject.toml": """
        [project]
        name = "calc"
        version = "0.1.0"

        [tool.pytest.ini_options]
        pythonpath = ["."]
        """,
    "calc/__init__.py": "",
    "calc/mathops.py": '''
        """Arithmetic helpers, partly tested."""
        import functools


        def add(a, b):
            return a + b


        def divide(a, b):
            if b == 0:
                raise ZeroDivisionError("b must not be zero")
            return a / b


        def clamp(value, low, high):
            if low > high:
                raise ValueError("low must not exceed high")
            if value < low:
                return low
            if value > high:
                return high
            return value


        @functools.lru_cache(maxsize=None)
        def fib(n):
            if n < 2:
                return n
            return fib(n - 1) + fib(n - 2)


        class Stats:
            def __init__(self, values):
                self.values = list(values)

            def mean(self):
                if not self.values:
                    return 0.0
                return sum(self.values) / len(self.values)

            def spread(self):
                low = min(self.values)
                high = max(self.values)
                return high - low
        ''',
    "calc/textops.py": '''
        """Text helpers, barely tested."""


        def shout(text):
            return text.upper() + "!"


        def words(text):
            parts = []
            for part in text.split():
                if part:
                    parts.append(part.strip(".,;"))
            return parts


        def truncate(text, width):
            if width < 1:
                raise ValueError("width must be positive")
            if len(text) <= width:
                return text
            return text[: width - 1] + "…"


        def initials(name):
            letters = [w[0] for w in name.split() if w]
            return "".join(letters).upper()
        ''',
    "tests/test_calc.py": """
        from calc import mathops, textops


        def test_add():
            assert mathops.add(2, 3) == 5


        def test_divide():
            assert mathops.divide(6, 3) == 2


        def test_clamp_inside():
            assert mathops.clamp(5, 0, 10) == 5


        def test_fib_base_case():
            assert mathops.fib(1) == 1


        def test_mean():
            assert mathops.Stats([1, 2, 3]).mean() == 2


        def test_shout():
            assert textops.shout("hi") == "HI!"
        """,
}


TRUNCATE_TEST = """from calc import textops


def test_truncate_keeps_short_text():
    assert textops.truncate("hi", 5) == "hi"


def test_truncate_with_a_keyword():
    assert textops.truncate("hello", width=3) == "he…"
"""


def nvim_bin():
    path = shutil.which("nvim")
    if path is None:
        pytest.fail(
            "nvim is not installed: install Neovim (Debian: `apt-get install -y neovim`); "
            "the Neovim end-to-end test needs it and does not skip"
        )
    return path


def make_project(root):
    """Writes the project and measures it; returns the parsed coverage.json."""
    for name, text in PROJECT.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    coverage_run(root)
    return json.loads((root / "coverage.json").read_text(encoding="utf-8"))


def assert_passes(root, test_file):
    """The tests in `test_file` pass in a fresh pytest run."""
    ran = run_pytest(root, "-p", "no:cacheprovider", str(test_file))
    assert ran.returncode == 0, ran.stdout + ran.stderr


def file_entry(report, rel):
    matches = [v for k, v in report["files"].items() if Path(k).as_posix().endswith(rel)]
    assert len(matches) == 1, f"{rel} is not (once) in coverage.json: {sorted(report['files'])}"
    return matches[0]


def def_lines(source):
    """Qualified name (as coverage.py names regions) -> (line, column) of the function's name."""
    return {name: (site.line, site.name_start) for name, site in def_sites(source).items()}


def lua_string(text):
    level = 0
    while f"]{'=' * level}]" in text:
        level += 1
    return f"[{'=' * level}[{text}]{'=' * level}]"


def message_lines(message):
    """The line numbers a diagnostic says never run: `lines 12–15, 20 never run`."""
    match = re.search(r"\blines? ([0-9, –-]+) never run", message)
    assert match, f"no uncovered lines in {message!r}"
    ranges = []
    for part in match.group(1).split(", "):
        bounds = [int(n) for n in re.split("[–-]", part)]
        ranges.append((bounds[0], bounds[-1]))
    return ranges


def kill_group(proc):
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=10)


def kill_pid(pid):
    try:
        os.kill(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def run_nvim(tmp_path, opened, generate_at, failing_file):
    """Runs driver.lua in headless Neovim; returns what it recorded."""
    home = tmp_path / "nvim-home"
    for sub in ("config", "data", "state", "cache"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    init = tmp_path / "init.lua"
    init.write_text(
        f"vim.opt.runtimepath:prepend({lua_string(str(PLUGIN))})\n"
        f"require('testgap').setup({{ cmd = {{ {lua_string(str(require_testgap()))}, 'lsp' }},"
        f" settings = {{ python = {lua_string(sys.executable)} }} }})\n"
        f"dofile({lua_string(str(DRIVER))})\n",
        encoding="utf-8",
    )
    out = tmp_path / "nvim-result.json"
    env = child_env()
    env.update(
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_DATA_HOME=str(home / "data"),
        XDG_STATE_HOME=str(home / "state"),
        XDG_CACHE_HOME=str(home / "cache"),
        TESTGAP_NVIM_FILE=str(opened),
        TESTGAP_NVIM_OUT=str(out),
        TESTGAP_NVIM_TIMEOUT_MS=str(STAGE_TIMEOUT_MS),
        TESTGAP_NVIM_GENERATE_AT=generate_at,
        TESTGAP_NVIM_FAILING_FILE=str(failing_file),
    )
    proc = subprocess.Popen(
        [nvim_bin(), "--headless", "--clean", "-i", "NONE", "-u", str(init)],
        cwd=opened.parent,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    started = time.monotonic()
    try:
        output, _ = proc.communicate(timeout=NVIM_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        kill_group(proc)
        output, _ = proc.communicate(timeout=10)
    finally:
        kill_group(proc)
    elapsed = time.monotonic() - started
    try:
        result = json.loads(out.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        result = {}
    if result.get("server_pid"):
        kill_pid(result["server_pid"])
    log = home / "cache" / "nvim" / "lsp.log"
    context = (
        f"nvim exited with {proc.returncode} after {elapsed:.1f} s at stage {result.get('stage')!r}\n"
        f"error: {result.get('error')}\nmessages: {result.get('messages')}\n"
        f"output: {output.decode(errors='replace')}\n"
        f"lsp.log: {log.read_text(errors='replace')[-4000:] if log.exists() else '(none)'}"
    )
    assert proc.returncode == 0 and result.get("stage") == "done", context
    return result


def test_neovim_shows_coverage_gaps(tmp_path):
    nvim_bin()
    root = tmp_path / "project"
    report = make_project(root)
    opened = root / "calc" / "mathops.py"
    source = opened.read_text(encoding="utf-8")
    source_lines = source.splitlines()
    defs = def_lines(source)
    functions = file_entry(report, "calc/mathops.py")["functions"]
    gaps = {name: f for name, f in functions.items() if name and f["missing_lines"]}
    assert gaps and len(gaps) < len(defs), "the fixture needs covered and uncovered functions"

    # After the coverage run, a refactor breaks a test: `truncate`'s keyword
    # `width` becomes `limit`.
    textops = root / "calc" / "textops.py"
    textops.write_text(textops.read_text(encoding="utf-8").replace("width", "limit"), encoding="utf-8")
    failing_file = root / "tests" / "test_truncate.py"
    failing_file.write_text(TRUNCATE_TEST, encoding="utf-8")
    initials_line = def_lines(textops.read_text(encoding="utf-8"))["initials"][0]
    # The user's own pytest run, with its cache: the test fails.
    last_run = run_pytest(root, str(failing_file))
    assert last_run.returncode == 1, last_run.stdout

    result = run_nvim(tmp_path, opened, f"{textops}:{initials_line}", failing_file)

    assert result["filetype"] == "python"
    assert Path(result["root_dir"]).resolve() == root.resolve()
    assert result["errmsg"] == "", result["messages"]

    def check(diagnostics, shift):
        assert [d["lnum"] + 1 for d in diagnostics] == sorted(
            defs[name][0] + shift for name in gaps
        ), [d["message"] for d in diagnostics]
        by_line = {d["lnum"] + 1: d for d in diagnostics}
        for name, f in gaps.items():
            line, column = defs[name]
            d = by_line[line + shift]
            assert (d["source"], d["code"], d["col"]) == ("testgap", "uncovered-function", column)
            short = name.rsplit(".", 1)[-1]
            assert f"`{short}`" in d["message"]
            assert f"{f['summary']['percent_covered_display']}% covered" in d["message"], d["message"]
            ranges = message_lines(d["message"])
            missing = [n + shift for n in f["missing_lines"]]
            assert all(any(a <= n <= b for a, b in ranges) for n in missing), (d["message"], missing)
            assert all(a in missing and b in missing for a, b in ranges), (d["message"], missing)

    check(result["diagnostics"], 0)
    check(result["diagnostics_after_edit"], INSERTED_LINES)
    assert [d["message"] for d in result["diagnostics"]] != [
        d["message"] for d in result["diagnostics_after_edit"]
    ]
    assert source_lines[result["diagnostics"][0]["lnum"]].lstrip().startswith("def ")

    files = {k: v for k, v in report["files"].items() if v["summary"]["num_statements"]}
    least = min(files, key=lambda k: files[k]["summary"]["percent_covered"])
    least_rel = Path(least).as_posix()
    least_summary = files[least]["summary"]
    assert least_summary["percent_covered"] < 50, "the least covered module must fall in the audit"
    buffer = result["audit"]["buffer"]
    rows = [line for line in buffer if least_rel in line]
    assert rows, "\n".join(buffer)
    assert f"{least_summary['percent_covered_display']}%" in rows[0], rows[0]
    least_source = (root / least_rel).read_text(encoding="utf-8")
    least_defs = def_lines(least_source)
    least_gaps = [n for n, f in files[least]["functions"].items() if n and f["missing_lines"]]
    quickfix = {
        (Path(item["filename"]).resolve(), item["lnum"]) for item in result["audit"]["quickfix"]
    }
    for name in least_gaps:
        assert ((root / least_rel).resolve(), least_defs[name][0]) in quickfix, (
            name,
            result["audit"]["quickfix"],
        )

    first = result["audit"]["quickfix"][0]
    assert result["audit"]["jump"]["filename"] == first["filename"]
    assert result["audit"]["jump"]["lnum"] == first["lnum"]

    plugin = result["plugin"]
    for key, value in plugin["setup_defaults"].items():
        assert plugin["lsp_config"][key] == value, key

    # The code action on the first gap, applied as accepting it would.
    generated = result["generated"]
    assert "error" not in generated, generated
    first_gap = min(gaps, key=lambda name: defs[name][0])
    assert generated["title"] == f"Generate tests for `{first_gap.rsplit('.', 1)[-1]}`"
    assert "def test_" in generated["text"] and "assert " in generated["text"], generated["text"]
    test_file = Path(generated["file"])
    assert test_file.read_text(encoding="utf-8").rstrip("\n") == generated["text"].rstrip("\n")
    assert_passes(root, test_file)

    # :TestgapGenerate in `initials`: tests written through Neovim's edit, and they pass.
    (generate,) = result["generate_messages"]
    assert generate["level"] == 2 and "tests/test_textops.py" in generate["message"], generate
    generated_file = root / "tests" / "test_textops.py"
    generated_text = generated_file.read_text(encoding="utf-8")
    assert "initials" in generated_text and "assert " in generated_text, generated_text
    assert_passes(root, generated_file)

    # The failure pytest's cache recorded, on the test's name, then
    # :TestgapRunTests! and :TestgapFix on the test the refactor broke.
    (cached,) = result["last_run"]
    keyword_test = def_lines(TRUNCATE_TEST)["test_truncate_with_a_keyword"]
    assert (cached["lnum"] + 1, cached["col"]) == keyword_test, cached
    assert "failed in pytest's last run" in cached["message"], cached
    (failing,) = result["failing"]
    call_line = TRUNCATE_TEST.splitlines().index('    assert textops.truncate("hello", width=3) == "he…"')
    assert failing["lnum"] == call_line and failing["severity"] == 1, failing
    assert "type_error" in failing["message"] and "width" in failing["message"], failing
    (fixed,) = result["fix_messages"]
    assert "fixed 1/1" in fixed["message"], fixed
    assert result["fixed_text"].rstrip("\n") == TRUNCATE_TEST.replace("width=3", "limit=3").rstrip("\n")
    assert failing_file.read_text(encoding="utf-8") == result["fixed_text"].rstrip("\n") + "\n"
    assert_passes(root, failing_file)
