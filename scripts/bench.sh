#!/usr/bin/env bash
# Installs what is missing (including the optional OpenCV peer), builds Release, and runs the full
# benchmark. Extra arguments go to `stridescope bench`: ./scripts/bench.sh --engine cpu --json
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
stridescope_install_packages
stridescope_install_packages "$STRIDESCOPE_ROOT/scripts/debian-packages-bench.txt"
# setup.sh configures every time, so a build folder made before OpenCV was installed finds it now.
stridescope_build Release
exec "$STRIDESCOPE_BUILD/app/stridescope" bench "$@"
