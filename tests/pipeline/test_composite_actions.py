"""
runnel's composite actions (actions/report, actions/publish, actions/space) used by a workflow
under `runnel run`, against the loopback GitHub (tests/github/fake_github.py), a bare repository
as origin, and the loopback Hub (tests/hub/hub_server.py). Checks what each service received.
Run by tests/e2e/pipeline_composite_actions.sh with Debian's python3.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

SRC = os.environ["RUNNEL_SOURCE_DIR"]
RUNNEL = os.environ["RUNNEL_BIN"]
sys.path.insert(0, os.path.join(SRC, "tests", "github"))
from fake_github import FakeGitHub  # noqa: E402

TOKEN = "ghs_test_token_0123456789"
HF_TOKEN = "hf_good"
passed = failed = 0


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print("ok  ", name)
    else:
        failed += 1
        print("FAIL", name, detail)


def git(*args, cwd=None):
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                          text=True).stdout


WORKFLOW = """
name: pipeline
on: push
jobs:
  ml:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: ./actions/report
        id: report
        with:
          predictions: predictions.csv
          title: Pipeline test
          out: report
          comment: update
          target: commit
          token: ${{ secrets.GITHUB_TOKEN }}
      - uses: ./actions/publish
        id: publish
        with:
          branch: results
          paths: |
            report
          token: ${{ secrets.GITHUB_TOKEN }}
      - uses: ./actions/space
        id: space
        with:
          repo-id: user/pipeline-space
          pairs: |
            app:.
            report:metrics
          endpoint: ${{ vars.HF_ENDPOINT }}
          token: ${{ secrets.HF_TOKEN }}
      - name: the actions' outputs
        run: |
          echo "accuracy=${{ steps.report.outputs.accuracy }}"
          test "${{ steps.report.outputs.accuracy }}" = 0.75
          test -n "${{ steps.publish.outputs.commit }}"
          test -n "${{ steps.space.outputs.commit }}"
"""

CARD = """---
title: Pipeline test
sdk: gradio
sdk_version: 4.44.1
app_file: app.py
---
A test Space.
"""


def main():
    tmp = tempfile.mkdtemp(prefix="runnel-pipeline-")
    gh = FakeGitHub(owner="octo", repo="demo", token=TOKEN).start()
    hub = None
    try:
        port_file = os.path.join(tmp, "hub-port")
        hub = subprocess.Popen(["/usr/bin/python3", os.path.join(SRC, "tests/hub/hub_server.py"),
                                "--data", os.path.join(tmp, "hub"), "--port-file", port_file,
                                "--token", HF_TOKEN, "--user", "user", "--max-seconds", "600"])
        for _ in range(200):
            if os.path.exists(port_file) and open(port_file).read().strip():
                break
            time.sleep(0.05)
        hub_url = "http://127.0.0.1:" + open(port_file).read().strip()

        origin = os.path.join(tmp, "origin.git")
        git("init", "-q", "--bare", "-b", "main", origin)
        repo = os.path.join(tmp, "repo")
        os.makedirs(os.path.join(repo, ".github", "workflows"))
        shutil.copytree(os.path.join(SRC, "actions"), os.path.join(repo, "actions"))
        with open(os.path.join(repo, ".github", "workflows", "pipeline.yml"), "w") as f:
            f.write(WORKFLOW)
        # 8 predictions, 6 right: accuracy 0.75 (by definition: correct / total).
        rows = [("a", "a"), ("a", "a"), ("b", "b"), ("b", "a"), ("c", "c"), ("c", "c"),
                ("a", "c"), ("b", "b")]
        with open(os.path.join(repo, "predictions.csv"), "w") as f:
            f.write("y_true,y_pred\n" + "".join(f"{t},{p}\n" for t, p in rows))
        os.makedirs(os.path.join(repo, "app"))
        with open(os.path.join(repo, "app", "README.md"), "w") as f:
            f.write(CARD)
        with open(os.path.join(repo, "app", "app.py"), "w") as f:
            f.write("print('hello')\n")
        git("init", "-q", "-b", "main", cwd=repo)
        git("-c", "user.name=t", "-c", "user.email=t@t", "add", "-A", cwd=repo)
        git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "init", cwd=repo)
        git("remote", "add", "origin", origin, cwd=repo)
        sha = git("rev-parse", "HEAD", cwd=repo).strip()

        env = dict(os.environ)
        env["PATH"] = "/usr/bin:/bin:" + env.get("PATH", "")
        cmd = [RUNNEL, "run", "push", "--rw", origin, "--run-dir", os.path.join(tmp, "run"),
               "--env", "GITHUB_API_URL=" + gh.base, "--env", "GITHUB_REPOSITORY=octo/demo",
               "--secret", "GITHUB_TOKEN=" + TOKEN, "--secret", "HF_TOKEN=" + HF_TOKEN,
               "--var", "HF_ENDPOINT=" + hub_url]
        out = subprocess.run(cmd, cwd=repo, env=env, capture_output=True, text=True, timeout=600)
        check("the workflow with the three composite actions succeeds", out.returncode == 0,
              out.stdout[-3000:] + out.stderr[-2000:])
        check("no token reaches the output", TOKEN not in out.stdout + out.stderr and
              HF_TOKEN not in out.stdout)

        comments = gh.commit_comments.get(sha, [])
        check("report: one commit comment on the pushed commit", len(comments) == 1,
              json.dumps(gh.commit_comments)[:500])
        body = comments[0]["body"] if comments else ""
        check("report: the comment holds the report's accuracy", "0.7500" in body, body[:300])

        log = subprocess.run(["git", "--git-dir", origin, "log", "--format=%s%n%b", "results"],
                             capture_output=True, text=True)
        check("publish: the results branch reached origin", log.returncode == 0, log.stderr)
        check("publish: the version carries the metrics", "accuracy=0.7500" in log.stdout,
              log.stdout[:500])
        files = subprocess.run(["git", "--git-dir", origin, "ls-tree", "-r", "--name-only",
                                "results"], capture_output=True, text=True).stdout.split()
        check("publish: report files on the branch", "report/metrics.json" in files, str(files))
        fsck = subprocess.run(["git", "--git-dir", origin, "fsck"], capture_output=True)
        check("publish: git fsck passes on origin", fsck.returncode == 0)

        state = json.load(urllib.request.urlopen(hub_url + "/_test/state"))
        text = json.dumps(state)
        space = state["repos"].get("spaces/user/pipeline-space", {})
        check("space: one commit after the Hub's initial one", space.get("commits") == 2,
              json.dumps(space)[:300])
        check("space: the Hub received a commit with the app and the metrics",
              "pipeline-space" in text and "metrics/metrics.json" in text and "app.py" in text,
              text[:800])
        check("space: the Hub saw no protocol violation",
              not state.get("errors"), json.dumps(state.get("errors"))[:500])
    finally:
        gh.stop()
        if hub:
            hub.terminate()
            hub.wait(timeout=10)
        if not failed:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print("kept", tmp)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
