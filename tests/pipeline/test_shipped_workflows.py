"""
What runnel ships for users to copy (action.yml, actions/*/action.yml, workflows/**, and the
YAML examples in README.md and docs/) follows GitHub's "Security hardening for GitHub Actions"
advice on script injections: no `${{ }}` expression inside a `run:` script (values reach the
script through `env:`). The hello workflow is run with a dispatch input that would be shell
code if spliced into a script; and workflows/README.md names every ready-made workflow folder.
Run by tests/e2e/pipeline_shipped_workflows.sh (python3-yaml reads the YAML).
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

SRC = os.environ["RUNNEL_SOURCE_DIR"]
RUNNEL = os.environ["RUNNEL_BIN"]
sys.path.insert(0, os.path.join(SRC, "tests", "pipeline"))
from lib import check, git, keep_if_failed, step_env, summary  # noqa: E402


def shipped_yaml():
    """(file, YAML text) for every action, ready-made workflow and documentation example."""
    out = [("action.yml", open(os.path.join(SRC, "action.yml")).read())]
    for top in ("actions", "workflows", "docs"):
        for root, _, files in os.walk(os.path.join(SRC, top)):
            for f in sorted(files):
                path = os.path.join(root, f)
                rel = os.path.relpath(path, SRC)
                if f.endswith((".yml", ".yaml")):
                    out.append((rel, open(path).read()))
                elif f.endswith(".md"):
                    for m in re.finditer(r"```ya?ml\n(.*?)```", open(path).read(), re.S):
                        out.append((rel, m.group(1)))
    for m in re.finditer(r"```ya?ml\n(.*?)```", open(os.path.join(SRC, "README.md")).read(),
                         re.S):
        out.append(("README.md", m.group(1)))
    return out


def runs_with_expressions(node, where, found):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "run" and isinstance(v, str) and "${{" in v:
                found.append(where)
            runs_with_expressions(v, f"{where}.{k}", found)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            runs_with_expressions(v, f"{where}[{i}]", found)


def lint():
    found, parsed = [], 0
    for name, text in shipped_yaml():
        try:
            docs = list(yaml.safe_load_all(text))
        except yaml.YAMLError:
            continue  # a fragment (a few steps) that is no YAML document on its own
        parsed += 1
        for d in docs:
            runs_with_expressions(d, name, found)
    check("the shipped YAML was read", parsed >= 8, str(parsed))
    check("no ${{ }} inside a run: script of the shipped actions, workflows and examples",
          not found, "\n  ".join(found))


def hello_injection(tmp):
    repo = os.path.join(tmp, "hello")
    shutil.copytree(os.path.join(SRC, "workflows", "hello"), repo)
    git("init", "-q", "-b", "main", cwd=repo)
    git("add", "-A", cwd=repo)
    git("commit", "-q", "-m", "hello", cwd=repo)
    payload = 'x"; echo INJECTED-$((6*7)); echo "'
    out = subprocess.run([RUNNEL, "run", "workflow_dispatch", "--input", "greeting=" + payload,
                          "--run-dir", os.path.join(tmp, "run")], cwd=repo, env=step_env(),
                         capture_output=True, text=True, timeout=300)
    check("hello: the dispatch with a hostile greeting runs", out.returncode == 0,
          out.stdout[-2000:] + out.stderr[-1000:])
    check("hello: the greeting is never run as shell code", "INJECTED-42" not in out.stdout,
          "\n".join(l for l in out.stdout.splitlines() if "INJECTED" in l))
    check("hello: the check job saw the message", "hello / check" in out.stdout and
          re.search(r"hello / check\s+success", out.stdout), out.stdout[-800:])


def readme_lists_every_workflow():
    text = open(os.path.join(SRC, "workflows", "README.md")).read()
    folders = sorted(d for d in os.listdir(os.path.join(SRC, "workflows"))
                     if os.path.isdir(os.path.join(SRC, "workflows", d)))
    missing = [d for d in folders if f"`{d}/`" not in text]
    check("workflows/README.md names every workflow folder", folders and not missing,
          str(missing))


def main():
    tmp = tempfile.mkdtemp(prefix="runnel-shipped-")
    try:
        lint()
        hello_injection(tmp)
        readme_lists_every_workflow()
    finally:
        keep_if_failed(tmp)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
