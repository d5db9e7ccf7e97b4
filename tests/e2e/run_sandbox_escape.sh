#!/usr/bin/env bash
# A sandboxed step must not reach the host through runnel itself, which runs outside the sandbox:
# - the command files (GITHUB_ENV, GITHUB_PATH, GITHUB_OUTPUT, GITHUB_STATE, GITHUB_STEP_SUMMARY)
#   that a step replaced with a link to a host file, a FIFO or a hard link, or whose whole folder
#   it replaced with a link, are not read: their commands are ignored with a warning, and the next
#   step's files are made afresh (a link planted at set_env_2 truncates nothing); the runner reads
#   through links on its own machine, runnel's steps are sandboxed and runnel is not;
# - a local action whose action.yml is a link out of the workspace is not loaded;
# - the sandbox's init (a clone of runnel) keeps its environment and memory from the steps:
#   /proc/1/environ, /proc/1/mem and /proc/1/maps cannot be read;
# - the sandbox's /dev nodes are bound read-only: chmod or touch of /dev/null fails with EROFS
#   and cannot change the host's node, while writing to it works;
# - runnel's own folder is not bound: with runnel and the run directory in one folder, a job
#   sees neither the other job's temp files nor earlier runs, only runnel (and its aliases).
# tests/unit/test_exec_sandbox.c covers each tier (and network none without namespaces); here
# runnel run as it is. Tests of a tier the host lacks are skipped with a reason.
set -uo pipefail
runnel=${RUNNEL_BIN:?}
tmp=$(mktemp -d)
trap 'chmod -R u+rwx "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
. "$RUNNEL_SOURCE_DIR/tests/e2e/lib/checks.sh"
export HOME="$tmp/home" XDG_CACHE_HOME="$tmp/xdg" NO_COLOR=1
mkdir -p "$HOME"

repo=$tmp/repo
host=$tmp/host # files of the host the steps must not reach through runnel
mkdir -p "$repo/.github/workflows" "$host/dir"
cd "$repo" || exit 1
git init -q -b main
echo hello > README
echo "HOSTKEY-0123456789" > "$host/key"
echo "HOSTENV=leaked" > "$host/env"
echo "victim" > "$host/victim"
echo "NEVER=1" > "$host/dir/set_env_4" # what the folder link of step 4 points at

# ---- the command files ---------------------------------------------------------------------
cat > .github/workflows/files.yml <<Y
on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - id: links
        run: |
          ln -sf $host/key "\$GITHUB_PATH"
          ln -sf $host/env "\$GITHUB_ENV"
          ln -sf $host/env "\$GITHUB_OUTPUT"
          ln -sf $host/key "\$GITHUB_STEP_SUMMARY"
          ln -s $host/victim "\$(dirname "\$GITHUB_ENV")/set_env_2"
          ln -s $host/victim "\$(dirname "\$GITHUB_ENV")/step_summary_2"
      - run: |
          echo "path=[\$PATH]"
          echo "hostenv=[\$HOSTENV] out=[\${{ steps.links.outputs.HOSTENV }}]"
          echo "ENV_OK=yes" >> "\$GITHUB_ENV"
          echo "### fine" >> "\$GITHUB_STEP_SUMMARY"
          test -f "\$GITHUB_ENV" && test ! -L "\$GITHUB_ENV" && echo fresh-files
      - run: |
          echo "env_ok=[\$ENV_OK]"
          rm -f "\$GITHUB_ENV" && mkfifo "\$GITHUB_ENV"
          ln "\$GITHUB_OUTPUT" "\$(dirname "\$GITHUB_ENV")/other-name"
          echo "x=1" >> "\$GITHUB_OUTPUT"
      - run: |
          d=\$(dirname "\$GITHUB_ENV")
          mv "\$d" "\$d.old" && ln -s $host/dir "\$d"
      - run: |
          echo "never=[\$NEVER]"
          test -d "\$(dirname "\$GITHUB_ENV")" && test ! -L "\$(dirname "\$GITHUB_ENV")" && echo fresh-dir
          rm -rf "\$(dirname "\$GITHUB_ENV")"
      - run: echo after-removal
Y
commit files
out=$(timeout 120 "$runnel" run --run-dir "$tmp/run-f" -W .github/workflows/files.yml 2>&1)
rc=$?; [ -n "${DEBUG:-}" ] && echo "$out"
cmds=$tmp/run-f/jobs/1-a/temp/_runner_file_commands
check "files: the job succeeds ($rc)" test $rc = 0
check "files: a GITHUB_PATH link is ignored with a warning" \
  grep -qF "warning: GITHUB_PATH: '$cmds/add_path_1' is a symbolic link: its commands are ignored" <<< "$out"
check "files: ... and so are GITHUB_ENV, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY links" \
  test "$(grep -cE "warning: GITHUB_(ENV|OUTPUT|STEP_SUMMARY): .* is a symbolic link" <<< "$out")" = 3
check "files: the host file never reaches PATH" bash -c "! grep -q HOSTKEY <<< \"\$1\"" _ "$out"
check "files: nor env nor outputs" grep -qF "hostenv=[] out=[]" <<< "$out"
check "files: nor the summary" bash -c "! grep -qs HOSTKEY '$tmp/run-f/summary.md'"
check "files: a link planted at the next step's file truncates nothing" \
  test "$(cat "$host/victim")" = victim
check "files: the next step's files are fresh regular files" grep -q "\]   fresh-files$" <<< "$out"
check "files: a plain GITHUB_ENV still works" grep -qF "env_ok=[yes]" <<< "$out"
check "files: ... and the summary" grep -qs "### fine" "$tmp/run-f/summary.md"
check "files: a FIFO is refused without hanging" \
  grep -qF "warning: GITHUB_ENV: '$cmds/set_env_3' is not a regular file" <<< "$out"
check "files: a hard-linked file is refused" \
  grep -qF "warning: GITHUB_OUTPUT: '$cmds/set_output_3' is linked to another file" <<< "$out"
check "files: a folder replaced by a link is ignored with a warning" \
  grep -qF "warning: '$cmds' is not a folder (a link or a file): the step's GITHUB_ENV" <<< "$out"
check "files: ... its files are not read" grep -qF "never=[]" <<< "$out"
check "files: ... nor created in the link's target" test "$(ls "$host/dir")" = set_env_4
check "files: ... and the next step gets a real folder" grep -q "\]   fresh-dir$" <<< "$out"
check "files: a removed folder is not an error, as on GitHub" grep -q "\]   after-removal$" <<< "$out"
check "files: the host's files are unchanged" \
  test "$(cat "$host/key" "$host/env")" = "HOSTKEY-0123456789
HOSTENV=leaked"

# ---- a local action through a link ----------------------------------------------------------
# A host file runnel would read and run: its values would reach the log.
printf 'name: x\nruns:\n  using: composite\n  steps: [{run: echo secret-line-HOSTKEY, shell: bash}]\n' \
  > "$host/action.yml"
cat > .github/workflows/local.yml <<Y
on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: mkdir -p act && ln -s $host/action.yml act/action.yml
      - uses: ./act
Y
commit local
out=$(timeout 60 "$runnel" run --run-dir "$tmp/run-l" -W .github/workflows/local.yml 2>&1)
check "local action: a link out of the workspace is not loaded" \
  grep -qF "'$tmp/run-l/jobs/1-a/workspace/act/action.yml' leads out of the workspace through a symbolic link" <<< "$out"
check "local action: none of the file's lines is shown" bash -c "! grep -q secret-line <<< \"\$1\"" _ "$out"

# ---- the init's memory and the device nodes -------------------------------------------------
cat > .github/workflows/proc.yml <<'Y'
on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: |
          cat /proc/1/environ > environ.txt 2>/dev/null && echo environ-read
          head -c1 /proc/1/maps > /dev/null 2>&1 && echo maps-read
          (: < /proc/1/mem) 2>/dev/null && echo mem-open
          cat /proc/1/cmdline > cmdline.txt
          chmod 0667 /dev/null 2>/dev/null && echo chmod-done
          touch -d 2001-01-01 /dev/null 2>/dev/null && echo touch-done
          echo x > /dev/null && echo proc-dev-checked
Y
commit proc
devnull_before=$(stat -c '%a %Y' /dev/null)
out=$(MYTOKEN=env-token-4242 timeout 60 "$runnel" run --run-dir "$tmp/run-p" -s CMDSEC=cmdline-secret-4242 \
  -W .github/workflows/proc.yml 2>&1)
[ -n "${DEBUG:-}" ] && echo "$out"
if grep -q "^sandbox .*: namespaces" <<< "$out"; then
  check "proc: the step ran" grep -q "\]   proc-dev-checked$" <<< "$out"
  check "proc: /proc/1/environ, maps and mem cannot be read" \
    bash -c "! grep -qE '\]   (environ-read|maps-read|mem-open)$' <<< \"\$1\"" _ "$out"
  # read from the files the step wrote: the log masks the secret
  check "proc: runnel's environment does not reach the step" \
    bash -c "! grep -qs env-token-4242 '$tmp/run-p/jobs/1-a/workspace/environ.txt'"
  check "proc: runnel's arguments are not in /proc/1/cmdline" \
    bash -c "! grep -qs cmdline-secret-4242 '$tmp/run-p/jobs/1-a/workspace/cmdline.txt'"
  check "dev: /dev/null cannot be chmod'ed or touched" \
    bash -c "! grep -qE '\]   (chmod|touch)-done$' <<< \"\$1\"" _ "$out"
  check "dev: the host's /dev/null is unchanged" test "$(stat -c '%a %Y' /dev/null)" = "$devnull_before"
  if [ "$(stat -c '%a %Y' /dev/null)" != "$devnull_before" ]; then # put the host's node back
    chmod "${devnull_before% *}" /dev/null && touch -d "@${devnull_before#* }" /dev/null
  fi
else
  skip "proc: no namespace tier here ($(head -n1 <<< "$out"))"
fi

# ---- runnel's own folder ------------------------------------------------------------------
u=$tmp/u
mkdir -p "$u/old-run"
cp "$runnel" "$u/runnel"
ln -s runnel "$u/cml"
echo "earlier-run-secret" > "$u/old-run/secret"
cat > .github/workflows/self.yml <<Y
on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: echo "job-a-secret" > "\$RUNNER_TEMP/a-secret"
  b:
    needs: a
    runs-on: ubuntu-latest
    steps:
      - run: |
          echo "seen=[\$(ls $u | tr '\n' ' ')]"
          cat $u/rd/jobs/1-a/temp/a-secret $u/old-run/secret 2>/dev/null || echo hidden
          runnel --version >/dev/null && test -x "\$(command -v cml)" && echo self-ok
Y
commit self
out=$(timeout 120 "$u/runnel" run --run-dir "$u/rd" -W .github/workflows/self.yml 2>&1)
[ -n "${DEBUG:-}" ] && echo "$out"
if grep -q "^sandbox .*: namespaces" <<< "$out"; then
  check "self: the job succeeds" grep -q "2-b.*success\|Job succeeded" <<< "$out"
  # rd: the job's own folders in the run directory, bound at their paths
  check "self: only runnel and its alias are bound from its folder" grep -qF "seen=[cml rd runnel ]" <<< "$out"
  check "self: another job's temp files and earlier runs are hidden" grep -q "\]   hidden$" <<< "$out"
  check "self: no secret is shown" bash -c "! grep -qE '\]   (job-a|earlier-run)-secret$' <<< \"\$1\"" _ "$out"
  check "self: runnel and cml run in steps" grep -q "\]   self-ok$" <<< "$out"
else
  skip "self: no namespace tier here ($(head -n1 <<< "$out"))"
fi

checks_done
