#!/usr/bin/env bash
# Builds the web app into internal/webui/dist (or $COFFER_WEB_OUT): the Go
# client core for the browser (GOOS=js GOARCH=wasm, reproducible:
# -trimpath, no build id), Go's wasm_exec.js, and the page bundled by Vite.
# core.wasm (and tools.wasm, the other tools' file formats, loaded on
# demand) are stored compressed, brotli and gzip (see below; the server
# sends what the browser takes). The gzip is zopfli's: standard gzip that
# any browser inflates, 4–5 % smaller than gzip -9, and as reproducible
# (no name, no time in the header). The result is committed, so that `go run
# ./cmd/coffer serve` serves the app on a machine without Node;
# scripts/test.sh rebuilds it and fails when the committed copy is stale.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
out=${COFFER_WEB_OUT:-$root/internal/webui/dist}
mkdir -p web/public
# The client package is built without inlining: 33 KB less of the first
# load (budget 2 MB, docs/performance.md "First load"), with no measured
# cost on the paths that matter (search, the device cache; its hot loops
# are in encoding/json and internal/crypto, which keep inlining). So is
# fmt (12 KB less): the client core formats only messages and errors with
# it, none in the sync, the cache, the list or the search. So is
# client/view (0.7 KB less): it shapes answers for the page, once per call.
# So are internal/api, cmd/coffer-web and uuid (2.7 KB less: once per
# call or per item written) and time (3.9 KB less: ≈ 0.5 µs more per
# item's timestamps in a sync, docs/performance.md "First load"). So is
# strings (8 KB less; the search per keystroke measured within noise).
GOOS=js GOARCH=wasm go build -trimpath -ldflags="-s -w -buildid=" -gcflags=github.com/coffer-pm/coffer/client=-l -gcflags=github.com/coffer-pm/coffer/client/view=-l -gcflags=fmt=-l -gcflags=github.com/coffer-pm/coffer/internal/api=-l -gcflags=github.com/coffer-pm/coffer/cmd/coffer-web=-l -gcflags=github.com/google/uuid=-l -gcflags=time=-l -gcflags=strings=-l -o web/public/core.wasm ./cmd/coffer-web
# The tools module: the other tools' file formats (client/exchange/formats,
# gokeepasslib), loaded only when Tools → Import or Export opens.
GOOS=js GOARCH=wasm go build -trimpath -ldflags="-s -w -buildid=" -o web/public/tools.wasm ./cmd/coffer-tools
cp "$(go env GOROOT)/lib/wasm/wasm_exec.js" web/public/wasm_exec.js
cd web
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
COFFER_WEB_OUT="$out" npx vite build --logLevel warn
for tool in zopfli brotli; do
  if ! command -v $tool >/dev/null; then
    echo "scripts/build-web.sh needs $tool (Debian: apt-get install zopfli brotli; scripts/test.sh installs them)" >&2
    exit 1
  fi
done
# Each module is stored twice: brotli (-q 11, a 16 MiB window) for the
# browsers that take it — every one over HTTPS, and Chromium on loopback
# too — 22 % smaller than gzip; and gzip for the rest. Both are
# reproducible; the brotli copy is checked to inflate to the same bytes.
for wasm in core tools; do
  zopfli --i5 -c "$out/$wasm.wasm" > "$out/$wasm.wasm.gz"
  brotli -q 11 -w 24 -c "$out/$wasm.wasm" > "$out/$wasm.wasm.br"
  brotli -d -c "$out/$wasm.wasm.br" | cmp -s - "$out/$wasm.wasm" || { echo "brotli did not round-trip $wasm.wasm" >&2; exit 1; }
  rm "$out/$wasm.wasm"
  chmod 644 "$out/$wasm.wasm.gz" "$out/$wasm.wasm.br"
done
# Only what the server embeds: no stray files in the committed tree.
touch "$out/.keep"
