"""
The ready-made ML example (workflows/ml-example) keeps the promise its CD makes, "deploy only
what passed CI", when pull requests train other models:

  1. CI on main's first commit publishes its version to `results`, tagged model-<sha>;
  2. a pull request trains a worse model: CI reports it on the pull request (the loopback
     GitHub gets the comment) and publishes nothing; the same run chained from a fork's `main`
     (head_branch main, event pull_request) does not start CD;
  3. CD started by hand on main deploys main's model, not the pull request's: the Space's
     metrics are those scikit-learn computes for main's model;
  4. CD again on the same commit (a re-run) succeeds and commits nothing;
  5. a new commit on main: CI, then CD through workflow_run (--chain), deploys that commit's
     version, tagged v-<sha>;
  6. CD on a commit CI never published fails and leaves the Space alone.

Expected accuracies come from scikit-learn (accuracy_score on train.py's predictions, run here
outside runnel), never from runnel's report. The data set is made here: 200 rows with drug200's
columns, labelled by a fixed rule with a little noise. Run by tests/e2e/pipeline_ml_example.sh.
"""
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

SRC = os.environ["RUNNEL_SOURCE_DIR"]
RUNNEL = os.environ["RUNNEL_BIN"]
sys.path.insert(0, os.path.join(SRC, "tests", "github"))
sys.path.insert(0, os.path.join(SRC, "tests", "pipeline"))
from fake_github import FakeGitHub  # noqa: E402
from lib import check, git, keep_if_failed, step_env, summary  # noqa: E402

TOKEN = "ghs_test_token_0123456789"
SPACE = "demo/drug-classification"


def make_data(path):
    rnd = random.Random(7)
    rows = ["Age,Sex,BP,Cholesterol,Na_to_K,Drug"]
    for _ in range(200):
        age = rnd.randint(15, 74)
        sex = rnd.choice("MF")
        bp = rnd.choice(["HIGH", "LOW", "NORMAL"])
        chol = rnd.choice(["HIGH", "NORMAL"])
        na_k = round(rnd.uniform(6.2, 38.2), 3)
        if na_k > 15:
            drug = "DrugY"
        elif bp == "HIGH":
            drug = "drugA" if age < 50 else "drugB"
        elif bp == "LOW" and chol == "HIGH":
            drug = "drugC"
        else:
            drug = "drugX"
        if rnd.random() < 0.05:
            drug = rnd.choice(["DrugY", "drugA", "drugB", "drugC", "drugX"])
        rows.append(f"{age},{sex},{bp},{chol},{na_k},{drug}")
    with open(path, "w") as f:
        f.write("\n".join(rows) + "\n")


def sklearn_accuracy(project, tmp, name):
    """Runs the project's train.py outside runnel and scores its predictions with sklearn."""
    out = os.path.join(tmp, "expected-" + name)
    subprocess.run(["/usr/bin/python3", "train.py", "--model-dir", os.path.join(out, "model"),
                    "--results-dir", os.path.join(out, "results")], cwd=project, check=True,
                   capture_output=True, timeout=300)
    code = ("import pandas as pd, sys; from sklearn.metrics import accuracy_score; "
            "d = pd.read_csv(sys.argv[1]); print(accuracy_score(d.y_true, d.y_pred))")
    res = subprocess.run(["/usr/bin/python3", "-c", code,
                          os.path.join(out, "results", "predictions.csv")],
                         check=True, capture_output=True, text=True)
    return float(res.stdout)


def space_git(hub, *args):
    d = os.path.join(hub, "spaces", SPACE + ".git")
    if not os.path.isdir(d):
        return None
    r = subprocess.run(["git", "--git-dir", d, *args], capture_output=True, text=True)
    return r.stdout.strip() if r.returncode == 0 else None


def deployed_accuracy(hub):
    text = space_git(hub, "show", "main:metrics/metrics.json")
    return json.loads(text)["accuracy"] if text else None


def main():
    tmp = tempfile.mkdtemp(prefix="runnel-ml-")
    gh = FakeGitHub(owner="octo", repo="drugs", token=TOKEN).start()
    try:
        origin = os.path.join(tmp, "origin.git")
        hub = os.path.join(tmp, "hub")
        os.makedirs(hub)
        git("init", "-q", "--bare", "-b", "main", origin)
        project = os.path.join(tmp, "project")
        shutil.copytree(os.path.join(SRC, "workflows", "ml-example"), project)
        os.makedirs(os.path.join(project, "data"))
        make_data(os.path.join(project, "data", "drug200.csv"))
        git("init", "-q", "-b", "main", cwd=project)
        git("remote", "add", "origin", origin, cwd=project)
        git("add", "-A", cwd=project)
        git("commit", "-q", "-m", "first model", cwd=project)
        git("push", "-q", "origin", "main", cwd=project)
        m1 = git("rev-parse", "HEAD", cwd=project).strip()
        env = step_env()
        flags = ["--rw", origin, "--rw", hub, "--var", "HF_ENDPOINT=file://" + hub,
                 "--var", "SPACE_ID=" + SPACE, "--secret", "HF_TOKEN=unused",
                 "--env", "GITHUB_API_URL=" + gh.base, "--env", "GITHUB_REPOSITORY=octo/drugs",
                 "--secret", "GITHUB_TOKEN=" + TOKEN]
        runs = [0]

        def run(cwd, *args):
            runs[0] += 1
            return subprocess.run([RUNNEL, "run", *args, *flags, "--run-dir",
                                   os.path.join(tmp, f"run-{runs[0]}")], cwd=cwd, env=env,
                                  capture_output=True, text=True, timeout=600)

        def tags():
            out = subprocess.run(["git", "--git-dir", origin, "tag", "-l"], capture_output=True,
                                 text=True).stdout.split()
            return set(out)

        def results_tip():
            r = subprocess.run(["git", "--git-dir", origin, "rev-parse", "-q", "--verify",
                                "refs/heads/results"], capture_output=True, text=True)
            return r.stdout.strip()

        # 1. CI on main.
        out = run(project, "push", "-W", ".github/workflows/ci.yml")
        check("CI on main succeeds", out.returncode == 0, out.stdout[-3000:] + out.stderr[-1000:])
        check("CI on main published its version tagged model-<sha>", f"model-{m1}" in tags(),
              str(tags()))
        tip_after_main = results_tip()
        acc_main = sklearn_accuracy(project, tmp, "main")

        # 2. A pull request with a worse model.
        git("checkout", "-q", "-b", "worse", cwd=project)
        path = os.path.join(project, "train.py")
        text = open(path).read()
        open(path, "w").write(text.replace("RandomForestClassifier(n_estimators=10,",
                                           "RandomForestClassifier(n_estimators=1, max_depth=1,"))
        git("commit", "-q", "-am", "a worse model", cwd=project)
        w1 = git("rev-parse", "HEAD", cwd=project).strip()
        acc_worse = sklearn_accuracy(project, tmp, "worse")
        check("the pull request's model is really worse (per scikit-learn)",
              acc_worse < acc_main, f"{acc_worse} vs {acc_main}")
        out = run(project, "pull_request", "--base", "main", "-W", ".github/workflows/ci.yml")
        check("CI on the pull request succeeds", out.returncode == 0,
              out.stdout[-3000:] + out.stderr[-1000:])
        body = (gh.issue_comments.get(1) or [{}])[-1].get("body", "")
        check("CI reported the pull request's model on the pull request",
              f"{acc_worse:.4f}" in body, body[:400])
        check("CI published nothing for the pull request",
              results_tip() == tip_after_main and f"model-{w1}" not in tags(),
              f"{results_tip()} vs {tip_after_main}, {tags()}")

        # 2b. The same pull request from a fork's `main`: CD is triggered by name, then skipped.
        fork = os.path.join(tmp, "fork")
        git("clone", "-q", "--no-local", project, fork)
        git("checkout", "-q", "-B", "main", w1, cwd=fork)
        git("remote", "set-url", "origin", origin, cwd=fork)
        out = run(fork, "pull_request", "--base", "main", "--chain")
        check("a fork's main: CI runs, CD is triggered and skipped (event pull_request)",
              out.returncode == 0 and "workflow_run: 'CI' completed (success)" in out.stdout and
              "deploy" in out.stdout and space_git(hub, "rev-parse", "main") is None,
              out.stdout[-3000:])

        # 3. CD by hand on main: main's model.
        git("checkout", "-q", "main", cwd=project)
        out = run(project, "workflow_dispatch", "-W", ".github/workflows/cd.yml")
        check("CD on main succeeds", out.returncode == 0, out.stdout[-3000:] + out.stderr[-1000:])
        got = deployed_accuracy(hub)
        check("CD deployed main's model (scikit-learn's accuracy of main's predictions)",
              got is not None and abs(got - acc_main) < 5e-5 and abs(got - acc_worse) > 5e-5,
              f"deployed {got}, main {acc_main}, pull request {acc_worse}")
        space_tip = space_git(hub, "rev-parse", "main")
        check("the Space commit is tagged v-<sha>",
              space_git(hub, "rev-parse", f"v-{m1[:7]}^{{commit}}") == space_tip)
        # The model is binary, so the Hub keeps it in LFS: the pointer names its sha256.
        published = subprocess.run(["git", "--git-dir", origin, "cat-file", "blob",
                                    f"model-{m1}^{{commit}}:model/drug_pipeline.joblib"],
                                   capture_output=True).stdout
        pointer = space_git(hub, "show", "main:model/drug_pipeline.joblib") or ""
        check("the Space holds the model CI published for that commit",
              published and f"oid sha256:{hashlib.sha256(published).hexdigest()}" in pointer,
              pointer)

        # 4. The same CD again (a re-run): success, nothing new.
        out = run(project, "workflow_dispatch", "-W", ".github/workflows/cd.yml")
        check("CD re-run on the same commit succeeds and commits nothing",
              out.returncode == 0 and space_git(hub, "rev-parse", "main") == space_tip,
              out.stdout[-3000:] + out.stderr[-1000:])

        # 5. A new commit on main: CI, then CD through workflow_run.
        text = open(path).read()
        open(path, "w").write(text.replace("n_estimators=10,", "n_estimators=25,"))
        git("commit", "-q", "-am", "more trees", cwd=project)
        git("push", "-q", "origin", "main", cwd=project)
        m2 = git("rev-parse", "HEAD", cwd=project).strip()
        acc_m2 = sklearn_accuracy(project, tmp, "m2")
        out = run(project, "push", "--chain")
        got = deployed_accuracy(hub)
        check("CI then CD through workflow_run succeed", out.returncode == 0 and
              "workflow_run: 'CI' completed (success)" in out.stdout,
              out.stdout[-3000:] + out.stderr[-1000:])
        check("CD deployed the new commit's version", f"model-{m2}" in tags() and
              space_git(hub, "rev-parse", f"v-{m2[:7]}^{{commit}}") ==
              space_git(hub, "rev-parse", "main") and got is not None and
              abs(got - acc_m2) < 5e-5, f"deployed {got}, expected {acc_m2}")

        # 5b. A commit that leaves the model alone (docs only; training is seeded): CI publishes
        # nothing new but tags the unchanged version for this commit, and CD deploys it.
        results_before = results_tip()
        with open(os.path.join(project, "NOTES.md"), "w") as f:
            f.write("notes\n")
        git("add", "NOTES.md", cwd=project)
        git("commit", "-q", "-m", "docs only", cwd=project)
        git("push", "-q", "origin", "main", cwd=project)
        m3 = git("rev-parse", "HEAD", cwd=project).strip()
        out = run(project, "push", "--chain")
        check("a docs-only commit: CI then CD succeed", out.returncode == 0 and
              "workflow_run: 'CI' completed (success)" in out.stdout,
              out.stdout[-3000:] + out.stderr[-1000:])
        tagged = subprocess.run(["git", "--git-dir", origin, "rev-parse", "-q", "--verify",
                                 f"model-{m3}^{{commit}}"], capture_output=True, text=True)
        check("... its version is the unchanged one, tagged model-<sha>",
              results_tip() == results_before and tagged.stdout.strip() == results_before,
              f"{tagged.stdout.strip()} vs {results_before}")
        check("... and CD tagged the Space for it",
              space_git(hub, "rev-parse", f"v-{m3[:7]}^{{commit}}") is not None)

        # 6. CD on a commit CI never published: fails, the Space stays.
        space_tip = space_git(hub, "rev-parse", "main")
        git("commit", "-q", "--allow-empty", "-m", "untested", cwd=project)
        out = run(project, "workflow_dispatch", "-W", ".github/workflows/cd.yml")
        check("CD refuses a commit CI did not publish", out.returncode != 0 and
              space_git(hub, "rev-parse", "main") == space_tip, out.stdout[-2000:])
    finally:
        gh.stop()
        keep_if_failed(tmp)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
