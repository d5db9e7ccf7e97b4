# Uploads racing other writers. The commit names the tip its decisions were made against
# (parentCommit, optimistic concurrency); when another commit lands first, runnel plans again
# against the new tip (unchanged files, deletes) and commits again, a few times at most. An
# explicit --parent-commit still fails at once. On the loopback Hub and the embedded file:// hub.
source "$RUNNEL_SOURCE_DIR/tests/hub/lib.sh"
R="$RUNNEL_BIN"
start_server
cd "$WORK"
files() { state '" ".join(sorted(s["repos"]["models/'"$1"'"]["files"]))'; }
commits() { state 's["repos"]["models/'"$1"'"]["commits"]'; }

mkdir -p d
echo a > d/a.txt; echo old > d/old.txt
$R hub upload user/race d --create --token hf_good --endpoint "$ENDPOINT" > /dev/null 2>&1
rm d/old.txt; echo new > d/new.txt; echo a2 > d/a.txt

# 1. Another commit lands between runnel's read of the tip and its commit; it deletes old.txt,
# which runnel meant to delete (so planning again must drop that delete), and adds other.txt.
curl -sf -X POST "$ENDPOINT/_test/reset" >/dev/null
fault '{"race_commit": {"count": 1, "add": {"other.txt": "theirs"}, "delete": ["old.txt"]}}'
$R hub upload user/race d --delete old.txt --token hf_good --endpoint "$ENDPOINT" > /dev/null 2> err.txt
expect "raced: committed on the new tip" "$(files user/race)" ".gitattributes a.txt new.txt other.txt"
expect "raced: their commit kept, ours on top" "$(commits user/race)" "4"
expect "raced: two commit requests, one 412" "$(state 's["counts"]["commit"]'):$(state 's["counts"]["raced"]')" "2:1"
expect "raced: no delete of a file that is gone" "$(state 's["errors"]')" "[]"
expect "raced: the summary counts the last plan" "$(grep -o '[0-9]* deleted' err.txt)" "0 deleted"

# 2. An explicit --parent-commit is a promise about one commit: a race fails it at once.
echo a3 > d/a.txt
tip=$(state 's["repos"]["models/user/race"]["branches"]["main"]')
curl -sf -X POST "$ENDPOINT/_test/reset" >/dev/null
fault '{"race_commit": {"count": 1, "add": {"x.txt": "x"}}}'
expect_fail "--parent-commit and a race" "moved while uploading (parent commit mismatch)" \
  $R hub upload user/race d --parent-commit "$tip" --token hf_good --endpoint "$ENDPOINT"
expect "--parent-commit: one commit request" "$(state 's["counts"]["commit"]')" "1"

# 3. A branch that keeps moving: a few attempts, then a clear failure.
curl -sf -X POST "$ENDPOINT/_test/reset" >/dev/null
fault '{"race_commit": {"count": 50, "add": {"y.txt": "y"}}}'
expect_fail "a branch that keeps moving" "gave up after 5 attempts: 'main' moved while uploading" \
  $R hub upload user/race d --token hf_good --endpoint "$ENDPOINT"
expect "keeps moving: five commit requests" "$(state 's["counts"]["commit"]')" "5"
fault '{"race_commit": null}'

# 4. Real concurrency: four uploads of different files at once all land.
for i in 1 2 3 4; do echo "$i" > "f$i.txt"; done
pids=()
for i in 1 2 3 4; do
  $R hub upload user/race "f$i.txt" --token hf_good --endpoint "$ENDPOINT" > "out$i" 2>&1 & pids+=($!)
done
for i in 0 1 2 3; do wait "${pids[$i]}" || { cat out*; expect "concurrent upload $i" fail ok; }; done
expect "concurrent: every file landed" "$(files user/race | tr ' ' '\n' | grep -c '^f[1-4].txt$')" "4"

LOCAL="file://$WORK/localhub"
$R hub upload user/race d --create --endpoint "$LOCAL" > /dev/null 2>&1
pids=()
for i in 1 2 3 4; do
  $R hub upload user/race "f$i.txt" --endpoint "$LOCAL" > "lout$i" 2>&1 & pids+=($!)
done
for i in 0 1 2 3; do wait "${pids[$i]}" || { cat lout*; expect "local concurrent upload $i" fail ok; }; done
expect "local concurrent: every file landed" \
  "$(git --git-dir "$WORK/localhub/models/user/race.git" ls-tree -r --name-only main | grep -c '^f[1-4].txt$')" "4"
expect "local concurrent: one commit each" \
  "$(git --git-dir "$WORK/localhub/models/user/race.git" rev-list --count main)" "6"

echo "hub_concurrent: all passed"
