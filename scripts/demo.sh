#!/usr/bin/env bash
# make demo: the example ML project (workflows/ml-example) goes through CI and CD on this machine
# with `runnel run`, using the embedded defaults: a local bare repository as `origin` (the
# versioned results branch lands there) and the file-backed Hub (the Space commit lands there).
#   1. CI on the first commit: train, report, publish version 1 to origin's `results` branch
#   2. a model change (more trees) is committed; CI runs again and publishes version 2 (history
#      kept), and --chain runs CD on CI's workflow_run event: app, model and metrics go to the
#      Space in one commit, tagged with the version
# The dataset is copied from ../shared/data/drug200.csv (or $RUNNEL_DATA) into the scratch project.
set -euo pipefail
cd "$(dirname "$0")/.."
src=$(pwd)
runnel=$(cd "$(dirname "${1:-build/release/runner/runnel}")" && pwd)/$(basename "${1:-build/release/runner/runnel}")
demo=${RUNNEL_DEMO_DIR:-$src/build/demo}
data=${RUNNEL_DATA:-${RUNNEL_SHARED:-$src/../shared}/data/drug200.csv}

echo "== runnel $("$runnel" --version | cut -d' ' -f2): validating the bundled workflows"
mapfile -t files < <(find workflows -path '*/.github/workflows/*.yml' | sort)
"$runnel" validate "${files[@]}"

if [ ! -f "$data" ]; then
  echo "demo: the dataset drug200.csv was not found at $data (set RUNNEL_DATA)" >&2
  exit 2
fi
rm -rf "$demo"
mkdir -p "$demo"
origin=$demo/origin.git
hub=$demo/hub
project=$demo/project
git init -q --bare -b main "$origin"
mkdir -p "$hub"
cp -r workflows/ml-example "$project"
mkdir -p "$project/data"
cp "$data" "$project/data/drug200.csv"
(
  cd "$project"
  git init -q -b main
  git config user.name "runnel demo"
  git config user.email "demo@runnel.invalid"
  git remote add origin "$origin"
  git add -A
  git commit -q -m "Drug classification: first model"
  git push -q origin main
)

# Steps see a plain Debian PATH first (python3 with scikit-learn), and may write the two local
# remotes; the Hub token is a stand-in the file-backed hub accepts.
export PATH="/usr/bin:/bin:$PATH"
run_flags=(--rw "$origin" --rw "$hub" --var "HF_ENDPOINT=file://$hub"
  --var SPACE_ID=demo/drug-classification --secret HF_TOKEN=demo-token)

echo
echo "== CI, first commit"
(cd "$project" && "$runnel" run push -W .github/workflows/ci.yml "${run_flags[@]}" \
  --run-dir "$demo/run-1")

echo
echo "== a model change: 10 -> 25 trees, committed; CI again, then CD through workflow_run"
(
  cd "$project"
  sed -i 's/n_estimators=10/n_estimators=25/' train.py
  git commit -q -am "More trees"
  git push -q origin main
  "$runnel" run push --chain "${run_flags[@]}" --run-dir "$demo/run-2"
)

echo
echo "== where the results are"
(cd "$project" && "$runnel" publish --get latest --branch results --path results --out "$demo/latest" > /dev/null)
echo "report:            $demo/latest/results/report/report.md"
echo "confusion matrix:  $demo/latest/results/report/confusion_matrix.png"
echo "                   $demo/latest/results/report/confusion_matrix.svg"
echo "results branch:    $origin (branch results)"
(cd "$project" && "$runnel" publish --list --branch results --remote "$origin" | sed 's/^/                   /')
space=$(find "$hub" -name '*.git' -type d | head -n 1)
echo "Space repository:  $space"
git --git-dir="$space" log --format='                   %h %s' -n 3
echo "Space files:       $(git --git-dir="$space" ls-tree -r --name-only HEAD | tr '\n' ' ')"
echo "run logs:          $demo/run-1, $demo/run-2"
