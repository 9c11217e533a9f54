#!/usr/bin/env bash
# Pin requirements*.txt for the oldest interpreter we support (Debian 12's Python 3.11.2), so that
# a pin never needs a newer patch release than a fresh machine has. Usage: scripts/compile-requirements.sh [--upgrade]
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${COMPILE_PYTHON:-/usr/bin/python3}
VENV=${COMPILE_VENV:-/tmp/skills-compile-venv}
[ -x "$VENV/bin/pip-compile" ] || { "$PY" -m venv "$VENV" && "$VENV/bin/pip" install --quiet pip-tools; }
for name in requirements requirements-dev; do
  CUSTOM_COMPILE_COMMAND="scripts/compile-requirements.sh" "$VENV/bin/pip-compile" --quiet --strip-extras \
    --no-emit-index-url --no-emit-find-links "$@" -o "$name.txt" "$name.in"
done
