#!/usr/bin/env bash
# Set up everything poa-forge needs, idempotently: system fonts and tools, the virtual
# environment with pinned dependencies, and the poaforge package itself.
#   tools/setup.sh          what `make demo` needs
#   tools/setup.sh --test   also what the test suite needs (qpdf, poppler-utils; the SLURM plugin in .tools/slurm)
#   tools/setup.sh --slurm  also the SLURM executor plugin (requirements-slurm.lock), to run on a cluster;
#                           remembered (.venv/.poa-slurm) until tools/setup.sh --no-slurm
#   POA_OFFICE=1 tools/setup.sh   also LibreOffice (headless, ~150 MB), which converts .docx/.doc/.odt/.rtf
#                                 exhibits (and invoice workbooks) to PDF in their own layout
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
want_slurm=${POA_SLURM:-}
for arg in "$@"; do
  case "$arg" in
    --test) want_test=1 ;;
    --slurm) want_slurm=1 ;;
    --no-slurm) want_slurm=0 ;;
    *) printf 'setup: unknown option %s (use --test, --slurm or --no-slurm)\n' "$arg" >&2; exit 2 ;;
  esac
done

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
# the SLURM plugin stays once asked for (a later `make test` keeps it), until --no-slurm
if [ -z "$want_slurm" ]; then
  if [ -e .venv/.poa-slurm ]; then want_slurm=1; else want_slurm=0; fi
fi
if [ "$want_slurm" = 1 ]; then touch .venv/.poa-slurm; else rm -f .venv/.poa-slurm; fi
locks=(requirements.lock)
[ "$want_slurm" = 1 ] && locks+=(requirements-slurm.lock)
stamp=".venv/.poa-ready-$(cat "${locks[@]}" pyproject.toml | sha256sum | cut -c1-16)"
if [ ! -e "$stamp" ]; then
  say "installing pinned dependencies (${locks[*]})"
  for lock in "${locks[@]}"; do
    .venv/bin/python -m pip install -q --disable-pip-version-check -r "$lock"
  done
  .venv/bin/python -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
  # Snakemake imports every installed executor plugin at each start, and pandas whenever it is
  # installed and a job has parameters; the SLURM plugin brings pandas (~0.7 s a start): a venv
  # that does not run on SLURM goes without them (an older set-up installed them)
  if [ "$want_slurm" != 1 ] && .venv/bin/python -m pip show -q pandas >/dev/null 2>&1; then
    say "removing the SLURM executor plugin and pandas (tools/setup.sh --slurm installs them)"
    .venv/bin/python -m pip uninstall -q -y snakemake-executor-plugin-slurm snakemake-executor-plugin-slurm-jobstep \
      pandas numpy
  fi
  rm -f .venv/.poa-ready-*
  touch "$stamp"
fi

# --- the SLURM plugin for the tests (--test) -----------------------------------------
# The same pinned packages `--slurm` installs into .venv, in a folder of their own that only the
# cluster tests put on PYTHONPATH (tests/test_cluster.py), so every other snakemake start stays
# without pandas, as a user's does.
if [ "$want_test" = 1 ]; then
  slurm_stamp=".tools/slurm/.ready-$(sha256sum requirements-slurm.lock | cut -c1-16)"
  if [ ! -e "$slurm_stamp" ]; then
    say "installing the SLURM executor plugin for the tests into .tools/slurm"
    rm -rf .tools/slurm
    .venv/bin/python -m pip install -q --disable-pip-version-check --no-deps --target .tools/slurm -r requirements-slurm.lock
    touch "$slurm_stamp"
  fi
fi

# --- the YAML language server (tests of the case schema as editors read it) -----------
# `--test` only: installs the version in tools/editor/package-lock.json into .tools/ with
# npm (the server VS Code's YAML extension and Neovim's yamlls run). Without node/npm the
# tests that need it are skipped and say why.
if [ "$want_test" = 1 ]; then
  yls=.tools/node_modules/yaml-language-server/package.json
  if command -v npm >/dev/null && command -v node >/dev/null; then
    if ! cmp -s tools/editor/package-lock.json .tools/package-lock.json || [ ! -e "$yls" ]; then
      say "installing the YAML language server into .tools/ (npm ci)"
      mkdir -p .tools
      cp tools/editor/package.json tools/editor/package-lock.json .tools/
      (cd .tools && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || say "npm ci failed: the YAML language server tests will be skipped"
    fi
  else
    say "node/npm not found: the YAML language server tests will be skipped (Debian/Ubuntu: sudo apt-get install nodejs npm)"
  fi
fi
