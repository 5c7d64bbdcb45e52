#!/usr/bin/env python3
"""Prints the markdown summary table of a benchmark run (called by bench/run.sh).

Usage: summary.py [--open] SQLITE_JSON SQLITE_PEAK_MIB POSTGRES_JSON|- POSTGRES_PEAK|-
       summary.py --ab DIR ROUNDS BASELINE_LABEL
       summary.py --soak JSON MEMORY_SAMPLES PEAK
Each JSON file is a `frontdesk simulate --json` report; `--open` prints the open-loop table,
`--ab` the interleaved comparison (DIR/ab-{old,new}-ROUND-{sqlite,postgres}.json), `--soak` the
soak's memory and latency over time with its verdict.
"""

import json
import os
import statistics
import sys

# A soak's first minutes fill up with calls (a call lasts up to four minutes): memory and latency
# are compared from here on.
SOAK_WARM_UP_S = 240
# Flat memory: RSS at the end of the arrivals at most this much above the RSS after the warm-up.
SOAK_MEMORY_GROWTH = 0.15
# No drift: the last full minutes' p99 at most this many times the first steady minutes'.
SOAK_P99_DRIFT = 1.5


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


def main_ab(directory, rounds, label):
    rounds = int(rounds)
    print("## A/B against the previous binary")
    print()
    print(f"The closed loop once more, the previous binary (`{label}`) and this one taking turns,")
    print("round after round (this machine's speed drifts by ±15 % between runs): function calls per")
    print("second of each run, their median, the p99 of the run nearest the median, and the ratio.")
    print()
    print("| backend | binary | " + " | ".join(f"run {r}" for r in range(1, rounds + 1)) + " | median | p99 ms (median run) | new / old |")
    print("|---|---|" + "---:|" * (rounds + 3))
    for backend, title in (("sqlite", "SQLite, 1 server"), ("postgres", "PostgreSQL, 2 servers")):
        medians = {}
        for side, name in (("old", "previous"), ("new", "this")):
            runs = []
            for r in range(1, rounds + 1):
                path = os.path.join(directory, f"ab-{side}-{r}-{backend}.json")
                if os.path.exists(path):
                    with open(path) as f:
                        runs.append(json.load(f))
            if not runs:
                continue
            rates = [x["function_calls_per_s"] for x in runs]
            median = statistics.median(rates)
            medians[side] = median
            median_run = min(runs, key=lambda x: abs(x["function_calls_per_s"] - median))
            cells = " | ".join(f"{x:.0f}" for x in rates) + " | -" * (rounds - len(rates))
            ratio = f"{medians['new'] / medians['old']:.2f}×" if side == "new" and "old" in medians else ""
            print(f"| {title if side == 'old' else ''} | {name} | {cells} | {median:.0f} | {median_run['functions']['p99_ms']:.1f} | {ratio} |")


def main_soak(report_path, memory_path, peak):
    with open(report_path) as f:
        r = json.load(f)
    samples = []
    if os.path.exists(memory_path):
        with open(memory_path) as f:
            for line in f:
                parts = line.split(maxsplit=1)
                if len(parts) == 2:
                    samples.append((int(parts[0]), parts[1].strip()))
    servers = len(r["servers"])
    title = "SQLite, 1 server" if servers == 1 else f"PostgreSQL, {servers} servers"
    failed = [c["name"] for c in r["checks"] if not c["ok"]]
    if r["errors"]["count"]:
        failed.insert(0, f"{r['errors']['count']} requests failed")
    print(f"## Soak: {title}")
    print()
    print(f"{r['calls']} calls arriving at {r.get('rate')}/s, at most {r.get('peak_live_calls')} live at once;"
          f" {r['function_calls']} function calls, p50 {r['functions']['p50_ms']:.2f} ms,"
          f" p99 {r['functions']['p99_ms']:.2f} ms, p99.9 {r['functions']['p999_ms']:.2f} ms;"
          f" peak RSS {peak} MiB; invariants: {'all hold' if not failed else 'FAILED: ' + '; '.join(failed)}.")
    print()

    def rss_of(cell):
        # "RSS / PSS" per server, comma-separated: the largest RSS.
        values = []
        for part in cell.split(","):
            try:
                values.append(float(part.split("/")[0]))
            except ValueError:
                pass
        return max(values) if values else None

    # After the last arrival the calls drain: load falls, so that stretch is left out.
    arrivals_end = r["calls"] / r["rate"] if r.get("rate") else r["elapsed_s"]
    steady = [(t, rss_of(c)) for t, c in samples if SOAK_WARM_UP_S <= t <= arrivals_end and rss_of(c)]
    windows = [w for w in r.get("windows", []) if w["from_s"] + w["length_s"] <= arrivals_end]
    steady_windows = [w for w in windows if w["from_s"] >= SOAK_WARM_UP_S]
    verdicts = []
    if len(steady) >= 2:
        first, last, top = steady[0][1], steady[-1][1], max(v for _, v in steady)
        growth = (last - first) / first
        verdicts.append(("memory flat after the warm-up", growth <= SOAK_MEMORY_GROWTH,
                         f"RSS {first} MiB at {steady[0][0]} s, {last} MiB at {steady[-1][0]} s ({100 * growth:+.0f} %), at most {top} MiB"))
    if len(steady_windows) >= 4:
        early = max(w["p99_ms"] for w in steady_windows[:2])
        late = max(w["p99_ms"] for w in steady_windows[-2:])
        verdicts.append(("no latency drift", late <= SOAK_P99_DRIFT * early,
                         f"p99 {early:.2f} ms in the first steady minutes, {late:.2f} ms in the last"))
    print("| check | held | detail |")
    print("|---|---|---|")
    for name, ok, detail in verdicts:
        print(f"| {name} | {'yes' if ok else 'NO'} | {detail} |")
    print()
    print("Memory every minute (MiB, RSS / PSS per server; the sampler takes one every 10 s):")
    print()
    print("| s | RSS / PSS |")
    print("|---:|---|")
    for t, cell in samples:
        if t % 60 < 10:
            print(f"| {t} | {cell} |")
    print()
    print("Function-call latency minute by minute (by intended send time):")
    print()
    print("| minute from | count | p50 ms | p99 ms | p99.9 ms | max ms |")
    print("|---:|---:|---:|---:|---:|---:|")
    for w in r.get("windows", []):
        print(f"| {w['from_s']} s | {w['count']} | {w['p50_ms']:.2f} | {w['p99_ms']:.2f} | {w['p999_ms']:.2f} | {w['max_ms']:.2f} |")


def main():
    if sys.argv[1] == "--open":
        main_open(*sys.argv[2:6])
        return
    if sys.argv[1] == "--ab":
        main_ab(*sys.argv[2:5])
        return
    if sys.argv[1] == "--soak":
        main_soak(*sys.argv[2:5])
        return
    sqlite_json, sqlite_peak, pg_json, pg_peak = sys.argv[1:5]
    print("## Figures")
    print()
    print("Function calls are the Retell custom-function requests; all requests include webhooks and")
    print("admin reads. The baseline is `GET /healthz` at the same concurrency, in the same run.")
    print("Peak RSS is the server's peak resident size; in brackets its heap at the end of the run")
    print("(the rest is mostly the binary's code and libraries).")
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
