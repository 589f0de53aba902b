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
for target in FuzzOpenBox FuzzOpenRevision FuzzKeyObjects FuzzWraps FuzzRoster FuzzParseInviteCode FuzzOpenChunk FuzzManifest; do
  go test -run='^$' -fuzz="^${target}\$" -fuzztime=2s ./internal/crypto | grep -E '^(ok|FAIL|---)' | sed "s/^/${target}: /"
done
for target in FuzzContent FuzzSyncResponse; do
  go test -run='^$' -fuzz="^${target}\$" -fuzztime=2s ./client | grep -E '^(ok|FAIL|---)' | sed "s/^/${target}: /"
done
