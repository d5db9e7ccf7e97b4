#!/usr/bin/env bash
# Installs what runnel needs to build, test and run its demo on Debian 12 (make deps).
# As root, missing Debian packages are installed with apt-get; otherwise the exact command is
# printed. The npm packages the tests run beside runnel (tests/node/package.json) are installed
# into tests/node/node_modules when npm is present.
set -euo pipefail
cd "$(dirname "$0")/.."

# Build: compiler, CMake, Ninja, the five required libraries, cairo (PNG reports), libseccomp.
# Tests and demo: git (http-backend), git-lfs (reads what runnel publish stores), Python with
# scikit-learn, pandas and PyYAML from Debian, cmark-gfm (reads a comment's markdown as GitHub
# does), Node.js, clang for the fuzz targets and its sanitizer runtime, clang-format 14 for the
# format check. Benchmarks: openssl (bench/hub's SHA-256 floor).
packages=(
  build-essential cmake ninja-build pkg-config git curl ca-certificates
  libyaml-dev libcurl4-openssl-dev libcjson-dev libgit2-dev libarchive-dev
  libcairo2-dev fonts-dejavu-core libseccomp-dev zstd
  python3 python3-sklearn python3-pandas python3-numpy python3-pil python3-yaml cmark-gfm
  clang clang-format libclang-rt-14-dev
  nodejs npm iproute2 procps
  git-lfs openssl
)

missing=()
for p in "${packages[@]}"; do
  # node and npm may come from elsewhere (nodesource, nvm); only ask for them when absent.
  case "$p" in
    nodejs) command -v node >/dev/null 2>&1 && continue ;;
    npm) command -v npm >/dev/null 2>&1 && continue ;;
  esac
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "deps: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${missing[@]}"
  else
    echo "deps: missing packages; run as root:"
    echo "  apt-get install -y ${missing[*]}"
    exit 1
  fi
fi

if command -v npm >/dev/null 2>&1 && [ -f tests/node/package.json ]; then
  if [ ! -d tests/node/node_modules ] || [ tests/node/package.json -nt tests/node/node_modules ]; then
    echo "deps: installing the npm reference clients into tests/node"
    (cd tests/node && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi
echo "deps: all present"
