#!/usr/bin/env bash
# runnel validate: located errors (GitHub's messages), local reusable workflows checked from
# disk, --strict versus the act allowances, --template-json, --case, action.yml files.
set -u
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
check() {
    if [[ $2 -eq 0 ]]; then pass=$((pass + 1)); else echo "FAIL $1"; fail=$((fail + 1)); fi
}
cd "$tmp" || exit 1
mkdir -p .github/workflows action
cat >.github/workflows/main.yml <<'YML'
on: push
jobs:
  call:
    uses: ./.github/workflows/called.yml
    with:
      name: x
      bogus: 1
YML
cat >.github/workflows/called.yml <<'YML'
on:
  workflow_call:
    inputs:
      name:
        type: string
        required: true
      level:
        type: number
        required: true
jobs:
  j:
    runs-on: ubuntu-latest
    steps:
      - run: echo ${{ inputs.name }}
YML
out=$("$RUNNEL_BIN" validate 2>&1)
rc=$?
[[ $rc -eq 1 ]]
check "invalid call exits 1" $?
grep -qF ".github/workflows/main.yml (Line: 4, Col: 11): Input level is required, but not provided while calling." <<<"$out"
check "required input of a local called workflow" $?
grep -qF ".github/workflows/main.yml (Line: 7, Col: 14): Invalid input, bogus is not defined in the referenced workflow." <<<"$out"
check "undefined input of a local called workflow" $?

# act allowance: workflow_call input without type is a warning, an error with --strict
cat >.github/workflows/main.yml <<'YML'
on:
  workflow_call:
    inputs:
      x:
        required: false
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: echo
YML
rm .github/workflows/called.yml
out=$("$RUNNEL_BIN" validate .github/workflows/main.yml 2>&1)
[[ $? -eq 0 ]] && grep -q "^warning: .*Required property is missing: type" <<<"$out"
check "lenient input type" $?
out=$("$RUNNEL_BIN" validate --strict .github/workflows/main.yml 2>&1)
[[ $? -eq 1 ]] && grep -qF "(Line: 5, Col: 9): Required property is missing: type" <<<"$out"
check "--strict input type" $?

# --template-json: GitHub's serialisation of the model
cat >w.yml <<'YML'
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: echo ${{ github.sha }}
YML
out=$("$RUNNEL_BIN" validate --template-json w.yml)
/usr/bin/python3 -c '
import json, sys
d = json.loads(sys.argv[1])
j = d["jobs"][0]
assert j["id"] == "build" and j["if"] == {"type": 3, "expr": "success()"}
assert [s["id"] for s in j["steps"]] == ["__actions_checkout", "__run"]
assert j["steps"][1]["run"] == {"type": 3, "expr": "format(\u0027echo {0}\u0027, github.sha)"}
' "$out"
check "--template-json" $?

# --case prints exactly the case's expected JSON
case_file="$RUNNEL_SHARED/conformance/workflow-parser/errors-job-needs-cycle.yml"
expected=$(awk 'BEGIN{RS="\n---\n"} {last=$0} END{printf "%s", last}' "$case_file")
[[ "$("$RUNNEL_BIN" validate --case "$case_file")" == "$expected" ]]
check "--case output" $?

# action.yml
cat >action/action.yml <<'YML'
name: a
runs:
  using: node20
YML
out=$("$RUNNEL_BIN" validate action/action.yml 2>&1)
[[ $? -eq 1 ]] && grep -qF "action/action.yml (Line: 3, Col: 3): There's not enough info to determine what you meant." <<<"$out"
check "action.yml without main" $?

# YAML errors and unknown keys are located
printf 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    stepz: []\n' >bad.yml
out=$("$RUNNEL_BIN" validate bad.yml 2>&1)
grep -qF "bad.yml (Line: 5, Col: 5): Unexpected value 'stepz'" <<<"$out"
check "unknown key" $?

# a filter next to its -ignore form for one event: github.com refuses the workflow with "you may
# only define one of `branches` and `branches-ignore` for a single event" (tags, then branches,
# then paths); the workflow-parser conformance cases (--case) do not check it
cat >both.yml <<'YML'
on:
  push:
    branches: [main]
    tags: [v1]
    paths-ignore: [docs/**]
    branches-ignore: [dev]
    tags-ignore: [v2]
  pull_request:
    paths: [src/**]
    paths-ignore: [docs/**]
  workflow_run:
    workflows: [CI]
    branches-ignore: [x]
    branches: [y]
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: echo
YML
out=$("$RUNNEL_BIN" validate both.yml 2>&1)
rc=$?
[[ $rc -eq 1 ]] &&
    [[ "$(grep -c 'you may only define one of' <<<"$out")" == 4 ]] &&
    grep -qF 'both.yml (Line: 7, Col: 5): you may only define one of `tags` and `tags-ignore` for a single event' <<<"$out" &&
    grep -qF 'both.yml (Line: 6, Col: 5): you may only define one of `branches` and `branches-ignore` for a single event' <<<"$out" &&
    grep -qF 'both.yml (Line: 10, Col: 5): you may only define one of `paths` and `paths-ignore` for a single event' <<<"$out" &&
    grep -qF 'both.yml (Line: 14, Col: 5): you may only define one of `branches` and `branches-ignore` for a single event' <<<"$out"
check "filter and its -ignore form for one event" $?
printf 'on:\n  push:\n    branches-ignore: [dev]\n    paths: [src/**]\n    tags: [v1]\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps: [{run: echo}]\n' >one.yml
"$RUNNEL_BIN" validate -q one.yml
check "different filters together are fine" $?

echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
