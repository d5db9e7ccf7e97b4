#!/usr/bin/env bash
# workflows/ml-example: a pull request's model is never published or deployed; CD deploys the
# version CI published for the commit it tested, and re-runs succeed
# (tests/pipeline/test_ml_example.py).
set -euo pipefail
exec /usr/bin/python3 "$RUNNEL_SOURCE_DIR/tests/pipeline/test_ml_example.py"
