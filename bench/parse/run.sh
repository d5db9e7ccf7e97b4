#!/usr/bin/env bash
# bench/parse: load and validate workflows with runnel and with GitHub's TypeScript parser
# (@actions/workflow-parser 0.3.61 under Node), same files, same run, both in process.
# The files: the workflow of each of the 195 workflow-parser conformance cases, plus a
# generated workflow of 500 jobs (needs chains, matrices, expressions, many steps).
# Prints both rates (files/s) and the ratio for each set.
# usage: bench/parse/run.sh [SECONDS=10]   (needs `cd tests/node && npm ci` once)
set -euo pipefail
seconds=${1:-10}
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
shared=${RUNNEL_SHARED:-$(cd "$src/.." && pwd)/shared}
build=${RUNNEL_BENCH_BUILD:-$src/build-bench}

if [[ ! -d $src/tests/node/node_modules/@actions/workflow-parser ]]; then
    echo "bench/parse: run 'cd tests/node && npm ci' first (the TypeScript parser)" >&2
    exit 2
fi
cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DRUNNEL_BENCH=ON \
    -DRUNNEL_TESTS=OFF >/dev/null
cmake --build "$build" -j2 --target parse_bench >/dev/null

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/conformance" "$tmp/large"
/usr/bin/python3 - "$shared/conformance/workflow-parser" "$tmp" <<'PY'
import os, re, sys
src, out = sys.argv[1:]
for name in sorted(os.listdir(src)):
    docs = re.split(r"\r?\n---\r?\n", open(os.path.join(src, name)).read())
    with open(os.path.join(out, "conformance", name), "w") as f:
        f.write(docs[1])
# a generated workflow of 500 jobs
lines = ["name: large", "on:", "  push:", "    branches: [main, 'releases/**']",
         "    paths-ignore: ['docs/**']", "  pull_request:", "env:", "  GLOBAL: value", "jobs:"]
for i in range(500):
    lines.append(f"  job_{i}:")
    lines.append(f"    name: Job {i} ${{{{ github.ref }}}}")
    if i > 0:
        needs = sorted({(i - 1), (i * 7) % i})
        lines.append("    needs: [" + ", ".join(f"job_{n}" for n in needs) + "]")
    lines.append("    runs-on: ${{ matrix.os }}")
    lines.append("    if: github.event_name == 'push' || contains(github.ref, 'release')")
    lines.append("    strategy:")
    lines.append("      fail-fast: false")
    lines.append("      matrix:")
    lines.append("        os: [ubuntu-latest, ubuntu-22.04]")
    lines.append("        node: [18, 20]")
    lines.append("        include:")
    lines.append("          - os: ubuntu-latest")
    lines.append("            experimental: true")
    lines.append("    env:")
    lines.append(f"      JOB_INDEX: {i}")
    lines.append("    outputs:")
    lines.append("      result: ${{ steps.build.outputs.result }}")
    lines.append("    steps:")
    lines.append("      - uses: actions/checkout@v4")
    lines.append("      - uses: actions/setup-node@v4")
    lines.append("        with:")
    lines.append("          node-version: ${{ matrix.node }}")
    lines.append("      - id: build")
    lines.append("        run: |")
    lines.append("          echo building ${{ matrix.os }} with node ${{ matrix.node }}")
    lines.append("          echo \"result=ok\" >> \"$GITHUB_OUTPUT\"")
    lines.append("        env:")
    lines.append("          TOKEN: ${{ secrets.GITHUB_TOKEN }}")
    lines.append("      - run: npm test")
    lines.append("        if: ${{ success() && matrix.node == 20 }}")
    lines.append("        continue-on-error: ${{ matrix.experimental == true }}")
    lines.append("        timeout-minutes: 10")
with open(os.path.join(out, "large", "large.yml"), "w") as f:
    f.write("\n".join(lines) + "\n")
PY

node_version=$(node --version)
bench_set() {
    local label=$1
    shift
    echo "== $label: $# file(s), ${seconds}s each (node $node_version)"
    local r_out t_out r_rate t_rate
    r_out=$("$build/bench/parse/parse_bench" "$seconds" "$@")
    echo "$r_out" | grep -v '^RUNNEL_'
    t_out=$(cd "$here" && node --import ./json-hook.mjs ts_bench.mjs "$seconds" "$@")
    echo "$t_out" | grep -v '^TS_'
    r_rate=$(echo "$r_out" | sed -n 's/^RUNNEL_RATE=\([0-9.]*\).*/\1/p')
    t_rate=$(echo "$t_out" | sed -n 's/^TS_RATE=\([0-9.]*\).*/\1/p')
    awk -v r="$r_rate" -v t="$t_rate" -v l="$label" \
        'BEGIN { printf "%s ratio: runnel/typescript = %.1fx\n", l, r / t }'
}
bench_set "conformance workflows" "$tmp"/conformance/*.yml
bench_set "500-job workflow" "$tmp/large/large.yml"
