#!/usr/bin/env bash
# An existing CML + huggingface-cli pipeline (tests/pipeline/cml-project) runs unchanged under
# runnel run against loopback GitHub and Hub servers (tests/pipeline/test_cml_project.py).
set -euo pipefail
exec /usr/bin/python3 "$RUNNEL_SOURCE_DIR/tests/pipeline/test_cml_project.py"
