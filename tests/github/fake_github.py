"""
A loopback server that answers like GitHub's REST API for the endpoints runnel's reports use,
and records every request. Started and stopped by the test that imports it (bounded: it serves
on 127.0.0.1, on an ephemeral port, until stop()).

Endpoints (shapes follow docs.github.com/rest, API version 2022-11-28):
  GET    /repos/{o}/{r}/commits/{sha}/pulls          pull requests associated with a commit
  GET    /repos/{o}/{r}/issues/{n}/comments          paginated: per_page (default 30, max 100),
                                                     page, Link: <...>; rel="next", rel="last"
  POST   /repos/{o}/{r}/issues/{n}/comments          201 + comment
  PATCH  /repos/{o}/{r}/issues/comments/{id}         200 + comment
  GET    /repos/{o}/{r}/commits/{sha}/comments       paginated as above
  POST   /repos/{o}/{r}/commits/{sha}/comments       201 + commit comment
  PATCH  /repos/{o}/{r}/comments/{id}                200 + commit comment
  POST   /repos/{o}/{r}/check-runs                   201 + check run
Errors as GitHub sends them: 401 without a token or with a wrong one, 404 for other repos and
paths, 422 without "body", and, on request of the test, 403 "Resource not accessible by
integration", 403 secondary rate limit with Retry-After, 403 primary rate limit with
X-RateLimit-Remaining: 0 and X-RateLimit-Reset, and 429 with Retry-After.
"""
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

DOCS = "https://docs.github.com/rest"


class FakeGitHub:
    def __init__(self, owner="octo", repo="demo", token="ghs_test_token_0123456789"):
        self.owner, self.repo, self.token = owner, repo, token
        self.lock = threading.Lock()
        self.requests = []          # every request, in order
        self.issue_comments = {}    # issue number -> [comment]
        self.commit_comments = {}   # sha -> [comment]
        self.pulls = {}             # sha -> [pull request]
        self.check_runs = []
        self.next_id = 1000
        self.faults = []            # [{"method", "path" (regex), "kind", "times"}]
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.port = self.server.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    # ---- lifecycle and test controls ----
    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def fault(self, method, path_re, kind, times=1):
        self.faults.append({"method": method, "path": path_re, "kind": kind, "times": times})

    def add_pull(self, sha, number, state="open"):
        pr = {"url": f"{self.base}/repos/{self.owner}/{self.repo}/pulls/{number}", "id": number,
              "number": number, "state": state, "title": f"PR {number}",
              "html_url": f"https://github.com/{self.owner}/{self.repo}/pull/{number}",
              "head": {"ref": f"feature-{number}", "sha": sha},
              "base": {"ref": "main", "sha": "0" * 40}}
        self.pulls.setdefault(sha, []).append(pr)

    def _new_id(self):
        self.next_id += 1
        return self.next_id

    def add_issue_comment(self, number, body, user="someone"):
        cid = self._new_id()
        c = {"id": cid, "node_id": f"IC_{cid}",
             "url": f"{self.base}/repos/{self.owner}/{self.repo}/issues/comments/{cid}",
             "html_url": f"https://github.com/{self.owner}/{self.repo}/pull/{number}#issuecomment-{cid}",
             "issue_url": f"{self.base}/repos/{self.owner}/{self.repo}/issues/{number}",
             "body": body, "user": {"login": user, "id": 1, "type": "User"},
             "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z",
             "author_association": "MEMBER"}
        self.issue_comments.setdefault(number, []).append(c)
        return c

    def add_commit_comment(self, sha, body, user="someone"):
        cid = self._new_id()
        c = {"id": cid, "node_id": f"CC_{cid}",
             "url": f"{self.base}/repos/{self.owner}/{self.repo}/comments/{cid}",
             "html_url": f"https://github.com/{self.owner}/{self.repo}/commit/{sha}#commitcomment-{cid}",
             "body": body, "commit_id": sha, "path": None, "position": None, "line": None,
             "user": {"login": user, "id": 1, "type": "User"},
             "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z",
             "author_association": "MEMBER"}
        self.commit_comments.setdefault(sha, []).append(c)
        return c

    # ---- the HTTP side ----
    def _handler(self):
        gh = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _send(self, status, obj, headers=None):
                data = b"" if obj is None else json.dumps(obj).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("X-GitHub-Media-Type", "github.v3; format=json")
                self.send_header("X-GitHub-Api-Version-Selected", "2022-11-28")
                if "X-RateLimit-Remaining" not in (headers or {}):
                    self.send_header("X-RateLimit-Limit", "5000")
                    self.send_header("X-RateLimit-Remaining", "4999")
                    self.send_header("X-RateLimit-Reset", str(int(time.time()) + 3600))
                    self.send_header("X-RateLimit-Used", "1")
                    self.send_header("X-RateLimit-Resource", "core")
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            def _error(self, status, message, headers=None, extra=None):
                body = {"message": message, "documentation_url": DOCS, "status": str(status)}
                body.update(extra or {})
                self._send(status, body, headers)

            def _handle(self, method):
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                # bounded read: these tests never send more than a few hundred KB
                raw = self.rfile.read(min(length, 8 << 20)) if length else b""
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    body = "<invalid json>"
                rec = {"method": method, "path": parts.path, "query": parse_qs(parts.query),
                       "headers": {k.lower(): v for k, v in self.headers.items()},
                       "body": body, "time": time.monotonic()}
                with gh.lock:
                    gh.requests.append(rec)
                    status, obj, headers = gh.route(method, parts.path, parse_qs(parts.query),
                                                    self.headers, body)
                if status >= 400:
                    self._error(status, obj.pop("message"), headers, obj)
                else:
                    self._send(status, obj, headers)

            def do_GET(self):
                self._handle("GET")

            def do_POST(self):
                self._handle("POST")

            def do_PATCH(self):
                self._handle("PATCH")

        return Handler

    def _page(self, items, path, query):
        per_page = min(int(query.get("per_page", ["30"])[0]), 100)
        page = max(int(query.get("page", ["1"])[0]), 1)
        last = max((len(items) + per_page - 1) // per_page, 1)
        chunk = items[(page - 1) * per_page: page * per_page]
        links = []
        url = lambda p: f'<{self.base}{path}?per_page={per_page}&page={p}>'
        if page < last:
            links.append(f'{url(page + 1)}; rel="next"')
            links.append(f'{url(last)}; rel="last"')
        if page > 1:
            links.append(f'{url(1)}; rel="first"')
            links.append(f'{url(page - 1)}; rel="prev"')
        return chunk, ({"Link": ", ".join(links)} if links else {})

    def route(self, method, path, query, headers, body):
        auth = headers.get("Authorization") or ""
        m = re.match(r"^(?:Bearer|token) (.+)$", auth)
        if not m:
            return 401, {"message": "Requires authentication"}, {}
        if m.group(1) != self.token:
            return 401, {"message": "Bad credentials"}, {}
        for f in self.faults:
            if f["times"] > 0 and f["method"] == method and re.search(f["path"], path):
                f["times"] -= 1
                if f["kind"] == "forbidden":
                    return 403, {"message": "Resource not accessible by integration"}, {}
                if f["kind"] == "secondary":
                    return 403, {"message": "You have exceeded a secondary rate limit. Please "
                                            "wait a few minutes before you try again."}, \
                        {"Retry-After": "1"}
                if f["kind"] == "primary":
                    # the hourly limit: no Retry-After, the reset time in epoch seconds
                    return 403, {"message": "API rate limit exceeded for installation ID 1."}, \
                        {"X-RateLimit-Limit": "5000", "X-RateLimit-Remaining": "0",
                         "X-RateLimit-Used": "5000", "X-RateLimit-Resource": "core",
                         "X-RateLimit-Reset": str(int(time.time()) + 2)}
                if f["kind"] == "429":
                    return 429, {"message": "API rate limit exceeded"}, {"Retry-After": "1"}
                if f["kind"] == "500":
                    return 500, {"message": "Server Error"}, {}
        prefix = f"/repos/{self.owner}/{self.repo}/"
        if not path.startswith(prefix):
            return 404, {"message": "Not Found"}, {}
        rest = path[len(prefix):]

        def need_body():
            if not isinstance(body, dict) or not isinstance(body.get("body"), str):
                return (422, {"message": "Invalid request.\n\n\"body\" wasn't supplied.",
                              "errors": [{"resource": "IssueComment", "code": "missing_field",
                                          "field": "body", "message": "body wasn't supplied"}]},
                        {})
            return None

        if m := re.fullmatch(r"commits/([0-9a-f]{4,40})/pulls", rest):
            if method == "GET":
                return 200, list(self.pulls.get(m.group(1), [])), {}
        if m := re.fullmatch(r"issues/(\d+)/comments", rest):
            n = int(m.group(1))
            if method == "GET":
                chunk, h = self._page(self.issue_comments.get(n, []), path, query)
                return 200, chunk, h
            if method == "POST":
                return need_body() or (201, self.add_issue_comment(n, body["body"], "runnel"),
                                       {"Location": "x"})
        if m := re.fullmatch(r"issues/comments/(\d+)", rest):
            if method == "PATCH":
                if err := need_body():
                    return err
                for cs in self.issue_comments.values():
                    for c in cs:
                        if c["id"] == int(m.group(1)):
                            c["body"] = body["body"]
                            c["updated_at"] = "2026-01-02T00:00:00Z"
                            return 200, c, {}
                return 404, {"message": "Not Found"}, {}
        if m := re.fullmatch(r"commits/([0-9a-f]{4,40})/comments", rest):
            sha = m.group(1)
            if method == "GET":
                chunk, h = self._page(self.commit_comments.get(sha, []), path, query)
                return 200, chunk, h
            if method == "POST":
                return need_body() or (201, self.add_commit_comment(sha, body["body"], "runnel"),
                                       {})
        if m := re.fullmatch(r"comments/(\d+)", rest):
            if method == "PATCH":
                if err := need_body():
                    return err
                for cs in self.commit_comments.values():
                    for c in cs:
                        if c["id"] == int(m.group(1)):
                            c["body"] = body["body"]
                            return 200, c, {}
                return 404, {"message": "Not Found"}, {}
        if rest == "check-runs" and method == "POST":
            if not isinstance(body, dict) or "name" not in body or "head_sha" not in body:
                return 422, {"message": "Invalid request.\n\n\"name\", \"head_sha\" weren't "
                                        "supplied."}, {}
            cid = self._new_id()
            run = dict(body)
            run.update({"id": cid, "node_id": f"CR_{cid}",
                        "url": f"{self.base}/repos/{self.owner}/{self.repo}/check-runs/{cid}",
                        "html_url": f"https://github.com/{self.owner}/{self.repo}/runs/{cid}",
                        "status": body.get("status", "queued"),
                        "conclusion": body.get("conclusion")})
            self.check_runs.append(run)
            return 201, run, {}
        return 404, {"message": "Not Found"}, {}
