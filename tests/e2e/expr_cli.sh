#!/usr/bin/env bash
# runnel expr: one expression with --context, and --jsonl over every GitHub conformance case
# judged as ../shared/conformance/NOTICE.md says (kind equal; results equal as JSON; error
# messages contain the expected text).
set -euo pipefail
: "${RUNNEL_BIN:?}" "${RUNNEL_SHARED:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

printf '{"github":{"event_name":"push","ref":"refs/heads/main"},"matrix":{"n":[1,2]}}' >"$tmp/ctx.json"
out=$("$RUNNEL_BIN" expr "format('{0}@{1}', github.event_name, github.ref)" --context "$tmp/ctx.json")
[[ $out == "push@refs/heads/main" ]] || { echo "string result: got '$out'"; exit 1; }
out=$("$RUNNEL_BIN" expr "matrix.n" --context "$tmp/ctx.json")
[[ $out == $'[\n  1,\n  2\n]' ]] || { echo "array result: got '$out'"; exit 1; }
if "$RUNNEL_BIN" expr "secrets.token" --context "$tmp/ctx.json" 2>"$tmp/err"; then
    echo "unknown context accepted"; exit 1
fi
grep -q "Unrecognized named-value: 'secrets'. Located at position 1 within expression: secrets.token" "$tmp/err"
set +e
"$RUNNEL_BIN" expr "1 +" >/dev/null 2>&1; rc=$?
set -e
[[ $rc == 1 ]] || { echo "bad expression exit $rc"; exit 1; }

/usr/bin/python3 - "$RUNNEL_SHARED/conformance/expressions" "$tmp/cases.jsonl" "$tmp/want.json" <<'PY'
import json, os, sys
src, cases, want = sys.argv[1:]
exp = []
with open(cases, "w") as f:
    for name in sorted(os.listdir(src)):
        if not name.endswith(".json"):
            continue
        for group in json.load(open(os.path.join(src, name))).values():
            for c in group:
                f.write(json.dumps({"expr": c["expr"], "contexts": c.get("contexts", {})}) + "\n")
                exp.append(c)
json.dump(exp, open(want, "w"))
PY
"$RUNNEL_BIN" expr --jsonl <"$tmp/cases.jsonl" >"$tmp/got.jsonl"
/usr/bin/python3 - "$tmp/want.json" "$tmp/got.jsonl" <<'PY'
import json, sys
want = json.load(open(sys.argv[1]))
got = [json.loads(l) for l in open(sys.argv[2])]
assert len(got) == len(want), (len(got), len(want))
ok = 0
def same(a, b):
    # numbers compare as numbers (123 and 123.0), object key order matters
    if isinstance(a, dict):
        return isinstance(b, dict) and list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(map(same, a, b))
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    return a == b
for w, g in zip(want, got):
    if "result" in w:
        good = "result" in g and g["result"]["kind"] == w["result"]["kind"] and \
            same(g["result"]["value"], w["result"]["value"])
    else:
        good = "err" in g and g["err"]["kind"] == w["err"]["kind"] and w["err"]["value"] in g["err"]["value"]
    if good:
        ok += 1
    else:
        print("FAIL", json.dumps(w)[:200], "->", json.dumps(g)[:200])
print(f"runnel expr --jsonl: {ok} of {len(want)} conformance cases pass")
sys.exit(0 if ok == len(want) else 1)
PY
