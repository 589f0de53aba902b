#!/usr/bin/env bash
# Release binaries of coffer for every platform people run it on, into
# dist/: static (CGO_ENABLED=0; SQLite is pure Go), -trimpath (no local
# paths), no build id, the version and commit stamped — so two builds of
# one commit with one Go are the same bytes (check with SHA256SUMS).
#
#   VERSION=1.2.0 bash scripts/release.sh
set -euo pipefail
cd "$(dirname "$0")/.."
version=${VERSION:-$(git describe --tags --always 2>/dev/null || echo 0.1.0-dev)}
commit=$(git rev-parse HEAD 2>/dev/null || echo "")
ldflags="-s -w -buildid= -X github.com/coffer-pm/coffer/internal/version.Version=${version} -X github.com/coffer-pm/coffer/internal/version.Commit=${commit}"
mkdir -p dist
rm -f dist/SHA256SUMS
for target in linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64; do
  os=${target%/*} arch=${target#*/}
  out="dist/coffer-${version}-${os}-${arch}"
  [ "$os" = windows ] && out="${out}.exe"
  echo "== ${out}"
  CGO_ENABLED=0 GOOS=$os GOARCH=$arch go build -trimpath -buildvcs=false -ldflags "$ldflags" -o "$out" ./cmd/coffer
done
(cd dist && sha256sum coffer-* > SHA256SUMS)
cat dist/SHA256SUMS
