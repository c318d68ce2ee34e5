#!/usr/bin/env bash
# Sets up a fresh Debian/Ubuntu/Raspberry Pi OS machine for the kiosk, then runs it or its tests.
#   ./bootstrap.sh run    install what is missing, start the kiosk (guest role, simulated peripherals)
#   ./bootstrap.sh test   install what is missing, run ruff and the whole test suite headless (Xvfb)
# Idempotent: a second run installs nothing and starts at once.
set -euo pipefail
cd "$(dirname "$0")"

# System packages: zbar for pyzbar, Xvfb for headless tests and the demo without a screen,
# GL/EGL and mtdev for Kivy's SDL2 window (and the X11 extensions SDL2 loads at run time: input,
# cursors, screen saver, screen modes), fonts for tickets (DejaVu) and for the generated KTP cards,
# tesseract for KTP OCR.
APT_PACKAGES=(
  python3 python3-venv python3-dev
  libzbar0 xvfb xauth
  libgl1 libegl1 libgles2 libgl1-mesa-dri libmtdev1 libglib2.0-0
  libxi6 libxcursor1 libxss1 libxrandr2 libxxf86vm1
  # Kivy's X11 cut buffer: without xclip (or xsel) every start logs a CRITICAL with a traceback
  xclip
  fonts-dejavu-core fonts-dejavu-extra
  tesseract-ocr tesseract-ocr-ind
  # fonts of the generated KTP cards (demo camera, tests, bench/ocr's evaluation splits)
  fonts-liberation fonts-liberation2 fonts-freefont-ttf fonts-ocr-a
  # more monospace NIK faces for the tune split only
  fonts-courier-prime fonts-noto-mono fonts-inconsolata
)
# python-evdev has no prebuilt wheel off x86_64 (Raspberry Pi): pip builds it from the lock's source.
[ "$(uname -m)" = x86_64 ] || APT_PACKAGES+=(gcc libc6-dev linux-libc-dev)
# Only the tests need these: systemd-analyze verifies the units in systemd/; the central tests run a
# throwaway PostgreSQL server (initdb + pg_ctl in a temp dir, never the system cluster); the web desk's
# end-to-end test drives Debian's chromium through its chromedriver (Selenium; no browser download).
TEST_APT_PACKAGES=(systemd postgresql chromium chromium-driver)

LOCK=requirements.lock  # every Python package with its hashes; refresh with tools/lock.sh

say() { printf '\033[1;32m[kiosk]\033[0m %s\n' "$*" >&2; }

missing_packages() {
  local pkg
  for pkg in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || printf '%s\n' "$pkg"
  done
}

install_system_packages() {
  local missing
  mapfile -t missing < <(missing_packages)
  [ "${#missing[@]}" -eq 0 ] && return 0
  say "installing system packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

pick_python() {
  local py
  for py in "${PYTHON:-}" python3.13 python3.12 python3.11 python3; do
    [ -n "$py" ] || continue
    if command -v "$py" >/dev/null 2>&1 && "$py" -c 'import sys, venv; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "$py"; return 0
    fi
  done
  echo "kiosk: Python 3.11 or newer with venv is required" >&2
  exit 2
}

setup_venv() {
  local py stamp want
  py=$(pick_python)
  if [ ! -x .venv/bin/python ]; then
    say "creating .venv with $py"
    "$py" -m venv .venv
  fi
  # Every Python package comes from the lock, checked against its hashes (tools/lock.sh makes it);
  # the kiosk itself is then installed editable, without touching those versions.
  stamp=.venv/.kiosk-installed
  want=$(cat pyproject.toml "$LOCK" | sha256sum | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    say "installing the kiosk and its Python packages ($LOCK) into .venv"
    .venv/bin/python -m pip install -q --disable-pip-version-check --require-hashes -r "$LOCK"
    .venv/bin/python -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
    echo "$want" > "$stamp"
  fi
}


main() {
  local what="${1:-}"
  case "$what" in
    run|test) ;;
    *) echo "usage: ./bootstrap.sh run | test" >&2; exit 2 ;;
  esac
  [ "$what" = test ] && APT_PACKAGES+=("${TEST_APT_PACKAGES[@]}")
  install_system_packages
  setup_venv
  shift || true
  if [ "$what" = run ]; then
    [ -f config/kiosk.toml ] && cfg=config/kiosk.toml || cfg=config/simulate.toml
    if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
      exec .venv/bin/kiosk run --simulate --config "$cfg" "$@"
    fi
    say "no display found: running on a virtual screen (Xvfb); use a desktop or the kiosk's touchscreen to see it"
    exec xvfb-run -a -s "-screen 0 1280x800x24" .venv/bin/kiosk run --simulate --config "$cfg" "$@"
  fi
  say "ruff"
  .venv/bin/ruff check .
  say "import contracts (layers, no cycles: .importlinter)"
  .venv/bin/lint-imports --no-cache
  say "tests (headless, Xvfb, one worker per core)"
  # Each pytest-xdist worker is its own process with its own Kivy window and home on the one Xvfb
  # display; a test file stays in one worker (its module fixtures are built once).
  local rc=0
  xvfb-run -a -s "-screen 0 1280x800x24" .venv/bin/python -m pytest -q -n auto --dist loadfile "$@" || rc=$?
  if [ "$rc" -eq 5 ] && [ "$#" -gt 0 ]; then
    say "no test matched: $*"  # a selection (-k ...) that matches nothing is not a failure; an empty suite is
    rc=0
  fi
  exit "$rc"
}

main "$@"
