#!/usr/bin/env bash
# fromJSON() against the reference: the same JSON texts through `runnel expr --jsonl` and through
# GitHub's TypeScript engine (@actions/expressions, bench/expr/ts_bench.mjs jsonl). Valid texts
# must give the same kind and value; texts JSON.parse refuses must be evaluation errors in both.
set -euo pipefail
: "${RUNNEL_BIN:?}"
src=$(cd "$(dirname "$0")/../.." && pwd)
if [[ ! -d $src/tests/node/node_modules/@actions/expressions ]]; then
    echo "tests/node has no node_modules: run 'make deps'" >&2
    exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

/usr/bin/python3 - "$tmp/cases.jsonl" <<'PY'
import json, sys
texts = [
    # valid
    '0', '-0', '7', '1.5', '-1.25e+3', '2E-3', '1e400', '-1e400', '1e-400', '0.1', '100e-2',
    '123456789012345678901234567890', '9007199254740993', '3.141592653589793238',
    '"abc"', '""', '"\\u00e9\\u00E9 \\ud83d\\ude00 \\n\\t\\r\\b\\f \\" \\\\ \\/"',
    '"caf\u00e9 \u2603"', '"\\u0041\\u0000b"',
    '[]', '{}', ' [1, 2 ,3] ', '\t\n\r [ \n ] \n', '[[[[[[[[[[1]]]]]]]]]]',
    '{"a":1,"b":{"c":[true,false,null,"x",{"d":-2.5}]}}', '{"a":1,"a":2}', '{"a":1,"b":2,"a":3}',
    '{"":0}', '[{"x":[]},{"y":{}}]', '"a\\u002Fb"',
    '[' * 200 + ']' * 200,
    # refused by JSON.parse
    '01', '-', '1.', '.5', '+1', '1e', '1e+', '0x10', '[1,]', '{"a":1,}', '{a:1}', "'a'",
    '"\t"', '"a\nb"', 'tru', 'nul', 'True', '[1 2]', '1 2', '{"a" 1}', '{"a":}', 'NaN',
    'Infinity', '"\\x"', '"\\u12"', '"\\u12G4"', '[', ']', '{"a"', '"abc', '\ufeff1',
    '/*c*/1', '1 // c', '{"a":1}}', '[1]]', ',', ':',
]
with open(sys.argv[1], "w") as f:
    for t in texts:
        f.write(json.dumps({"expr": "fromJSON(x)", "contexts": {"x": t}}) + "\n")
PY
"$RUNNEL_BIN" expr --jsonl <"$tmp/cases.jsonl" >"$tmp/runnel.jsonl"
node "$src/bench/expr/ts_bench.mjs" jsonl <"$tmp/cases.jsonl" >"$tmp/ts.jsonl"
/usr/bin/python3 - "$tmp/cases.jsonl" "$tmp/runnel.jsonl" "$tmp/ts.jsonl" <<'PY'
import json, math, sys
cases = [json.loads(l) for l in open(sys.argv[1])]
got = [json.loads(l) for l in open(sys.argv[2])]
ref = [json.loads(l) for l in open(sys.argv[3])]
assert len(got) == len(ref) == len(cases), (len(got), len(ref), len(cases))
def same(a, b):
    if isinstance(a, dict):
        return isinstance(b, dict) and list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(map(same, a, b))
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a):
        return math.isnan(b)
    return a == b
bad = 0
valid = 0
for c, g, r in zip(cases, got, ref):
    text = c["contexts"]["x"]
    if "result" in r:
        valid += 1
        ok = "result" in g and g["result"]["kind"] == r["result"]["kind"] and \
            same(g["result"]["value"], r["result"]["value"])
        # the reference harness writes an infinite number as null (JSON.stringify does)
        if r["result"] == {"kind": "Number", "value": None} and "result" in g:
            ok = g["result"]["kind"] == "Number" and isinstance(g["result"]["value"], float) \
                and math.isinf(g["result"]["value"])
    else:
        ok = "err" in g and g["err"]["kind"] == "evaluation"
    if not ok:
        bad += 1
        print("fromJSON(%r): runnel %s, reference %s" % (text[:60], json.dumps(g)[:200], json.dumps(r)[:200]))
print("fromJSON: %d of %d texts as the reference (%d valid, %d refused)" %
      (len(cases) - bad, len(cases), valid, len(cases) - valid))
sys.exit(1 if bad else 0)
PY
