#!/usr/bin/env bash
# Measures the web app in Chromium against a real server holding N items
# (default 10,000): first-load bytes and time, cold log-in and decrypt,
# unlock, the list scrolled to its end and its frames while scrolling,
# the last item opened, search keystrokes. Prints JSON;
# docs/performance.md records it.
#
# DATA=dir keeps the server's data there: the first run signs up and fills
# it, later runs with the same N reuse it (benchfill at 100,000 items
# takes minutes). PROFILE=1 adds Chromium's CPU profiles (web/e2e/bench.mjs).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-10000}
tmp=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$tmp"' EXIT
data=${DATA:-$tmp/data}
go build -o "$tmp/coffer" ./cmd/coffer
go build -o "$tmp/benchfill" ./scripts/benchfill
port=$((20000 + RANDOM % 20000))
"$tmp/coffer" serve --data "$data" --addr 127.0.0.1:$port >"$tmp/serve.log" 2>&1 &
server=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
pw='bench web master password'
if [ ! -f "$data/benchfill-$N" ]; then
  COFFER_CONFIG_DIR="$tmp/cli" "$tmp/coffer" signup --server "http://127.0.0.1:$port" --email bench@web.example --name Bench --password-stdin <<<"$pw" >/dev/null
  "$tmp/benchfill" -server "http://127.0.0.1:$port" -email bench@web.example -items "$N" <<<"$pw" >&2
  touch "$data/benchfill-$N"
fi
(cd web && N=$N node e2e/bench.mjs "http://127.0.0.1:$port/" bench@web.example "$pw")
