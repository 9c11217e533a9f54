#!/usr/bin/env bash
# Serve the platform for development: Daphne plus a django-tasks worker, both stopped
# together when either exits or when the run is interrupted (Ctrl-C, SIGTERM).
#
# Usage (normally via `make run`): scripts/run.sh [host] [port]
set -euo pipefail

cd "$(dirname "$0")/.."
HOST=${1:-${HOST:-127.0.0.1}}
PORT=${2:-${PORT:-8000}}
VENV=${VENV:-.venv}
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-config.settings.dev}
export PYTHONUNBUFFERED=1

pids=()
stop_all() {
    trap '' INT TERM  # a second Ctrl-C or SIGTERM must not cut the clean-up short
    # Background jobs of a non-interactive shell ignore SIGINT, so they are stopped explicitly.
    local pid
    for pid in "${pids[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for _ in $(seq 1 50); do  # db_worker finishes the task in hand; allow it 5 s
        local alive=0
        for pid in "${pids[@]}"; do
            kill -0 "$pid" 2>/dev/null && alive=1
        done
        [[ $alive -eq 0 ]] && break
        sleep 0.1
    done
    for pid in "${pids[@]}"; do
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
}
on_signal() {
    trap '' INT TERM
    echo "run: stopping"
    exit "$1"
}
trap stop_all EXIT
trap 'on_signal 130' INT
trap 'on_signal 143' TERM

"$VENV/bin/python" manage.py db_worker &
pids+=($!)
echo "run: task worker started (pid $!)"

"$VENV/bin/daphne" -b "$HOST" -p "$PORT" config.asgi:application &
pids+=($!)
echo "run: daphne started (pid $!) on http://$HOST:$PORT/ — Ctrl-C stops both"

# Wake when either ends: a dead worker should not go unnoticed behind a live server.
set +e
wait -n "${pids[@]}"
status=$?
set -e
echo "run: a process exited with status $status; stopping the other" >&2
exit "$status"
