"""t_ldap_schema.py - what cn=Subschema says about matching is what pocdird
does: every (attribute type, matching rule) pair is tried in an extensible
match, and the pairs that evaluate (TRUE or FALSE, not Undefined) are
exactly those the published matchingRuleUse lists (RFC 4512 4.1.4), read
both with python3-ldap3's schema reader and with ldapsearch. The name
supertype is published with its subtypes (RFC 4519 2.18)."""

import os
import shutil
import subprocess
import sys

sys.dont_write_bytecode = True  # the source tree may be read-only (distcheck)
sys.path.insert(0, os.path.join(os.environ.get("top_srcdir", os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..")), "tests", "ldap"))
import pocdirtest as pt  # noqa: E402

try:
    import ldap3
except ImportError:
    pt.skip_all("python3-ldap3 is not installed")
if shutil.which("ldapsearch") is None:
    pt.skip_all("ldapsearch is not installed (Debian package ldap-utils)")

tap = pt.Tap()
# Everything visible: hidden attributes would be Undefined for every rule.
srv = pt.pocdird(config="hidden-attributes: []\n")

server = ldap3.Server(srv.url, get_info=ldap3.ALL)
conn = ldap3.Connection(server, auto_bind=True)
schema = server.schema
tap.ok(schema is not None and len(schema.matching_rule_uses) > 0,
       "ldap3 reads matchingRuleUse from cn=Subschema (%d rules)" %
       (len(schema.matching_rule_uses) if schema else 0))

# The same through OpenLDAP's client.
r = subprocess.run(["ldapsearch", "-x", "-LLL", "-o", "ldif-wrap=no", "-H", srv.url, "-b",
                    "cn=Subschema", "-s", "base", "(objectClass=*)", "matchingRuleUse"],
                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
lines = [line[len("matchingRuleUse: "):] for line in r.stdout.decode().splitlines()
         if line.startswith("matchingRuleUse: ")]
tap.ok(r.returncode == 0 and len(lines) == len(schema.matching_rule_uses),
       "ldapsearch -b cn=Subschema -s base matchingRuleUse: %d values" % len(lines))
mru = {}
for k, v in schema.matching_rule_uses.items():
    name = v.name[0] if isinstance(v.name, list) else v.name
    mru[name.lower()] = {a.lower() for a in v.apply_to}
for line in lines:
    words = line.replace("(", " ").replace(")", " ").split()
    name = words[words.index("NAME") + 1].strip("'").lower()
    applies = {w.lower() for w in words[words.index("APPLIES") + 1:] if w != "$"}
    tap.eq(applies, mru.get(name), "ldapsearch and ldap3 read the same APPLIES for %s" % name)

# A value each rule's assertion syntax takes, that matches no entry's.
VALUES = {
    "objectidentifiermatch": "2.5.6.6",
    "distinguishednamematch": "cn=nobody,dc=pocdir",
    "booleanmatch": "TRUE",
    "integermatch": "12345678901234567",
    "integerorderingmatch": "-12345678901234567",
    # Ordering rules are TRUE for values less than the assertion: none is.
    "caseignoreorderingmatch": "!",
    "caseexactorderingmatch": "!",
    "telephonenumbermatch": "+1 999 999 9999",
}
# The types the subschema describes that entries hold (the schema's own
# and the root DSE's are not searchable here).
types = [t.name[0] for t in schema.attribute_types.values()
         if not t.oid.startswith(("2.5.21.", "1.3.6.1.4.1.1466.101.120.", "1.3.6.1.1.4",
                                  "1.3.6.1.1.5", "1.3.6.1.4.1.4203."))]
tap.ok("name" in [t.lower() for t in types], "the name supertype is an attribute type")
for sub in ("cn", "sn", "givenName", "title", "o", "c"):
    tap.eq(schema.attribute_types[sub].superior, ["name"], "%s is SUP name" % sub)

# Searched without the schema on the client side: ldap3 would check the
# values itself, and the server would not be asked.
plain = ldap3.Connection(ldap3.Server(srv.url, get_info=ldap3.NONE), auto_bind=True,
                         check_names=False)
wrong = []
tried = 0
for rule in sorted(schema.matching_rules.values(), key=lambda m: m.oid):
    rname = (rule.name[0] if isinstance(rule.name, list) else rule.name)
    if "substrings" in rname.lower() or rname == "objectIdentifierFirstComponentMatch":
        continue  # not for extensible matches here
    value = VALUES.get(rname.lower(), "zz-nothing-holds-this")
    for t in types:
        # Undefined under NOT stays Undefined: no entry. Where the rule
        # applies, the item is FALSE on some entry (every entry, or those
        # without the attribute, for booleanMatch and objectIdentifierMatch),
        # so the NOT finds entries.
        flt = "(!(%s:%s:=%s))" % (t, rname, value)
        plain.search("dc=pocdir", flt, attributes=["1.1"], size_limit=0)
        evaluated = len(plain.entries) > 0
        published = t.lower() in mru.get(rname.lower(), set())
        tried += 1
        if evaluated != published:
            wrong.append("%s: evaluated %s, published %s" % (flt, evaluated, published))
tap.ok(tried > 100 and not wrong, "%d (type, rule) pairs: the evaluation follows "
       "matchingRuleUse" % tried, "\n".join(wrong[:20]))

plain.unbind()
conn.unbind()
tap.ok(srv.stop() == 0, "pocdird stops cleanly")
tap.done()
