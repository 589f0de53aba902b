#!/usr/bin/env bash
# Times whole `coffer` processes on big vaults (issue 14): builds coffer,
# starts `coffer serve` (SQLite) on a loopback port, fills a My Vault of
# each size through the API (scripts/benchfill: batch creates), and times
# unlock (cold and warm), `item get --field password`, `item list --search`
# and `item add`, RUNS times each: median, min and max. It also installs
# @bitwarden/cli from npm into a temporary folder to time `bw --version` in
# the same run for the ratio (skipped when npm cannot fetch it; nothing of
# it is kept). Peak RSS: the client's from GNU time, the server's from
# /proc (VmHWM of a server restarted after the fill, so the fill does not
# count).
#
#   scripts/bench-cli.sh                 # 1,000, 10,000 and 100,000 items
#   SIZES="10000" RUNS=11 scripts/bench-cli.sh
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=${SIZES:-"1000 10000 100000"}
RUNS=${RUNS:-7}
BW_VERSION=${BW_VERSION:-2026.9.0}
PW="bench master password $$"
work=$(mktemp -d /tmp/coffer-bench.XXXXXX)
server_pid=""

cleanup() {
  [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

echo "== machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr), $(go version | cut -d' ' -f3)"
go build -o "$work/coffer" ./cmd/coffer
go build -o "$work/benchfill" ./scripts/benchfill
coffer=$work/coffer

# stats LABEL: reads microseconds, one per line; prints median, min, max.
stats() {
  sort -n | awk -v l="$1" '{a[NR]=$1} END {
    if (NR == 0) { printf "%-52s no runs\n", l; exit }
    m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2
    printf "%-52s median %8.1f ms   min %8.1f   max %8.1f   (n=%d)\n", l, m/1000, a[1]/1000, a[NR]/1000, NR }'
}

# timed CMD...: runs CMD once and prints its wall time in microseconds
# (bash's own clock: no process is started to read it).
timed() {
  local s e
  s=${EPOCHREALTIME/./}
  "$@" >/dev/null 2>>"$work/stderr"
  e=${EPOCHREALTIME/./}
  echo $(( e - s ))
}

start_server() {
  local data=$1 log=$work/server.log
  "$coffer" serve --addr 127.0.0.1:0 --data "$data" >"$log" 2>&1 &
  server_pid=$!
  for _ in $(seq 100); do
    url=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$log" | head -1 || true)
    [[ -n $url ]] && return 0
    sleep 0.1
  done
  echo "server did not start:" >&2; cat "$log" >&2; exit 1
}

stop_server() {
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""
}

unlock() { printf '%s\n' "$PW" | "$coffer" unlock --password-stdin --raw; }

echo "== Argon2id alone (the floor parameters; what every unlock pays)"
go test -run '^$' -bench '^BenchmarkDeriveMasterKeys$' -benchtime 5x ./internal/crypto | grep '^Benchmark'

bw=""
echo "== @bitwarden/cli $BW_VERSION from npm (for the ratio)"
if npm install --silent --no-audit --no-fund --prefix "$work/bw" "@bitwarden/cli@$BW_VERSION" >/dev/null 2>&1; then
  bw="$work/bw/node_modules/.bin/bw"
  "$bw" --version >/dev/null 2>&1 || true # first run warms the file cache
  for _ in $(seq "$RUNS"); do timed "$bw" --version; done | stats "bw --version" | tee "$work/bw.txt"
else
  echo "npm could not install @bitwarden/cli; the ratio is skipped"
fi

for n in $SIZES; do
  echo "== $n items"
  export COFFER_CONFIG_DIR=$work/cfg-$n
  email="bench-$n@example.com"
  start_server "$work/data-$n"
  printf '%s\n' "$PW" | "$coffer" signup --server "$url" --email "$email" --name Bench --password-stdin >/dev/null 2>&1
  s=$(date +%s)
  printf '%s\n' "$PW" | "$work/benchfill" -server "$url" -email "$email" -items "$n" 2>&1 | tail -1
  echo "filled in $(( $(date +%s) - s )) s"
  # Restart, so that the server's peak RSS is the sync's, not the fill's.
  stop_server
  start_server "$work/data-$n"
  export COFFER_SERVER=$url

  for _ in $(seq "$RUNS"); do
    rm -rf "$COFFER_CONFIG_DIR/cache"
    if [[ -x /usr/bin/time ]]; then
      timed /usr/bin/time -f '%M' -o "$work/rss" bash -c "printf '%s\n' '$PW' | '$coffer' unlock --password-stdin --raw"
      cat "$work/rss" >>"$work/rss-cold-$n"
    else
      timed bash -c "printf '%s\n' '$PW' | '$coffer' unlock --password-stdin --raw"
    fi
  done | stats "unlock, cold (empty cache: full sync + verify)"
  client_rss="n/a (GNU time is not installed: apt-get install time)"
  [[ -s $work/rss-cold-$n ]] && client_rss=$(sort -n "$work/rss-cold-$n" | tail -1 | awk '{printf "%.0f MB", $1/1024}')
  echo "   client peak RSS, cold unlock: $client_rss; server peak RSS (VmHWM): $(awk '/VmHWM/ {printf "%.0f MB", $2/1024}' /proc/$server_pid/status)"
  export COFFER_SESSION=$(unlock)
  for _ in $(seq "$RUNS"); do
    timed bash -c "printf '%s\n' '$PW' | '$coffer' unlock --password-stdin --raw"
  done | stats "unlock, warm cache"
  export COFFER_SESSION=$(unlock)

  name="site-$((n / 2))"
  "$coffer" item get "$name" --field password >/dev/null
  for _ in $(seq "$RUNS"); do timed "$coffer" item get "$name" --field password; done \
    | stats "item get $name --field password" | tee "$work/get-$n.txt"
  for _ in $(seq "$RUNS"); do timed "$coffer" item list --search "site-$((n / 3))"; done \
    | stats "item list --search site-$((n / 3))"
  i=0
  for _ in $(seq "$RUNS"); do
    i=$((i + 1))
    timed "$coffer" item add --type login --name "added-$i" --username someone --password "p$i"
  done | stats "item add"
  if [[ -n $bw ]]; then
    awk -v n="$n" 'FNR == NR && /median/ { bw = $(NF-6) } FNR != NR && /median/ { c = $(NF-6) } END {
      printf "   ratio at %d items: bw --version %.1f ms / coffer item get %.1f ms = %.0fx\n", n, bw, c, bw / c }' \
      "$work/bw.txt" "$work/get-$n.txt"
  fi
  stop_server
  unset COFFER_SESSION COFFER_SERVER
done
if [[ -s $work/stderr ]] && grep -q 'coffer: ' "$work/stderr"; then
  echo "== messages from coffer during the runs:"
  grep 'coffer: ' "$work/stderr" | sort | uniq -c | head -20
fi
