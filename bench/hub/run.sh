#!/usr/bin/env bash
# bench/hub: a 1 GB file through LFS multipart to the loopback Hub (tests/hub/hub_server.py) with
# runnel, against curl PUTting the same bytes to the same server in the same run. The server does
# the same work for both (write to disk and sha256 of what arrives). Prints each side's time,
# throughput and peak memory (max RSS), and the ratio runnel/curl of throughput.
#
# runnel's figure is end to end: sha256 of the file (the LFS oid the protocol needs before any
# byte is sent), whoami, create, preupload, batch, every part, completion, verify and the commit.
#
# Beside curl it runs the official JavaScript client (@huggingface/hub's uploadFiles, from
# tests/node) once on the same file and server, when node and tests/node/node_modules are there:
# the reference implementation of the protocol, to set runnel's figure against.
#
# It also takes SHA-256's speed on this CPU from `openssl speed` (SHA-NI where the CPU has it).
# Hashing the file's bytes is the floor any LFS client pays before its first byte; the bench
# prints what runnel takes after that floor, against curl.
#
# usage: bench/hub/run.sh [SIZE_MB]   (default 1024; RUNNEL_BIN overrides the release build)
set -euo pipefail
cd "$(dirname "$0")/../.."
SRC=$PWD
SIZE_MB=${1:-1024}
PY=/usr/bin/python3
if [ -z "${RUNNEL_BIN:-}" ]; then
  cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release -DRUNNEL_TESTS=OFF \
    -DCMAKE_C_FLAGS_RELEASE="-O2 -DNDEBUG" >/dev/null
  cmake --build build-release -j2 >/dev/null
  RUNNEL_BIN=$SRC/build-release/runner/runnel
fi
BASE=/dev/shm
[ -d "$BASE" ] && [ -w "$BASE" ] || BASE=/tmp
WORK=$(mktemp -d "$BASE/runnel-bench-hub.XXXXXX")
SERVER_PID=
# The killed server's wait status is non-zero: under set -e it must not stop the cleanup before
# the rm (it did, and every run left its 2 GB work folder in /dev/shm).
cleanup() {
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

mkdir -p "$WORK/up"
head -c $((SIZE_MB << 20)) /dev/urandom > "$WORK/up/model.safetensors"
$PY "$SRC/tests/hub/hub_server.py" --data "$WORK/server" --port-file "$WORK/port" --token hf_bench \
  --user bench --multipart-threshold $((64 << 20)) --chunk-size $((64 << 20)) --max-seconds 900 &
SERVER_PID=$!
for _ in $(seq 1 100); do [ -s "$WORK/port" ] && break; sleep 0.05; done
EP="http://127.0.0.1:$(cat "$WORK/port")"

# measure NAME CMD...: wall seconds and max RSS (kB) of CMD, through getrusage of the child.
measure() {
  local name=$1; shift
  $PY - "$name" "$@" <<'PYEOF'
import resource, subprocess, sys, time
name, cmd = sys.argv[1], sys.argv[2:]
t0 = time.monotonic()
rc = subprocess.run(cmd, stdout=subprocess.DEVNULL).returncode
t = time.monotonic() - t0
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
if rc != 0:
    sys.exit("%s failed with %d" % (name, rc))
print("%s %.3f %d" % (name, t, rss))
PYEOF
}

export HOME="$WORK/home" XDG_CACHE_HOME="$WORK/cache"
mkdir -p "$HOME"
# Warm up (file in the page cache, server threads started), then alternate the two tools for
# ROUNDS rounds (default 2) and keep each one's best time; each runnel round uses a new repo so
# its bytes are really sent.
cat "$WORK/up/model.safetensors" > /dev/null
curl -sS -f -T /dev/null -o /dev/null "$EP/_lfs/sink"
ct=; rt=; ht=; crss=0; rrss=0
for round in $(seq 1 "${ROUNDS:-2}"); do
  # SHA-256's own speed on this CPU, from memory (no file reading): `openssl speed`, 1 MiB blocks.
  t=$(openssl speed -seconds 1 -evp sha256 -bytes 1048576 2>/dev/null |
    $PY -c "import sys; k = float(sys.stdin.read().split()[-1].rstrip('k')); print('%.3f' % ($SIZE_MB * 1048576 / (k * 1000)))")
  echo "  round $round: sha256 $t s (openssl speed: SHA-256 of these bytes from memory)"
  ht=$($PY -c "print(min(x for x in [$t, ${ht:-1e9}]))")
  read -r _ t rss < <(measure curl curl -sS -f -T "$WORK/up/model.safetensors" -o /dev/null "$EP/_lfs/sink")
  echo "  round $round: curl   $t s"
  ct=$($PY -c "print(min(x for x in [$t, ${ct:-1e9}]))"); crss=$((rss > crss ? rss : crss))
  read -r _ t rss < <(measure runnel "$RUNNEL_BIN" hub upload "bench/model-$round" "$WORK/up" --create \
    --token hf_bench --endpoint "$EP" --quiet)
  echo "  round $round: runnel $t s"
  rt=$($PY -c "print(min(x for x in [$t, ${rt:-1e9}]))"); rrss=$((rss > rrss ? rss : rrss))
done
parts=$(curl -sf "$EP/_test/state" | $PY -c 'import json,sys; print(json.load(sys.stdin)["counts"].get("part_put", 0))')
[ "$parts" -ge 2 ] || { echo "runnel did not use multipart ($parts parts)"; exit 1; }
# The official client, once (it takes several times runnel's time, and the same each run).
jt=0; jrss=0
if command -v node >/dev/null && [ -d "$SRC/tests/node/node_modules/@huggingface/hub" ]; then
  read -r _ jt jrss < <(RUNNEL_SOURCE_DIR=$SRC measure hfjs node "$SRC/bench/hub/js_upload.mjs" \
    "$EP" hf_bench "$WORK/up/model.safetensors" bench/js-model) ||
    { echo "  @huggingface/hub failed: left out"; jt=0; jrss=0; }
  echo "  @huggingface/hub uploadFiles $jt s"
fi
$PY - "$SIZE_MB" "$ct" "$crss" "$rt" "$rrss" "$parts" "$ht" "$jt" "$jrss" <<'PYEOF'
import sys
mb, ct, crss, rt, rrss, parts, ht = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5]), sys.argv[6], float(sys.argv[7])
jt, jrss = float(sys.argv[8]), int(sys.argv[9])
print("bench/hub: %d MB through the loopback Hub (best of each)" % mb)
print("  curl PUT            %7.2f s  %7.1f MB/s  peak %6.1f MB" % (ct, mb / ct, crss / 1024))
print("  runnel hub upload   %7.2f s  %7.1f MB/s  peak %6.1f MB  (%s multipart parts in all, end to end)" % (rt, mb / rt, rrss / 1024, parts))
if jt > 0:
    print("  @huggingface/hub    %7.2f s  %7.1f MB/s  peak %6.1f MB  (official JS client, uploadFiles, one run)" % (jt, mb / jt, jrss / 1024))
print("  sha256 alone        %7.2f s  (openssl speed: the oid any LFS client needs before its first byte)" % ht)
print("  ratio runnel/curl throughput: %.2fx (target >= 0.9x, peak < 64 MB)" % (ct / rt))
print("  after the hash:     runnel %.2f s for the rest against curl's %.2f s (%.2fx);" % (rt - ht, ct, ct / max(rt - ht, 1e-9)))
print("                      the hash plus a transfer as fast as curl's would give %.2fx" % (ct / (ht + ct)))
if jt > 0:
    print("  ratio runnel/@huggingface/hub throughput: %.2fx" % (jt / rt))
PYEOF
