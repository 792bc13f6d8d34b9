"""t_ldap_exhaust.py - attackers that try to lock everyone else out of
pocdird: one address holding every slot, many addresses holding one each, a
client reconnecting as fast as it can, and connections kept alive forever
with a tiny request now and then. Meanwhile a well-behaved client from
another address must be served within a bound, and the refusals must not
flood the log. Loopback has all of 127.0.0.0/8, so each client binds its
own source address."""

import os
import socket
import sys
import time

sys.dont_write_bytecode = True  # the source tree may be read-only (distcheck)
sys.path.insert(0, os.path.join(os.environ.get("top_srcdir", os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..")), "tests", "ldap"))
import pocdirtest as pt  # noqa: E402
import ber  # noqa: E402

tap = pt.Tap()
NOTICE = b"1.3.6.1.4.1.1466.20036"
BOUND = 2.0  # seconds a well-behaved client may wait


def connect(srv, source, timeout=5):
    s = socket.socket()
    s.settimeout(timeout)
    s.bind((source, 0))
    s.connect(("127.0.0.1", srv.port))
    return s


def served(srv, source, what):
    """A new client from source: connect, search, answer, within BOUND."""
    t0 = time.time()
    try:
        s = connect(srv, source, timeout=BOUND)
        s.sendall(ber.search(1, flt=ber.equality("uid", "krcert")))
        r = ber.Reader(s)
        got = None
        while True:
            m = r.next()
            if m is None or m[0] != 1:
                break
            if m[1] == 0x65:
                got = ber.result_code(m[2])
                break
        s.close()
    except OSError as e:
        got = e
    dt = time.time() - t0
    return tap.ok(got == 0 and dt < BOUND and srv.alive(),
                  "%s: a client from %s is served (%.0f ms)" % (what, source, dt * 1000),
                  "result %r after %.2f s" % (got, dt))


def alive_count(socks, wait=0.5):
    """How many of socks the server kept: refused ones got a Notice of
    Disconnection (or EOF) at once."""
    time.sleep(wait)
    n = 0
    for s in socks:
        s.setblocking(False)
        try:
            data = s.recv(4096)
            kept = False if data == b"" or NOTICE in data else True
        except BlockingIOError:
            kept = True
        except OSError:
            kept = False
        n += kept
        s.setblocking(True)
    return n


def refusal_lines(srv):
    text = srv.log_text()
    return text.count("refusing a connection") + text.count("to make room for")


LIMITS = """limits:
  max-connections: 60
  max-connections-per-address: 10
  connection-reserve: 10
  connection-rate-per-address: 20
  idle-timeout: 60
"""

# ---- one address takes every slot it can ----
srv = pt.pocdird(config=LIMITS)
time.sleep(0.3)
hog = []
for i in range(100):
    try:
        hog.append(connect(srv, "127.0.0.2"))
    except OSError:
        pass
    time.sleep(0.06)  # under the connection rate: the per-address limit decides
kept = alive_count(hog)
tap.eq(kept, 10, "one address opening 100 connections keeps max-connections-per-address 10")
served(srv, "127.0.0.3", "while one address holds all it may")
lines = refusal_lines(srv)
tap.ok(0 < lines <= 10, "90 refusals, %d log lines (rate-limited)" % lines)
tap.ok("too many connections from this address" in srv.log_text(),
       "the refusal says why")
for s in hog:
    s.close()
srv.stop()

# ---- many addresses, one connection each, kept busy ----
srv = pt.pocdird(config=LIMITS)
time.sleep(0.3)
crowd = []
for i in range(1, 81):
    try:
        crowd.append(connect(srv, "127.0.1.%d" % i))
    except OSError:
        pass
time.sleep(0.3)
for k, s in enumerate(crowd):  # each looks active: a tiny request
    try:
        s.sendall(ber.abandon(2, 1))
    except OSError:
        pass
kept = alive_count(crowd)
tap.ok(kept <= 60, "80 addresses: %d connections kept of max-connections 60" % kept)
for i in range(3):
    served(srv, "127.0.2.%d" % (i + 1), "while 80 addresses hold every slot (%d)" % i)
tap.ok("to make room for" in srv.log_text(), "the idlest connection made room, and said so")
for s in crowd:
    s.close()
srv.stop()

# ---- one address reconnecting as fast as it can ----
srv = pt.pocdird(config=LIMITS)
time.sleep(0.3)
refused = 0
t0 = time.time()
for i in range(300):
    try:
        s = connect(srv, "127.0.0.5")
        s.sendall(ber.search(1, flt=ber.equality("uid", "krcert"), attrs=("1.1",)))
        m = ber.Reader(s).next()
        refused += m is None or m[0] == 0
        s.close()
    except OSError:
        refused += 1
    if i == 150:
        served(srv, "127.0.0.6", "while one address reconnects as fast as it can")
tap.ok(refused > 10, "300 connections in %.1f s from one address: %d refused "
       "(connection-rate-per-address 20)" % (time.time() - t0, refused))
tap.ok("connecting too often" in srv.log_text(), "the refusal says why")
tap.ok(refusal_lines(srv) <= 10, "... in at most 10 log lines a minute (%d)" % refusal_lines(srv))
srv.stop()

# ---- a connection kept alive by a request now and then still ends ----
srv = pt.pocdird(config="limits:\n  connection-lifetime: 2\n  idle-timeout: 60\n")
s = connect(srv, "127.0.0.7")
r = ber.Reader(s)
t0 = time.time()
notice = None
msgid = 1
while time.time() - t0 < 8 and notice is None:
    msgid += 1
    try:
        s.sendall(ber.search(msgid, flt=ber.equality("uid", "krcert")))
    except OSError:
        break
    while True:
        m = r.next()
        if m is None:
            break
        if m[0] == 0:
            notice = (ber.result_code(m[2]), time.time() - t0, m[2])
            break
        if m[0] == msgid and m[1] == 0x65:
            break
    time.sleep(0.3)
tap.ok(notice is not None and notice[0] == 52 and b"lifetime" in notice[2] and
       notice[1] < 5, "connection-lifetime 2: a busy connection gets a Notice of "
       "Disconnection (unavailable) after %.1f s" % (notice[1] if notice else -1), notice)
s.close()
served(srv, "127.0.0.7", "after its lifetime, the same client reconnects")
srv.stop()

# ---- paged searches left waiting expire and let go of their slot ----
PAGED = "1.2.840.113556.1.4.319"


def paged(sock, msgid, cookie=b""):
    """One page of 1 entry: (result code, cookie)."""
    sock.sendall(ber.search(msgid, flt=ber.equality("objectClass", "pocContact"), ctrls=ber.controls(
        ber.control(PAGED, ber.seq(ber.integer(1), ber.octets(cookie))))))
    r = ber.Reader(sock)
    while True:
        m = r.next()
        if m is None:
            return None, b""
        if m[0] == msgid and m[1] == 0x65:
            i = r.last.find(PAGED.encode())
            if i < 0:
                return ber.result_code(m[2]), b""
            tail = r.last[i + len(PAGED):]
            _, vs, ve = ber.read_tlv(tail, 0)
            _, ss, se = ber.read_tlv(tail[vs:ve], 0)
            body = tail[vs:ve][ss:se]
            _, _, ie = ber.read_tlv(body, 0)
            _, cs, ce = ber.read_tlv(body, ie)
            return ber.result_code(m[2]), body[cs:ce]


srv = pt.pocdird(config="limits:\n  paged-search-timeout: 1\n  max-paged-searches-total: 2\n")
a, b, c = (connect(srv, "127.0.0.8") for _ in range(3))
ra, ca = paged(a, 1)
rb, cb = paged(b, 1)
rc, _ = paged(c, 1)
tap.ok(ra == 0 and rb == 0 and ca and cb and rc == 51,
       "two paged searches wait for their next page; a third is told busy (%r)" % rc)
time.sleep(2.5)
rc, _ = paged(c, 2)
tap.eq(rc, 0, "after paged-search-timeout 1 s they expired: the third is served")
ra, _ = paged(a, 3, ca)
tap.eq(ra, 53, "... and an expired cookie is refused (unwillingToPerform)")
for s in (a, b, c):
    s.close()
tap.eq(srv.stop(), 0, "clean stop")

# ---- 300 clients that ask for everything and never read ----


def send_queues(port):
    """Bytes waiting in the kernel on each of the server's sockets on port
    (the tx_queue column of /proc/net/tcp)."""
    out = []
    with open("/proc/net/tcp") as f:
        for line in f.readlines()[1:]:
            v = line.split()
            if int(v[1].split(":")[1], 16) == port and v[3] == "01":  # ESTABLISHED
                out.append(int(v[4].split(":")[0], 16))
    return out


big = pt.gen_directory(5000, 50)
srv = pt.pocdird(big, config="limits:\n  max-results: 100000\n")
time.sleep(0.3)
hogs = []
everything = b"".join(ber.search(10 + k, attrs=("*",)) for k in range(16))
for i in range(300):
    h = socket.socket()
    h.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    h.bind(("127.0.%d.%d" % (20 + i // 200, 1 + i % 200), 0))
    h.connect(("127.0.0.1", srv.port))
    h.sendall(everything)  # 16 answers of 3 MB each, never read
    hogs.append(h)
# Wait until they have had what they may have (the kernel's queues stop
# growing); without the caps they grow for a long time yet.
prev, t0 = -1, time.time()
while time.time() - t0 < 30:
    time.sleep(1)
    total = sum(send_queues(srv.port))
    if abs(total - prev) < 256 * 1024:
        break
    prev = total
tap.diag("non-readers fed for %.0f s" % (time.time() - t0))
for i in range(5):
    served(srv, "127.0.0.12", "beside 300 clients that never read (%d)" % i)
q = send_queues(srv.port)
# Uncapped, the kernel let each grow past 1.3 MB within 6 s (348 MB in all,
# on its way to 4 MB each), all of it encoded for clients that never read.
tap.ok(len(q) >= 300 and max(q) <= 600 * 1024,
       "300 clients that never read: at most %d KiB each waits in the kernel (%.0f MB in all)"
       % (max(q or [0]) // 1024, sum(q) / 1e6))
for h in hogs:
    h.close()
srv.stop()

# ---- the feed over HTTP: slow clients from one address ----
import http.client  # noqa: E402

state = pt.scratch()
hport = pt.free_port()
srv = pt.pocdird(config="sync:\n  state: %s\n  publisher: a\n  feed-listen: 127.0.0.1:%d\n"
                 "limits:\n  http-max-connections: 64\n  http-max-connections-per-address: 8\n"
                 % (state, hport))


def fetch_index(source, timeout=BOUND):
    t0 = time.time()
    try:
        h = http.client.HTTPConnection("127.0.0.1", hport, timeout=timeout,
                                       source_address=(source, 0))
        h.request("GET", "/index.yaml")
        r = h.getresponse()
        ok = r.status == 200 and b"publisher" in r.read()
        h.close()
    except OSError as e:
        ok = e
    return ok, time.time() - t0


for i in range(50):
    if fetch_index("127.0.0.1")[0] is True:
        break
    time.sleep(0.2)
slow = []
for i in range(80):
    try:
        c = connect(type("S", (), {"port": hport})(), "127.0.0.10")
        c.sendall(b"GET /index.yaml HTTP/1.1\r\nHost: x\r\n")  # and never the end
        slow.append(c)
    except OSError:
        pass
time.sleep(0.5)
got, dt = fetch_index("127.0.0.11")
tap.ok(got is True and dt < BOUND, "80 half-sent requests from one address: the feed still "
       "answers another in %.0f ms (%r)" % (dt * 1000, got))
kept = alive_count(slow, wait=0.1)
tap.ok(kept <= 8, "... the slow address keeps %d connections (http-max-connections-per-address 8)"
       % kept)
for c in slow:
    c.close()
tap.eq(srv.stop(), 0, "clean stop")
tap.done()
