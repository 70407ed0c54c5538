#!/usr/bin/env bash
# scripts/test-tools.sh [BUILD_DIR]
#
# Installs the pinned npm packages the integration tests drive besides npm
# itself — pnpm, yarn berry and yarn 1 (classic), playwright-core for the
# admin page's browser test (it drives Debian's chromium; it downloads no
# browser), and the official MCP SDK whose client the agent endpoint's test
# drives — into BUILD_DIR/tools (default: build/tools):
#
#   BUILD_DIR/tools/node_modules/.bin/pnpm
#   node BUILD_DIR/tools/node_modules/@yarnpkg/cli-dist/bin/yarn.js
#   node BUILD_DIR/tools/yarn-classic/node_modules/yarn/bin/yarn.js
#     (a prefix of its own: both yarns name their command "yarn")
#   BUILD_DIR/tools/node_modules/playwright-core   (import from a .mjs by path)
#   BUILD_DIR/tools/node_modules/@modelcontextprotocol/sdk   (the same)
#   BUILD_DIR/tools/inspector/node_modules/.bin/mcp-inspector-cli
#     (the MCP Inspector's CLI, a prefix of its own: it brings its own SDK)
#
# This is an install step like apt-get: it uses this machine's npm with the
# registry npm is configured for.  The tests themselves talk only to loopback.
# Idempotent: when the pinned versions are already there it exits at once
# without touching the network.
#   CORDON_SKIP_TOOLS=1   skip (tests needing the tools then report a skip)
set -euo pipefail

PNPM_VERSION=9.15.9
YARN_VERSION=4.9.1
YARN_CLASSIC_VERSION=1.22.22
PLAYWRIGHT_VERSION=1.65.1
MCP_SDK_VERSION=1.32.2
MCP_INSPECTOR_CLI_VERSION=0.15.0 # the newest whose engines admit Debian 12's node 20

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-$root/build}
[[ $build == /* ]] || build=$PWD/$build
tools=$build/tools
classic=$tools/yarn-classic
inspector=$tools/inspector

[[ ${CORDON_SKIP_TOOLS:-0} == 1 ]] && exit 0

# installed_version PACKAGE [PREFIX]: its version under PREFIX (default
# $tools), or nothing.
installed_version() {
    local pj=${2:-$tools}/node_modules/$1/package.json
    [[ -f $pj ]] || return 0
    sed -n 's/^[[:space:]]*"version":[[:space:]]*"\([^"]*\)".*/\1/p;T;q' "$pj"
}

have_all() {
    [[ $(installed_version pnpm) == "$PNPM_VERSION" ]] &&
        [[ $(installed_version @yarnpkg/cli-dist) == "$YARN_VERSION" ]] &&
        [[ $(installed_version playwright-core) == "$PLAYWRIGHT_VERSION" ]] &&
        [[ $(installed_version @modelcontextprotocol/sdk) == "$MCP_SDK_VERSION" ]] &&
        [[ -x $tools/node_modules/.bin/pnpm ]] &&
        [[ -f $tools/node_modules/@yarnpkg/cli-dist/bin/yarn.js ]] &&
        [[ $(installed_version yarn "$classic") == "$YARN_CLASSIC_VERSION" ]] &&
        [[ -f $classic/node_modules/yarn/bin/yarn.js ]] &&
        [[ $(installed_version @modelcontextprotocol/inspector-cli "$inspector") == "$MCP_INSPECTOR_CLI_VERSION" ]] &&
        [[ -x $inspector/node_modules/.bin/mcp-inspector-cli ]]
}

have_all && exit 0

if ! command -v npm >/dev/null 2>&1; then
    echo "test-tools: npm not found; install node and npm first (scripts/deps.sh --test)" >&2
    exit 1
fi

mkdir -p "$tools" "$classic" "$inspector"
# A package.json of our own so npm does not walk up into the repository.
if [[ ! -f $tools/package.json ]]; then
    printf '{"name": "cordon-test-tools", "version": "0.0.0", "private": true}\n' >"$tools/package.json"
fi
if [[ ! -f $inspector/package.json ]]; then
    printf '{"name": "cordon-test-tools-mcp-inspector", "version": "0.0.0", "private": true}\n' >"$inspector/package.json"
fi
if [[ ! -f $classic/package.json ]]; then
    printf '{"name": "cordon-test-tools-yarn-classic", "version": "0.0.0", "private": true}\n' >"$classic/package.json"
fi

echo "test-tools: installing pnpm@$PNPM_VERSION, @yarnpkg/cli-dist@$YARN_VERSION, playwright-core@$PLAYWRIGHT_VERSION and @modelcontextprotocol/sdk@$MCP_SDK_VERSION into $tools" >&2
# PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: the browser test uses Debian's chromium
# (scripts/deps.sh --test), never a downloaded one.
PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 timeout -k 10 600 npm install --prefix "$tools" \
    --no-audit --no-fund --no-update-notifier --save-exact --loglevel=error \
    "pnpm@$PNPM_VERSION" "@yarnpkg/cli-dist@$YARN_VERSION" \
    "playwright-core@$PLAYWRIGHT_VERSION" "@modelcontextprotocol/sdk@$MCP_SDK_VERSION" >&2
echo "test-tools: installing yarn@$YARN_CLASSIC_VERSION (classic) into $classic" >&2
# --ignore-scripts: yarn 1's preinstall only removes an older global yarn
timeout -k 10 600 npm install --prefix "$classic" \
    --no-audit --no-fund --no-update-notifier --save-exact --loglevel=error \
    --ignore-scripts "yarn@$YARN_CLASSIC_VERSION" >&2

echo "test-tools: installing @modelcontextprotocol/inspector-cli@$MCP_INSPECTOR_CLI_VERSION into $inspector" >&2
timeout -k 10 600 npm install --prefix "$inspector" \
    --no-audit --no-fund --no-update-notifier --save-exact --loglevel=error \
    --ignore-scripts "@modelcontextprotocol/inspector-cli@$MCP_INSPECTOR_CLI_VERSION" >&2

if ! have_all; then
    echo "test-tools: installation finished but the pinned versions are not in $tools/node_modules" >&2
    exit 1
fi
echo "test-tools: pnpm $("$tools/node_modules/.bin/pnpm" --version), yarn $(node "$tools/node_modules/@yarnpkg/cli-dist/bin/yarn.js" --version), yarn classic $(node "$classic/node_modules/yarn/bin/yarn.js" --version), playwright-core $(installed_version playwright-core), MCP SDK $(installed_version @modelcontextprotocol/sdk), MCP Inspector CLI $(installed_version @modelcontextprotocol/inspector-cli "$inspector")" >&2
