#!/usr/bin/env bash
# CI for the VS Code extension, from a clean clone: install, lint, type-check,
# build, test (unit + end to end against the real server), package the .vsix.
# The end-to-end test needs the server and a Python with pytest and coverage.py:
# $TESTGAP_BIN and $TESTGAP_PYTHON when set, else they are built / made here.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
repo=$(cd ../.. && pwd)

if [[ -z "${TESTGAP_BIN:-}" ]]; then
    echo "== cargo build (the server, for the end-to-end test)"
    (cd "$repo" && cargo build --quiet --bins)
    export TESTGAP_BIN="$repo/target/debug/testgap"
fi
if [[ -z "${TESTGAP_PYTHON:-}" ]]; then
    echo "== test venv (pytest and coverage.py, for the end-to-end test)"
    venv=$("$repo/tests/setup_venv.sh")
    export TESTGAP_PYTHON="$venv/bin/python"
fi

export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
steps=(
    "npm ci"
    "npm run lint"
    "npm run typecheck"
    "npm run build"
    "npm test"
    "npm run package"
)
for step in "${steps[@]}"; do
    echo "== $step"
    $step
done
echo "== built $(pwd)/testgap.vsix"
