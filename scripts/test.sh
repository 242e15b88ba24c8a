#!/usr/bin/env bash
# Runs every test: lint, the Python suite (unit, integration through real Redis/Rasa/FAISS,
# real-browser tests), and the Rasa data checks. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "==> ruff"
.venv/bin/ruff check .
echo "==> mypy"
.venv/bin/mypy
echo "==> pytest"
exec .venv/bin/pytest "$@"
