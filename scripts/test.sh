#!/usr/bin/env bash
# Runs Coffer's whole test suite: vet, unit, store conformance (SQLite and,
# when reachable, PostgreSQL), server, client, CLI end-to-end tests, the
# WebAssembly build of the client core, and the fuzz seed corpora.
set -euo pipefail
cd "$(dirname "$0")/.."

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
for target in FuzzContent FuzzSyncResponse FuzzCacheState; do
  fuzz ./client "$target"
done
