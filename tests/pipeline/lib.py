"""Helpers shared by the pipeline tests: pass/fail counting, git, and the loopback Hub server
(tests/hub/hub_server.py) started on an ephemeral port and stopped by the caller."""
import os
import shutil
import subprocess
import time

SRC = os.environ["RUNNEL_SOURCE_DIR"]
RUNNEL = os.environ["RUNNEL_BIN"]
counts = {"passed": 0, "failed": 0}


def check(name, cond, detail=""):
    if cond:
        counts["passed"] += 1
        print("ok  ", name)
    else:
        counts["failed"] += 1
        print("FAIL", name, detail)


def git(*args, cwd=None):
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=cwd,
                          check=True, capture_output=True, text=True).stdout


def start_hub(tmp, token, user="user"):
    """Starts the loopback Hub; returns (process, base URL)."""
    port_file = os.path.join(tmp, "hub-port")
    proc = subprocess.Popen(["/usr/bin/python3", os.path.join(SRC, "tests/hub/hub_server.py"),
                             "--data", os.path.join(tmp, "hub"), "--port-file", port_file,
                             "--token", token, "--user", user, "--max-seconds", "600"])
    for _ in range(200):
        if os.path.exists(port_file) and open(port_file).read().strip():
            break
        time.sleep(0.05)
    return proc, "http://127.0.0.1:" + open(port_file).read().strip()


def step_env():
    """The environment for runnel: Debian's python3 (with scikit-learn) first on PATH."""
    env = dict(os.environ)
    env["PATH"] = "/usr/bin:/bin:" + env.get("PATH", "")
    return env


def keep_if_failed(tmp):
    """Removes the test's folder, or keeps it (and says where) when a check failed."""
    if not counts["failed"]:
        shutil.rmtree(tmp, ignore_errors=True)
    else:
        print("kept", tmp)


def summary():
    """Prints the counts; the exit status: 1 when a check failed."""
    print(f"{counts['passed']} passed, {counts['failed']} failed")
    return 1 if counts["failed"] else 0
