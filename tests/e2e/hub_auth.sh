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

echo "hub_auth: all passed"
