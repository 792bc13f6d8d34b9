"""t_ldap_addressbook.py - pocdird and the exports as address books see
them, each client with its defaults: python3-ldap3 reads the server's schema
and checks every attribute of the mail-client filter against it before it
sends anything; python-ldap (python3-ldap) asks the same; vobject reads the
vCard 4.0 and 3.0 exports; csv reads the CSV export."""

import csv
import io
import os
import subprocess
import sys

sys.dont_write_bytecode = True  # the source tree may be read-only (distcheck)
sys.path.insert(0, os.path.join(os.environ.get("top_srcdir", os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..")), "tests", "ldap"))
import pocdirtest as pt  # noqa: E402

tap = pt.Tap()
DATA = os.path.join(pt.TOP_SRCDIR, "tests", "cli", "data")
# What Outlook and Thunderbird send when a user types a name.
ADDRESS_BOOK_FILTER = ("(|(cn=*mart*)(displayName=*mart*)(givenName=*mart*)(sn=*mart*)"
                       "(mail=*mart*)(o=*mart*))")
WANT = ["cn", "displayName", "givenName", "sn", "mail", "telephoneNumber", "o", "title",
        "street", "l", "postalCode", "postalAddress"]
srv = pt.pocdird(directory=DATA)

try:
    import ldap3
    from ldap3.core.exceptions import LDAPException
except ImportError:
    ldap3 = None
if ldap3 is None:
    tap.ok(True, "python3-ldap3 # SKIP python3-ldap3 is not installed")
else:
    server = ldap3.Server(srv.url, get_info=ldap3.ALL)
    c = ldap3.Connection(server, auto_bind=True)
    oc = server.schema.object_classes.get("inetOrgPerson") if server.schema else None
    tap.ok(oc is not None and "displayName" in oc.may_contain and "departmentNumber" in oc.may_contain,
           "ldap3: inetOrgPerson is RFC 2798's, whole", oc and oc.may_contain)
    op = server.schema.object_classes.get("organizationalPerson") if server.schema else None
    tap.ok(op is not None and all(a in op.may_contain for a in ("street", "l", "ou", "postalCode")),
           "ldap3: organizationalPerson is RFC 4519's, whole", op and op.may_contain)
    try:
        c.search("dc=pocdir", ADDRESS_BOOK_FILTER, attributes=WANT)
        entries = {str(e.entry_dn): e for e in c.entries}
        ok = True
    except LDAPException as e:
        entries, ok = {}, False
        tap.diag(repr(e))
    tap.ok(ok, "ldap3 with schema checks sends the address-book filter")
    anssi = entries.get("uid=anssi,c=FR,dc=pocdir")
    tap.ok(anssi is not None and str(anssi.displayName) == "Élodie Martin" and
           str(anssi.givenName) == "Élodie" and str(anssi.sn) == "Martin",
           "ldap3: displayName, givenName and sn are filled", anssi)
    tap.ok(anssi is not None and str(anssi.street) == "51 boulevard de La Tour-Maubourg" and
           str(anssi.l) == "Paris" and str(anssi.postalCode) == "75700",
           "ldap3: street, l and postalCode from the YAML", anssi)
    for attr in ("ou", "roomNumber", "employeeType"):
        try:
            c.search("dc=pocdir", "(%s=x*)" % attr, attributes=["cn"])
            tap.ok(True, "ldap3: (%s=...) is a known attribute, matches nothing" % attr)
        except LDAPException as e:
            tap.ok(False, "ldap3: (%s=...) is a known attribute" % attr, repr(e))

try:
    import ldap
except ImportError:
    ldap = None
if ldap is None:
    tap.ok(True, "python-ldap # SKIP python3-ldap is not installed")
else:
    lc = ldap.initialize(srv.url)
    lc.simple_bind_s("", "")
    res = lc.search_s("dc=pocdir", ldap.SCOPE_SUBTREE, ADDRESS_BOOK_FILTER,
                      [a for a in WANT])
    got = {dn: a for dn, a in res}
    a = got.get("uid=anssi,c=FR,dc=pocdir", {})
    tap.ok(a.get("displayName") == ["Élodie Martin".encode()] and a.get("sn") == [b"Martin"],
           "python-ldap: the address-book filter finds displayName and sn", a)
    sub = lc.search_s("cn=Subschema", ldap.SCOPE_BASE, "(objectClass=*)", ["attributeTypes"])
    types = [v.decode() for v in sub[0][1].get("attributeTypes", [])]
    tap.ok(any("NAME 'displayName'" in t for t in types) and
           any(t.startswith("( 2.5.4.9 NAME ( 'street' 'streetAddress' )") for t in types),
           "python-ldap: the subschema has displayName and street as their RFCs define them")
    lc.unbind_s()


def export(fmt):
    env = dict(os.environ, POCDIR_DIRECTORY=DATA, POCDIR_NOW="1795397400")
    return subprocess.run([pt.POCDIR, "export", "--format", fmt], capture_output=True,
                          env=env, check=True).stdout.decode("utf-8")


try:
    import vobject
except ImportError:
    vobject = None
if vobject is None:
    tap.ok(True, "vobject # SKIP python3-vobject is not installed")
else:
    for fmt, version in (("vcard", "4.0"), ("vcard3", "3.0")):
        try:
            cards = list(vobject.readComponents(export(fmt)))
        except Exception as e:  # vobject raises ParseError and friends
            cards = []
            tap.diag(repr(e))
        tap.ok(len(cards) == 4 and all(c.version.value == version for c in cards),
               f"vobject reads the {fmt} export: 4 cards, VERSION {version}")
        anssi = next((c for c in cards if c.fn.value == "Élodie Martin"), None)
        n = anssi.n.value if anssi is not None and hasattr(anssi, "n") else None
        tap.ok(n is not None and n.family == "Martin" and n.given == "Élodie",
               f"{fmt}: N is family Martin, given Élodie", n)
        adr = anssi.adr.value if anssi is not None and hasattr(anssi, "adr") else None
        tap.ok(adr is not None and adr.city == "Paris" and adr.code == "75700" and
               adr.country == "France", f"{fmt}: ADR has city, code and country", adr)
        night = next((c for c in cards if c.fn.value == ":Night desk"), None)
        if version == "4.0":
            tap.ok(night is not None and night.kind.value == "org" and
                   anssi.kind.value == "individual", "vcard: KIND org for a desk, individual "
                   "for a person")
        else:
            tap.ok(night is not None and night.contents.get("x-abshowas")[0].value == "COMPANY",
                   "vcard3: a desk shows as a company")

rows = list(csv.DictReader(io.StringIO(export("csv"), newline="")))
mofa = next((r for r in rows if r["id"] == "mofa-policy"), {})
tap.ok(mofa.get("postalAddress") == "60 Sajik-ro 8-gil; Jongno-gu\nSeoul 03172\nRepublic of Korea",
       "csv: the postal address has real line breaks", mofa.get("postalAddress"))
anssi = next((r for r in rows if r["id"] == "anssi"), {})
tap.ok(anssi.get("sn") == "Martin" and anssi.get("l") == "Paris",
       "csv: sn and the split address fields are columns", anssi)
tap.done()
