#!/usr/bin/env bash
# Measures Tools → Import in Chromium against a real server: a Bitwarden
# JSON export of N logins (default 10,000) into a fresh account's My
# Vault — the tools module's load, the file read and previewed, and the
# import itself. Prints JSON; docs/performance.md ("Export and import")
# records it. Needs the committed web build (scripts/build-web.sh).
# PROFILE=file writes Chromium's CPU profile of the import there.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-10000}
tmp=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$tmp"' EXIT
go build -o "$tmp/coffer" ./cmd/coffer
port=$((20000 + RANDOM % 20000))
"$tmp/coffer" serve --data "$tmp/data" --addr 127.0.0.1:$port >"$tmp/serve.log" 2>&1 &
server=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
pw='bench import master password'
COFFER_CONFIG_DIR="$tmp/cli" "$tmp/coffer" signup --server "http://127.0.0.1:$port" --email import@web.example --name Import --password-stdin <<<"$pw" >/dev/null
(cd web && N=$N FILE="$tmp/bitwarden.json" PROFILE=${PROFILE:-} node e2e/bench-import.mjs "http://127.0.0.1:$port/" import@web.example "$pw")
