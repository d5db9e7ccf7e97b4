# The official JavaScript client (@huggingface/hub) against the loopback Hub, to show the server
# answers as the Hub does; then runnel uploads the same files and finds them unchanged (the two
# clients agree on oids, regular/LFS and paths).
source "$RUNNEL_SOURCE_DIR/tests/hub/lib.sh"
if [ ! -d "$RUNNEL_SOURCE_DIR/tests/node/node_modules/@huggingface/hub" ]; then
  # the official client is the point of this test: without it, fail rather than pass unseen
  echo "tests/node/node_modules/@huggingface/hub missing: run scripts/deps.sh (make test does)"
  exit 1
fi
R="$RUNNEL_BIN"
start_server --multipart-threshold $((4 << 20)) --chunk-size $((1 << 20))
cd "$WORK"
mkdir -p js
printf -- '---\ntitle: JS\nsdk: gradio\napp_file: app.py\n---\n' > js/README.md
echo 'print("hi")' > js/app.py
head -c 200000 /dev/urandom > js/model.bin
head -c $((5 << 20)) /dev/urandom > js/big.bin
echo old > js/old.txt

node "$RUNNEL_SOURCE_DIR/tests/hub/js_client.mjs" "$ENDPOINT" hf_good "$WORK/js" > js.json
jsq() { /usr/bin/python3 -c "import json,sys; s=json.load(open('js.json')); print($1)"; }
expect "js whoAmI" "$(jsq 's["name"]')" "user"
expect "js listFiles" "$(jsq '" ".join(sorted(f["path"] for f in s["files"]))')" ".gitattributes Model/big.bin Model/model.bin README.md app.py"
expect "js sees the LFS oid" "$(jsq '[f["lfs"] for f in s["files"] if f["path"] == "Model/big.bin"][0]')" \
  "$(sha256sum js/big.bin | cut -d' ' -f1)"
expect "js multipart went through parts" "$(state 's["counts"].get("part_put", 0)')" "5"
expect "js basic PUT" "$(state 's["counts"].get("basic_put", 0)')" "1"
expect "js made two commits" "$(state 's["repos"]["spaces/user/js-space"]["commits"]')" "3"
expect "server saw no protocol violation from js" "$(state 's["errors"]')" "[]"

# runnel over what the JS client uploaded: everything is unchanged.
mkdir -p rn/Model && cp js/README.md js/app.py rn/ && cp js/model.bin js/big.bin rn/Model/
$R hub upload user/js-space rn:. --repo-type space --token hf_good --endpoint "$ENDPOINT" 2> err.txt
expect "runnel agrees on every oid" "$(grep -o '[0-9]* unchanged' err.txt)" "4 unchanged"
expect "no commit needed" "$(state 's["repos"]["spaces/user/js-space"]["commits"]')" "3"
# A multipart completion whose answer is lost: runnel retries it, the server no longer knows the
# upload, runnel verifies the object is there and commits.
head -c $((5 << 20)) /dev/urandom > rn/Model/big2.bin
fault '{"lose_complete_answer": true}'
$R hub upload user/js-space rn/Model/big2.bin Model/big2.bin --repo-type space --token hf_good \
  --endpoint "$ENDPOINT" > /dev/null 2> err.txt
expect "completion answer was lost" "$(state 's["counts"].get("complete_answer_lost")')" "1"
expect "committed after verifying" "$(state 's["repos"]["spaces/user/js-space"]["files"]["Model/big2.bin"]["oid"]')" \
  "$(sha256sum rn/Model/big2.bin | cut -d' ' -f1)"
echo "hub_js_client: all passed"
