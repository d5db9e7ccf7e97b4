# runnel hub upload --tag run twice, as a re-run of a workflow does (GitHub keeps run_number and
# the commit, so the same tag comes again), against the loopback Hub and the embedded file://
# hub: the same upload again is success (the tag already names the unchanged tip: no commit, no
# second tag); a tag that would have to name another commit is refused before anything is
# committed. Inside a step, $GITHUB_OUTPUT gets commit= (a 40-hex sha for both hubs), changed=
# and tag=, so the space action no longer parses stdout.
source "$RUNNEL_SOURCE_DIR/tests/hub/lib.sh"
R="$RUNNEL_BIN"
start_server
cd "$WORK"

mkdir -p app
printf -- '---\ntitle: T\nsdk: gradio\napp_file: app.py\n---\nA test Space.\n' > app/README.md
echo 'print(1)' > app/app.py

# outputs FILE KEY: the value of KEY= in a GITHUB_OUTPUT file.
outputs() { sed -n "s/^$2=//p" "$1" | tail -n 1; }

for hub in loopback file; do
  if [ "$hub" = loopback ]; then
    EP="$ENDPOINT"
    commits() { state 's["repos"]["spaces/user/'"$1"'"]["commits"]'; }
    tag_at() { state 's["repos"]["spaces/user/'"$1"'"]["tags"].get("'"$2"'")'; }
    tip() { state 's["repos"]["spaces/user/'"$1"'"]["branches"]["main"]'; }
  else
    EP="file://$WORK/localhub"
    commits() { git --git-dir "$WORK/localhub/spaces/user/$1.git" rev-list --count main; }
    tag_at() { git --git-dir "$WORK/localhub/spaces/user/$1.git" rev-parse -q --verify "refs/tags/$2^{commit}" || echo None; }
    tip() { git --git-dir "$WORK/localhub/spaces/user/$1.git" rev-parse main; }
  fi
  up() { $R hub upload user/sp app:. --repo-type space --create --token hf_good --endpoint "$EP" "$@"; }

  # 1. First run: a commit, tagged; the outputs name it.
  : > out1
  GITHUB_OUTPUT=$WORK/out1 up --tag v1 > stdout1 2> err1
  first=$(tip sp)
  expect "$hub: first upload tagged v1 on its commit" "$(tag_at sp v1)" "$first"
  expect "$hub: commit= is the new commit's sha" "$(outputs out1 commit)" "$first"
  expect "$hub: changed=true" "$(outputs out1 changed)" "true"
  expect "$hub: tag=v1" "$(outputs out1 tag)" "v1"
  n=$(commits sp)

  # 2. The same upload again (a re-run): success, nothing committed, the tag stays.
  : > out2
  rc=0; GITHUB_OUTPUT=$WORK/out2 up --tag v1 > stdout2 2> err2 || rc=$?
  expect "$hub: the re-run succeeds" "$rc:$(tail -n 1 err2)" "0:no changes: nothing committed"
  expect "$hub: the re-run commits nothing" "$(commits sp)" "$n"
  expect "$hub: the tag still names the first commit" "$(tag_at sp v1)" "$first"
  expect "$hub: commit= is the unchanged tip" "$(outputs out2 commit)" "$first"
  expect "$hub: changed=false" "$(outputs out2 changed)" "false"

  # 3. A change under an existing tag: refused before the commit.
  echo 'print(2)' > app/app.py
  expect_fail "$hub: an existing tag on another commit is refused" "tag 'v1' already exists at .* new commit" up --tag v1
  expect "$hub: nothing was committed" "$(commits sp)" "$n"
  expect "$hub: the tag did not move" "$(tag_at sp v1)" "$first"
  rc=0; up --tag v1 > /dev/null 2>&1 || rc=$?
  expect "$hub: exit status 2 for the refused tag" "$rc" "2"

  # 4. The change under a new tag lands; then the old content again with the old tag (the tip
  #    moved on, so v1 would have to name a new commit): refused, nothing committed.
  up --tag v2 > /dev/null 2>&1
  expect "$hub: the change lands under a new tag" "$(tag_at sp v2)" "$(tip sp)"
  n=$(commits sp)
  expect_fail "$hub: the old tag on the unchanged, moved tip is refused" "not at the tip" up --tag v1
  echo 'print(1)' > app/app.py
  expect_fail "$hub: the tag of an older commit is refused" "already exists" up --tag v1
  expect "$hub: still nothing committed" "$(commits sp)" "$n"
  # Without --tag nothing about tags changes.
  up > /dev/null 2>&1
  expect "$hub: an untagged upload still works" "$(commits sp)" "$((n + 1))"
  rm -f out1 out2
done
expect "server saw no protocol violation" "$(state 's["errors"]')" "[]"
echo "hub_tag_rerun: all passed"
