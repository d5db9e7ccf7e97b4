#!/usr/bin/env bash
# runnel publish against real remotes: a bare repository by path and Debian's `git http-backend`
# served over HTTP on 127.0.0.1 with basic authentication (tests/servers/git_http_backend.py).
# The git command line is the reference: every expectation is read back with git, and
# `git fsck` runs on the remote after every case. The user's working tree, index, HEAD and
# references are compared byte for byte before and after every runnel call.
set -uo pipefail

R=${RUNNEL_BIN:?}
SRC=${RUNNEL_SOURCE_DIR:?}
PY=/usr/bin/python3
T=$(mktemp -d "${TMPDIR:-/tmp}/runnel-publish-test.XXXXXX")
export HOME=$T/home GIT_CONFIG_NOSYSTEM=1 TMPDIR=$T/tmp
mkdir -p "$HOME" "$TMPDIR"
git config --global user.name "Test User"
git config --global user.email test@example.com
git config --global init.defaultBranch main
unset GITHUB_TOKEN GITHUB_SHA GITHUB_WORKFLOW GITHUB_RUN_ID GITHUB_RUN_NUMBER GITHUB_JOB GITHUB_OUTPUT

pass=0
fail=0
server_pid=
cleanup() {
    if [ -n "$server_pid" ]; then
        kill "$server_pid" 2>/dev/null
        wait "$server_pid" 2>/dev/null
    fi
    if [ "$fail" = 0 ]; then rm -rf "$T"; else echo "left $T for inspection"; fi
}
trap cleanup EXIT

ok() { pass=$((pass + 1)); echo "ok - $*"; }
bad() { fail=$((fail + 1)); echo "FAIL - $*"; }
check() { # check DESCRIPTION COMMAND...
    local d=$1
    shift
    if "$@"; then ok "$d"; else bad "$d"; fi
}

# --- the user's repository, and a snapshot of everything publish must not touch ---
W=$T/work
git init -q "$W"
cd "$W"
printf 'source\n' >README.md
printf '*.log\n' >.gitignore
git add README.md .gitignore
git commit -qm "source commit"
SOURCE_SHA=$(git rev-parse HEAD)
mkdir -p results
printf '{"accuracy": 0.95, "f1_macro": 0.9, "labels": ["a", "b"]}\n' >results/metrics.json
printf 'one\n' >results/a.txt
printf 'debug\n' >results/train.log
git add results/a.txt # tracked but never committed: the index must stay exactly as it is

snapshot() {
    {
        tar --sort=name --mtime=@0 --exclude=./.git -cf - . | sha256sum
        sha256sum .git/index .git/HEAD
        git for-each-ref --format='%(refname) %(objectname)' | grep -v '^refs/heads/local-' || true
    } >"$T/snap.$1"
}

# publish ARGS...: runs runnel with the snapshot check around it; output in $T/out, $T/err.
publish() {
    snapshot before
    "$R" publish "$@" >"$T/out" 2>"$T/err"
    local rc=$?
    snapshot after
    if ! cmp -s "$T/snap.before" "$T/snap.after"; then
        bad "working tree, index, HEAD and refs unchanged by: publish $*"
        diff "$T/snap.before" "$T/snap.after"
    fi
    return $rc
}

fsck_ok() { git -C "$1" fsck --no-dangling >/dev/null 2>"$T/fsck.err"; }

# --- the HTTP server ---
TOKEN=tok-$RANDOM$RANDOM$RANDOM
SRV=$T/srv
mkdir -p "$SRV"
"$PY" "$SRC/tests/servers/git_http_backend.py" --root "$SRV" --token "$TOKEN" \
    --port-file "$T/port" --max-seconds 600 &
server_pid=$!
for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.1; done
PORT=$(cat "$T/port")

run_suite() { # run_suite NAME REMOTE-URL REMOTE-DIR
    local name=$1 url=$2 dir=$3
    local b=models-$name
    git init -q --bare "$dir"
    printf 'one\n' >results/a.txt
    export GITHUB_SHA=$SOURCE_SHA GITHUB_WORKFLOW=train GITHUB_RUN_ID=9001 GITHUB_RUN_NUMBER=41
    export GITHUB_JOB=fit GITHUB_TOKEN=$TOKEN

    # 1. first publish: the branch starts from the current commit, with provenance
    publish --branch "$b" --path results --remote "$url" --tag "model-v{run_number}"
    check "$name: first publish exits 0" test $? = 0
    local c1
    c1=$(git -C "$dir" rev-parse "refs/heads/$b" 2>/dev/null)
    check "$name: first publish prints the commit" test "$(cat "$T/out")" = "$c1"
    check "$name: first version's parent is the source commit" \
        test "$(git -C "$dir" rev-parse "$b^")" = "$SOURCE_SHA"
    check "$name: files published" test "$(git -C "$dir" ls-tree -r --name-only "$b" | tr '\n' ' ')" \
        = ".gitignore README.md results/a.txt results/metrics.json "
    local msg
    msg=$(git -C "$dir" log -1 --format=%B "$b")
    check "$name: subject carries [skip ci]" grep -q '^publish .*\[skip ci\]$' <<<"$msg"
    check "$name: source commit in message" grep -qx "Source-Commit: $SOURCE_SHA" <<<"$msg"
    check "$name: workflow in message" grep -qx "Workflow: train" <<<"$msg"
    check "$name: run id in message" grep -qx "Run-Id: 9001" <<<"$msg"
    check "$name: run number in message" grep -qx "Run-Number: 41" <<<"$msg"
    check "$name: job in message" grep -qx "Job: fit" <<<"$msg"
    check "$name: metrics in message" grep -qx "Metrics: accuracy=0.9500 f1_macro=0.9000" <<<"$msg"
    check "$name: annotated tag model-v41" test "$(git -C "$dir" cat-file -t model-v41)" = tag
    check "$name: tag points at the version" test "$(git -C "$dir" rev-parse 'model-v41^{commit}')" = "$c1"
    check "$name: ignored train.log not published" \
        test -z "$(git -C "$dir" ls-tree -r --name-only "$b" -- results/train.log)"
    check "$name: fsck after first publish" fsck_ok "$dir"

    # 2. second publish with a change: history keeps both versions
    printf 'two\n' >results/a.txt
    GITHUB_RUN_NUMBER=42 publish --branch "$b" --path results --remote "$url" --tag "model-v{run_number}"
    check "$name: second publish exits 0" test $? = 0
    local c2
    c2=$(git -C "$dir" rev-parse "refs/heads/$b")
    check "$name: second version on top of the first" test "$(git -C "$dir" rev-parse "$c2^")" = "$c1"
    check "$name: second version has the change" test "$(git -C "$dir" show "$c2:results/a.txt")" = two
    check "$name: first version kept" test "$(git -C "$dir" show "$c1:results/a.txt")" = one
    check "$name: fsck after second publish" fsck_ok "$dir"

    # 3. unchanged publish: no commit, exit 0, says so
    publish --branch "$b" --path results --remote "$url"
    check "$name: unchanged publish exits 0" test $? = 0
    check "$name: unchanged publish makes no commit" test "$(git -C "$dir" rev-parse "$b")" = "$c2"
    check "$name: unchanged publish says nothing changed" grep -q "nothing changed" "$T/err"
    # the same run again with its tag: the tag names this very version, so it is no conflict
    GITHUB_RUN_NUMBER=42 publish --branch "$b" --path results --remote "$url" --tag "model-v{run_number}"
    check "$name: rerun with the version's own tag exits 0" test $? = 0
    check "$name: rerun with its own tag says so" grep -q "tag 'model-v42' is on it already" "$T/err"
    check "$name: rerun with its own tag makes no commit" test "$(git -C "$dir" rev-parse "$b")" = "$c2"
    # another run whose paths are unchanged (a docs-only commit): its tag goes on the tip, so
    # `--get <its tag>` finds this version (as `hub upload --tag` tags the unchanged tip)
    publish --branch "$b" --path results --remote "$url" --tag model-v43
    check "$name: unchanged publish with a new tag exits 0" test $? = 0
    check "$name: ... makes no commit" test "$(git -C "$dir" rev-parse "$b")" = "$c2"
    check "$name: ... and puts the tag on the tip" \
        test "$(git -C "$dir" rev-parse 'model-v43^{commit}')" = "$c2"
    check "$name: ... an annotated tag" test "$(git -C "$dir" cat-file -t model-v43)" = tag
    check "$name: fsck after unchanged publish" fsck_ok "$dir"

    # 4. a new untracked file
    printf 'new\n' >results/new.txt
    publish --branch "$b" --path results --remote "$url"
    check "$name: untracked file published" test "$(git -C "$dir" show "$b:results/new.txt")" = new
    check "$name: fsck after new file" fsck_ok "$dir"

    # 5. a deleted file leaves the tree, and the history still has it
    local before_delete
    before_delete=$(git -C "$dir" rev-parse "$b")
    rm results/new.txt
    publish --branch "$b" --path results --remote "$url"
    check "$name: deleted file publish exits 0" test $? = 0
    check "$name: deleted file gone from the tip" \
        test -z "$(git -C "$dir" ls-tree -r --name-only "$b" -- results/new.txt)"
    check "$name: deleted file still in history" test "$(git -C "$dir" show "$before_delete:results/new.txt")" = new
    check "$name: fsck after deleted file" fsck_ok "$dir"

    # 6. the same tag again is refused before anything is written
    printf 'three\n' >results/a.txt
    local tip
    tip=$(git -C "$dir" rev-parse "$b")
    publish --branch "$b" --path results --remote "$url" --tag model-v41
    check "$name: existing tag refused" test $? != 0
    check "$name: existing tag message" grep -q "tag 'model-v41' already exists" "$T/err"
    check "$name: existing tag: branch unchanged" test "$(git -C "$dir" rev-parse "$b")" = "$tip"
    check "$name: fsck after refused tag" fsck_ok "$dir"

    # 7. --force-add publishes ignored files; an ignored file named explicitly is refused
    publish --branch "$b" --path results/train.log --remote "$url"
    check "$name: ignored file named explicitly is refused" grep -q "is ignored by .gitignore" "$T/err"
    publish --branch "$b" --path results --remote "$url" --force-add
    check "$name: --force-add publishes ignored files" \
        test "$(git -C "$dir" show "$b:results/train.log")" = debug
    check "$name: fsck after --force-add" fsck_ok "$dir"

    # 8. --list and --get read versions back
    publish --list --branch "$b" --remote "$url"
    check "$name: --list exits 0" test $? = 0
    check "$name: --list shows every version" test "$(wc -l <"$T/out")" = 5
    check "$name: --list shows the tag and metrics" \
        grep -q "^${c1:0:12} .* model-v41  accuracy=0.9500 f1_macro=0.9000$" "$T/out"
    rm -rf "$T/restored"
    publish --get model-v41 --path results/a.txt --out "$T/restored" --remote "$url"
    check "$name: --get by tag" test "$(cat "$T/restored/results/a.txt" 2>/dev/null)" = one
    publish --get latest~4 --path results --out "$T/restored2" --branch "$b" --remote "$url"
    check "$name: --get latest~N" test "$(cat "$T/restored2/results/a.txt" 2>/dev/null)" = one
    publish --get "${c2:0:10}" --path . --out "$T/restored3" --branch "$b" --remote "$url"
    check "$name: --get by sha restores everything" \
        diff <(git -C "$dir" archive "$c2" | tar -tf - | grep -v '/$' | sort) \
        <(cd "$T/restored3" && find . -type f | sed 's|^\./||' | sort)
    check "$name: fsck after --list/--get" fsck_ok "$dir"
}

# --- the suites: by path and over HTTP ---
run_suite path "$T/remote.git" "$T/remote.git"
run_suite http "http://127.0.0.1:$PORT/repo.git" "$SRV/repo.git"

# --- authentication ---
HTTP_URL="http://127.0.0.1:$PORT/repo.git"
printf 'changed\n' >results/a.txt
tip=$(git -C "$SRV/repo.git" rev-parse refs/heads/models-http)
objects=$(find "$SRV/repo.git/objects" -type f | sort | sha256sum)
publish --branch models-http --path results --remote "$HTTP_URL" --token wrong-token-123
check "wrong token: exit non-zero" test $? != 0
check "wrong token: clear message" grep -q "authentication failed" "$T/err"
check "wrong token: token not printed" bash -c "! grep -q wrong-token-123 '$T/err' '$T/out'"
check "wrong token: branch unchanged" test "$(git -C "$SRV/repo.git" rev-parse refs/heads/models-http)" = "$tip"
check "wrong token: no object written" test "$(find "$SRV/repo.git/objects" -type f | sort | sha256sum)" = "$objects"
check "fsck after wrong token" fsck_ok "$SRV/repo.git"
GITHUB_TOKEN= publish --branch models-http --path results --remote "$HTTP_URL"
check "no token: asks for one" grep -q "give --token or set GITHUB_TOKEN" "$T/err"
GITHUB_TOKEN= publish --branch models-http --path results --remote "$HTTP_URL" --token "x-access-token:$TOKEN"
check "x-access-token:TOKEN form accepted" test $? = 0
check "fsck after token form" fsck_ok "$SRV/repo.git"
# credentials written in the URL: used, never shown (scp-like addresses too)
HOSTPATH=127.0.0.1:$PORT/repo.git
GITHUB_TOKEN= publish --branch models-http --path results --remote "http://x:bad%2Dpass-4711@$HOSTPATH"
check "wrong password in the URL: exit 1" test $? = 1
check "wrong password in the URL: authentication failed" grep -q "authentication failed" "$T/err"
check "wrong password in the URL: password not printed" \
    bash -c "! grep -E -q 'bad%2Dpass-4711|bad-pass-4711|x:bad' '$T/err' '$T/out'"
printf 'url token\n' >results/a.txt
GITHUB_TOKEN= publish --branch models-http --path results --remote "http://x-access-token:$TOKEN@$HOSTPATH"
check "token in the URL: published" test "$(git -C "$SRV/repo.git" show models-http:results/a.txt)" = "url token"
check "token in the URL: address shown without it" grep -q "pushed to http://$HOSTPATH" "$T/err"
check "token in the URL: token not printed" bash -c "! grep -q '$TOKEN' '$T/err' '$T/out'"
GITHUB_TOKEN= publish --branch models-http --path results --remote "http://x:secret-8265@127.0.0.1:1/repo.git"
check "token in an unreachable URL: exit 1" test $? = 1
check "token in an unreachable URL: address shown without it" grep -q "'http://127.0.0.1:1/repo.git'" "$T/err"
check "token in an unreachable URL: not printed" bash -c "! grep -q 'secret-8265' '$T/err' '$T/out'"
GITHUB_TOKEN= publish --branch models-http --path results --remote "x:secret-8265@127.0.0.1:repo.git"
check "token in an scp-like address: exit 1" test $? = 1
check "token in an scp-like address: not printed" bash -c "! grep -q 'secret-8265' '$T/err' '$T/out'"
check "fsck after URL credentials" fsck_ok "$SRV/repo.git"
# the credentials actions/checkout leaves in the configuration (http.<base>/.extraheader)
printf 'checkout\n' >results/a.txt
git config "http.http://127.0.0.1:$PORT/.extraheader" \
    "AUTHORIZATION: basic $(printf 'x-access-token:%s' "$TOKEN" | base64 -w0)"
GITHUB_TOKEN= publish --branch models-http --path results --remote "$HTTP_URL"
check "actions/checkout extraheader used without a token" test $? = 0
check "extraheader publish landed" test "$(git -C "$SRV/repo.git" show models-http:results/a.txt)" = checkout
git config --unset "http.http://127.0.0.1:$PORT/.extraheader"
check "fsck after extraheader" fsck_ok "$SRV/repo.git"

# --- large files: LFS pointer into a path remote, refused over HTTP without an LFS client ---
head -c 5000 /dev/urandom >results/big.bin
publish --branch models-path --path results --remote "$T/remote.git" --lfs-threshold 4k
check "lfs: publish exits 0" test $? = 0
oid=$(sha256sum results/big.bin | cut -d' ' -f1)
check "lfs: pointer committed" test "$(git -C "$T/remote.git" show models-path:results/big.bin)" \
    = "$(printf 'version https://git-lfs.github.com/spec/v1\noid sha256:%s\nsize 5000' "$oid")"
check "lfs: .gitattributes marks it" \
    grep -qx "/results/big.bin filter=lfs diff=lfs merge=lfs -text" \
    <(git -C "$T/remote.git" show models-path:.gitattributes)
check "lfs: object stored in the remote's lfs storage" \
    cmp -s results/big.bin "$T/remote.git/lfs/objects/${oid:0:2}/${oid:2:2}/$oid"
publish --get latest --branch models-path --path results/big.bin --out "$T/lfsget" --remote "$T/remote.git"
check "lfs: --get restores the content" cmp -s results/big.bin "$T/lfsget/results/big.bin"
check "fsck after lfs" fsck_ok "$T/remote.git"
# the reference client: git-lfs clones the branch and smudges the pointer from the remote's storage
if git lfs version >/dev/null 2>&1; then
    git -c filter.lfs.process="git-lfs filter-process" -c filter.lfs.required=true \
        -c filter.lfs.smudge="git-lfs smudge -- %f" -c filter.lfs.clean="git-lfs clean -- %f" \
        clone -q --branch models-path "file://$T/remote.git" "$T/lfs-clone" 2>"$T/lfs-clone.err"
    check "lfs: git-lfs checks out the real content" cmp -s results/big.bin "$T/lfs-clone/results/big.bin"
else
    echo "# skip: git-lfs is not installed (scripts/deps.sh installs it)"
fi
publish --branch models-http --path results --remote "$HTTP_URL" --lfs-threshold 4k
check "lfs over http: publish exits 0" test $? = 0
check "lfs over http: pointer committed" test "$(git -C "$SRV/repo.git" show models-http:results/big.bin)" \
    = "$(printf 'version https://git-lfs.github.com/spec/v1\noid sha256:%s\nsize 5000' "$oid")"
check "lfs over http: uploaded through the batch API" \
    cmp -s results/big.bin "$SRV/repo.git/lfs/objects/${oid:0:2}/${oid:2:2}/$oid"
check "fsck after lfs over http" fsck_ok "$SRV/repo.git"
# names with wildmatch's special characters: `git check-attr filter` in a checkout of the branch
# must name exactly the large files (the others are decoys the unescaped pattern would match)
mkdir -p lfsnames/x
for f in 'd[1].bin' 'a*b.bin' 'q?.bin' 'sp ace.bin' '#h.bin' 'back\sl.bin' '!bang.bin' 'x/a.bin'; do
    head -c 2000 /dev/zero | tr '\0' x >"lfsnames/$f"
done
for f in d1.bin aXb.bin qq.bin sp_ace.bin h.bin; do printf 'small\n' >"lfsnames/$f"; done
lfs_matched() { # the files of branch lfsnames that git check-attr gives filter=lfs
    rm -rf "$T/attr-clone"
    git clone -q --branch lfsnames "$T/remote.git" "$T/attr-clone" 2>/dev/null
    (cd "$T/attr-clone" && git ls-files -z | git check-attr --stdin -z filter |
        tr '\0' '\n' | paste - - - | awk -F'\t' '$3 == "lfs" {print $1}' | sort)
}
lfs_big() { (cd lfsnames && find . -type f -size +1k | sed 's|^\./|lfsnames/|' | sort); }
publish --branch lfsnames --path lfsnames --remote "$T/remote.git" --lfs-threshold 1k --orphan
check "lfs names: publish exits 0" test $? = 0
check "lfs names: git lfs track --filename's escapes" \
    grep -qxF '/lfsnames/d\[1\].bin filter=lfs diff=lfs merge=lfs -text' \
    <(git -C "$T/remote.git" show lfsnames:.gitattributes)
check "lfs names: check-attr names exactly the large files" test "$(lfs_matched)" = "$(lfs_big)"
# a large file whose line is a substring of another's, and a large file that became small
head -c 2000 /dev/zero | tr '\0' y >lfsnames/a.bin
printf 'small now\n' >'lfsnames/d[1].bin'
publish --branch lfsnames --path lfsnames --remote "$T/remote.git" --lfs-threshold 1k
check "lfs names, second version: exit 0" test $? = 0
check "lfs names, second version: check-attr names exactly the large files" \
    test "$(lfs_matched)" = "$(lfs_big)"
check "lfs names, second version: the small file is a blob again" \
    test "$(git -C "$T/remote.git" show 'lfsnames:lfsnames/d[1].bin')" = "small now"
check "fsck after lfs names" fsck_ok "$T/remote.git"
rm -rf lfsnames "$T/attr-clone"
# a remote without LFS: refused with a clear message, nothing written
NOLFS=$T/srv-nolfs
mkdir -p "$NOLFS"
git init -q --bare "$NOLFS/repo.git"
"$PY" "$SRC/tests/servers/git_http_backend.py" --root "$NOLFS" --token "$TOKEN" --no-lfs \
    --port-file "$T/port-nolfs" --max-seconds 120 &
nolfs_pid=$!
for _ in $(seq 100); do [ -s "$T/port-nolfs" ] && break; sleep 0.1; done
publish --branch models --path results --remote "http://127.0.0.1:$(cat "$T/port-nolfs")/repo.git" \
    --lfs-threshold 4k
check "no lfs on the remote: refused" test $? != 0
check "no lfs on the remote: clear message" grep -q "has no Git LFS endpoint" "$T/err"
check "no lfs on the remote: nothing written" test -z "$(git -C "$NOLFS/repo.git" for-each-ref)"
check "no lfs on the remote: no object" test -z "$(find "$NOLFS/repo.git/objects" -type f)"
check "fsck after lfs refusal" fsck_ok "$NOLFS/repo.git"
kill $nolfs_pid
wait $nolfs_pid 2>/dev/null
rm results/big.bin

# --- no remote: the local branch moves, HEAD does not; the current branch is refused ---
publish --branch local-results --path results --orphan
check "local: publish exits 0" test $? = 0
check "local: orphan branch has only the paths" \
    test "$(git ls-tree -r --name-only local-results | tr '\n' ' ')" = "results/a.txt results/metrics.json "
check "local: orphan has no parent" test "$(git rev-list --count local-results)" = 1
check "local: HEAD still on main" test "$(git symbolic-ref HEAD)" = refs/heads/main
printf 'local two\n' >results/a.txt
GITHUB_OUTPUT=$T/gh-output publish --branch local-results --path results
check "local: \$GITHUB_OUTPUT gets the commit" \
    grep -qx "commit=$(git rev-parse local-results)" "$T/gh-output"
check "local: \$GITHUB_OUTPUT says changed" grep -qx "changed=true" "$T/gh-output"
publish --branch main --path results
check "local: current branch refused" grep -q "is the current branch" "$T/err"
check "fsck of the user's repository" fsck_ok "$W"

# --- a file:// URL is a repository by path ---
publish --branch via-file-url --path results --remote "file://$T/remote.git" --orphan
check "file:// remote: publish exits 0" test $? = 0
check "file:// remote: branch holds the paths" \
    test "$(git -C "$T/remote.git" ls-tree -r --name-only via-file-url | head -1)" = results/a.txt
check "fsck after file:// publish" fsck_ok "$T/remote.git"

# --- bad requests: clear one-line errors, exit 2, nothing written ---
publish --branch 'bad..name' --path results --remote "$T/remote.git"
check "bad branch name: exit 2" test $? = 2
check "bad branch name: message" grep -q "'bad..name' is not a valid branch name" "$T/err"
# branch names: what `git check-ref-format --branch` accepts, and only that
git init -q --bare "$T/names.git"
names_bad=
for name in HEAD -x - x- a/-b refs/heads/x @ a..b a. .a a/.b a//b /a a/ x.lock 'a@{1}' 'a\b' \
    'a*b' a:b 'a?b' 'a[b' 'a^b' 'a~b' ' a' HEAD/x x/HEAD FETCH_HEAD 'ü'; do
    git check-ref-format --branch "$name" >/dev/null 2>&1
    git_rc=$?
    publish "--branch=$name" --path results --remote "$T/names.git" --orphan
    rc=$?
    if [ $git_rc = 0 ]; then
        [ $rc = 0 ] || names_bad="$names_bad [$name: refused]"
    elif [ $rc != 2 ] || ! grep -qF "'$name' is not a valid branch name" "$T/err"; then
        names_bad="$names_bad [$name: exit $rc]"
    fi
done
check "branch names as git check-ref-format --branch takes them${names_bad:+:$names_bad}" \
    test -z "$names_bad"
publish --branch models-path --path /etc/passwd --remote "$T/remote.git"
check "path outside the repository: message" grep -q "'/etc/passwd' is outside the repository" "$T/err"
publish --branch models-path --path no/such/thing --remote "$T/remote.git"
check "missing path: git's message" grep -q "pathspec 'no/such/thing' did not match any files" "$T/err"
publish --branch models-path --remote "$T/remote.git"
check "no --path: usage error" test $? = 2
publish --branch models-path --path results --remote "$T/no-such-remote"
check "missing remote: message" grep -q "remote repository '$T/no-such-remote' not found" "$T/err"
publish --branch models-path --path results --remote origin2
check "unknown remote name: exit 2, an invalid request" test $? = 2
check "unknown remote name: message" grep -q "remote repository 'origin2' not found (no remote of that name" "$T/err"
publish --get no-such-version --path results --out "$T/x" --branch models-path --remote "$T/remote.git"
check "unknown version: message" grep -q "version 'no-such-version' not found" "$T/err"
check "fsck after bad requests" fsck_ok "$T/remote.git"

# --- paths as git's pathspecs read them (git add is the reference for each) ---
# a folder inside the repository that is a symbolic link: git never reads through it
mkdir -p "$T/outside"
printf 'secret\n' >"$T/outside/secret.txt"
ln -s "$T/outside" ext
git add --dry-run ext/secret.txt >/dev/null 2>"$T/git.err"
check "git refuses a path beyond a symlink" grep -q "pathspec 'ext/secret.txt' is beyond a symbolic link" "$T/git.err"
publish --branch beyond-link --path ext/secret.txt --remote "$T/remote.git"
check "path beyond a symlink: exit 2" test $? = 2
check "path beyond a symlink: git's message" grep -q "pathspec 'ext/secret.txt' is beyond a symbolic link" "$T/err"
check "path beyond a symlink: nothing pushed" test -z "$(git -C "$T/remote.git" for-each-ref refs/heads/beyond-link)"
publish --branch beyond-link --path "$W/ext/secret.txt" --remote "$T/remote.git"
check "absolute path beyond a symlink: refused" grep -q "is beyond a symbolic link" "$T/err"
publish --branch beyond-link --path ext --remote "$T/remote.git" --orphan
check "the link itself: published as a link, as git add does" \
    test "$(git -C "$T/remote.git" ls-tree beyond-link ext | cut -c1-6)" = 120000
check "the link itself: not its target's files" \
    test -z "$(git -C "$T/remote.git" ls-tree -r --name-only beyond-link | grep secret)"
rm ext
# the empty string
git add --dry-run "" >/dev/null 2>"$T/git.err"
check "git refuses an empty pathspec" grep -q "empty string is not a valid pathspec" "$T/git.err"
publish --branch empty-path --path "" --remote "$T/remote.git"
check "empty --path: exit 2" test $? = 2
check "empty --path: message" grep -q "empty string is not a valid pathspec" "$T/err"
check "empty --path: nothing pushed" test -z "$(git -C "$T/remote.git" for-each-ref refs/heads/empty-path)"
# an absolute path that reaches the work tree through a symbolic link to it
ln -s "$W" "$T/wlink"
check "git accepts a path through a link to the work tree" git add --dry-run "$T/wlink/results"
publish --branch via-link --path "$T/wlink/results" --remote "$T/remote.git" --orphan
check "absolute path through a link to the work tree: exit 0" test $? = 0
check "absolute path through a link to the work tree: files published" \
    test "$(git -C "$T/remote.git" ls-tree -r --name-only via-link | tr '\n' ' ')" = "results/a.txt results/metrics.json "
rm "$T/wlink"
check "fsck after pathspecs" fsck_ok "$T/remote.git"

# --- linked worktrees (git worktree add): they share the objects of the main repository, and a
# branch checked out in any worktree is not moved (git branch -f refuses it too) ---
git worktree add -q "$T/wt-linked" -b linked-wt
mkdir -p "$T/wt-linked/results"
printf 'from a worktree\n' >"$T/wt-linked/results/w.txt"
(cd "$T/wt-linked" && "$R" publish --branch from-worktree --path results --remote "$T/remote.git") \
    >"$T/out" 2>"$T/err"
check "linked worktree, remote by path: exit 0" test $? = 0
check "linked worktree, remote by path: published" \
    test "$(git -C "$T/remote.git" show from-worktree:results/w.txt 2>/dev/null)" = "from a worktree"
(cd "$T/wt-linked" && "$R" publish --branch from-worktree --path results --remote "$HTTP_URL" \
    --token "$TOKEN") >"$T/out" 2>"$T/err"
check "linked worktree, HTTP remote: exit 0" test $? = 0
check "linked worktree, HTTP remote: published" \
    test "$(git -C "$SRV/repo.git" show from-worktree:results/w.txt 2>/dev/null)" = "from a worktree"
check "git refuses to move a branch checked out in a linked worktree" \
    bash -c "! git branch -f linked-wt main 2>/dev/null"
linked_tip=$(git rev-parse linked-wt)
publish --branch linked-wt --path results
check "local branch checked out in a linked worktree: exit 2" test $? = 2
check "local branch checked out in a linked worktree: says where" \
    grep -q "branch 'linked-wt' is checked out at '$T/wt-linked'" "$T/err"
check "local branch checked out in a linked worktree: not moved" test "$(git rev-parse linked-wt)" = "$linked_tip"
(cd "$T/wt-linked" && "$R" publish --branch main --path results) >"$T/out" 2>"$T/err"
check "from a linked worktree, the main worktree's branch: exit 2" test $? = 2
check "from a linked worktree, the main worktree's branch: says where" \
    grep -q "branch 'main' is checked out at '$W'" "$T/err"
(cd "$T/wt-linked" && "$R" publish --branch linked-wt --path results) >"$T/out" 2>"$T/err"
check "from a linked worktree, its own branch: the current branch" grep -q "is the current branch" "$T/err"
(cd "$T/wt-linked" && "$R" publish --branch wt-local --path results) >"$T/out" 2>"$T/err"
check "from a linked worktree, a local branch: exit 0" test $? = 0
check "from a linked worktree, a local branch: published" \
    test "$(git show wt-local:results/w.txt 2>/dev/null)" = "from a worktree"
(cd "$T/wt-linked" && "$R" publish --branch linked-wt --path results --remote "$W") >"$T/out" 2>"$T/err"
check "remote by path with the branch checked out in its linked worktree: refused" \
    grep -q "branch 'linked-wt' is checked out at '$T/wt-linked'" "$T/err"
git worktree remove --force "$T/wt-linked"
git branch -q -D linked-wt wt-local
check "fsck after linked worktrees" fsck_ok "$W"

# --- the tree publish makes is the one `git add -A PATH` puts in the index ---
# as_git_add PATH: the tree `git add -A PATH` gives PATH, built in a copy of the user's index
as_git_add() {
    cp .git/index "$T/idx"
    GIT_INDEX_FILE=$T/idx git add -A "$1" 2>/dev/null
    GIT_INDEX_FILE=$T/idx git write-tree --prefix="$1/"
}
# tracked files inside an ignored folder are published; its untracked files are not
mkdir -p kept/cache/deep
printf 'cache/\n' >kept/.gitignore
printf 'keep\n' >kept/cache/keep.txt
printf 'deep\n' >kept/cache/deep/keep.txt
printf 'tmp\n' >kept/cache/tmp.txt
printf 'plain\n' >kept/plain.txt
git add -f kept/cache/keep.txt kept/cache/deep/keep.txt
publish --branch kept --path kept --remote "$T/remote.git" --orphan
check "ignored folder with tracked files: exit 0" test $? = 0
check "ignored folder with tracked files: the tree git add -A makes" \
    test "$(git -C "$T/remote.git" rev-parse kept:kept 2>/dev/null)" = "$(as_git_add kept)"
check "ignored folder with tracked files: tracked file kept" \
    test "$(git -C "$T/remote.git" show kept:kept/cache/deep/keep.txt 2>/dev/null)" = deep
check "ignored folder with tracked files: untracked file left out" \
    test -z "$(git -C "$T/remote.git" ls-tree -r --name-only kept -- kept/cache/tmp.txt)"
git rm -q --cached -r kept
rm -rf kept

# entries that change type: folder <-> file, link -> folder, repository <-> folder (the
# published subtree is compared with the one git add -A writes into a copy of the user's index)
mkdir -p shapes/d/x shapes/F shapes/r
printf 'f\n' >shapes/d/x/f
printf 'q\n' >shapes/F/q
printf 'r\n' >shapes/r/r.txt
ln -s ../README.md shapes/L
git init -q shapes/n
printf 'n\n' >shapes/n/n.txt
git -C shapes/n add n.txt
git -C shapes/n commit -qm n
publish --branch shapes --path shapes --remote "$T/remote.git" --orphan
check "new branch with a nested repository: exit 0" test $? = 0
check "new branch with a nested repository: the tree git add -A makes" \
    test "$(git -C "$T/remote.git" rev-parse shapes:shapes 2>/dev/null)" = "$(as_git_add shapes)"
check "nested repository: a gitlink to its HEAD, not its files" \
    test "$(git -C "$T/remote.git" ls-tree shapes shapes/n | cut -d' ' -f1,3 | cut -f1)" = \
    "160000 $(git -C shapes/n rev-parse HEAD)"
check "nested repository: said so" grep -q "'shapes/n' is a git repository of its own" "$T/err"
rm -rf shapes/d/x shapes/L shapes/F shapes/n/.git
printf 'now a file\n' >shapes/d/x
mkdir shapes/L
printf 'in\n' >shapes/L/in
printf 'now a file\n' >shapes/F
git -C shapes/r init -q
git -C shapes/r add r.txt
git -C shapes/r commit -qm r
publish --branch shapes --path shapes --remote "$T/remote.git"
check "type changes: exit 0" test $? = 0
check "type changes: the tree git add -A makes" \
    test "$(git -C "$T/remote.git" rev-parse shapes:shapes 2>/dev/null)" = "$(as_git_add shapes)"
check "type changes: one version on top of the other" \
    test "$(git -C "$T/remote.git" rev-list --count shapes)" = 2
check "fsck after type changes" fsck_ok "$T/remote.git"
rm -rf shapes
# a registered submodule, an embedded repository and a plain file under one path
git init -q "$T/subsrc"
printf 's\n' >"$T/subsrc/s.txt"
git -C "$T/subsrc" add s.txt
git -C "$T/subsrc" commit -qm s
git -c protocol.file.allow=always submodule add -q "$T/subsrc" mods/sub 2>/dev/null
printf 'plain\n' >mods/plain.txt
publish --branch mods --path mods --remote "$T/remote.git" --orphan
check "submodule: exit 0" test $? = 0
check "submodule: the tree git add -A makes" \
    test "$(git -C "$T/remote.git" rev-parse mods:mods 2>/dev/null)" = "$(as_git_add mods)"
check "submodule: a gitlink, its files not flattened into the branch" \
    test "$(git -C "$T/remote.git" ls-tree -r --name-only mods | tr '\n' ' ')" = "mods/plain.txt mods/sub "
publish --branch mods --path mods --remote "$HTTP_URL" --token "$TOKEN" --orphan
check "submodule over HTTP: the same tree" \
    test "$(git -C "$SRV/repo.git" rev-parse mods:mods 2>/dev/null)" = "$(as_git_add mods)"
check "fsck after a gitlink over HTTP" fsck_ok "$SRV/repo.git"
git add --dry-run mods/sub/s.txt >/dev/null 2>"$T/git.err"
check "git refuses a path inside a submodule" grep -q "is in submodule 'mods/sub'" "$T/git.err"
publish --branch mods --path mods/sub/s.txt --remote "$T/remote.git"
check "path inside a submodule: exit 2" test $? = 2
check "path inside a submodule: git's message" grep -q "pathspec 'mods/sub/s.txt' is in submodule 'mods/sub'" "$T/err"
git submodule deinit -q -f mods/sub
publish --branch mods --path mods --remote "$T/remote.git"
check "submodule not checked out: its recorded commit stays" \
    test "$(git -C "$T/remote.git" rev-parse mods:mods 2>/dev/null)" = "$(as_git_add mods)"
git init -q mods/empty
git add --dry-run mods >/dev/null 2>"$T/git.err"
check "git refuses a repository without a commit" grep -q "'mods/empty/' does not have a commit checked out" "$T/git.err"
publish --branch mods --path mods --remote "$T/remote.git"
check "repository without a commit: exit 2" test $? = 2
check "repository without a commit: git's message" grep -q "'mods/empty/' does not have a commit checked out" "$T/err"
check "fsck after submodules" fsck_ok "$T/remote.git"
git rm -q --cached -f mods/sub .gitmodules
git config --remove-section submodule.mods/sub 2>/dev/null
rm -rf mods .gitmodules .git/modules

# --- three publishers racing 20 times each, each version tagged: every version lands, and every
# tag names a commit on the branch (the branch is pushed first, the tag only once it landed) ---
race_one() { # race_one NAME REMOTE
    local who=$1 url=$2 dir=$T/clone-$1
    git clone -q "$W" "$dir"
    mkdir -p "$dir/race"
    for i in $(seq 20); do
        printf '%s %s\n' "$who" "$i" >"$dir/race/$who.txt"
        (cd "$dir" && "$R" publish --branch race --path race --remote "$url" \
            --message "$who $i" --tag "race-$who-$i" --max-attempts 60) >/dev/null \
            2>>"$T/race-$who.err" || echo "$who $i failed" >>"$T/race-failures"
    done
}
for kind in path http; do
    if [ $kind = path ]; then url=$T/remote.git dir=$T/remote.git; else url=$HTTP_URL dir=$SRV/repo.git; fi
    rm -rf "$T/clone-a" "$T/clone-b" "$T/clone-c" "$T/race-failures"
    race_one a "$url" &
    pa=$!
    race_one b "$url" &
    pb=$!
    race_one c "$url" &
    pc=$!
    wait $pa $pb $pc
    check "race $kind: no publisher failed" test ! -s "$T/race-failures"
    [ -s "$T/race-failures" ] && head -3 "$T"/race-*.err
    echo "# race $kind: $(cat "$T"/race-*.err | grep -c 'moved while pushing') rebuilds after a lost race"
    rm -f "$T"/race-*.err
    want=$( (for i in $(seq 20); do echo "a $i [skip ci]"; echo "b $i [skip ci]"; echo "c $i [skip ci]"; done) | sort)
    got=$(git -C "$dir" log --format=%s race | grep -v '^source commit' | sort)
    check "race $kind: all 60 versions landed" test "$want" = "$got"
    check "race $kind: history is linear" test "$(git -C "$dir" rev-list --count --merges race)" = 0
    check "race $kind: 60 tags" test "$(git -C "$dir" tag -l 'race-*' | wc -l)" = 60
    tags_bad=
    for who in a b c; do
        for i in $(seq 20); do
            tc=$(git -C "$dir" rev-parse -q --verify "refs/tags/race-$who-$i^{commit}") &&
                git -C "$dir" merge-base --is-ancestor "$tc" race &&
                test "$(git -C "$dir" log -1 --format=%s "$tc")" = "$who $i [skip ci]" ||
                tags_bad="$tags_bad race-$who-$i"
        done
    done
    check "race $kind: every tag names its own version on the branch${tags_bad:+ (not:$tags_bad)}" \
        test -z "$tags_bad"
    check "fsck after race $kind" fsck_ok "$dir"
done

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
