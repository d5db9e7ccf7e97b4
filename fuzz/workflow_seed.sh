#!/usr/bin/env bash
# Writes the seed corpus of workflow_fuzz: the workflow of every workflow-parser conformance case
# (and the reusable workflows they carry), and every act workflow, one per file.
# usage: fuzz/workflow_seed.sh DIR   (DIR is created; RUNNEL_SHARED overrides ../shared)
set -euo pipefail
dir=${1:?usage: workflow_seed.sh DIR}
here=$(cd "$(dirname "$0")" && pwd)
shared=${RUNNEL_SHARED:-$here/../../shared}
mkdir -p "$dir"
/usr/bin/python3 - "$shared/conformance" "$dir" <<'PY'
import os, re, sys
src, out = sys.argv[1:]
n = 0
def put(data):
    global n
    with open(os.path.join(out, "seed-%04d" % n), "wb") as f:
        f.write(data.encode())
    n += 1
wp = os.path.join(src, "workflow-parser")
for name in sorted(os.listdir(wp)):
    docs = re.split(r"\r?\n---\r?\n", open(os.path.join(wp, name)).read())
    put(docs[1])
    for i in range(3, len(docs) - 1, 2):
        put(docs[i])
for root, _, files in os.walk(os.path.join(src, "act")):
    for f in sorted(files):
        if f.endswith((".yml", ".yaml")):
            put(open(os.path.join(root, f), errors="replace").read())
print(f"{n} seeds in {out}")
PY
