# A 200 MB file through LFS multipart, parts sent in parallel (the default): one part fails once
# (retried), then the storage server goes away mid-upload (the run fails and nothing is
# committed), then a second run resumes from the parts the server already has and commits.
# Which parts got in before the server went away depends on timing (part 2's retry may come after
# it); that none is sent twice does not.
source "$RUNNEL_SOURCE_DIR/tests/hub/lib.sh"
R="$RUNNEL_BIN"
start_server --multipart-threshold $((50 << 20)) --chunk-size $((20 << 20))
cd "$WORK"
mkdir -p Model
head -c $((200 << 20)) /dev/urandom > Model/big.safetensors
oid=$(sha256sum Model/big.safetensors | cut -d' ' -f1)

fault '{"fail_parts_once": [2], "drop_parts_after": 5}'
expect_fail "interrupted upload fails" "big.safetensors' part [0-9]*: " \
  $R hub upload user/big Model:. --create --token hf_good --endpoint "$ENDPOINT"
expect "nothing committed after the interruption" "$(state 's["repos"]["models/user/big"]["commits"]')" "1"
expect "part 2 failed once" "$(state 's["counts"].get("part_failed")')" "1"
stored=$(state '[s["part_puts"].get("'$oid':%d" % n, 0) for n in range(1, 11)]')
expect "5 or more parts stored, none twice, not all ($stored)" \
  "$($PY -c "p = $stored; print(max(p) == 1 and 5 <= sum(p) < 10)")" "True"
expect "resume state kept" "$(ls "$XDG_CACHE_HOME/runnel/hub-uploads" | wc -l)" "1"

fault '{"fail_parts_once": [], "drop_parts_after": null}'
$R hub upload user/big Model:. --token hf_good --endpoint "$ENDPOINT" > out.txt 2> err.txt
expect "resumed: no part sent again" \
  "$(state '[s["part_puts"].get("'$oid':%d" % n, 0) for n in range(1, 11)]')" "[1, 1, 1, 1, 1, 1, 1, 1, 1, 1]"
expect "committed once" "$(state 's["repos"]["models/user/big"]["commits"]')" "2"
expect "the object is the file" "$(state 's["repos"]["models/user/big"]["files"]["big.safetensors"]["oid"]')" "$oid"
expect "multipart completed and verified" "$(state '(s["counts"].get("complete"), s["counts"].get("verify"))')" "(1, 1)"
expect "resume state removed" "$(ls "$XDG_CACHE_HOME/runnel/hub-uploads" | wc -l)" "0"
expect "server saw no protocol violation" "$(state 's["errors"]')" "[]"
echo "hub_multipart: all passed"
