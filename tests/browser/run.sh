#!/bin/sh
# SPDX-License-Identifier: MIT
# The node side of the browser tests, for CTest.
#   run.sh install MODULES_DIR          npm ci of tests/browser's lock into MODULES_DIR (fixture)
#   run.sh test MODULES_DIR [--browser] SCRIPT [ARGS…]
#                                       node SCRIPT with the modules from MODULES_DIR
# What is missing (node, npm, the modules, /usr/bin/chromium with --browser) is a skip (exit 77)
# locally and a failure under CI=true, always with one line naming it.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
mode=${1:?usage: run.sh install|test MODULES_DIR …}
modules=${2:?usage: run.sh install|test MODULES_DIR …}
shift 2

missing() {
    if [ "${CI:-}" = "true" ]; then
        echo "browser test: $1 (required under CI=true; scripts/install-deps.sh test installs it)" >&2
        exit 1
    fi
    echo "browser test: skipped, $1" >&2
    exit 77
}

command -v node >/dev/null 2>&1 || missing "node is not installed"

case "$mode" in
install)
    command -v npm >/dev/null 2>&1 || missing "npm is not installed"
    mkdir -p "$modules"
    # npm ci wipes node_modules: do it only when the lock changed since the last install.
    if [ -d "$modules/node_modules" ] && cmp -s "$here/package-lock.json" "$modules/.installed-lock"; then
        echo "browser test: node modules up to date in $modules"
        exit 0
    fi
    cp "$here/package.json" "$here/package-lock.json" "$modules/"
    if ! (cd "$modules" && npm ci --prefer-offline --no-audit --no-fund --loglevel=error); then
        rm -rf "$modules/node_modules"
        missing "npm ci failed (no registry and no npm cache?)"
    fi
    cp "$here/package-lock.json" "$modules/.installed-lock"
    ;;
test)
    if [ "${1:-}" = "--browser" ]; then
        shift
        chromium=${OPSDECK_CHROMIUM:-/usr/bin/chromium}
        [ -x "$chromium" ] || missing "$chromium is not installed"
        [ -d "$modules/node_modules/playwright-core" ] || missing "playwright-core is not installed in $modules (run.sh install)"
    fi
    script=${1:?usage: run.sh test MODULES_DIR [--browser] SCRIPT [ARGS…]}
    shift
    OPSDECK_NODE_MODULES="$modules" exec node "$here/$script" "$@"
    ;;
*)
    echo "run.sh: unknown mode '$mode'" >&2
    exit 2
    ;;
esac
