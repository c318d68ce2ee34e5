#!/usr/bin/env bash
# Regenerates the lock files from pyproject.toml: run it after changing any dependency or extra there
# (tests/test_lock.py fails until you do).
#   requirements.lock        every dependency, every extra in pyproject.toml, the build backend:
#                            what ./bootstrap.sh installs (pip --require-hashes)
#   requirements-kiosk.lock  the same versions without the extras: what systemd/install.sh installs
# Both are universal (one file for Python 3.11-3.13, x86_64 and aarch64/Raspberry Pi) with the hashes of
# every file; the script then checks that each pinned release has a wheel for each of those six targets
# (except the packages in BUILT_FROM_SOURCE, which bootstrap.sh builds with the compiler it installs).
# uv comes from a throwaway venv (set UV=/path/to/uv to use another one).
set -euo pipefail
cd "$(dirname "$0")/.."
UV_VERSION=0.13.9
PYTHONS=(3.11 3.12 3.13)
PLATFORMS=(x86_64-manylinux_2_35 aarch64-manylinux_2_35)  # glibc of Ubuntu 22.04; Debian 12 / Pi OS have 2.36
BUILT_FROM_SOURCE=(evdev)  # python-evdev has no aarch64 wheel (evdev-binary is x86_64 only)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
uv=${UV:-}
if [ -z "$uv" ]; then
  python3 -m venv "$work/uv"
  "$work/uv/bin/python" -m pip install -q --disable-pip-version-check "uv==$UV_VERSION"
  uv="$work/uv/bin/uv"
fi

python3 tools/lock_digest.py build-requires > "$work/build-requires.in"
digest=$(python3 tools/lock_digest.py digest)
compile() {  # output file, then extra options
  local out=$1; shift
  "$uv" pip compile --quiet --universal --python-version 3.11 --generate-hashes \
    --index-url https://pypi.org/simple --custom-compile-command tools/lock.sh \
    pyproject.toml "$work/build-requires.in" -o "$work/$out" "$@"
  { echo "# pyproject-dependencies-sha256: $digest"
    echo "# Made by tools/lock.sh from pyproject.toml; never edit by hand."
    sed "s|$work/||g" "$work/$out"; } > "$work/$out.final"
}
compile requirements.lock --all-extras
compile requirements-kiosk.lock --constraint "$work/requirements.lock"

wheels_only=()
for name in $(grep -oE '^[A-Za-z0-9._-]+==' "$work/requirements.lock.final" | tr -d '='); do
  [[ " ${BUILT_FROM_SOURCE[*]} " == *" $name "* ]] || wheels_only+=(--only-binary "$name")
done
for py in "${PYTHONS[@]}"; do
  for platform in "${PLATFORMS[@]}"; do
    "$uv" pip compile --quiet --no-header "${wheels_only[@]}" --index-url https://pypi.org/simple \
      --python-version "$py" --python-platform "$platform" "$work/requirements.lock.final" -o /dev/null \
      || { echo "lock.sh: a pinned release has no wheel for Python $py on $platform (see above)" >&2; exit 1; }
  done
done

mv "$work/requirements.lock.final" requirements.lock
mv "$work/requirements-kiosk.lock.final" requirements-kiosk.lock
echo "lock.sh: requirements.lock and requirements-kiosk.lock written ($(grep -c '==' requirements.lock) packages)" >&2
