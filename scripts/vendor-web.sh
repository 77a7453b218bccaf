#!/usr/bin/env bash
# Refreshes the web UI's vendored browser libraries from npm (versions pinned in
# src/Kiln.Server/Web/client/package.json and its package-lock.json). The copies are committed, so
# running or testing Kiln needs no Node.js; run this only to change a version.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../src/Kiln.Server/Web"
(cd client && npm ci --no-audit --no-fund)
vendor=wwwroot/vendor
rm -rf "$vendor" && mkdir -p "$vendor"
cp client/node_modules/htmx.org/dist/htmx.min.js "$vendor/htmx.min.js"
cp client/node_modules/htmx.org/LICENSE "$vendor/htmx.LICENSE"
cp client/node_modules/htmx-ext-sse/dist/sse.min.js "$vendor/htmx-sse.min.js" 2>/dev/null || cp client/node_modules/htmx-ext-sse/sse.js "$vendor/htmx-sse.min.js"
cp client/node_modules/htmx-ext-sse/LICENSE "$vendor/htmx-sse.LICENSE"
cp client/node_modules/ansi_up/ansi_up.js "$vendor/ansi_up.js"
cp client/node_modules/ansi_up/LICENSE "$vendor/ansi_up.LICENSE"
rm -rf client/node_modules
echo "vendored into src/Kiln.Server/Web/$vendor:"; ls -l "$vendor"
