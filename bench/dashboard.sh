#!/usr/bin/env bash
# The dashboard at scale: seeds a database with the demo tenants, 10,000 appointments and
# 100,000 finished calls (`frontdesk seed`), starts a release server on it, logs in as the
# salon's owner and fetches every page many times, and writes each page's server time
# (median, p95, max) to bench/results/<date>-dashboard.md. The time is the server's own
# (`frontdesk_http_request_duration_seconds` would say the same): curl's time to the first
# byte over loopback, with the body read in full.
#
# Settings (environment):
#   BENCH_APPOINTMENTS=10000  BENCH_CALLS=100000   the volume
#   BENCH_ROUNDS=50           fetches per page
#   BENCH_DB=/tmp/frontdesk-dashboard-bench.db     reused when it exists (seeding takes ~2 min)
#   BENCH_DATABASE_URL=postgres://…                 use this database instead of the SQLite file
#   BENCH_BIN=PATH            run this frontdesk binary instead of building one
#   BENCH_OUT=bench/results/...md
set -euo pipefail
cd "$(dirname "$0")/.."

appointments=${BENCH_APPOINTMENTS:-10000}
calls=${BENCH_CALLS:-100000}
rounds=${BENCH_ROUNDS:-50}
db=${BENCH_DB:-/tmp/frontdesk-dashboard-bench.db}
url=${BENCH_DATABASE_URL:-sqlite://$db}
stamp=$(date -u +%Y-%m-%dT%H%MZ)
out=${BENCH_OUT:-bench/results/$stamp-dashboard.md}
bin=${BENCH_BIN:-}
if [ -z "$bin" ]; then
  cargo build --release -q -p frontdesk
  bin=target/release/frontdesk
fi

if [ -n "${BENCH_DATABASE_URL:-}" ] || [ ! -f "$db" ]; then
  echo "seeding $appointments appointments and $calls calls into $url"
  "$bin" --database-url "$url" seed --appointments "$appointments" --calls "$calls"
fi

port=$((20000 + RANDOM % 20000))
log=$(mktemp)
FRONTDESK_DATABASE_URL=$url FRONTDESK_LISTEN=127.0.0.1:$port FRONTDESK_SECURE_COOKIES=false \
  FRONTDESK_RETELL_API_KEY=bench-key FRONTDESK_ADMIN_TOKEN=bench-token RUST_LOG=warn \
  "$bin" serve >"$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -f "$log" "$jar" "$page"' EXIT
base=http://127.0.0.1:$port
for _ in $(seq 1 100); do curl -sf "$base/readyz" >/dev/null && break; sleep 0.1; done

jar=$(mktemp); page=$(mktemp)
curl -sf -c "$jar" -b "$jar" "$base/admin/login" -o "$page"
token=$(grep -o 'name="_csrf" value="[^"]*"' "$page" | head -1 | sed 's/.*value="//;s/"$//')
curl -sf -c "$jar" -b "$jar" -o /dev/null -X POST "$base/admin/login" \
  --data-urlencode "_csrf=$token" --data-urlencode "email=owner@friseur1.example" --data-urlencode "password=demo-password"

api() { curl -sf -H "authorization: Bearer bench-token" "$base/api/v1/$1"; }
first() { python3 -c "import json,sys; d=json.load(sys.stdin)['items']; print(d[0]['$1'] if d else '')"; }
today=$(date +%F)
past=$(date -d '-20 days' +%F)
appointment=$(api "appointments?company=friseur1&from=$past&limit=1" | first id)
call=$(api "calls?company=friseur1&limit=1" | first call_id)
customer=$(api "customers?company=friseur1&limit=1" | first id)
cursor=$(api "calls?company=friseur1&limit=500" | python3 -c "import json,sys; print(json.load(sys.stdin)['next_cursor'] or '')")

pages=(
  "/admin/day"
  "/admin/day?date=$past"
  "/admin/week?date=$past"
  "/admin/appointments/$appointment"
  "/admin/appointments/new?service=herrenhaarschnitt&date=$today&q=Julia"
  "/admin/calls"
  "/admin/calls?cursor=$cursor"
  "/admin/calls/$call"
  "/admin/callbacks"
  "/admin/customers"
  "/admin/customers?q=Becker"
  "/admin/customers/$customer"
  "/admin/health"
  "/admin/settings"
)

{
  echo "# Dashboard pages at volume — $stamp"
  echo
  echo "- commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "- machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
  if [ -n "${BENCH_DATABASE_URL:-}" ]; then kind=PostgreSQL; else kind=SQLite; fi
  echo "- database: $kind with $appointments appointments and $calls calls (demo tenants)"
  echo "- $rounds fetches per page, one at a time, after one warm-up fetch; milliseconds to the first byte"
  echo
  echo "| page | status | median | p95 | max |"
  echo "|---|---|---|---|---|"
} >"$out"
for p in "${pages[@]}"; do
  status=$(curl -s -b "$jar" -o /dev/null -w '%{http_code}' "$base$p")
  times=$(for _ in $(seq 1 "$rounds"); do curl -s -b "$jar" -o /dev/null -w '%{time_starttransfer}\n' "$base$p"; done)
  echo "$times" | python3 -c "
import sys, statistics
t = sorted(float(x) * 1000 for x in sys.stdin if x.strip())
p95 = t[max(0, int(round(0.95 * len(t))) - 1)]
print(f'| \`$p\` | $status | {statistics.median(t):.1f} | {p95:.1f} | {t[-1]:.1f} |')" >>"$out"
done
cat "$out"
