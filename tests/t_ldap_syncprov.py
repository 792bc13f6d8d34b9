"""t_ldap_syncprov.py - pocdird's side of content synchronization (RFC 4533,
refreshOnly) on the wire: every entry of a refresh carries a Sync State
control (add, a UUID that stays the same), the SearchResultDone a Sync Done
control whose cookie is the directory version; that cookie again gets no
entries and refreshDeletes TRUE; another cookie gets a full refresh. Modes and
combinations pocdird does not serve, and malformed control values, get their
result code. The stock slapd consumer is in t_ldap_syncrepl.py."""

import os
import socket
import sys

sys.dont_write_bytecode = True  # the source tree may be read-only (distcheck)
sys.path.insert(0, os.path.join(os.environ.get("top_srcdir", os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..")), "tests", "ldap"))
import pocdirtest as pt  # noqa: E402
import ber  # noqa: E402

SYNC = "1.3.6.1.4.1.4203.1.9.1.1"
STATE = b"1.3.6.1.4.1.4203.1.9.1.2"
DONE = b"1.3.6.1.4.1.4203.1.9.1.3"
PAGED = "1.2.840.113556.1.4.319"
t = pt.Tap()
srv = pt.pocdird()


def sync_value(mode=1, cookie=None, reload=None):
    parts = [ber.integer(mode, 0x0a)]
    if cookie is not None:
        parts.append(ber.octets(cookie))
    if reload is not None:
        parts.append(ber.tlv(0x01, b"\xff" if reload else b"\x00"))
    return ber.seq(*parts)


def elements(buf):
    """The (tag, content) elements of buf, in order."""
    out, pos = [], 0
    while pos < len(buf):
        tag, s, e = ber.read_tlv(buf, pos)
        out.append((tag, buf[s:e]))
        pos = e
    return out


def controls_of(message):
    """{oid: value} of the [0] Controls of a whole LDAPMessage."""
    parts = elements(message)
    result = {}
    for tag, content in parts[2:]:
        if tag != 0xa0:
            continue
        for _, ctrl in elements(content):
            fields = elements(ctrl)
            oid = fields[0][1]
            value = [c for tg, c in fields[1:] if tg == 0x04]
            result[oid] = value[0] if value else None
    return result


def refresh(ctrl_list, flt=None):
    """Entries as [(dn, controls)], and (result code, done controls)."""
    s = socket.socket()
    s.settimeout(10)
    s.connect(("127.0.0.1", srv.port))
    s.sendall(ber.search(2, flt=flt, attrs=("*",), ctrls=ber.controls(*ctrl_list)))
    r = ber.Reader(s)
    entries = []
    while True:
        m = r.next()
        if m is None:
            s.close()
            return entries, (None, {})
        if m[1] == 0x64:
            dn = elements(m[2])[0][1].decode()
            entries.append((dn, controls_of(r.last)))
        elif m[1] == 0x65:
            s.close()
            return entries, (ber.result_code(m[2]), controls_of(r.last))


def done_fields(value):
    """(cookie, refreshDeletes) of a syncDoneValue."""
    cookie, deletes = None, False
    for tag, content in elements(elements(value)[0][1]):
        if tag == 0x04:
            cookie = content
        elif tag == 0x01:
            deletes = content != b"\x00"
    return cookie, deletes


entries, (rc, done) = refresh([ber.control(SYNC, sync_value(), critical=True)])
t.eq(rc, 0, "refreshOnly without a cookie: success")
t.ok(len(entries) > 100, "the whole tree is sent (%d entries)" % len(entries))
states = [c.get(STATE) for _, c in entries]
t.ok(all(v is not None for v in states), "every entry carries a Sync State control")
first = elements(elements(states[0])[0][1])
t.eq((first[0], len(first[1][1])), ((0x0a, b"\x01"), 16),
     "the state is add (1) with a 16-byte entryUUID")
uuids = {dn: elements(elements(v)[0][1])[1][1] for (dn, _), v in zip(entries, states)}
t.eq(len(set(uuids.values())), len(uuids), "each entry has its own UUID")
t.ok(DONE in done, "the SearchResultDone carries a Sync Done control", done)
cookie, deletes = done_fields(done[DONE])
t.ok(cookie is not None and cookie.startswith(b"csn=") and not deletes,
     "its cookie is a CSN and refreshDeletes is FALSE after a full refresh", (cookie, deletes))

entries2, (rc, done2) = refresh([ber.control(SYNC, sync_value(1, b"rid=001," + cookie))])
t.ok(rc == 0 and entries2 == [], "the same cookie (as slapd sends it): no entries", entries2[:3])
t.eq(done_fields(done2.get(DONE, ber.seq())), (cookie, True),
     "... the same cookie back and refreshDeletes TRUE (nothing deleted)")

entries3, (rc, done3) = refresh([ber.control(SYNC, sync_value(
    1, b"rid=001,csn=20200101000000.000000Z#000000#000#000000", reload=True))])
t.ok(rc == 0 and len(entries3) == len(entries), "an older cookie: a full refresh")
uuids3 = {dn: elements(elements(c[STATE])[0][1])[1][1] for dn, c in entries3}
t.eq(uuids3, uuids, "the UUIDs are the same in every refresh")

entries4, (rc, _) = refresh([ber.control(SYNC, sync_value())], flt=ber.equality("c", "KR"))
t.ok(rc == 0 and entries4 and all(dn.endswith("c=KR,dc=pocdir") for dn, _ in entries4),
     "a filter limits what is synchronized", [dn for dn, _ in entries4])

for what, ctrls, want in [
        ("refreshAndPersist", [ber.control(SYNC, sync_value(3), critical=True)], 53),
        ("sync with paged results", [ber.control(SYNC, sync_value()),
                                     ber.control(PAGED, ber.seq(ber.integer(5),
                                                                ber.octets(b"")))], 53),
        ("sync control without a value", [ber.control(SYNC)], 2),
        ("sync control, value not a SEQUENCE", [ber.control(SYNC, b"\x04\x00")], 2),
        ("sync control, mode missing", [ber.control(SYNC, b"\x30\x00")], 2),
        ("sync control, trailing bytes", [ber.control(SYNC, sync_value() + b"\x00")], 2),
        ("sync control, cookie of 600 bytes", [ber.control(SYNC, sync_value(1, b"x" * 600))],
         2),
        ("two sync controls", [ber.control(SYNC, sync_value()),
                               ber.control(SYNC, sync_value())], 2)]:
    _, (rc, _) = refresh(ctrls)
    t.eq(rc, want, "%s: result %d" % (what, want))
t.ok(srv.alive(), "pocdird is still up")

# A refresh is whole or useless: max-results (which caps plain searches)
# does not cut it short.
small = pt.pocdird(config="limits:\n  max-results: 10\n")
srv = small
plain, (rc_plain, _) = refresh([])
entries5, (rc, _) = refresh([ber.control(SYNC, sync_value())])
t.ok(rc_plain == 4 and len(plain) == 10,
     "max-results 10: a plain search stops at 10 (sizeLimitExceeded)", (rc_plain, len(plain)))
t.ok(rc == 0 and len(entries5) == len(entries), "... a refresh sends every entry",
     (rc, len(entries5)))
t.done()
