#!/usr/bin/python3
"""Serves repositories under --root with Debian's `git http-backend` (smart HTTP) on 127.0.0.1,
behind HTTP basic authentication: a request is let through when its password equals --token
(any user name, as GitHub takes x-access-token:TOKEN). Used by the publish tests and bench.

With LFS on (the default; --no-lfs turns it off, so the batch API answers 404), it also answers
the Git LFS batch API at <repo>.git/info/lfs/objects/batch for uploads (basic transfer): objects
are PUT to /lfs-upload/<repo>/<oid>, checked against their sha256 and size, and stored where
git-lfs keeps them on a server, <repo>.git/lfs/objects/<oid[0:2]>/<oid[2:4]>/<oid>.

Writes the chosen port to --port-file, then serves until SIGTERM or --max-seconds, whichever
comes first. Request bodies (chunked or not) are streamed to the backend, never held whole.
"""
import argparse
import base64
import hashlib
import json
import os
import signal
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

BACKEND = "/usr/lib/git-core/git-http-backend"
CHUNK = 1 << 16


def parse_args():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--token", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--max-seconds", type=float, default=900)
    ap.add_argument("--no-lfs", action="store_true")
    return ap.parse_args()


ARGS = parse_args()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"  # one request per connection: the response ends at close

    def log_message(self, fmt, *args):
        pass

    def authorized(self):
        h = self.headers.get("Authorization", "")
        if h[:6].lower() != "basic ":
            return None
        try:
            user, _, password = base64.b64decode(h[6:]).decode().partition(":")
        except Exception:
            return None
        return user if password == ARGS.token else None

    def body_chunks(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            for _ in range(1 << 30):
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return
                left = size
                while left:
                    data = self.rfile.read(min(left, CHUNK))
                    if not data:
                        return
                    left -= len(data)
                    yield data
                self.rfile.readline()
        else:
            left = int(self.headers.get("Content-Length") or 0)
            while left > 0:
                data = self.rfile.read(min(left, CHUNK))
                if not data:
                    return
                left -= len(data)
                yield data

    def reply_json(self, code, obj):
        data = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/vnd.git-lfs+json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def lfs_path(self, repo, oid):
        return os.path.join(ARGS.root, repo, "lfs", "objects", oid[0:2], oid[2:4], oid)

    def lfs(self, url):
        """The LFS batch API, the upload target and the verify action; True when handled."""
        path = url.path
        if self.command == "POST" and path.endswith("/info/lfs/objects/batch"):
            if ARGS.no_lfs:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return True
            repo = path[1:-len("/info/lfs/objects/batch")]
            req = json.loads(b"".join(self.body_chunks()) or b"{}")
            base = "http://%s:%d" % self.server.server_address
            out = []
            for o in req.get("objects", []):
                oid, size = o["oid"], o["size"]
                entry = {"oid": oid, "size": size, "authenticated": True}
                if req.get("operation") == "upload" and not os.path.exists(self.lfs_path(repo, oid)):
                    auth = {"Authorization": self.headers["Authorization"]}
                    entry["actions"] = {
                        "upload": {"href": f"{base}/lfs-upload/{repo}/{oid}/{size}", "header": auth},
                        "verify": {"href": f"{base}/lfs-verify/{repo}", "header": auth},
                    }
                out.append(entry)
            self.reply_json(200, {"transfer": "basic", "objects": out, "hash_algo": "sha256"})
            return True
        if self.command == "PUT" and path.startswith("/lfs-upload/"):
            repo, oid, size = path[len("/lfs-upload/"):].rsplit("/", 2)
            dst = self.lfs_path(repo, oid)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            h = hashlib.sha256()
            n = 0
            tmp = dst + ".tmp%d" % threading.get_ident()
            with open(tmp, "wb") as f:
                for data in self.body_chunks():
                    h.update(data)
                    n += len(data)
                    f.write(data)
            if h.hexdigest() != oid or n != int(size):
                os.unlink(tmp)
                self.reply_json(422, {"message": "content does not match oid/size"})
                return True
            os.rename(tmp, dst)
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return True
        if self.command == "POST" and path.startswith("/lfs-verify/"):
            req = json.loads(b"".join(self.body_chunks()) or b"{}")
            ok = os.path.exists(self.lfs_path(path[len("/lfs-verify/"):], req.get("oid", "x" * 4)))
            self.reply_json(200 if ok else 404, {} if ok else {"message": "object not found"})
            return True
        return False

    def handle_any(self):
        user = self.authorized()
        if user is None:
            # drain a small body so the client sees the 401 instead of a reset
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="runnel-test"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        url = urlsplit(self.path)
        if self.lfs(url):
            return
        env = {
            "PATH": "/usr/bin:/bin",
            "GIT_PROJECT_ROOT": ARGS.root,
            "GIT_HTTP_EXPORT_ALL": "1",
            "GATEWAY_INTERFACE": "CGI/1.1",
            "REQUEST_METHOD": self.command,
            "PATH_INFO": url.path,
            "QUERY_STRING": url.query,
            "REMOTE_USER": user or "token",
            "REMOTE_ADDR": "127.0.0.1",
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
        }
        if self.headers.get("Content-Length") and "chunked" not in self.headers.get(
                "Transfer-Encoding", "").lower():
            env["CONTENT_LENGTH"] = self.headers["Content-Length"]
        if self.headers.get("Content-Encoding"):
            env["HTTP_CONTENT_ENCODING"] = self.headers["Content-Encoding"]
        if self.headers.get("Git-Protocol"):
            env["GIT_PROTOCOL"] = self.headers["Git-Protocol"]
        proc = subprocess.Popen([BACKEND], env=env, stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE)

        def feed():
            try:
                for data in self.body_chunks():
                    proc.stdin.write(data)
            except (BrokenPipeError, ValueError, OSError):
                pass
            finally:
                try:
                    proc.stdin.close()
                except OSError:
                    pass

        writer = threading.Thread(target=feed, daemon=True)
        writer.start()
        status = "200 OK"
        headers = []
        for _ in range(100):
            line = proc.stdout.readline().decode("latin-1").rstrip("\r\n")
            if not line:
                break
            key, _, value = line.partition(":")
            if key.lower() == "status":
                status = value.strip()
            else:
                headers.append((key, value.strip()))
        code, _, reason = status.partition(" ")
        self.send_response(int(code), reason)
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        try:
            while True:
                data = proc.stdout.read1(CHUNK)
                if not data:
                    break
                self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        writer.join(timeout=60)
        proc.wait(timeout=120)

    do_GET = handle_any
    do_POST = handle_any
    do_PUT = handle_any


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    tmp = ARGS.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(tmp, ARGS.port_file)
    stop = threading.Timer(ARGS.max_seconds, server.shutdown)
    stop.daemon = True
    stop.start()
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    server.serve_forever(poll_interval=0.1)
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
