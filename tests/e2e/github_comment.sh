#!/usr/bin/env bash
# runnel comment/check/cml against a loopback GitHub (tests/github/), and that server against
# @octokit/rest. Debian's /usr/bin/python3 runs the server and the checks.
set -euo pipefail
exec /usr/bin/python3 "$RUNNEL_SOURCE_DIR/tests/github/test_github.py"
