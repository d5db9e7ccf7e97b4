#!/usr/bin/env bash
# The built-in actions through `runnel run` (no network, empty action cache): upload-artifact in
# one job and download-artifact in the next, actions/cache saved in its post step and hit
# exactly on the second run, setup-python with the host's python3, `runnel artifacts`
# listing and extracting from the newest run by default, and actions/cache of a path in the home.
set -euo pipefail
: "${RUNNEL_BIN:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
export HOME="$tmp/home" XDG_CACHE_HOME="$tmp/xdg"
mkdir -p "$HOME" "$tmp/repo/.github/workflows"
cd "$tmp/repo"
git init -q -b main
cat >.github/workflows/ci.yml <<'Y'
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: mkdir -p dist/sub && echo A >dist/a.txt && echo B >dist/sub/b.txt && echo L >dist/c.log
      - uses: actions/upload-artifact@v4
        with:
          name: texts
          path: dist/**/*.txt
      - uses: actions/setup-python@v5
        id: py
        with:
          python-version: '3.x'
      - run: echo "py=${{ steps.py.outputs.python-version }}"
      - uses: actions/cache@v4
        id: c
        with:
          path: dist
          key: k-${{ runner.os }}-1
      - run: echo "hit=${{ steps.c.outputs.cache-hit }}"
  use:
    needs: build
    runs-on: ubuntu-latest
    steps:
      - uses: actions/download-artifact@v4
        with:
          name: texts
          path: got
      - run: cat got/a.txt got/sub/b.txt
Y
git add -A
git -c user.name=t -c user.email=t@example.com commit -qm ci
out=$("$RUNNEL_BIN" run --offline 2>&1) || fail "first run failed: $out"
echo "$out" | grep -q "actions/upload-artifact@v4: built-in" || fail "built-in not named: $out"
echo "$out" | grep -q "hit=$" || fail "first run should miss: $out"
echo "$out" | grep -q "Cache saved with key: k-Linux-1" || fail "post save missing: $out"
echo "$out" | grep -q "py=3\." || fail "python version output: $out"
printf 'A\nB\n' >"$tmp/want"
echo "$out" | grep -q "^.*use\]   A$" || fail "download: $out"
out=$("$RUNNEL_BIN" run --offline 2>&1) || fail "second run failed: $out"
echo "$out" | grep -q "hit=true" || fail "second run should hit: $out"
echo "$out" | grep -q "Cache hit occurred on the primary key k-Linux-1, not saving cache." \
  || fail "post should skip: $out"
# runnel artifacts: the newest run by default
out=$("$RUNNEL_BIN" artifacts)
[ "$out" = "$(printf 'texts\t2 files\t4 bytes')" ] || fail "artifacts list: '$out'"
"$RUNNEL_BIN" artifacts extract texts "$tmp/x"
[ "$(cat "$tmp/x/a.txt" "$tmp/x/sub/b.txt")" = "$(cat "$tmp/want")" ] || fail "extract"
if out=$("$RUNNEL_BIN" artifacts extract nope "$tmp/y" 2>&1); then fail "missing artifact ok"; fi
echo "$out" | grep -q "artifact 'nope' not found" || fail "missing artifact message: $out"
# actions/cache of a path in the home (~/.npm, ~/.cache/pip): the steps' home is the job's own, so
# the save sees what the step wrote there, the restore puts it back into the next job's home, and
# the user's own home is never written.
cat >.github/workflows/home.yml <<'Y'
on: push
jobs:
  home:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/cache@v4
        id: c
        with:
          path: ~/.stash
          key: stash-${{ hashFiles('seed.txt') }}
      - run: |
          if [ -f ~/.stash/data ]; then echo "restored=$(cat ~/.stash/data)"; fi
          mkdir -p ~/.stash && cat seed.txt > ~/.stash/data
Y
echo seed-1 > seed.txt
git add -A
git -c user.name=t -c user.email=t@example.com commit -qm home
out=$("$RUNNEL_BIN" run --offline -W .github/workflows/home.yml 2>&1) || fail "home run 1: $out"
echo "$out" | grep -q "Cache saved with key: stash-" || fail "home cache not saved: $out"
out=$("$RUNNEL_BIN" run --offline -W .github/workflows/home.yml 2>&1) || fail "home run 2: $out"
echo "$out" | grep -q "restored=seed-1$" || fail "home cache not restored: $out"
[ ! -e "$HOME/.stash" ] || fail "the user's home was written: $(ls -la "$HOME")"
# The built-ins run outside the sandbox: a symbolic link a step leaves in its home must not lead
# a cache restore to write, or a cache save to read, anywhere the steps cannot reach.
mkdir -p "$tmp/victim" "$tmp/secretdir"
echo TOPSECRET > "$tmp/secretdir/key"
cat >.github/workflows/links.yml <<Y
on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/cache@v4
        with: {path: ~/a, key: links-a}
      - run: mkdir -p ~/a && echo PLANTED > ~/a/authorized_keys
      - uses: actions/cache@v4
        with: {path: ~/b/key, key: links-b}
      - run: ln -s $tmp/secretdir ~/b
  b:
    needs: a
    runs-on: ubuntu-latest
    steps:
      - run: ln -s $tmp/victim ~/a
      - uses: actions/cache/restore@v4
        with: {path: ~/a, key: links-a}
      - uses: actions/cache/restore@v4
        id: b
        with: {path: ~/b/key, key: links-b}
      - run: echo "b-hit=\${{ steps.b.outputs.cache-hit }}"; cat ~/b/key 2>/dev/null || true
Y
git add -A
git -c user.name=t -c user.email=t@example.com commit -qm links
out=$("$RUNNEL_BIN" run --offline -W .github/workflows/links.yml 2>&1) || true
[ ! -e "$tmp/victim/authorized_keys" ] || fail "a cache restore wrote through a step's link: $out"
echo "$out" | grep -q "a folder on its way is a symbolic link" || fail "restore through a link not refused: $out"
! echo "$out" | grep -q "TOPSECRET" || fail "a cache save read a host file through a step's link: $out"
echo "$out" | grep -q "b-hit=$" || fail "the save through a link should have stored nothing: $out"
# setup-node and setup-python with `cache:`: the package manager's download folder in the steps'
# home is restored before the install and saved after, keyed by the dependency files; a missing
# lock file or an unknown manager fails the step, as those actions do.
mkdir -p py
echo "requests==2.0" > py/requirements.txt
echo '{"lockfileVersion": 3}' > package-lock.json
cat >.github/workflows/setupcache.yml <<'Y'
on: push
jobs:
  setup:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/setup-python@v5
        id: py
        with: {python-version: '3.x', cache: pip}
      - uses: actions/setup-node@v4
        id: node
        with: {cache: npm}
      - run: |
          echo "py-hit=${{ steps.py.outputs.cache-hit }} node-hit=${{ steps.node.outputs.cache-hit }}"
          cat ~/.cache/pip/wheel ~/.npm/tarball 2>/dev/null || true
          mkdir -p ~/.cache/pip ~/.npm && echo pip-wheel > ~/.cache/pip/wheel && echo npm-tarball > ~/.npm/tarball
Y
git add -A
git -c user.name=t -c user.email=t@example.com commit -qm setupcache
out=$("$RUNNEL_BIN" run --offline -W .github/workflows/setupcache.yml 2>&1) || fail "setup cache run 1: $out"
echo "$out" | grep -q "py-hit=false node-hit=false" || fail "setup caches should miss first: $out"
echo "$out" | grep -q "Cache saved with key: setup-python-Linux-x64-python-3" || fail "pip cache not saved: $out"
echo "$out" | grep -q "Cache saved with key: node-cache-Linux-x64-npm-" || fail "npm cache not saved: $out"
out=$("$RUNNEL_BIN" run --offline -W .github/workflows/setupcache.yml 2>&1) || fail "setup cache run 2: $out"
echo "$out" | grep -q "py-hit=true node-hit=true" || fail "setup caches should hit: $out"
echo "$out" | grep -q "\]   pip-wheel$" || fail "pip cache not restored: $out"
echo "$out" | grep -q "\]   npm-tarball$" || fail "npm cache not restored: $out"
echo "requests==2.1" > py/requirements.txt
git -c user.name=t -c user.email=t@example.com commit -qam deps
out=$("$RUNNEL_BIN" run --offline -W .github/workflows/setupcache.yml 2>&1) || fail "setup cache run 3: $out"
echo "$out" | grep -q "py-hit=false node-hit=true" || fail "a changed requirements.txt should miss: $out"
git rm -q package-lock.json
sed -i 's/cache: pip}/cache: poetry}/' .github/workflows/setupcache.yml
git -c user.name=t -c user.email=t@example.com commit -qam nolock
out=$("$RUNNEL_BIN" run --offline -W .github/workflows/setupcache.yml 2>&1) && fail "unknown manager accepted: $out"
echo "$out" | grep -q "Caching for 'poetry' is not supported" || fail "unknown manager message: $out"
sed -i 's/cache: poetry}/cache: pip}/' .github/workflows/setupcache.yml
git -c user.name=t -c user.email=t@example.com commit -qam pip
out=$("$RUNNEL_BIN" run --offline -W .github/workflows/setupcache.yml 2>&1) && fail "missing lock file accepted: $out"
echo "$out" | grep -q "Dependencies lock file is not found in .*Supported file patterns: package-lock.json,npm-shrinkwrap.json,yarn.lock" \
  || fail "missing lock file message: $out"
# upload-artifact does not follow a step's link out of the job's folders, download-artifact does
# not write through one, and a cache in RUNNER_TEMP is checked like the home.
mkdir -p "$tmp/victim2" "$HOME/.ssh"
echo TOPSECRET > "$HOME/.ssh/id_test"
cat >.github/workflows/artlinks.yml <<Y
on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: mkdir -p out && echo fine > out/ok.txt && ln -s $HOME/.ssh/id_test out/stolen
      - uses: actions/upload-artifact@v4
        with: {name: linked, path: out}
      - uses: actions/download-artifact@v4
        with: {name: linked, path: got}
      - run: echo "GOT=\$(cat got/stolen 2>/dev/null) OK=\$(cat got/ok.txt)"
      - run: ln -s $tmp/victim2 dest && ln -s $tmp/victim2 ~/uh
      - uses: actions/download-artifact@v4
        continue-on-error: true
        with: {name: linked, path: dest}
      - uses: actions/download-artifact@v4
        continue-on-error: true
        with: {name: linked, path: dest/sub}
      - uses: actions/download-artifact@v4
        continue-on-error: true
        with: {name: linked, path: ~/uh/.ssh}
      - uses: actions/download-artifact@v4
        continue-on-error: true
        with: {path: dest/all}
Y
git add -A
git -c user.name=t -c user.email=t@example.com commit -qm artlinks
out=$("$RUNNEL_BIN" run --offline -W .github/workflows/artlinks.yml 2>&1) || true
echo "$out" | grep -q "GOT= OK=fine" || fail "upload followed a link out of the job: $out"
echo "$out" | grep -q "is a link out of the job's folders: not uploaded" || fail "no warning for the link: $out"
[ -z "$(ls -A "$tmp/victim2")" ] || fail "download wrote through a step's link: $(ls "$tmp/victim2")"
echo "$out" | grep -q "a folder on its way is a symbolic link" || fail "download through a link not refused: $out"
echo "actions_builtins: ok"
