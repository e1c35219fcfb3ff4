#!/usr/bin/env bash
# The composite action's first step (action.yml): make `sctrace` available
# to the next steps. One already on PATH (installed, or built by an earlier
# step) is used as it is; else the action's own checkout is built, with the
# Debian packages it needs (scripts/install-deps), and put on $GITHUB_PATH.
set -euo pipefail
if command -v sctrace >/dev/null; then
    echo "sctrace: using $(command -v sctrace) ($(sctrace --version))"
    exit 0
fi
src=${SCTRACE_ACTION_PATH:?the action's checkout}
if [ ! -x "$src/build/cli/sctrace" ]; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo bash "$src/scripts/install-deps"
    make -C "$src" build
fi
echo "$src/build/cli" >>"${GITHUB_PATH:?GitHub Actions sets GITHUB_PATH}"
echo "sctrace: built at $src/build/cli/sctrace"
