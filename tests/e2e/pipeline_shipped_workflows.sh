#!/usr/bin/env bash
# The shipped actions, workflows and documentation examples keep expressions out of run:
# scripts, and the hello workflow does not run its dispatch input as shell code
# (tests/pipeline/test_shipped_workflows.py).
set -euo pipefail
exec /usr/bin/python3 "$RUNNEL_SOURCE_DIR/tests/pipeline/test_shipped_workflows.py"
