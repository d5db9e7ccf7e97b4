#!/usr/bin/env bash
# runnel run on workflows written for this test: environment order and files, outputs between
# jobs, continue-on-error, step and job timeouts, fail-fast, max-parallel, secret masking in every
# output, dry run, exit codes, and Ctrl-C leaving no process behind. The workflows check GitHub's
# documented behaviour in their own steps; this script checks exit codes, logs and the process
# table.
set -uo pipefail
runnel=${RUNNEL_BIN:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
check() { # check NAME CONDITION...
  local name=$1
  shift
  if "$@"; then
    pass=$((pass + 1))
    echo "ok   $name"
  else
    fail=$((fail + 1))
    echo "FAIL $name"
  fi
}

repo=$tmp/repo
mkdir -p "$repo/.github/workflows"
cd "$repo" || exit 1
git init -q -b main
git config user.name "runnel test"
git config user.email "test@runnel.invalid"

# 1. env order, environment files, outputs, continue-on-error, steps context.
cat > .github/workflows/env.yml <<'EOF'
name: env
on: push
env:
  LAYER: workflow
  WF_ONLY: wf
jobs:
  first:
    runs-on: ubuntu-latest
    env:
      LAYER: job
    outputs:
      greeting: ${{ steps.out.outputs.greeting }}
      poem: ${{ steps.out.outputs.poem }}
    steps:
      - run: |
          [ "$LAYER" = job ] && [ "$WF_ONLY" = wf ] || exit 1
          echo "FROM_FILE=file" >> "$GITHUB_ENV"
          printf 'MULTI<<EOF_X\nline one\nline two\nEOF_X\n' >> "$GITHUB_ENV"
          mkdir -p "$RUNNER_TEMP/tools" && printf '#!/bin/sh\necho tool-ran\n' > "$RUNNER_TEMP/tools/mytool"
          chmod +x "$RUNNER_TEMP/tools/mytool" && echo "$RUNNER_TEMP/tools" >> "$GITHUB_PATH"
      - name: GITHUB_ENV wins over job env, step env wins over GITHUB_ENV
        env:
          FROM_FILE: step
        run: |
          [ "$FROM_FILE" = step ] || exit 1
          [ "$(printf '%s' "$MULTI" | wc -l)" = 1 ] || exit 2
          [ "$(mytool)" = tool-ran ] || exit 3
          [ "$CI" = true ] && [ "$GITHUB_ACTIONS" = true ] && [ "$RUNNER_OS" = Linux ] || exit 4
          [ "$GITHUB_EVENT_NAME" = push ] && [ "$GITHUB_REF" = refs/heads/main ] || exit 5
          [ -f "$GITHUB_EVENT_PATH" ] && [ "$ACT" = true ] || exit 6
      - id: out
        run: |
          echo "greeting=hello" >> "$GITHUB_OUTPUT"
          printf 'poem<<END\nroses\nviolets\nEND\n' >> "$GITHUB_OUTPUT"
      - id: soft
        continue-on-error: true
        run: exit 3
      - if: steps.soft.outcome == 'failure' && steps.soft.conclusion == 'success'
        run: echo soft failure recorded
      - if: steps.soft.outcome != 'failure'
        run: exit 7
  second:
    needs: first
    runs-on: ubuntu-latest
    steps:
      - run: |
          [ "${{ needs.first.outputs.greeting }}" = hello ] || exit 1
          [ "${{ needs.first.result }}" = success ] || exit 2
      - env:
          POEM: ${{ needs.first.outputs.poem }}
        run: '[ "$POEM" = "$(printf "roses\nviolets")" ]'
      - run: echo "### second done" >> "$GITHUB_STEP_SUMMARY"
EOF
git add -A && git commit -q -m env
out=$("$runnel" run push -W .github/workflows/env.yml --run-dir "$tmp/run-env" 2>&1)
rc=$?
check "env order, files, outputs and continue-on-error" [ $rc -eq 0 ]
[ $rc -eq 0 ] || echo "$out" | tail -n 30
check "step summaries gathered into one file" grep -q "### second done" "$tmp/run-env/summary.md"
check "per-job log files are written" test -n "$(ls "$tmp/run-env/logs/"*.log 2>/dev/null)"

# 2. step timeout-minutes (fractions allowed) kills the tree and fails the job.
cat > .github/workflows/timeout.yml <<'EOF'
name: timeout
on: push
jobs:
  slow:
    runs-on: ubuntu-latest
    steps:
      - timeout-minutes: 0.02
        run: |
          sleep 231 &
          sleep 232
      - if: always()
        run: echo after-timeout
EOF
git add -A && git commit -q -m timeout
start=$(date +%s)
out=$("$runnel" run push -W .github/workflows/timeout.yml --run-dir "$tmp/run-timeout" 2>&1)
rc=$?
elapsed=$(($(date +%s) - start))
check "a step timeout fails the run (exit 1)" [ $rc -eq 1 ]
check "a step timeout stops it within seconds ($elapsed s)" [ "$elapsed" -lt 20 ]
check "always() runs after a timeout" grep -q after-timeout <<< "$out"
check "no process of the timed-out step is left" bash -c '! pgrep -f "sleep 23[12]" >/dev/null'

# 3. fail-fast cancels the other legs; max-parallel 1 runs legs one at a time.
cat > .github/workflows/matrix.yml <<'EOF'
name: matrix
on: push
jobs:
  fast:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        leg: [bad, slow]
    steps:
      - run: |
          if [ "${{ matrix.leg }}" = bad ]; then sleep 1; exit 1; fi
          sleep 233
  serial:
    runs-on: ubuntu-latest
    strategy:
      max-parallel: 1
      fail-fast: false
      matrix:
        n: [1, 2, 3]
    steps:
      - run: echo "leg ${{ matrix.n }} of ${{ strategy.job-total }} index ${{ strategy.job-index }}"
EOF
git add -A && git commit -q -m matrix
start=$(date +%s)
"$runnel" run push -W .github/workflows/matrix.yml --json --run-dir "$tmp/run-matrix" \
  > "$tmp/matrix.jsonl" 2>&1
rc=$?
elapsed=$(($(date +%s) - start))
check "fail-fast: the run fails" [ $rc -eq 1 ]
check "fail-fast: the slow leg is cancelled, not waited for ($elapsed s)" [ "$elapsed" -lt 30 ]
check "fail-fast: results are failure and cancelled" /usr/bin/python3 - "$tmp/matrix.jsonl" <<'EOF'
import json, sys
res = {}
for line in open(sys.argv[1]):
    if line.startswith('{'):
        e = json.loads(line)
        if e.get('event') == 'job':
            res[e['job']] = e['result']
fast = {k: v for k, v in res.items() if 'fast' in k}
sys.exit(0 if sorted(fast.values()) == ['cancelled', 'failure'] else 1)
EOF
check "max-parallel 1: no two legs overlap" /usr/bin/python3 - "$tmp/matrix.jsonl" <<'EOF'
import json, sys
running, worst = set(), 0
for line in open(sys.argv[1]):
    if not line.startswith('{'):
        continue
    e = json.loads(line)
    job = e.get('job', '')
    if 'serial' not in job:
        continue
    if e['event'] == 'line' and e['text'].startswith('Job started'):
        running.add(job)
        worst = max(worst, len(running))
    if e['event'] == 'job':
        running.discard(job)
sys.exit(0 if worst == 1 else 1)
EOF
check "strategy.job-index and job-total" grep -q 'leg 3 of 3 index 2' "$tmp/matrix.jsonl"

# 4. secrets never reach the console, the log files or the summaries, in any common form.
cat > .github/workflows/secret.yml <<'EOF'
name: secret
on: push
jobs:
  leak:
    runs-on: ubuntu-latest
    steps:
      - env:
          TOKEN: ${{ secrets.TOKEN }}
        run: |
          echo "plain: $TOKEN"
          echo "base64: $(printf '%s' "$TOKEN" | base64)"
          echo "summary: $TOKEN" >> "$GITHUB_STEP_SUMMARY"
          echo "::add-mask::runtime-value-42"
          echo "later: runtime-value-42"
EOF
git add -A && git commit -q -m secret
secret='s3cr3t-Value-XYZ'
b64=$(printf '%s' "$secret" | base64)
out=$("$runnel" run push -W .github/workflows/secret.yml --secret "TOKEN=$secret" \
  --run-dir "$tmp/run-secret" 2>&1)
rc=$?
check "the secret workflow runs" [ $rc -eq 0 ]
check "the secret is masked on the console" bash -c "! grep -q -e '$secret' -e '$b64' <<< \"\$1\"" _ "$out"
check "the secret is masked in log files and summaries" \
  bash -c "! grep -rq -e '$secret' -e '$b64' -e 'Z later: runtime-value-42' '$tmp/run-secret/logs' '$tmp/run-secret/summary.md'"
check "masked values show as ***" grep -q 'plain: \*\*\*' <<< "$out"

# 5. dry run shows commands and starts nothing; bad workflows exit 2.
out=$("$runnel" run push -n -W .github/workflows/env.yml --run-dir "$tmp/run-dry" 2>&1)
rc=$?
check "dry run succeeds" [ $rc -eq 0 ]
check "dry run shows the command and does not run it" bash -c 'grep -q "dry run: not started" <<< "$1" && ! grep -q "\]   soft failure recorded" <<< "$1"' _ "$out"
printf 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: x/y@v1\n        run: echo both\n' \
  > "$tmp/bad.yml"
mkdir -p "$tmp/badrepo/.github/workflows" && cp "$tmp/bad.yml" "$tmp/badrepo/.github/workflows/"
(cd "$tmp/badrepo" && git init -q -b main && "$runnel" run push --run-dir "$tmp/run-bad" > "$tmp/bad.out" 2>&1)
rc=$?
check "an invalid workflow exits 2 with a located message" \
  bash -c '[ "$1" -eq 2 ] && grep -q "(Line: " "$2"' _ $rc "$tmp/bad.out"

# 6. Ctrl-C: cancelled() turns true, always() steps run, nothing is left behind.
cat > .github/workflows/cancel.yml <<'EOF'
name: cancel
on: push
jobs:
  long:
    runs-on: ubuntu-latest
    steps:
      - run: |
          sleep 234 &
          sleep 235
      - if: cancelled()
        run: echo cleanup-after-cancel
EOF
git add -A && git commit -q -m cancel
for rep in 1 2 3; do
  "$runnel" run push -W .github/workflows/cancel.yml --run-dir "$tmp/run-cancel-$rep" \
    > "$tmp/cancel.out" 2>&1 &
  pid=$!
  for _ in $(seq 50); do grep -q "sleep 235" "$tmp/cancel.out" 2>/dev/null && break; sleep 0.1; done
  sleep 0.5
  kill -INT $pid
  start=$(date +%s)
  wait $pid
  rc=$?
  elapsed=$(($(date +%s) - start))
  check "Ctrl-C ($rep): exit 1 within seconds ($elapsed s)" bash -c "[ $rc -eq 1 ] && [ $elapsed -lt 15 ]"
  check "Ctrl-C ($rep): the cancelled() step ran" grep -q cleanup-after-cancel "$tmp/cancel.out"
  check "Ctrl-C ($rep): no process is left" bash -c '! pgrep -f "sleep 23[45]" >/dev/null'
done

# 7. concurrency groups (GitHub's docs: one running and one pending per group; a newer pending job
#    cancels the older pending one; cancel-in-progress cancels the running one).
cat > .github/workflows/concurrency.yml <<'EOF'
name: concurrency
on: push
jobs:
  queue:
    runs-on: ubuntu-latest
    concurrency: only-one
    strategy:
      matrix:
        n: [1, 2, 3]
    steps:
      - run: sleep 1
  preempt:
    needs: queue
    if: always()
    runs-on: ubuntu-latest
    concurrency:
      group: preempt-${{ github.ref }}
      cancel-in-progress: true
    strategy:
      matrix:
        n: [1, 2]
    steps:
      - run: if [ "${{ matrix.n }}" = 1 ]; then sleep 236; fi
EOF
git add -A && git commit -q -m concurrency
start=$(date +%s)
"$runnel" run push -W .github/workflows/concurrency.yml --json --run-dir "$tmp/run-conc" \
  > "$tmp/conc.jsonl" 2>&1
elapsed=$(($(date +%s) - start))
check "concurrency: queue and cancel-in-progress as GitHub documents them ($elapsed s)" \
  /usr/bin/python3 - "$tmp/conc.jsonl" <<'EOF'
import json, sys
res = {}
for line in open(sys.argv[1]):
    if line.startswith('{'):
        e = json.loads(line)
        if e.get('event') == 'job':
            res[e['job']] = e['result']
queue = [res[k] for k in sorted(res) if 'queue' in k]
preempt = [res[k] for k in sorted(res) if 'preempt' in k]
sys.exit(0 if queue == ['success', 'cancelled', 'success'] and
         sorted(preempt) == ['cancelled', 'success'] else 1)
EOF
check "concurrency: the preempted job did not run to its end ($elapsed s)" [ "$elapsed" -lt 60 ]

# 8. each job's workspace is a copy of the working tree as `git add` sees it (act's rule):
#    uncommitted and untracked files included, ignored ones left out unless tracked, .git kept.
printf 'build-out/\n*.tmp\n' > .gitignore
mkdir -p build-out && echo big > build-out/blob && echo t > scratch.tmp && echo kept > forced.tmp
git add -f forced.tmp .gitignore && git commit -q -m ignore
echo new > untracked.txt
echo changed >> .gitignore
cat > .github/workflows/workspace.yml <<'EOF'
name: workspace
on: push
jobs:
  copy:
    runs-on: ubuntu-latest
    steps:
      - run: |
          test ! -e build-out && test ! -e scratch.tmp
          test -f forced.tmp && test -f untracked.txt && test -d .git
          grep -q changed .gitignore
      - run: echo written-in-copy > untracked.txt
EOF
"$runnel" run push -W .github/workflows/workspace.yml --run-dir "$tmp/run-ws" > "$tmp/ws.out" 2>&1
rc=$?
check "the workspace copy honours .gitignore and keeps uncommitted changes" [ $rc -eq 0 ]
check "steps never modify the user's files" grep -qx new untracked.txt

# 9. the default run directory, ~/.cache/runnel/runs/...: the sandbox gives steps an empty home,
#    and the workspace inside the real home must still be there, writable.
mkdir -p "$tmp/home"
HOME=$tmp/home XDG_CACHE_HOME= "$runnel" run push -W .github/workflows/workspace.yml > "$tmp/home.out" 2>&1
rc=$?
check "runnel run with the default run directory under HOME" [ $rc -eq 0 ]
[ $rc -eq 0 ] || tail -n 15 "$tmp/home.out"
check "... which is ~/.cache/runnel/runs" grep -q "run directory: $tmp/home/.cache/runnel/runs/" "$tmp/home.out"

# 10. tools installed inside the home and put on PATH (pyenv, nvm, a virtualenv...) stay usable:
#     their installation root (the parent of bin/ or shims/) is bound read-only; ~/.local/bin
#     brings only ~/.local/lib and the virtualenvs its links point into (pipx); nothing else of
#     the home is visible.
h=$tmp/home2
mkdir -p "$h/.pyenv/shims" "$h/.pyenv/versions/1" "$h/.local/bin" "$h/.local/lib" "$h/.local/share"
printf '#!/bin/sh\ncat "$HOME/.pyenv/versions/1/says"\n' > "$h/.pyenv/shims/mytool"
echo tool-ok > "$h/.pyenv/versions/1/says"
printf '#!/bin/sh\ncat "$HOME/.local/lib/data"\n' > "$h/.local/bin/localtool"
echo local-ok > "$h/.local/lib/data"
echo secret > "$h/secret" && echo hidden > "$h/.local/share/private"
# pipx: a link in ~/.local/bin to a virtualenv under ~/.local/share
mkdir -p "$h/.local/share/pipx/venvs/tool2/bin"
printf '#!/bin/sh\ncat "$HOME/.local/share/pipx/venvs/tool2/says"\n' > "$h/.local/share/pipx/venvs/tool2/bin/tool2"
echo pipx-ok > "$h/.local/share/pipx/venvs/tool2/says"
ln -s "$h/.local/share/pipx/venvs/tool2/bin/tool2" "$h/.local/bin/tool2"
mkdir -p "$h/.local/share/pipx/venvs/tool2" && touch "$h/.local/share/pipx/venvs/tool2/pyvenv.cfg"
chmod +x "$h/.pyenv/shims/mytool" "$h/.local/bin/localtool" "$h/.local/share/pipx/venvs/tool2/bin/tool2"
# cargo keeps a registry token next to its programs: only ~/.cargo/bin (and rustup's home) show
mkdir -p "$h/.cargo/bin" "$h/.rustup/toolchains" "$h/mybin"
printf '#!/bin/sh\necho cargo-ok\n' > "$h/.cargo/bin/cargo-tool"
echo 'token = "cio_secret"' > "$h/.cargo/credentials.toml"
printf '#!/bin/sh\necho mybin-ok\n' > "$h/mybin/tool3"
# any other tool's root may keep secrets too (foundry's keystores): only its bin/ and lib/ show
mkdir -p "$h/.foundry/bin" "$h/.foundry/lib" "$h/.foundry/keystores"
printf '#!/bin/sh\ncat "$HOME/.foundry/lib/data"\n' > "$h/.foundry/bin/forge"
echo forge-ok > "$h/.foundry/lib/data" && echo wallet > "$h/.foundry/keystores/deployer"
chmod +x "$h/.cargo/bin/cargo-tool" "$h/mybin/tool3" "$h/.foundry/bin/forge"
cat > .github/workflows/hometools.yml <<'EOF'
name: hometools
on: push
jobs:
  tools:
    runs-on: ubuntu-latest
    steps:
      - run: |
          test "$(mytool)" = tool-ok
          test "$(localtool)" = local-ok
          test "$(tool2)" = pipx-ok
          test "$(cargo-tool)" = cargo-ok && test -d "$HOME/.rustup/toolchains"
          test ! -e "$HOME/.cargo/credentials.toml"
          test "$(tool3)" = mybin-ok
          test "$(forge)" = forge-ok && test ! -e "$HOME/.foundry/keystores/deployer"
          test ! -e "$HOME/secret" && test ! -e "$HOME/.local/share/private"
          if (echo x > "$HOME/.pyenv/versions/1/says") 2>/dev/null; then exit 1; fi
          echo tools-ok
EOF
# $h/./mybin is the home's own folder spelled oddly: it must not bring the whole home along.
HOME=$h PATH="$h/.pyenv/shims:$h/.local/bin:$h/.cargo/bin:$h/./mybin:$h/.foundry/bin:$PATH" "$runnel" run push \
  -W .github/workflows/hometools.yml --run-dir "$tmp/run-tools" > "$tmp/tools.out" 2>&1
rc=$?
check "tools on PATH inside the home run; the rest of the home stays hidden, the tools read-only" \
  [ $rc -eq 0 ]
[ $rc -eq 0 ] || tail -n 15 "$tmp/tools.out"
# runnel itself kept right in the home: its folder is the home, so only its file is shown.
cp "$runnel" "$h/runnel"
cat > .github/workflows/selfhome.yml <<'EOF'
name: selfhome
on: push
jobs:
  self:
    runs-on: ubuntu-latest
    steps:
      - run: runnel --version && test ! -e "$HOME/secret" && touch "$HOME/writable"
EOF
HOME=$h "$h/runnel" run push -W .github/workflows/selfhome.yml --run-dir "$tmp/run-selfhome" \
  > "$tmp/selfhome.out" 2>&1
rc=$?
check "runnel kept in the home: runnel runs in steps, the home stays hidden and writable" [ $rc -eq 0 ]
[ $rc -eq 0 ] || tail -n 15 "$tmp/selfhome.out"
rm -f "$h/runnel"

# 11. container: and services: are not run; the job says so instead of dropping them silently.
cat > .github/workflows/container.yml <<'EOF'
name: container
on: push
jobs:
  c:
    runs-on: ubuntu-latest
    container:
      image: node:18
    services:
      redis:
        image: redis
    steps:
      - run: echo on-host
EOF
out=$("$runnel" run push -W .github/workflows/container.yml --run-dir "$tmp/run-container" 2>&1)
rc=$?
check "a container job runs on the host (exit $rc) and warns about the container and the service" \
  bash -c '[ "$1" = 0 ] && grep -q "container .node:18. is not started" <<< "$2" &&
    grep -q "service .redis. is not started" <<< "$2"' _ "$rc" "$out"

# 12. the default place keeps the newest runs only (RUNNEL_KEEP_RUNS, default 10; 0 keeps all):
#     each run holds a copy of the working tree per job. Other names there are never touched.
runs=$tmp/home3/.cache/runnel/runs
mkdir -p "$runs/notes"
for i in 01 02 03 04 05; do mkdir -p "$runs/202001$i-000000-1/logs"; done
HOME=$tmp/home3 XDG_CACHE_HOME= RUNNEL_KEEP_RUNS=3 "$runnel" run push -W .github/workflows/workspace.yml \
  > "$tmp/prune.out" 2>&1
rc=$?
new=$(cd "$runs" && ls | grep "^[0-9]" | sort | tail -n 1)
left=$(cd "$runs" && ls | grep -vx "$new" | tr '\n' ' ')
check "RUNNEL_KEEP_RUNS=3 leaves the two newest old runs, the new one and other names ($rc: $left)" \
  [ "$rc: $left" = "0: 20200104-000000-1 20200105-000000-1 notes " ]
check "... and the new run is the one it printed" grep -q "run directory: $runs/$new$" "$tmp/prune.out"
HOME=$tmp/home3 XDG_CACHE_HOME= RUNNEL_KEEP_RUNS=0 "$runnel" run push -W .github/workflows/workspace.yml \
  > "$tmp/prune.out" 2>&1
check "RUNNEL_KEEP_RUNS=0 keeps every run" [ "$(cd "$runs" && ls | grep -c "^[0-9]")" = 4 ]
# ... and a run still going is never removed, even by RUNNEL_KEEP_RUNS=1 in another runnel.
cat > .github/workflows/slowrun.yml <<'EOF'
name: slowrun
on: push
jobs:
  slow:
    runs-on: ubuntu-latest
    steps:
      - run: sleep 3 && echo "$RANDOM" > "$GITHUB_ENV.check" && echo slow-done
EOF
git add -A && git commit -q -m slowrun
HOME=$tmp/home3 XDG_CACHE_HOME= "$runnel" run push -W .github/workflows/slowrun.yml > "$tmp/slow.out" 2>&1 &
slow=$!
for _ in $(seq 100); do grep -q "sleep 3" "$tmp/slow.out" 2>/dev/null && break; sleep 0.1; done
HOME=$tmp/home3 XDG_CACHE_HOME= RUNNEL_KEEP_RUNS=1 "$runnel" run push -W .github/workflows/workspace.yml \
  > "$tmp/prune.out" 2>&1
wait $slow
rc=$?
check "a running run survives RUNNEL_KEEP_RUNS=1 from another runnel (exit $rc)" \
  bash -c '[ "$1" = 0 ] && grep -q slow-done "$2"' _ "$rc" "$tmp/slow.out"

# 12b. --run-dir: a relative one works from the steps' directories too; one inside the repository
#      (which each job copies) is refused with one line instead of copying the copy.
out=$("$runnel" run push -W .github/workflows/workspace.yml --run-dir ../rel-run 2>&1)
rc=$?
check "a relative --run-dir works (exit $rc)" [ $rc -eq 0 ]
[ $rc -eq 0 ] || tail -n 5 <<< "$out"
out=$("$runnel" run push -W .github/workflows/workspace.yml --run-dir inside-run 2>&1)
rc=$?
check "a --run-dir inside the repository is refused (exit $rc)" bash -c '[ "$1" = 2 ] &&
  grep -q "is inside the repository" <<< "$2" && [ ! -e inside-run ]' _ "$rc" "$out"
rm -rf ../rel-run

# 13. nothing triggered: runnel run says why for each workflow, as runnel plan does.
mkdir -p "$tmp/notrig/.github/workflows"
cat > "$tmp/notrig/.github/workflows/main-only.yml" <<'EOF'
on:
  push:
    branches: [main]
jobs:
  x:
    runs-on: ubuntu-latest
    steps:
      - run: echo hi
EOF
(cd "$tmp/notrig" && git init -q -b topic && git add -A && git -c user.name=t -c user.email=t@t commit -q -m x)
out=$(cd "$tmp/notrig" && "$runnel" run --run-dir "$tmp/run-notrig" 2>&1)
rc=$?
check "nothing triggered: exit 0 and the reason per workflow ($rc)" bash -c '[ "$1" = 0 ] &&
  grep -q "main-only.yml: branch .topic. does not match branches: \[main\]" <<< "$2"' _ "$rc" "$out"

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
