#!/usr/bin/env bash
# The act conformance corpus (../shared/conformance/act, MANIFEST.tsv) run with `runnel run`: each
# case's workflows check their own results in their steps, and the manifest gives the expected
# outcome. The corpus is copied into a scratch git repository whose origin is nektos/act, as the
# manifest asks. Prints the pass count; fails below RUNNEL_ACT_MIN (the count reached so far).
set -uo pipefail
runnel=${RUNNEL_BIN:?}
shared=${RUNNEL_SHARED:?}
min=${RUNNEL_ACT_MIN:-54}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

repo=$tmp/act
cp -r "$shared/conformance/act" "$repo"
chmod -R u+w "$repo"
(
  cd "$repo"
  git init -q -b master
  git config user.name "runnel test"
  git config user.email "test@runnel.invalid"
  git remote add origin https://github.com/nektos/act
  git add -A
  git commit -q -m "act corpus"
)

pass=0
fail=0
failed=()
while IFS=$'\t' read -r dir event expect extra what; do
  case "$dir" in ''|'#'*|dir) continue ;; esac
  args=()
  if [ "$extra" != "-" ]; then
    read -r -a words <<< "$extra"
    i=0
    while [ $i -lt ${#words[@]} ]; do
      w=${words[$i]}
      case "$w" in
        -e|--secret-file|--env-file)
          # act's test harness passes the event file only when the case has one.
          if [ "$w" != -e ] || [ -f "$repo/$dir/${words[$((i + 1))]}" ]; then
            args+=("$w" "$dir/${words[$((i + 1))]}")
          fi
          i=$((i + 2))
          continue
          ;;
      esac
      args+=("$w")
      i=$((i + 1))
    done
  fi
  log=$tmp/log-$(echo "$dir" | tr ' /' '__').txt
  (cd "$repo" && timeout 300 "$runnel" run "$event" -W "$dir/" --run-dir "$tmp/runs/$dir" \
      "${args[@]}" > "$log" 2>&1)
  rc=$?
  ok=0
  if [ "$expect" = success ] && [ $rc -eq 0 ]; then ok=1; fi
  if [ "$expect" = failure ] && [ $rc -ne 0 ] && [ $rc -lt 124 ]; then ok=1; fi
  if [ $ok = 1 ]; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    failed+=("$dir (expected $expect, exit $rc)")
    if [ -n "${RUNNEL_ACT_VERBOSE:-}" ]; then echo "--- $dir"; tail -n 25 "$log"; fi
  fi
done < "$shared/conformance/act/MANIFEST.tsv"

for f in "${failed[@]}"; do echo "not passing: $f"; done
total=$((pass + fail))
echo "act conformance: $pass of $total cases pass"
echo "$pass passed, $fail failed"
if [ $pass -lt "$min" ]; then
  echo "below the bar of $min"
  exit 1
fi
exit 0
