"""ber.py - just enough BER (X.690) to write LDAP requests by hand, hostile
ones included, and to read the server's answers in the abuse tests. The
daemon itself uses only liblber; this is test scaffolding."""

import socket


def length(n):
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


def tlv(tag, content):
    return bytes([tag]) + length(len(content)) + content


def integer(v, tag=0x02):
    return tlv(tag, v.to_bytes(max(1, (v.bit_length() + 8) // 8), "big", signed=True))


def octets(s, tag=0x04):
    return tlv(tag, s.encode() if isinstance(s, str) else s)


def seq(*parts, tag=0x30):
    return tlv(tag, b"".join(parts))


def message(msgid, op, controls=b""):
    return seq(integer(msgid), op, controls)


def present(attr):
    return octets(attr, 0x87)


def equality(attr, value):
    return seq(octets(attr), octets(value), tag=0xa3)


def control(oid, value=None, critical=None):
    """A Control (RFC 4511 4.1.11); value is the raw controlValue bytes."""
    parts = [octets(oid)]
    if critical is not None:
        parts.append(tlv(0x01, b"\xff" if critical else b"\x00"))
    if value is not None:
        parts.append(octets(value))
    return seq(*parts)


def controls(*ctrls):
    """The [0] Controls of an LDAPMessage."""
    return seq(*ctrls, tag=0xa0)


def ava(choice, attr, value):
    """equalityMatch (0xa3), greaterOrEqual (0xa5), lessOrEqual (0xa6) or
    approxMatch (0xa8)."""
    return seq(octets(attr), octets(value), tag=choice)


def substrings(attr, initial=None, any_=(), final=None):
    parts = ([octets(initial, 0x80)] if initial is not None else []) + \
        [octets(a, 0x81) for a in any_] + ([octets(final, 0x82)] if final is not None else [])
    return seq(octets(attr), seq(*parts), tag=0xa4)


def extensible(value, rule=None, attr=None, dn=False):
    """MatchingRuleAssertion (RFC 4511 4.5.1): either rule or attr or both."""
    parts = []
    if rule is not None:
        parts.append(octets(rule, 0x81))
    if attr is not None:
        parts.append(octets(attr, 0x82))
    parts.append(octets(value, 0x83))
    if dn:
        parts.append(tlv(0x84, b"\xff"))
    return seq(*parts, tag=0xa9)


def or_(*filters):
    return seq(*filters, tag=0xa1)


def and_(*filters):
    return seq(*filters, tag=0xa0)


def not_(f):
    return tlv(0xa2, f)


def simple_bind(msgid, dn="", password=""):
    return message(msgid, seq(integer(3), octets(dn), octets(password, 0x80), tag=0x60))


def search(msgid, base="dc=pocdir", scope=2, flt=None, attrs=("1.1",), size=0, ctrls=b"",
           time=0):
    flt = flt if flt is not None else present("objectClass")
    op = seq(octets(base), integer(scope, 0x0a), integer(0, 0x0a), integer(size),
             integer(time), tlv(0x01, b"\x00"), flt, seq(*[octets(a) for a in attrs]),
             tag=0x63)
    return message(msgid, op, ctrls)


def abandon(msgid, target):
    return message(msgid, integer(target, 0x50))


def unbind(msgid):
    return message(msgid, tlv(0x42, b""))


def read_tlv(buf, pos):
    """(tag, content start, end) of the element at pos, or None if incomplete."""
    if pos + 2 > len(buf):
        return None
    tag = buf[pos]
    n = buf[pos + 1]
    pos += 2
    if n & 0x80:
        k = n & 0x7f
        if pos + k > len(buf):
            return None
        n = int.from_bytes(buf[pos:pos + k], "big")
        pos += k
    if pos + n > len(buf):
        return None
    return tag, pos, pos + n


class Reader:
    """Split a byte stream into LDAPMessages: (msgid, op tag, op content)."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""
        self.eof = False

    def next(self):
        while True:
            t = read_tlv(self.buf, 0)
            if t is not None:
                _, start, end = t
                body = self.buf[start:end]
                self.buf = self.buf[end:]
                self.last = body  # the whole LDAPMessage, controls included
                _, s, e = read_tlv(body, 0)
                msgid = int.from_bytes(body[s:e], "big", signed=True)
                op, os_, oe = read_tlv(body, e)
                return msgid, op, body[os_:oe]
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                return None
            if not data:
                self.eof = True
                return None
            self.buf += data


def result_code(content):
    """resultCode of an LDAPResult's contents."""
    _, s, e = read_tlv(content, 0)
    return int.from_bytes(content[s:e], "big")


def ask(port, flt, base="dc=pocdir", scope=2, timeout=10):
    """Send one search with the raw Filter flt on a new connection; return
    (resultCode, sorted lower-case DNs), or ("disconnected", resultCode of
    the Notice of Disconnection or None) when the server ends the session."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        s.sendall(search(1, base=base, scope=scope, flt=flt))
        r = Reader(s)
        dns = []
        while True:
            m = r.next()
            if m is None:
                return ("disconnected", None)
            msgid, op, content = m
            if op == 0x64:
                _, a, b = read_tlv(content, 0)
                dns.append(content[a:b].decode("utf-8", "replace").lower())
            elif op == 0x65:
                return (result_code(content), sorted(dns))
            elif msgid == 0 and op == 0x78:
                return ("disconnected", result_code(content))
    finally:
        s.close()
