# Helpers for the hub end-to-end tests: start/stop the loopback Hub, read its state.
# Sourced by tests/e2e/hub_*.sh. Needs RUNNEL_BIN and RUNNEL_SOURCE_DIR (set by ctest).
set -euo pipefail
PY=/usr/bin/python3
HUB_SERVER="$RUNNEL_SOURCE_DIR/tests/hub/hub_server.py"
WORK=$(mktemp -d /tmp/runnel-hub-e2e.XXXXXX)
SERVER_PID=
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  if [ "${KEEP:-}" = "" ] && [ "${FAILED:-0}" = 0 ]; then rm -rf "$WORK"; else echo "kept $WORK"; fi
}
trap 'FAILED=1; cleanup' ERR
trap cleanup EXIT

# Isolate runnel from the user's token and cache; fast retries.
export HOME="$WORK/home" XDG_CACHE_HOME="$WORK/cache"
unset HF_TOKEN HF_HOME HF_TOKEN_PATH HF_ENDPOINT
export RUNNEL_HTTP_RETRY_BASE_MS=50 RUNNEL_HTTP_RETRIES=3
mkdir -p "$HOME" "$XDG_CACHE_HOME"

# start_server [extra args...]: sets ENDPOINT.
start_server() {
  $PY "$HUB_SERVER" --data "$WORK/server" --port-file "$WORK/port" --token hf_good --user user \
    --max-seconds 600 "$@" &
  SERVER_PID=$!
  for _ in $(seq 1 100); do [ -s "$WORK/port" ] && break; sleep 0.05; done
  [ -s "$WORK/port" ] || { echo "hub server did not start"; exit 1; }
  ENDPOINT="http://127.0.0.1:$(cat "$WORK/port")"
}

# state EXPR: evaluates a Python expression over the server state `s` and prints it.
state() {
  curl -sf "$ENDPOINT/_test/state" | $PY -c "import json,sys; s=json.load(sys.stdin); print($1)"
}

fault() { curl -sf -X POST -d "$1" "$ENDPOINT/_test/fault" >/dev/null; }

# expect NAME ACTUAL EXPECTED
expect() {
  if [ "$2" != "$3" ]; then echo "FAIL $1: got '$2', expected '$3'"; FAILED=1; exit 1; fi
  echo "ok   $1"
}

# expect_fail NAME PATTERN CMD...: CMD must fail with PATTERN in its stderr.
expect_fail() {
  local name=$1 pattern=$2; shift 2
  local out rc=0
  out=$("$@" 2>&1 >/dev/null) || rc=$?
  if [ $rc = 0 ]; then echo "FAIL $name: succeeded, expected an error"; FAILED=1; exit 1; fi
  if ! grep -q -- "$pattern" <<<"$out"; then
    echo "FAIL $name: error was: $out"; FAILED=1; exit 1
  fi
  if grep -q "hf_good\|hf_bad" <<<"$out"; then echo "FAIL $name: token printed: $out"; FAILED=1; exit 1; fi
  echo "ok   $name ($(head -1 <<<"$out"))"
}
