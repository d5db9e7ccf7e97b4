#!/usr/bin/env bash
# bench/cache: saving and restoring a mixed tree through runnel's actions/cache store (libarchive,
# pax tar + zstd level 3, in process) against `tar --zstd -cf` / `tar -xf` of the same tree
# (GNU tar piping through the zstd program, level 3 by default), in the same run.
# The tree: SMALL_MB of small text files (1-16 KiB, compressible) plus LARGE_MB in 50 MB files of
# random bytes (incompressible). Each side runs ROUNDS times; the best time of each is compared.
# usage: bench/cache/run.sh [SMALL_MB=150] [LARGE_MB=350] [ROUNDS=3]   (500 MB by default)
set -euo pipefail
small_mb=${1:-150}
large_mb=${2:-350}
rounds=${3:-3}
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
build=${RUNNEL_BENCH_BUILD:-$src/build-bench}
cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DRUNNEL_BENCH=ON \
    -DRUNNEL_TESTS=OFF >/dev/null
cmake --build "$build" -j2 --target cache_bench >/dev/null
drv=$build/bench/cache/cache_bench

tmp=$(mktemp -d "${TMPDIR:-/tmp}/runnel-bench-cache.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
ws=$tmp/ws
mkdir -p "$ws"
echo "== generating the tree in $ws ($small_mb MB small text files + $large_mb MB random)"
/usr/bin/python3 - "$ws/tree" "$small_mb" "$large_mb" <<'PY'
import os, random, sys
root, small_mb, large_mb = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(42)
words = [("w%d" % i) * rng.randint(1, 3) for i in range(5000)]
total, n = 0, 0
while total < small_mb << 20:
    d = os.path.join(root, "src", "d%03d" % (n // 200), "e%02d" % (n % 200 // 20))
    os.makedirs(d, exist_ok=True)
    size = rng.randint(1024, 16384)
    text = []
    length = 0
    while length < size:
        line = " ".join(rng.choice(words) for _ in range(12)) + "\n"
        text.append(line)
        length += len(line)
    with open(os.path.join(d, "f%05d.txt" % n), "w") as f:
        f.write("".join(text))
    total += length
    n += 1
os.makedirs(os.path.join(root, "blobs"), exist_ok=True)
left = large_mb << 20
i = 0
while left > 0:
    size = min(50 << 20, left)
    with open(os.path.join(root, "blobs", "b%02d.bin" % i), "wb") as f:
        f.write(os.urandom(size))
    left -= size
    i += 1
print("files: %d small, %d large" % (n, i))
PY
du -sm "$ws/tree" | awk '{print "tree size: " $1 " MB"}'

secs() { date +%s.%N; }
best() { printf '%s\n' "$@" | sort -g | head -1; }
r_save=() ; t_save=() ; r_rest=() ; t_rest=()
for round in $(seq "$rounds"); do
    # save: runnel's store vs tar --zstd -cf (both read the same warm tree)
    rm -rf "$tmp/cache"
    r_save+=("$("$drv" save "$tmp/cache" "$ws" tree "key-$round")")
    rm -f "$tmp/t.tar.zst"
    t0=$(secs)
    tar --zstd -cf "$tmp/t.tar.zst" -C "$ws" tree
    t1=$(secs)
    t_save+=("$(echo "$t1 - $t0" | bc)")

    # restore: into an emptied workspace
    mv "$ws/tree" "$tmp/orig"
    r_rest+=("$("$drv" restore "$tmp/cache" "$ws" tree "key-$round")")
    diff -rq "$tmp/orig" "$ws/tree" >/dev/null || { echo "restore differs"; exit 1; }
    rm -rf "$ws/tree"
    t0=$(secs)
    tar -xf "$tmp/t.tar.zst" -C "$ws"
    t1=$(secs)
    t_rest+=("$(echo "$t1 - $t0" | bc)")
    rm -rf "$ws/tree"
    mv "$tmp/orig" "$ws/tree"
done
r_arch=$(du -m "$tmp"/cache/*/data.tar.zst | awk '{print $1}')
t_arch=$(du -m "$tmp/t.tar.zst" | awk '{print $1}')
rs=$(best "${r_save[@]}"); ts=$(best "${t_save[@]}")
rr=$(best "${r_rest[@]}"); tr=$(best "${t_rest[@]}")
echo "archive size: runnel ${r_arch} MB, tar --zstd ${t_arch} MB"
awk -v r="$rs" -v t="$ts" 'BEGIN { printf "save:    runnel %.2fs  tar --zstd -cf %.2fs  ratio %.2fx\n", r, t, r / t }'
awk -v r="$rr" -v t="$tr" 'BEGIN { printf "restore: runnel %.2fs  tar -xf        %.2fs  ratio %.2fx\n", r, t, r / t }'
echo "(ratio = runnel / tar; target <= 1.2x; best of $rounds rounds; all rounds: save runnel ${r_save[*]} tar ${t_save[*]}; restore runnel ${r_rest[*]} tar ${t_rest[*]})"
