# Where the token lives and what a token may hold, against the loopback Hub: path variables
# expanded as huggingface_hub's constants.py does, tokens cleaned as its _clean_token does, and
# `hf auth login` checking the token with whoami before it saves it (huggingface_hub's login).
source "$RUNNEL_SOURCE_DIR/tests/hub/lib.sh"
R="$RUNNEL_BIN"
start_server
cd "$WORK"
mkdir -p bin proj && ln -sf "$R" bin/hf
echo 'print("hi")' > proj/app.py

# 1. HF_HOME='~/.hf' as a workflow's env: block passes it: the token goes to $HOME/.hf/token,
# never to a folder named '~' under the working directory (which `hf upload .` would commit).
( cd proj && HF_HOME='~/.hf' HF_ENDPOINT="$ENDPOINT" ../bin/hf auth login --token hf_good 2> ../login.txt )
expect "HF_HOME='~/.hf': token in \$HOME/.hf" "$(cat "$HOME/.hf/token")" "hf_good"
expect "HF_HOME='~/.hf': no '~' folder in the working directory" "$(ls -A proj)" "app.py"
expect "login names the expanded path" "$(grep -c "$HOME/.hf/token" login.txt)" "1"
( cd proj && HF_HOME='$HOME/.hf' HF_ENDPOINT="$ENDPOINT" ../bin/hf upload user/auth1 . > /dev/null 2>&1 )
expect "the expanded token file is read back" \
  "$(state '" ".join(sorted(s["repos"]["models/user/auth1"]["files"]))')" ".gitattributes app.py"
HF_TOKEN_PATH='${HOME}/tok' HF_ENDPOINT="$ENDPOINT" bin/hf auth login --token hf_good 2> /dev/null
expect "HF_TOKEN_PATH with \${HOME}" "$(cat "$HOME/tok")" "hf_good"
rm -rf "$HOME/.hf" "$HOME/tok"

# 3. Tokens are cleaned as huggingface_hub's _clean_token: CR and LF removed, then stripped. A
# trailing newline (a token file or secret pasted with one) works; CR/LF inside cannot add a header.
HF_TOKEN=$'hf_good\n' $R hub upload user/auth2 proj --create --endpoint "$ENDPOINT" > /dev/null 2> up.txt
expect "HF_TOKEN with a trailing newline works" "$(state '"app.py" in s["repos"]["models/user/auth2"]["files"]')" "True"
$R hub upload user/auth3 proj --create --token $' hf_good\r\n' --endpoint "$ENDPOINT" > /dev/null 2> up.txt
expect "--token with spaces and CR LF around works" "$(state '"models/user/auth3" in s["repos"]')" "True"
HUGGING_FACE_HUB_TOKEN=hf_good $R hub upload user/auth4 proj --create --endpoint "$ENDPOINT" > /dev/null 2> up.txt
expect "the older HUGGING_FACE_HUB_TOKEN is read" "$(state '"models/user/auth4" in s["repos"]')" "True"
# "hf_good\r\nX-Injected: yes" is the token "hf_goodX-Injected: yes": refused, not a valid
# Bearer hf_good plus an extra header.
HF_TOKEN=$'hf_good\r\nX-Injected: yes' expect_fail "CR LF inside HF_TOKEN does not inject a header" \
  "invalid user token\|rejected the token" $R hub upload user/auth5 proj --create --endpoint "$ENDPOINT"
expect "nothing created with the mangled token" "$(state '"models/user/auth5" in s["repos"]')" "False"
printf 'hf_good\r\n' > "$WORK/tokfile"
HF_TOKEN_PATH="$WORK/tokfile" $R hub upload user/auth6 proj --create --endpoint "$ENDPOINT" > /dev/null 2>&1
expect "a token file with CRLF works" "$(state '"models/user/auth6" in s["repos"]')" "True"
HF_TOKEN_PATH="$WORK/tok2" HF_ENDPOINT="$ENDPOINT" bin/hf auth login --token $'hf_good\r\n' 2> /dev/null
expect "login saves the cleaned token" "$(od -An -c "$WORK/tok2" | tr -s ' ')" " h f _ g o o d"

# 10. hf auth login checks the token with whoami at HF_ENDPOINT before it saves anything, as
# huggingface_hub's login does ("Invalid user token." on a 401), and refuses an organization
# token. The embedded hub has no tokens: with a file:// endpoint login works offline.
export HF_TOKEN_PATH="$WORK/login-token"
HF_ENDPOINT="$ENDPOINT" expect_fail "login with a bad token" "invalid user token" \
  bin/hf auth login --token hf_bad
expect "a bad token is not saved" "$(ls "$HF_TOKEN_PATH" 2>/dev/null || echo none)" "none"
expect "login asked whoami" "$(state 's["counts"]["whoami"] > 0')" "True"
HF_ENDPOINT="$ENDPOINT" expect_fail "an organization token" "not an organization token" \
  bin/hf auth login --token api_org_xyz
expect "an organization token is not saved" "$(ls "$HF_TOKEN_PATH" 2>/dev/null || echo none)" "none"
echo hf_good | HF_ENDPOINT="$ENDPOINT" bin/hf auth login 2> login.txt
expect "login from standard input, checked" "$(cat "$HF_TOKEN_PATH"):$(grep -c 'logged in as user' login.txt)" "hf_good:1"
rm "$HF_TOKEN_PATH"
HF_ENDPOINT="file://$WORK/localhub" bin/hf auth login --token hf_offline 2> login.txt
expect "file:// endpoint: login offline" "$(cat "$HF_TOKEN_PATH")" "hf_offline"
unset HF_TOKEN_PATH

echo "hub_auth: all passed"
