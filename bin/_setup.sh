# Shared by bin/start and bin/test: a virtual environment with the project installed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

find_python() {
  for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  echo "Python 3.11 or newer is needed (apt-get install python3 python3-venv)." >&2
  return 1
}

ensure_venv() {
  local extras="$1"  # "" or "[test]"
  local stamp=".venv/.installed${extras//[\[\]]/-}"
  if [ ! -x .venv/bin/python ]; then
    echo "==> Creating a virtual environment in .venv"
    "$(find_python)" -m venv .venv
  fi
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    echo "==> Installing the brokerage and its dependencies${extras:+ (with test tools)}"
    .venv/bin/python -m pip install -qq --upgrade pip
    .venv/bin/python -m pip install -qq -e ".${extras}"
    touch "$stamp"
  fi
}

ensure_pango() {
  # Certificates are drawn by WeasyPrint, which needs Pango (and its fonts) from the system.
  if ldconfig -p 2>/dev/null | grep -q "libpangoft2-1.0.so.0"; then return 0; fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "Please install Pango (libpango-1.0-0, libpangoft2-1.0-0) for the certificates." >&2; return 0
  fi
  echo "==> Installing Pango (for the PDF certificates)"
  local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core >/dev/null
}
