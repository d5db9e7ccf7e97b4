#!/usr/bin/env bash
# bench/steps (end to end): one job of N `run: true` steps run by `runnel run` (default sandbox,
# everything included: YAML, planning, script files, logging, masking), against the same N
# commands run by a plain shell loop (`bash -c true` N times), in the same run; and the same
# workflow with --sandbox none. Target: runnel with the default sandbox within 2x the plain loop.
# Usage: bench/steps/workflow.sh [N]   (default 200)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
n=${1:-200}
build=${RUNNEL_BENCH_BUILD:-$src/build-bench}
work=$(mktemp -d /tmp/runnel-bench-wf-XXXXXX)
trap 'rm -rf "$work"' EXIT

cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DRUNNEL_TESTS=OFF >/dev/null
cmake --build "$build" -j2 --target runnel >/dev/null
runnel=$build/runner/runnel

mkdir -p "$work/repo/.github/workflows"
{
  printf 'name: steps\non: push\njobs:\n  many:\n    runs-on: ubuntu-latest\n    steps:\n'
  for ((i = 0; i < n; i++)); do printf '      - run: true\n'; done
} > "$work/repo/.github/workflows/steps.yml"
(cd "$work/repo" && git init -q -b main && git -c user.name=b -c user.email=b@b add -A &&
  git -c user.name=b -c user.email=b@b commit -q -m bench)

now() { date +%s.%N; }
best() { printf '%s\n' "$@" | sort -g | head -n 1; }
plain=() default=() none=()
for round in 1 2 3; do
  t0=$(now); for ((i = 0; i < n; i++)); do bash -c true; done; t1=$(now)
  plain+=("$(echo "$t1 - $t0" | bc)")
  t0=$(now); (cd "$work/repo" && "$runnel" run push --run-dir "$work/run-d-$round" > /dev/null); t1=$(now)
  default+=("$(echo "$t1 - $t0" | bc)")
  t0=$(now); (cd "$work/repo" && "$runnel" run push --sandbox none --run-dir "$work/run-n-$round" > /dev/null); t1=$(now)
  none+=("$(echo "$t1 - $t0" | bc)")
done
p=$(best "${plain[@]}"); d=$(best "${default[@]}"); x=$(best "${none[@]}")
awk -v n="$n" -v p="$p" -v d="$d" -v x="$x" 'BEGIN {
  printf "plain loop (bash -c true x%d):            %7.3f s  %6.2f ms/step\n", n, p, p * 1000 / n
  printf "runnel run, default sandbox (%d steps):   %7.3f s  %6.2f ms/step\n", n, d, d * 1000 / n
  printf "runnel run, --sandbox none (%d steps):    %7.3f s  %6.2f ms/step\n", n, x, x * 1000 / n
  printf "ratio default/plain: %.2fx (target <= 2x); --sandbox none per step: %+.2f ms over plain\n", d / p, (x - p) * 1000 / n
}'
