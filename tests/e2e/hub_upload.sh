# runnel hub upload against the loopback Hub (tests/hub/hub_server.py): a new Space with its
# card, an update that adds, changes and deletes in one commit, unchanged files skipped, 429 with
# Retry-After, a wrong token, a bad card, '..' refused, branches and tags, the hf spellings and
# `hf auth login`, and the embedded file:// hub.
source "$RUNNEL_SOURCE_DIR/tests/hub/lib.sh"
R="$RUNNEL_BIN"
start_server
cd "$WORK"

# The seed project's layout: App/ (the Space), Model/ (a binary model), Results/ (metrics).
mkdir -p App Model Results
cat > App/README.md <<'EOF'
---
title: Drug Classification
emoji: 💊
colorFrom: yellow
colorTo: green
sdk: gradio
sdk_version: 4.44.1
app_file: drug_app.py
pinned: false
license: apache-2.0
---
Drug classification with a scikit-learn pipeline.
EOF
echo 'import gradio as gr' > App/drug_app.py
echo 'skops' > App/requirements.txt
head -c 300000 /dev/urandom > Model/drug_pipeline.skops
echo 'accuracy 0.95' > Results/metrics.txt
echo 'old' > Results/old.txt
sha256() { sha256sum "$1" | cut -d' ' -f1; }
blob_sha1() { git hash-object "$1"; }

# 1. New Space with card: three folders, one commit.
$R hub upload user/drug App:. Model:Model Results:Metrics --repo-type space --create \
  --token hf_good --endpoint "$ENDPOINT" --commit-message "Sync App files" > out.txt 2> err.txt
expect "space created with the card's sdk" "$(state 's["repos"]["spaces/user/drug"]["sdk"]')" "gradio"
expect "one commit after the initial one" "$(state 's["repos"]["spaces/user/drug"]["commits"]')" "2"
expect "commit summary" "$(state 's["repos"]["spaces/user/drug"]["summary"]')" "Sync App files"
expect "files in the commit" "$(state '" ".join(sorted(s["repos"]["spaces/user/drug"]["files"]))')" \
  ".gitattributes Metrics/metrics.txt Metrics/old.txt Model/drug_pipeline.skops README.md drug_app.py requirements.txt"
expect "model went through LFS" "$(state 's["repos"]["spaces/user/drug"]["files"]["Model/drug_pipeline.skops"]["lfs"]')" "True"
expect "LFS oid is the sha256 of the bytes" \
  "$(state 's["repos"]["spaces/user/drug"]["files"]["Model/drug_pipeline.skops"]["oid"]')" "$(sha256 Model/drug_pipeline.skops)"
expect "regular oid is git's blob id" \
  "$(state 's["repos"]["spaces/user/drug"]["files"]["drug_app.py"]["oid"]')" "$(blob_sha1 App/drug_app.py)"
expect "README content arrived intact" \
  "$(state 's["repos"]["spaces/user/drug"]["files"]["README.md"]["text"]')" "$(cat App/README.md)"
expect "printed the commit URL" "$(grep -c "/spaces/user/drug/commit/" out.txt)" "1"
expect "server saw no protocol violation" "$(state 's["errors"]')" "[]"

# 2. An update that adds, changes and deletes, in one commit; unchanged files are skipped.
curl -sf -X POST "$ENDPOINT/_test/reset" >/dev/null
echo 'import gradio as gr  # v2' > App/drug_app.py
echo 'print("new")' > App/new_helper.py
rm Results/old.txt
$R hub upload user/drug App:. Model:Model Results:Metrics --repo-type space \
  --token hf_good --endpoint "$ENDPOINT" --delete '*.txt' --commit-message "Update" > out.txt 2> err.txt
expect "update is one commit" "$(state 's["repos"]["spaces/user/drug"]["commits"]')" "3"
expect "files after update" "$(state '" ".join(sorted(s["repos"]["spaces/user/drug"]["files"]))')" \
  ".gitattributes Metrics/metrics.txt Model/drug_pipeline.skops README.md drug_app.py new_helper.py requirements.txt"
expect "changed file has new content" \
  "$(state 's["repos"]["spaces/user/drug"]["files"]["drug_app.py"]["text"]')" "$(cat App/drug_app.py)"
expect "unchanged LFS file not uploaded again" "$(state 's["counts"].get("basic_put", 0) + s["counts"].get("part_put", 0)')" "0"
expect "summary line" "$(grep -o '[0-9]* unchanged' err.txt)" "4 unchanged"
expect "one deletion" "$(grep -o '[0-9]* deleted' err.txt)" "1 deleted"

# 3. Nothing changed: no commit is made at all.
$R hub upload user/drug App:. Model:Model Results:Metrics --repo-type space \
  --token hf_good --endpoint "$ENDPOINT" 2> err.txt
expect "no empty commit" "$(state 's["repos"]["spaces/user/drug"]["commits"]')" "3"
expect "said so" "$(grep -c 'nothing committed' err.txt)" "1"

# 4. A wrong token: a clear error, nothing committed.
echo changed >> App/requirements.txt
expect_fail "wrong token" "rejected the token (HTTP 401)" \
  $R hub upload user/drug App:. --repo-type space --token hf_bad --endpoint "$ENDPOINT"
expect "nothing committed with a wrong token" "$(state 's["repos"]["spaces/user/drug"]["commits"]')" "3"

# 5. A bad card: refused before anything is sent.
curl -sf -X POST "$ENDPOINT/_test/reset" >/dev/null
mkdir -p Bad && sed 's/^sdk: gradio/sdk: flask/' App/README.md > Bad/README.md
expect_fail "bad sdk in card" "Bad/README.md:6:6: 'sdk' must be one of gradio, streamlit, docker, static" \
  $R hub upload user/drug Bad:. --repo-type space --token hf_good --endpoint "$ENDPOINT"
sed 's/^colorTo: green/colorTo: turquoise/' App/README.md > Bad/README.md
expect_fail "bad color in card" "README.md:5:10: 'colorTo' must be one of" \
  $R hub upload user/drug Bad:. --repo-type space --token hf_good --endpoint "$ENDPOINT"
printf 'no front matter\n' > Bad/README.md
expect_fail "card without front matter" "README.md:1:1: no YAML front matter" \
  $R hub upload user/drug Bad:. --repo-type space --token hf_good --endpoint "$ENDPOINT"
expect "no request for a bad card" "$(state 'sum(s["counts"].values())')" "0"

# 6. '..' and .git paths are refused (huggingface_hub's _validate_path_in_repo).
expect_fail "dotdot refused" "climbs out with '..'" \
  $R hub upload user/drug App/drug_app.py ../drug_app.py --repo-type space --token hf_good --endpoint "$ENDPOINT"
expect_fail "dotdot inside refused" "climbs out with '..'" \
  $R hub upload user/drug App/drug_app.py a/../../b.py --repo-type space --token hf_good --endpoint "$ENDPOINT"
expect_fail ".git refused" "has a '.git' component" \
  $R hub upload user/drug App/drug_app.py .git/config --repo-type space --token hf_good --endpoint "$ENDPOINT"
expect "no request for bad paths" "$(state 'sum(s["counts"].values())')" "0"

# 7. 429 with Retry-After: waited for, then retried.
fault '{"rate_limit": {"match": "/preupload/", "count": 1, "retry_after": "1"}}'
t0=$(date +%s%N)
$R hub upload user/drug App:. --repo-type space --token hf_good --endpoint "$ENDPOINT" --quiet > /dev/null
t1=$(date +%s%N)
expect "the 429 was answered" "$(state 's["counts"].get("rate_limited")')" "1"
expect "waited at least Retry-After" "$(( (t1 - t0) >= 1000000000 ))" "1"
expect "then committed" "$(state 's["repos"]["spaces/user/drug"]["commits"]')" "4"

# 8. A new branch from --revision, and a tag on the new commit.
$R hub upload user/drug Results/metrics.txt Metrics/dev.txt --repo-type space --revision dev \
  --tag v1 --token hf_good --endpoint "$ENDPOINT" > /dev/null 2>&1
expect "branch created" "$(state '"dev" in s["repos"]["spaces/user/drug"]["branches"]')" "True"
expect "tag on the new commit" "$(state 's["repos"]["spaces/user/drug"]["tags"]["v1"] == s["repos"]["spaces/user/drug"]["branches"]["dev"]')" "True"
expect "main untouched by the branch upload" "$(state 's["repos"]["spaces/user/drug"]["commits"]')" "4"

# 9. parentCommit: the server answers a stale parent with 412, and runnel refuses a wrong one.
code=$(printf '{"key":"header","value":{"summary":"x","parentCommit":"%s"}}\n' 0000000000000000000000000000000000000000 |
  curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer hf_good' -H 'Content-Type: application/x-ndjson' \
  --data-binary @- "$ENDPOINT/api/spaces/user/drug/commit/main")
expect "stale parentCommit is 412" "$code" "412"
expect_fail "wrong --parent-commit" "not the expected parent" \
  $R hub upload user/drug App:. --repo-type space --parent-commit 0000000000000000000000000000000000000000 \
  --token hf_good --endpoint "$ENDPOINT"

# 10. The hf spellings: runnel invoked as hf / huggingface-cli, and hf auth login.
mkdir -p bin && ln -sf "$R" bin/hf && ln -sf "$R" bin/huggingface-cli
HF_ENDPOINT="$ENDPOINT" bin/hf auth login --token hf_good 2> login.txt
expect "token stored where huggingface_hub reads it" "$(cat "$XDG_CACHE_HOME/huggingface/token")" "hf_good"
expect "token file is private" "$(stat -c %a "$XDG_CACHE_HOME/huggingface/token")" "600"
expect "login output has no token" "$(grep -c hf_good login.txt || true)" "0"
HF_ENDPOINT="$ENDPOINT" bin/hf upload user/drug-model Model/drug_pipeline.skops weights/drug.skops > /dev/null 2>&1
expect "hf upload creates the model repo" "$(state '" ".join(sorted(s["repos"]["models/user/drug-model"]["files"]))')" \
  ".gitattributes weights/drug.skops"
HF_ENDPOINT="$ENDPOINT" bin/huggingface-cli upload user/drug-model Results/metrics.txt > /dev/null 2>&1
expect "huggingface-cli spelling: a file goes to its basename" \
  "$(state '"metrics.txt" in s["repos"]["models/user/drug-model"]["files"]')" "True"
HF_ENDPOINT="$ENDPOINT" $R hf auth whoami > who.txt
expect "whoami" "$(cat who.txt)" "user"
expect "space runtime" "$($R hub runtime user/drug --token hf_good --endpoint "$ENDPOINT")" "RUNNING"
$R hub restart user/drug --token hf_good --endpoint "$ENDPOINT"
expect "space restart" "$(state 's["counts"].get("restart")')" "1"
expect "server saw no protocol violation" "$(state 's["errors"]')" "[]"

# 10a. The seed project's Makefile recipe, unchanged, with runnel as huggingface-cli.
( export HF_ENDPOINT="$ENDPOINT"
  bin/huggingface-cli login --token hf_good --add-to-git-credential
  bin/huggingface-cli upload user/Drug-Classification ./App --repo-type=space --commit-message="Sync App files"
  bin/huggingface-cli upload user/Drug-Classification ./Model /Model --repo-type=space --commit-message="Sync Model"
  bin/huggingface-cli upload user/Drug-Classification ./Results /Metrics --repo-type=space --commit-message="Sync Model"
) > recipe.txt 2>&1
expect "the seed's recipe works unchanged" \
  "$(state '" ".join(sorted(s["repos"]["spaces/user/Drug-Classification"]["files"]))')" \
  ".gitattributes Metrics/metrics.txt Model/drug_pipeline.skops README.md drug_app.py new_helper.py requirements.txt"

# 10b. Progress on a terminal (a pty from script(1)): bytes, rate and time left.
head -c $((12 << 20)) /dev/urandom > Model/weights.bin
script -qec "$R hub upload user/drug Model:Model --repo-type space --token hf_good --endpoint $ENDPOINT" \
  /dev/null > tty.txt 2>&1
expect "progress shows bytes, rate and time left" \
  "$(tr '\r' '\n' < tty.txt | grep -c 'Model/weights.bin: 12.6 MB / 12.6 MB, .*/s, 0 s left')" "1"
rm Model/weights.bin

# 11. The embedded hub: the same commit in a local bare git repository.
LOCAL="file://$WORK/localhub"
$R hub upload user/drug App:. Model:Model Results:Metrics --repo-type space --create --endpoint "$LOCAL" > /dev/null 2>&1
G="$WORK/localhub/spaces/user/drug.git"
expect "local: one commit after the initial one" "$(git --git-dir "$G" rev-list --count main)" "2"
expect "local: tree" "$(git --git-dir "$G" ls-tree -r --name-only main | tr '\n' ' ')" \
  ".gitattributes Metrics/metrics.txt Model/drug_pipeline.skops README.md drug_app.py new_helper.py requirements.txt "
expect "local: LFS pointer in the commit" "$(git --git-dir "$G" show main:Model/drug_pipeline.skops | sed -n 2p)" \
  "oid sha256:$(sha256 Model/drug_pipeline.skops)"
oid=$(sha256 Model/drug_pipeline.skops)
expect "local: LFS object stored" "$(sha256 "$G/lfs/objects/${oid:0:2}/${oid:2:2}/$oid")" "$oid"
expect "local: regular file is the blob" "$(git --git-dir "$G" rev-parse main:drug_app.py)" "$(blob_sha1 App/drug_app.py)"
rm App/new_helper.py
$R hub upload user/drug App:. --repo-type space --delete '*.py' --endpoint "$LOCAL" > /dev/null 2>&1
expect "local: delete in one commit" "$(git --git-dir "$G" rev-list --count main)" "3"
expect "local: deleted" "$(git --git-dir "$G" ls-tree -r --name-only main | grep -c new_helper || true)" "0"
git --git-dir "$G" fsck --no-progress >/dev/null 2>&1 && expect "local: git fsck" ok ok
# An empty folder inside what is uploaded is nothing to upload (git has no empty folders).
mkdir -p App/empty/deeper
$R hub upload user/drug App:. --repo-type space --endpoint "$LOCAL" > /dev/null 2> empty.err
expect "local: an empty subfolder is skipped without error" "$?:$(tail -n 1 empty.err)" \
  "0:no changes: nothing committed"
rmdir App/empty/deeper App/empty
echo "hub_upload: all passed"
