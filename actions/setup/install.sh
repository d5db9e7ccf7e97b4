#!/usr/bin/env bash
# Installs runnel with its cml and hf aliases into DEST. Used by actions/setup and the
# repository's root action.yml, in two calls:
#
#   install.sh key   writes key=<cache key> to GITHUB_OUTPUT (else stdout): the hash of the
#                    sources (their content, never their path), the OS, its release, the
#                    architecture and the build type. actions/cache saves and restores CACHE
#                    under it.
#   install.sh       1. uses the binary restored into CACHE when it was built from the same key
#                       (CACHE/key) and runs here (its shared libraries are all present);
#                    2. otherwise installs, with apt-get, every build tool, library and font that
#                       is missing (each checked on its own: `pkg-config --exists` per library),
#                       builds SRC in a fresh BUILD folder (cmake's output shown, so a library
#                       still missing is named), and keeps the binary in CACHE for the next run.
#
# Only the binary is cached, never the build tree: a CMake build folder remembers its source
# path, so the same sources checked out elsewhere (another ref of the action) could not reuse it.
# Environment: SRC, BUILD, DEST, BUILD_TYPE (default Release), CACHE and KEY (both optional),
# RUNNER_OS_NAME and RUNNER_ARCH_NAME (for `key`); GITHUB_PATH and GITHUB_OUTPUT in a runner.
set -euo pipefail
: "${SRC:?}"
BUILD_TYPE=${BUILD_TYPE:-Release}
CACHE=${CACHE:-}
KEY=${KEY:-}

output() {
  if [ -n "${GITHUB_OUTPUT:-}" ]; then echo "$1" >> "$GITHUB_OUTPUT"; else echo "$1"; fi
}

if [ "${1:-}" = key ]; then
  # The sources the binary is built from, by content and relative name.
  hash=$(cd "$SRC" && find CMakeLists.txt src runner actions/setup/install.sh -type f -print0 |
    LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
  os=$( (. /etc/os-release && echo "${ID:-linux}-${VERSION_ID:-0}") 2>/dev/null || uname -s)
  output "key=runnel-${RUNNER_OS_NAME:-$(uname -s)}-${RUNNER_ARCH_NAME:-$(uname -m)}-$os-$BUILD_TYPE-$hash"
  exit 0
fi
: "${BUILD:?}" "${DEST:?}"

# What the build needs and the Debian/Ubuntu package that brings each: the compiler and tools,
# the five libraries CMake requires, cairo and fontconfig (the PNG confusion matrix), libseccomp
# (the sandbox), and the DejaVu Sans face the PNG is drawn with.
missing_packages() {
  command -v cc >/dev/null || echo build-essential
  command -v cmake >/dev/null || echo cmake
  command -v ninja >/dev/null || echo ninja-build
  command -v pkg-config >/dev/null || echo pkg-config
  local pair
  for pair in yaml-0.1:libyaml-dev libcurl:libcurl4-openssl-dev libcjson:libcjson-dev \
    libgit2:libgit2-dev libarchive:libarchive-dev cairo:libcairo2-dev \
    fontconfig:libfontconfig-dev libseccomp:libseccomp-dev; do
    if ! command -v pkg-config >/dev/null || ! pkg-config --exists "${pair%%:*}"; then
      echo "${pair#*:}"
    fi
  done
  if ! command -v fc-list >/dev/null || [ -z "$(fc-list 'DejaVu Sans' file 2>/dev/null)" ]; then
    echo fonts-dejavu-core
  fi
}

cached_binary_works() {
  [ -n "$CACHE" ] && [ -n "$KEY" ] && [ -x "$CACHE/runnel" ] && [ -f "$CACHE/key" ] &&
    [ "$(cat "$CACHE/key")" = "$KEY" ] && "$CACHE/runnel" --version >/dev/null 2>&1
}

mkdir -p "$DEST"
if cached_binary_works; then
  echo "setup: using the runnel binary restored from the cache ($KEY)"
  install -m 0755 "$CACHE/runnel" "$DEST/runnel"
else
  mapfile -t packages < <(missing_packages)
  if [ ${#packages[@]} -gt 0 ]; then
    if command -v apt-get >/dev/null; then
      echo "setup: installing ${packages[*]}"
      sudo=$([ "$(id -u)" = 0 ] || echo sudo)
      $sudo apt-get update -q
      $sudo env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q --no-install-recommends "${packages[@]}"
    else
      echo "setup: no apt-get here; missing: ${packages[*]} (or what provides them)" >&2
    fi
  fi
  generator=()
  if command -v ninja >/dev/null; then generator=(-G Ninja); fi
  rm -rf "$BUILD"
  cmake -S "$SRC" -B "$BUILD" "${generator[@]}" -DCMAKE_BUILD_TYPE="$BUILD_TYPE" -DRUNNEL_TESTS=OFF
  cmake --build "$BUILD"
  install -m 0755 "$BUILD/runner/runnel" "$DEST/runnel"
  if [ -n "$CACHE" ] && [ -n "$KEY" ]; then
    mkdir -p "$CACHE"
    install -m 0755 "$BUILD/runner/runnel" "$CACHE/runnel"
    echo "$KEY" > "$CACHE/key"
  fi
fi
ln -sf runnel "$DEST/cml"
ln -sf runnel "$DEST/hf"
if [ -n "${GITHUB_PATH:-}" ]; then echo "$DEST" >> "$GITHUB_PATH"; fi
version=$("$DEST/runnel" --version)
if [ -n "${GITHUB_OUTPUT:-}" ]; then
  echo "runnel=$DEST/runnel" >> "$GITHUB_OUTPUT"
  echo "version=$version" >> "$GITHUB_OUTPUT"
fi
echo "$version"
