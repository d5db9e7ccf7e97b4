# The embedded file:// hub's .gitattributes rules for LFS files: a path is written as a pattern
# matching exactly that path, escaped as `git lfs track --filename` escapes it (a space as
# [[:space:]], '\', '*', '?', '[', ']' and '#' with a '\'), so git itself applies the rule; read
# back, the escaped rule is recognised and not written twice. Checked with git check-attr.
source "$RUNNEL_SOURCE_DIR/tests/hub/lib.sh"
R="$RUNNEL_BIN"
cd "$WORK"
LOCAL="file://$WORK/localhub"
G="$WORK/localhub/models/user/attrs.git"
mkdir -p src/sub
names=("my model.dat" "w[1].dat" "a*b?.dat" "#hash.dat" "!bang.dat" $'tab\tx.dat' 'back\slash.dat'
       '"quoted.dat' "sub/deep name.dat" "ok.dat")
for n in "${names[@]}"; do printf 'bin\0%s' "$n" > "src/$n"; done   # a NUL: LFS, as the Hub decides
echo text > src/readme.txt
$R hub upload user/attrs src --create --endpoint "$LOCAL" > /dev/null 2> up.err

attrs() {
  rm -rf clone && git clone -q --no-checkout "$G" clone && git -C clone read-tree HEAD
  git -C clone check-attr --cached filter -- "$@" | sed 's/.*: filter: //'
}
for n in "${names[@]}"; do
  expect "check-attr: '$n' is LFS" "$(attrs "$n")" "lfs"
  expect "the commit holds a pointer for '$n'" "$(git --git-dir "$G" show "main:$n" | head -1)" \
    "version https://git-lfs.github.com/spec/v1"
done
expect "check-attr: the regular file is not" "$(attrs readme.txt)" "unspecified"
expect "check-attr: no rule matches more than its file" \
  "$(attrs "w1.dat" "axbb.dat" "my-model.dat" "sub/deep-name.dat" | sort -u)" "unspecified"

# Read back: the escaped rules are recognised, so changing the files adds no second rule.
for n in "${names[@]}"; do printf 'bin2\0%s' "$n" > "src/$n"; done
$R hub upload user/attrs src --endpoint "$LOCAL" > /dev/null 2> up.err
expect "a second upload adds no rule" \
  "$(git --git-dir "$G" show main:.gitattributes | grep -c 'filter=lfs diff=lfs merge=lfs -text$')" \
  "$(( $(git --git-dir "$G" show main~1:.gitattributes | grep -c 'filter=lfs diff=lfs merge=lfs -text$') ))"
expect "rules written: one per file" \
  "$(git --git-dir "$G" show main:.gitattributes | grep -c 'dat filter=lfs')" "${#names[@]}"

echo "hub_lfs_attributes: all passed"
