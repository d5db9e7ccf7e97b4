#!/usr/bin/env bash
# runnel plan and list on a git repository made here: push with branch and paths filters (the
# changed files come from the commit's diff), pull_request against --base, workflow_dispatch
# inputs (defaults filled, types checked), -j, -P, --matrix, --json/--dot, -e payload, .runnelrc.
set -u
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
pass=0
check() { # name, condition result (0 = ok)
    if [[ $2 -eq 0 ]]; then pass=$((pass + 1)); else echo "FAIL $1"; fail=$((fail + 1)); fi
}
cd "$tmp" || exit 1
git init -q -b main repo && cd repo || exit 1
git config user.email t@example.com && git config user.name tester
git remote add origin https://github.com/octo-org/octo-repo.git
mkdir -p .github/workflows src docs
cat >.github/workflows/ci.yml <<'YML'
name: ci
on:
  push:
    branches: [main, 'releases/**']
    paths: ['src/**']
  pull_request:
    branches: [main]
jobs:
  build:
    strategy:
      matrix:
        os: [ubuntu-latest, macos-latest]
        node: [18, 20]
        exclude:
          - os: macos-latest
            node: 18
    runs-on: ${{ matrix.os }}
    steps:
      - run: echo build
  test:
    needs: build
    runs-on: ubuntu-latest
    steps:
      - run: echo test
  mac-only:
    runs-on: macos-latest
    steps:
      - run: echo mac
  after-mac:
    needs: mac-only
    runs-on: ubuntu-latest
    steps:
      - run: echo after
YML
cat >.github/workflows/dispatch.yml <<'YML'
name: dispatch
on:
  workflow_dispatch:
    inputs:
      level:
        type: choice
        options: [info, debug]
        default: info
      dry:
        type: boolean
        default: false
jobs:
  go:
    runs-on: ubuntu-latest
    steps:
      - run: echo ${{ inputs.level }}
YML
echo a >src/a.c
echo d >docs/d.md
git add -A && git commit -qm first
echo b >>docs/d.md
git commit -qam "docs only"

json() { "$RUNNEL_BIN" plan "$@" --json; }
py() { /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); $1"; }

# push of a docs-only change: paths: ['src/**'] does not trigger
out=$(json push)
echo "$out" | py "w=[x for x in d['workflows'] if x['name']=='ci'][0]; sys.exit(0 if not w['triggered'] and 'paths' in w['why'] else 1)"
check "docs-only push does not trigger ci" $?
echo "$out" | py "sys.exit(0 if d['event']['changed_files']==['docs/d.md'] and d['event']['ref']=='refs/heads/main' else 1)"
check "push event: ref and changed files from the commit" $?

echo c >>src/a.c
git commit -qam "src change"
out=$(json push)
echo "$out" | py "
w=[x for x in d['workflows'] if x['name']=='ci'][0]
assert w['triggered']
jobs={j['id']:j for j in w['jobs']}
b=jobs['build']
legs=[(l['matrix']['os'],l['matrix']['node'],l.get('host')) for l in b['legs']]
assert legs==[('ubuntu-latest',18,'host'),('ubuntu-latest',20,'host'),('macos-latest',20,None)], legs
assert b['legs'][1]['job_index']==1 and b['legs'][1]['job_total']==3
assert jobs['test']['needs']==['build'] and jobs['test']['level']==1
assert jobs['mac-only']['state']=='skipped' and 'macos-latest' in jobs['mac-only']['why']
assert jobs['after-mac']['state']=='skipped' and 'mac-only' in jobs['after-mac']['why']
"
check "src push: matrix legs, needs, label skips" $?

# -P maps macos-latest to this host; -j keeps one job and what it needs
out=$(json push -P macos-latest=host -j after-mac)
echo "$out" | py "
w=[x for x in d['workflows'] if x['name']=='ci'][0]
jobs={j['id']:j for j in w['jobs']}
assert jobs['mac-only']['state']=='run' and jobs['after-mac']['state']=='run'
assert jobs['build']['state']=='skipped'
"
check "-P and -j" $?

# --matrix keeps matching legs
out=$(json push --matrix node:20)
echo "$out" | py "
w=[x for x in d['workflows'] if x['name']=='ci'][0]
b=[j for j in w['jobs'] if j['id']=='build'][0]
assert [l.get('state') for l in b['legs']]==['not selected',None,None]
"
check "--matrix filter" $?

# pull_request from a branch into main
git checkout -qb feature
echo e >>src/a.c
git commit -qam feature
out=$(json pull_request --base main)
echo "$out" | py "
assert d['event']['ref']=='refs/pull/1/merge' and d['event']['action']=='opened'
assert d['event']['changed_files']==['src/a.c']
w=[x for x in d['workflows'] if x['name']=='ci'][0]
assert w['triggered'] and 'main' in w['why']
"
check "pull_request into main" $?
out=$(json pull_request --base main --action closed)
echo "$out" | py "w=[x for x in d['workflows'] if x['name']=='ci'][0]; assert not w['triggered']"
check "pull_request closed is not a default type" $?

# workflow_dispatch inputs
out=$(json workflow_dispatch --input level=debug)
echo "$out" | py "w=[x for x in d['workflows'] if x['name']=='dispatch'][0]; assert w['triggered']"
check "workflow_dispatch with a valid choice" $?
out=$(json workflow_dispatch --input level=loud)
echo "$out" | py "w=[x for x in d['workflows'] if x['name']=='dispatch'][0]; assert not w['triggered'] and 'level' in w['why']"
check "workflow_dispatch with an invalid choice" $?
out=$(json workflow_dispatch --input dry=maybe)
echo "$out" | py "w=[x for x in d['workflows'] if x['name']=='dispatch'][0]; assert not w['triggered'] and 'true or false' in w['why']"
check "workflow_dispatch boolean input checked" $?

# -e payload: a push to a tag (branch filters only: not triggered)
printf '{"ref":"refs/tags/v1.0.0","after":"%s"}' "$(git rev-parse HEAD)" >event.json
out=$(json push -e event.json)
echo "$out" | py "w=[x for x in d['workflows'] if x['name']=='ci'][0]; assert not w['triggered'] and 'tag' in w['why']"
check "-e tag push with only branch filters" $?

# .runnelrc gives defaults (act's .actrc format)
git checkout -q main
echo "-P macos-latest=host" >.runnelrc
out=$(json push)
echo "$out" | py "
w=[x for x in d['workflows'] if x['name']=='ci'][0]
assert [j for j in w['jobs'] if j['id']=='mac-only'][0]['state']=='run'
"
check ".runnelrc defaults" $?
rm .runnelrc

# text, dot and list
"$RUNNEL_BIN" plan push | grep -q "ci (.github/workflows/ci.yml): triggered by push on branch 'main'"
check "text plan" $?
"$RUNNEL_BIN" plan push --dot | grep -q '"w0_build" -> "w0_test"'
check "dot plan" $?
"$RUNNEL_BIN" list workflow_dispatch | grep -q "go .*dispatch"
check "list by event" $?
"$RUNNEL_BIN" list | grep -c "ci.yml" | grep -q 4
check "list all jobs" $?

echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
