#!/usr/bin/python3
"""fakepeer.py - a misbehaving feed server for the sync fault tests.

Usage: fakepeer.py PORT ROOT

GET /<mode>/<path> serves ROOT/<mode>/<path> as a static file (with an
ETag, and 304 to a matching If-None-Match), except for
these modes, which misbehave on purpose:
  /500/...         answers 500 Internal Server Error
  /hang/<feed>/... never answers (sleeps up to 20 s, then closes)
  /trunc/<feed>/...  serves ROOT/<feed>/<path>, but set files (*.yaml other
                   than index.yaml) are cut in half with the full
                   Content-Length announced, then the connection closes
  /noetag/<feed>/... serves ROOT/<feed>/<path> without validators, so every
                   sync gets the whole index again (no 304)
  /slow/<feed>/...   serves ROOT/<feed>/<path> one byte every 0.5 s
  /mtime/<feed>/...  serves ROOT/<feed>/<path> as a static server whose
                   validators come from the file's modification time in
                   whole seconds (ETag and Last-Modified), answering as if in
                   that same second (Date = Last-Modified), with 304 to a
                   matching If-None-Match or If-Modified-Since
Listens on 127.0.0.1 only; prints "ready" when listening.
"""
import email.utils
import hashlib
import http.server
import os
import sys
import time


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes: without this, Nagle and
    # delayed ACKs cost 40 ms per response on a kept-alive connection.
    disable_nagle_algorithm = True

    def log_message(self, fmt, *args):
        sys.stderr.write("fakepeer: " + (fmt % args) + "\n")

    def send_file(self, path, truncate=False, etag=True, slow=False):
        try:
            with open(path, "rb") as f:
                body = f.read()
        except OSError:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        # A strong validator, so that clients' conditional GETs get 304s
        # (RFC 9110 13.1.2).
        etag = '"%s"' % hashlib.sha256(body).hexdigest() if etag else None
        if etag and not truncate and self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/yaml")
        self.send_header("Content-Length", str(len(body)))
        if etag:
            self.send_header("ETag", etag)
        self.end_headers()
        if slow:
            try:
                for i in range(len(body)):
                    self.wfile.write(body[i:i + 1])
                    self.wfile.flush()
                    time.sleep(0.5)
            except OSError:
                pass
            self.close_connection = True
            return
        if truncate:
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body)

    def send_by_mtime(self, path):
        try:
            with open(path, "rb") as f:
                body = f.read()
            mtime = int(os.stat(path).st_mtime)
        except OSError:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        etag = '"%x"' % mtime
        stamp = email.utils.formatdate(mtime, usegmt=True)
        ims = self.headers.get("If-Modified-Since")
        fresh = self.headers.get("If-None-Match") == etag or (
            ims is not None and email.utils.parsedate_to_datetime(ims).timestamp() >= mtime)
        self.send_response_only(304 if fresh else 200)
        self.send_header("Date", stamp)
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", stamp)
        self.send_header("Content-Length", "0" if fresh else str(len(body)))
        self.end_headers()
        if not fresh:
            self.wfile.write(body)

    def do_GET(self):
        root = self.server.root
        parts = self.path.lstrip("/").split("/", 1)
        mode = parts[0]
        rest = parts[1] if len(parts) > 1 else ""
        if ".." in self.path:
            self.send_error(400)
            return
        if mode == "500":
            body = b"internal error\n"
            self.send_response(500)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if mode == "hang":
            time.sleep(20)
            self.close_connection = True
            return
        if mode == "trunc":
            feed, _, path = rest.partition("/")
            is_set = path.endswith(".yaml") and path != "index.yaml"
            self.send_file(os.path.join(root, feed, path), truncate=is_set)
            return
        if mode == "mtime":
            feed, _, path = rest.partition("/")
            self.send_by_mtime(os.path.join(root, feed, path))
            return
        if mode in ("noetag", "slow"):
            feed, _, path = rest.partition("/")
            self.send_file(os.path.join(root, feed, path), etag=False, slow=mode == "slow")
            return
        self.send_file(os.path.join(root, mode, rest))


def main():
    port, root = int(sys.argv[1]), sys.argv[2]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    server.root = root
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
