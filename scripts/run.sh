#!/usr/bin/env bash
# Installs what is missing, builds Release, and opens stridescope (a built-in sample unless told
# otherwise). Extra arguments go to the app: ./scripts/run.sh photo.jpg --stride 2
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
stridescope_install_packages
stridescope_build Release
exec "$STRIDESCOPE_BUILD/app/stridescope" "$@"
