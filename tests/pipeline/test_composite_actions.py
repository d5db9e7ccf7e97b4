"""
runnel's composite actions (actions/report, actions/publish, actions/space) used by a workflow
under `runnel run`, against the loopback GitHub (tests/github/fake_github.py), a bare repository
as origin, and the loopback Hub (tests/hub/hub_server.py). Checks what each service received.
Run by tests/e2e/pipeline_composite_actions.sh with Debian's python3.
"""
import json
import os
import re
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
          out: my report
          comment: update
          target: commit
          token: ${{ secrets.GITHUB_TOKEN }}
      - uses: ./actions/publish
        id: publish
        with:
          branch: results
          paths: |
            my report
          tag: model-{sha}
          token: ${{ secrets.GITHUB_TOKEN }}
      - uses: ./actions/space
        id: space
        with:
          repo-id: user/pipeline-space
          pairs: |
            app:.
            my report:metrics
          tag: v1
          endpoint: ${{ vars.HF_ENDPOINT }}
          token: ${{ secrets.HF_TOKEN }}
      - uses: ./actions/space
        id: local
        with:
          repo-id: user/sp
          pairs: |
            app:.
          tag: v1
          endpoint: ${{ vars.LOCAL_HUB }}
          token: unused
      - name: the actions' outputs
        env:
          ACCURACY: ${{ steps.report.outputs.accuracy }}
          METRICS: ${{ steps.report.outputs.metrics }}
          PUBLISH_COMMIT: ${{ steps.publish.outputs.commit }}
          PUBLISH_CHANGED: ${{ steps.publish.outputs.changed }}
          PUBLISH_TAG: ${{ steps.publish.outputs.tag }}
          SPACE_COMMIT: ${{ steps.space.outputs.commit }}
          SPACE_CHANGED: ${{ steps.space.outputs.changed }}
          SPACE_TAG: ${{ steps.space.outputs.tag }}
          LOCAL_COMMIT: ${{ steps.local.outputs.commit }}
        run: |
          echo "accuracy=$ACCURACY"
          test "$ACCURACY" = 0.75
          test -f "$METRICS"
          for v in PUBLISH_COMMIT PUBLISH_CHANGED PUBLISH_TAG SPACE_COMMIT SPACE_CHANGED SPACE_TAG LOCAL_COMMIT; do
            echo "output $v=${!v}"
          done
"""

CARD = """---
title: Pipeline test
sdk: gradio
sdk_version: 4.44.1
app_file: app.py
---
A test Space.
"""


IMAGE = re.compile(r"!\[[^\]]*\]\(\s*(<[^>]*>|[^)\s]*)")


def outputs(stdout):
    """The 'output NAME=VALUE' lines the workflow's last step prints."""
    return dict(m.groups() for m in re.finditer(r"output (\w+)=(.*)", stdout))


def main():
    tmp = tempfile.mkdtemp(prefix="runnel-pipeline-")
    gh = FakeGitHub(owner="octo", repo="demo", token=TOKEN).start()
    hub = None
    try:
        hub, hub_url = start_hub(tmp, HF_TOKEN)

        origin = os.path.join(tmp, "origin.git")
        git("init", "-q", "--bare", "-b", "main", origin)
        local_hub = os.path.join(tmp, "localhub")
        os.makedirs(local_hub)
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
        git("add", "-A", cwd=repo)
        git("commit", "-q", "-m", "init", cwd=repo)
        git("remote", "add", "origin", origin, cwd=repo)
        sha = git("rev-parse", "HEAD", cwd=repo).strip()

        env = step_env()

        def run(n):
            cmd = [RUNNEL, "run", "push", "--rw", origin, "--rw", local_hub,
                   "--run-dir", os.path.join(tmp, f"run-{n}"),
                   "--env", "GITHUB_API_URL=" + gh.base, "--env", "GITHUB_REPOSITORY=octo/demo",
                   "--secret", "GITHUB_TOKEN=" + TOKEN, "--secret", "HF_TOKEN=" + HF_TOKEN,
                   "--var", "HF_ENDPOINT=" + hub_url, "--var", "LOCAL_HUB=file://" + local_hub]
            return subprocess.run(cmd, cwd=repo, env=env, capture_output=True, text=True,
                                  timeout=600)

        out = run(1)
        check("the workflow with the three composite actions succeeds", out.returncode == 0,
              out.stdout[-3000:] + out.stderr[-2000:])
        check("no token reaches the output", TOKEN not in out.stdout + out.stderr and
              HF_TOKEN not in out.stdout)
        o1 = outputs(out.stdout)

        comments = gh.commit_comments.get(sha, [])
        check("report: one commit comment on the pushed commit", len(comments) == 1,
              json.dumps(gh.commit_comments)[:500])
        body = comments[0]["body"] if comments else ""
        check("report: the comment holds the report's accuracy", "0.7500" in body, body[:300])
        # CommonMark: a bare link destination ends at a space, so a space must be %20 (RFC 3986)
        # or the destination written as <...>.
        dests = IMAGE.findall(body)
        check("report: out with a space gives an image link that holds together",
              dests and all(d.startswith("<") or " " not in d for d in dests) and
              any("my%20report/confusion_matrix.png" in d for d in dests), str(dests))

        tip = git("--git-dir", origin, "rev-parse", "results").strip()
        log = subprocess.run(["git", "--git-dir", origin, "log", "--format=%s%n%b", "results"],
                             capture_output=True, text=True)
        check("publish: the results branch reached origin", log.returncode == 0, log.stderr)
        check("publish: the version carries the metrics", "accuracy=0.7500" in log.stdout,
              log.stdout[:500])
        files = subprocess.run(["git", "--git-dir", origin, "ls-tree", "-r", "--name-only",
                                "results"], capture_output=True, text=True).stdout.splitlines()
        check("publish: report files on the branch", "my report/metrics.json" in files, str(files))
        fsck = subprocess.run(["git", "--git-dir", origin, "fsck"], capture_output=True)
        check("publish: git fsck passes on origin", fsck.returncode == 0)
        check("publish: outputs commit (the new tip), changed, tag",
              (o1.get("PUBLISH_COMMIT"), o1.get("PUBLISH_CHANGED"), o1.get("PUBLISH_TAG")) ==
              (tip, "true", "model-" + sha[:7]), str(o1))

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
        space_tip = space.get("branches", {}).get("main")
        check("space: outputs commit (the Space's new commit), changed, tag",
              (o1.get("SPACE_COMMIT"), o1.get("SPACE_CHANGED"), o1.get("SPACE_TAG")) ==
              (space_tip, "true", "v1") and space.get("tags", {}).get("v1") == space_tip, str(o1))
        local_git = os.path.join(local_hub, "spaces", "user", "sp.git")
        local_tip = git("--git-dir", local_git, "rev-parse", "main").strip()
        check("space with a file:// endpoint: the commit output is the commit's sha",
              o1.get("LOCAL_COMMIT") == local_tip and re.fullmatch("[0-9a-f]{40}", local_tip),
              f"{o1.get('LOCAL_COMMIT')!r} vs {local_tip}")

        # A re-run of the same run (GitHub keeps the commit and run_number): the same tags come
        # again onto unchanged content. Nothing is committed, and every step succeeds.
        out = run(2)
        check("re-run: the workflow succeeds again", out.returncode == 0,
              out.stdout[-3000:] + out.stderr[-2000:])
        o2 = outputs(out.stdout)
        state = json.load(urllib.request.urlopen(hub_url + "/_test/state"))
        space = state["repos"].get("spaces/user/pipeline-space", {})
        check("re-run: no new version on results, publish says unchanged",
              git("--git-dir", origin, "rev-parse", "results").strip() == tip and
              (o2.get("PUBLISH_COMMIT"), o2.get("PUBLISH_CHANGED")) == (tip, "false"), str(o2))
        check("re-run: no new Space commit, the tag where it was",
              space.get("commits") == 2 and space.get("tags", {}).get("v1") == space_tip and
              (o2.get("SPACE_COMMIT"), o2.get("SPACE_CHANGED"), o2.get("SPACE_TAG")) ==
              (space_tip, "false", "v1"), str(o2) + json.dumps(space)[:300])
        check("re-run: the file:// Space unchanged too",
              git("--git-dir", local_git, "rev-parse", "main").strip() == local_tip and
              o2.get("LOCAL_COMMIT") == local_tip, str(o2))
        check("re-run: the report comment is updated in place, not posted again",
              len(gh.commit_comments.get(sha, [])) == 1)
    finally:
        gh.stop()
        if hub:
            hub.terminate()
            hub.wait(timeout=10)
        keep_if_failed(tmp)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
