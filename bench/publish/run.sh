#!/usr/bin/env bash
# bench/publish: publish a ~1 GiB folder of mixed files to a local `git http-backend` (HTTP,
# basic auth, tests/servers/git_http_backend.py) with runnel, and do the same with the git
# command line (add, commit, push) in the same run. Prints both times, the ratio and each
# side's peak memory (max RSS of the process tree, from /usr/bin/time).
#   SIZE_MB=1024 bench/publish/run.sh      (RUNNEL_BIN to use another build)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
PY=/usr/bin/python3
SIZE_MB=${SIZE_MB:-1024}
RUNNEL=${RUNNEL_BIN:-$ROOT/build/release/runner/runnel}
if [ ! -x "$RUNNEL" ]; then
    cmake --preset release >/dev/null
    cmake --build --preset release -j 2 >/dev/null
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/runnel-bench-publish.XXXXXX")
server_pid=
cleanup() {
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT
export HOME=$T/home GIT_CONFIG_NOSYSTEM=1
mkdir -p "$HOME"
git config --global user.name bench
git config --global user.email bench@example.com
git config --global init.defaultBranch main

TOKEN=bench-$RANDOM$RANDOM
mkdir -p "$T/srv"
"$PY" tests/servers/git_http_backend.py --root "$T/srv" --token "$TOKEN" --port-file "$T/port" \
    --max-seconds 1800 &
server_pid=$!
for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.1; done
PORT=$(cat "$T/port")

echo "== generating ${SIZE_MB} MiB of mixed files"
"$PY" bench/publish/gen_data.py --out "$T/data" --mb "$SIZE_MB"
echo "   $(find "$T/data" -type f | wc -l) files"

git init -q "$T/src"
(cd "$T/src" && echo bench >README.md && git add README.md && git commit -qm source)
for side in git runnel; do
    git clone -q "$T/src" "$T/w-$side"
    cp -al "$T/data" "$T/w-$side/data" # same bytes, same page cache
    git init -q --bare "$T/srv/$side.git"
done
find "$T/data" -type f -exec cat {} + >/dev/null # warm the page cache for both sides alike

echo "== git command line: add, commit, push"
/usr/bin/time -f "%e %M" -o "$T/time.git" bash -c "cd '$T/w-git' && git add data && \
    git commit -qm 'publish data' && \
    git push -q 'http://x-access-token:$TOKEN@127.0.0.1:$PORT/git.git' HEAD:refs/heads/results"
echo "== runnel publish"
/usr/bin/time -f "%e %M" -o "$T/time.runnel" bash -c "cd '$T/w-runnel' && \
    '$RUNNEL' publish --branch results --path data --token '$TOKEN' \
    --remote 'http://127.0.0.1:$PORT/runnel.git' >/dev/null"

a=$(git -C "$T/srv/git.git" rev-parse results:data)
b=$(git -C "$T/srv/runnel.git" rev-parse results:data)
if [ "$a" != "$b" ]; then
    echo "MISMATCH: git pushed tree $a, runnel pushed tree $b" >&2
    exit 1
fi
git -C "$T/srv/runnel.git" fsck --no-dangling >/dev/null
read -r gt gm <"$T/time.git"
read -r rt rm_ <"$T/time.runnel"
echo "same tree on both remotes: $a (runnel's remote passes git fsck)"
awk -v gt="$gt" -v gm="$gm" -v rt="$rt" -v rm="$rm_" 'BEGIN {
    printf "git CLI   %7.2f s   peak %6.1f MiB\n", gt, gm / 1024
    printf "runnel    %7.2f s   peak %6.1f MiB\n", rt, rm / 1024
    printf "ratio runnel/git: %.2fx time (target <= 1.0x), runnel peak %.0f MiB (target < 128)\n", rt / gt, rm / 1024
}'
