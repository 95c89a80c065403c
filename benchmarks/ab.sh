#!/usr/bin/env bash
# A/B of the end-to-end pipeline between a base commit and the working tree, outside BenchmarkDotNet.
#
#   benchmarks/ab.sh <base-rev> [rounds] [profile arguments...]
#   e.g. benchmarks/ab.sh HEAD~3 8 --events 2000000 --repeat 5 --workload ScopeTrace
#   benchmarks/ab.sh --caller <base-rev> [rounds]
#
# With --caller it runs `callercost --bursts 200` instead (the calling thread's cost, CoreBenchmarks' cases outside
# BenchmarkDotNet) and prints, for each enabled case, the median of the processes' medians on each side and in how
# many rounds the new side's median was the lower. Whole processes of this machine run in a fast or a slow mode, so
# compare many alternated processes, not one of each (docs/benchmarks-history.md, "Session 22").
#
# Builds <base-rev> in a temporary git worktree and the working tree as it is, then runs the benchmark
# project's `profile` command alternately (base, new, base, new, ...) and prints, for each side, the
# median and quartiles of events/s and of CPU per event (all threads) over the last three repeats of
# every run. This machine switches between a fast and a slow CPU state for minutes at a time, so one
# run of each says little; alternating many short runs and comparing medians is what resolved changes
# of 5-10 % in sessions 18 and 19 (see docs/benchmarks-history.md).
set -euo pipefail

mode=profile
if [ "${1:-}" = "--caller" ]; then mode=caller; shift; fi
if [ $# -lt 1 ]; then
  echo "usage: $0 <base-rev> [rounds] [profile arguments...] | $0 --caller <base-rev> [rounds]" >&2
  exit 2
fi
base_rev=$1
rounds=${2:-6}
shift $(( $# >= 2 ? 2 : 1 ))
profile_args=("$@")
if [ ${#profile_args[@]} -eq 0 ]; then profile_args=(--events 2000000 --repeat 5); fi

root=$(git rev-parse --show-toplevel)
worktree=$(mktemp -d /tmp/sl-ab-base.XXXXXX)
cleanup() { git -C "$root" worktree remove --force "$worktree" >/dev/null 2>&1 || true; git -C "$root" worktree prune; }
trap cleanup EXIT

git -C "$root" worktree add --detach -f "$worktree" "$base_rev" >/dev/null
echo "# building base ($(git -C "$root" rev-parse --short "$base_rev")) and new (working tree)" >&2
dotnet build -c Release "$worktree/benchmarks/StructuredLog.Benchmarks" -v q -nologo >/dev/null
dotnet build -c Release "$root/benchmarks/StructuredLog.Benchmarks" -v q -nologo >/dev/null

dll=benchmarks/StructuredLog.Benchmarks/bin/Release/net10.0/StructuredLog.Benchmarks.dll
results=$(mktemp /tmp/sl-ab-results.XXXXXX)
for ((i = 1; i <= rounds; i++)); do
  for side in base new; do
    dir=$root
    [ "$side" = base ] && dir=$worktree
    if [ "$mode" = caller ]; then
      # "Enabled 3 args, template, coarse clock        median   13.26 ns   p10   12.57 ..." -> side round case median
      dotnet "$dir/$dll" callercost --bursts 200 2>&1 | grep '^Enabled' |
        awk -v s="$side" -v r="$i" '{ name = ""; for (k = 1; k <= NF && $k != "median"; k++) name = name (name == "" ? "" : "_") $k
          print s, r, name, $(k + 1) }' >> "$results"
    else
      # "StructuredLog Plain: 3.52 M events/s, 539 ns CPU/event (all threads), ..."
      dotnet "$dir/$dll" profile "${profile_args[@]}" 2>&1 | grep 'M events/s' | tail -3 |
        awk -v s="$side" '{ print s, $3, $6 }' >> "$results"
    fi
  done
  echo "# round $i of $rounds done" >&2
done

summary() { # side column label
  awk -v s="$1" -v c="$2" '$1 == s { print $c }' "$results" | sort -n |
    awk -v s="$1" -v l="$3" '{ v[NR] = $1 } END {
      if (NR == 0) { print s, l, "no data"; exit }
      printf "%-4s %-22s median %s  (p25 %s, p75 %s, n=%d)\n", s, l, v[int((NR + 1) / 2)], v[int((NR + 3) / 4)], v[int((3 * NR + 3) / 4)], NR }'
}
if [ "$mode" = caller ]; then
  echo "# callercost --bursts 200; $rounds rounds; ns per call, median of the processes' medians; raw: $results"
  awk '{ v[$1 " " $3] = v[$1 " " $3] " " $4; r[$1 " " $2 " " $3] = $4; cases[$3] = 1; rounds[$2] = 1 }
    function med(list,   a, n, i, j, t) { n = split(list, a, " ")
      for (i = 2; i <= n; i++) { t = a[i] + 0; for (j = i - 1; j >= 1 && a[j] + 0 > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
      return n ? a[int((n + 1) / 2)] : "-" }
    END { for (c in cases) { lower = 0; pairs = 0
            for (x in rounds) if (("base " x " " c) in r && ("new " x " " c) in r) { pairs++; if (r["new " x " " c] + 0 < r["base " x " " c] + 0) lower++ }
            printf "%-45s base %8s  new %8s  new lower in %d of %d rounds\n", c, med(v["base " c]), med(v["new " c]), lower, pairs } }' "$results" | sort
  exit 0
fi
echo "# profile ${profile_args[*]}; $rounds rounds; raw: $results"
summary base 2 "M events/s"
summary new 2 "M events/s"
summary base 3 "ns CPU/event"
summary new 3 "ns CPU/event"
