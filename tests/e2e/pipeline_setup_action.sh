#!/usr/bin/env bash
# actions/setup and the root action.yml: missing packages installed one by one, the binary (not
# the build tree) cached and reused from another checkout path (tests/pipeline/test_setup_action.py).
set -euo pipefail
exec /usr/bin/python3 "$RUNNEL_SOURCE_DIR/tests/pipeline/test_setup_action.py"
