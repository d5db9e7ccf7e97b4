#!/usr/bin/env bash
# Builds the libFuzzer targets and runs one of them.
#   fuzz/run.sh <target> [seconds]      e.g. fuzz/run.sh yaml 600
# The seed corpus is gathered into build/fuzz/corpus-<target>/ from what ../shared holds
# (workflow files for yaml and workflow, expressions for expr) and tests/data when present.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?usage: fuzz/run.sh <target> [seconds]}
seconds=${2:-600}
shared=${RUNNEL_SHARED:-$(cd .. && pwd)/shared}

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz --target "${target}_fuzz"

corpus=build/fuzz/corpus-$target
mkdir -p "$corpus"
case "$target" in
  yaml|workflow|plan|run) # run: the workflows hold ::commands:: and GITHUB_ENV heredocs
    i=0
    while IFS= read -r -d '' f; do cp "$f" "$corpus/seed-$((i++)).yml"; done \
      < <(find "$shared/conformance" -name '*.yml' -print0)
    ;;
  expr)
    if command -v node >/dev/null; then
      node -e '
        const fs = require("fs"), path = require("path");
        const dir = process.argv[1] + "/conformance/expressions", out = process.argv[2];
        let i = 0;
        for (const f of fs.readdirSync(dir)) {
          const cases = JSON.parse(fs.readFileSync(path.join(dir, f), "utf8"));
          for (const k of Object.keys(cases)) for (const c of cases[k])
            fs.writeFileSync(path.join(out, "seed-" + (i++)), c.expr);
        }' "$shared" "$corpus"
    fi
    ;;
  actions)
    printf '\000actions/checkout@v4' >"$corpus/seed-ref-1"
    printf '\000github/codeql-action/init@release/v3' >"$corpus/seed-ref-2"
    printf '\000docker://alpine:3' >"$corpus/seed-ref-3"
    printf '\0013.11.4\n>=3.9 <3.12 || 2.x' >"$corpus/seed-ver-1"
    for k in good dotdot symlink; do
      /usr/bin/python3 tests/e2e/lib/make_tarball.py "$k" "$corpus/t.tar.gz" o-r-1234567
      { printf '\002'; cat "$corpus/t.tar.gz"; } >"$corpus/seed-tar-$k"
      rm -f "$corpus/t.tar.gz"
    done
    ;;
esac
[ -d "tests/data/$target" ] && cp -r "tests/data/$target/." "$corpus/" || true

echo "fuzz: $target for ${seconds}s, corpus $corpus ($(ls "$corpus" | wc -l) files)"
ASAN_OPTIONS=detect_leaks=1 "build/fuzz/fuzz/${target}_fuzz" -max_total_time="$seconds" \
  -rss_limit_mb=2048 -timeout=10 "$corpus"
