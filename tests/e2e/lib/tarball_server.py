#!/usr/bin/python3
"""A loopback server for GitHub's tarball endpoint, for the actions tests.

GET /repos/{owner}/{repo}/tarball/{ref} answers 302 to /codeload/{owner}/{repo}/legacy.tar.gz/{ref}
(as api.github.com redirects to codeload.github.com), which serves ROOT/{owner}/{repo}/{ref}.tar.gz
with the filename GitHub gives; anything missing is a 404 with GitHub's JSON body. Every request is
logged to ROOT/requests.log with its Authorization header reduced to present/absent.

usage: tarball_server.py ROOT PORTFILE   (binds 127.0.0.1 on an ephemeral port; exits after 300 s)
"""
import http.server
import json
import os
import sys
import time
import urllib.parse

ROOT, PORTFILE = sys.argv[1], sys.argv[2]
DEADLINE = time.time() + 300


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, fmt, *args):
        pass

    def _log(self):
        with open(os.path.join(ROOT, "requests.log"), "a") as f:
            auth = "auth" if self.headers.get("Authorization") else "noauth"
            f.write(f"{self.path} {auth}\n")

    def _404(self):
        body = json.dumps({"message": "Not Found",
                           "documentation_url": "https://docs.github.com/rest"}).encode()
        self.send_response(404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self._log()
        parts = [urllib.parse.unquote(p) for p in self.path.split("?")[0].split("/")[1:]]
        if len(parts) == 5 and parts[0] == "repos" and parts[3] == "tarball":
            owner, repo, ref = parts[1], parts[2], parts[4]
            self.send_response(302)
            self.send_header("Location", "/codeload/%s/%s/legacy.tar.gz/%s" % (
                owner, repo, urllib.parse.quote(ref, safe="")))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if len(parts) == 5 and parts[0] == "codeload" and parts[3] == "legacy.tar.gz":
            owner, repo, ref = parts[1], parts[2], parts[4]
            # GitHub compares owner and repository names ignoring case
            path = os.path.join(ROOT, owner.lower(), repo.lower(), ref.replace("/", "%2F") + ".tar.gz")
            if not os.path.isfile(path):
                return self._404()
            with open(path, "rb") as f:
                data = f.read()
            self.send_response(200)
            self.send_header("Content-Type", "application/x-gzip")
            self.send_header("Content-Disposition",
                             "attachment; filename=%s-%s-abc1234.tar.gz" % (owner, repo))
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        self._404()


srv = http.server.HTTPServer(("127.0.0.1", 0), Handler)
srv.timeout = 0.5
with open(PORTFILE + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(PORTFILE + ".tmp", PORTFILE)
while time.time() < DEADLINE:
    srv.handle_request()
