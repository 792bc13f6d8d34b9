"""t_tls_ldap.py - pocdird over TLS with real clients: ldapsearch -ZZ and
-H ldaps:// (LDAPTLS_CACERT), python3-ldap3 with LDAPS and StartTLS,
gnutls-cli for the protocol version and the reason a certificate is
refused (wrong CA, wrong host name, expired), simple binds refused in clear
with confidentialityRequired, garbage in handshakes next to good clients,
certificates replaced on SIGHUP without dropping a connection, and client
certificates required by client-ca."""

import os
import random
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # the source tree may be read-only (distcheck)
sys.path.insert(0, os.path.join(os.environ.get("top_srcdir", os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..")), "tests", "ldap"))
import pocdirtest as pt  # noqa: E402

try:
    import ldap3
except ImportError:
    pt.skip_all("python3-ldap3 is not installed")
for tool in ("ldapsearch", "ldapwhoami", "certtool", "gnutls-cli"):
    if shutil.which(tool) is None:
        pt.skip_all("%s is not installed (ldap-utils, gnutls-bin)" % tool)

tap = pt.Tap()
PASSWORD = "tls test password"
OPERATOR = "cn=operator,dc=pocdir"
D = pt.scratch()
CERTS = os.path.join(D, "certs")
LIB_SH = os.path.join(pt.TOP_SRCDIR, "tests", "lib.sh")
subprocess.run(["sh", "-c", '. "$0"; make_certs "$1"', LIB_SH, CERTS], check=True,
               env=dict(os.environ, top_srcdir=pt.TOP_SRCDIR))


def cert(name):
    return os.path.join(CERTS, name)


def password_hash(pw):
    r = subprocess.run([pt.POCDIR, "passwd"], input=pw.encode() + b"\n",
                       stdout=subprocess.PIPE, check=True)
    return r.stdout.decode().strip()


def install_cert(name):
    """The daemon reads live.pem/live.key: put name's pair there."""
    for ext in ("pem", "key"):
        shutil.copyfile(cert("%s.%s" % (name, ext)), os.path.join(D, "live." + ext))


def start(conf_extra, name):
    """A pocdird on a plain and an ldaps:// port of its own."""
    plain, tls = pt.free_port(), pt.free_port()
    conf = os.path.join(D, name + ".conf")
    with open(conf, "w") as f:
        f.write("""listen: [ldap://127.0.0.1:%d, ldaps://127.0.0.1:%d]
directory: %s
log-level: debug
binds:
  - dn: %s
    password-hash: "%s"
%s""" % (plain, tls, pt.SAMPLE, OPERATOR, HASH, conf_extra))
    srv = pt.Server([pt.POCDIRD, "-f", "-c", conf], plain, os.path.join(D, name + ".log"))
    srv.plain_url = "ldap://127.0.0.1:%d" % plain
    srv.tls_url = "ldaps://127.0.0.1:%d" % tls
    srv.tls_port = tls
    return srv


def run(argv, ca="ca.pem", **env):
    e = dict(os.environ, LDAPTLS_CACERT=cert(ca), LDAPTLS_REQCERT="demand")
    e.update(env)
    return subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=e,
                          timeout=30)


def search(url, *args, ca="ca.pem", **env):
    return run(["ldapsearch", "-x", "-LLL", "-o", "ldif-wrap=no", "-H", url, "-b", "dc=pocdir"]
               + list(args), ca=ca, **env)


def gnutls_cli(port, priority=None, ca="ca.pem", extra=()):
    argv = ["gnutls-cli", "--x509cafile", cert(ca), "-p", str(port), "127.0.0.1"]
    if priority:
        argv += ["--priority", priority]
    r = subprocess.run(argv + list(extra), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=30)
    return r.returncode, r.stdout.decode("utf-8", "replace")


def tls_ldap3(srv, ca="ca.pem", **kw):
    t = ldap3.Tls(ca_certs_file=cert(ca), validate=ssl.CERT_REQUIRED)
    return ldap3.Server(srv.tls_url, use_ssl=True, tls=t, get_info=ldap3.NONE, **kw)


def wait_log(srv, text, count, timeout=10):
    end = time.time() + timeout
    while time.time() < end:
        if srv.log_text().count(text) >= count:
            return True
        time.sleep(0.05)
    return False


def reload(srv):
    """SIGHUP, and wait until the reload has been applied (or refused)."""
    n = srv.log_text().count("info: serving ") + srv.log_text().count("reload: ")
    srv.signal(signal.SIGHUP)
    end = time.time() + 10
    while time.time() < end:
        if srv.log_text().count("info: serving ") + srv.log_text().count("reload: ") > n:
            return True
        time.sleep(0.05)
    return False


HASH = password_hash(PASSWORD)

# ---- configuration errors ----
bad = os.path.join(D, "bad.conf")
with open(bad, "w") as f:
    f.write("listen: ldaps://127.0.0.1:3636\n")
r = subprocess.run([pt.POCDIRD, "-c", bad, "--check", "--directory", pt.SAMPLE],
                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
tap.ok(r.returncode != 0 and b"needs tls: certificate and key" in r.stdout,
       "an ldaps:// listener without a certificate is refused at load", r.stdout)
with open(bad, "w") as f:
    f.write("tls:\n  certificate: %s\n  key: %s\n  min-version: 1.1\n"
            % (cert("server.pem"), cert("server.key")))
r = subprocess.run([pt.POCDIRD, "-c", bad, "--check", "--directory", pt.SAMPLE],
                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
tap.ok(r.returncode != 0 and b"bad.conf:4:16: min-version: expected 1.2 or 1.3" in r.stdout,
       "min-version below 1.2 is refused with file:line:col", r.stdout)

install_cert("server")
srv = start("""simple-bind-requires-tls: yes
tls:
  certificate: %s/live.pem
  key: %s/live.key
""" % (D, D), "main")

# ---- the clients of OpenLDAP ----
r = search(srv.plain_url, "-s", "base", "-b", "", "(objectClass=*)", "supportedExtension")
tap.ok(b"supportedExtension: 1.3.6.1.4.1.1466.20037" in r.stdout,
       "root DSE lists StartTLS", r.stdout)
r = search(srv.plain_url, "-ZZ", "(&(c=JP)(pocRole=technical))", "o")
tap.ok(r.returncode == 0 and b"dn: uid=jpcert,c=JP,dc=pocdir" in r.stdout,
       "ldapsearch -ZZ (StartTLS) with LDAPTLS_CACERT", r.stdout)
r = search(srv.tls_url, "(&(c=JP)(pocRole=technical))", "o")
tap.ok(r.returncode == 0 and b"o: JPCERT/CC" in r.stdout, "ldapsearch -H ldaps://", r.stdout)
r = search(srv.tls_url, "-E", "pr=7/noprompt", "(objectClass=inetOrgPerson)", "1.1")
tap.eq(r.stdout.count(b"dn: "), 93, "a paged search of all 93 contacts over LDAPS")
r = run(["ldapwhoami", "-x", "-H", srv.plain_url, "-D", OPERATOR, "-w", PASSWORD])
tap.ok(r.returncode == 13 and b"Confidentiality required" in r.stdout,
       "a simple bind in clear: confidentialityRequired (13)", r.stdout)
r = run(["ldapwhoami", "-x", "-ZZ", "-H", srv.plain_url, "-D", OPERATOR, "-w", PASSWORD])
tap.ok(r.returncode == 0 and b"dn:" + OPERATOR.encode() in r.stdout,
       "... the same bind after StartTLS succeeds", r.stdout)
r = run(["ldapwhoami", "-x", "-H", srv.tls_url, "-D", OPERATOR, "-w", PASSWORD])
tap.ok(r.returncode == 0 and b"dn:" + OPERATOR.encode() in r.stdout,
       "... and over ldaps://", r.stdout)
r = run(["ldapwhoami", "-x", "-H", srv.plain_url])
tap.ok(r.returncode == 0 and b"anonymous" in r.stdout, "anonymous in clear still works",
       r.stdout)

# ---- refusals, seen from the client's side ----
r = search(srv.tls_url, "(uid=krcert)", ca="other-ca.pem")
tap.ok(r.returncode != 0 and b"uid=krcert" not in r.stdout,
       "ldapsearch with a CA that did not sign the certificate is refused", r.stdout)
rc, out = gnutls_cli(srv.tls_port, ca="other-ca.pem")
tap.ok(rc != 0 and "issuer is unknown" in out, "... gnutls-cli: the issuer is unknown", out)
rc, out = gnutls_cli(srv.tls_port, priority="NORMAL:-VERS-ALL:+VERS-TLS1.1:+VERS-TLS1.0")
tap.ok(rc != 0 and "Handshake was completed" not in out, "TLS 1.1 and 1.0 are refused", out)
rc, out = gnutls_cli(srv.tls_port, priority="NORMAL:-VERS-ALL:+VERS-TLS1.2")
tap.ok(rc == 0 and "Handshake was completed" in out and "TLS1.2" in out, "TLS 1.2 is accepted",
       out)
rc, out = gnutls_cli(srv.tls_port)
tap.ok(rc == 0 and "TLS1.3" in out, "TLS 1.3 is preferred", out)

# ---- python3-ldap3 ----
c = ldap3.Connection(tls_ldap3(srv), OPERATOR, PASSWORD)
tap.ok(c.bind(), "ldap3 over LDAPS with certificate validation: bound", c.result)
c.search("dc=pocdir", "(uid=krcert)", attributes=["pocEmergencyPhone"])
tap.ok(len(c.entries) == 1 and c.entries[0].pocEmergencyPhone.value,
       "... a bound client sees the 24x7 telephone", c.entries)
c.extended("1.3.6.1.4.1.1466.20037")
tap.eq(c.result["result"], 1, "StartTLS inside TLS: operationsError")
held = c  # kept open across the certificate reloads below
p = ldap3.Connection(ldap3.Server(srv.plain_url, get_info=ldap3.NONE,
                                  tls=ldap3.Tls(ca_certs_file=cert("ca.pem"),
                                                validate=ssl.CERT_REQUIRED)))
p.open()
tap.ok(p.start_tls(), "ldap3 start_tls() on the plain port", p.result)
tap.ok(p.rebind(OPERATOR, PASSWORD), "... then a simple bind", p.result)
p.unbind()
p = ldap3.Connection(ldap3.Server(srv.plain_url, get_info=ldap3.NONE), OPERATOR, PASSWORD)
tap.ok(not p.bind() and p.result["result"] == 13,
       "ldap3 simple bind in clear: confidentialityRequired", p.result)
p.unbind()

# ---- hostile handshakes do not disturb the others ----
garbage = [
    b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",  # HTTP on the LDAPS port
    b"\x16\x03\x01\x00\x08\x01\x00\x00\x04" + b"\xfe" * 4,  # a ClientHello of junk
    b"\x17\x03\x03\x00\x10" + bytes(random.getrandbits(8) for _ in range(16)),  # data first
    bytes.fromhex("300c020101600702010304008000"),  # a plain LDAP bind
]
stalled = [
    b"\x16\x03\x01\x40\x00" + b"\x01" * 100,  # announces 16 KiB, sends 100 bytes
    b"",  # connects and says nothing
]
hostile = []
for data in garbage + stalled:
    s = socket.create_connection(("127.0.0.1", srv.tls_port))
    if data:
        s.sendall(data)
    hostile.append(s)
t0 = time.time()
r = search(srv.tls_url, "(uid=krcert)", "o")
tap.ok(r.returncode == 0 and b"uid=krcert" in r.stdout and time.time() - t0 < 10,
       "an LDAPS search is answered while six clients garble or stall handshakes", r.stdout)
held.search("dc=pocdir", "(uid=jpcert)", attributes=["o"])
tap.ok(len(held.entries) == 1, "... and the open LDAPS session goes on")
closed = []
for i, s in enumerate(hostile[:len(garbage)]):
    s.settimeout(5)
    try:
        while s.recv(4096):
            pass
        closed.append(i)
    except (socket.timeout, OSError):
        pass
tap.eq(closed, list(range(len(garbage))), "each garbling client is disconnected")
gone = []
t0 = time.time()
for s in hostile[len(garbage):]:
    s.settimeout(max(0.1, 20 - (time.time() - t0)))
    try:
        while s.recv(4096):
            pass
        gone.append(time.time() - t0)
    except (socket.timeout, OSError):
        pass
tap.ok(len(gone) == len(stalled) and max(gone) < 15,
       "the stalled handshakes are closed after the handshake timeout (%s s)"
       % ", ".join("%.1f" % g for g in gone))
for s in hostile:
    s.close()
tap.ok(srv.alive(), "pocdird is still running")

# ---- certificates replaced on SIGHUP; connections stay ----
install_cert("wronghost")
tap.ok(reload(srv) and srv.log_text().count(" loaded") == 2, "SIGHUP loads the new certificate")
r = search(srv.tls_url, "(uid=krcert)")
tap.ok(r.returncode != 0, "a certificate for another host name is refused by ldapsearch",
       r.stdout)
rc, out = gnutls_cli(srv.tls_port)
tap.ok(rc != 0 and "name in the certificate does not match" in out,
       "... gnutls-cli: the owner does not match the host name", out)
held.search("dc=pocdir", "(uid=jpcert)", attributes=["o"])
tap.ok(len(held.entries) == 1 and held.bound,
       "the session opened before the reload is still served, still bound")
install_cert("expired")
tap.ok(reload(srv) and "has expired" in srv.log_text(),
       "an expired certificate loads with a warning in the log")
r = search(srv.tls_url, "(uid=krcert)")
tap.ok(r.returncode != 0, "an expired certificate is refused by ldapsearch", r.stdout)
rc, out = gnutls_cli(srv.tls_port)
tap.ok(rc != 0 and "expired" in out, "... gnutls-cli: the certificate has expired", out)
install_cert("server")
tap.ok(reload(srv) and srv.log_text().count(" loaded") == 4, "the good certificate back")
with open(os.path.join(D, "live.pem"), "w") as f:
    f.write("-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n")
tap.ok(reload(srv) and "the certificate in use stays" in srv.log_text(),
       "an unreadable certificate on reload is logged; the one in use stays")
r = search(srv.tls_url, "(uid=krcert)", "o")
tap.ok(r.returncode == 0 and b"uid=krcert" in r.stdout, "... and new clients still get it",
       r.stdout)
held.search("dc=pocdir", "(uid=jpcert)", attributes=["o"])
tap.ok(len(held.entries) == 1, "the first session survived four reloads")
held.unbind()
tap.eq(srv.stop(), 0, "SIGTERM: clean exit")

# ---- client certificates and TLS 1.3 only ----
install_cert("server")
web_port = pt.free_port()
srv = start("""web-listen: https://127.0.0.1:%d
tls:
  certificate: %s
  key: %s
  client-ca: %s
  min-version: "1.3"
""" % (web_port, cert("server.pem"), cert("server.key"), cert("ca.pem")), "mutual")
r = search(srv.tls_url, "(uid=krcert)", "o", LDAPTLS_CERT=cert("client.pem"),
           LDAPTLS_KEY=cert("client.key"))
tap.ok(r.returncode == 0 and b"uid=krcert" in r.stdout,
       "client-ca: a client certificate it signed is accepted", r.stdout)
r = search(srv.tls_url, "(uid=krcert)", "o")
tap.ok(r.returncode != 0, "... no client certificate: refused", r.stdout)
rc, out = gnutls_cli(srv.tls_port, priority="NORMAL:-VERS-ALL:+VERS-TLS1.2",
                     extra=["--x509certfile", cert("client.pem"), "--x509keyfile",
                            cert("client.key")])
tap.ok(rc != 0 and "Handshake was completed" not in out, "min-version 1.3 refuses TLS 1.2",
       out)
pt.wait_port(web_port, srv.proc)
web = "https://127.0.0.1:%d/api/v1/contacts/KR/krcert" % web_port
r = run(["curl", "-s", "-w", "\n%{http_code}", "--cacert", cert("ca.pem"), "--cert",
         cert("client.pem"), "--key", cert("client.key"), web])
tap.ok(r.stdout.endswith(b"\n200") and b'"krcert"' in r.stdout,
       "client-ca applies to HTTPS too: curl with a client certificate gets 200", r.stdout)
r = run(["curl", "-s", "-w", "\n%{http_code}", "--cacert", cert("ca.pem"), web])
tap.ok(r.stdout.endswith(b"\n403") and b"client certificate" in r.stdout,
       "... without one: 403 with a JSON error", r.stdout)
r = run(["ldapwhoami", "-x", "-H", srv.plain_url, "-D", OPERATOR, "-w", PASSWORD])
tap.ok(r.returncode == 0, "simple-bind-requires-tls: auto allows clear binds on loopback",
       r.stdout)
tap.eq(srv.stop(), 0, "SIGTERM: clean exit")
tap.done()
