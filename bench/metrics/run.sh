#!/usr/bin/env bash
# bench/metrics: runnel report against pandas.read_csv + scikit-learn on the same predictions.
#
#   bench/metrics/run.sh [ROWS] [CLASSES]      (defaults: 10000000 rows, 20 classes)
#
# Builds a release runnel (build-release/, or $RUNNEL_BIN when set), generates the predictions,
# times both sides in the same run, checks the numbers are identical and prints the ratio.
# Needs Debian's /usr/bin/python3 with python3-pandas and python3-sklearn.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
rows=${1:-10000000}
classes=${2:-20}

if [ -z "${RUNNEL_BIN:-}" ]; then
  cmake -S "$root" -B "$root/build-release" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DRUNNEL_TESTS=OFF >/dev/null
  cmake --build "$root/build-release" -j2 --target runnel >/dev/null
  RUNNEL_BIN="$root/build-release/runner/runnel"
fi
export RUNNEL_BIN
exec /usr/bin/python3 "$here/bench.py" "$rows" "$classes"
