# Installing what is missing. Sourced by ./assistant; every step is idempotent and quick when
# nothing changed (each install is stamped with a hash of what it installed from).
# Variables: RASA_PYTHON (a Python 3.10), APP_PYTHON (a Python 3.11), CHROMIUM (browser path).

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# find_python MINOR VARNAME: print a python3.MINOR interpreter, from $VARNAME, PATH or pyenv.
find_python() {
  local minor="$1" override="${!2:-}" candidate
  local candidates=()
  [ -n "$override" ] && candidates+=("$override")
  candidates+=("python3.$minor")
  if command -v pyenv >/dev/null 2>&1; then
    candidates+=("$(pyenv root)"/versions/3."$minor".*/bin/python)
  fi
  candidates+=("$HOME"/.pyenv/versions/3."$minor".*/bin/python /usr/bin/python3."$minor" /usr/local/bin/python3."$minor")
  for candidate in "${candidates[@]}"; do
    if "$candidate" -c "import sys, venv; sys.exit(sys.version_info[:2] != (3, $minor))" >/dev/null 2>&1; then
      command -v "$candidate" 2>/dev/null || echo "$candidate"
      return 0
    fi
  done
  return 1
}

# stamp_ok DIR HASH: true when DIR was last installed from HASH.
stamp_ok() { [ -f "$1/.installed-from" ] && [ "$(cat "$1/.installed-from")" = "$2" ]; }

file_hash() { cat "$@" | sha256sum | cut -c1-16; }

setup_rasa_venv() {
  local hash python
  hash=$(file_hash requirements/rasa.lock)
  stamp_ok .venv-rasa "$hash" && return 0
  if ! python=$(find_python 10 RASA_PYTHON); then
    cat >&2 <<MSG
Rasa 3.6 needs Python 3.10, and none was found (looked at \$RASA_PYTHON, python3.10 on PATH
and pyenv's versions folder). Install one, then run this command again:
  - with pyenv:        pyenv install 3.10
  - Debian or Ubuntu:  apt install python3.10 python3.10-venv   (where your release has it)
  - or point to it:    RASA_PYTHON=/path/to/python3.10 ./assistant run
MSG
    exit 1
  fi
  say "Installing Rasa into .venv-rasa with $python (first time: a few minutes)"
  rm -rf .venv-rasa
  "$python" -m venv .venv-rasa
  .venv-rasa/bin/pip install --quiet -r requirements/rasa.lock
  echo "$hash" > .venv-rasa/.installed-from
}

setup_app_venv() {
  local hash python
  hash=$(file_hash requirements/app.lock)
  stamp_ok .venv "$hash" && return 0
  if ! python=$(find_python 11 APP_PYTHON); then
    echo "The assistant needs Python 3.11 (set APP_PYTHON=/path/to/python3.11, or: pyenv install 3.11)." >&2
    exit 1
  fi
  say "Installing the assistant's Python packages into .venv with $python"
  [ -x .venv/bin/python ] || "$python" -m venv .venv
  .venv/bin/pip install --quiet --upgrade pip
  .venv/bin/pip install --quiet -r requirements/app.lock
  echo "$hash" > .venv/.installed-from
}

setup_runtime() {
  setup_app_venv
  setup_rasa_venv
  say "Checking the Rasa model and the guidance index"
  .venv/bin/python -m stack prepare
}

setup_test_tools() {
  local hash
  if [ -f package-lock.json ]; then
    hash=$(file_hash package-lock.json)
    if ! stamp_ok node_modules "$hash"; then
      command -v npm >/dev/null 2>&1 || { echo "The browser tests need Node.js and npm (apt install nodejs npm)." >&2; exit 1; }
      say "Installing the test tools from npm"
      npm ci --silent --no-audit --no-fund
      echo "$hash" > node_modules/.installed-from
    fi
  fi
  if [ -z "${CHROMIUM:-}" ] && ! command -v chromium >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      say "Installing Debian's Chromium for the browser tests"
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    else
      echo "The browser tests need Chromium: sudo apt install chromium (or set CHROMIUM=/path/to/chrome)." >&2
      exit 1
    fi
  fi
  # The multi-instance test runs gateways behind Debian's nginx (deploy/, issue 12).
  if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      say "Installing Debian's nginx for the multi-instance test"
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null
    else
      echo "The multi-instance test needs nginx: sudo apt install nginx." >&2
      exit 1
    fi
  fi
}
