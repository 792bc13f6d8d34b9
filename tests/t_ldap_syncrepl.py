"""t_ldap_syncrepl.py - scale-out into OpenLDAP: a pocdir node syncs three
signed origins from a peer's feed; a slapd provider (back-mdb + syncprov) is
loaded from `pocdir export` and kept current by contrib/pocdir-ldap-apply
(`pocdir diff --format ldif` piped into ldapmodify); a second slapd replicates
the provider by syncrepl (RFC 4533). After syncs that change three origins
(entries added, modified, removed, a country added and then removed), the
consumer answers every filter exactly as pocdird does. A third slapd
replicates from pocdird itself (refreshOnly, pocdird as the provider) and
answers the same."""

import os
import shutil
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
for tool in (pt.SLAPD, pt.SLAPADD, "/usr/bin/ldapmodify"):
    if not os.access(tool, os.X_OK):
        pt.skip_all("%s is not installed (Debian packages slapd, ldap-utils)" % tool)
if not os.path.exists("/usr/lib/ldap/syncprov.so"):
    pt.skip_all("slapd's syncprov overlay is missing (/usr/lib/ldap/syncprov.so)")

APPLY = os.path.join(pt.TOP_SRCDIR, "contrib", "pocdir-ldap-apply")
SYNC = os.path.join(pt.TOP_SRCDIR, "tests", "sync")
ADMIN, SECRET = "cn=admin,dc=pocdir", "secret"
t = pt.Tap()
w = pt.scratch()
ENV = pt.clean_env()


def run(*argv, env=None, check=True):
    r = subprocess.run(list(argv), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=w,
                       env=env or ENV)
    if check and r.returncode != 0:
        raise RuntimeError("%s failed (%d):\n%s" % (" ".join(argv), r.returncode,
                                                    r.stdout.decode("utf-8", "replace")))
    return r.returncode, r.stdout.decode("utf-8", "replace")


def pocdir(*args, **kw):
    return run(pt.POCDIR, *args, **kw)


# ---- the publishing peer: three signed origins in a feed over HTTP ----
os.makedirs(os.path.join(w, "pub", "origins"))
os.makedirs(os.path.join(w, "node", "origins"))
# The node's own origin, served beside the synced ones.
with open(os.path.join(w, "node", "origins", "th.yaml"), "w") as f:
    f.write("""origin: th
name: Thailand
scope: [TH]
serial: 2026112201
entries:
  - id: thaicert
    country: TH
    agency: ThaiCERT
    roles: [technical, incident-response]
    email: [report@thaicert.th.example]
""")
for o in ("kr", "sg", "jp"):
    pocdir("keygen", "--key", o + ".key", "--pubkey", o + ".pub")
    shutil.copy(os.path.join(SYNC, o + ".yaml"), os.path.join(w, "pub", "origins"))


def publish():
    for o in ("kr", "sg", "jp"):
        pocdir("sign", os.path.join(w, "pub", "origins", o + ".yaml"), "--key", o + ".key")
    pocdir("publish", "-d", os.path.join(w, "pub"), "--state", os.path.join(w, "pubstate"),
           "--out", os.path.join(w, "feed"), "--publisher", "pub")


publish()


httpd = pt.serve_folder(os.path.join(w, "feed"))
feed_url = httpd.url

# ---- the pocdir node: syncs from the peer, served by pocdird ----
STATE = os.path.join(w, "state")
conf = """sync:
  state: %(state)s
  publisher: node
  interval: 1
  timeout: 5
  peers:
    - %(feed)s
  trusted:
    - {origin: kr, key: %(w)s/kr.pub, scope: [KR, MV]}
    - {origin: sg, key: %(w)s/sg.pub, scope: [SG, MV]}
    - {origin: jp, key: %(w)s/jp.pub, scope: [JP, BN]}
""" % {"state": STATE, "feed": feed_url, "w": w}
with open(os.path.join(w, "node.conf"), "w") as f:
    f.write(conf)
pocdir("sync", "--config", os.path.join(w, "node.conf"), "--quiet")
daemon = pt.pocdird(directory=os.path.join(w, "node"), config=conf)

# ---- the OpenLDAP provider and consumer ----
SCHEMAS = """include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include %s
modulepath /usr/lib/ldap
moduleload back_mdb
""" % pt.SCHEMA


def slapd(name, body, ldif=None):
    d = os.path.join(w, name)
    os.makedirs(os.path.join(d, "db"))
    confpath = os.path.join(d, "slapd.conf")
    with open(confpath, "w") as f:
        f.write(SCHEMAS + body % {"d": d})
    if ldif is not None:
        path = os.path.join(d, "data.ldif")
        with open(path, "w") as f:
            f.write(ldif)
        run(pt.SLAPADD, "-q", "-f", confpath, "-l", path)
    for attempt in range(3):
        port = pt.free_port()
        try:
            srv = pt.Server([pt.SLAPD, "-d", "0", "-h", "ldap://127.0.0.1:%d/" % port,
                             "-f", confpath], port, os.path.join(d, "slapd.log"), cwd=d)
            return srv
        except RuntimeError:
            if attempt == 2:
                raise


DB = """pidfile %(d)s/slapd.pid
argsfile %(d)s/slapd.args
sizelimit unlimited
database mdb
suffix "dc=pocdir"
rootdn "cn=admin,dc=pocdir"
directory %(d)s/db
maxsize 268435456
index objectClass,c,uid,mail,pocRole eq
index entryCSN,entryUUID eq
# pocdird's default visibility (pocdird.conf(5)): 24x7 and mobile numbers
# are not for anonymous clients; the replicator binds as the rootdn.
access to attrs=mobile,pocEmergencyPhone,pocEmergencyMail
  by * none
access to * by * read
"""
_, export = pocdir("export", "--format", "ldif", "-d", os.path.join(w, "node"),
                   "--at", "99999999999", env=dict(ENV, POCDIR_STATE=STATE))
provider = slapd("provider", "moduleload syncprov\n" + DB + "rootpw %s\n" % SECRET +
                 "overlay syncprov\nsyncprov-checkpoint 10 1\n", export)
consumer = slapd("consumer", DB + """syncrepl rid=001 provider=%s type=refreshAndPersist
  retry="1 +" searchbase="dc=pocdir" scope=sub bindmethod=simple
  binddn="%s" credentials=%s
""" % (provider.url, ADMIN, SECRET))
# pocdird as a syncrepl provider itself (RFC 4533 refreshOnly): a stock
# slapd consumer polls it every second, anonymously like any address book.
direct = slapd("direct", DB + """syncrepl rid=002 provider=%s type=refreshOnly
  interval=00:00:00:01 retry="1 +" searchbase="dc=pocdir" scope=sub attrs="*"
  bindmethod=simple
""" % daemon.url)
with open(os.path.join(w, "ldap.pw"), "w") as f:
    f.write(SECRET)
os.chmod(os.path.join(w, "ldap.pw"), 0o600)
APPLY_ENV = dict(ENV, POCDIR_STATE=STATE, POCDIR_DIRECTORY=os.path.join(w, "node"),
                 POCDIR=pt.POCDIR, LDAP_URI=provider.url, LDAP_BINDDN=ADMIN,
                 LDAP_PASSWORD_FILE=os.path.join(w, "ldap.pw"))
rc, out = run("/bin/sh", APPLY, "--init", env=APPLY_ENV, check=False)
t.ok(rc == 0, "pocdir-ldap-apply --init records the versions loaded by the export", out)

FILTERS = [
    "(objectClass=*)",
    "(objectClass=country)",
    "(objectClass=pocContact)",
    "(c=KR)",
    "(c=BN)",
    "(&(c=JP)(pocRole=technical))",
    "(pocRole=24x7)",
    "(|(c=KR)(c=SG))",
    "(!(c=KR))",
    "(cn=*CERT*)",
    "(o=*police*)",
    "(mail=*@*.example)",
    "(telephoneNumber=+82*)",
    "(pocEmergencyPhone=*)",
    "(pocEmergencyPhone=+82 2 0000 0999)",
    "(uid=mofa-policy)",
    "(pocOrigin=jp)",
    "(pocSerial>=2026112202)",
]
ATTRS = ["objectClass", "uid", "cn", "sn", "o", "c", "mail", "telephoneNumber",
         "pocEmergencyPhone", "pocRole", "pocAgencyType", "pocOrigin", "pocSerial"]


def answers(url):
    """{filter: {dn: {attr: sorted values}}} from the server at url."""
    host, port = url[len("ldap://"):].split(":")
    conn = ldap3.Connection(ldap3.Server(host, port=int(port)), auto_bind=True,
                            receive_timeout=10)
    result = {}
    for flt in FILTERS:
        conn.search("dc=pocdir", flt, attributes=ATTRS)
        result[flt] = {e.entry_dn.lower(): {a.lower(): sorted(str(v).lower() for v in e[a].values)
                                            for a in e.entry_attributes}
                       for e in conn.entries}
    conn.unbind()
    return result


def converge(what, want_serials):
    """Wait until pocdird serves want_serials and the consumer answers as
    pocdird does; one test point per filter."""
    end = time.time() + 40
    while True:
        ref = answers(daemon.url)
        serials = {v["pocorigin"][0]: v["pocserial"][0]
                   for v in ref["(objectClass=pocContact)"].values()}
        got = answers(consumer.url) if serials == want_serials else None
        got_direct = answers(direct.url) if serials == want_serials else None
        if (got == ref and got_direct == ref) or time.time() > end:
            break
        time.sleep(0.5)
    t.eq(serials, want_serials, "%s: pocdird serves the synced serials" % what)
    for flt in FILTERS:
        t.eq((got or {}).get(flt), ref[flt], "%s: consumer answers %s as pocdird" % (what, flt))
    for flt in FILTERS:
        t.eq((got_direct or {}).get(flt), ref[flt],
             "%s: slapd replicating pocdird answers %s as pocdird" % (what, flt))
    return ref


def serial_of(origin):
    with open(os.path.join(w, "pub", "origins", origin + ".yaml")) as f:
        for line in f:
            if line.startswith("serial:"):
                return line.split()[1]


serials = {o: serial_of(o) for o in ("kr", "sg", "jp")}
serials["th"] = "2026112201"
ref = converge("initial export", serials)
t.ok(len(ref["(objectClass=pocContact)"]) >= 4, "the directory has contacts to compare",
     sorted(ref["(objectClass=pocContact)"]))


def edit(origin, old, new):
    path = os.path.join(w, "pub", "origins", origin + ".yaml")
    with open(path) as f:
        text = f.read()
    if old not in text:
        raise RuntimeError("%s: %r not found" % (path, old))
    with open(path, "w") as f:
        f.write(text.replace(old, new, 1))


def entry_block(origin, entry_id):
    """The YAML lines of one entry of the publisher's origin file."""
    with open(os.path.join(w, "pub", "origins", origin + ".yaml")) as f:
        text = f.read()
    start = text.index("  - id: %s\n" % entry_id)
    end = text.find("\n  - id: ", start + 1)
    return text[start:] if end == -1 else text[start:end + 1]


def sync_and_apply(what):
    # Last-Modified has one-second resolution (RFC 9110 8.8.2): a feed
    # rewritten within the second of the last fetch would look unchanged.
    time.sleep(1.1)
    publish()
    pocdir("sync", "--config", os.path.join(w, "node.conf"), "--quiet")
    rc, out = run("/bin/sh", APPLY, env=APPLY_ENV, check=False)
    t.ok(rc == 0, "%s: pocdir-ldap-apply applies the change records" % what, out)
    return out


# Round 1: three origins change. kr: an entry removed, one modified; sg: an
# entry added; jp: a contact in a country new to the directory (BN), and a
# phone changed.
edit("kr", entry_block("kr", "mofa-policy"), "")
edit("kr", '"+82 2 0000 0118"', '"+82 2 0000 0999"')
edit("sg", "entries:\n", """entries:
  - id: spf-cyber
    country: SG
    agency: Singapore Police Force
    roles: [law-enforcement]
    email: [cyber@spf.sg.example]
""")
edit("jp", "scope: [JP]", "scope: [JP, BN]")
edit("jp", "entries:\n", """entries:
  - id: bn-liaison
    country: BN
    agency: Brunei liaison desk
    roles: [technical]
    email: [liaison@jp-bn.example]
    phone: ["+673 200 0000"]
""")
out = sync_and_apply("three origins changed")
t.ok(all("%s " % o in out for o in ("kr", "sg", "jp")),
     "the run names the three origins it applied", out)
serials.update({o: serial_of(o) for o in ("kr", "sg", "jp")})
ref = converge("after the sync", serials)
t.ok("uid=bn-liaison,c=bn,dc=pocdir" in ref["(c=BN)"] and "c=bn,dc=pocdir" in ref["(c=BN)"],
     "the new country and its contact are served", sorted(ref["(c=BN)"]))
t.ok(not ref["(uid=mofa-policy)"], "the removed entry is gone")

# Round 2: the last contact in BN goes, and with it the country entry.
edit("jp", entry_block("jp", "bn-liaison"), "")
sync_and_apply("a country emptied")
serials["jp"] = serial_of("jp")
ref = converge("after the second sync", serials)
t.eq(ref["(c=BN)"], {}, "the emptied country is gone from pocdird and the consumer")

# Round 3: two origins start using the same new country (MV) in one sync:
# the country entry is added once, before the first of them.
edit("kr", "scope: [KR]", "scope: [KR, MV]")
edit("kr", "entries:\n", """entries:
  - id: mv-desk
    country: MV
    agency: Maldives desk of KrCERT
    roles: [technical]
    email: [mv@krcert.kr.example]
""")
edit("sg", "scope: [SG]", "scope: [SG, MV]")
edit("sg", "entries:\n", """entries:
  - id: mv-liaison
    country: MV
    agency: Maldives liaison of SingCERT
    roles: [incident-response]
    email: [mv@singcert.sg.example]
""")
FILTERS.append("(c=MV)")
sync_and_apply("two origins, one new country")
serials.update({o: serial_of(o) for o in ("kr", "sg")})
ref = converge("after the third sync", serials)
t.eq(sorted(ref["(c=MV)"]), ["c=mv,dc=pocdir", "uid=mv-desk,c=mv,dc=pocdir",
                             "uid=mv-liaison,c=mv,dc=pocdir"],
     "the shared new country and both contacts are served")

# Nothing changed: nothing to apply.
rc, out = run("/bin/sh", APPLY, env=APPLY_ENV, check=False)
t.ok(rc == 0 and "applied" not in out, "a run with nothing new applies nothing", out)

httpd.shutdown()
t.done()
