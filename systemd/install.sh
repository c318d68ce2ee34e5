#!/usr/bin/env bash
# Installs the kiosk system-wide for the service user `kiosk` (see README, "Deploy on a kiosk"):
#   /opt/kiosk/venv (the program), /opt/kiosk/assets, /etc/kiosk/kiosk.toml + kiosk.env (kept if present),
#   /var/lib/kiosk (data, keys), /var/log/kiosk (logs), units in /etc/systemd/system, udev rules, enabled units.
# Usage: sudo systemd/install.sh [--role guest|security|survey] [--pi] [--now] [--root DIR] [--python PY] [--no-deps]
#   --role    the role started at boot (kiosk@ROLE.service; default guest)
#   --pi      Raspberry Pi: add consoleblank=0 to the kernel command line (cmdline.txt)
#   --now     start the units at once (not with --root)
#   --root    install into DIR instead of / (DESTDIR-style; used by the tests and for image building)
#   --python  interpreter for the venv (default: python3; 3.11 or newer)
#   --no-deps install only the kiosk package, not its dependencies (offline tests; the venv then lacks Kivy)
# Idempotent: a second run upgrades the program and units and keeps the config, data and keys.
set -euo pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)
ROOT="" ROLE=guest PI=0 NOW=0 PY=python3 NODEPS=0
while [ $# -gt 0 ]; do
  case "$1" in
    --role) ROLE=$2; shift 2 ;;
    --pi) PI=1; shift ;;
    --now) NOW=1; shift ;;
    --root) ROOT=$(mkdir -p "$2" && cd "$2" && pwd); shift 2 ;;
    --python) PY=$2; shift 2 ;;
    --no-deps) NODEPS=1; shift ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
case "$ROLE" in guest|security|survey) ;; *) echo "install.sh: --role must be guest, security or survey" >&2; exit 2 ;; esac
if [ -z "$ROOT" ] && [ "$(id -u)" -ne 0 ]; then echo "install.sh: run as root (sudo), or use --root DIR" >&2; exit 2; fi
if [ -n "$ROOT" ] && [ "$NOW" -eq 1 ]; then echo "install.sh: --now cannot be used with --root" >&2; exit 2; fi
"$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "install.sh: $PY is older than 3.11" >&2; exit 2; }

say() { printf '[kiosk install] %s\n' "$*" >&2; }
OPT="$ROOT/opt/kiosk" ETC="$ROOT/etc/kiosk" LIB="$ROOT/var/lib/kiosk" LOG="$ROOT/var/log/kiosk"
UNITS="$ROOT/etc/systemd/system"

say "service user and groups (systemd-sysusers)"
install -d "$ROOT/etc" "$ROOT/usr/lib/sysusers.d"
install -m 0644 "$SRC/systemd/kiosk.sysusers" "$ROOT/usr/lib/sysusers.d/kiosk.conf"
if [ -n "$ROOT" ]; then
  systemd-sysusers --root="$ROOT" "$ROOT/usr/lib/sysusers.d/kiosk.conf" >/dev/null
else
  systemd-sysusers /usr/lib/sysusers.d/kiosk.conf >/dev/null
fi
KUID=$(awk -F: '$1=="kiosk"{print $3}' "$ROOT/etc/passwd")
KGID=$(awk -F: '$1=="kiosk"{print $3}' "$ROOT/etc/group")

say "program: $OPT/venv"
install -d -m 0755 "$OPT"
[ -x "$OPT/venv/bin/python" ] || "$PY" -m venv "$OPT/venv"
# Build from a copy so the checkout stays clean (no build/ or *.egg-info left behind).
BUILD=$(mktemp -d)
trap 'rm -rf "$BUILD"' EXIT
tar -C "$SRC" --exclude=.git --exclude=.venv --exclude=var --exclude=test-artifacts --exclude='*.egg-info' \
    --exclude=build --exclude=__pycache__ -cf - pyproject.toml README.md kiosk | tar -C "$BUILD" -xf -
if [ "$NODEPS" -eq 1 ]; then
  "$OPT/venv/bin/python" -m pip install -q --no-deps "$BUILD"
else
  # The locked versions, checked against their hashes; then the kiosk itself without touching them.
  "$OPT/venv/bin/python" -m pip install -q --require-hashes -r "$SRC/requirements-kiosk.lock"
  "$OPT/venv/bin/python" -m pip install -q --no-deps --no-build-isolation --force-reinstall "$BUILD"
fi
rm -rf "$OPT/assets"
cp -a "$SRC/assets" "$OPT/assets"
install -m 0644 "$SRC/README.md" "$OPT/README.md"
install -m 0644 "$SRC/config/kiosk.example.toml" "$OPT/kiosk.example.toml"

say "config: $ETC (an existing kiosk.toml is kept)"
install -d -m 0750 -o 0 -g "$KGID" "$ETC"
if [ ! -f "$ETC/kiosk.toml" ]; then
  # The example with the installed paths: data and keys under /var/lib/kiosk, logs in /var/log/kiosk.
  sed -e 's|^data_dir = .*|data_dir = "/var/lib/kiosk/data"             # SQLite database and photos|' \
      -e 's|^key_file = .*|key_file = "/var/lib/kiosk/keys/data.key"    # AES key for NIK and address at rest (0600)|' \
      -e 's|^signing_key_file = .*|signing_key_file = "/var/lib/kiosk/keys/pass_signing.key"  # Ed25519 key that signs gate passes|' \
      -e 's|^verify_keys_dir = .*|verify_keys_dir = "/var/lib/kiosk/keys/verify"  # public keys accepted at the gate|' \
      -e 's|^file = "".*|file = "/var/log/kiosk/kiosk.jsonl"          # JSON-lines log with rotation|' \
      -e 's|^fullscreen = false.*|fullscreen = true                         # fullscreen, no cursor|' \
      -e "s|^role = \"guest\".*|role = \"$ROLE\"                            # guest \| security \| survey|" \
      "$SRC/config/kiosk.example.toml" > "$ETC/kiosk.toml"
  chown 0:"$KGID" "$ETC/kiosk.toml"
  chmod 0640 "$ETC/kiosk.toml"
fi
if [ ! -f "$ETC/kiosk.env" ]; then
  install -m 0644 "$SRC/systemd/kiosk.env" "$ETC/kiosk.env"
fi

say "data: $LIB, logs: $LOG"
install -d -m 0750 -o "$KUID" -g "$KGID" "$LIB" "$LIB/data" "$LIB/kivy" "$LOG"
install -d -m 0700 -o "$KUID" -g "$KGID" "$LIB/keys"
# The services see the keys folder read-only: the data key (NIK and personal fields at rest) is made here, once.
if [ ! -e "$LIB/keys/data.key" ]; then
  ( umask 077; head -c 32 /dev/urandom > "$LIB/keys/data.key" )
  chown "$KUID:$KGID" "$LIB/keys/data.key"
  chmod 0600 "$LIB/keys/data.key"
fi

say "systemd units and udev rules"
install -d "$UNITS" "$ROOT/etc/udev/rules.d"
for unit in "kiosk@.service" kiosk-sync.service kiosk-purge.service kiosk-purge.timer; do
  install -m 0644 "$SRC/systemd/$unit" "$UNITS/$unit"
done
install -m 0644 "$SRC/systemd/70-kiosk.rules" "$ROOT/etc/udev/rules.d/70-kiosk.rules"

if [ "$PI" -eq 1 ]; then
  for cmdline in "$ROOT/boot/firmware/cmdline.txt" "$ROOT/boot/cmdline.txt"; do
    if [ -f "$cmdline" ]; then
      grep -q 'consoleblank=0' "$cmdline" || sed -i '1 s/$/ consoleblank=0/' "$cmdline"
      say "Raspberry Pi: consoleblank=0 in $cmdline (takes effect after a reboot)"
      break
    fi
  done
fi

ENABLE=("kiosk@$ROLE.service" kiosk-sync.service kiosk-purge.timer)
if [ -n "$ROOT" ]; then
  systemctl --root="$ROOT" enable "${ENABLE[@]}" 2>/dev/null
else
  systemctl daemon-reload
  udevadm control --reload && udevadm trigger --subsystem-match=usb --subsystem-match=tty --subsystem-match=input || true
  systemctl enable ${NOW:+$( [ "$NOW" -eq 1 ] && echo --now )} "${ENABLE[@]}"
fi
say "done: ${ENABLE[*]} enabled; edit $ETC/kiosk.toml, then: kiosk config check --config /etc/kiosk/kiosk.toml"
