# Which local files an upload takes, as huggingface_hub's upload_folder lists them
# (folder_path.glob("**/*") filtered by is_file(), DEFAULT_IGNORE_PATTERNS, filter_repo_objects),
# on the loopback Hub and on the embedded file:// hub.
source "$RUNNEL_SOURCE_DIR/tests/hub/lib.sh"
R="$RUNNEL_BIN"
start_server
cd "$WORK"
LOCAL="file://$WORK/localhub"
up() { $R hub upload "$@" --create --token hf_good --endpoint "$ENDPOINT" > /dev/null 2> up.err; }
uplocal() { $R hub upload "$@" --create --endpoint "$LOCAL" > /dev/null 2> up.err; }
files() { state '" ".join(sorted(s["repos"]["models/'"$1"'"]["files"]))'; }
lfiles() { git --git-dir "$WORK/localhub/models/$1.git" ls-tree -r --name-only main | tr '\n' ' '; }

# 1. Symbolic links: a link to a folder is not descended into, wherever it leads (outside the
# folder, itself, its parent); a link to a file is uploaded with its target's bytes; dangling
# and looping links are left out. Nothing here fails the upload.
mkdir -p outside links
echo secret > outside/secret.txt
echo ok > links/ok.txt
ln -s ../outside links/linkdir
ln -s ../outside/secret.txt links/linkfile
ln -s . links/self
ln -s .. links/up
ln -s nonexist links/dangling
ln -s loop2 links/loop1 && ln -s loop1 links/loop2
up user/links links
expect "links: folder links not followed, file links taken" "$(files user/links)" ".gitattributes linkfile ok.txt"
expect "links: a file link carries its target's bytes" \
  "$(state 's["repos"]["models/user/links"]["files"]["linkfile"]["text"]')" "secret"
uplocal user/links links
G="$WORK/localhub/models/user/links.git"
expect "local links: same files" "$(lfiles user/links)" ".gitattributes linkfile ok.txt "
expect "local links: a regular file, not a link, with the target's bytes" \
  "$(git --git-dir "$G" ls-tree main linkfile | cut -c1-6):$(git --git-dir "$G" show main:linkfile)" "100644:secret"
# A file link given as LOCAL_PATH itself is its target's bytes too.
uplocal user/links links/linkfile single.txt
expect "local: a file link as LOCAL_PATH" "$(git --git-dir "$G" show main:single.txt)" "secret"

# 2. A pattern ending in '/' means everything under that folder, at any depth: huggingface_hub's
# filter_repo_objects appends '*' (_add_wildcard_to_directories) and fnmatch's '*' crosses '/'
# (fnmatchcase("logs/deep/y.txt", "logs/*") is True).
mkdir -p pat/logs/deep pat/sub
echo 1 > pat/a.py; echo 2 > pat/logs/x.log; echo 3 > pat/logs/deep/y.txt; echo 4 > pat/sub/b.py
up user/pat1 pat --exclude logs/
expect "--exclude logs/" "$(files user/pat1)" ".gitattributes a.py sub/b.py"
up user/pat2 pat --include logs/
expect "--include logs/" "$(files user/pat2)" ".gitattributes logs/deep/y.txt logs/x.log"
up user/pat3 pat
rm -r pat/logs
up user/pat3 pat --delete logs/
expect "--delete logs/" "$(files user/pat3)" ".gitattributes a.py sub/b.py"

# 3. DEFAULT_IGNORE_PATTERNS at any depth: what `hf download --local-dir` leaves
# (.cache/huggingface/) in a subfolder, and .git, are skipped, not a reason to fail.
mkdir -p ign/model/.cache/huggingface/download ign/.cache/huggingface ign/sub/.git ign/.git
echo w > ign/model/w.txt; echo m > ign/model/.cache/huggingface/download/w.txt.metadata
echo c > ign/.cache/huggingface/c; echo g > ign/sub/.git/HEAD; echo g > ign/.git/HEAD
echo x > ign/sub/x.gitx
up user/ign ign
expect "nested .cache/huggingface and .git skipped" "$(files user/ign)" ".gitattributes model/w.txt sub/x.gitx"
uplocal user/ign ign
expect "local: the same" "$(lfiles user/ign)" ".gitattributes model/w.txt sub/x.gitx "

# 4. Arguments. hf's REPO_ID LOCAL_PATH PATH_IN_REPO form wins wherever it applies, so a
# PATH_IN_REPO may hold ':'; LOCAL:REMOTE pairs are read only where it cannot (the first
# argument is a pair, or more than two arguments). A PATH_IN_REPO ending in '/' is a folder the
# file goes into under its own name. A missing local path is a bad path: exit status 2.
echo weights > model.bin
up user/pos model.bin "runs/2024-01-01T10:00/model.bin"
expect "PATH_IN_REPO with ':'" "$(files user/pos)" ".gitattributes runs/2024-01-01T10:00/model.bin"
up user/pos2 model.bin models/
expect "PATH_IN_REPO ending in '/'" "$(files user/pos2)" ".gitattributes models/model.bin"
up user/pos3 model.bin:w/ pat/a.py:code/a.py
expect "pairs, one ending in '/'" "$(files user/pos3)" ".gitattributes code/a.py w/model.bin"
uplocal user/pos model.bin "runs/t10:00/"
expect "local: PATH_IN_REPO with ':' ending in '/'" "$(lfiles user/pos)" ".gitattributes runs/t10:00/model.bin "
rc=0; $R hub upload user/pos no-such-file --token hf_good --endpoint "$ENDPOINT" 2> up.err || rc=$?
expect "a missing local path: exit 2" "$rc:$(cat up.err)" "2:runnel: cannot upload 'no-such-file': No such file or directory"
rc=0; $R hub upload user/pos a b c --token hf_good --endpoint "$ENDPOINT" 2> up.err || rc=$?
expect "three plain arguments: usage error" "$rc" "2"

echo "hub_local_files: all passed"
