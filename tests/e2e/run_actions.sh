#!/usr/bin/env bash
# runnel run with actions written for this test: a JavaScript action with pre, main and post
# (inputs with dashes and mixed case, outputs, state from pre to main and from main to post, post
# after the last step), a failing post that fails the job, and composite actions nested three deep
# passing an input down and an output up. Expected behaviour from GitHub's action metadata docs
# and, for pre, from the runner (actions/runner ActionManager, JobExtension, ActionRunner): the pre
# of a repository's action runs when the job starts (or when the composite holding it starts), in
# step order, with pre-if as its only condition; it registers the post, which then runs even when
# main is skipped; a local action's pre never runs, with a warning.
set -uo pipefail
runnel=${RUNNEL_BIN:?}
command -v node >/dev/null || { echo "node is not installed: run scripts/deps.sh (make test does)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$RUNNEL_SOURCE_DIR/tests/e2e/lib/checks.sh"

repo=$tmp/repo
mkdir -p "$repo/.github/workflows" "$repo/.github/actions/js" "$repo/.github/actions/badpost"
mkdir -p "$repo/.github/actions/outer" "$repo/.github/actions/middle" "$repo/.github/actions/inner"
cd "$repo" || exit 1

cat > .github/actions/js/action.yml <<'YML'
name: js
inputs:
  My-Input:
    required: true
  with-default:
    default: dflt
outputs:
  greeting:
    description: set by main
runs:
  using: node20
  pre: pre.js
  main: main.js
  post: post.js
YML
cat > .github/actions/js/pre.js <<'JS'
const fs = require('fs');
if (process.env['INPUT_MY-INPUT'] !== 'hello') { console.log('::error::pre: INPUT_MY-INPUT is ' + process.env['INPUT_MY-INPUT']); process.exit(1); }
fs.appendFileSync(process.env.GITHUB_STATE, 'from_pre=yes\n');
console.log('pre ran');
JS
cat > .github/actions/js/main.js <<'JS'
const fs = require('fs');
const fail = (m) => { console.log('::error::' + m); process.exit(1); };
if ((process.env.STATE_from_pre || '') !== (process.env.EXPECT_PRE_STATE || '')) fail('STATE_from_pre is ' + process.env.STATE_from_pre);
if (process.env['INPUT_MY-INPUT'] !== 'hello') fail('INPUT_MY-INPUT is ' + process.env['INPUT_MY-INPUT']);
if (process.env['INPUT_WITH-DEFAULT'] !== 'dflt') fail('INPUT_WITH-DEFAULT is ' + process.env['INPUT_WITH-DEFAULT']);
if (!fs.existsSync(process.env.GITHUB_ACTION_PATH + '/main.js')) fail('GITHUB_ACTION_PATH is ' + process.env.GITHUB_ACTION_PATH);
fs.appendFileSync(process.env.GITHUB_OUTPUT, 'greeting=hi\n');
console.log('::save-state name=main_state::42');
console.log('main ran');
JS
cat > .github/actions/js/post.js <<'JS'
const fail = (m) => { console.log('::error::' + m); process.exit(1); };
if ((process.env.STATE_main_state || '') !== (process.env.EXPECT_MAIN_STATE || '')) fail('post: STATE_main_state is ' + process.env.STATE_main_state);
if ((process.env.STATE_from_pre || '') !== (process.env.EXPECT_PRE_STATE || '')) fail('post: STATE_from_pre is ' + process.env.STATE_from_pre);
console.log('post ran');
JS
cat > .github/actions/badpost/action.yml <<'YML'
name: badpost
runs:
  using: node20
  main: main.js
  post: post.js
YML
echo "console.log('bad main ran')" > .github/actions/badpost/main.js
echo "console.log('bad post runs'); process.exit(3)" > .github/actions/badpost/post.js


cat > .github/actions/outer/action.yml <<'YML'
name: outer
inputs:
  word: {required: true}
outputs:
  result:
    value: ${{ steps.m.outputs.result }}
runs:
  using: composite
  steps:
    - id: m
      uses: ./.github/actions/middle
      with:
        word: ${{ inputs.word }}-outer
YML
cat > .github/actions/middle/action.yml <<'YML'
name: middle
inputs:
  word: {required: true}
outputs:
  result:
    value: ${{ steps.i.outputs.result }}
runs:
  using: composite
  steps:
    - id: i
      uses: ./.github/actions/inner
      with:
        word: ${{ inputs.word }}-middle
YML
cat > .github/actions/inner/action.yml <<'YML'
name: inner
inputs:
  word: {required: true}
outputs:
  result:
    value: ${{ steps.s.outputs.result }}
runs:
  using: composite
  steps:
    - id: s
      shell: bash
      run: echo "result=${{ inputs.word }}-inner" >> "$GITHUB_OUTPUT"
YML

cat > .github/workflows/js.yml <<'YML'
name: js
on: push
jobs:
  js:
    runs-on: ubuntu-latest
    steps:
      - id: js
        uses: ./.github/actions/js
        env:
          EXPECT_MAIN_STATE: "42"
        with:
          My-Input: hello
      - run: test "${{ steps.js.outputs.greeting }}" = hi
      - id: nest
        uses: ./.github/actions/outer
        with:
          word: w
      - run: test "${{ steps.nest.outputs.result }}" = w-outer-middle-inner
      - run: echo last-step-ran
YML
cat > .github/workflows/badpost.yml <<'YML'
name: badpost
on: push
jobs:
  bad:
    runs-on: ubuntu-latest
    steps:
      - uses: ./.github/actions/badpost
      - run: echo steps-done
YML
git init -q -b main && git -c user.name=t -c user.email=t@t add -A && git -c user.name=t -c user.email=t@t commit -q -m t

out=$("$runnel" run push -W .github/workflows/js.yml --run-dir "$tmp/run-js" 2>&1)
rc=$?
check "the JavaScript and nested composite workflow succeeds" [ $rc -eq 0 ]
[ $rc -eq 0 ] || echo "$out" | tail -n 30
# Output lines only ("[job]   text"), not the script shown before a step runs.
order=$(grep -oE '\]   (pre ran|main ran|last-step-ran|post ran)$' <<< "$out" | cut -c5- | tr '\n' ' ')
check "a local action: no pre, main, the last step, then post ($order)" [ "$order" = "main ran last-step-ran post ran " ]
check "a local action's pre is refused with GitHub's warning" \
  grep -qF "\`pre\` execution is not supported for local action from './.github/actions/js'" <<< "$out"

# The same action from a repository (mapped with --action-path): its pre runs when the job starts,
# before the first step, with the step's inputs and env; its state reaches main and post. Inside a
# composite, it runs when the composite starts. With main skipped, pre and post still run.
cp -r .github/actions/js "$tmp/jsact"
mkdir -p .github/actions/wrap
cat > .github/workflows/remote-js.yml <<'YML'
name: remote-js
on: push
jobs:
  js:
    runs-on: ubuntu-latest
    env:
      EXPECT_PRE_STATE: "yes"
    steps:
      - run: echo first-step
      - id: js
        uses: octo/jsact@v1
        env:
          EXPECT_MAIN_STATE: "42"
        with:
          My-Input: hello
      - run: test "${{ steps.js.outputs.greeting }}" = hi
      - run: echo last-step-ran
YML
cat > .github/workflows/remote-js-skipped.yml <<'YML'
name: remote-js-skipped
on: push
jobs:
  js:
    runs-on: ubuntu-latest
    env:
      EXPECT_PRE_STATE: "yes"
    steps:
      - run: echo first-step
      - uses: octo/jsact@v1
        if: false
        with:
          My-Input: hello
      - run: echo last-step-ran
YML
cat > .github/actions/wrap/action.yml <<'YML'
name: wrap
runs:
  using: composite
  steps:
    - shell: bash
      run: echo in-composite-first
    - uses: octo/jsact@v1
      env:
        EXPECT_MAIN_STATE: "42"
      with:
        My-Input: hello
YML
cat > .github/workflows/remote-js-composite.yml <<'YML'
name: remote-js-composite
on: push
jobs:
  js:
    runs-on: ubuntu-latest
    env:
      EXPECT_PRE_STATE: "yes"
    steps:
      - run: echo first-step
      - uses: ./.github/actions/wrap
      - run: echo last-step-ran
YML
git -c user.name=t -c user.email=t@t add -A && git -c user.name=t -c user.email=t@t commit -q -m remote-js
steps_seen() {
  grep -oE '\]   (pre ran|first-step|in-composite-first|main ran|last-step-ran|post ran)$' <<< "$1" |
    cut -c5- | tr '\n' ' '
}
for wf in remote-js remote-js-skipped remote-js-composite; do
  # act's spelling of --action-path once, as .actrc files carry it
  map=--action-path && [ $wf = remote-js-skipped ] && map=--local-repository
  out=$("$runnel" run push -W .github/workflows/$wf.yml --offline \
    "$map" "octo/jsact@v1=$tmp/jsact" --run-dir "$tmp/run-$wf" 2>&1)
  rc=$?
  check "$wf succeeds" [ $rc -eq 0 ]
  [ $rc -eq 0 ] || echo "$out" | tail -n 30
  order=$(steps_seen "$out")
  case $wf in
    remote-js) want="pre ran first-step main ran last-step-ran post ran " ;;
    remote-js-skipped) want="pre ran first-step last-step-ran post ran " ;;
    remote-js-composite) want="first-step pre ran in-composite-first main ran last-step-ran post ran " ;;
  esac
  check "$wf: $want($order)" [ "$order" = "$want" ]
  [ $wf = remote-js ] && check "the pre is shown as 'Pre' and the step's name" \
    grep -q "Pre octo/jsact@v1" <<< "$out"
done

# In a composite, an action that cannot be resolved (its step skipped) does not cost the pre of
# the actions after it.
mkdir -p .github/actions/wrap2
cat > .github/actions/wrap2/action.yml <<'YML'
name: wrap2
runs:
  using: composite
  steps:
    - uses: octo/missing@v1
      if: false
    - uses: octo/jsact@v1
      env:
        EXPECT_MAIN_STATE: "42"
      with:
        My-Input: hello
YML
sed 's/wrap$/wrap2/; s/^name: remote-js-composite$/name: remote-js-composite2/' \
  .github/workflows/remote-js-composite.yml > .github/workflows/remote-js-composite2.yml
git -c user.name=t -c user.email=t@t add -A && git -c user.name=t -c user.email=t@t commit -q -m wrap2
out=$("$runnel" run push -W .github/workflows/remote-js-composite2.yml --offline \
  --action-path "octo/jsact@v1=$tmp/jsact" --run-dir "$tmp/run-wrap2" 2>&1)
rc=$?
order=$(steps_seen "$out")
check "a composite's unresolvable (skipped) action leaves the next pre alone ($rc: $order)" \
  [ "$rc: $order" = "0: first-step pre ran main ran last-step-ran post ran " ]

# pre-if: false skips the pre; main and post run without its state.
printf '%s\n' '  pre-if: false' >> "$tmp/jsact/action.yml"
sed 's/EXPECT_PRE_STATE: "yes"/EXPECT_PRE_STATE: ""/; s/^name: remote-js$/name: remote-js-preif/' .github/workflows/remote-js.yml \
  > .github/workflows/remote-js-preif.yml
out=$("$runnel" run push -W .github/workflows/remote-js-preif.yml --offline \
  --action-path "octo/jsact@v1=$tmp/jsact" --run-dir "$tmp/run-preif" 2>&1)
rc=$?
order=$(steps_seen "$out")
check "pre-if: false skips only the pre ($rc: $order)" \
  [ "$rc: $order" = "0: first-step main ran last-step-ran post ran " ]
check "... and says so" grep -q "skipped: Pre octo/jsact@v1 (pre-if: false)" <<< "$out"

# As GitHub's "Set up job": an action that cannot be resolved fails the job before its first step.
cat > .github/workflows/missing.yml <<'YML'
name: missing
on: push
jobs:
  m:
    runs-on: ubuntu-latest
    steps:
      - run: echo first-step
      - uses: octo/missing@v1
        if: false
YML
out=$("$runnel" run push -W .github/workflows/missing.yml --offline --run-dir "$tmp/run-missing" 2>&1)
rc=$?
check "an unresolvable action fails the job (exit $rc) before its first step" \
  bash -c '[ "$1" = 1 ] && ! grep -q "first-step$" <<< "$2"' _ "$rc" "$out"
check "... naming the action" grep -q "octo/missing@v1" <<< "$out"

# Ctrl-C during a pre: the pre is stopped, main is skipped, and the post (post-if: always())
# still runs to its end, as GitHub runs post steps after a cancellation; the job is cancelled.
mkdir -p "$tmp/slowact"
cat > "$tmp/slowact/action.yml" <<'YML'
name: slow
runs:
  using: node20
  pre: pre.js
  main: main.js
  post: post.js
YML
echo "console.log('pre started'); setTimeout(() => {}, 60000)" > "$tmp/slowact/pre.js"
echo "console.log('main ran')" > "$tmp/slowact/main.js"
echo "setTimeout(() => console.log('post ran to its end'), 300)" > "$tmp/slowact/post.js"
cat > .github/workflows/cancel-pre.yml <<'YML'
name: cancel-pre
on: push
jobs:
  slow:
    runs-on: ubuntu-latest
    steps:
      - uses: octo/slow@v1
YML
git -c user.name=t -c user.email=t@t add -A && git -c user.name=t -c user.email=t@t commit -q -m cancel-pre
"$runnel" run push -W .github/workflows/cancel-pre.yml --offline --action-path "octo/slow@v1=$tmp/slowact" \
  --run-dir "$tmp/run-cancel-pre" > "$tmp/cancel-pre.out" 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q "pre started" "$tmp/cancel-pre.out" 2>/dev/null && break; sleep 0.1; done
kill -INT $pid
wait $pid
rc=$?
check "Ctrl-C in a pre: exit $rc, main skipped, the post ran to its end, the job cancelled" \
  bash -c '[ "$1" = 1 ] && ! grep -q "main ran" "$2" && grep -q "post ran to its end" "$2" &&
    grep -q "slow  *cancelled" "$2"' _ "$rc" "$tmp/cancel-pre.out"

# After a job timeout the post still runs (the timeout cancels the job; the error is said once);
# a post that never ends is bounded by cancel-timeout-minutes, and a second Ctrl-C stops it.
mkdir -p "$tmp/hangact"
cat > "$tmp/hangact/action.yml" <<'YML'
name: hang
runs:
  using: node20
  main: main.js
  post: post.js
YML
echo "console.log('main started'); setTimeout(() => {}, 60000)" > "$tmp/hangact/main.js"
cat > "$tmp/hangact/post.js" <<'JS'
console.log('post started');
if (process.env.POST_HANGS) setTimeout(() => {}, 600000); else console.log('post ran');
JS
for spec in "timeout:0.03::" "grace:0.03:0.02:1" "ctrlc:::1"; do
  IFS=: read -r name tmin cmin hangs <<< "$spec"
  {
    echo "name: hang-$name"; echo "on: push"; echo "jobs:"; echo "  hang:"
    echo "    runs-on: ubuntu-latest"
    [ -n "$tmin" ] && echo "    timeout-minutes: $tmin"
    [ -n "$cmin" ] && echo "    cancel-timeout-minutes: $cmin"
    echo "    env: {POST_HANGS: '$hangs'}"
    echo "    steps:"; echo "      - uses: octo/hang@v1"
  } > .github/workflows/hang-$name.yml
done
git -c user.name=t -c user.email=t@t add -A && git -c user.name=t -c user.email=t@t commit -q -m hang
out=$("$runnel" run push -W .github/workflows/hang-timeout.yml --offline \
  --action-path "octo/hang@v1=$tmp/hangact" --run-dir "$tmp/run-hang1" 2>&1)
check "a job timeout: the post still runs, the timeout is said once" bash -c '
  grep -q "post ran" <<< "$1" &&
  [ "$(grep -c "exceeded the maximum execution time" <<< "$1")" = 1 ]' _ "$out"
start=$(date +%s)
"$runnel" run push -W .github/workflows/hang-grace.yml --offline \
  --action-path "octo/hang@v1=$tmp/hangact" --run-dir "$tmp/run-hang2" > /dev/null 2>&1
check "a post that never ends after a timeout is stopped by cancel-timeout-minutes ($(( $(date +%s) - start )) s)" \
  [ $(( $(date +%s) - start )) -lt 20 ]
"$runnel" run push -W .github/workflows/hang-ctrlc.yml --offline \
  --action-path "octo/hang@v1=$tmp/hangact" --run-dir "$tmp/run-hang3" > "$tmp/hang3.out" 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q "main started" "$tmp/hang3.out" 2>/dev/null && break; sleep 0.1; done
kill -INT $pid
for _ in $(seq 100); do grep -q "post started" "$tmp/hang3.out" 2>/dev/null && break; sleep 0.1; done
kill -INT $pid
start=$(date +%s)
wait $pid
check "a second Ctrl-C stops a post that does not end ($(( $(date +%s) - start )) s)" \
  [ $(( $(date +%s) - start )) -lt 10 ]

out=$("$runnel" run push -W .github/workflows/badpost.yml --run-dir "$tmp/run-bad" 2>&1)
rc=$?
check "a failing post fails the job (exit 1)" [ $rc -eq 1 ]
check "the failing post ran after the steps" bash -c 'grep -q "steps-done" <<< "$1" && grep -q "bad post runs" <<< "$1"' _ "$out"

# A remote reusable workflow (owner/repo/.github/workflows/x.yml@ref), offline through an
# --action-path mapping of that repository to a local directory.
tools=$tmp/tools
mkdir -p "$tools/.github/workflows"
cat > "$tools/.github/workflows/build.yml" <<'YML'
name: build
on:
  workflow_call:
    inputs:
      target:
        type: string
        required: true
    outputs:
      artifact:
        value: ${{ jobs.make.outputs.artifact }}
jobs:
  make:
    runs-on: ubuntu-latest
    outputs:
      artifact: ${{ steps.b.outputs.artifact }}
    steps:
      - id: b
        run: echo "artifact=${{ inputs.target }}.tar" >> "$GITHUB_OUTPUT"
YML
cat > .github/workflows/remote.yml <<'YML'
name: remote
on: push
jobs:
  call:
    uses: octo/tools/.github/workflows/build.yml@v1
    with:
      target: app
  check:
    needs: call
    runs-on: ubuntu-latest
    steps:
      - run: test "${{ needs.call.outputs.artifact }}" = app.tar
YML
git -c user.name=t -c user.email=t@t add -A && git -c user.name=t -c user.email=t@t commit -q -m remote
out=$("$runnel" run push -W .github/workflows/remote.yml --offline \
  --action-path "octo/tools@v1=$tools" --run-dir "$tmp/run-remote" 2>&1)
rc=$?
check "a remote reusable workflow runs from its mapped repository, outputs mapped back" [ $rc -eq 0 ]
[ $rc -eq 0 ] || echo "$out" | tail -n 20
check "its job is named 'caller / called'" grep -q "remote / call / make" <<< "$out"

checks_done
