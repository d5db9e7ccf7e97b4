# Sourced by the e2e scripts that count their checks:
#   check NAME CMD...   runs CMD; "ok   NAME" or "FAIL NAME", counted
#   skip NAME           says a check was left out (its reason in NAME)
#   commit MESSAGE      commits everything in the current repository as a fixed author
#   checks_done         prints the counts; its status is 0 only when nothing failed
pass=0 fail=0
check() { local n=$1; shift; if "$@"; then pass=$((pass + 1)); echo "ok   $n"; else fail=$((fail + 1)); echo "FAIL $n"; fi; }
skip() { echo "skip $1"; }
commit() { git add -A && git -c user.name=t -c user.email=t@example.com commit -qm "$1"; }
checks_done() { echo "$pass passed, $fail failed"; [ "$fail" = 0 ]; }
