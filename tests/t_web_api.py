"""t_web_api.py - pocdird's JSON API and web page over HTTP and HTTPS with
curl and Python's http.client: the export's shape, every query parameter,
the visibility rules of anonymous LDAP and HTTP basic authentication over
TLS, JSON errors with fitting statuses, ETag and 304, and hostile query
strings (huge, bad UTF-8, script injection) answered with 4xx or escaped."""

import http.client
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import urllib.parse

sys.dont_write_bytecode = True  # the source tree may be read-only (distcheck)
sys.path.insert(0, os.path.join(os.environ.get("top_srcdir", os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..")), "tests", "ldap"))
import pocdirtest as pt  # noqa: E402

for tool in ("curl", "certtool", "ldapsearch"):
    if shutil.which(tool) is None:
        pt.skip_all("%s is not installed (curl, gnutls-bin, ldap-utils)" % tool)

tap = pt.Tap()
PASSWORD = "web test password"
OPERATOR = "cn=operator,dc=pocdir"
D = pt.scratch()
CERTS = os.path.join(D, "certs")
subprocess.run(["sh", "-c", '. "$0"; make_certs "$1"',
                os.path.join(pt.TOP_SRCDIR, "tests", "lib.sh"), CERTS], check=True,
               env=dict(os.environ, top_srcdir=pt.TOP_SRCDIR))
HASH = subprocess.run([pt.POCDIR, "passwd"], input=PASSWORD.encode() + b"\n",
                      stdout=subprocess.PIPE, check=True).stdout.decode().strip()

ldap_port, http_port, https_port = pt.free_port(), pt.free_port(), pt.free_port()
conf = os.path.join(D, "pocdird.conf")
with open(conf, "w") as f:
    f.write("""listen: 127.0.0.1:%d
directory: %s
web-listen: [http://127.0.0.1:%d, https://127.0.0.1:%d]
tls:
  certificate: %s/server.pem
  key: %s/server.key
limits:
  max-results: 50
binds:
  - dn: %s
    password-hash: "%s"
""" % (ldap_port, pt.SAMPLE, http_port, https_port, CERTS, CERTS, OPERATOR, HASH))
srv = pt.Server([pt.POCDIRD, "-f", "-c", conf], ldap_port, os.path.join(D, "pocdird.log"))
if not pt.wait_port(http_port, srv.proc) or not pt.wait_port(https_port, srv.proc):
    tap.ok(False, "web servers listen", srv.log_text())
    tap.done()
CTX = ssl.create_default_context(cafile=os.path.join(CERTS, "ca.pem"))


def get(path, tls=False, auth=None, headers=None, method="GET"):
    """(status, headers dict lower-cased, body bytes)."""
    if tls:
        c = http.client.HTTPSConnection("127.0.0.1", https_port, context=CTX, timeout=20)
    else:
        c = http.client.HTTPConnection("127.0.0.1", http_port, timeout=20)
    h = dict(headers or {})
    if auth is not None:
        import base64
        h["Authorization"] = "Basic " + base64.b64encode(auth.encode()).decode()
    c.request(method, path, headers=h)
    r = c.getresponse()
    body = r.read()
    hdrs = {k.lower(): v for k, v in r.getheaders()}
    c.close()
    return r.status, hdrs, body


def jget(path, **kw):
    st, h, body = get(path, **kw)
    try:
        return st, h, json.loads(body)
    except ValueError:
        return st, h, body


def ldap_dns(flt, *attrs):
    flt = "(&(objectClass=pocContact)%s)" % flt
    r = subprocess.run(["ldapsearch", "-x", "-LLL", "-o", "ldif-wrap=no", "-H",
                        "ldap://127.0.0.1:%d" % ldap_port, "-b", "dc=pocdir", flt, "1.1"]
                       + list(attrs), stdout=subprocess.PIPE, check=False)
    return sorted(l[4:] for l in r.stdout.decode().splitlines() if l.startswith("dn: "))


# ---- the export's shape ----
st, h, body = jget("/api/v1/contacts?country=KR&role=technical")
tap.ok(st == 200 and h.get("content-type") == "application/json", "GET contacts: 200 JSON")
tap.ok(isinstance(body, list) and [e["id"] for e in body] == ["krcert", "nis-ncsc"],
       "country=KR&role=technical: KrCERT/CC and the NCSC", [e.get("id") for e in body])
cli = subprocess.run([pt.POCDIR, "lookup", "-d", pt.SAMPLE, "--country", "KR", "--role",
                      "technical", "--format", "json"], stdout=subprocess.PIPE)
try:
    cli_json = json.loads(cli.stdout)
except ValueError:
    cli_json = None
tap.ok(cli_json is not None and body and set(body[0]) <= set(cli_json[0]) |
       {"pocEmergencyPhone", "pocEmergencyMail", "mobile"} and body[0]["dn"] == cli_json[0]["dn"],
       "the API speaks the library's JSON export shape (as pocdir --format json)",
       (body, cli_json))
tap.ok(body and "pocEmergencyPhone" not in body[0] and "mobile" not in body[0],
       "anonymous: the 24x7 telephone and mobile are hidden, as in anonymous LDAP")
st, h, one = jget("/api/v1/contacts/KR/krcert")
tap.ok(st == 200 and isinstance(one, list) and len(one) == 1 and one[0]["id"] == "krcert",
       "GET contacts/KR/krcert: an array of one", one)
st, h, one = jget("/api/v1/contacts/kr/KRCERT")
tap.ok(st == 200 and one[0]["id"] == "krcert", "... country and id in any case")

# ---- the same answers as LDAP ----
cases = [
    ("country=JP", "(c=JP)"),
    ("role=24x7", "(pocRole=24x7)"),
    ("agency=cert", "(o=*cert*)"),
    ("q=kim", "(|(cn=*kim*)(o=*kim*)(mail=kim*))"),
    ("filter=" + urllib.parse.quote("(&(c=KR)(|(pocRole=policy)(pocRole=technical)))"),
     "(&(c=KR)(|(pocRole=policy)(pocRole=technical)))"),
    ("country=JP&q=" + urllib.parse.quote("JPCERT"),
     "(&(c=JP)(|(cn=*JPCERT*)(o=*JPCERT*)(mail=JPCERT*)))"),
]
for qs, flt in cases:
    st, h, body = jget("/api/v1/contacts?" + qs)
    got = sorted(e["dn"] for e in body) if st == 200 else body
    want = ldap_dns(flt)
    tap.ok(st == 200 and got == want and len(want) > 0,
           "%s: the contacts LDAP finds for %s (%d)" % (qs, flt, len(want)), (got, want))
st, h, body = jget("/api/v1/contacts?filter=" + urllib.parse.quote("(pocEmergencyPhone=*)"))
tap.ok(st == 200 and body == [], "anonymous: a filter on a hidden attribute matches nothing",
       body)
st, h, body = jget("/api/v1/contacts")
tap.ok(st == 200 and len(body) == 50 and h.get("pocdir-total") == "93" and
       h.get("pocdir-truncated") == "max-results",
       "no parameters: max-results (50) of 93, said in headers", h)

# ---- authentication ----
st, h, body = jget("/api/v1/contacts/KR/krcert", tls=True, auth=OPERATOR + ":" + PASSWORD)
tap.ok(st == 200 and body[0].get("pocEmergencyPhone"),
       "HTTPS + basic authentication as a bind DN: the 24x7 telephone is shown", body)
tap.ok(h.get("cache-control", "").startswith("private"), "... and the answer is private", h)
st, h, body = jget("/api/v1/contacts?filter=" + urllib.parse.quote("(pocEmergencyPhone=*)"),
                   tls=True, auth=OPERATOR + ":" + PASSWORD)
tap.ok(st == 200 and len(body) == len(ldap_dns("(pocEmergencyPhone=*)")) or
       (st == 200 and len(body) > 0), "... and filters on it work", body)
st, h, body = jget("/api/v1/contacts", tls=True, auth=OPERATOR + ":wrong")
tap.ok(st == 401 and "basic" in h.get("www-authenticate", "").lower() and
       "error" in body, "a wrong password: 401 with WWW-Authenticate and a JSON error", (h, body))
st, h, body = jget("/api/v1/contacts", tls=True, auth="cn=nobody,dc=pocdir:" + PASSWORD)
tap.eq(st, 401, "an unknown DN: 401")
st, h, body = jget("/api/v1/contacts", auth=OPERATOR + ":" + PASSWORD)
tap.ok(st == 403 and "HTTPS" in body.get("error", ""),
       "credentials over plain HTTP: 403, never checked", body)
st, h, body = jget("/api/v1/contacts/KR/krcert", tls=True)
tap.ok(st == 200 and "pocEmergencyPhone" not in body[0], "anonymous over HTTPS: hidden still")

# ---- errors ----
for path, status, what in [
        ("/api/v1/contacts?filter=" + urllib.parse.quote("(cn=kim"), 400, "a broken filter"),
        ("/api/v1/contacts?country=Korea", 400, "a country that is not a code"),
        ("/api/v1/contacts?color=red", 400, "an unknown parameter"),
        ("/api/v1/contacts/KR/nosuch", 404, "an unknown contact"),
        ("/api/v1/contacts/KR", 404, "a path without an id"),
        ("/api/v1/nothing", 404, "an unknown resource"),
        ("/api/v1/contacts?q=%ff%fe", 400, "q that is not UTF-8"),
        ("/api/v1/contacts?q=%c0%af", 400, "an overlong UTF-8 form"),
        ("/api/v1/contacts?q=a%00b", 400, "a NUL in a value"),
        ("/api/v1/contacts?agency=" + "x" * 300, 414, "a 300-byte value"),
]:
    st, h, body = jget(path)
    tap.ok(st == status and isinstance(body, dict) and body.get("status") == status and
           body.get("error") and h.get("content-type") == "application/json",
           "%s: %d with a JSON error" % (what, status), (st, body))
st, h, body = get("/api/v1/contacts", method="POST")
tap.eq(st, 405, "POST: 405")


def raw(request):
    """What the server answers to request's bytes, until it closes."""
    s = socket.create_connection(("127.0.0.1", http_port), timeout=10)
    s.sendall(request)
    got = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            got += chunk
    except (ConnectionResetError, socket.timeout):
        pass
    s.close()
    return got


got = raw(b"POST /api/v1/contacts HTTP/1.1\r\nHost: a\r\nConnection: close\r\n"
          b"Content-Length: 3\r\n\r\nabc")
tap.ok(got.startswith(b"HTTP/1.1 405 "), "POST with a body: 405, not a closed connection",
       got[:80])
got = raw(b"GET /api/v1/contacts HTTP/1.1\r\nHost: a\r\nConnection: close\r\n"
          b"Content-Length: 5\r\n\r\nhello")
tap.ok(got.startswith(b"HTTP/1.1 400 ") and b"no body expected" in got,
       "GET with a body: 400 no body expected", got[:80])
got = raw(b"POST /api/v1/contacts HTTP/1.1\r\nHost: a\r\nConnection: close\r\n"
          b"Content-Length: 200000\r\n\r\n" + b"x" * 200000)
tap.ok(not got.startswith(b"HTTP/1.1 2"), "a 200 kB body: the connection ends, nothing served",
       got[:80])
st, h, body = get("/api/v1/contacts?q=" + "a" * 200000)
tap.ok(400 <= st < 500, "a 200 kB URL: refused with a 4xx (%d)" % st)
tap.ok(srv.alive(), "pocdird is still running")

# ---- caching ----
st, h, body = get("/api/v1/contacts?country=JP")
etag = h.get("etag")
tap.ok(etag and h.get("cache-control") == "public, no-cache", "an ETag and no-cache", h)
st2, h2, body2 = get("/api/v1/contacts?country=JP", headers={"If-None-Match": etag})
tap.ok(st2 == 304 and body2 == b"" and h2.get("etag") == etag, "If-None-Match: 304, no body")
st3, h3, _ = get("/api/v1/contacts?country=JP", tls=True, auth=OPERATOR + ":" + PASSWORD,
                 headers={"If-None-Match": etag})
tap.ok(st3 == 200 and h3.get("etag") != etag, "a bound client's ETag differs from anonymous")
r = subprocess.run(["curl", "-s", "-i", "--cacert", os.path.join(CERTS, "ca.pem"),
                    "https://127.0.0.1:%d/api/v1/contacts/JP/jpcert" % https_port],
                   stdout=subprocess.PIPE)
tap.ok(r.returncode == 0 and b"HTTP/1.1 200" in r.stdout and b'"jpcert"' in r.stdout,
       "curl over HTTPS with the test CA", r.stdout[:300])
r = subprocess.run(["curl", "-s", "--cacert", os.path.join(CERTS, "other-ca.pem"),
                    "https://127.0.0.1:%d/api/v1/contacts" % https_port], stdout=subprocess.PIPE)
tap.ok(r.returncode != 0, "curl with a CA that did not sign it: refused")

# ---- the page: escaping and hostile input ----
st, h, body = get("/?q=" + urllib.parse.quote('"><script>alert(1)</script>'))
page = body.decode()
tap.ok(st == 200 and "<script>" not in page and
       "&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in page,
       "script in the search box: shown escaped, never run", page[:200])
csp = h.get("content-security-policy", "")
tap.ok("default-src 'none'" in csp and "script-src" not in csp and "frame-ancestors 'none'" in csp,
       "a strict Content-Security-Policy: nothing but our style sheet loads", csp)
tap.ok(h.get("x-content-type-options") == "nosniff", "nosniff")
st, h, body = get("/?country=" + urllib.parse.quote("<b>KR"))
tap.ok(st == 400 and "<b>" not in body.decode() and "&lt;b&gt;" not in body.decode() and
       "role=\"alert\"" in body.decode(), "a bad country: 400 page, the value not echoed raw")
st, h, body = get("/?q=%ff")
tap.eq(st, 400, "bad UTF-8 in the page's query: 400")
st, h, body = get("/?q=" + "y" * 5000)
tap.eq(st, 414, "a 5000-byte search: 414")
st, h, body = get("/contact/KR/krcert")
page = body.decode()
tap.ok(st == 200 and "KrCERT/CC" in page and "PGP fingerprint" in page and
       "7A8D 0B53" in page and "Local time" in page and ".vcf" in page,
       "a contact's page: name, PGP fingerprint, local time, vCard link")
tap.ok("+82 2 0000 0118" not in page, "... without the hidden 24x7 telephone for anonymous")
st, h, body = get("/contact/KR/krcert.vcf")
tap.ok(st == 200 and h.get("content-type", "").startswith("text/vcard") and
       body.startswith(b"BEGIN:VCARD") and b"0118" not in body,
       "the vCard: text/vcard, anonymous view", body)
st, h, body = get("/contact/KR/krcert.vcf", tls=True, auth=OPERATOR + ":" + PASSWORD)
tap.ok(st == 200 and b"x-24x7" in body, "... bound: with the 24x7 telephone", body)
st, h, body = get("/contact/KR/../../etc/passwd")
tap.eq(st, 404, "a path that climbs: 404")
st, h, body = get("/style.css")
tap.ok(st == 200 and h.get("content-type", "").startswith("text/css"), "the style sheet")
tap.ok(srv.alive(), "pocdird is still running")
tap.eq(srv.stop(), 0, "SIGTERM: clean exit")
tap.done()
