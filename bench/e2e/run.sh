#!/usr/bin/env bash
# bench/e2e: wall time of the demo's CI workflow (train, evaluate/report, publish) under
# `runnel run`, against the same steps run directly by a shell script, in the same run and on
# the same scratch project (make demo's). Target: runnel within 1.2x of the script.
# Usage: bench/e2e/run.sh [ROUNDS]   (default 3; the best round of each is compared)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
rounds=${1:-3}
build=${RUNNEL_BENCH_BUILD:-$src/build-bench}
data=${RUNNEL_DATA:-${RUNNEL_SHARED:-$src/../shared}/data/drug200.csv}
work=$(mktemp -d /tmp/runnel-bench-e2e-XXXXXX)
trap 'rm -rf "$work"' EXIT

cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DRUNNEL_TESTS=OFF >/dev/null
cmake --build "$build" -j2 --target runnel >/dev/null
runnel=$build/runner/runnel
export PATH="$(dirname "$runnel"):/usr/bin:/bin:$PATH"

setup() { # setup DIR: a fresh project with its own bare origin
  local dir=$1
  rm -rf "$dir"
  mkdir -p "$dir"
  git init -q --bare -b main "$dir/origin.git"
  cp -r "$src/workflows/ml-example" "$dir/project"
  mkdir -p "$dir/project/data" && cp "$data" "$dir/project/data/"
  (cd "$dir/project" && git init -q -b main && git remote add origin "$dir/origin.git" &&
    git -c user.name=b -c user.email=b@b add -A && git -c user.name=b -c user.email=b@b commit -q -m bench &&
    git push -q origin main)
}

now() { date +%s.%N; }
best() { printf '%s\n' "$@" | sort -g | head -n 1; }
script_times=() runnel_times=()
for ((r = 1; r <= rounds; r++)); do
  setup "$work/s"
  t0=$(now)
  (
    cd "$work/s/project"
    set -e
    python3 -c 'import sklearn, pandas, joblib'
    python3 train.py > /dev/null
    runnel report --predictions results/predictions.csv --title "Drug classification" --out results/report > /dev/null
    runnel publish --branch results --path model --path results --message "Model and results" --tag "model-$(git rev-parse --short=7 HEAD)" > /dev/null 2>&1
  )
  t1=$(now)
  script_times+=("$(echo "$t1 - $t0" | bc)")

  setup "$work/r"
  t0=$(now)
  (cd "$work/r/project" && runnel run push -W .github/workflows/ci.yml --rw "$work/r/origin.git" \
    --run-dir "$work/r/run" > /dev/null)
  t1=$(now)
  runnel_times+=("$(echo "$t1 - $t0" | bc)")
done
s=$(best "${script_times[@]}")
n=$(best "${runnel_times[@]}")
awk -v s="$s" -v n="$n" 'BEGIN {
  printf "shell script (train, report, publish):   %6.2f s\n", s
  printf "runnel run (the CI workflow, sandboxed): %6.2f s\n", n
  printf "ratio runnel/script: %.2fx (target <= 1.2x)\n", n / s
}'
