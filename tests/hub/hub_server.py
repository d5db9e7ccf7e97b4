#!/usr/bin/python3
"""A loopback Hugging Face Hub for the tests: the endpoints runnel and the official clients use
(../shared/reference/hf-hub-api.md), answering as the Hub does and validating what it receives.

Validation (a violation is answered 4xx AND recorded in /_test/state "errors"):
  - Authorization: Bearer <known token> on every API write (401 otherwise);
  - preupload: JSON {files: [{path, size, sample (base64 of at most 512 bytes)}]};
  - LFS batch: git-lfs+json Accept/Content-Type, operation "upload", oids 64-hex;
  - LFS PUT (basic) and multipart parts: sizes as announced; the object's sha256 equals its oid;
    multipart completion lists every part with the ETag the server gave;
  - commit: application/x-ndjson, first line a header with a summary, base64 content valid,
    lfsFile objects present (uploaded before the commit references them) with the same size,
    deletedFile paths existing, paths normalised; parentCommit != branch tip -> 412, as the Hub.

Test controls: GET /_test/state (JSON), POST /_test/fault (JSON, see FAULTS), POST /_test/reset.
Bounded: the server exits after --max-seconds (default 600) whatever happens.

usage: hub_server.py --data DIR --port-file F [--token T]... [--user U]
                     [--multipart-threshold BYTES] [--chunk-size BYTES] [--page-size N]
"""
import argparse
import base64
import binascii
import fnmatch
import hashlib
import json
import os
import re
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HEX64 = re.compile(r"^[0-9a-f]{64}$")
LFS_TYPE = "application/vnd.git-lfs+json"
INITIAL_GITATTRIBUTES = (
    "*.bin filter=lfs diff=lfs merge=lfs -text\n"
    "*.pkl filter=lfs diff=lfs merge=lfs -text\n"
    "*.safetensors filter=lfs diff=lfs merge=lfs -text\n"
    "*.skops filter=lfs diff=lfs merge=lfs -text\n"
)
SDKS = ("gradio", "streamlit", "docker", "static")

LOCK = threading.RLock()
STATE = {
    "repos": {},     # "spaces/u/n" -> {"branches": {name: sha}, "tags": {name: sha}, "lfs": set()}
    "commits": {},   # sha -> {"parent": sha|None, "files": {path: entry}, "summary": str}
    "uploads": {},   # upload id -> {"repo", "oid", "size", "chunk", "parts": {n: etag}, "hash"...}
    "errors": [],
    "counts": {},
    "part_puts": {},  # "oid:n" -> times received (successfully stored)
    "parts_in_flight": 0,      # part PUTs being received now
    "max_parts_in_flight": 0,  # the most at once since the last reset
}
FAULTS = {
    "fail_parts_once": [],   # part numbers answered 500 the first time they arrive
    "drop_parts_after": None,  # after this many stored parts, drop every part connection
    "rate_limit": None,      # {"match": "preupload", "count": 1, "retry_after": "1"}
    "lose_complete_answer": False,  # complete the next multipart upload, then drop the answer
    # another writer commits to the branch just before each of the next `count` commits is
    # handled: {"count": 1, "add": {path: text}, "delete": [path]}
    "race_commit": None,
}
FAILED_ONCE = set()
COUNTER = [0]


def count(name):
    with LOCK:
        STATE["counts"][name] = STATE["counts"].get(name, 0) + 1


def git_blob_sha1(data):
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def normalise_ok(path):
    if not isinstance(path, str) or not path or path.startswith("/") or path.startswith("./"):
        return False
    parts = path.split("/")
    return all(p not in ("", ".", "..", ".git", ".cache") for p in parts)


def lfs_by_attributes(attrs, path):
    result = False
    for line in attrs.splitlines():
        fields = line.split()
        if len(fields) < 2 or fields[0].startswith("#"):
            continue
        pat = fields[0]
        subject = path if "/" in pat else path.rsplit("/", 1)[-1]
        if fnmatch.fnmatchcase(subject, pat.lstrip("/")):
            result = "filter=lfs" in fields[1:]
    return result


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; with Nagle's algorithm on, the body then
    # waits for the client's delayed ACK (about 40 ms a response), which no real Hub adds.
    disable_nagle_algorithm = True
    server_version = "loopback-hub/1"

    def log_message(self, fmt, *args):  # quiet unless asked
        if os.environ.get("HUB_SERVER_VERBOSE"):
            sys.stderr.write("hub-server: " + fmt % args + "\n")

    # ---- plumbing -------------------------------------------------------------------------
    def body_chunks(self):
        """Yields the request body in pieces (Content-Length or chunked)."""
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            while True:
                line = self.rfile.readline(100)
                size = int(line.split(b";")[0].strip(), 16)
                if size == 0:
                    self.rfile.readline(100)
                    return
                left = size
                while left:
                    piece = self.rfile.read(min(left, 1 << 20))
                    if not piece:
                        return
                    left -= len(piece)
                    yield piece
                self.rfile.readline(100)
        left = int(self.headers.get("Content-Length") or 0)
        while left > 0:
            piece = self.rfile.read(min(left, 1 << 20))
            if not piece:
                return
            left -= len(piece)
            yield piece

    def body(self, limit=64 << 20):
        data = bytearray()
        for piece in self.body_chunks():
            data += piece
            if len(data) > limit:
                raise ValueError("body too large")
        return bytes(data)

    def reply(self, status, obj=None, headers=None, raw=None):
        data = raw if raw is not None else (b"" if obj is None else json.dumps(obj).encode())
        self.send_response(status)
        if raw is None:
            self.send_header("Content-Type", "application/json")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def fail(self, status, message, record=True):
        if record:
            with LOCK:
                STATE["errors"].append("%s %s: %s" % (self.command, self.path.split("?")[0], message))
        self.reply(status, {"error": message})

    def base(self):
        return "http://%s" % self.headers.get("Host")

    def authed(self):
        auth = self.headers.get("Authorization", "")
        return auth.startswith("Bearer ") and auth[7:] in self.server.tokens

    def rate_limited(self):
        rl = FAULTS.get("rate_limit")
        if rl and rl.get("count", 0) > 0 and rl.get("match", "") in self.path:
            rl["count"] -= 1
            count("rate_limited")
            self.reply(429, {"error": "Too many requests"}, {"Retry-After": str(rl.get("retry_after", "1"))})
            return True
        return False

    # ---- dispatch --------------------------------------------------------------------------
    def do_GET(self):
        self.dispatch()

    def do_POST(self):
        self.dispatch()

    def do_PUT(self):
        self.dispatch()

    def do_DELETE(self):
        self.dispatch()

    def dispatch(self):
        url = urllib.parse.urlsplit(self.path)
        path = url.path
        query = urllib.parse.parse_qs(url.query)
        try:
            if path.startswith("/_test/"):
                return self.test_control(path)
            if path.startswith("/_lfs/"):
                return self.lfs_storage(path)
            if self.rate_limited():
                self.body()
                return
            if path == "/api/whoami-v2" and self.command == "GET":
                return self.whoami()
            if path == "/api/repos/create" and self.command == "POST":
                return self.create_repo()
            m = re.match(r"^/(?:(datasets|spaces)/)?([^/]+/[^/]+)\.git/info/lfs/objects/batch$", path)
            if m and self.command == "POST":
                return self.lfs_batch((m.group(1) or "models") + "/" + m.group(2))
            m = re.match(r"^/api/(models|datasets|spaces)/([^/]+/[^/]+)/([a-z]+)(?:/(.*))?$", path)
            if m:
                key = m.group(1) + "/" + m.group(2)
                what = m.group(3)
                rest = urllib.parse.unquote(m.group(4) or "")
                return self.repo_api(key, what, rest, query)
            self.body()
            self.fail(404, "no route for %s %s" % (self.command, path), record=False)
        except (ValueError, KeyError, TypeError, binascii.Error, json.JSONDecodeError) as e:
            self.fail(400, "bad request: %s" % e)

    # ---- test controls ---------------------------------------------------------------------
    def test_control(self, path):
        data = self.body()
        if path == "/_test/state":
            with LOCK:
                out = {"repos": {}, "errors": STATE["errors"], "counts": STATE["counts"],
                       "part_puts": STATE["part_puts"], "uploads": len(STATE["uploads"]),
                       "max_parts_in_flight": STATE["max_parts_in_flight"]}
                for key, repo in STATE["repos"].items():
                    tip = repo["branches"].get("main")
                    files = {}
                    for b, sha in repo["branches"].items():
                        for p, e in STATE["commits"][sha]["files"].items():
                            if b == "main":
                                files[p] = {k: v for k, v in e.items() if k != "content"}
                                if "content" in e and len(e["content"]) < 4096:
                                    files[p]["text"] = e["content"].decode("utf-8", "replace")
                    out["repos"][key] = {
                        "branches": repo["branches"], "tags": repo["tags"], "files": files,
                        "sdk": repo.get("sdk"), "summary": STATE["commits"][tip]["summary"] if tip else None,
                        "description": STATE["commits"][tip].get("description") if tip else None,
                        "commits": self.history_len(tip),
                    }
            return self.reply(200, out)
        if path == "/_test/fault":
            with LOCK:
                FAULTS.update(json.loads(data or b"{}"))
                FAILED_ONCE.clear()
            return self.reply(200, FAULTS)
        if path == "/_test/reset":
            with LOCK:
                STATE["counts"].clear()
                STATE["errors"].clear()
                STATE["part_puts"].clear()
                STATE["max_parts_in_flight"] = 0
            return self.reply(200, {})
        self.fail(404, "unknown test control", record=False)

    def history_len(self, sha):
        n = 0
        while sha:
            n += 1
            sha = STATE["commits"][sha]["parent"]
        return n

    # ---- API -------------------------------------------------------------------------------
    def whoami(self):
        count("whoami")
        if not self.authed():
            return self.fail(401, "Invalid credentials in Authorization header", record=False)
        user = self.server.user
        self.reply(200, {"type": "user", "id": "0" * 24, "name": user, "fullname": user,
                         "email": user + "@example.com", "emailVerified": True, "isPro": False,
                         "orgs": [], "auth": {"type": "access_token",
                                              "accessToken": {"displayName": "test", "role": "write"}}})

    def new_commit(self, parent, files, summary, description=""):
        with LOCK:
            COUNTER[0] += 1
            sha = hashlib.sha1(("%d:%s:%s" % (COUNTER[0], parent, summary)).encode()).hexdigest()
            STATE["commits"][sha] = {"parent": parent, "files": files, "summary": summary,
                                     "description": description}
            return sha

    def create_repo(self):
        count("create")
        body = json.loads(self.body())
        if not self.authed():
            return self.fail(401, "Invalid credentials in Authorization header", record=False)
        name = body.get("name")
        org = body.get("organization") or self.server.user
        rtype = body.get("type", "model")
        if not isinstance(name, str) or not re.match(r"^[A-Za-z0-9][A-Za-z0-9._-]*$", name):
            return self.fail(400, "invalid repo name")
        if rtype not in ("model", "dataset", "space"):
            return self.fail(400, "invalid repo type")
        if rtype == "space" and body.get("sdk") not in SDKS:
            return self.fail(400, "sdk must be one of " + ", ".join(SDKS))
        if org != self.server.user:
            return self.fail(403, "You don't have the rights to create a repo under %s" % org, record=False)
        key = rtype + "s/" + org + "/" + name
        with LOCK:
            if key in STATE["repos"]:
                return self.reply(409, {"error": "You already created this %s repo" % rtype,
                                        "url": "%s/%s" % (self.base(), key)})
            content = INITIAL_GITATTRIBUTES.encode()
            files = {".gitattributes": {"lfs": False, "oid": git_blob_sha1(content),
                                        "size": len(content), "content": content}}
            sha = self.new_commit(None, files, "initial commit")
            STATE["repos"][key] = {"branches": {"main": sha}, "tags": {}, "lfs": set(),
                                   "sdk": body.get("sdk")}
        prefix = "" if rtype == "model" else rtype + "s/"
        self.reply(200, {"url": "%s/%s%s/%s" % (self.base(), prefix, org, name), "name": org + "/" + name})

    def repo_api(self, key, what, rest, query):
        data = self.body()
        with LOCK:
            repo = STATE["repos"].get(key)
        if repo is None:
            return self.fail(404, "Repository not found", record=False)
        writes = self.command != "GET"
        if writes and not self.authed():
            return self.fail(401, "Invalid credentials in Authorization header", record=False)
        if what == "revision" and self.command == "GET":
            count("revision")
            sha = repo["branches"].get(rest) or repo["tags"].get(rest)
            if sha is None and rest in STATE["commits"]:
                sha = rest
            if sha is None:
                return self.fail(404, "Revision Not Found", record=False)
            return self.reply(200, {"id": key.split("/", 1)[1], "sha": sha})
        if what == "refs" and self.command == "GET" and not rest:
            # huggingface_hub's list_repo_refs reads name, ref and targetCommit of each.
            count("refs")
            with LOCK:
                refs = {kind: [{"name": n, "ref": "refs/%s/%s" % (prefix, n), "targetCommit": sha}
                               for n, sha in sorted(repo[kind].items())]
                        for kind, prefix in (("branches", "heads"), ("tags", "tags"))}
            refs["converts"] = []
            return self.reply(200, refs)
        if what == "preupload" and self.command == "POST":
            count("preupload")
            return self.preupload(repo, rest, json.loads(data))
        if what == "commit" and self.command == "POST":
            count("commit")
            return self.commit(key, repo, rest, data)
        if what == "tree" and self.command == "GET":
            count("tree")
            return self.tree(repo, rest, query)
        if what == "branch" and self.command == "POST":
            body = json.loads(data or b"{}")
            start = body.get("startingPoint") or "main"
            with LOCK:
                if rest in repo["branches"]:
                    return self.reply(409, {"error": "Reference already exists"})
                sha = repo["branches"].get(start) or (start if start in STATE["commits"] else None)
                if sha is None:
                    return self.fail(404, "Invalid startingPoint")
                repo["branches"][rest] = sha
            return self.reply(200, {})
        if what == "tag" and self.command == "POST":
            body = json.loads(data)
            tag = body.get("tag")
            if not isinstance(tag, str) or not tag:
                return self.fail(400, "missing tag")
            with LOCK:
                sha = repo["branches"].get(rest) or (rest if rest in STATE["commits"] else None)
                if sha is None:
                    return self.fail(404, "Revision Not Found")
                if tag in repo["tags"]:
                    return self.reply(409, {"error": "Tag already exists"})
                repo["tags"][tag] = sha
            return self.reply(200, {})
        if what == "runtime" and self.command == "GET" and key.startswith("spaces/"):
            return self.reply(200, {"stage": "RUNNING", "hardware": {"current": "cpu-basic",
                                                                     "requested": "cpu-basic"}})
        if what == "restart" and self.command == "POST" and key.startswith("spaces/"):
            count("restart")
            return self.reply(200, {})
        self.fail(404, "no route for %s %s" % (self.command, what), record=False)

    def tip_files(self, repo, rev):
        sha = repo["branches"].get(rev)
        return (sha, STATE["commits"][sha]["files"]) if sha else (None, None)

    def preupload(self, repo, rev, body):
        files = body.get("files")
        if not isinstance(files, list) or not files:
            return self.fail(400, "preupload: 'files' must be a non-empty list")
        with LOCK:
            sha, tree = self.tip_files(repo, rev)
            if sha is None:
                return self.fail(404, "Revision Not Found", record=False)
            attrs_entry = tree.get(".gitattributes")
            attrs = attrs_entry["content"].decode() if attrs_entry and "content" in attrs_entry else ""
            if isinstance(body.get("gitAttributes"), str):
                attrs += "\n" + body["gitAttributes"]
            out = []
            for f in files:
                path, size, sample = f.get("path"), f.get("size"), f.get("sample")
                if not normalise_ok(path) or not isinstance(size, int) or size < 0 or not isinstance(sample, str):
                    return self.fail(400, "preupload: bad file entry %r" % (f,))
                raw = base64.b64decode(sample, validate=True)
                if len(raw) > 512 or len(raw) > size:
                    return self.fail(400, "preupload: sample of %r is %d bytes" % (path, len(raw)))
                lfs = size > 10 * 1024 * 1024 or b"\0" in raw or lfs_by_attributes(attrs, path)
                existing = tree.get(path)
                out.append({"path": path, "uploadMode": "lfs" if lfs else "regular",
                            "shouldIgnore": False, "oid": existing["oid"] if existing else None})
        self.reply(200, {"files": out, "commitOid": sha})

    def tree(self, repo, rev, query):
        with LOCK:
            sha, tree = self.tip_files(repo, rev)
            if sha is None:
                return self.fail(404, "Revision Not Found", record=False)
            entries = []
            dirs = set()
            for p in sorted(tree):
                e = tree[p]
                parts = p.split("/")
                for i in range(1, len(parts)):
                    dirs.add("/".join(parts[:i]))
                item = {"type": "file", "oid": e["oid"] if not e["lfs"] else e["blob_oid"], "size": e["size"], "path": p}
                if e["lfs"]:
                    item["lfs"] = {"oid": e["oid"], "size": e["size"], "pointerSize": 130}
                entries.append(item)
            entries += [{"type": "directory", "oid": "0" * 40, "size": 0, "path": d} for d in sorted(dirs)]
        start = int((query.get("cursor") or ["0"])[0])
        page = entries[start:start + self.server.page_size]
        headers = {}
        if start + self.server.page_size < len(entries):
            nxt = "%s%s?recursive=true&cursor=%d" % (self.base(), self.path.split("?")[0], start + self.server.page_size)
            headers["Link"] = '<%s>; rel="next"' % nxt
        self.reply(200, page, headers)

    def commit(self, key, repo, rev, data):
        if self.headers.get("Content-Type", "").split(";")[0].strip() != "application/x-ndjson":
            return self.fail(400, "commit: Content-Type must be application/x-ndjson")
        lines = [l for l in data.split(b"\n") if l.strip()]
        if not lines:
            return self.fail(400, "commit: empty body")
        ops = [json.loads(l) for l in lines]
        if ops[0].get("key") != "header" or not isinstance(ops[0].get("value"), dict):
            return self.fail(400, "commit: the first line must be the header")
        header = ops[0]["value"]
        if not isinstance(header.get("summary"), str) or not header["summary"].strip():
            return self.fail(400, "commit: the header needs a summary")
        with LOCK:
            self.race_commit(repo, rev)
            tip, tree = self.tip_files(repo, rev)
            if tip is None:
                return self.fail(404, "Revision Not Found", record=False)
            parent = header.get("parentCommit")
            if parent is not None and parent != tip:
                return self.reply(412, {"error": "A commit has happened since. Please refresh and try again."})
            files = dict(tree)
            seen = set()
            new_lfs_paths = []
            for op in ops[1:]:
                k, v = op.get("key"), op.get("value")
                if not isinstance(v, dict) or not normalise_ok(v.get("path", "").rstrip("/") if k == "deletedFolder" else v.get("path")):
                    return self.fail(400, "commit: bad operation %r" % (op,))
                path = v["path"]
                if path in seen:
                    return self.fail(400, "commit: '%s' appears twice" % path)
                seen.add(path)
                if k == "file":
                    if v.get("encoding") != "base64":
                        return self.fail(400, "commit: file '%s' encoding must be base64" % path)
                    content = base64.b64decode(v.get("content", ""), validate=True)
                    files[path] = {"lfs": False, "oid": git_blob_sha1(content), "size": len(content),
                                   "content": content}
                elif k == "lfsFile":
                    oid, size = v.get("oid"), v.get("size")
                    if v.get("algo") != "sha256" or not isinstance(oid, str) or not HEX64.match(oid):
                        return self.fail(400, "commit: lfsFile '%s' needs algo sha256 and a 64-hex oid" % path)
                    if oid not in repo["lfs"]:
                        return self.fail(400, "commit: LFS object %s of '%s' was never uploaded" % (oid, path))
                    real = os.path.getsize(self.server.object_path(oid))
                    if size != real:
                        return self.fail(400, "commit: lfsFile '%s' size %r but the object has %d" % (path, size, real))
                    pointer = ("version https://git-lfs.github.com/spec/v1\noid sha256:%s\nsize %d\n" % (oid, size)).encode()
                    files[path] = {"lfs": True, "oid": oid, "size": size, "blob_oid": git_blob_sha1(pointer)}
                    new_lfs_paths.append(path)
                elif k == "deletedFile":
                    if path not in files:
                        return self.fail(404, "commit: cannot delete '%s': no such file" % path)
                    del files[path]
                elif k == "deletedFolder":
                    prefix = path.rstrip("/") + "/"
                    for p in [p for p in files if p.startswith(prefix)]:
                        del files[p]
                else:
                    return self.fail(400, "commit: unknown key %r" % k)
            # As the Hub: .gitattributes gets a rule for LFS files no rule covers.
            attrs_entry = files.get(".gitattributes")
            attrs = attrs_entry["content"].decode() if attrs_entry and "content" in attrs_entry else ""
            added = [p for p in new_lfs_paths if not lfs_by_attributes(attrs, p)]
            if added:
                attrs += "".join("%s filter=lfs diff=lfs merge=lfs -text\n" % p for p in added)
                content = attrs.encode()
                files[".gitattributes"] = {"lfs": False, "oid": git_blob_sha1(content),
                                           "size": len(content), "content": content}
            sha = self.new_commit(tip, files, header["summary"], header.get("description") or "")
            repo["branches"][rev] = sha
        prefix = "" if key.startswith("models/") else key.split("/", 1)[0] + "/"
        name = key.split("/", 1)[1]
        self.reply(200, {"success": True, "commitOid": sha,
                         "commitUrl": "%s/%s%s/commit/%s" % (self.base(), prefix, name, sha)})

    def race_commit(self, repo, rev):
        """The race_commit fault: someone else's commit lands on rev first (called under LOCK)."""
        race = FAULTS.get("race_commit")
        tip, tree = self.tip_files(repo, rev)
        if not race or race.get("count", 0) <= 0 or tip is None:
            return
        race["count"] -= 1
        files = dict(tree)
        for path, text in race.get("add", {}).items():
            content = text.encode()
            files[path] = {"lfs": False, "oid": git_blob_sha1(content), "size": len(content),
                           "content": content}
        for path in race.get("delete", []):
            files.pop(path, None)
        repo["branches"][rev] = self.new_commit(tip, files, "a racing commit")
        count("raced")

    # ---- LFS -------------------------------------------------------------------------------
    def lfs_batch(self, key):
        count("batch")
        data = self.body()
        if not self.authed():
            return self.fail(401, "Invalid credentials in Authorization header", record=False)
        if self.headers.get("Accept") != LFS_TYPE or self.headers.get("Content-Type") != LFS_TYPE:
            return self.fail(400, "LFS batch: Accept and Content-Type must be " + LFS_TYPE)
        body = json.loads(data)
        if body.get("operation") != "upload" or "basic" not in body.get("transfers", []):
            return self.fail(400, "LFS batch: expected an upload offering the basic transfer")
        if body.get("hash_algo", "sha256") not in ("sha256", "sha_256"):
            return self.fail(400, "LFS batch: unknown hash_algo")
        with LOCK:
            repo = STATE["repos"].get(key)
            if repo is None:
                return self.fail(404, "Repository not found", record=False)
            out = []
            base = self.base()
            for o in body.get("objects", []):
                oid, size = o.get("oid"), o.get("size")
                if not isinstance(oid, str) or not HEX64.match(oid) or not isinstance(size, int) or size < 0:
                    return self.fail(400, "LFS batch: bad object %r" % (o,))
                if oid in repo["lfs"]:
                    out.append({"oid": oid, "size": size})
                    continue
                qkey = urllib.parse.quote(key, safe="")
                verify = {"href": "%s/_lfs/verify/%s" % (base, qkey), "header": {}}
                if size >= self.server.multipart_threshold and size > 0:
                    upload_id = None
                    for uid, u in STATE["uploads"].items():  # resumable: same oid, same upload
                        if u["oid"] == oid and u["repo"] == key and u["size"] == size:
                            upload_id = uid
                    if upload_id is None:
                        upload_id = hashlib.sha1(("%s:%s:%f" % (key, oid, time.time())).encode()).hexdigest()[:16]
                        STATE["uploads"][upload_id] = {"repo": key, "oid": oid, "size": size,
                                                       "chunk": self.server.chunk_size, "parts": {},
                                                       "hashed": 0, "sha": hashlib.sha256(),
                                                       "hash_lock": threading.Lock()}
                    chunk = STATE["uploads"][upload_id]["chunk"]
                    nparts = (size + chunk - 1) // chunk
                    header = {"chunk_size": str(chunk)}
                    for n in range(1, nparts + 1):
                        header["%05d" % n] = "%s/_lfs/part/%s/%d?X-Amz-Signature=fake" % (base, upload_id, n)
                    out.append({"oid": oid, "size": size, "authenticated": True, "actions": {
                        "upload": {"href": "%s/_lfs/complete/%s" % (base, upload_id), "header": header},
                        "verify": verify}})
                else:
                    out.append({"oid": oid, "size": size, "authenticated": True, "actions": {
                        "upload": {"href": "%s/_lfs/basic/%s/%s?X-Amz-Signature=fake" % (base, qkey, oid),
                                   "header": {"X-Test-Upload": "basic"}},
                        "verify": verify}})
        self.reply(200, {"transfer": "basic", "objects": out}, {"Content-Type": LFS_TYPE})

    def lfs_storage(self, path):
        parts = path.split("/")  # ['', '_lfs', kind, ...]
        kind = parts[2]
        if kind == "basic" and self.command == "PUT":
            count("basic_put")
            key, oid = urllib.parse.unquote(parts[3]), parts[4]
            return self.store_basic(key, oid)
        if kind == "part" and self.command == "PUT":
            return self.store_part(parts[3], int(parts[4]))
        if kind == "complete" and self.command == "POST":
            count("complete")
            return self.complete(parts[3])
        if kind == "verify" and self.command == "POST":
            count("verify")
            key = urllib.parse.unquote(parts[3])
            body = json.loads(self.body())
            with LOCK:
                repo = STATE["repos"].get(key)
                ok = repo is not None and body.get("oid") in repo["lfs"] and \
                    os.path.getsize(self.server.object_path(body["oid"])) == body.get("size")
            return self.reply(200, {}) if ok else self.fail(404, "verify: object %r not stored" % body.get("oid"))
        if kind == "sink" and self.command == "PUT":
            # The benchmark's reference: the same write-and-hash work as a basic LFS PUT.
            return self.store_basic(None, None)
        self.body()
        self.fail(404, "no storage route", record=False)

    def store_basic(self, key, oid):
        tmp = os.path.join(self.server.data, "tmp-%d-%d" % (os.getpid(), threading.get_ident()))
        h = hashlib.sha256()
        size = 0
        with open(tmp, "wb") as f:
            for piece in self.body_chunks():
                h.update(piece)
                f.write(piece)
                size += len(piece)
        digest = h.hexdigest()
        if oid is None:
            os.unlink(tmp)
            return self.reply(200, {"sha256": digest, "size": size})
        if digest != oid:
            os.unlink(tmp)
            return self.fail(400, "LFS PUT: the bytes hash to %s, not the oid %s" % (digest, oid))
        os.replace(tmp, self.server.object_path(oid))
        with LOCK:
            STATE["repos"][key]["lfs"].add(oid)
        self.reply(200, {})

    def store_part(self, upload_id, n):
        with LOCK:
            u = STATE["uploads"].get(upload_id)
            drop_after = FAULTS.get("drop_parts_after")
            stored = sum(len(x["parts"]) for x in STATE["uploads"].values())
            fail_once = n in FAULTS.get("fail_parts_once", []) and (upload_id, n) not in FAILED_ONCE
            if fail_once:
                FAILED_ONCE.add((upload_id, n))
        if u is None:
            self.body(limit=1 << 40)
            return self.fail(404, "no such upload")
        if drop_after is not None and stored >= drop_after:
            # The storage server goes away: the connection closes with no answer.
            count("part_dropped")
            self.close_connection = True
            try:
                self.connection.shutdown(2)
            except OSError:
                pass
            return
        chunk, size = u["chunk"], u["size"]
        nparts = (size + chunk - 1) // chunk
        if not 1 <= n <= nparts:
            self.body(limit=1 << 40)
            return self.fail(400, "part %d out of range" % n)
        want = min(chunk, size - (n - 1) * chunk)
        obj = os.path.join(self.server.data, "upload-" + upload_id)
        got = 0
        # Parts that arrive in order extend a running sha256 as they arrive (the same work per
        # byte as a basic PUT); parts that arrive ahead of a predecessor are hashed from disk as
        # soon as the parts before them are in (hash_stored_parts), so each byte is hashed once.
        with LOCK:
            running = u["sha"].copy() if u["hashed"] == n - 1 else None
            STATE["parts_in_flight"] += 1
            STATE["max_parts_in_flight"] = max(STATE["max_parts_in_flight"], STATE["parts_in_flight"])
        # Parts may arrive in parallel (the JS client): open without truncating, write in place.
        try:
            with os.fdopen(os.open(obj, os.O_RDWR | os.O_CREAT, 0o644), "r+b") as f:
                f.seek((n - 1) * chunk)
                for piece in self.body_chunks():
                    if running is not None:
                        running.update(piece)
                    f.write(piece)
                    got += len(piece)
        finally:
            with LOCK:
                STATE["parts_in_flight"] -= 1
        if fail_once:
            count("part_failed")
            return self.reply(500, {"error": "injected failure of part %d" % n})
        if got != want:
            return self.fail(400, "part %d has %d bytes, expected %d" % (n, got, want))
        # S3's ETag is opaque to clients; a fresh token per stored part is enough to check that
        # the completion lists what was stored (and costs no extra hashing pass per byte).
        etag = '"%s"' % os.urandom(16).hex()
        with LOCK:
            u["parts"][n] = etag
            if running is not None and u["hashed"] == n - 1:
                u["sha"], u["hashed"] = running, n
            k = "%s:%d" % (u["oid"], n)
            STATE["part_puts"][k] = STATE["part_puts"].get(k, 0) + 1
            count("part_put")
        self.hash_stored_parts(u, obj, wait=False)
        self.reply(200, raw=b"", headers={"ETag": etag})

    def hash_stored_parts(self, u, obj, wait=True):
        """Extends the upload's running sha256 over the stored parts that follow it with no gap,
        reading them back from the object. One thread at a time per upload: without wait, a part
        whose predecessors another thread is hashing is left to the next call (completion waits)."""
        if not u["hash_lock"].acquire(blocking=wait):
            return
        try:
            self.hash_parts_locked(u, obj)
        finally:
            u["hash_lock"].release()

    def hash_parts_locked(self, u, obj):
        with open(obj, "rb") as f:
            while True:
                with LOCK:
                    n = u["hashed"] + 1
                    if n not in u["parts"]:
                        return
                    sha = u["sha"].copy()
                f.seek((n - 1) * u["chunk"])
                left = min(u["chunk"], u["size"] - (n - 1) * u["chunk"])
                while left > 0:
                    piece = f.read(min(left, 1 << 20))
                    if not piece:
                        return
                    sha.update(piece)
                    left -= len(piece)
                with LOCK:
                    if u["hashed"] == n - 1:
                        u["sha"], u["hashed"] = sha, n

    def complete(self, upload_id):
        body = json.loads(self.body())
        with LOCK:
            u = STATE["uploads"].get(upload_id)
        if u is None:
            return self.fail(404, "no such upload")
        nparts = (u["size"] + u["chunk"] - 1) // u["chunk"]
        parts = body.get("parts")
        if body.get("oid") != u["oid"] or not isinstance(parts, list) or len(parts) != nparts:
            return self.fail(400, "completion: expected oid %s and %d parts" % (u["oid"], nparts))
        for i, p in enumerate(parts):
            if p.get("partNumber") != i + 1 or p.get("etag") != u["parts"].get(i + 1):
                return self.fail(400, "completion: part %r does not match what was stored" % (p,))
        obj = os.path.join(self.server.data, "upload-" + upload_id)
        self.hash_stored_parts(u, obj)  # every part is stored: this finishes the running hash
        h = u["sha"]
        if u["hashed"] != nparts or h.hexdigest() != u["oid"] or os.path.getsize(obj) != u["size"]:
            return self.fail(400, "completion: the parts hash to %s, not %s" % (h.hexdigest(), u["oid"]))
        os.replace(obj, self.server.object_path(u["oid"]))
        with LOCK:
            STATE["repos"][u["repo"]]["lfs"].add(u["oid"])
            del STATE["uploads"][upload_id]
            lose = FAULTS.get("lose_complete_answer")
            FAULTS["lose_complete_answer"] = False
        if lose:
            # Completed, but the answer is lost on the way: the client sees a dropped connection.
            count("complete_answer_lost")
            self.close_connection = True
            self.connection.shutdown(2)
            return
        self.reply(200, {})


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def object_path(self, oid):
        return os.path.join(self.data, "lfs-" + oid)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--token", action="append", default=[])
    ap.add_argument("--user", default="user")
    ap.add_argument("--multipart-threshold", type=int, default=20 * 1024 * 1024)
    ap.add_argument("--chunk-size", type=int, default=8 * 1024 * 1024)
    ap.add_argument("--page-size", type=int, default=50)
    ap.add_argument("--max-seconds", type=float, default=600)
    a = ap.parse_args()
    os.makedirs(a.data, exist_ok=True)
    srv = Server(("127.0.0.1", 0), Handler)
    srv.data = a.data
    srv.tokens = set(a.token or ["hf_test_token"])
    srv.user = a.user
    srv.multipart_threshold = a.multipart_threshold
    srv.chunk_size = a.chunk_size
    srv.page_size = a.page_size
    timer = threading.Timer(a.max_seconds, lambda: os._exit(3))
    timer.daemon = True
    timer.start()
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(srv.server_address[1]))
    os.replace(tmp, a.port_file)
    srv.serve_forever(poll_interval=0.2)


if __name__ == "__main__":
    main()
