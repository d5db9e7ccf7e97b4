#!/usr/bin/env bash
# bench/mask: 1 GiB of log text streamed from a pipe to a pipe through runnel's secret masker
# with 1,000 secrets registered (plus their encoded forms), against a plain pipe copy of the
# same data (cat | cat), in the same run. Target: at least 0.5x the plain copy's throughput.
#
# The masker is driven by a small C driver (mask_pipe.c) built here against a Release build of
# the library, so that the figure is the masker's alone (src/run/step.c streams each step's output
# through it the same way); the bench builds the driver, it is not part of runnel.
#
# Usage: bench/mask/run.sh [BYTES]   (default 1 GiB)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
bytes=${1:-1073741824}
build=${RUNNEL_BENCH_BUILD:-$src/build-bench}
work=$(mktemp -d /tmp/runnel-bench-mask-XXXXXX)
trap 'rm -rf "$work"' EXIT

cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DRUNNEL_TESTS=OFF >/dev/null
cmake --build "$build" -j2 --target rn_run >/dev/null
cc -O2 -std=c11 -D_GNU_SOURCE -I "$src/src" "$here/mask_pipe.c" \
  "$build/src/run/librn_run.a" "$build/src/exec/librn_exec.a" "$build/src/util/librn_util.a" \
  $(pkg-config --libs libcjson) -o "$work/mask_pipe"

"$work/mask_pipe" secrets 1000 > "$work/secrets.txt"
echo "generating $bytes bytes of log text (a secret about every 64 KiB)..."
"$work/mask_pipe" gen "$bytes" "$work/secrets.txt" > "$work/log.txt"
cat "$work/log.txt" > /dev/null # warm the page cache

now() { date +%s.%N; }
# Best of three, alternating, so that a burst of load from elsewhere on this shared machine does
# not decide the ratio.
plain=999999
masked=999999
for round in 1 2 3; do
  t0=$(now)
  cat "$work/log.txt" | cat | cat > /dev/null
  t1=$(now)
  cat "$work/log.txt" | "$work/mask_pipe" mask "$work/secrets.txt" 2>/dev/null | cat > /dev/null
  t2=$(now)
  plain=$(awk -v a="$t0" -v b="$t1" -v best="$plain" 'BEGIN { d = b - a; print (d < best ? d : best) }')
  masked=$(awk -v a="$t1" -v b="$t2" -v best="$masked" 'BEGIN { d = b - a; print (d < best ? d : best) }')
done

# Not timed: check that no secret reaches the output.
"$work/mask_pipe" mask "$work/secrets.txt" < "$work/log.txt" > "$work/masked.txt"
leaks=$(grep -c -F -f "$work/secrets.txt" "$work/masked.txt" || true)
stars=$(grep -o -F '***' "$work/masked.txt" | wc -l)
awk -v b="$bytes" -v p="$plain" -v m="$masked" -v leaks="$leaks" -v stars="$stars" 'BEGIN {
    mib = b / 1048576
    printf "plain copy (cat | cat):     %8.2f s  %8.1f MiB/s\n", p, mib / p
    printf "masker (1000 secrets):      %8.2f s  %8.1f MiB/s\n", m, mib / m
    printf "ratio masker/plain:         %8.2fx  (target >= 0.5x)\n", (mib / m) / (mib / p)
    printf "secrets masked: %d, secrets left in the output: %d\n", stars, leaks
  }'
