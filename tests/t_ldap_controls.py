"""t_ldap_controls.py - pocdird given hostile values inside well-formed LDAP
messages, before any bind: control values that are empty, absent, truncated,
of the wrong type or with trailing bytes, extended operations and SASL binds
with odd payloads. Each gets an LDAP result code (protocolError for a bad
value, unavailableCriticalExtension for an unknown critical control), never a
crash; ldapsearch's own form of the first one is run too. A few answers are
checked byte for byte: the result, extended response, notice and response
control encodings."""

import os
import shutil
import socket
import subprocess
import sys

sys.dont_write_bytecode = True  # the source tree may be read-only (distcheck)
sys.path.insert(0, os.path.join(os.environ.get("top_srcdir", os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..")), "tests", "ldap"))
import pocdirtest as pt  # noqa: E402
import ber  # noqa: E402

PAGED = "1.2.840.113556.1.4.319"
NOTICE = b"1.3.6.1.4.1.1466.20036"
tap = pt.Tap()
srv = pt.pocdird()


def connect():
    s = socket.socket()
    s.settimeout(5)
    s.connect(("127.0.0.1", srv.port))
    return s


def answer(s, msgid, tag):
    """The result code of msgid's response of type tag (entries skipped), or
    None when the connection ended first."""
    r = ber.Reader(s)
    while True:
        m = r.next()
        if m is None:
            return None
        if m[0] == msgid and m[1] == tag:
            return ber.result_code(m[2])
        if m[0] == 0:
            return ("notice", ber.result_code(m[2]))


def still_serves(s, what):
    """After the odd request, the same connection answers a normal search
    and the daemon is alive."""
    s.sendall(ber.search(99, flt=ber.equality("uid", "krcert")))
    rc = answer(s, 99, 0x65)
    tap.ok(rc == 0 and srv.alive(), "%s: the session goes on (next search: %r)" % (what, rc))


def search_with(ctrls, what, want, keep=True):
    s = connect()
    s.sendall(ber.search(2, flt=ber.equality("c", "KR"), ctrls=ber.controls(*ctrls)))
    rc = answer(s, 2, 0x65)
    tap.eq(rc, want, "%s: result %r" % (what, want))
    tap.ok(srv.alive(), "%s: the daemon is alive" % what)
    if keep:
        still_serves(s, what)
    s.close()


# ---- the paged-results control (RFC 2696) with bad values ----
search_with([ber.control(PAGED, b"")], "paged control, empty value", 2)
search_with([ber.control(PAGED, b"", critical=True)], "critical paged control, empty value", 2)
search_with([ber.control(PAGED)], "paged control, no value", 2)
search_with([ber.control(PAGED, b"\x30")], "paged control, value of one byte", 2)
search_with([ber.control(PAGED, b"\x04\x00")], "paged control, value not a SEQUENCE", 2)
search_with([ber.control(PAGED, b"\x30\x00")], "paged control, empty SEQUENCE", 2)
search_with([ber.control(PAGED, b"\x30\x05\x02\x01\x05")], "paged control, truncated", 2)
search_with([ber.control(PAGED, b"\x30\x84\x7f\xff\xff\xff\x02\x01\x05")],
            "paged control, a 2 GiB length inside the value", 2)
search_with([ber.control(PAGED, ber.seq(ber.integer(5), ber.octets(b"")) + b"\x00\x00")],
            "paged control, trailing bytes after the value", 2)
search_with([ber.control(PAGED, ber.seq(ber.integer(-1), ber.octets(b"")))],
            "paged control, negative size", 2)
search_with([ber.control(PAGED, ber.seq(ber.integer(5), ber.octets(b"x" * 65)))],
            "paged control, 65-byte cookie", 2)
search_with([ber.control(PAGED, ber.seq(ber.integer(5), ber.integer(5)))],
            "paged control, cookie not an OCTET STRING", 2)
search_with([ber.control(PAGED, ber.seq(ber.integer(2 ** 40), ber.octets(b"")))],
            "paged control, size beyond a 32-bit INTEGER", 2)
search_with([ber.control(PAGED, ber.seq(ber.integer(5), ber.octets(b"\xff" * 8)))],
            "paged control, a cookie never handed out", 53)
search_with([ber.control(PAGED, ber.seq(ber.integer(5), ber.octets(b""))),
             ber.control(PAGED, ber.seq(ber.integer(5), ber.octets(b"")))],
            "paged control twice", 2)
search_with([ber.control(PAGED, ber.seq(ber.integer(5), ber.octets(b"")))],
            "paged control, well-formed", 0)

# ---- the content-synchronization control (RFC 4533) with bad values ----
SYNC = "1.3.6.1.4.1.4203.1.9.1.1"
search_with([ber.control(SYNC, b"")], "sync control, empty value", 2)
search_with([ber.control(SYNC)], "sync control, no value", 2)
search_with([ber.control(SYNC, b"\x30\x03\x0a\x01")], "sync control, truncated", 2)
search_with([ber.control(SYNC, ber.seq(ber.integer(1, 0x0a)) + b"\x00")],
            "sync control, trailing bytes", 2)
search_with([ber.control(SYNC, ber.seq(ber.integer(1, 0x0a), ber.octets(b"x" * 5000)))],
            "sync control, a 5,000-byte cookie", 2)

# ---- other controls ----
search_with([ber.control("1.2.3.4", b"", critical=True)],
            "unknown critical control, empty value", 12)
search_with([ber.control("1.2.3.4", b"")], "unknown non-critical control, empty value", 0)
search_with([ber.control("2.16.840.1.113730.3.4.2", b"")], "ManageDsaIT, empty value", 0)

# A NUL inside the OID must not make it pass for the paged control.
s = connect()
s.sendall(ber.search(2, ctrls=ber.controls(ber.control(PAGED + "\0x", b""))))
rc = answer(s, 2, 0x65)
tap.eq(rc, ("notice", 2), "control OID with a NUL byte: Notice of Disconnection")
s.close()
tap.ok(srv.alive(), "... and the daemon is alive")

# The paged control on an operation it does not apply to is not decoded.
for what, op, tag in [
        ("compare", ber.seq(ber.octets("uid=krcert,c=KR,dc=pocdir"),
                            ber.seq(ber.octets("c"), ber.octets("KR")), tag=0x6e), 0x6f),
        ("extended (whoami)", ber.seq(ber.octets("1.3.6.1.4.1.4203.1.11.3", 0x80),
                                      tag=0x77), 0x78),
        ("delete", ber.octets("uid=krcert,c=KR,dc=pocdir", 0x4a), 0x6b)]:
    s = connect()
    s.sendall(ber.message(3, op, ber.controls(ber.control(PAGED, b""))))
    rc = answer(s, 3, tag)
    tap.ok(rc is not None and rc != ("notice", 2) and srv.alive(),
           "%s with an empty paged control: answered (%r)" % (what, rc))
    s.close()

# ---- extended operations and SASL credentials with odd payloads ----
EXT = [("whoami with an empty requestValue",
        ber.seq(ber.octets("1.3.6.1.4.1.4203.1.11.3", 0x80), ber.octets(b"", 0x81), tag=0x77)),
       ("StartTLS with an empty requestValue",
        ber.seq(ber.octets("1.3.6.1.4.1.1466.20037", 0x80), ber.octets(b"", 0x81), tag=0x77)),
       ("unknown extended operation with a BER-looking value",
        ber.seq(ber.octets("1.2.3.4", 0x80), ber.octets(b"\x30\x84\xff\xff\xff\xff", 0x81),
                tag=0x77)),
       ("extended request with an empty requestName",
        ber.seq(ber.octets("", 0x80), tag=0x77))]
for what, op in EXT:
    s = connect()
    s.sendall(ber.message(4, op))
    rc = answer(s, 4, 0x78)
    tap.ok(isinstance(rc, int) and rc != 0 and srv.alive(), "%s: refused (%r)" % (what, rc))
    s.close()

for what, creds in [("SASL bind, mechanism only", ber.octets("PLAIN")),
                    ("SASL bind, empty credentials", ber.octets("PLAIN") + ber.octets(b"")),
                    ("SASL bind, credentials that look like BER",
                     ber.octets("EXTERNAL") + ber.octets(b"\x30\x00"))]:
    s = connect()
    s.sendall(ber.message(5, ber.seq(ber.integer(3), ber.octets(""),
                                     ber.seq(creds, tag=0xa3), tag=0x60)))
    rc = answer(s, 5, 0x61)
    tap.eq(rc, 7, "%s: authMethodNotSupported" % what)
    still_serves(s, what)
    s.close()

# ---- the answers byte for byte (RFC 4511 4.1.9, 4.4.1, 4.12; RFC 2696) ----
# One encoder builds them all: each field where the RFC puts it, the
# optional ones only when they have something to say.
def result(code, matched="", text=""):
    return ber.integer(code, 0x0a) + ber.octets(matched) + ber.octets(text)


def exact(request, want, what):
    s = connect()
    s.sendall(request)
    r = ber.Reader(s)
    m = r.next()
    while m is not None and m[1] == 0x64:
        m = r.next()
    s.close()
    tap.eq(m and r.last, want, what)


exact(ber.message(7, ber.seq(ber.octets("1.3.6.1.4.1.4203.1.11.3", 0x80), tag=0x77)),
      ber.integer(7) + ber.tlv(0x78, result(0) + ber.octets(b"", 0x8b)),
      "Who am I? anonymous: success, an empty responseValue, no responseName")
exact(ber.message(8, ber.seq(ber.octets("1.2.3.4", 0x80), tag=0x77)),
      ber.integer(8) + ber.tlv(0x78, result(2, text="unsupported extended operation")),
      "an unknown extended operation: protocolError, no responseName")
exact(ber.search(9, base="uid=nobody,c=KR,dc=pocdir"),
      ber.integer(9) + ber.tlv(0x65, result(32, "c=KR,dc=pocdir", "no such entry")),
      "noSuchObject: the matchedDN and the text in a SearchResultDone")
exact(ber.message(10, ber.octets("uid=krcert,c=KR,dc=pocdir", 0x4a)),
      ber.integer(10) + ber.tlv(0x6b, result(53, text="the directory is read-only; changes "
                                                      "come from the origins' signed files")),
      "delete: unwillingToPerform in a DelResponse")
exact(ber.search(11, flt=ber.equality("c", "KR"), ctrls=ber.controls(ber.control(
          PAGED, ber.seq(ber.integer(1), ber.octets(b""))))),
      ber.integer(11) + ber.tlv(0x65, result(0)) + ber.controls(ber.control(
          PAGED, ber.seq(ber.integer(0), ber.octets((1).to_bytes(8, "big"))))),
      "a page: success, then the paged results control with the connection's first cookie")
exact(ber.message(0, ber.tlv(0x42, b"")),
      ber.integer(0) + ber.tlv(0x78, result(2, text="bad messageID") +
                               ber.octets(NOTICE, 0x8a)),
      "messageID 0: the Notice of Disconnection, named")

# ---- the report's own command ----
if shutil.which("ldapsearch") is None:
    tap.ok(True, "# SKIP ldapsearch not installed (ldap-utils)")
else:
    p = subprocess.run(["ldapsearch", "-x", "-H", srv.url, "-b", "dc=pocdir",
                        "-E", PAGED + "=:", "(c=KR)"],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=30)
    out = p.stdout.decode("utf-8", "replace")
    tap.ok(p.returncode == 2 and "result: 2 Protocol error" in out,
           "ldapsearch -E '%s=:': protocolError (exit %d)" % (PAGED, p.returncode), out)
    p = subprocess.run(["ldapsearch", "-x", "-H", srv.url, "-b", "dc=pocdir",
                        "-E", "!" + PAGED + "=:", "(c=KR)"],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=30)
    tap.eq(p.returncode, 2, "ldapsearch -E '!%s=:' (critical): protocolError" % PAGED)
    p = subprocess.run(["ldapsearch", "-x", "-LLL", "-H", srv.url, "-b", "dc=pocdir",
                        "(uid=krcert)", "uid"], stdout=subprocess.PIPE, timeout=30)
    tap.ok(p.returncode == 0 and b"uid: krcert" in p.stdout,
           "... and the daemon still answers ldapsearch")

tap.eq(srv.stop(), 0, "clean stop after hostile control values")
tap.done()
