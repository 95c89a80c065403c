#!/usr/bin/python3
"""Turns BenchmarkDotNet's CSV export of StructuredLog.Benchmarks into PNG charts, offline.

usage: /usr/bin/python3 benchmarks/plot.py <BDN results dir> <output dir>

Reads StructuredLog.Benchmarks.PeerEndToEndBenchmarks-report.csv and
StructuredLog.Benchmarks.PeerCallerBenchmarks-report.csv (the CSV exporter configured in
BenchmarkConfig: times in ns, no units in the cells) and writes:
  endtoend.png  - events/s end-to-end (JSON lines to a file, until disposed) by library and workload
  producers.png - caller ns per enabled call by producer count and library
  tables.md     - every CSV found, as markdown tables (library x workload), for docs/benchmarks.md
Needs matplotlib (Debian: apt-get install -y python3-matplotlib); uses the Agg backend (no display).
"""
import csv
import glob
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

LIBRARIES = ["StructuredLog", "ZLogger", "Serilog", "NLog", "MelLoggerMessage"]
# StructuredLog configured otherwise: in the tables, and thread lanes also in the producers chart (where they matter).
EXTRA_CASES = ["StructuredLogCoarseClock", "StructuredLogThreadLanes"]
COLOURS = {"StructuredLog": "#1f77b4", "ZLogger": "#ff7f0e", "Serilog": "#2ca02c", "NLog": "#d62728", "MelLoggerMessage": "#9467bd",
           "StructuredLogThreadLanes": "#17becf"}


def full_name(library):
    """BenchmarkDotNet shortens long parameter values in its CSV ("Struc(...)Clock [24]"): the library they stand for."""
    for name in LIBRARIES + EXTRA_CASES:
        if library == name or (library.startswith(name[:5] + "(...)") and library.split(" [")[0].endswith(name[-5:])):
            return name
    return library


def read(results_dir, name):
    """Rows of one benchmark class: its own CSV, else its rows of a joined summary (--join)."""
    path = os.path.join(results_dir, f"StructuredLog.Benchmarks.{name}-report.csv")
    rows = []
    if os.path.exists(path):
        with open(path, newline="") as f:
            rows = list(csv.DictReader(f))
    else:
        for joined in sorted(glob.glob(os.path.join(results_dir, "BenchmarkRun-joined-*-report.csv")), reverse=True):
            with open(joined, newline="") as f:
                rows = [r for r in csv.DictReader(f) if r.get("Type") == name]
            if rows:
                break
    for r in rows:
        if "Library" in r:
            r["Library"] = full_name(r["Library"])
    return rows


def exists(results_dir, name):
    return len(read(results_dir, name)) > 0


def number(cell):
    cell = (cell or "").replace(",", "").strip()
    try:
        return float(cell)
    except ValueError:
        return None


def end_to_end(results_dir, out_dir):
    rows = read(results_dir, "PeerEndToEndBenchmarks")
    if not rows:
        sys.exit("no PeerEndToEndBenchmarks results: run the benchmarks first (see docs/benchmarks.md)")
    workloads = [w for w in ["Plain", "Exception", "ScopeTrace"] if any(r["Workload"] == w for r in rows)]
    fig, ax = plt.subplots(figsize=(9, 4.8))
    width = 0.8 / len(LIBRARIES)
    for i, lib in enumerate(LIBRARIES):
        values = []
        for w in workloads:
            match = [r for r in rows if r["Library"] == lib and r["Workload"] == w]
            ns = number(match[0]["Median [ns]"]) if match else None
            values.append(1e9 / ns / 1e6 if ns else 0)
        xs = [k + (i - (len(LIBRARIES) - 1) / 2) * width for k in range(len(workloads))]
        bars = ax.bar(xs, values, width, label=lib, color=COLOURS[lib])
        ax.bar_label(bars, fmt="%.2f", fontsize=7, padding=2)
    ax.set_xticks(range(len(workloads)), workloads)
    ax.set_ylabel("million events / s (median, higher is better)")
    ax.set_title("End-to-end: JSON lines to a file, until flushed and disposed")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(os.path.join(out_dir, "endtoend.png"), dpi=110)


def producers(results_dir, out_dir):
    rows = read(results_dir, "PeerCallerBenchmarks")
    if not rows:
        sys.exit("no PeerCallerBenchmarks results: run the benchmarks first (see docs/benchmarks.md)")
    counts = sorted({int(r["Producers"]) for r in rows})
    fig, ax = plt.subplots(figsize=(9, 4.8))
    shown = LIBRARIES + [lib for lib in ["StructuredLogThreadLanes"] if any(r["Library"] == lib for r in rows)]
    width = 0.8 / len(shown)
    for i, lib in enumerate(shown):
        values = []
        for p in counts:
            match = [r for r in rows if r["Library"] == lib and int(r["Producers"]) == p]
            values.append(number(match[0]["Median [ns]"]) if match else 0)
        xs = [k + (i - (len(shown) - 1) / 2) * width for k in range(len(counts))]
        bars = ax.bar(xs, values, width, label=lib, color=COLOURS[lib])
        ax.bar_label(bars, fmt="%.0f", fontsize=7, padding=2)
    ax.set_xticks(range(len(counts)), [f"{p} producer{'s' if p > 1 else ''}" for p in counts])
    ax.set_ylabel("ns per enabled call (median, lower is better)")
    ax.set_title("Caller cost: 3-argument call into the async path, null target")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(os.path.join(out_dir, "producers.png"), dpi=110)


def fmt(x, digits):
    return "n/a" if x is None else f"{x:,.{digits}f}"


def tables(results_dir, out_dir):
    out = []
    if exists(results_dir, "CoreBenchmarks"):
        out.append("| StructuredLog call | median ns | mean ns | allocated B |\n|---|---:|---:|---:|")
        for r in read(results_dir, "CoreBenchmarks"):
            out.append(f"| {r['Method'].strip(chr(39))} | {fmt(number(r['Median [ns]']), 2)} | {fmt(number(r['Mean [ns]']), 2)} | {r['Allocated [B]']} |")
        out.append("")
    if exists(results_dir, "CostBreakdownBenchmarks"):
        out.append("| piece | median ns | allocated B |\n|---|---:|---:|")
        for r in read(results_dir, "CostBreakdownBenchmarks"):
            out.append(f"| {r['Method'].strip(chr(39))} | {fmt(number(r['Median [ns]']), 2)} | {r['Allocated [B]']} |")
        out.append("")
    rows_d = read(results_dir, "PeerDisabledBenchmarks")
    rows_c = read(results_dir, "PeerCallerBenchmarks")
    rows_e = read(results_dir, "PeerEndToEndBenchmarks")
    out.append("| Library | disabled ns | enabled ns, 1 producer | 2 producers | 4 producers | caller B/call |\n|---|---:|---:|---:|---:|---:|")
    for lib in LIBRARIES + EXTRA_CASES:
        d = [r for r in rows_d if r["Library"] == lib]
        cells = [fmt(number(d[0]["Median [ns]"]), 2) if d else "n/a"]
        alloc = "n/a"
        for p in (1, 2, 4):
            c = [r for r in rows_c if r["Library"] == lib and int(r["Producers"]) == p]
            cells.append(fmt(number(c[0]["Median [ns]"]), 1) if c else "n/a")
            if p == 1 and c:
                alloc = c[0]["Allocated [B]"]
        out.append(f"| {lib} | " + " | ".join(cells) + f" | {alloc} |")
    out.append("")
    out.append("| Library | Workload | M events/s (median) | ns/event (median) | ns/event (mean ± sd) | B allocated/event |\n|---|---|---:|---:|---:|---:|")
    for w in ["Plain", "Exception", "ScopeTrace"]:
        for lib in LIBRARIES + EXTRA_CASES:
            e = [r for r in rows_e if r["Library"] == lib and r["Workload"] == w]
            if not e:
                continue
            med = number(e[0]["Median [ns]"])
            out.append(f"| {lib} | {w} | {fmt(1e3 / med if med else None, 2)} | {fmt(med, 0)} | {fmt(number(e[0]['Mean [ns]']), 0)} ± {fmt(number(e[0]['StdDev [ns]']), 0)} | {e[0]['Allocated [B]']} |")
    with open(os.path.join(out_dir, "tables.md"), "w") as f:
        f.write("\n".join(out) + "\n")


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    results_dir, out_dir = sys.argv[1], sys.argv[2]
    os.makedirs(out_dir, exist_ok=True)
    end_to_end(results_dir, out_dir)
    producers(results_dir, out_dir)
    tables(results_dir, out_dir)
    print(f"wrote endtoend.png, producers.png and tables.md in {out_dir}")


if __name__ == "__main__":
    main()
