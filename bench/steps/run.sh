#!/usr/bin/env bash
# bench/steps: a job of 200 `run: true` steps through runnel's per-job sandbox (default level),
# against the same 200 commands run by a plain shell loop (`bash -c true` 200 times), in the
# same run; also the per-step overhead with --sandbox none. Target: default sandbox <= 2x the
# plain loop.
#
# The steps are driven through runnel's exec module by a small C driver (steps_driver.c) built
# here against a Release build of the library; it does what the step runner (src/run/step.c)
# does per step (script file, GitHub's bash command line, captured output, timeout), so it
# measures the launch path, not YAML loading or logging (bench/steps/workflow.sh times the whole
# `runnel run`).
#
# Usage: bench/steps/run.sh [N]   (default 200)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
n=${1:-200}
build=${RUNNEL_BENCH_BUILD:-$src/build-bench}
work=$(mktemp -d /tmp/runnel-bench-steps-XXXXXX)
trap 'rm -rf "$work"' EXIT

cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DRUNNEL_TESTS=OFF >/dev/null
cmake --build "$build" -j2 --target rn_exec >/dev/null
cc -O2 -std=c11 -D_GNU_SOURCE -I "$src/src" "$here/steps_driver.c" \
  "$build/src/exec/librn_exec.a" "$build/src/util/librn_util.a" \
  $(pkg-config --libs libcjson) $(pkg-config --libs libseccomp 2>/dev/null || true) \
  -o "$work/steps_driver"

now() { date +%s.%N; }
t0=$(now)
for ((i = 0; i < n; i++)); do bash -c true; done
t1=$(now)
plain=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')

out=$("$work/steps_driver" default "$n")
dsetup=$(echo "$out" | awk '/^setup/ {print $2}')
dsteps=$(echo "$out" | awk '/^steps/ {print $2}')
out=$("$work/steps_driver" none "$n")
nsteps=$(echo "$out" | awk '/^steps/ {print $2}')

awk -v n="$n" -v plain="$plain" -v ds="$dsetup" -v dt="$dsteps" -v nt="$nsteps" 'BEGIN {
  printf "plain loop (bash -c true x%d):          %7.3f s  %6.2f ms/step\n", n, plain, plain * 1000 / n
  printf "runnel, default sandbox (%d steps):     %7.3f s  %6.2f ms/step (+ %.1f ms sandbox set-up once per job)\n", n, dt + ds, dt * 1000 / n, ds * 1000
  printf "runnel, --sandbox none (%d steps):      %7.3f s  %6.2f ms/step\n", n, nt, nt * 1000 / n
  printf "ratio default/plain:                    %7.2fx (target <= 2x)\n", (dt + ds) / plain
  printf "per-step overhead of --sandbox none:    %+7.2f ms over the plain loop\n", (nt - plain) * 1000 / n
  printf "per-step overhead of the default sandbox: %+5.2f ms over --sandbox none\n", (dt - nt) * 1000 / n
}'
