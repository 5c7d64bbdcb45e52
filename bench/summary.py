#!/usr/bin/env python3
"""Prints the markdown summary table of a benchmark run (called by bench/run.sh).

Usage: summary.py [--open] SQLITE_JSON SQLITE_PEAK_MIB POSTGRES_JSON|- POSTGRES_PEAK|-
Each JSON file is a `frontdesk simulate --json` report; `--open` prints the open-loop table.
"""

import json
import sys


def row(name, path, peak):
    with open(path) as f:
        r = json.load(f)
    fn = r["functions"]
    base = r.get("baseline") or {}
    base_rps = base.get("requests_per_s") or 0.0
    base_p99 = (base.get("latency") or {}).get("p99_ms") or 0.0
    failed = [c["name"] for c in r["checks"] if not c["ok"]]
    if r["errors"]["count"]:
        failed.insert(0, f"{r['errors']['count']} requests failed")
    return "| {} | {} | {:.0f} | {:.1f} | {:.1f} | {:.1f} | {:.0f} | {:.0f} | {:.1f} | {} | {} | {} |".format(
        name,
        r["function_calls"],
        r["function_calls_per_s"],
        fn["p50_ms"],
        fn["p99_ms"],
        fn["max_ms"],
        r["requests_per_s"],
        base_rps,
        base_p99,
        f"{100 * r['requests_per_s'] / base_rps:.1f}%" if base_rps else "-",
        peak + (" MiB each" if "/" in peak else " MiB"),
        "all hold" if not failed else "FAILED: " + "; ".join(failed),
    )


def open_row(name, path, peak):
    with open(path) as f:
        r = json.load(f)
    fn = r["functions"]
    failed = [c["name"] for c in r["checks"] if not c["ok"]]
    if r["errors"]["count"]:
        failed.insert(0, f"{r['errors']['count']} requests failed")
    return "| {} | {} | {} | {} | {:.2f} | {:.2f} | {:.2f} | {:.2f} | {} | {} |".format(
        name,
        r.get("rate") or "-",
        r.get("peak_live_calls") or "-",
        r["function_calls"],
        fn["p50_ms"],
        fn["p99_ms"],
        fn.get("p999_ms", 0.0),
        fn["max_ms"],
        peak + (" MiB each" if "/" in peak else " MiB"),
        "all hold" if not failed else "FAILED: " + "; ".join(failed),
    )


def main_open(sqlite_json, sqlite_peak, pg_json, pg_peak):
    print("## Open loop")
    print()
    print("Calls arrive as a Poisson process at the rate, each caller talking 3-10 s between function")
    print("calls, calls of 1-4 minutes; latency counts from each request's intended send time.")
    print()
    print("| setup | calls/s | most live | function calls | p50 ms | p99 ms | p99.9 ms | max ms | peak RSS | invariants |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    print(open_row("SQLite, 1 server", sqlite_json, sqlite_peak))
    if pg_json != "-":
        print(open_row("PostgreSQL, 2 servers", pg_json, pg_peak))


def main():
    if sys.argv[1] == "--open":
        main_open(*sys.argv[2:6])
        return
    sqlite_json, sqlite_peak, pg_json, pg_peak = sys.argv[1:5]
    print("## Figures")
    print()
    print("Function calls are the Retell custom-function requests; all requests include webhooks and")
    print("admin reads. The baseline is `GET /healthz` at the same concurrency, in the same run.")
    print("Peak RSS is the server's peak resident size; in brackets its heap at the end of the run")
    print("(the rest is mostly the database file, mapped into memory once per SQLite connection).")
    print()
    print(
        "| setup | function calls | function calls/s | p50 ms | p99 ms | max ms | all requests/s "
        "| /healthz req/s | /healthz p99 ms | ratio to /healthz | peak RSS | invariants |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    print(row("SQLite, 1 server", sqlite_json, sqlite_peak))
    if pg_json != "-":
        print(row("PostgreSQL, 2 servers", pg_json, pg_peak))


if __name__ == "__main__":
    main()
