#!/usr/bin/env bash
# Builds runnel from the source tree SRC into BUILD (reusing a cached build) and installs it with
# its cml and hf aliases into DEST. Used by actions/setup and the repository's root action.yml.
# Environment: SRC, BUILD, DEST, BUILD_TYPE; GITHUB_PATH and GITHUB_OUTPUT when run by a runner.
set -euo pipefail
: "${SRC:?}" "${BUILD:?}" "${DEST:?}"
BUILD_TYPE=${BUILD_TYPE:-Release}

if command -v apt-get >/dev/null && [ ! -f /usr/include/yaml.h ]; then
  sudo=$([ "$(id -u)" = 0 ] || echo sudo)
  $sudo apt-get update -q
  $sudo apt-get install -y -q --no-install-recommends cmake ninja-build pkg-config \
    libyaml-dev libcurl4-openssl-dev libcjson-dev libgit2-dev libarchive-dev \
    libcairo2-dev libseccomp-dev
fi
cmake -S "$SRC" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE="$BUILD_TYPE" -DRUNNEL_TESTS=OFF >/dev/null
cmake --build "$BUILD"
mkdir -p "$DEST"
install -m 0755 "$BUILD/runner/runnel" "$DEST/runnel"
ln -sf runnel "$DEST/cml"
ln -sf runnel "$DEST/hf"
if [ -n "${GITHUB_PATH:-}" ]; then echo "$DEST" >> "$GITHUB_PATH"; fi
if [ -n "${GITHUB_OUTPUT:-}" ]; then
  echo "runnel=$DEST/runnel" >> "$GITHUB_OUTPUT"
  echo "version=$("$DEST/runnel" --version)" >> "$GITHUB_OUTPUT"
fi
"$DEST/runnel" --version
