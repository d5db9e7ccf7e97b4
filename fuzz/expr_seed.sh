#!/usr/bin/env bash
# Writes the seed corpus of expr_fuzz: every expression of ../shared/conformance/expressions/,
# one per file, followed (after a NUL byte) by its contexts when the case has some.
# usage: fuzz/expr_seed.sh DIR   (DIR is created; RUNNEL_SHARED overrides ../shared)
set -euo pipefail
dir=${1:?usage: expr_seed.sh DIR}
here=$(cd "$(dirname "$0")" && pwd)
shared=${RUNNEL_SHARED:-$here/../../shared}
mkdir -p "$dir"
/usr/bin/python3 - "$shared/conformance/expressions" "$dir" <<'PY'
import json, os, sys
src, out = sys.argv[1:]
n = 0
for name in sorted(os.listdir(src)):
    if name.endswith(".json"):
        for group in json.load(open(os.path.join(src, name))).values():
            for c in group:
                data = c["expr"].encode()
                if "contexts" in c:
                    data += b"\0" + json.dumps(c["contexts"]).encode()
                with open(os.path.join(out, "seed-%04d" % n), "wb") as f:
                    f.write(data)
                n += 1
print(f"{n} seeds in {out}")
PY
