#!/usr/bin/env bash
# Runs Coffer's whole test suite: vet, unit, store conformance (SQLite and,
# when reachable, PostgreSQL), server, client, CLI end-to-end tests, the
# WebAssembly build of the client core, and the fuzz seed corpora.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== web app: npm packages and Chromium (installed when missing)"
if [ ! -d web/node_modules ] || [ web/package-lock.json -nt web/node_modules/.package-lock.json ]; then
  (cd web && npm ci --no-audit --no-fund --loglevel=error)
fi
missing=""
[ -x /usr/bin/chromium ] || missing="$missing chromium"
command -v zopfli >/dev/null || missing="$missing zopfli" # the modules' .gz (scripts/build-web.sh)
command -v brotli >/dev/null || missing="$missing brotli" # the modules' .br
# KeePassXC's own command-line tool opens Coffer's KDBX exports and builds
# databases to import (cmd/coffer TestKeePassXCOpensCoffersExport).
norecommends=""
command -v keepassxc-cli >/dev/null || norecommends="keepassxc"
if [ -n "$missing$norecommends" ]; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  [ -z "$missing" ] || DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing >/dev/null
  [ -z "$norecommends" ] || DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $norecommends >/dev/null
fi

echo "== web app: the committed build (internal/webui/dist) is the build of these sources"
fresh=$(mktemp -d)
trap 'rm -rf "$fresh"' EXIT
COFFER_WEB_OUT="$fresh" bash scripts/build-web.sh
if ! diff -r "$fresh" internal/webui/dist >/dev/null; then
  diff -r "$fresh" internal/webui/dist | head -5
  echo "internal/webui/dist is stale: run scripts/build-web.sh and commit it" >&2
  exit 1
fi

echo "== web app: types and unit tests"
(cd web && npx tsc --noEmit && npx vitest run 2>&1 | grep -E '(Test Files|Tests) ')

echo "== go vet"
go vet ./...

echo "== client core builds for the browser (GOOS=js GOARCH=wasm)"
GOOS=js GOARCH=wasm go build -o /dev/null ./client/... ./internal/crypto/...

echo "== store conformance suite on both engines (SQLite, PostgreSQL)"
# In CI (CI set) an unreachable PostgreSQL fails the run instead of skipping.
go test -count=1 -v -run 'TestConformance$' ./internal/store/sqlite ./internal/store/postgres \
  | grep -E '^(--- (PASS|FAIL|SKIP): TestConformance|ok|FAIL|panic)'

echo "== go test"
# -count=1: never serve cached results; -v is too noisy, go test prints one
# summary line per package (ok / FAIL) which CI counts.
go test -count=1 -timeout 20m ./...

echo "== fuzz targets (seed corpora plus a short run each)"
# Every parser of data from the server or a file has a target; a longer
# local run is: go test -run='^$' -fuzz='^FuzzX$' -fuzztime=5m ./PACKAGE
# fuzz runs one target briefly — a fixed number of inputs, not a time: with
# a time limit, a loaded machine can spend it all gathering the baseline and
# the fuzzer then fails with "context deadline exceeded" (seen in CI) — and
# on failure prints everything the fuzzer said, not only the summary.
fuzz() {
  local pkg=$1 target=$2 out
  if ! out=$(go test -run='^$' -fuzz="^${target}\$" -fuzztime=5000x "$pkg" 2>&1); then
    printf '%s\n' "$out" | grep -v '^fuzz: elapsed' | sed "s/^/${target}: /"
    return 1
  fi
  printf '%s\n' "$out" | grep -E '^(ok|FAIL|---)' | sed "s/^/${target}: /"
}
for target in FuzzOpenBox FuzzOpenRevision FuzzKeyObjects FuzzWraps FuzzRoster FuzzParseInviteCode FuzzOpenChunk FuzzManifest FuzzOpenCache; do
  fuzz ./internal/crypto "$target"
done
fuzz ./client/exchange FuzzCofferReader
for target in FuzzSealedReader FuzzCSVSource FuzzBitwardenSource FuzzKDBXSource; do
  fuzz ./client/exchange/formats "$target"
done
for target in FuzzContent FuzzSyncResponse FuzzCacheState; do
  fuzz ./client "$target"
done
fuzz ./internal/server FuzzClientAddrCannotBeChosen
