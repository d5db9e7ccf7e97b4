#!/usr/bin/python3
"""Makes action tarballs shaped like GitHub's (one top directory owner-repo-<sha>/), and unsafe ones.

usage: make_tarball.py KIND OUT.tar.gz TOP
  good      action.yml, sub/action.yml, script.sh (0755), a symlink inside, a hard link inside,
            .github/workflows/reuse.yml
  dotdot    a member TOP/../../escaped.txt
  absolute  a member /tmp/runnel-absolute-<pid>.txt
  symlink   a symlink TOP/evil -> ../../../../etc
  hardlink  a hard link TOP/evil to /etc/passwd
"""
import io
import sys
import tarfile

kind, out, top = sys.argv[1], sys.argv[2], sys.argv[3]


def add_file(t, name, data, mode=0o644):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = mode
    t.addfile(info, io.BytesIO(data))


def add_dir(t, name):
    info = tarfile.TarInfo(name)
    info.type = tarfile.DIRTYPE
    info.mode = 0o755
    t.addfile(info)


def add_link(t, name, target, kind=tarfile.SYMTYPE):
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = target
    t.addfile(info)


with tarfile.open(out, "w:gz", format=tarfile.PAX_FORMAT) as t:
    add_dir(t, top + "/")
    add_file(t, top + "/action.yml", b"name: root\nruns:\n  using: composite\n  steps: []\n")
    if kind == "good":
        add_dir(t, top + "/sub")
        add_file(t, top + "/sub/action.yml", b"name: sub\nruns:\n  using: node20\n  main: x.js\n")
        add_file(t, top + "/script.sh", b"#!/bin/sh\necho hi\n", 0o755)
        add_link(t, top + "/sub/link.yml", "../action.yml")
        add_link(t, top + "/hard.yml", top + "/action.yml", tarfile.LNKTYPE)
        add_file(t, top + "/.github/workflows/reuse.yml",
                 b"on: workflow_call\njobs:\n  r:\n    runs-on: ubuntu-latest\n"
                 b"    steps:\n      - run: echo reused\n")
    elif kind == "dotdot":
        add_file(t, top + "/../../escaped.txt", b"escaped\n")
    elif kind == "absolute":
        add_file(t, "/tmp/runnel-absolute-test.txt", b"absolute\n")
    elif kind == "symlink":
        add_link(t, top + "/evil", "../../../../etc")
    elif kind == "hardlink":
        add_link(t, top + "/evil", "/etc/passwd", tarfile.LNKTYPE)
    else:
        sys.exit("unknown kind " + kind)
