# Multipart parts go out in parallel (--parallel-parts, RUNNEL_HUB_PARALLEL_PARTS, default the
# number of CPUs, 2 to 4), and the completion still lists every part's ETag in part order (the
# server refuses otherwise and records the violation); --parallel-parts 1 sends one at a time.
source "$RUNNEL_SOURCE_DIR/tests/hub/lib.sh"
R="$RUNNEL_BIN"
start_server --multipart-threshold $((8 << 20)) --chunk-size $((4 << 20))
cd "$WORK"
mkdir -p A B
head -c $((60 << 20)) /dev/urandom > A/weights.bin
head -c $((30 << 20)) /dev/urandom > B/weights.bin
oid_a=$(sha256sum A/weights.bin | cut -d' ' -f1)
oid_b=$(sha256sum B/weights.bin | cut -d' ' -f1)

$R hub upload user/par A:. --create --token hf_good --endpoint "$ENDPOINT" > out.txt
expect "15 parts stored once each" \
  "$(state '[s["part_puts"].get("'$oid_a':%d" % n, 0) for n in range(1, 16)]')" "$(/usr/bin/python3 -c 'print([1] * 15)')"
inflight=$(state 's["max_parts_in_flight"]')
expect "parts were sent in parallel ($inflight at once)" "$((inflight >= 2 && inflight <= 4))" "1"
expect "completion accepted (ETags in part order)" "$(state 's["counts"].get("complete")')" "1"
expect "the object is the file" "$(state 's["repos"]["models/user/par"]["files"]["weights.bin"]["oid"]')" "$oid_a"

curl -sf -X POST "$ENDPOINT/_test/reset" > /dev/null
$R hub upload user/par B:. --token hf_good --endpoint "$ENDPOINT" --parallel-parts 1 > out.txt
expect "--parallel-parts 1: one part at a time" "$(state 's["max_parts_in_flight"]')" "1"
expect "8 parts stored once each" \
  "$(state '[s["part_puts"].get("'$oid_b':%d" % n, 0) for n in range(1, 9)]')" "$(/usr/bin/python3 -c 'print([1] * 8)')"

expect_fail "--parallel-parts 0 refused" "expected a number from 1 to 16" \
  $R hub upload user/par B:. --token hf_good --endpoint "$ENDPOINT" --parallel-parts 0
RUNNEL_HUB_PARALLEL_PARTS=17 expect_fail "RUNNEL_HUB_PARALLEL_PARTS=17 refused" "RUNNEL_HUB_PARALLEL_PARTS '17'" \
  $R hub upload user/par B:. --token hf_good --endpoint "$ENDPOINT"
expect "server saw no protocol violation" "$(state 's["errors"]')" "[]"
echo "hub_parallel_parts: all passed"
