#!/usr/bin/env bash
# runnel report --baseline-branch: the baseline is the metrics.json of the newest version that
# `runnel publish` put on a results branch of the origin (a bare repository made here).
set -euo pipefail
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export GIT_CONFIG_GLOBAL=/dev/null HOME=$tmp
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@e GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@e
unset GITHUB_TOKEN GITHUB_STEP_SUMMARY || true
fail() { echo "FAIL: $*" >&2; exit 1; }

git init -q --bare "$tmp/origin.git"
git init -q -b main "$tmp/work"
cd "$tmp/work"
git remote add origin "$tmp/origin.git"
git commit -q --allow-empty -m start
git push -q origin main

# the baseline run: a model right 3 times out of 6; its metrics.json goes to branch "results"
printf 'y_true,y_pred\na,a\na,b\nb,b\nb,a\nc,c\nc,a\n' > old.csv
"$RUNNEL_BIN" report -p old.csv -o base >/dev/null
"$RUNNEL_BIN" publish --branch results --path base/metrics.json >/dev/null

# this run: 5 out of 6; accuracy 0.5 -> 0.8333 and macro F1 from the published file
printf 'y_true,y_pred\na,a\na,a\nb,b\nb,b\nc,c\nc,a\n' > new.csv
rm -rf base
"$RUNNEL_BIN" report -p new.csv -o out --baseline-branch results --baseline-path base/metrics.json \
  >/dev/null 2>"$tmp/err" || fail "report: $(cat "$tmp/err")"
grep -qF '| accuracy | 0.5000 | 0.8333 | ▲ +0.3333 |' out/report.md \
  || fail "no accuracy comparison row: $(grep -n accuracy out/report.md)"
grep -qF '### Compared with the baseline' out/report.md || fail "no comparison table"

# a branch that does not exist: a clear error, exit 2
if "$RUNNEL_BIN" report -p new.csv -o out2 --baseline-branch nope 2>"$tmp/err"; then
  fail "missing branch accepted"
fi
grep -q "baseline: branch 'nope'" "$tmp/err" || fail "message: $(cat "$tmp/err")"
echo "report_baseline_branch: ok"
