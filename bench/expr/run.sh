#!/usr/bin/env bash
# bench/expr: runnel's expression engine against GitHub's TypeScript engine
# (@actions/expressions 0.3.61, run by Node), on the 1020 conformance expressions.
#   1. in process: lex + parse + evaluate, contexts already loaded, for SECONDS each
#   2. end to end: `runnel expr --jsonl` against the same job done by Node (JSON lines in,
#      JSON lines out), on ROUNDS copies of the cases
# Prints both rates and the ratios; runnel's resident memory after warm-up and at the end of
# the in-process run shows it does not grow with the number of evaluations.
# usage: bench/expr/run.sh [SECONDS=10] [ROUNDS=100]   (needs `cd tests/node && npm ci` once)
set -euo pipefail
seconds=${1:-10}
rounds=${2:-100}
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
shared=${RUNNEL_SHARED:-$(cd "$src/.." && pwd)/shared}
cases_dir=$shared/conformance/expressions
build=${RUNNEL_BENCH_BUILD:-$src/build-bench}

if [[ ! -d $src/tests/node/node_modules/@actions/expressions ]]; then
    echo "bench/expr: run 'cd tests/node && npm ci' first (the TypeScript engine)" >&2
    exit 2
fi
cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DRUNNEL_BENCH=ON \
    -DRUNNEL_TESTS=OFF >/dev/null
cmake --build "$build" -j2 --target expr_bench runnel >/dev/null

echo "== in process, ${seconds}s each (node $(node --version))"
r_out=$("$build/bench/expr/expr_bench" "$cases_dir" "$seconds")
echo "$r_out" | grep -v '^RUNNEL_'
t_out=$(node "$here/ts_bench.mjs" inprocess "$cases_dir" "$seconds")
echo "$t_out" | grep -v '^TS_'
r_rate=$(echo "$r_out" | sed -n 's/.*RUNNEL_RATE=\([0-9]*\).*/\1/p')
r_best=$(echo "$r_out" | sed -n 's/.*RUNNEL_BEST=\([0-9]*\).*/\1/p')
t_best=$(echo "$t_out" | sed -n 's/.*TS_BEST=\([0-9]*\).*/\1/p')
r_cpu=$(echo "$r_out" | sed -n 's/.*RUNNEL_CPU_RATE=\([0-9]*\).*/\1/p')
t_cpu=$(echo "$t_out" | sed -n 's/.*TS_CPU_RATE=\([0-9]*\).*/\1/p')
rss_warm=$(echo "$r_out" | sed -n 's/.*RUNNEL_RSS_WARM=\([0-9]*\).*/\1/p')
rss_mid=$(echo "$r_out" | sed -n 's/.*RUNNEL_RSS_MID=\([0-9]*\).*/\1/p')
rss_end=$(echo "$r_out" | sed -n 's/.*RUNNEL_RSS_END=\([0-9]*\).*/\1/p')
t_rate=$(echo "$t_out" | sed -n 's/.*TS_RATE=\([0-9]*\).*/\1/p')
awk -v r="$r_rate" -v t="$t_rate" -v rb="$r_best" -v tb="$t_best" -v rc="$r_cpu" -v tc="$t_cpu" 'BEGIN {
    printf "in-process ratio: runnel/typescript = %.1fx wall-clock average, %.1fx best half second to best half second, %.1fx per CPU second\n", r / t, rb / tb, rc / tc }'
echo "runnel memory: ${rss_warm} kB after warm-up, ${rss_mid} kB at half time, ${rss_end} kB at the end"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
/usr/bin/python3 - "$cases_dir" "$tmp/one.jsonl" <<'PY'
import json, os, sys
src, out = sys.argv[1:]
with open(out, "w") as f:
    for name in sorted(os.listdir(src)):
        if name.endswith(".json"):
            for group in json.load(open(os.path.join(src, name))).values():
                for c in group:
                    f.write(json.dumps({"expr": c["expr"], "contexts": c.get("contexts", {})}) + "\n")
PY
for ((i = 0; i < rounds; i++)); do cat "$tmp/one.jsonl"; done >"$tmp/cases.jsonl"
lines=$(wc -l <"$tmp/cases.jsonl")

echo "== end to end, $lines JSON lines through each"
t0=$(date +%s.%N)
"$build/runner/runnel" expr --jsonl <"$tmp/cases.jsonl" >"$tmp/runnel.out" || true
t1=$(date +%s.%N)
node "$here/ts_bench.mjs" jsonl <"$tmp/cases.jsonl" >"$tmp/node.out"
t2=$(date +%s.%N)
awk -v a="$t0" -v b="$t1" -v c="$t2" -v n="$lines" 'BEGIN {
    r = n / (b - a); t = n / (c - b);
    printf "runnel expr --jsonl: %.2f s = %.0f lines/s\n", b - a, r;
    printf "node (typescript):   %.2f s = %.0f lines/s\n", c - b, t;
    printf "end-to-end ratio: runnel/typescript = %.1fx\n", r / t }'
echo "output lines: runnel $(wc -l <"$tmp/runnel.out"), node $(wc -l <"$tmp/node.out")"
