#!/usr/bin/env bash
# Compares two frontdesk binaries under bench/run.sh's closed loop, interleaved: A, B, A, B, … so
# that this machine's drift (±15 % between runs) falls on both alike — bench/run.sh with
# BENCH_BASELINE, without the open loop. Writes one markdown result (BENCH_OUT) with every run's
# function calls per second and the median per binary and backend.
#
# Usage: bench/ab.sh OLD_BINARY NEW_BINARY [ROUNDS]   (default 3 rounds)
# The load settings of bench/run.sh apply (BENCH_CALLS, BENCH_CONCURRENCY, BENCH_POSTGRES, …).
set -euo pipefail
cd "$(dirname "$0")/.."

old=${1:?usage: bench/ab.sh OLD_BINARY NEW_BINARY [ROUNDS]}
new=${2:?usage: bench/ab.sh OLD_BINARY NEW_BINARY [ROUNDS]}
rounds=${3:-3}
BENCH_BIN=$new BENCH_BASELINE=$old BENCH_AB_ROUNDS=$rounds BENCH_OPEN=${BENCH_OPEN:-0} exec bench/run.sh
