#!/usr/bin/env bash
# Remote actions through a loopback server that behaves like GitHub's tarball endpoint
# (GET /repos/{owner}/{repo}/tarball/{ref} -> 302 -> the tarball, 404 with GitHub's JSON):
# download and unpack with the top directory stripped, the cache used with the server stopped,
# --offline, a 404 naming the action, tarballs with '../', absolute paths and escaping links
# refused and leaving nothing in the cache, --action-path, and `runnel actions pull -W`.
set -euo pipefail
: "${RUNNEL_BIN:?}" "${RUNNEL_SOURCE_DIR:?}"
tmp=$(mktemp -d)
srv_pid=
cleanup() { [ -n "$srv_pid" ] && kill "$srv_pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
lib="$RUNNEL_SOURCE_DIR/tests/e2e/lib"
export HOME="$tmp/home" XDG_CACHE_HOME="$tmp/xdg"
unset GITHUB_TOKEN GH_TOKEN GITHUB_API_URL
mkdir -p "$HOME"
root="$tmp/srv"
mkdir -p "$root/octo/hello" "$root/octo/bad"
/usr/bin/python3 "$lib/make_tarball.py" good "$root/octo/hello/v1.tar.gz" octo-hello-abc1234
/usr/bin/python3 "$lib/make_tarball.py" good "$root/octo/hello/release%2Fv2.tar.gz" octo-hello-def5678
for k in dotdot absolute symlink hardlink; do
  /usr/bin/python3 "$lib/make_tarball.py" "$k" "$root/octo/bad/$k.tar.gz" octo-bad-1111111
done

start_server() {
  rm -f "$tmp/port"
  /usr/bin/python3 "$lib/tarball_server.py" "$root" "$tmp/port" &
  srv_pid=$!
  for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.05; done
  [ -s "$tmp/port" ] || fail "server did not start"
  api="http://127.0.0.1:$(cat "$tmp/port")"
}
stop_server() { kill "$srv_pid"; wait "$srv_pid" 2>/dev/null || true; srv_pid=; }

start_server
cache="$XDG_CACHE_HOME/runnel/actions"

# 1. download: the top directory is stripped, files, modes and inner links survive
out=$("$RUNNEL_BIN" actions path octo/hello@v1 --api-url "$api") || fail "download failed"
[ "$out" = "$cache/octo/hello/v1" ] || fail "unexpected dir '$out'"
grep -q 'name: root' "$out/action.yml" || fail "action.yml missing"
[ -x "$out/script.sh" ] || fail "script.sh lost its mode"
[ "$(readlink "$out/sub/link.yml")" = "../action.yml" ] || fail "inner symlink lost"
grep -q 'name: root' "$out/hard.yml" || fail "inner hard link lost"
grep -q '^/repos/octo/hello/tarball/v1 noauth$' "$root/requests.log" || fail "endpoint not used"
grep -q '^/codeload/octo/hello/legacy.tar.gz/v1' "$root/requests.log" || fail "redirect not followed"
[ "$(cat "$cache/octo/hello/.v1.sha")" = "abc1234" ] || fail "sha not recorded"
[ -d "$cache/octo/hello/@sha/abc1234" ] || fail "sha alias missing"
# a sub action, owner/repo case-insensitive, a token sent (and never printed)
out=$(GITHUB_TOKEN=s3cr3t-token "$RUNNEL_BIN" actions path Octo/Hello/sub@release/v2 --api-url "$api" 2>&1) \
  || fail "sub action download failed: $out"
[ "$out" = "$cache/octo/hello/release%2Fv2/sub" ] || fail "unexpected sub dir '$out'"
grep -q 'name: sub' "$out/action.yml" || fail "sub action.yml missing"
grep -q 'release%2Fv2 auth$' "$root/requests.log" || fail "token not sent"
case "$out" in *s3cr3t*) fail "token printed" ;; esac

# 2. a 404 names the action; nothing is left in the cache
if out=$("$RUNNEL_BIN" actions path octo/nothere@v9 --api-url "$api" 2>&1); then fail "404 accepted"; fi
echo "$out" | grep -q "action 'octo/nothere@v9' not found: HTTP 404" || fail "404 message: $out"
[ ! -e "$cache/octo/nothere/v9" ] || fail "404 left a cache entry"

# 3. unsafe tarballs are refused with one line naming the action, and nothing stays behind
for k in dotdot absolute symlink hardlink; do
  if out=$("$RUNNEL_BIN" actions path "octo/bad@$k" --api-url "$api" 2>&1); then fail "$k accepted"; fi
  [ "$(echo "$out" | wc -l)" = 1 ] || fail "$k: not one line: $out"
  echo "$out" | grep -q "action 'octo/bad@$k'" || fail "$k: action not named: $out"
  echo "$out" | grep -q "leaves the action directory" || fail "$k: reason missing: $out"
  [ ! -e "$cache/octo/bad/$k" ] || fail "$k: left in the cache"
done
[ ! -e "$tmp/escaped.txt" ] && [ ! -e "$cache/escaped.txt" ] && [ ! -e "$cache/octo/escaped.txt" ] \
  || fail "dotdot escaped"
[ -z "$(ls -A "$cache/octo/bad" | grep -v '^\.tmp' || true)" ] || fail "bad entries remain"
[ -z "$(ls -A "$cache/octo/bad" | grep '^\.tmp' || true)" ] || fail "temporary directories remain"

# 4. the server stopped: a cached action needs no network; a full sha finds the short-sha alias
stop_server
out=$("$RUNNEL_BIN" actions path octo/hello@v1 --api-url "$api") || fail "cache hit needed the network"
[ "$out" = "$cache/octo/hello/v1" ] || fail "cache hit dir '$out'"
out=$("$RUNNEL_BIN" actions path octo/hello@abc1234000000000000000000000000000000000 --offline) \
  || fail "sha alias not used"
grep -q 'name: root' "$out/action.yml" || fail "sha alias dir wrong"
# a sub action the repository does not have
if out=$("$RUNNEL_BIN" actions path octo/hello/nosuch@v1 --offline 2>&1); then fail "missing sub dir accepted"; fi
echo "$out" | grep -q "action 'octo/hello/nosuch@v1': the repository has no 'nosuch'" \
  || fail "missing sub dir message: $out"
# ... and an uncached one is a clear error, with or without --offline
if out=$("$RUNNEL_BIN" actions path octo/other@v1 --offline 2>&1); then fail "offline fetched"; fi
echo "$out" | grep -q "action 'octo/other@v1' is not in the action cache and --offline" \
  || fail "offline message: $out"
if out=$("$RUNNEL_BIN" actions path octo/other@v1 --api-url "$api" 2>&1); then fail "no server, yet ok"; fi
echo "$out" | grep -q "action 'octo/other@v1'" || fail "network error does not name the action: $out"

# 5. --action-path maps a repository (and its sub actions) to a directory
mkdir -p "$tmp/local/sub"
echo 'name: local' >"$tmp/local/sub/action.yml"
out=$("$RUNNEL_BIN" actions path octo/mapped/sub@main --offline --action-path "octo/mapped@main=$tmp/local")
[ "$out" = "$tmp/local/sub" ] || fail "mapping not used: $out"
if "$RUNNEL_BIN" actions path octo/mapped@main --action-path "nonsense" 2>/dev/null; then
  fail "bad mapping accepted"
fi

# 6. malformed uses: one line, GitHub's wording
if out=$("$RUNNEL_BIN" actions path octo@v1 2>&1); then fail "octo@v1 accepted"; fi
echo "$out" | grep -q "expected format {owner}/{repo}\[/path\]@ref. Actual 'octo@v1'" || fail "format: $out"

# 7. actions pull -W: every remote uses: of the workflows, built-ins skipped
start_server
mkdir -p "$tmp/repo/.github/workflows"
cat >"$tmp/repo/.github/workflows/ci.yml" <<'Y'
on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - uses: ./local-action
      - uses: octo/pulled@v3
      - uses: octo/pulled/sub@v3
      - uses: actions/cache@v4
        with: {path: x, key: y}
      - uses: docker://alpine:3
  b:
    uses: octo/pulled/.github/workflows/reuse.yml@v3
Y
mkdir -p "$root/octo/pulled"
/usr/bin/python3 "$lib/make_tarball.py" good "$root/octo/pulled/v3.tar.gz" octo-pulled-9abcdef
out=$(cd "$tmp/repo" && "$RUNNEL_BIN" actions pull --api-url "$api" 2>&1) || fail "pull failed: $out"
echo "$out" | grep -q "^pulled octo/pulled@v3 sha 9abcdef -> $cache/octo/pulled/v3$" || fail "pull output: $out"
echo "$out" | grep -q "^skipped actions/cache@v4" || fail "built-in not skipped: $out"
echo "$out" | grep -q "^have octo/pulled/sub@v3 sha 9abcdef -> $cache/octo/pulled/v3/sub$" || fail "sub: $out"
echo "$out" | grep -q "^have octo/pulled/.github/workflows/reuse.yml@v3 sha 9abcdef -> $cache/octo/pulled/v3/.github/workflows/reuse.yml$" \
  || fail "reusable workflow: $out"
[ "$(grep -c '^/repos/octo/pulled/tarball/v3' "$root/requests.log")" = 1 ] || fail "downloaded twice"
out=$(cd "$tmp/repo" && "$RUNNEL_BIN" actions pull -W .github/workflows/ci.yml --offline 2>&1) \
  || fail "offline pull of a cached action failed: $out"
echo "$out" | grep -q "^have octo/pulled@v3" || fail "second pull: $out"
stop_server
echo "actions_fetch: ok"
