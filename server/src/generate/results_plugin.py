"""testgap's pytest plugin: writes every test's outcome as JSON to the file
named by $TESTGAP_RESULTS when the session ends. Loaded with
`-p _testgap_results`; it changes nothing about how tests run."""

import json
import os

_tests = {}
_errors = []


def _message(report):
    crash = getattr(report.longrepr, "reprcrash", None)
    if crash is not None:
        return str(crash.message)[:500]
    return str(report.longrepr)[-500:]


def pytest_runtest_logreport(report):
    name = report.nodeid.split("::")[-1]
    entry = _tests.setdefault(name, {"outcome": "passed", "message": ""})
    if report.failed:
        entry["outcome"] = "failed"
        if not entry["message"]:
            entry["message"] = _message(report)
    elif report.skipped and entry["outcome"] == "passed":
        entry["outcome"] = "skipped"
        entry["message"] = _message(report)


def pytest_collectreport(report):
    if report.failed:
        _errors.append(str(report.longrepr)[-2000:])


def pytest_sessionfinish(session, exitstatus):
    path = os.environ.get("TESTGAP_RESULTS")
    if not path:
        return
    with open(path, "w", encoding="utf-8") as out:
        json.dump({"tests": _tests, "errors": _errors, "exitstatus": int(exitstatus)}, out)
