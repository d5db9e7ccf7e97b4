#!/usr/bin/env bash
# runnel run must not let a workflow reach past the job's folders or leave secrets on disk:
# - actions/checkout's `path` outside the workspace (absolute, '..', or through a link a step made)
#   fails the step with the action's own message, "Repository path '<p>' is not under '<ws>'"
#   (actions/checkout, input-helper.ts); `path: .` with --bind copies nothing onto the repository;
# - in a sandbox, actions/cache of a path outside the workspace, the steps' home and RUNNER_TEMP is
#   refused with a warning naming it (nothing read from or written to the host), and works with
#   --sandbox none, as actions/cache may cache absolute paths on GitHub;
# - a job output holding a secret or a masked value is skipped with the runner's warning
#   "Skip output '<name>' since it may contain secret." (actions/runner, JobExtension.cs), so the
#   next job sees it empty and its scripts never hold the value;
# - a dry run writes no step script (they would hold the secrets) and runs no built-in action;
# - RUNNER_TEMP is 0700 and the step scripts in it 0600, as the runner's temp is its user's.
set -uo pipefail
runnel=${RUNNEL_BIN:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$RUNNEL_SOURCE_DIR/tests/e2e/lib/checks.sh"
export HOME="$tmp/home" XDG_CACHE_HOME="$tmp/xdg" NO_COLOR=1
mkdir -p "$HOME"

repo=$tmp/repo
mkdir -p "$repo/.github/workflows" "$tmp/victim" "$tmp/outside"
cd "$repo" || exit 1
git init -q -b main
echo hello > README

# ---- actions/checkout's path -------------------------------------------------------------------
cat > .github/workflows/checkout.yml <<Y
on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: ln -s $tmp/victim lnk && mkdir -p real && ln -s $tmp/victim/README real/README
      - uses: actions/checkout@v4
        continue-on-error: true
        with: {path: $tmp/victim/abs}
      - uses: actions/checkout@v4
        continue-on-error: true
        with: {path: ../../../../escaped}
      - uses: actions/checkout@v4
        continue-on-error: true
        with: {path: lnk/sub}
      - uses: actions/checkout@v4
        continue-on-error: true
        with: {path: lnk}
      - uses: actions/checkout@v4
        with: {path: real}
      - run: cat real/README; test ! -L real/README && echo not-a-link
Y
commit checkout
echo orig > "$tmp/victim/README"
ws=$tmp/run-co/jobs/1-a/workspace
out=$("$runnel" run --run-dir "$tmp/run-co" -W .github/workflows/checkout.yml 2>&1)
check "checkout: the job succeeds with the refused steps continue-on-error ($?)" grep -q "Job succeeded" <<< "$out"
check "checkout: an absolute path is refused with the action's message" \
  grep -qF "Repository path '$tmp/victim/abs' is not under '$ws'" <<< "$out"
check "checkout: '..' is resolved and refused" \
  grep -qF "Repository path '$tmp/escaped' is not under '$ws'" <<< "$out"
check "checkout: a path through a step's link is refused" \
  grep -qF "Repository path '$ws/lnk/sub' is not under '$ws'" <<< "$out"
check "checkout: a path that is a step's link is refused" \
  grep -qF "Repository path '$ws/lnk' is not under '$ws'" <<< "$out"
check "checkout: nothing was written outside" test -z "$(ls "$tmp/victim" | grep -v '^README$')"
check "checkout: nothing escaped to the run directory's parents" test ! -e "$tmp/escaped"
check "checkout: a file link in the destination is replaced, not written through" \
  test "$(cat "$tmp/victim/README")" = orig
check "checkout: the copy holds the repository's file" grep -q "\]   hello$" <<< "$out"
check "checkout: ... as a file" grep -q "\]   not-a-link$" <<< "$out"

# With --bind the workspace is the repository: `path: .` must not copy it onto itself (which
# truncated every file), and a folder inside it must not copy itself into itself forever.
cat > .github/workflows/bind.yml <<'Y'
on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with: {path: .}
      - uses: actions/checkout@v4
        with: {path: sub}
      - run: cat README sub/README; test ! -e sub/sub && echo no-nesting
Y
commit bind
out=$(timeout 60 "$runnel" run --bind --run-dir "$tmp/run-bind" -W .github/workflows/bind.yml 2>&1)
rc=$?
check "bind: path . and path sub succeed ($rc)" test $rc = 0
check "bind: the repository's files are intact" test "$(cat README)" = hello
check "bind: git still works" git -C "$repo" rev-parse -q --verify HEAD >/dev/null
check "bind: sub holds one copy" grep -q "\]   no-nesting$" <<< "$out"
rm -rf sub

# ---- actions/cache outside the job's folders -------------------------------------------------
echo host-secret > "$tmp/outside/key"
cat > .github/workflows/cache.yml <<Y
on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/cache@v4
        id: c
        with: {path: $tmp/outside, key: outside-1}
      - run: echo "hit=[\${{ steps.c.outputs.cache-hit }}]"
      - uses: actions/cache@v4
        with:
          path: \${{ runner.temp }}/mine
          key: temp-1
      - run: mkdir -p "\$RUNNER_TEMP/mine" && echo t > "\$RUNNER_TEMP/mine/f"
Y
commit cache
out=$("$runnel" run --run-dir "$tmp/run-c1" -W .github/workflows/cache.yml 2>&1)
check "cache: the sandboxed job succeeds" grep -q "Job succeeded" <<< "$out"
check "cache: the restore warns, naming the path" \
  grep -qF "warning: Failed to restore: path '$tmp/outside' is outside the job's workspace, home and RUNNER_TEMP" <<< "$out"
check "cache: the save warns, naming the path" \
  grep -qF "warning: Failed to save: path '$tmp/outside' is outside" <<< "$out"
check "cache: a path in RUNNER_TEMP is saved" grep -q "Cache saved with key: temp-1" <<< "$out"
check "cache: nothing of the host was stored" \
  bash -c "! grep -qsx outside-1 '$XDG_CACHE_HOME'/runnel/cache/*/key"
out=$("$runnel" run --sandbox none --run-dir "$tmp/run-c2" -W .github/workflows/cache.yml 2>&1)
check "cache: --sandbox none saves the absolute path" grep -q "Cache saved with key: outside-1" <<< "$out"
echo changed > "$tmp/outside/key"
out=$("$runnel" run --run-dir "$tmp/run-c3" -W .github/workflows/cache.yml 2>&1)
check "cache: a sandboxed restore of that entry is refused" grep -q "hit=\[\]" <<< "$out"
check "cache: ... and the host file is untouched" test "$(cat "$tmp/outside/key")" = changed
out=$("$runnel" run --sandbox none --run-dir "$tmp/run-c4" -W .github/workflows/cache.yml 2>&1)
check "cache: --sandbox none restores it" grep -q "hit=\[true\]" <<< "$out"
check "cache: ... onto the host path" test "$(cat "$tmp/outside/key")" = host-secret

# ---- job outputs holding secrets ------------------------------------------------------------
cat > .github/workflows/outputs.yml <<'Y'
on: push
jobs:
  a:
    runs-on: ubuntu-latest
    outputs:
      sec: ${{ steps.s.outputs.sec }}
      msk: ${{ steps.s.outputs.msk }}
      plain: ${{ steps.s.outputs.plain }}
    steps:
      - id: s
        env:
          S: ${{ secrets.MYSEC }}
        run: |
          echo "sec=pre-$S-post" >> "$GITHUB_OUTPUT"
          echo "::add-mask::maskedvalue42"
          echo "msk=maskedvalue42" >> "$GITHUB_OUTPUT"
          echo "plain=visible" >> "$GITHUB_OUTPUT"
  b:
    needs: a
    runs-on: ubuntu-latest
    steps:
      - run: echo "got sec=[${{ needs.a.outputs.sec }}] msk=[${{ needs.a.outputs.msk }}] plain=[${{ needs.a.outputs.plain }}]"
Y
commit outputs
out=$("$runnel" run --run-dir "$tmp/run-o" -s MYSEC=hunter2secret -W .github/workflows/outputs.yml 2>&1)
check "outputs: the runner's warning for the secret" \
  grep -qF "warning: Skip output 'sec' since it may contain secret." <<< "$out"
check "outputs: ... and for the masked value" \
  grep -qF "warning: Skip output 'msk' since it may contain secret." <<< "$out"
check "outputs: the next job sees them empty, the plain one set" \
  grep -qF "got sec=[] msk=[] plain=[visible]" <<< "$out"
check "outputs: no script of the next job holds them" \
  bash -c "! grep -rqsE 'hunter2secret|maskedvalue42' '$tmp/run-o/jobs/2-b/temp'"

# Each job's runner checks its outputs against its own masker: a value another job masked is not
# a secret of this job (actions/runner keeps one SecretMasker per job's worker).
cat > .github/workflows/othermask.yml <<'Y'
on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: echo "::add-mask::release"
  b:
    needs: a
    runs-on: ubuntu-latest
    outputs:
      channel: ${{ steps.s.outputs.channel }}
    steps:
      - id: s
        run: echo "channel=release" >> "$GITHUB_OUTPUT"
  c:
    needs: b
    runs-on: ubuntu-latest
    steps:
      - run: test "${{ needs.b.outputs.channel }}" = release
Y
commit othermask
out=$("$runnel" run --run-dir "$tmp/run-om" -W .github/workflows/othermask.yml 2>&1)
check "outputs: another job's mask does not drop this job's output" \
  bash -c "! grep -qF 'Skip output' <<< \"\$1\" && grep -qE 'c +success' <<< \"\$1\"" _ "$out"

# ---- dry run, and the permissions of RUNNER_TEMP -------------------------------------------
cat > .github/workflows/dry.yml <<Y
on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with: {path: copied}
      - uses: actions/upload-artifact@v4
        with: {name: art, path: $tmp/outside}
      - run: echo "\${{ secrets.MYSEC }}"
Y
commit dry
out=$("$runnel" run -n --run-dir "$tmp/run-d" -s MYSEC=hunter2secret -W .github/workflows/dry.yml 2>&1)
check "dry run: succeeds and shows the secret masked" grep -qF 'echo "***"' <<< "$out"
check "dry run: no file holds the secret" bash -c "! grep -rqs hunter2secret '$tmp/run-d'"
check "dry run: no step script is written" bash -c "! ls '$tmp/run-d'/jobs/1-a/temp/step-* 2>/dev/null"
check "dry run: the built-ins do not run" \
  bash -c "test ! -e '$tmp/run-d/artifacts/art' && test ! -e '$tmp/run-d/jobs/1-a/workspace/copied'"
check "dry run: says so" test "$(grep -c "(dry run: not started)" <<< "$out")" = 3
out=$("$runnel" run --run-dir "$tmp/run-p" -s MYSEC=hunter2secret -W .github/workflows/outputs.yml 2>&1)
check "RUNNER_TEMP is private (0700)" test "$(stat -c %a "$tmp/run-p/jobs/1-a/temp")" = 700
check "the step script is private (0600)" test "$(stat -c %a "$tmp/run-p/jobs/1-a/temp/step-1-s.sh")" = 600

checks_done
