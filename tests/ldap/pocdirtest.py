"""pocdirtest.py - helpers for the Python tests: TAP output, a pocdird (and a
slapd) of their own on a free loopback port in a scratch folder, stopped at
exit. Imported by tests/t_ldap_*.py."""

import atexit
import functools
import http.server
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

TOP_SRCDIR = os.environ.get("top_srcdir") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
TOP_BUILDDIR = os.environ.get("top_builddir") or TOP_SRCDIR
POCDIRD = os.path.join(TOP_BUILDDIR, "src", "pocdird", "pocdird")
POCDIR = os.path.join(TOP_BUILDDIR, "src", "pocdir", "pocdir")
SAMPLE = os.path.join(TOP_SRCDIR, "directory")
# Non-ASCII names in several scripts and forms, multi-valued mail and phones.
INTL = os.path.join(TOP_SRCDIR, "tests", "ldap", "intl")
SCHEMA = os.path.join(TOP_SRCDIR, "contrib", "pocdir.schema")


class Tap:
    """Test Anything Protocol: one line per test point, plan at the end."""

    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, desc, diag=None, todo=None):
        """One test point; todo names a known bug elsewhere (TAP TODO: a
        failure is expected, a pass is reported so the TODO gets removed)."""
        self.n += 1
        if not cond and todo is None:
            self.failed += 1
        print("%sok %d - %s%s" % ("" if cond else "not ", self.n, desc,
                                  " # TODO " + todo if todo else ""), flush=True)
        if not cond and diag is not None:
            for line in str(diag).splitlines()[:40]:
                print("#   " + line, flush=True)
        return cond

    def eq(self, got, want, desc, todo=None):
        return self.ok(got == want, desc, "got:  %r\nwant: %r" % (got, want), todo)

    def diag(self, msg):
        print("# " + msg, flush=True)

    def done(self):
        print("1..%d" % self.n, flush=True)
        sys.exit(1 if self.failed else 0)


def skip_all(reason):
    print("1..0 # SKIP " + reason, flush=True)
    sys.exit(0)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


_scratch = []


def scratch():
    d = tempfile.mkdtemp(prefix="pocdir-ldap.")
    _scratch.append(d)
    return d


@atexit.register
def _cleanup():
    for p in list(Server.running):
        p.stop()
    if not os.environ.get("POCDIR_KEEP_SCRATCH"):
        for d in _scratch:
            shutil.rmtree(d, ignore_errors=True)


def wait_port(port, proc, timeout=20.0):
    end = time.time() + timeout
    while time.time() < end:
        if proc.poll() is not None:
            return False
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


class Server:
    """A process listening on 127.0.0.1:port, stopped with SIGTERM."""
    running = []

    def __init__(self, argv, port, log, cwd=None):
        self.port = port
        self.log = log
        self.url = "ldap://127.0.0.1:%d" % port
        self.logf = open(log, "ab")
        self.proc = subprocess.Popen(argv, stdout=self.logf, stderr=subprocess.STDOUT,
                                     cwd=cwd)
        Server.running.append(self)
        if not wait_port(port, self.proc):
            raise RuntimeError("%s did not start; log:\n%s" % (argv[0], self.log_text()))

    @property
    def pid(self):
        return self.proc.pid

    def alive(self):
        return self.proc.poll() is None

    def log_text(self):
        with open(self.log, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self, timeout=10):
        """SIGTERM; returns the exit status (None if it had to be killed)."""
        if self in Server.running:
            Server.running.remove(self)
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                self.logf.close()
                return None
        self.logf.close()
        return self.proc.returncode


def pocdird(directory=SAMPLE, config=None, extra=(), debug=False):
    """Start pocdird in the foreground on a free port (another one if a
    parallel test took the port between our probe and pocdird's bind)."""
    d = scratch()
    for attempt in range(3):
        port = free_port()
        argv = [POCDIRD, "-f", "--listen", "127.0.0.1:%d" % port, "--directory", directory]
        if config is not None:
            path = os.path.join(d, "pocdird.conf")
            with open(path, "w") as f:
                f.write(config)
            argv += ["-c", path]
        if debug:
            argv.append("--debug")
        argv += list(extra)
        log = os.path.join(d, "pocdird.log")
        try:
            srv = Server(argv, port, log, cwd=d)
        except RuntimeError:
            with open(log, "rb") as f:
                text = f.read().decode("utf-8", "replace")
            if attempt < 2 and "in use" in text:
                os.unlink(log)
                continue
            raise
        srv.dir = d
        return srv


def gen_directory(entries, origins):
    """A generated directory (tests/gen-directory.py) in a scratch folder."""
    d = scratch()
    subprocess.run([sys.executable, os.path.join(TOP_SRCDIR, "tests", "gen-directory.py"),
                    "--origins", str(origins), "--entries", str(entries), "--out", d],
                   check=True, stdout=subprocess.DEVNULL)
    return d


SLAPD = "/usr/sbin/slapd"
SLAPADD = "/usr/sbin/slapadd"


def slapd(ldif_text, base="dc=pocdir", acl=""):
    """A slapd of our own (back-mdb, the stock schemas and contrib's), loaded
    with ldif_text by slapadd; acl is slapd.conf access lines for the
    database. Raises RuntimeError when it cannot start."""
    d = scratch()
    os.mkdir(os.path.join(d, "db"))
    port = free_port()
    schema_dir = "/etc/ldap/schema"
    conf = os.path.join(d, "slapd.conf")
    modpath = "/usr/lib/ldap"
    with open(conf, "w") as f:
        f.write("""include %(s)s/core.schema
include %(s)s/cosine.schema
include %(s)s/inetorgperson.schema
include %(schema)s
pidfile %(d)s/slapd.pid
argsfile %(d)s/slapd.args
modulepath %(mod)s
moduleload back_mdb
sizelimit unlimited
database mdb
suffix "%(base)s"
directory %(d)s/db
maxsize 268435456
index objectClass,c,uid,mail,pocRole eq
%(acl)s""" % {"s": schema_dir, "schema": SCHEMA, "d": d, "mod": modpath, "base": base,
               "acl": acl})
    ldif = os.path.join(d, "data.ldif")
    # slapadd (2.5) reads records only: drop an RFC 2849 "version: 1" line.
    if ldif_text.startswith("version:"):
        ldif_text = ldif_text.split("\n", 1)[1]
    with open(ldif, "w") as f:
        f.write(ldif_text)
    r = subprocess.run([SLAPADD, "-q", "-f", conf, "-l", ldif], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT)
    if r.returncode != 0:
        raise RuntimeError("slapadd failed:\n" + r.stdout.decode("utf-8", "replace"))
    for attempt in range(3):
        try:
            srv = Server([SLAPD, "-d", "0", "-h", "ldap://127.0.0.1:%d/" % port, "-f", conf],
                         port, os.path.join(d, "slapd.log"), cwd=d)
            break
        except RuntimeError:
            if attempt == 2:
                raise
            port = free_port()  # taken by a parallel test meanwhile
    srv.dir = d
    return srv


def export_ldif(directory=SAMPLE):
    """`pocdir export --format ldif` of directory (with base and countries)."""
    r = subprocess.run([POCDIR, "export", "--format", "ldif", "-d", directory],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if r.returncode != 0:
        raise RuntimeError("pocdir export failed: " + r.stderr.decode())
    return r.stdout.decode("utf-8")


def clean_env():
    """This environment without the variables that would point pocdir at
    another directory, state or passphrase than the test's own."""
    env = dict(os.environ)
    for k in ("POCDIR_STATE", "POCDIR_PASSPHRASE", "POCDIR_DIRECTORY", "POCDIR_CONFIG"):
        env.pop(k, None)
    return env


class _QuietFiles(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve_folder(folder, wrap=None):
    """Serve folder's files over HTTP on 127.0.0.1 (a free port) from a
    thread, as a static web server (a peer's feed, a file to import) does;
    wrap(socket) may return a TLS socket. Returns the server (its URL is
    server.url, shutdown() stops it)."""
    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_QuietFiles, directory=folder))
    if wrap is not None:
        httpd.socket = wrap(httpd.socket)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    httpd.url = "%s://127.0.0.1:%d/" % ("https" if wrap else "http", httpd.server_address[1])
    return httpd
