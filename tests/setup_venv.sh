#!/usr/bin/env bash
# Creates (or reuses) the pinned test venv .venv-test/ at the repository root
# and prints its path. Installs every tests/requirements*.txt; reinstalls only
# when one of them changed: the venv keeps a stamp holding the hash of the
# requirements it was built from.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv="$repo/.venv-test"
requirements=("$repo"/tests/requirements*.txt)
stamp="$venv/.requirements.sha256"
python=${PYTHON:-python3}

export PIP_DISABLE_PIP_VERSION_CHECK=1
export PIP_NO_INPUT=1

want=$(cat "${requirements[@]}" | sha256sum | cut -d' ' -f1)
if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    echo "$venv"
    exit 0
fi

# A venv left half-built by an interrupted run, or built from other
# requirements, is rebuilt from scratch rather than patched.
rm -rf "$venv"
if ! "$python" -m venv "$venv" >&2; then
    echo "setup_venv.sh: '$python -m venv' failed; on Debian install python3-venv" >&2
    exit 1
fi
install_args=()
for file in "${requirements[@]}"; do
    install_args+=(--requirement "$file")
done
"$venv/bin/python" -m pip install --quiet "${install_args[@]}" >&2
echo "$want" >"$stamp"
echo "$venv"
