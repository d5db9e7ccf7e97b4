#!/usr/bin/env bash
# runnel run: workflow semantics checked against GitHub's documentation and runner (each section
# names its reference). The workflows check what they can in their own steps; this script checks
# results, logs and timing.
set -uo pipefail
runnel=${RUNNEL_BIN:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$RUNNEL_SOURCE_DIR/tests/e2e/lib/checks.sh"

repo=$tmp/repo
mkdir -p "$repo/.github/workflows" "$repo/.github/actions/comp" "$repo/wf"
cd "$repo" || exit 1
git init -q -b main
git config user.name "runnel test"
git config user.email "test@runnel.invalid"

# results FILE: "label=result" for each job of a --json run, sorted.
results() {
  /usr/bin/python3 - "$1" <<'EOF'
import json, sys
out = []
for line in open(sys.argv[1]):
    if line.startswith('{'):
        e = json.loads(line)
        if e.get('event') == 'job':
            out.append('%s=%s' % (e['job'], e['result']))
print(' '.join(sorted(out)))
EOF
}

# 1. a matrix on a job that calls a reusable workflow runs one call per leg, `with:` evaluated with
#    the leg's matrix, jobs named "call (a) / inner"; fail-fast and max-parallel apply to the legs;
#    the outputs are those of the last leg to succeed (docs, "Reusing workflows": "Using a matrix
#    strategy with a reusable workflow", "Using outputs from a reusable workflow").
cat > .github/workflows/called.yml <<'YML'
on:
  workflow_call:
    inputs:
      v:
        type: string
        required: true
      wait:
        type: number
        default: 0
    outputs:
      o:
        value: ${{ jobs.inner.outputs.x }}
jobs:
  inner:
    runs-on: ubuntu-latest
    outputs:
      x: ${{ steps.s.outputs.x }}
    steps:
      - id: s
        run: |
          echo "inner v=${{ inputs.v }}"
          echo "x=out-${{ inputs.v }}" >> "$GITHUB_OUTPUT"
          sleep ${{ inputs.wait }}
          case "${{ inputs.v }}" in a|b) ;; *) exit 3 ;; esac
          [ "${{ inputs.v }}" != b ] || [ "${{ github.event_name }}" != push ] || exit 1
YML
cat > wf/matrix-call.yml <<'YML'
name: mc
on: push
jobs:
  call:
    strategy:
      fail-fast: false
      matrix:
        v: [a, b]
    uses: ./.github/workflows/called.yml
    with:
      v: ${{ matrix.v }}
  after:
    needs: call
    if: always()
    runs-on: ubuntu-latest
    steps:
      - run: |
          echo "call=${{ needs.call.result }} o=${{ needs.call.outputs.o }}"
          [ "${{ needs.call.result }}" = failure ] && [ "${{ needs.call.outputs.o }}" = out-a ]
YML
git add -A && git commit -q -m matrix-call
"$runnel" run push -W wf/matrix-call.yml --json --run-dir "$tmp/run-mc" > "$tmp/mc.jsonl" 2>&1
rc=$?
got=$(results "$tmp/mc.jsonl")
check "matrix call: one call per leg, named 'call (leg) / inner', leg b fails the run ($rc: $got)" \
  [ "$rc: $got" = "1: mc / after=success mc / call (a) / inner=success mc / call (b) / inner=failure" ]
check "matrix call: with: sees each leg's matrix" \
  bash -c 'grep -q "inner v=a" "$1" && grep -q "inner v=b" "$1"' _ "$tmp/mc.jsonl"
check "matrix call: the outputs are the successful leg's, the result failure" \
  grep -q '"call=failure o=out-a"' "$tmp/mc.jsonl"

# fail-fast (the default) cancels the other leg's workflow; max-parallel 1 runs the legs in turn.
cat > wf/matrix-call-ff.yml <<'YML'
name: ff
on: push
jobs:
  call:
    strategy:
      matrix:
        v: [b, a]
    uses: ./.github/workflows/called.yml
    with:
      v: ${{ matrix.v }}
      wait: ${{ matrix.v == 'a' && 237 || 1 }}
YML
cat > wf/matrix-call-serial.yml <<'YML'
name: serial
on: push
jobs:
  call:
    strategy:
      max-parallel: 1
      fail-fast: false
      matrix:
        v: [a, c]
    uses: ./.github/workflows/called.yml
    with:
      v: ${{ matrix.v }}
      wait: 1
YML
git add -A && git commit -q -m ff
start=$(date +%s)
"$runnel" run push -W wf/matrix-call-ff.yml --json --jobs 4 --run-dir "$tmp/run-ff" > "$tmp/ff.jsonl" 2>&1
rc=$?
elapsed=$(($(date +%s) - start))
got=$(results "$tmp/ff.jsonl")
check "matrix call fail-fast: the other leg is cancelled ($rc: $got)" \
  [ "$rc: $got" = "1: ff / call (a) / inner=cancelled ff / call (b) / inner=failure" ]
check "matrix call fail-fast: not waited for ($elapsed s)" [ "$elapsed" -lt 60 ]
check "matrix call fail-fast: nothing is left running" bash -c '! pgrep -f "sleep 23[7]" >/dev/null'
"$runnel" run push -W wf/matrix-call-serial.yml --json --jobs 4 --run-dir "$tmp/run-serial" \
  > "$tmp/serial.jsonl" 2>&1
rc=$?
got=$(results "$tmp/serial.jsonl")
check "matrix call max-parallel: every leg ran, the bad one failed ($rc: $got)" \
  [ "$rc: $got" = "1: serial / call (a) / inner=success serial / call (c) / inner=failure" ]
check "matrix call max-parallel 1: no two legs overlap" /usr/bin/python3 - "$tmp/serial.jsonl" <<'EOF'
import json, sys
running, worst = set(), 0
for line in open(sys.argv[1]):
    if not line.startswith('{'):
        continue
    e = json.loads(line)
    if e['event'] == 'line' and e['text'].startswith('Job started'):
        running.add(e['job'])
        worst = max(worst, len(running))
    if e['event'] == 'job':
        running.discard(e['job'])
sys.exit(0 if worst == 1 else 1)
EOF

# the calling job's if: with its needs, as for any job (docs, jobs.<job_id>.needs: a failed need
# skips its dependants): the call is skipped.
cat > wf/call-if.yml <<'YML'
name: callif
on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: exit 1
  call:
    needs: a
    uses: ./.github/workflows/called.yml
    with:
      v: a
YML
git add -A && git commit -q -m call-if
"$runnel" run push -W wf/call-if.yml --json --run-dir "$tmp/run-callif" > "$tmp/callif.jsonl" 2>&1
rc=$?
got=$(results "$tmp/callif.jsonl")
check "a call after a failed need is skipped, its workflow not run ($rc: $got)" \
  [ "$rc: $got" = "1: callif / a=failure callif / call=skipped" ]

# 2. a strategy or a runs-on that cannot be evaluated fails the job, and the run, with the
#    evaluation's message (GitHub fails the job; its dependants see `failure`).
cat > wf/invalid.yml <<'YML'
name: invalid
on: push
jobs:
  m:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        x: ${{ fromJSON('[1,2') }}
    steps:
      - run: echo never
  r:
    runs-on: ${{ fromJSON('{x') }}
    steps:
      - run: echo never
  after:
    needs: [m, r]
    if: always()
    runs-on: ubuntu-latest
    steps:
      - run: |
          echo "m=${{ needs.m.result }} r=${{ needs.r.result }}"
          [ "${{ needs.m.result }}" = failure ] && [ "${{ needs.r.result }}" = failure ]
  dependant:
    needs: m
    runs-on: ubuntu-latest
    steps:
      - run: echo never
YML
git add -A && git commit -q -m invalid
"$runnel" run push -W wf/invalid.yml --json --run-dir "$tmp/run-invalid" > "$tmp/invalid.jsonl" 2>&1
rc=$?
got=$(results "$tmp/invalid.jsonl")
check "an unevaluable strategy or runs-on fails the job and the run ($rc: $got)" \
  [ "$rc: $got" = "1: invalid / after=success invalid / dependant=skipped invalid / m=failure invalid / r=failure" ]
check "... with the evaluation error, located" \
  bash -c '[ "$(grep -c "wf/invalid.yml (Line: [0-9]*, Col: [0-9]*): Error parsing fromJson" "$1")" = 2 ]' \
  _ "$tmp/invalid.jsonl"
out=$("$runnel" plan push -W wf/invalid.yml 2>&1)
check "runnel plan shows both as invalid" \
  bash -c '[ "$(grep -c "\[invalid\]" <<< "$1")" = 2 ]' _ "$out"

# ... but a job's `if` comes before its strategy and runs-on (GitHub evaluates jobs.<id>.if
# first): a false `if`, or a failed need under the default success(), skips such a job.
cat > wf/invalid-skip.yml <<'YML'
name: invalid-skip
on: push
jobs:
  off:
    if: false
    runs-on: ${{ fromJSON('{bad') }}
    steps:
      - run: echo never
  f:
    runs-on: ubuntu-latest
    outputs:
      m: ${{ steps.s.outputs.m }}
    steps:
      - id: s
        run: exit 1
  g:
    needs: f
    runs-on: ubuntu-latest
    strategy:
      matrix: ${{ fromJSON(needs.f.outputs.m) }}
    steps:
      - run: echo never
YML
git add -A && git commit -q -m invalid-skip
"$runnel" run push -W wf/invalid-skip.yml --json --run-dir "$tmp/run-invalid-skip" > "$tmp/invalid-skip.jsonl" 2>&1
rc=$?
got=$(results "$tmp/invalid-skip.jsonl")
check "a false if skips a job whose strategy or runs-on cannot be evaluated ($rc: $got)" \
  [ "$rc: $got" = "1: invalid-skip / f=failure invalid-skip / g=skipped invalid-skip / off=skipped" ]

# 3. job.status: success, failure after a failed step, cancelled once the job is cancelled
#    (StepsRunner.cs: JobContext.Status = jobContext.Result, Canceled on cancellation; the status
#    functions read it: FailureFunction.cs, CancelledFunction.cs).
cat > wf/status.yml <<'YML'
name: status
on: push
jobs:
  st:
    runs-on: ubuntu-latest
    steps:
      - run: '[ "${{ job.status }}" = success ]'
      - run: exit 1
      - if: failure()
        run: echo "status-after-failure=${{ job.status }}"
      - if: always()
        run: '[ "${{ job.status }}" = failure ]'
  cancel:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        n: [1, 2]
    steps:
      - run: if [ ${{ matrix.n }} = 1 ]; then sleep 1; exit 1; fi; sleep 238
      - if: cancelled() && !failure()
        run: echo "status-after-cancel-${{ matrix.n }}=${{ job.status }}"
YML
git add -A && git commit -q -m status
"$runnel" run push -W wf/status.yml --json --jobs 4 --run-dir "$tmp/run-status" > "$tmp/status.jsonl" 2>&1
rc=$?
got=$(results "$tmp/status.jsonl")
check "job.status: the jobs end as expected ($rc: $got)" \
  [ "$rc: $got" = "1: status / cancel (1)=failure status / cancel (2)=cancelled status / st=failure" ]
check "job.status is failure after a failed step" grep -q '"status-after-failure=failure"' "$tmp/status.jsonl"
check "job.status is cancelled after a cancellation, and failure() false" \
  grep -q '"status-after-cancel-2=cancelled"' "$tmp/status.jsonl"

# 4. a chain of needs: failure() sees an ancestor's failure (docs, Expressions > failure: "If you
#    have a chain of dependent jobs, failure() returns true if any ancestor job fails"), success()
#    needs every ancestor to have succeeded (actions/runner#2205: a job after a skipped one is
#    skipped though its own need succeeded).
cat > wf/chain.yml <<'YML'
name: chain
on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: exit 1
  b:
    needs: a
    runs-on: ubuntu-latest
    steps:
      - run: echo b
  c:
    needs: b
    if: failure()
    runs-on: ubuntu-latest
    steps:
      - run: echo "c ran"
  d:
    needs: b
    if: success() || failure()
    runs-on: ubuntu-latest
    steps:
      - run: '[ "${{ needs.b.result }}" = skipped ]'
  e:
    needs: d
    runs-on: ubuntu-latest
    steps:
      - run: echo e
YML
git add -A && git commit -q -m chain
"$runnel" run push -W wf/chain.yml --json --run-dir "$tmp/run-chain" > "$tmp/chain.jsonl" 2>&1
rc=$?
got=$(results "$tmp/chain.jsonl")
check "failure() and success() of a job look at every ancestor ($rc: $got)" \
  [ "$rc: $got" = "1: chain / a=failure chain / b=skipped chain / c=success chain / d=success chain / e=skipped" ]

# 5. defaults.run (shell, working-directory) stop at a composite action's steps (ScriptHandler.cs
#    reads the job defaults only when ExecutionContext.ScopeName is empty).
cat > .github/actions/comp/action.yml <<'YML'
name: comp
runs:
  using: composite
  steps:
    - shell: bash
      run: |
        echo "composite pwd=$PWD"
        [ "$PWD" = "$GITHUB_WORKSPACE" ]
YML
cat > wf/defaults.yml <<'YML'
name: defaults
on: push
defaults:
  run:
    working-directory: sub
jobs:
  d:
    runs-on: ubuntu-latest
    defaults:
      run:
        shell: sh
    steps:
      - run: mkdir sub
        working-directory: .
      - run: '[ "$(basename "$PWD")" = sub ]'
      - uses: ./.github/actions/comp
YML
git add -A && git commit -q -m defaults
out=$("$runnel" run push -W wf/defaults.yml --run-dir "$tmp/run-defaults" 2>&1)
rc=$?
check "a composite's run steps start in the workspace, not in defaults.run.working-directory" [ $rc -eq 0 ]
[ $rc -eq 0 ] || tail -n 10 <<< "$out"

# 6. github.action is the step's id, set for every step (StepsRunner.cs: SetGitHubContext("action",
#    actionStep.Action.Name)), the same as GITHUB_ACTION.
cat > wf/action.yml <<'YML'
name: action
on: push
jobs:
  act:
    runs-on: ubuntu-latest
    steps:
      - id: first
        run: '[ "${{ github.action }}" = first ] && [ "$GITHUB_ACTION" = first ]'
      - run: '[ "${{ github.action }}" = __run ] && [ "$GITHUB_ACTION" = __run ]'
      - run: '[ "${{ github.action }}" = __run_2 ]'
YML
git add -A && git commit -q -m action
out=$("$runnel" run push -W wf/action.yml --run-dir "$tmp/run-action" 2>&1)
rc=$?
check "github.action is the step's id" [ $rc -eq 0 ]
[ $rc -eq 0 ] || tail -n 10 <<< "$out"

# 7. a step summary over 1 MiB is dropped whole with the runner's error, the step not failed
#    (FileCommandManager.cs, CreateStepSummaryCommand; Constants.Runner.UnsupportedSummarySize).
cat > wf/summary.yml <<'YML'
name: summary
on: push
jobs:
  s:
    runs-on: ubuntu-latest
    steps:
      - run: |
          head -c 1100000 /dev/zero | tr '\0' y >> "$GITHUB_STEP_SUMMARY"
      - run: echo "small summary kept" >> "$GITHUB_STEP_SUMMARY"
YML
git add -A && git commit -q -m summary
out=$(NO_COLOR=1 "$runnel" run push -W wf/summary.yml --run-dir "$tmp/run-summary" 2>&1)
rc=$?
check "a step summary over 1 MiB does not fail the step" [ $rc -eq 0 ]
msg='$GITHUB_STEP_SUMMARY upload aborted, supports content up to a size of 1024k, got 1074k. For more information see: https://docs.github.com/actions/using-workflows/workflow-commands-for-github-actions#adding-a-markdown-summary'
check "a step summary over 1 MiB is dropped with the runner's error" \
  bash -c 'grep -qF "error: $1" <<< "$2" && grep -q "small summary kept" "$3" && ! grep -q yyyy "$3"' \
  _ "$msg" "$out" "$tmp/run-summary/summary.md"

# 8. an annotation whose message holds %0A: every line keeps the job's prefix on the console and
#    the time and kind in the log, as runnel's other lines do.
cat > wf/annotation.yml <<'YML'
name: annotation
on: push
jobs:
  m:
    runs-on: ubuntu-latest
    steps:
      - run: echo "::warning::first line%0Asecond line"
YML
git add -A && git commit -q -m annotation
out=$(NO_COLOR=1 "$runnel" run push -W wf/annotation.yml --run-dir "$tmp/run-annotation" 2>&1)
check "each line of a multi-line annotation has the job's prefix on the console" \
  bash -c 'grep -q "\[annotation / m\] warning: first line$" <<< "$1" &&
    grep -q "\[annotation / m\] warning: second line$" <<< "$1"' _ "$out"
check "... and the time and kind in the log" \
  bash -c 'grep -q "^[0-9T:-]*Z ##\[warning\]first line$" "$1" &&
    grep -q "^[0-9T:-]*Z ##\[warning\]second line$" "$1"' _ "$(ls "$tmp"/run-annotation/logs/*.log)"

checks_done
