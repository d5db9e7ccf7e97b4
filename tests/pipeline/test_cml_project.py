"""
An existing pipeline written for CML and huggingface-cli (tests/pipeline/cml-project: a Makefile
whose `eval` builds report.md with echo/cat and runs `cml comment create`, whose `deploy` runs
`huggingface-cli login` and three `huggingface-cli upload`s; a workflow starting with
actions/checkout and iterative/setup-cml) runs unchanged under `runnel run`, offline, against the
loopback GitHub and Hub servers. Run by tests/e2e/pipeline_cml_project.sh.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.request

SRC = os.environ["RUNNEL_SOURCE_DIR"]
RUNNEL = os.environ["RUNNEL_BIN"]
sys.path.insert(0, os.path.join(SRC, "tests", "github"))
sys.path.insert(0, os.path.join(SRC, "tests", "pipeline"))
from fake_github import FakeGitHub  # noqa: E402
from lib import check, git, keep_if_failed, start_hub, step_env, summary  # noqa: E402

TOKEN = "ghs_test_token_0123456789"
HF_TOKEN = "hf_good"
def main():
    tmp = tempfile.mkdtemp(prefix="runnel-cml-")
    gh = FakeGitHub(owner="octo", repo="demo", token=TOKEN).start()
    hub = None
    try:
        hub, hub_url = start_hub(tmp, HF_TOKEN)

        repo = os.path.join(tmp, "repo")
        shutil.copytree(os.path.join(SRC, "tests", "pipeline", "cml-project"), repo)
        git("init", "-q", "-b", "main", cwd=repo)
        git("add", "-A", cwd=repo)
        git("commit", "-q", "-m", "init", cwd=repo)
        sha = git("rev-parse", "HEAD", cwd=repo).strip()

        env = step_env()
        cmd = [RUNNEL, "run", "push", "--run-dir", os.path.join(tmp, "run"),
               "--env", "GITHUB_API_URL=" + gh.base, "--env", "GITHUB_REPOSITORY=octo/demo",
               "--env", "HF_ENDPOINT=" + hub_url,
               "--secret", "GITHUB_TOKEN=" + TOKEN, "--secret", "HF=" + HF_TOKEN]
        out = subprocess.run(cmd, cwd=repo, env=env, capture_output=True, text=True, timeout=600)
        check("the CML/huggingface-cli pipeline runs unchanged", out.returncode == 0,
              out.stdout[-4000:] + out.stderr[-2000:])
        check("iterative/setup-cml is served by runnel's built-in",
              "iterative/setup-cml@v2: built-in" in out.stdout)

        comments = gh.commit_comments.get(sha, [])
        body = comments[0]["body"] if comments else ""
        check("cml comment create posted one commit comment", len(comments) == 1,
              json.dumps(gh.commit_comments)[:400])
        check("the comment is the Makefile's report.md",
              body.startswith("## Model Metrics") and "Accuracy = " in body and
              "## Confusion Matrix Plot" in body, body[:400])
        check("the secrets never reach the log", TOKEN not in out.stdout and
              HF_TOKEN not in out.stdout)

        state = json.load(urllib.request.urlopen(hub_url + "/_test/state"))
        text = json.dumps(state)
        space = state["repos"].get("spaces/user/Drug-Classification", {})
        # The Hub's initial commit, then one commit per huggingface-cli upload of the recipe.
        check("three huggingface-cli uploads made three commits on the Space",
              space.get("commits") == 4, json.dumps(space)[:300])
        for path in ("drug_app.py", "Model/drug_pipeline.joblib", "Metrics/metrics.txt",
                     "Metrics/model_results.png"):
            check(f"the Space holds {path}", path in text)
        check("the Hub saw no protocol violation", not state.get("violations"),
              json.dumps(state.get("violations"))[:400])
    finally:
        gh.stop()
        if hub:
            hub.terminate()
            hub.wait(timeout=10)
        keep_if_failed(tmp)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
