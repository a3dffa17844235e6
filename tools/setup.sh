#!/usr/bin/env bash
# Set up everything poa-forge needs, idempotently: system fonts and tools, the virtual
# environment with pinned dependencies, and the poaforge package itself.
#   tools/setup.sh          what `make demo` needs
#   tools/setup.sh --test   also what the test suite needs (qpdf, poppler-utils)
#   POA_OFFICE=1 tools/setup.sh   also LibreOffice (headless, ~150 MB), which converts .docx/.doc/.odt/.rtf
#                                 exhibits (and invoice workbooks) to PDF in their own layout
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

say() { printf 'setup: %s\n' "$*" >&2; }

# --- system packages -------------------------------------------------------------
missing=()
have_cjk() {
  [ -e /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] && return 0
  ls fonts/ 2>/dev/null | grep -qi 'cjk' && return 0
  fc-list :lang=zh 2>/dev/null | grep -qi 'noto.*cjk'
}
have_cjk || missing+=(fonts-noto-cjk)
# colour emoji in case text (store names, quoted notices) render instead of failing the build
[ -e /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ] || ls fonts/ 2>/dev/null | grep -qi 'emoji' || missing+=(fonts-noto-color-emoji)
# OCR language data (English, Simplified Chinese, orientation) for reading scanned exhibits; the
# engine itself comes with the tesserocr wheel. Found in any of these folders (POA_TESSDATA overrides).
have_tessdata() {
  for d in "${POA_TESSDATA:-}" /usr/share/tesseract-ocr/5/tessdata /usr/share/tesseract-ocr/4.00/tessdata \
           /usr/share/tessdata /usr/local/share/tessdata /opt/homebrew/share/tessdata; do
    [ -n "$d" ] && [ -e "$d/$1.traineddata" ] && return 0
  done
  return 1
}
have_tessdata eng || missing+=(tesseract-ocr tesseract-ocr-eng)
have_tessdata chi_sim || missing+=(tesseract-ocr-chi-sim)
fc-list 2>/dev/null | grep -qi 'DejaVuSans' || [ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
if [ "$want_test" = 1 ]; then
  command -v qpdf >/dev/null || missing+=(qpdf)
  command -v pdftotext >/dev/null || missing+=(poppler-utils)
  # headless browser for the status-page test (tests/test_status.py); installed only as root
  if ! command -v chromium >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      missing+=(chromium)
    else
      say "chromium not found: the status-page browser test will be skipped (Debian/Ubuntu: sudo apt-get install chromium)"
    fi
  fi
fi
if ! command -v soffice >/dev/null && ! command -v libreoffice >/dev/null; then
  if [ "${POA_OFFICE:-0}" = 1 ]; then
    missing+=(libreoffice-writer-nogui libreoffice-calc-nogui)
  else
    say "LibreOffice not found: Word/OpenDocument exhibits need it (POA_OFFICE=1 tools/setup.sh installs it on Debian/Ubuntu;"
    say "  macOS: brew install --cask libreoffice) — or export such files as PDF yourself"
  fi
fi
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing ${missing[*]} (apt-get)"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    say "missing system packages: ${missing[*]}"
    say "  Debian/Ubuntu: sudo apt-get install ${missing[*]}"
    say "  Fedora: sudo dnf install google-noto-sans-cjk-fonts dejavu-sans-fonts qpdf poppler-utils tesseract-langpack-eng tesseract-langpack-chi_sim (LibreOffice: libreoffice-writer libreoffice-calc)"
    say "  macOS: brew install --cask font-noto-sans-cjk; brew install qpdf poppler tesseract-lang"
    say "  or put Noto Sans/Serif CJK font files in ./fonts/ (searched too)"
    exit 1
  fi
fi

# --- Python environment ------------------------------------------------------------
PY=${PYTHON:-python3}
"$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { say "Python 3.11 or newer is needed (found $("$PY" --version 2>&1))"; exit 1; }
[ -x .venv/bin/python ] || { say "creating .venv"; "$PY" -m venv .venv; }
stamp=".venv/.poa-ready-$(cat requirements.lock pyproject.toml | sha256sum | cut -c1-16)"
if [ ! -e "$stamp" ]; then
  say "installing pinned dependencies (requirements.lock)"
  .venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.lock
  .venv/bin/python -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
  rm -f .venv/.poa-ready-*
  touch "$stamp"
fi
