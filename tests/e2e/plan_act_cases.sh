#!/usr/bin/env bash
# runnel plan over the act conformance corpus (../shared/conformance/act/MANIFEST.tsv): every
# case expected to succeed must plan with its event and flags, trigger at least one workflow and
# have a runnable job; cases expected to fail at planning (invalid workflows) must exit 2.
# Prints the count; fails below the bar (raise it as the workflow module accepts more).
set -euo pipefail
: "${RUNNEL_BIN:?}" "${RUNNEL_SHARED:?}"
act="$RUNNEL_SHARED/conformance/act"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$act"
pass=0
total=0
bad=()
while IFS=$'\t' read -r dir event expect extra what; do
    [[ -z $dir || $dir == \#* ]] && continue
    total=$((total + 1))
    args=(plan "$event" -W "$dir/" --json --no-rc --repository nektos/act)
    if [[ $extra != - ]]; then
        read -r -a ex <<<"$extra"
        for ((i = 0; i < ${#ex[@]}; i++)); do
            case "${ex[i]}" in
            -e | --secret-file | --env-file) args+=("${ex[i]}" "$dir/${ex[i + 1]}"); i=$((i + 1)) ;;
            *) args+=("${ex[i]}") ;;
            esac
        done
    fi
    set +e
    "$RUNNEL_BIN" "${args[@]}" >$tmp/out.json 2>$tmp/err
    rc=$?
    set -e
    ok=0
    if [[ $rc == 0 ]]; then
        /usr/bin/python3 - $tmp/out.json <<'PY' && ok=1
import json, sys
p = json.load(open(sys.argv[1]))
ws = [w for w in p["workflows"] if w["triggered"]]
assert ws and any(j["state"] in ("run", "deferred") for w in ws for j in w["jobs"])
PY
    elif [[ $rc == 2 && $expect == failure ]] && grep -q "(Line: " $tmp/out.json $tmp/err; then
        ok=1 # rejected at load time with a located message
    fi
    # a failure case whose workflows are valid fails when it runs, not when it is planned
    [[ $rc == 0 && $expect == failure ]] && ok=1
    if [[ $ok == 1 ]]; then pass=$((pass + 1)); else bad+=("$dir ($event, exit $rc: $(head -c 200 $tmp/err))"); fi
done <MANIFEST.tsv
echo "plan over act cases: $pass/$total"
for b in "${bad[@]+"${bad[@]}"}"; do echo "  not planned: $b"; done
# uses-workflow: its manifest line names an event.json the case does not have, and the local
# reusable workflow is passed a secret it does not declare (GitHub refuses that; act does not).
(( pass >= 53 )) || { echo "below the bar of 53"; exit 1; }
