#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite. Starts a virtual X display
# (Xvfb) for the window tests when there is none, as on CI.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
stridescope_install_packages
stridescope_build Release
cd "$STRIDESCOPE_BUILD"
ctest_cmd=(ctest --output-on-failure --timeout 600 "$@")
if [ -z "${DISPLAY:-}" ]; then
  echo "stridescope: no display; running the tests under xvfb-run"
  exec xvfb-run -a -s "-screen 0 1920x1080x24" "${ctest_cmd[@]}"
fi
exec "${ctest_cmd[@]}"
