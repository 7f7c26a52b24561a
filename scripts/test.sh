#!/usr/bin/env bash
# Installs everything the tests need on a fresh machine, then runs lint, the type check and the
# whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
fc-list 2>/dev/null | grep -qiE 'loma|garuda|tlwg' || missing+=(fonts-thai-tlwg)
# The progress report: WeasyPrint needs Pango; the tests read the PDF with poppler's pdftotext
# and pdffonts; DejaVu Sans draws the report's tick boxes (Laksaman has none).
dpkg -s libpango-1.0-0 libpangoft2-1.0-0 >/dev/null 2>&1 || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
# The executive brief's charts find the Laksaman font file with fontconfig's fc-match.
command -v fc-match >/dev/null 2>&1 || missing+=(fontconfig)
fc-list 2>/dev/null | grep -qi 'DejaVu Sans' || missing+=(fonts-dejavu-core)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# The store's tests need PostgreSQL at 127.0.0.1:5432 (started before every session and in CI);
# start the local cluster if it is installed but stopped. The tests fail loudly if it is absent.
if command -v pg_isready >/dev/null 2>&1 && ! pg_isready -q -h 127.0.0.1 -p 5432; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -r requirements-dev.txt
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
# Known vulnerabilities in the pinned runtime requirements (PyPI's advisory feed; needs PyPI).
.venv/bin/python scripts/audit_deps.py requirements.txt
.venv/bin/python -m pytest -n 2 -q "$@"
