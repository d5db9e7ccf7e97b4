"""
actions/setup (and the root action.yml) and their install.sh, on a small stand-in source tree
(a CMakeLists.txt that asks pkg-config for the libraries runnel's asks for, and a runner/ that
builds a `runnel` printing its version), so each case takes a second instead of a full build:

  - install.sh installs every missing library, not only when yaml.h is missing (ubuntu-24.04
    has libyaml-dev preinstalled, the other -dev packages not: the runner-images toolset), and
    cmake's message naming a library still missing is shown;
  - the cached binary is used only when it runs here; a broken one is rebuilt;
  - under `runnel run`, the action from one source path and then from another (another ref of
    the action: GitHub checks each ref out in its own folder) with the same content: the second
    run takes the cached binary instead of failing on a CMake build tree made for the first path;
  - the root action has the `version` output actions/setup has.
pkg-config and apt-get are stand-ins on PATH that record what they were asked.
Run by tests/e2e/pipeline_setup_action.sh.
"""
import os
import shutil
import stat
import subprocess
import sys
import tempfile

SRC = os.environ["RUNNEL_SOURCE_DIR"]
RUNNEL = os.environ["RUNNEL_BIN"]
sys.path.insert(0, os.path.join(SRC, "tests", "pipeline"))
from lib import check, git, keep_if_failed, step_env, summary  # noqa: E402

# The modules runnel's CMakeLists.txt requires (pkg_check_modules ... REQUIRED).
REQUIRED = ["yaml-0.1", "libcurl", "libcjson", "libgit2", "libarchive"]
# Their Ubuntu packages (runner-images install libyaml-dev only).
PACKAGE = {"yaml-0.1": "libyaml-dev", "libcurl": "libcurl4-openssl-dev",
           "libcjson": "libcjson-dev", "libgit2": "libgit2-dev", "libarchive": "libarchive-dev"}

PKG_CONFIG_STUB = """#!/bin/sh
# Answers as if the modules listed in $STUBS/missing were not installed.
for a in "$@"; do
  if grep -qxF -- "$a" "$STUBS/missing" 2>/dev/null; then
    echo "Package $a was not found in the pkg-config search path." >&2
    exit 1
  fi
done
exec /usr/bin/pkg-config "$@"
"""
# apt-get records its arguments; `install` "installs" a package (its module is no longer missing)
# unless $STUBS/broken-apt exists.
APT_STUB = """#!/bin/sh
echo "$*" >> "$STUBS/apt.log"
[ "$1" = install ] || exit 0
[ -e "$STUBS/broken-apt" ] && exit 0
for a in "$@"; do
  case "$a" in
%s
  esac
done
exit 0
"""
SUDO_STUB = '#!/bin/sh\nexec "$@"\n'


def write(path, text, mode=0o644):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)


def fake_source(root, version="0.0-fake"):
    """A source tree shaped like runnel's, with the action files copied from the checkout."""
    os.makedirs(root)
    shutil.copytree(os.path.join(SRC, "actions"), os.path.join(root, "actions"))
    shutil.copy(os.path.join(SRC, "action.yml"), os.path.join(root, "action.yml"))
    write(os.path.join(root, "CMakeLists.txt"),
          "cmake_minimum_required(VERSION 3.16)\nproject(fake_runnel C)\n"
          "option(RUNNEL_TESTS \"tests\" ON)\nfind_package(PkgConfig REQUIRED)\n" +
          "".join(f"pkg_check_modules(M{i} REQUIRED {m})\n" for i, m in enumerate(REQUIRED)) +
          "add_subdirectory(runner)\n")
    write(os.path.join(root, "runner", "CMakeLists.txt"), "add_executable(runnel main.c)\n")
    write(os.path.join(root, "runner", "main.c"),
          '#include <stdio.h>\nint main(void) { puts("runnel %s"); return 0; }\n' % version)
    write(os.path.join(root, "src", "util", "x.c"), "int x;\n")


def stubs(tmp, missing):
    d = os.path.join(tmp, "stubs")
    os.makedirs(d, exist_ok=True)
    cases = "".join(f"    {PACKAGE[m]}) sed -i '/^{m}$/d' \"$STUBS/missing\" ;;\n" for m in REQUIRED)
    write(os.path.join(d, "pkg-config"), PKG_CONFIG_STUB, 0o755)
    write(os.path.join(d, "apt-get"), APT_STUB % cases, 0o755)
    write(os.path.join(d, "sudo"), SUDO_STUB, 0o755)
    write(os.path.join(d, "missing"), "".join(m + "\n" for m in missing))
    for f in ("apt.log", "broken-apt"):
        if os.path.exists(os.path.join(d, f)):
            os.remove(os.path.join(d, f))
    return d


def run_install(tmp, src, extra_env=None):
    env = step_env()
    d = os.path.join(tmp, "stubs")
    env.update({"STUBS": d, "PATH": d + ":" + env["PATH"], "SRC": src,
                "BUILD": os.path.join(tmp, "build"), "DEST": os.path.join(tmp, "bin")})
    env.pop("GITHUB_OUTPUT", None)
    env.pop("GITHUB_PATH", None)
    env.update(extra_env or {})
    return subprocess.run(["bash", os.path.join(src, "actions", "setup", "install.sh")], env=env,
                          capture_output=True, text=True, timeout=300)


def read(path):
    return open(path).read() if os.path.exists(path) else ""


def install_cases(tmp):
    src = os.path.join(tmp, "src")
    fake_source(src)

    # libyaml-dev present, as on ubuntu-24.04; cjson and libgit2 missing.
    d = stubs(tmp, ["libcjson", "libgit2"])
    out = run_install(tmp, src)
    log = read(os.path.join(d, "apt.log"))
    check("install.sh: the build succeeds once the missing libraries are installed",
          out.returncode == 0, out.stdout[-1500:] + out.stderr[-1500:])
    check("install.sh: apt-get installs libcjson-dev and libgit2-dev (libyaml-dev is there)",
          "libcjson-dev" in log and "libgit2-dev" in log, log)
    check("install.sh: present libraries are not reinstalled",
          "libyaml-dev" not in log and "libcurl4-openssl-dev" not in log, log)
    check("install.sh: the binary is installed with its aliases",
          os.path.islink(os.path.join(tmp, "bin", "cml")) and
          "runnel 0.0-fake" in out.stdout, out.stdout[-500:])

    # Nothing missing: apt-get is not called at all.
    d = stubs(tmp, [])
    out = run_install(tmp, src)
    check("install.sh: nothing missing, no apt-get", out.returncode == 0 and
          not read(os.path.join(d, "apt.log")), read(os.path.join(d, "apt.log")))

    # A library that apt-get could not bring: cmake's own message names it.
    d = stubs(tmp, ["libcjson"])
    open(os.path.join(d, "broken-apt"), "w").close()
    out = run_install(tmp, src)
    text = out.stdout + out.stderr
    check("install.sh: a library still missing fails the setup", out.returncode != 0)
    check("install.sh: cmake's output naming the missing library is shown",
          "libcjson" in text and "not found" in text.lower(), text[-1500:])

    # The cache: a binary built from the same key that runs is used; one that does not run
    # (a shared library gone) is rebuilt.
    stubs(tmp, [])
    cache = os.path.join(tmp, "cache")
    os.makedirs(cache, exist_ok=True)
    write(os.path.join(cache, "runnel"), "#!/bin/sh\necho 'runnel 9.9-cached'\n", 0o755)
    write(os.path.join(cache, "key"), "k1\n")
    out = run_install(tmp, src, {"CACHE": cache, "KEY": "k1"})
    check("install.sh: the cached binary of the same key is used",
          out.returncode == 0 and "runnel 9.9-cached" in out.stdout and
          "Build files have been written" not in out.stdout, out.stdout[-800:])
    out = run_install(tmp, src, {"CACHE": cache, "KEY": "k2"})
    check("install.sh: a cached binary of another key is not used",
          out.returncode == 0 and "runnel 0.0-fake" in out.stdout, out.stdout[-800:])
    check("install.sh: the new build is kept in the cache with its key",
          read(os.path.join(cache, "key")).strip() == "k2")
    write(os.path.join(cache, "runnel"),
          "#!/bin/sh\necho 'runnel: error while loading shared libraries' >&2\nexit 127\n", 0o755)
    out = run_install(tmp, src, {"CACHE": cache, "KEY": "k2"})
    check("install.sh: a cached binary that does not run here is rebuilt",
          out.returncode == 0 and "runnel 0.0-fake" in out.stdout, out.stdout[-800:])

    # The key: the same content at another path gives the same key; other content another one.
    keys = []
    for root in (src, os.path.join(tmp, "src-copy")):
        if root != src:
            shutil.copytree(src, root)
        env = dict(os.environ, SRC=root, RUNNER_OS_NAME="Linux", RUNNER_ARCH_NAME="X64")
        env.pop("GITHUB_OUTPUT", None)
        keys.append(subprocess.run(["bash", os.path.join(root, "actions/setup/install.sh"), "key"],
                                   env=env, capture_output=True, text=True).stdout.strip())
    with open(os.path.join(tmp, "src-copy", "src", "util", "x.c"), "a") as f:
        f.write("int y;\n")
    env["SRC"] = os.path.join(tmp, "src-copy")
    keys.append(subprocess.run(["bash", os.path.join(tmp, "src-copy/actions/setup/install.sh"),
                                "key"], env=env, capture_output=True, text=True).stdout.strip())
    check("key: independent of the source's path", keys[0] == keys[1] and
          keys[0].startswith("key=runnel-Linux-X64-"), str(keys))
    check("key: changes with the source's content", keys[1] != keys[2], str(keys))


WORKFLOW = """
on: push
jobs:
  setup:
    runs-on: ubuntu-latest
    steps:
      - uses: %s
        id: setup
      - run: runnel --version
      - name: outputs
        env:
          VERSION: ${{ steps.setup.outputs.version }}
          BIN: ${{ steps.setup.outputs.runnel }}
        run: |
          echo "version output: $VERSION"
          test "$VERSION" = "runnel 0.0-fake"
          test -x "$BIN"
"""


def run_cases(tmp):
    """The action under runnel run, from two checkouts of the same content."""
    repo = os.path.join(tmp, "repo")
    os.makedirs(os.path.join(repo, ".github", "workflows"))
    wf = os.path.join(repo, ".github", "workflows", "setup.yml")
    git("init", "-q", "-b", "main", cwd=repo)
    env = step_env()
    env["XDG_CACHE_HOME"] = os.path.join(tmp, "xdg")  # runnel's actions/cache store
    run_dir = os.path.join(tmp, "run")
    outs = []
    for ref, uses in (("v1", "octo/runnel/actions/setup@v1"), ("v2", "octo/runnel/actions/setup@v2"),
                      ("v3", "octo/runnel@v3")):
        src = os.path.join(tmp, "action-" + ref)
        fake_source(src)
        write(wf, WORKFLOW % uses)
        git("add", "-A", cwd=repo)
        git("commit", "-q", "-m", ref, cwd=repo)
        # The same run directory each time, so RUNNER_TEMP (where the build goes) is the same
        # path, as on GitHub's runners.
        shutil.rmtree(run_dir, ignore_errors=True)
        out = subprocess.run([RUNNEL, "run", "push", "--offline", "--run-dir", run_dir,
                              "--action-path", f"octo/runnel@{ref}={src}"],
                             cwd=repo, env=env, capture_output=True, text=True, timeout=600)
        outs.append(out)
    first, second, root = outs
    check("setup@v1: builds and runs", first.returncode == 0 and
          "Build files have been written" in first.stdout, first.stdout[-2500:])
    check("setup@v2 (same source, another path): succeeds", second.returncode == 0,
          second.stdout[-2500:])
    check("setup@v2: takes the cached binary instead of building",
          "restored from the cache" in second.stdout and
          "Build files have been written" not in second.stdout, second.stdout[-2500:])
    check("root action: runs, with the version output setup has", root.returncode == 0 and
          "version output: runnel 0.0-fake" in root.stdout, root.stdout[-2500:])


def main():
    tmp = tempfile.mkdtemp(prefix="runnel-setup-")
    try:
        install_cases(tmp)
        run_cases(tmp)
    finally:
        keep_if_failed(tmp)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
