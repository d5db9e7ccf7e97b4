#!/usr/bin/env bash
# runnel plan/list on a git repository made here: event payloads and github context (GitHub's
# "Events that trigger workflows" and webhook payload docs), branch/tag/path filters with
# negation, pull_request base/head, workflow_dispatch inputs with types, workflow_run chaining,
# -j selection with needs, .runnelrc, and exit codes.
set -euo pipefail
: "${RUNNEL_BIN:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export HOME="$tmp/home"
mkdir -p "$HOME"
repo="$tmp/repo"
mkdir -p "$repo/.github/workflows" "$repo/src" "$repo/docs"
cd "$repo"
git init -q -b main
git config user.name "Mona Lisa"
git config user.email "mona@example.com"
git remote add origin https://github.com/nektos/act.git
fail() { echo "FAIL: $*"; exit 1; }
py() { /usr/bin/python3 -c "$@"; }

cat >.github/workflows/ci.yml <<'Y'
name: CI
on:
  push:
    branches: [main, 'releases/**', '!releases/**-alpha']
    paths: ['src/**']
jobs:
  a: {runs-on: ubuntu-latest, steps: [{run: 'true'}]}
  b: {needs: a, runs-on: ubuntu-latest, steps: [{run: 'true'}]}
  c: {needs: [a], runs-on: [self-hosted, linux], steps: [{run: 'true'}]}
  d: {needs: [b, c], runs-on: macos-latest, steps: [{run: 'true'}]}
Y
cat >.github/workflows/docs.yml <<'Y'
name: Docs
on:
  push:
    paths-ignore: ['src/**']
jobs:
  build: {runs-on: ubuntu-22.04, steps: [{run: 'true'}]}
  only-pr: {if: "github.event_name == 'pull_request'", runs-on: ubuntu-latest, steps: [{run: 'true'}]}
  on-push: {if: "github.event_name == 'push'", runs-on: ubuntu-latest, steps: [{run: 'true'}]}
Y
cat >.github/workflows/tags.yml <<'Y'
on:
  push:
    tags: ['v*']
jobs:
  release: {runs-on: ubuntu-latest, steps: [{run: 'true'}]}
Y
cat >.github/workflows/pr.yml <<'Y'
name: PR
on:
  pull_request:
    branches: [main]
jobs:
  check: {runs-on: ubuntu-latest, steps: [{run: 'true'}]}
Y
cat >.github/workflows/closed.yml <<'Y'
on:
  pull_request:
    types: [closed]
jobs:
  cleanup: {runs-on: ubuntu-latest, steps: [{run: 'true'}]}
Y
cat >.github/workflows/dispatch.yml <<'Y'
name: Dispatch
on:
  workflow_dispatch:
    inputs:
      flag: {type: boolean, default: false}
      level: {type: choice, options: [low, high], default: low}
      count: {type: number, required: true}
jobs:
  go: {runs-on: ubuntu-latest, steps: [{run: 'true'}]}
Y
cat >.github/workflows/after.yml <<'Y'
name: After
on:
  workflow_run:
    workflows: [CI]
    types: [completed]
    branches: [main]
jobs:
  deploy: {runs-on: ubuntu-latest, steps: [{run: 'true'}]}
Y
echo 'int main(void) { return 0; }' >src/a.c
echo '# hi' >docs/index.md
git add -A && git commit -qm "first"
first=$(git rev-parse HEAD)
echo 'more' >>docs/index.md
git add -A && git commit -qm "docs only"
second=$(git rev-parse HEAD)

# --- push of a docs-only commit: CI (paths src/**) not triggered, Docs (paths-ignore) triggered
"$RUNNEL_BIN" plan --json >"$tmp/p.json"
py '
import json, sys
p = json.load(open(sys.argv[1]))
w = {x["path"]: x for x in p["workflows"]}
ev = p["event"]
assert ev["name"] == "push" and ev["ref"] == "refs/heads/main", ev
assert ev["sha"] == sys.argv[2] and ev["before"] == sys.argv[3], ev
assert ev["changed_files"] == ["docs/index.md"], ev
assert not w[".github/workflows/ci.yml"]["triggered"], w[".github/workflows/ci.yml"]
assert "none of the 1 changed files" in w[".github/workflows/ci.yml"]["reason"]
assert w[".github/workflows/docs.yml"]["triggered"]
r = {j["id"]: j["reason"] for j in w[".github/workflows/docs.yml"]["jobs"]}
assert r["only-pr"].endswith("if: false for this event, skipped"), r
assert r["on-push"].endswith("if: true for this event"), r
assert w[".github/workflows/docs.yml"]["jobs"][1]["if"] == "success() && (github.event_name == \x27pull_request\x27)", w[".github/workflows/docs.yml"]["jobs"][1]
assert not w[".github/workflows/tags.yml"]["triggered"], "branch push with only tag filters"
assert not w[".github/workflows/pr.yml"]["triggered"]
assert p["repository"]["owner"] == "nektos" and p["repository"]["name"] == "act"
' "$tmp/p.json" "$second" "$first" || fail "push plan"

# --- the github context of a push (GitHub: GITHUB_REF = the branch, GITHUB_SHA = after)
"$RUNNEL_BIN" plan --context >"$tmp/c.json"
py '
import json, sys
c = json.load(open(sys.argv[1]))[0]
g, e = c["github"], c["env"]
assert g["repository"] == "nektos/act" and g["repository_owner"] == "nektos", g
assert g["event_name"] == "push" and g["ref"] == "refs/heads/main" and g["ref_name"] == "main"
assert g["ref_type"] == "branch" and g["sha"] == sys.argv[2] and g["actor"] == "Mona Lisa"
ev = g["event"]
assert ev["after"] == sys.argv[2] and ev["before"] == sys.argv[3] and ev["ref"] == "refs/heads/main"
assert ev["head_commit"]["id"] == sys.argv[2] and ev["head_commit"]["message"] == "docs only"
assert ev["head_commit"]["author"]["email"] == "mona@example.com"
assert ev["head_commit"]["modified"] == ["docs/index.md"]
assert [c["id"] for c in ev["commits"]] == [sys.argv[2]], ev["commits"]
assert ev["repository"]["full_name"] == "nektos/act" and ev["repository"]["owner"]["login"] == "nektos"
assert ev["pusher"]["name"] == "Mona Lisa" and ev["sender"]["login"] == "Mona Lisa"
assert e["GITHUB_REPOSITORY"] == "nektos/act" and e["GITHUB_SHA"] == sys.argv[2]
assert e["GITHUB_REF_NAME"] == "main" and e["GITHUB_EVENT_NAME"] == "push"
assert e["GITHUB_HEAD_REF"] == "" and e["CI"] == "true" and e["ACT"] == "true"
assert e["GITHUB_WORKFLOW_REF"] == "nektos/act/.github/workflows/docs.yml@refs/heads/main", e
' "$tmp/c.json" "$second" "$first" || fail "push context"

# --- --before the first commit's parent-less state: a src change makes CI run; job graph
echo 'x' >>src/a.c && git add -A && git commit -qm "src" && third=$(git rev-parse HEAD)
"$RUNNEL_BIN" plan --json --actor octocat >"$tmp/p.json"
py '
import json, sys
p = json.load(open(sys.argv[1]))
w = {x["path"]: x for x in p["workflows"]}
ci = w[".github/workflows/ci.yml"]
assert ci["triggered"], ci
order = [j["id"] for j in ci["jobs"]]
assert order == ["a", "b", "c", "d"], order
lv = {j["id"]: j["level"] for j in ci["jobs"]}
assert lv == {"a": 0, "b": 1, "c": 1, "d": 2}, lv
st = {j["id"]: j["state"] for j in ci["jobs"]}
assert st == {"a": "run", "b": "run", "c": "run", "d": "skip"}, st
d = [j for j in ci["jobs"] if j["id"] == "d"][0]
assert "macos-latest" in d["reason"], d
assert not w[".github/workflows/docs.yml"]["triggered"]
assert p["event"]["actor"] == "octocat"
' "$tmp/p.json" || fail "push src plan"

# -P maps a label; -j keeps the job and what it needs
# --before two commits back: both pushed commits are listed, oldest first, each with its files
"$RUNNEL_BIN" plan --context --before "$first" >"$tmp/c.json"
py '
import json, sys
ev = json.load(open(sys.argv[1]))[0]["github"]["event"]
assert [c["message"] for c in ev["commits"]] == ["docs only", "src"], ev["commits"]
assert ev["commits"][0]["modified"] == ["docs/index.md"] and ev["commits"][1]["modified"] == ["src/a.c"]
assert ev["head_commit"]["id"] == sys.argv[2] and ev["head_commit"]["modified"] == ["src/a.c"]
' "$tmp/c.json" "$third" || fail "commits list"
"$RUNNEL_BIN" plan --json -P macos-latest=host -j b >"$tmp/p.json"
py '
import json, sys
p = json.load(open(sys.argv[1]))
ci = [w for w in p["workflows"] if w["path"] == ".github/workflows/ci.yml"][0]
st = {j["id"]: j["state"] for j in ci["jobs"]}
assert st == {"a": "run", "b": "run", "c": "filtered", "d": "filtered"}, st
' "$tmp/p.json" || fail "-j"
"$RUNNEL_BIN" plan --json -P macos-latest=host -j d >"$tmp/p.json"
py '
import json, sys
p = json.load(open(sys.argv[1]))
ci = [w for w in p["workflows"] if w["path"] == ".github/workflows/ci.yml"][0]
st = {j["id"]: j["state"] for j in ci["jobs"]}
assert st == {"a": "run", "b": "run", "c": "run", "d": "run"}, st
' "$tmp/p.json" || fail "-j with needs"
if "$RUNNEL_BIN" plan -j nosuchjob >/dev/null 2>"$tmp/err"; then fail "-j unknown accepted"; fi
grep -q "no workflow has a job 'nosuchjob'" "$tmp/err" || fail "-j message"

# --- branch negation: releases/10 runs, releases/10-alpha does not (the docs' example)
git checkout -q -b releases/10
"$RUNNEL_BIN" plan --json --before "$second" >"$tmp/p.json"
py 'import json,sys; p=json.load(open(sys.argv[1])); w={x["path"]:x for x in p["workflows"]}; assert w[".github/workflows/ci.yml"]["triggered"], w' "$tmp/p.json" || fail "releases/10"
git checkout -q -b releases/10-alpha
"$RUNNEL_BIN" plan --json --before "$second" >"$tmp/p.json"
py 'import json,sys; p=json.load(open(sys.argv[1])); w={x["path"]:x for x in p["workflows"]}; c=w[".github/workflows/ci.yml"]; assert not c["triggered"] and "does not match" in c["reason"], c' "$tmp/p.json" || fail "releases/10-alpha"

# --- tag push: detached at a tag; tag filters decide, path filters are not evaluated
git checkout -q main && git tag v1.0 && git checkout -q --detach v1.0
"$RUNNEL_BIN" plan --json >"$tmp/p.json"
py '
import json, sys
p = json.load(open(sys.argv[1]))
w = {x["path"]: x for x in p["workflows"]}
assert p["event"]["ref"] == "refs/tags/v1.0", p["event"]
assert w[".github/workflows/tags.yml"]["triggered"]
assert not w[".github/workflows/ci.yml"]["triggered"], "only branch filters"
' "$tmp/p.json" || fail "tag push"
git checkout -q main

# --- pull_request from a feature branch into main (branches filter the base)
git checkout -q -b feature
echo 'y' >>src/a.c && git add -A && git commit -qm "feature work"
"$RUNNEL_BIN" plan pull_request --context >"$tmp/c.json"
py '
import json, sys
cs = json.load(open(sys.argv[1]))
assert [c["path"] for c in cs] == [".github/workflows/pr.yml"], [c["path"] for c in cs]
g = cs[0]["github"]
assert g["event_name"] == "pull_request" and g["head_ref"] == "feature" and g["base_ref"] == "main"
assert g["ref"] == "refs/pull/1/merge", g["ref"]
pr = g["event"]["pull_request"]
assert g["event"]["action"] == "opened" and pr["head"]["ref"] == "feature" and pr["base"]["ref"] == "main"
assert pr["head"]["sha"] == g["sha"] and pr["changed_files"] == 1
assert cs[0]["env"]["GITHUB_HEAD_REF"] == "feature" and cs[0]["env"]["GITHUB_BASE_REF"] == "main"
' "$tmp/c.json" || fail "pull_request context"
"$RUNNEL_BIN" plan pull_request --type closed --json >"$tmp/p.json"
py '
import json, sys
w = {x["path"]: x for x in json.load(open(sys.argv[1]))["workflows"]}
assert w[".github/workflows/closed.yml"]["triggered"]
assert not w[".github/workflows/pr.yml"]["triggered"], "closed is not a default type"
' "$tmp/p.json" || fail "pull_request types"
"$RUNNEL_BIN" plan pull_request --base feature --json >"$tmp/p.json"
py '
import json, sys
w = {x["path"]: x for x in json.load(open(sys.argv[1]))["workflows"]}
assert not w[".github/workflows/pr.yml"]["triggered"] and "base branch" in w[".github/workflows/pr.yml"]["reason"]
' "$tmp/p.json" || fail "pull_request base filter"

# --- GITHUB_REF/GITHUB_SHA per "Events that trigger workflows": pull_request_target runs on the
# default branch and its last commit (github.com), as do delete, issues, issue_comment, schedule,
# ...; pull_request_review(_comment) on the merge ref. Here HEAD is feature, one commit past main.
cat >"$tmp/ev.yml" <<'Y'
on: [pull_request_target, pull_request_review, issues, issue_comment, delete, watch, workflow_dispatch]
jobs:
  x: {runs-on: ubuntu-latest, steps: [{run: 'true'}]}
Y
main_sha=$(git rev-parse main)
feature_sha=$(git rev-parse feature)
"$RUNNEL_BIN" plan pull_request_target -W "$tmp/ev.yml" --context >"$tmp/c.json"
py '
import json, sys
c = json.load(open(sys.argv[1]))[0]
g, e = c["github"], c["env"]
assert g["ref"] == "refs/heads/main" and g["ref_name"] == "main", g["ref"]
assert g["sha"] == sys.argv[2] and e["GITHUB_SHA"] == sys.argv[2], g["sha"]
assert e["GITHUB_REF"] == "refs/heads/main" and g["base_ref"] == "main" and g["head_ref"] == "feature"
pr = g["event"]["pull_request"]
assert pr["head"]["sha"] == sys.argv[3] and pr["base"]["sha"] == sys.argv[2], pr
' "$tmp/c.json" "$main_sha" "$feature_sha" || fail "pull_request_target ref and sha"
for ev in issues issue_comment delete watch; do
    "$RUNNEL_BIN" plan "$ev" -W "$tmp/ev.yml" --context >"$tmp/c.json"
    py '
import json, sys
g = json.load(open(sys.argv[1]))[0]["github"]
assert (g["ref"], g["sha"]) == ("refs/heads/main", sys.argv[2]), (sys.argv[3], g["ref"], g["sha"])
' "$tmp/c.json" "$main_sha" "$ev" || fail "$ev: default branch"
done
"$RUNNEL_BIN" plan pull_request_review -W "$tmp/ev.yml" --context >"$tmp/c.json"
py '
import json, sys
g = json.load(open(sys.argv[1]))[0]["github"]
assert (g["ref"], g["sha"]) == ("refs/pull/1/merge", sys.argv[2]), g["ref"]
assert g["event"]["action"] == "submitted" and g["event"]["pull_request"]["base"]["ref"] == "main"
' "$tmp/c.json" "$feature_sha" || fail "pull_request_review ref"
"$RUNNEL_BIN" plan workflow_dispatch -W "$tmp/ev.yml" --context >"$tmp/c.json"
py '
import json, sys
g = json.load(open(sys.argv[1]))[0]["github"]
assert (g["ref"], g["sha"]) == ("refs/heads/feature", sys.argv[2]), g["ref"]
' "$tmp/c.json" "$feature_sha" || fail "workflow_dispatch: the current branch"
# -e: the payload's repository.default_branch names the branch (as act), its last commit the sha
echo '{"action": "created", "repository": {"default_branch": "feature"}}' >"$tmp/ic.json"
"$RUNNEL_BIN" plan issue_comment -e "$tmp/ic.json" -W "$tmp/ev.yml" --context >"$tmp/c.json"
py '
import json, sys
g = json.load(open(sys.argv[1]))[0]["github"]
assert (g["ref"], g["sha"]) == ("refs/heads/feature", sys.argv[2]), g
' "$tmp/c.json" "$feature_sha" || fail "issue_comment -e default_branch"
git checkout -q main
echo '{"action": "opened", "number": 7, "pull_request": {"head": {"ref": "feature"}, "base": {"ref": "main"}}}' >"$tmp/prt.json"
"$RUNNEL_BIN" plan pull_request_target -e "$tmp/prt.json" -W "$tmp/ev.yml" --context >"$tmp/c.json"
git checkout -q feature
py '
import json, sys
g = json.load(open(sys.argv[1]))[0]["github"]
assert (g["ref"], g["sha"]) == ("refs/heads/main", sys.argv[2]), g
' "$tmp/c.json" "$main_sha" || fail "pull_request_target -e"

# --- workflow_dispatch inputs: types converted, defaults filled, strings in github.event.inputs
"$RUNNEL_BIN" plan workflow_dispatch --input flag=true --input count=3 --context >"$tmp/c.json"
py '
import json, sys
c = json.load(open(sys.argv[1]))[0]
assert c["inputs"] == {"flag": True, "level": "low", "count": 3}, c["inputs"]
assert c["github"]["event"]["inputs"] == {"flag": "true", "level": "low", "count": "3"}, c["github"]["event"]
' "$tmp/c.json" || fail "dispatch inputs"
set +e
"$RUNNEL_BIN" plan workflow_dispatch --input flag=maybe --input count=1 >/dev/null 2>"$tmp/err"; rc=$?
set -e
[[ $rc == 2 ]] || fail "bad boolean input exit $rc"
grep -q "input 'flag' must be a boolean" "$tmp/err" || fail "bad boolean message"
set +e
"$RUNNEL_BIN" plan workflow_dispatch --input count=1 --input level=medium >/dev/null 2>"$tmp/err"; rc=$?
set -e
[[ $rc == 2 ]] && grep -q "input 'level' must be one of" "$tmp/err" || fail "choice check"

# --- no EVENT: act's choice, push when a workflow has it, else the first workflow's first event
"$RUNNEL_BIN" plan -W .github/workflows/dispatch.yml --input count=1 --json >"$tmp/p.json"
py 'import json,sys; e=json.load(open(sys.argv[1]))["event"]; assert e["name"] == "workflow_dispatch", e' "$tmp/p.json" || fail "default event"
"$RUNNEL_BIN" plan workflow_dispatch >"$tmp/out"
grep -q "required input 'count' not given" "$tmp/out" || fail "missing input warning: $(cat "$tmp/out")"

# --- workflow_run chaining (branches filter the triggering run's head branch)
"$RUNNEL_BIN" plan workflow_run --run-workflow CI --json >"$tmp/p.json"
py '
import json, sys
w = {x["path"]: x for x in json.load(open(sys.argv[1]))["workflows"]}
a = w[".github/workflows/after.yml"]
assert not a["triggered"] and "head branch \x27feature\x27" in a["reason"], a
' "$tmp/p.json" || fail "workflow_run branch filter"
git checkout -q main
"$RUNNEL_BIN" plan workflow_run --run-workflow CI --context >"$tmp/c.json"
py '
import json, sys
cs = json.load(open(sys.argv[1]))
assert [c["path"] for c in cs] == [".github/workflows/after.yml"], cs
run = cs[0]["github"]["event"]["workflow_run"]
assert run["name"] == "CI" and run["conclusion"] == "success" and run["head_branch"] == "main"
assert cs[0]["github"]["event"]["action"] == "completed"
' "$tmp/c.json" || fail "workflow_run"
"$RUNNEL_BIN" plan workflow_run --run-workflow Other --json >"$tmp/p.json"
py '
import json, sys
w = {x["path"]: x for x in json.load(open(sys.argv[1]))["workflows"]}
assert not w[".github/workflows/after.yml"]["triggered"]
' "$tmp/p.json" || fail "workflow_run other"

# --- .runnelrc (act .actrc form) and list
printf -- '--actor rc-actor\n# comment\n-P macos-latest=host\n' >.runnelrc
"$RUNNEL_BIN" plan --json --before "$second" >"$tmp/p.json"
py '
import json, sys
p = json.load(open(sys.argv[1]))
assert p["event"]["actor"] == "rc-actor", p["event"]
ci = [w for w in p["workflows"] if w["path"] == ".github/workflows/ci.yml"][0]
assert [j["state"] for j in ci["jobs"]] == ["run"] * 4
' "$tmp/p.json" || fail ".runnelrc"
(cd src && "$RUNNEL_BIN" plan --json --before "$second") >"$tmp/p.json"
py 'import json,sys; assert json.load(open(sys.argv[1]))["event"]["actor"] == "rc-actor"' "$tmp/p.json" || fail ".runnelrc from a subdirectory"
"$RUNNEL_BIN" plan --json --actor cli --before "$second" >"$tmp/p.json"
py 'import json,sys; assert json.load(open(sys.argv[1]))["event"]["actor"] == "cli"' "$tmp/p.json" || fail "command line over .runnelrc"
echo '--bogus x' >.runnelrc
if "$RUNNEL_BIN" plan >/dev/null 2>"$tmp/err"; then fail "bad .runnelrc accepted"; fi
grep -q ".runnelrc:1: unknown flag '--bogus'" "$tmp/err" || fail ".runnelrc message"
rm .runnelrc

"$RUNNEL_BIN" list >"$tmp/l.txt"
grep -q "^Level  *Job ID" "$tmp/l.txt" || fail "list header"
grep -qE "^2 +d +d +CI +.github/workflows/ci.yml +push" "$tmp/l.txt" || fail "list row: $(cat "$tmp/l.txt")"
"$RUNNEL_BIN" plan --dot | grep -qF '".github/workflows/ci.yml:a" -> ".github/workflows/ci.yml:b"' || fail "dot edges"

# --- detached at a branch tip that is no tag (a CI checkout): the branch's ref, as act
git checkout -q --detach feature
"$RUNNEL_BIN" plan --json >"$tmp/p.json"
py 'import json,sys; e=json.load(open(sys.argv[1]))["event"]; assert e["ref"] == "refs/heads/feature", e' "$tmp/p.json" || fail "detached ref"
git checkout -q main

# --- origin URL forms: scp-like and ssh:// name the same owner/repo; --repository overrides
for url in git@github.com:octo-org/octo-repo.git ssh://git@github.com/octo-org/octo-repo \
    https://github.com/octo-org/octo-repo/; do
    git remote set-url origin "$url"
    "$RUNNEL_BIN" plan --json >"$tmp/p.json"
    py 'import json,sys; r=json.load(open(sys.argv[1]))["repository"]; assert (r["owner"], r["name"]) == ("octo-org", "octo-repo"), (sys.argv[2], r)' "$tmp/p.json" "$url" || fail "origin $url"
done
"$RUNNEL_BIN" plan --json --repository nektos/act >"$tmp/p.json"
py 'import json,sys; r=json.load(open(sys.argv[1]))["repository"]; assert r["owner"] == "nektos", r' "$tmp/p.json" || fail "--repository"

# --- an invalid workflow: listed with its located message, exit 2
printf 'on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    needs: nope\n    steps: [{run: "true"}]\n  y: {runs-on: ubuntu-latest, steps: [{run: "true"}]}\n' >.github/workflows/bad.yml
set +e
"$RUNNEL_BIN" plan >"$tmp/out" 2>&1; rc=$?
set -e
[[ $rc == 2 ]] || fail "invalid workflow exit $rc"
grep -qF ".github/workflows/bad.yml (Line: 5, Col: 12): Job 'x' depends on unknown job 'nope'." "$tmp/out" || fail "invalid message: $(cat "$tmp/out")"
# --- --strict: GitHub's rules without act's allowances (a workflow_call input needs a type)
printf 'on:\n  workflow_call:\n    inputs:\n      x: {required: false}\njobs:\n  a: {runs-on: ubuntu-latest, steps: [{run: "true"}]}\n' >"$tmp/untyped.yml"
"$RUNNEL_BIN" plan workflow_call -W "$tmp/untyped.yml" >"$tmp/out" 2>&1 || fail "untyped input, lenient: $(cat "$tmp/out")"
grep -q "warning: .*Required property is missing: type" "$tmp/out" || fail "untyped input warning"
set +e
"$RUNNEL_BIN" plan workflow_call -W "$tmp/untyped.yml" --strict >"$tmp/out" 2>&1; rc=$?
set -e
[[ $rc == 2 ]] && grep -q "Required property is missing: type" "$tmp/out" || fail "--strict ignored by plan: $rc $(cat "$tmp/out")"

# --- a job whose need is skipped is skipped unless its if: says otherwise (workflow syntax,
# jobs.<job_id>.needs: "If a job fails or is skipped, all jobs that need it are skipped unless the
# jobs use a conditional expression that causes the job to continue"); plan shows what it knows
cat >"$tmp/skips.yml" <<'Y'
on: push
jobs:
  a: {if: "github.event_name == 'pull_request'", runs-on: ubuntu-latest, steps: [{run: 'true'}]}
  b: {needs: a, runs-on: ubuntu-latest, steps: [{run: 'true'}]}
  c: {needs: b, if: always(), runs-on: ubuntu-latest, steps: [{run: 'true'}]}
  d: {needs: c, runs-on: ubuntu-latest, steps: [{run: 'true'}]}
  e: {needs: a, if: "success() || github.event_name == 'push'", runs-on: ubuntu-latest, steps: [{run: 'true'}]}
  f: {needs: a, if: "needs.a.result == 'skipped'", runs-on: ubuntu-latest, steps: [{run: 'true'}]}
  g: {needs: a, if: "${{ !cancelled() }}", runs-on: ubuntu-latest, steps: [{run: 'true'}]}
  h: {needs: [c, g], if: failure(), runs-on: ubuntu-latest, steps: [{run: 'true'}]}
  w: {runs-on: windows-latest, steps: [{run: 'true'}]}
  x: {needs: w, runs-on: ubuntu-latest, steps: [{run: 'true'}]}
  y: {runs-on: ubuntu-latest, steps: [{run: 'true'}]}
  z: {needs: y, runs-on: ubuntu-latest, steps: [{run: 'true'}]}
Y
"$RUNNEL_BIN" plan -W "$tmp/skips.yml" --json >"$tmp/p.json"
py '
import json, sys
jobs = {j["id"]: j for j in json.load(open(sys.argv[1]))["workflows"][0]["jobs"]}
st = {k: j["state"] for k, j in jobs.items()}
# d: its need c runs (always()), but a job before c was skipped, and success() looks at the
# whole chain (actions/runner#2205: the job after an always() job that follows a skipped one is
# skipped)
want = {"a": "skip", "b": "skip", "c": "run", "d": "skip", "e": "run", "f": "skip", "g": "run",
        "h": "run", "w": "skip", "x": "skip", "y": "run", "z": "run"}
assert st == want, st
assert "needs \x27a\x27, which is skipped" in jobs["b"]["reason"], jobs["b"]
assert "needs \x27w\x27, which is skipped" in jobs["x"]["reason"], jobs["x"]
assert jobs["c"]["reason"].endswith("if: true for this event; needs \x27b\x27, which is skipped"), jobs["c"]
assert "needs \x27c\x27, after \x27b\x27, which is skipped" in jobs["d"]["reason"], jobs["d"]
' "$tmp/p.json" || fail "skipped needs"
"$RUNNEL_BIN" plan -W "$tmp/skips.yml" | grep -qE '^  [0-9]+\. \[skip\] b \(needs a\)$' || fail "skipped need text"

# --- path filters and the diff GitHub compares (workflow syntax, on.push.paths, "Git diff
# comparisons"): a push that creates a branch is diffed against the parent of the deepest commit
# pushed (the commits on no other branch), a root commit against the empty tree; only the first
# 300 files of the diff are read; more than 1,000 commits pushed always runs the workflow.
r2="$tmp/paths"
mkdir -p "$r2/.github/workflows" && cd "$r2"
git init -q -b main
git config user.name "Mona Lisa" && git config user.email "mona@example.com"
cat >.github/workflows/js.yml <<'Y'
on:
  push:
    paths: ['**.js']
jobs:
  x: {runs-on: ubuntu-latest, steps: [{run: 'true'}]}
Y
cat >.github/workflows/notdocs.yml <<'Y'
on:
  push:
    paths-ignore: ['docs/**', 'a/**']
jobs:
  x: {runs-on: ubuntu-latest, steps: [{run: 'true'}]}
Y
echo 'x' >app.js
git add -A && git commit -qm root && root=$(git rev-parse HEAD)
trig() { "$RUNNEL_BIN" plan --json "$@" >"$tmp/p.json" && py '
import json, sys
p = json.load(open(sys.argv[1]))
print(" ".join(sorted(w["path"].split("/")[-1] for w in p["workflows"] if w["triggered"])))
print(json.dumps(p["event"]["changed_files"]))
print(" | ".join(w["reason"] for w in p["workflows"]))
' "$tmp/p.json"; }
# a root commit pushed as a new branch: the whole tree changed
out=$(trig)
[[ "$(sed -n 1p <<<"$out")" == "js.yml notdocs.yml" ]] || fail "root commit: $out"
[[ "$(sed -n 2p <<<"$out")" == *'"app.js"'* ]] || fail "root commit files: $out"
# a new branch with one docs commit on top of main: only its own commit's files count
git checkout -q -b docs-branch
mkdir docs && echo d >docs/a.md && git add -A && git commit -qm docs
out=$(trig --before 0000000000000000000000000000000000000000)
[[ "$(sed -n 1p <<<"$out")" == "" ]] || fail "new branch, docs only: $out"
[[ "$(sed -n 2p <<<"$out")" == '["docs/a.md"]' ]] || fail "new branch files: $out"
# a new branch at a commit that is already on main pushes no commit: no file changed
git checkout -q main && git checkout -q -b same-as-main
out=$(trig --before 0000000000000000000000000000000000000000)
[[ "$(sed -n 1p <<<"$out")" == "" && "$(sed -n 2p <<<"$out")" == '[]' ]] || fail "new branch, no commit: $out"
# 301 files: app2.js is the 301st in git's path order (after a/000..a/299), so paths: ['**.js']
# never sees it and paths-ignore sees only ignored files
git checkout -q main
mkdir a && for i in $(seq -w 0 299); do echo "$i" >"a/$i"; done
echo y >app2.js
git add -A && git commit -qm many
out=$(trig)
[[ "$(sed -n 1p <<<"$out")" == "" ]] || fail "301 files: $out"
grep -q "none of the first 300 of the 301 changed files" <<<"$out" || fail "301 files reason: $out"
"$RUNNEL_BIN" plan | grep -q "301 changed files since .*; path filters read the first 300" || fail "301 files text"
git rm -q a/000 && git commit -qm fewer
out=$(trig --before HEAD~2)
[[ "$(sed -n 1p <<<"$out")" == "js.yml notdocs.yml" ]] || fail "300 files: $out"
# 1,001 commits pushed: GitHub always runs the workflow, path filters are not evaluated
git checkout -q -b long
{
    for i in $(seq 1 1001); do
        printf 'commit refs/heads/long\ncommitter Mona <m@e.com> %d +0000\ndata 2\nc\n' "$((1700000000 + i))"
        [[ $i == 1 ]] && echo "from refs/heads/long^0"
        printf 'M 100644 inline docs/n.md\ndata %d\n%d\n\n' "$((${#i} + 1))" "$i"
    done
} | git fast-import --quiet
git reset -q --hard long
out=$(trig --before main)
[[ "$(sed -n 1p <<<"$out")" == "js.yml notdocs.yml" ]] || fail "1001 commits: $out"
grep -q "1001 commits pushed, more than GitHub's 1000: path filters pass" <<<"$out" || fail "1001 reason: $out"
out=$(trig --before HEAD~1000)
[[ "$(sed -n 1p <<<"$out")" == "" ]] || fail "1000 commits, docs only: $out"
cd "$repo"

echo "plan_cli: ok"
