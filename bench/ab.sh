#!/usr/bin/env bash
# Compares two frontdesk binaries under bench/run.sh's load, interleaved: A, B, A, B, … so that
# this machine's drift (±15 % between runs) falls on both alike. Prints function calls per second
# of every run and the median per binary and backend, and writes the same as markdown.
#
# Usage: bench/ab.sh OLD_BINARY NEW_BINARY [ROUNDS]   (default 3 rounds)
# The load settings of bench/run.sh apply (BENCH_CALLS, BENCH_CONCURRENCY, BENCH_POSTGRES, …).
set -euo pipefail
cd "$(dirname "$0")/.."

old=${1:?usage: bench/ab.sh OLD_BINARY NEW_BINARY [ROUNDS]}
new=${2:?usage: bench/ab.sh OLD_BINARY NEW_BINARY [ROUNDS]}
rounds=${3:-3}
stamp=$(date -u +%Y-%m-%dT%H%MZ)
dir=${BENCH_AB_DIR:-bench/results/ab-$stamp}
mkdir -p "$dir"

for round in $(seq 1 "$rounds"); do
  for side in old new; do
    bin=$old
    [[ $side == new ]] && bin=$new
    printf '\n== round %s: %s (%s)\n' "$round" "$side" "$bin" >&2
    BENCH_BIN=$bin BENCH_KEEP="$dir/$side-$round" BENCH_OUT="$dir/$side-$round.md" bench/run.sh >/dev/null
  done
done

python3 - "$dir" "$rounds" <<'PY' | tee "$dir/summary.md"
import json, os, statistics, sys

directory, rounds = sys.argv[1], int(sys.argv[2])
print("| backend | binary | " + " | ".join(f"run {r}" for r in range(1, rounds + 1)) + " | median |")
print("|---|---|" + "---:|" * (rounds + 1))
for backend in ("sqlite", "postgres"):
    for side in ("old", "new"):
        figures = []
        for r in range(1, rounds + 1):
            path = os.path.join(directory, f"{side}-{r}", f"{backend}.json")
            if os.path.exists(path):
                with open(path) as f:
                    figures.append(json.load(f)["function_calls_per_s"])
        if figures:
            cells = " | ".join(f"{x:.0f}" for x in figures)
            print(f"| {backend} | {side} | {cells} | {statistics.median(figures):.0f} |")
PY
