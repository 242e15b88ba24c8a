#!/usr/bin/env bash
# Runs every test: ruff, mypy and the pytest suite (unit tests; tests through a real Redis, FAISS
# index, Rasa and action server; real-browser tests). Extra arguments go to pytest.
# Every step runs even when an earlier one fails; the exit code says whether all passed.
set -uo pipefail
cd "$(dirname "$0")/.."
failed=()
echo "==> ruff"
.venv/bin/ruff check . || failed+=(ruff)
echo "==> mypy"
.venv/bin/mypy || failed+=(mypy)
echo "==> pytest"
.venv/bin/pytest "$@" || failed+=(pytest)
if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED: ${failed[*]}" >&2
  exit 1
fi
