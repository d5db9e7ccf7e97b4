#!/usr/bin/env bash
# runnel validate over the act corpus (../shared/conformance/act): every case directory listed in
# MANIFEST.tsv is validated; the cases the manifest describes as invalid workflows (validation or
# planner errors) must be rejected with a located message "file (Line: L, Col: C): ...", every
# other case (including those that fail only when run) must be accepted.
set -u
act="$RUNNEL_SHARED/conformance/act"
# From MANIFEST.tsv's "what it exercises": planner errors, a null step, run and uses in one
# step, neither run nor uses.
invalid=" issue-1595 job-nil-step uses-and-run-in-one-step uses-github-empty "
pass=0
fail=0
cd "$act" || exit 1
while IFS=$'\t' read -r dir event expect extra what; do
    case "$dir" in '#'* | '') continue ;; esac
    out=$("$RUNNEL_BIN" validate -q "$dir" 2>&1)
    rc=$?
    if [[ "$invalid" == *" $dir "* ]]; then
        if [[ $rc -eq 1 && "$out" =~ \(Line:\ [0-9]+,\ Col:\ [0-9]+\):\  ]]; then
            pass=$((pass + 1))
        else
            echo "FAIL $dir: expected a located rejection, got rc=$rc: $out"
            fail=$((fail + 1))
        fi
    else
        if [[ $rc -eq 0 ]]; then
            pass=$((pass + 1))
        else
            echo "FAIL $dir: expected acceptance, got rc=$rc: $out"
            fail=$((fail + 1))
        fi
    fi
done < MANIFEST.tsv
echo "act corpus: $pass agree with the manifest, $fail disagree"
echo "$pass passed, $fail failed"
[[ $fail -eq 0 && $pass -ge 50 ]]
