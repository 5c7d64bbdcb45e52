#!/usr/bin/env bash
# frontdesk benchmark: builds in release mode and plays the simulator's calls against
#   (a) one server on the embedded SQLite database, and
#   (b) two server processes sharing one PostgreSQL database, the calls spread over both,
# each with a /healthz baseline under the same load (the HTTP floor of this machine), then the
# open loop (calls arriving like real ones, about 1,000 live at once) on each.
# Writes bench/results/<date>-<commit>.md with the machine, the commit, the figures, each
# server's memory (RSS and PSS, idle and peak) and database bytes per 1,000 calls, and exits
# non-zero if an invariant check failed.
#
# Usage: bench/run.sh            the benchmark
#        bench/run.sh --soak     instead: the open loop at a steady rate for BENCH_SOAK_MINUTES,
#                                the servers' memory sampled every 10 s and the latency minute by
#                                minute, to show flat memory and no drift (~15 minutes per backend)
#
# Settings (environment):
#   BENCH_CALLS=3000        simulated phone calls per closed-loop run
#   BENCH_CONCURRENCY=64    calls at once in the closed loop
#   BENCH_SEED=1            the same seed plays the same calls
#   BENCH_CHAOS=0           1: duplicate, reorder and drop webhooks as Retell sometimes does
#   BENCH_POSTGRES=postgres://postgres@127.0.0.1:5432
#                           PostgreSQL server for (b); a fresh database is made and dropped.
#                           Set it to "skip" to run (a) only.
#   BENCH_OUT=bench/results/...md   where the result goes
#   BENCH_BIN=PATH          run this frontdesk binary instead of building one
#   BENCH_BASELINE=PATH     also an interleaved A/B of the closed loop: this (older) binary and
#                           the one under test take turns, BENCH_AB_ROUNDS rounds (default 2) per
#                           backend, because this machine's speed drifts by ±15 % between runs
#   BENCH_BASELINE_LABEL    how the result names that binary (default: its path)
#   BENCH_KEEP=DIR          also keep the simulator's JSON reports and the servers' logs in DIR
#   BENCH_OPEN=1            also run the open loop on each backend: calls arriving as a Poisson
#                           process, each talking like a conversation (1-4 min), latency from the
#                           intended send time; 0 skips it (it takes ~10 minutes per backend)
#   BENCH_RATE=8            open loop: calls starting per second (8: about 1,000 live at once)
#   BENCH_OPEN_CALLS=2400   open loop: calls in all (2400 at 8/s: five minutes of arrivals)
#   BENCH_SOAK_MINUTES=10   --soak: minutes of arrivals at BENCH_RATE
#   BENCH_MAIL=1            the servers send their e-mail to the simulator's own SMTP server, and
#                           each run checks that every notification arrived once (0: no e-mail)
set -euo pipefail
cd "$(dirname "$0")/.."

calls=${BENCH_CALLS:-3000}
concurrency=${BENCH_CONCURRENCY:-64}
seed=${BENCH_SEED:-1}
chaos=${BENCH_CHAOS:-0}
postgres=${BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432}
open=${BENCH_OPEN:-1}
rate=${BENCH_RATE:-8}
open_calls=${BENCH_OPEN_CALLS:-2400}
soak_minutes=${BENCH_SOAK_MINUTES:-10}
mail=${BENCH_MAIL:-1}
baseline=${BENCH_BASELINE:-}
ab_rounds=${BENCH_AB_ROUNDS:-2}
soak=0
case ${1:-} in
  --soak) soak=1 ;;
  "") ;;
  *) echo "usage: bench/run.sh [--soak]" >&2; exit 2 ;;
esac
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git status --porcelain 2>/dev/null | grep -q . && echo " (with uncommitted changes)" || true)
stamp=$(date -u +%Y-%m-%dT%H%MZ)
out=${BENCH_OUT:-bench/results/$stamp-$commit$([[ $soak == 1 ]] && echo -soak || true).md}

# The demo tenants' calendar starts on a Monday morning, whatever today is.
clock_start=2026-03-09T08:00:00Z

log() { printf '\n== %s\n' "$*" >&2; }

command -v curl >/dev/null || { echo "bench needs curl" >&2; exit 1; }

if [[ -n ${BENCH_BIN:-} ]]; then
  bin=$BENCH_BIN
else
  log "building frontdesk in release mode"
  cargo build --release --locked -p frontdesk
  bin=$PWD/target/release/frontdesk
fi

# A binary from before notifications cannot send e-mail or count it (an A/B against an old build):
# then neither side sends any, so that both do the same work.
for candidate in "$bin" ${baseline:+"$baseline"}; do
  if [[ $mail == 1 ]] && ! "$candidate" simulate --help 2>/dev/null | grep -q -- --smtp-sink; then
    mail=0
  fi
done
# The binary start_server and the simulator run (the A/B switches it).
server_bin=$bin

work=$(mktemp -d)
pids=()
pg_db=""
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [[ -n $pg_db ]]; then
    psql "$postgres/postgres" -q -c "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# The simulator runs on the first core the process may use (when there are two or more): on a
# small machine it otherwise competes with the servers for every core, and its own lateness
# (which the open loop counts against the servers) grows with it. The servers keep the others and
# share this one.
sim_pin=()
if command -v taskset >/dev/null && [[ $(nproc) -ge 2 ]]; then
  first_cpu=$(taskset -pc $$ | sed 's/.*: //; s/[-,].*//')
  sim_pin=(taskset -c "$first_cpu")
fi

# A free TCP port on 127.0.0.1 (bound by nobody at the time of asking), below the kernel's
# ephemeral range (the simulator's own connections take ports from there) and never one handed out
# before in this run.
taken_ports=" "
# Usage: free_port VARIABLE (sets it; a subshell could not remember what it handed out).
free_port() {
  local candidate
  for _ in $(seq 1 50); do
    candidate=$((10000 + RANDOM % 20000))
    [[ $taken_ports == *" $candidate "* ]] && continue
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then
      taken_ports+="$candidate "
      printf -v "$1" '%s' "$candidate"
      return
    fi
  done
  echo "no free port found" >&2; exit 1
}

# start_server NAME DATABASE_URL PORT FAKE_RETELL_PORT [RECONCILE_AFTER]: starts `frontdesk serve
# --demo` in the background, waits until it is ready and sets $started to its pid.
start_server() {
  local name=$1 database=$2 port=$3 fake=$4 reconcile=${5:-2s}
  # The bare demo tenants (no demo week or calls: the same start for every build compared).
  local smtp_url=
  [[ $mail == 1 ]] && smtp_url="smtp://127.0.0.1:$smtp?tls=none"
  FRONTDESK_SMTP_URL=$smtp_url FRONTDESK_DEMO_DATA=false RUST_LOG=warn "$server_bin" serve --demo \
    --database-url "$database" \
    --listen "127.0.0.1:$port" \
    --clock-start "$clock_start" \
    --retell-base-url "http://127.0.0.1:$fake" \
    --reconcile-after "$reconcile" \
    --worker-interval 500ms \
    >"$work/$name.log" 2>&1 &
  local pid=$!
  pids+=("$pid")
  for _ in $(seq 1 300); do
    if curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then started=$pid; return; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "server $name did not become ready; its log:" >&2
  cat "$work/$name.log" >&2
  exit 1
}

# stop PID...: asks the servers to shut down and waits until they have.
stop() {
  kill "$@" 2>/dev/null || true
  for pid in "$@"; do
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  done
}

# Peak resident memory of a process in MiB, and its anonymous (heap) part at the end: SQLite maps
# the database file into memory once per connection, and those shared file pages count towards
# the resident size once per mapping.
peak_mib() {
  awk '/^VmHWM/ { peak = $2 } /^RssAnon/ { anon = $2 } END { printf "%.0f (heap %.0f)", peak / 1024, anon / 1024 }' \
    "/proc/$1/status"
}

# Resident and proportional set size of a process now, in MiB to a tenth (a goal of 30 MiB is
# not decided by rounding): "RSS / PSS". PSS shares the pages a process shares with others (the
# SQLite file mapped by every connection, libraries) among them, so it is the memory the process
# really costs.
rss_pss_mib() {
  local rss pss
  rss=$(awk '/^VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status")
  pss=$(awk '/^Pss:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/smaps_rollup" 2>/dev/null || echo "?")
  echo "$rss / $pss"
}

# Database bytes per 1,000 calls: the SQLite file with its WAL, or the PostgreSQL database.
sqlite_bytes_per_1000() {
  local bytes
  bytes=$(cat "$1" "$1-wal" 2>/dev/null | wc -c)
  echo $((bytes * 1000 / $2))
}
pg_bytes_per_1000() {
  local bytes
  bytes=$(psql "$postgres/postgres" -Atc "SELECT pg_database_size('$1')")
  echo $((bytes * 1000 / $2))
}

# simulate NAME FAKE_RETELL_PORT URL[,URL]: plays the calls, writes NAME.json and NAME.txt.
simulate() {
  local name=$1 fake=$2 urls=$3 status=0
  local extra=()
  [[ $chaos == 1 ]] && extra+=(--chaos)
  [[ $mail == 1 ]] && extra+=(--smtp-sink "127.0.0.1:$smtp")
  "${sim_pin[@]}" "$server_bin" simulate --url "$urls" --calls "$calls" --concurrency "$concurrency" --seed "$seed" \
    --baseline --fake-retell-listen "127.0.0.1:$fake" --settle 60s --quiet "${extra[@]}" \
    --json "$work/$name.json" >"$work/$name.txt" 2>&1 || status=$?
  cat "$work/$name.txt" >&2
  return "$status"
}

# simulate_open NAME URL[,URL] _ CALLS: the open loop, writes NAME.json and NAME.txt. The servers
# run with a reconcile threshold longer than a call's pauses.
simulate_open() {
  local name=$1 urls=$2 status=0
  local extra=()
  [[ $mail == 1 ]] && extra+=(--smtp-sink "127.0.0.1:$smtp")
  "${sim_pin[@]}" "$server_bin" simulate --url "$urls" --calls "$4" --rate "$rate" --seed "$seed" --settle 60s --quiet "${extra[@]}" \
    --json "$work/$name.json" >"$work/$name.txt" 2>&1 || status=$?
  cat "$work/$name.txt" >&2
  return "$status"
}

# sample_memory NAME PID...: writes "SECONDS RSS/PSS[, RSS/PSS]" to NAME.mem every 10 s while the
# first server lives (the soak's memory over time); sets $sampler to the sampling loop's pid.
sample_memory() {
  local name=$1 start=$SECONDS
  shift
  (
    while kill -0 "$1" 2>/dev/null; do
      line=$((SECONDS - start))
      for pid in "$@"; do line+=" $(rss_pss_mib "$pid" 2>/dev/null || echo "-")"; done
      echo "$line" >>"$work/$name.mem"
      sleep 10
    done
  ) &
  sampler=$!
}

# closed_sqlite NAME: the closed loop against one server on a fresh SQLite file; sets
# $idle, $peak, $end (memory) and $bytes (database bytes per 1,000 calls).
closed_sqlite() {
  local name=$1 pid
  free_port fake
  free_port smtp
  free_port port
  start_server "$name" "sqlite://$work/$name.db" "$port" "$fake"
  pid=$started
  sleep 2
  idle=$(rss_pss_mib "$pid")
  simulate "$name" "$fake" "http://127.0.0.1:$port" || failed=1
  peak=$(peak_mib "$pid")
  end=$(rss_pss_mib "$pid")
  stop "$pid"
  # The demo's own appointments and calls are in the file too: a few dozen against thousands.
  bytes=$(sqlite_bytes_per_1000 "$work/$name.db" "$calls")
  rm -f "$work/$name.db" "$work/$name.db-wal" "$work/$name.db-shm"
}

# fresh_pg_db: makes a new empty PostgreSQL database and sets $pg_db to its name.
fresh_pg_db() {
  if [[ -n $pg_db ]]; then
    psql "$postgres/postgres" -q -c "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" >/dev/null
  fi
  pg_db="frontdesk_bench_$(date +%s)_$$"
  psql "$postgres/postgres" -v ON_ERROR_STOP=1 -q -c "CREATE DATABASE $pg_db"
}

# closed_pg NAME: the closed loop against two servers sharing a fresh PostgreSQL database; sets
# $idle, $peak, $end and $bytes like closed_sqlite.
closed_pg() {
  local name=$1 pid_a pid_b
  fresh_pg_db
  free_port fake
  free_port smtp
  free_port port_a
  # One after the other: the first imports the demo tenants, the second finds them.
  start_server "$name-a" "$postgres/$pg_db" "$port_a" "$fake"
  pid_a=$started
  free_port port_b
  start_server "$name-b" "$postgres/$pg_db" "$port_b" "$fake"
  pid_b=$started
  sleep 2
  idle="$(rss_pss_mib "$pid_a"), $(rss_pss_mib "$pid_b")"
  simulate "$name" "$fake" "http://127.0.0.1:$port_a,http://127.0.0.1:$port_b" || failed=1
  peak="$(peak_mib "$pid_a") / $(peak_mib "$pid_b")"
  end="$(rss_pss_mib "$pid_a"), $(rss_pss_mib "$pid_b")"
  stop "$pid_a" "$pid_b"
  bytes=$(pg_bytes_per_1000 "$pg_db" "$calls")
}

# open_sqlite NAME CALLS: the open loop against one server on a fresh SQLite file (its memory
# sampled); sets $peak.
open_sqlite() {
  local name=$1 n=$2 pid
  free_port fake
  free_port smtp
  free_port port
  start_server "$name" "sqlite://$work/$name.db" "$port" "$fake" 10m
  pid=$started
  sample_memory "$name" "$pid"
  simulate_open "$name" "http://127.0.0.1:$port" _ "$n" || failed=1
  peak=$(peak_mib "$pid")
  stop "$pid"
  wait "$sampler" 2>/dev/null || true
  rm -f "$work/$name.db" "$work/$name.db-wal" "$work/$name.db-shm"
}

# open_pg NAME CALLS: the open loop against two servers sharing a fresh PostgreSQL database (their
# memory sampled); sets $peak.
open_pg() {
  local name=$1 n=$2 pid_a pid_b
  fresh_pg_db
  free_port fake
  free_port smtp
  free_port port_a
  start_server "$name-a" "$postgres/$pg_db" "$port_a" "$fake" 10m
  pid_a=$started
  free_port port_b
  start_server "$name-b" "$postgres/$pg_db" "$port_b" "$fake" 10m
  pid_b=$started
  sample_memory "$name" "$pid_a" "$pid_b"
  simulate_open "$name" "http://127.0.0.1:$port_a,http://127.0.0.1:$port_b" _ "$n" || failed=1
  peak="$(peak_mib "$pid_a") / $(peak_mib "$pid_b")"
  stop "$pid_a" "$pid_b"
  wait "$sampler" 2>/dev/null || true
}

machine() {
  echo "- commit: \`$commit\`$dirty"
  echo "- machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')," \
    "$(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(uname -sr)"
}

# reports NAME...: the simulator's reports, as they printed them.
reports() {
  echo
  echo "## Simulator reports"
  for name in "$@"; do
    [[ -f $work/$name.txt ]] || continue
    echo
    echo "### $name"
    echo
    echo '```text'
    cat "$work/$name.txt"
    echo '```'
  done
}

keep() {
  if [[ -n ${BENCH_KEEP:-} ]]; then
    mkdir -p "$BENCH_KEEP"
    cp "$work"/*.json "$BENCH_KEEP"/ 2>/dev/null || true
    cp "$work"/*.mem "$BENCH_KEEP"/ 2>/dev/null || true
    # The servers' logs (warnings and errors), to look into a failed invariant.
    cp "$work"/*.log "$BENCH_KEEP"/ 2>/dev/null || true
  fi
}

# finish: prints the result, keeps what BENCH_KEEP asks for, and exits (1 if a check failed).
finish() {
  cat "$out"
  keep
  if [[ $failed != 0 ]]; then
    echo "an invariant check failed; see the reports above" >&2
    exit 1
  fi
  exit 0
}

failed=0

if [[ $soak == 1 ]]; then
  soak_calls=$(awk -v r="$rate" -v m="$soak_minutes" 'BEGIN { printf "%d", r * m * 60 }')
  log "soak: one server on SQLite, $soak_minutes minutes of calls arriving at $rate/s"
  open_sqlite soak-sqlite "$soak_calls"
  soak_sqlite_peak=$peak
  if [[ $postgres != skip ]]; then
    log "soak: two servers sharing one PostgreSQL database, $soak_minutes minutes at $rate/s"
    open_pg soak-postgres "$soak_calls"
    soak_pg_peak=$peak
  fi
  log "writing $out"
  mkdir -p "$(dirname "$out")"
  {
    echo "# frontdesk soak, $stamp"
    echo
    machine
    echo "- load: $soak_calls calls arriving at $rate/s ($soak_minutes minutes), seed $seed; the simulator" \
      "runs on the same machine as the servers"
    echo
    python3 bench/summary.py --soak "$work/soak-sqlite.json" "$work/soak-sqlite.mem" "$soak_sqlite_peak"
    if [[ -f $work/soak-postgres.json ]]; then
      echo
      python3 bench/summary.py --soak "$work/soak-postgres.json" "$work/soak-postgres.mem" "$soak_pg_peak"
    fi
    reports soak-sqlite soak-postgres
  } >"$out"
  finish
fi

log "(a) one server on SQLite"
closed_sqlite sqlite
sqlite_idle=$idle sqlite_peak=$peak sqlite_end=$end sqlite_bytes=$bytes

if [[ $open == 1 ]]; then
  log "(a2) one server on SQLite, open loop at $rate calls/s"
  open_sqlite sqlite-open "$open_calls"
  sqlite_open_peak=$peak
fi

pg_ran=0
if [[ $postgres != skip ]]; then
  log "(b) two servers sharing one PostgreSQL database"
  closed_pg postgres
  pg_idle=$idle pg_peak=$peak pg_end=$end pg_bytes=$bytes
  pg_ran=1
  if [[ $open == 1 ]]; then
    log "(b2) two servers sharing one PostgreSQL database, open loop at $rate calls/s"
    open_pg postgres-open "$open_calls"
    pg_open_peak=$peak
  fi
fi

# The A/B: the closed loop again, the baseline and this binary taking turns; round 1 of this
# binary is the run above.
ab_runs=()
if [[ -n $baseline ]]; then
  cp "$work/sqlite.json" "$work/ab-new-1-sqlite.json"
  [[ $pg_ran == 1 ]] && cp "$work/postgres.json" "$work/ab-new-1-postgres.json"
  for round in $(seq 1 "$ab_rounds"); do
    for side in old new; do
      [[ $side == new && $round == 1 ]] && continue
      server_bin=$bin
      [[ $side == old ]] && server_bin=$baseline
      log "A/B round $round: $side binary ($server_bin)"
      closed_sqlite "ab-$side-$round-sqlite"
      if [[ $pg_ran == 1 ]]; then closed_pg "ab-$side-$round-postgres"; fi
    done
  done
  server_bin=$bin
fi

log "writing $out"
mkdir -p "$(dirname "$out")"
{
  echo "# frontdesk benchmark, $stamp"
  echo
  machine
  echo "- load: $calls calls, concurrency $concurrency, seed $seed, chaos $([[ $chaos == 1 ]] && echo on || echo off);" \
    "the simulator runs on the same machine as the servers"
  echo
  python3 bench/summary.py "$work/sqlite.json" "$sqlite_peak" \
    "$([[ $pg_ran == 1 ]] && echo "$work/postgres.json" || echo -)" "${pg_peak:--}"
  echo
  echo "## Footprint"
  echo
  echo "Resident (RSS) and proportional (PSS) set size in MiB: idle after start (the demo tenants"
  echo "imported), and at the end of the closed-loop run; peak RSS is in the table above. Database"
  echo "bytes per 1,000 calls after the run (SQLite: the file and its WAL; PostgreSQL: the database)."
  echo
  echo "| setup | idle RSS / PSS | after the run RSS / PSS | database bytes per 1,000 calls |"
  echo "|---|---:|---:|---:|"
  echo "| SQLite, 1 server | $sqlite_idle | $sqlite_end | $sqlite_bytes |"
  if [[ $pg_ran == 1 ]]; then
    echo "| PostgreSQL, 2 servers | $pg_idle | $pg_end | $pg_bytes |"
  fi
  if [[ $open == 1 ]]; then
    echo
    python3 bench/summary.py --open "$work/sqlite-open.json" "$sqlite_open_peak" \
      "$([[ -f $work/postgres-open.json ]] && echo "$work/postgres-open.json" || echo -)" "${pg_open_peak:--}"
  fi
  if [[ -n $baseline ]]; then
    echo
    python3 bench/summary.py --ab "$work" "$ab_rounds" "${BENCH_BASELINE_LABEL:-$baseline}"
  fi
  reports sqlite postgres sqlite-open postgres-open
} >"$out"
finish
