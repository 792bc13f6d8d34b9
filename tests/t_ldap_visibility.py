"""t_ldap_visibility.py - attributes hidden from anonymous clients stay hidden
on every path: typeless extensible matches (one per matching rule, alone and
OR-ed 4,000 at a time), dnAttributes, every typed filter choice, size limits,
Compare, attribute lists and paging cookies. The oracle is a second pocdird
serving the same directory with the hidden fields removed from the YAML: an
anonymous client must not be able to tell the two apart."""

import os
import subprocess
import sys

sys.dont_write_bytecode = True  # the source tree may be read-only (distcheck)
sys.path.insert(0, os.path.join(os.environ.get("top_srcdir", os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..")), "tests", "ldap"))
import pocdirtest as pt  # noqa: E402
import ber  # noqa: E402

try:
    import yaml
except ImportError:
    pt.skip_all("python3-yaml is not installed")

tap = pt.Tap()
PAGED = "1.2.840.113556.1.4.319"

# Hidden attribute -> (YAML key, matching rules that apply to its syntax).
HIDDEN = {
    "mobile": ("mobile", ["telephoneNumberMatch"]),
    "pocEmergencyPhone": ("phone-24x7", ["telephoneNumberMatch"]),
    "pocEmergencyMail": ("email-24x7", ["caseIgnoreIA5Match", "caseExactIA5Match",
                                        "caseIgnoreMatch", "caseIgnoreOrderingMatch"]),
    "postalAddress": ("address", ["caseIgnoreListMatch"]),
    "description": ("notes", ["caseIgnoreMatch", "caseExactMatch", "caseIgnoreOrderingMatch",
                              "2.5.13.2"]),
}

pw = subprocess.run([pt.POCDIR, "passwd"], input=b"vis-pw\n", stdout=subprocess.PIPE,
                    check=True).stdout.decode().strip()
config = """hidden-attributes: [%s]
limits:
  max-results: 100000
binds:
  - dn: cn=operator,dc=pocdir
    password-hash: "%s"
""" % (", ".join(HIDDEN), pw)



def strip_keys(text, keys):
    """The YAML text without the entry keys named (and their block values),
    byte for byte otherwise; checked against a YAML parser below."""
    out, skip_indent = [], None
    for line in text.splitlines(keepends=True):
        indent = len(line) - len(line.lstrip(" "))
        if skip_indent is not None and (indent > skip_indent or not line.strip()):
            continue
        skip_indent = None
        key = line.strip().lstrip("- ").split(":", 1)[0]
        if key in keys and not line.lstrip().startswith("- "):
            skip_indent = indent
            continue
        out.append(line)
    return "".join(out)


# The oracle: the sample directory without the hidden fields.
stripped = pt.scratch()
os.mkdir(os.path.join(stripped, "origins"))
keys = {k for k, _ in HIDDEN.values()}
removed = 0
for name in sorted(os.listdir(os.path.join(pt.SAMPLE, "origins"))):
    with open(os.path.join(pt.SAMPLE, "origins", name)) as f:
        text = f.read()
    out = strip_keys(text, keys)
    before, after = yaml.safe_load(text), yaml.safe_load(out)
    for e in before.get("entries", []):
        for k in keys:
            removed += e.pop(k, None) is not None
    assert before == after, name
    with open(os.path.join(stripped, "origins", name), "w") as f:
        f.write(out)
tap.ok(removed > 50, "the oracle directory is the sample without %d hidden fields" % removed)

full = pt.pocdird(config=config)
oracle = pt.pocdird(stripped, config=config)


def connect(srv):
    import socket
    s = socket.socket()
    s.settimeout(20)
    s.connect(("127.0.0.1", srv.port))
    return s


def attr_names(content):
    """Attribute types of a SearchResultEntry's contents."""
    _, s, e = ber.read_tlv(content, 0)
    _, s, end = ber.read_tlv(content, e)
    names = []
    while s < end:
        _, ps, pe = ber.read_tlv(content, s)
        _, ts, te = ber.read_tlv(content, ps)
        names.append(content[ts:te].decode())
        s = pe
    return names


def run(sock, msgid, req):
    """Send a search; (result code, sorted DNs, attribute names seen)."""
    sock.sendall(req)
    r = ber.Reader(sock)
    dns, names = [], set()
    while True:
        m = r.next()
        if m is None:
            return None, sorted(dns), names
        if m[0] != msgid:
            continue
        if m[1] == 0x64:
            _, s, e = ber.read_tlv(m[2], 0)
            dns.append(m[2][s:e].decode())
            names.update(n.lower() for n in attr_names(m[2]))
        elif m[1] == 0x65:
            return ber.result_code(m[2]), sorted(dns), names


socks = {full: connect(full), oracle: connect(oracle)}
msgids = {full: 1, oracle: 1}


def anon(srv, flt, attrs=("1.1",), size=0):
    msgids[srv] += 1
    return run(socks[srv], msgids[srv], ber.search(msgids[srv], flt=flt, attrs=attrs, size=size))


def same(flt, what, size=0):
    """The hidden values make no difference to an anonymous client."""
    a, b = anon(full, flt, size=size), anon(oracle, flt, size=size)
    return tap.ok(a[0] is not None and a[:2] == b[:2],
                  "%s: as if the values were absent (%d entries, result %r)" % (
                      what, len(a[1]), a[0]),
                  "with hidden values: %r\nwithout them:      %r" % (a[:2], b[:2]))


# What the hidden attributes hold, as a bound client reads them.
op = connect(full)
op.sendall(ber.simple_bind(1, "cn=operator,dc=pocdir", "vis-pw"))
m = ber.Reader(op).next()
tap.ok(m is not None and m[1] == 0x61 and ber.result_code(m[2]) == 0, "the operator binds")


def bound_values(attr):
    op.sendall(ber.search(2, flt=ber.present(attr), attrs=(attr,)))
    r = ber.Reader(op)
    values = []
    while True:
        m = r.next()
        if m is None or m[1] == 0x65:
            return values
        # entry: dn, then ((type, {values}))
        _, s, e = ber.read_tlv(m[2], 0)
        _, s, end = ber.read_tlv(m[2], e)
        while s < end:
            _, ps, pe = ber.read_tlv(m[2], s)
            _, ts, te = ber.read_tlv(m[2], ps)
            _, vs, ve = ber.read_tlv(m[2], te)
            while vs < ve:
                _, xs, xe = ber.read_tlv(m[2], vs)
                values.append(m[2][xs:xe].decode())
                vs = xe
            s = pe


values = {a: bound_values(a) for a in HIDDEN}
for a, vs in values.items():
    tap.ok(len(vs) > 0, "the sample directory has %s values (%d) for the operator" % (a, len(vs)))

# ---- typeless extensible matches, each rule against each hidden value ----
for a, (_, rules) in HIDDEN.items():
    vs = values[a]
    for rule in rules:
        for v in vs[:6]:
            same(ber.extensible(v, rule=rule), "(:%s:=%s) [%s]" % (rule, v, a))
        same(ber.extensible(vs[0], rule=rule, dn=True), "(:dn:%s:=%s) [%s]" % (rule, vs[0], a))
    # Every value of the attribute at once, and a size limit of 1 over them.
    guesses = ber.or_(*[ber.extensible(v, rule=rules[0]) for v in vs])
    same(guesses, "one OR of every %s value (%d) under %s" % (a, len(vs), rules[0]))
    same(guesses, "... with sizeLimit 1 (sizeLimitExceeded is no oracle)", size=1)

# The attack from the report: one request OR-ing 4,000 guesses of 24x7 phones.
guesses = ["+82 2 0000 %04d" % i for i in range(4000)]
guesses[118] = values["pocEmergencyPhone"][0]
same(ber.or_(*[ber.extensible(g, rule="telephoneNumberMatch") for g in guesses]),
     "4,000 telephoneNumberMatch guesses in one OR")

# ---- every typed choice on a hidden attribute ----
for a in HIDDEN:
    v = values[a][0]
    for what, flt in [
            ("=", ber.equality(a, v)), (">=", ber.ava(0xa5, a, v)), ("<=", ber.ava(0xa6, a, v)),
            ("~=", ber.ava(0xa8, a, v)), ("=*", ber.present(a)),
            ("=x*", ber.substrings(a, initial=v[:3])), ("=*x*", ber.substrings(a, any_=[v[2:5]])),
            (":=", ber.extensible(v, attr=a)),
            (":dn:=", ber.extensible(v, attr=a, dn=True)),
            (":rule:=", ber.extensible(v, rule=HIDDEN[a][1][0], attr=a)),
            ("!=", ber.not_(ber.equality(a, v))), ("!=*", ber.not_(ber.present(a))),
            ("&", ber.and_(ber.equality("objectClass", "pocContact"), ber.equality(a, v))),
            ("|", ber.or_(ber.equality("uid", "nobody"), ber.equality(a, v)))]:
        same(flt, "(%s%s...)" % (a, what))

# ---- attribute lists ----
leaked = set()
for srv_attrs in [("*",), ("*", "+"), tuple(HIDDEN), ("mobileTelephoneNumber", "2.5.4.16")]:
    code, dns, names = anon(full, ber.present("objectClass"), attrs=srv_attrs)
    leaked |= names & {n.lower() for n in HIDDEN} | names & {"mobiletelephonenumber"}
tap.ok(not leaked, "no attribute list shows a hidden attribute (%s)" % sorted(leaked))

# ---- Compare ----
for a in HIDDEN:
    dn_code, dns, _ = anon(full, ber.equality("objectClass", "pocContact"))
    codes = set()
    for v in (values[a][0], "no such value"):
        msgids[full] += 1
        socks[full].sendall(ber.message(msgids[full], ber.seq(
            ber.octets(dns[0]), ber.seq(ber.octets(a), ber.octets(v)), tag=0x6e)))
        m = ber.Reader(socks[full]).next()
        codes.add(ber.result_code(m[2]) if m and m[1] == 0x6f else None)
    tap.eq(codes, {16}, "compare on hidden %s: noSuchAttribute whatever the value" % a)

# ---- paging cookies do not carry a bound client's view ----
flt = ber.present("pocEmergencyPhone")
op.sendall(ber.search(10, flt=flt, attrs=("pocEmergencyPhone",), ctrls=ber.controls(
    ber.control(PAGED, ber.seq(ber.integer(2), ber.octets(b""))))))
r = ber.Reader(op)
cookie = None
while True:
    m = r.next()
    if m is None or (m[0] == 10 and m[1] == 0x65):
        break
if m is not None:
    # The cookie is the last OCTET STRING of the response control's value.
    i = r.last.find(PAGED.encode())
    tail = r.last[i + len(PAGED):]
    _, vs, ve = ber.read_tlv(tail, 0)         # controlValue
    _, ss, se = ber.read_tlv(tail[vs:ve], 0)  # SEQUENCE
    body = tail[vs:ve][ss:se]
    _, is_, ie = ber.read_tlv(body, 0)        # size
    _, cs, ce = ber.read_tlv(body, ie)        # cookie
    cookie = body[cs:ce]
tap.ok(cookie, "a bound paged search hands out a cookie")
op.sendall(ber.simple_bind(11))  # back to anonymous on the same connection
m = ber.Reader(op).next()
code, dns, names = run(op, 12, ber.search(12, flt=flt, attrs=("pocEmergencyPhone",),
                                          ctrls=ber.controls(ber.control(
                                              PAGED, ber.seq(ber.integer(2),
                                                             ber.octets(cookie or b""))))))
tap.ok(code == 53 and not dns and not names,
       "after binding anonymously the cookie is refused (%r, %d entries)" % (code, len(dns)))
a2 = connect(full)
code, dns, names = run(a2, 1, ber.search(1, flt=flt, attrs=("pocEmergencyPhone",),
                                         ctrls=ber.controls(ber.control(
                                             PAGED, ber.seq(ber.integer(2),
                                                            ber.octets(cookie or b""))))))
tap.ok(code == 53 and not dns, "another connection cannot use it (%r)" % code)
a2.close()

for s in socks.values():
    s.close()
op.close()
tap.eq(full.stop(), 0, "clean stop")
oracle.stop()
tap.done()
