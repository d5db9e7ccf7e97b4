#!/usr/bin/env bash
# runnel's composite actions (actions/report, publish, space) in a workflow under runnel run,
# against loopback GitHub and Hub servers and a bare repository (tests/pipeline/).
set -euo pipefail
exec /usr/bin/python3 "$RUNNEL_SOURCE_DIR/tests/pipeline/test_composite_actions.py"
