#!/usr/bin/env bash
# make demo: runs runnel on the bundled example workflows. It grows as capabilities land.
set -euo pipefail
cd "$(dirname "$0")/.."
runnel=${1:-build/release/runner/runnel}

echo "== runnel --version"
"$runnel" --version
echo
echo "== runnel validate workflows/"
mapfile -t files < <(find workflows -path '*/.github/workflows/*.yml' | sort)
"$runnel" validate "${files[@]}"
