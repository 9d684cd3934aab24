#!/usr/bin/env bash
# Shared set-up for run.sh and test.sh: install missing Debian packages, then configure and build.
# Sourced, not executed. A second run skips whatever is already done (dpkg check, CMake's own
# incremental build).
set -euo pipefail

STRIDESCOPE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STRIDESCOPE_BUILD="${STRIDESCOPE_BUILD:-$STRIDESCOPE_ROOT/build}"
# GCC's OpenMP spins idle threads by default. On a 2-core machine shared with the UI thread and
# the GL driver that spinning steals the cores: passive waiting keeps frames and timings steady.
# libgomp reads it once at load time, so it has to be set before stridescope starts.
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-passive}"

# Both take an optional package-list file (default scripts/debian-packages.txt), so optional sets
# such as scripts/debian-packages-bench.txt install the same way.
stridescope_missing_packages() {
  local list="${1:-$STRIDESCOPE_ROOT/scripts/debian-packages.txt}" pkg
  grep -Ev '^\s*(#|$)' "$list" | while read -r pkg; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || echo "$pkg"
  done
}

stridescope_install_packages() {
  local missing
  missing="$(stridescope_missing_packages "${1:-}" | tr '\n' ' ')"
  [ -z "${missing// /}" ] && return 0
  echo "stridescope: installing missing Debian packages: $missing"
  local sudo_cmd=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "stridescope: need root or sudo to install: $missing" >&2; exit 1; }
    sudo_cmd=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  # Refresh the index only when an install fails on a stale one, so a warm machine stays offline.
  # shellcheck disable=SC2086
  "${sudo_cmd[@]}" apt-get install -y --no-install-recommends $missing \
    || { "${sudo_cmd[@]}" apt-get update && "${sudo_cmd[@]}" apt-get install -y --no-install-recommends $missing; }
}

stridescope_build() {
  local build_type="${1:-Release}"
  # Configuring every time is cheap when nothing changed, recovers a build folder whose first
  # configure failed, and keeps the build type what the command promises.
  cmake -S "$STRIDESCOPE_ROOT" -B "$STRIDESCOPE_BUILD" -DCMAKE_BUILD_TYPE="$build_type" >/dev/null
  cmake --build "$STRIDESCOPE_BUILD" --parallel "$(nproc)"
}
