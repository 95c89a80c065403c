#!/usr/bin/env bash
# The caller-latency target's reading over several processes, not one.
#
#   benchmarks/latency.sh [processes] [libraries...]
#   e.g. benchmarks/latency.sh 8 StructuredLog StructuredLogCoarseClock NLog
#
# Runs `latency --producers 4 --library X` in a fresh process per library per round (libraries alternated round by
# round) and prints, per library, the median, lowest and highest of the processes' p99.9 and of their "first call of a
# burst" p50. The same code's p99.9 spans about 3x from one process to the next on the 2-core test machine
# (docs/benchmarks-history.md, "Session 24", item 3), so one run says little about the 1 µs target.
set -euo pipefail

processes=${1:-8}
shift $(( $# >= 1 ? 1 : 0 ))
libraries=("$@")
if [ ${#libraries[@]} -eq 0 ]; then libraries=(StructuredLog StructuredLogCoarseClock); fi

root=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
dll=$root/benchmarks/StructuredLog.Benchmarks/bin/Release/net10.0/StructuredLog.Benchmarks.dll
dotnet build -c Release "$root/benchmarks/StructuredLog.Benchmarks" -v q -nologo >/dev/null

results=$(mktemp /tmp/sl-latency.XXXXXX)
for ((i = 1; i <= processes; i++)); do
  for library in "${libraries[@]}"; do
    # "| StructuredLog | 61 | 141 | 281 | 1483 | 520372 | 400,000 | 401 | 390 |" -> library p99.9 first-call-p50
    line=$(dotnet "$dll" latency --producers 4 --library "$library" 2>&1 | grep "^| $library |") ||
      { echo "latency printed no result line for $library" >&2; exit 1; }
    echo "$line" | awk -F'|' '{ gsub(/ /, "", $2); gsub(/ /, "", $6); gsub(/ /, "", $9); print $2, $6, $9 }' >> "$results"
  done
  echo "# process round $i of $processes done" >&2
done

echo "# latency --producers 4, $processes processes per library, load $(cut -d' ' -f1-3 /proc/loadavg); raw: $results"
echo "| library | p99.9 ns, median | lowest | highest | first call of a burst p50 ns, median | processes |"
echo "|---|---:|---:|---:|---:|---:|"
for library in "${libraries[@]}"; do
  awk -v l="$library" '$1 == l { print $2 }' "$results" | sort -n > "$results.p999"
  awk -v l="$library" '$1 == l { print $3 }' "$results" | sort -n > "$results.first"
  n=$(wc -l < "$results.p999")
  median() { awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }' "$1"; }
  echo "| $library | $(median "$results.p999") | $(head -1 "$results.p999") | $(tail -1 "$results.p999") | $(median "$results.first") | $n |"
done
rm -f "$results.p999" "$results.first"
