#!/usr/bin/env bash
# runnel report against scikit-learn on generated predictions (tests/report/check_sklearn.py).
# Debian's /usr/bin/python3 has python3-sklearn and python3-pandas; the python3 on PATH may not.
set -euo pipefail
exec /usr/bin/python3 "$RUNNEL_SOURCE_DIR/tests/report/check_sklearn.py"
