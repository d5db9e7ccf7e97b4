#!/usr/bin/env bash
# Fails when a banned call (docs/style.md, B13) appears in C sources outside src/util/.
set -euo pipefail
cd "$(dirname "$0")/.."
pattern='\b(strcpy|strcat|strncpy|sprintf|vsprintf|strtok|gets|atoi|atol|system|popen|tmpnam|mktemp|alloca|malloc|calloc|realloc|free)[[:space:]]*\('
hits=$(git ls-files '*.c' '*.h' | grep -v '^src/util/' | xargs grep -nE "$pattern" 2>/dev/null \
  | grep -vE '^\S+:[0-9]+:\s*(/\*|\*|//)' || true)
if [ -n "$hits" ]; then
  echo "banned calls (docs/style.md, B13):"
  echo "$hits"
  exit 1
fi
echo "check-banned: clean"
