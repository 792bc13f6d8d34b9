"""t_ldap_random.py - randomized differential test: seeded, grammar-based
searches (every filter choice, nesting, options, escapes, NUL, non-ASCII in
several scripts and normal forms, unknown attributes; bases with type
aliases and OIDs; scopes, size limits, typesOnly, attribute selections)
against pocdird and a slapd loaded with `pocdir export` of the same data,
with an access rule mirroring pocdird's hidden attributes. Result codes,
DNs and attribute values must agree, except where slapd is known to be
wrong (KNOWN below, each with the RFC section that makes pocdird right).
On a disagreement it prints the seed and a minimised case.

Usage: t_ldap_random.py [--count N] [--seed S]; POCDIR_DIFF_COUNT and
POCDIR_DIFF_SEED do the same (make difftest N=... sets them)."""

import argparse
import base64
import os
import random
import re
import sys
import unicodedata

sys.dont_write_bytecode = True  # the source tree may be read-only (distcheck)
sys.path.insert(0, os.path.join(os.environ.get("top_srcdir", os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..")), "tests", "ldap"))
import pocdirtest as pt  # noqa: E402

try:
    import ldap3
except ImportError:
    pt.skip_all("python3-ldap3 is not installed")
if not os.access(pt.SLAPD, os.X_OK) or not os.access(pt.SLAPADD, os.X_OK):
    pt.skip_all("slapd is not installed (Debian package slapd)")

HIDDEN = ["mobile", "pocEmergencyPhone", "pocEmergencyMail"]

# Attribute descriptions: names, aliases, OIDs, options, unknown ones.
ATTRS = ["cn", "commonName", "2.5.4.3", "sn", "surname", "o", "organizationName", "c",
         "countryName", "uid", "userid", "mail", "rfc822Mailbox", "title", "givenName",
         "telephoneNumber", "mobile", "facsimileTelephoneNumber", "postalAddress",
         "labeledURI", "preferredLanguage", "description", "pocRole", "role",
         "pocAgencyType", "pocEmergencyPhone", "pocEmergencyMail", "pocHours", "pocTimezone",
         "pocLanguage", "pocVerified", "pocSerial", "pocOrigin", "pocPGPExpires",
         "objectClass", "objectclass", "2.5.4.0",
         # The supertype, the tree's dc and the operational attributes.
         "name", "2.5.4.41", "dc", "domainComponent", "entryDN", "1.3.6.1.1.20",
         "subschemaSubentry", "2.5.18.10", "hasSubordinates", "structuralObjectClass"]
OPTIONS = [";lang-en", ";lang-fr-", ";x-foo", ";binary"]
PHONES = ["telephonenumber", "2.5.4.20", "mobile", "pocemergencyphone"]
UNKNOWN = ["foo", "nosuchattribute", "x-bar", "1.2.3.4"]
RULES = ["caseIgnoreMatch", "2.5.13.2", "caseExactMatch", "caseIgnoreIA5Match",
         "caseExactIA5Match", "telephoneNumberMatch", "integerMatch", "integerOrderingMatch",
         "caseIgnoreOrderingMatch", "caseIgnoreListMatch", "objectIdentifierMatch",
         "caseIgnoreSubstringsMatch", "1.2.3.4.5"]
WORDS = ["élise", "Élise", "TREMBLAY", "Jürgen", "Straße", "ΣΊΣΥΦΟΣ", "Οδυσσέας", "김민준",
         "山田", "ｶﾝﾘｼｬ", "カンリシャ", "ＪＰＣＥＲＴ", "Иван", "ДЕЖУРНЫЙ", "สมชาย", "王伟",
         "cert", "CERT", "ministry", "+82 2", "0000", "2026", "technical", "24x7", "kr",
         "person", "country", "2.5.6.6", "inetOrgPerson", "foo", "-", " ", "", "a b"]
SCRIPTS_ODD = ["\u00a0", "\t", "\u00ad", "\u200b", "\ufffd", "\ue000", "\x00", "\u0301",
               "\uff21", "\u2163"]
CLASSES = ["top", "person", "organizationalPerson", "inetOrgPerson", "pocContact", "country",
           "organization", "dcObject", "2.5.6.6", "2.5.6.2", "foo", "1.2.3", "1..2"]

# slapd differs from RFC 4518/4517 here; a disagreement that one of these
# explains is counted as known, not as a failure. Each names its section.
KNOWN = [
    ("RFC 4518 2.2/RFC 3454 B.2: full case folding (sharp s, final sigma, "
     "dotted I, ligatures); slapd lowercases one character at a time",
     lambda c: any(ch in c["text"] for ch in "ßẞςΣσİıﬁﬃ\u0130") or "ss" in c["text"].lower()),
    ("RFC 4518 2.2: TAB, LF, CR, NEL and other separators map to SPACE, "
     "controls and format characters to nothing; slapd keeps them",
     lambda c: any(ch in c["text"] for ch in "\t\n\r\x0b\x0c\x85\u00ad\u200b\x00\u00a0"
                   "\u2028\u3000") or "\\00" in c["text"] or "\\09" in c["text"]),
    ("RFC 4518 2.6.1: a substring component of spaces is one SPACE, which "
     "every prepared value holds at its ends; one that ends in a space meets "
     "the value's end; slapd matches neither",
     lambda c: c["has_space_substring"]),
    ("RFC 4518 2.6.3: a telephone number substring loses its spaces and "
     "hyphens, so a middle one of only those is the empty string, found in "
     "every value; slapd matches no value with it",
     lambda c: c["has_hyphen_substring"]),
    ("RFC 4511 4.5.1.7, RFC 4512 3.4, 4.2: a filter on an operational "
     "attribute sees its values; slapd never matches subschemaSubentry's "
     "value (though (subschemaSubentry=*) is TRUE there), nor hasSubordinates "
     "in an extensible match",
     lambda c: re.search(r"\((subschemasubentry|2\.5\.18\.10)[;:=<>~]|"
                         r"\((hassubordinates|2\.5\.18\.9)(;[^:=]*)?:", c["text"],
                         re.IGNORECASE) is not None),
    ("RFC 4518 2.4: prohibited characters (U+FFFD, private use, unassigned) "
     "make the assertion Undefined; slapd compares them",
     lambda c: any(ch in c["text"] for ch in "\ufffd\ue000")),
    ("RFC 4511 4.5.1.7.6: approxMatch is equality here for every syntax; "
     "slapd's approximate rule strips accents for some attributes only",
     lambda c: "~=" in c["text"]),
    ("RFC 4517 4.2.26: objectIdentifierMatch takes a class name for its OID "
     "in an extensible match too; slapd does not",
     lambda c: "objectIdentifierMatch" in c["text"] or "objectClass:" in c["text"]
     or "objectclass:" in c["text"] or "2.5.4.0:" in c["text"]),
]


def esc_value(s):
    r = []
    for ch in s:
        if ch in "*()\\" or ch == "\x00":
            r.extend("\\%02x" % b for b in ch.encode("utf-8"))
        else:
            r.append(ch)
    return "".join(r)


class Gen:
    """Filters, bases and requests from one seed."""

    def __init__(self, rng, values, dns):
        self.r = rng
        self.values = values  # attribute (lower) -> list of values
        self.dns = dns
        self.space_sub = False
        self.hyphen_sub = False

    def attr(self):
        r = self.r.random()
        if r < 0.06:
            return self.r.choice(UNKNOWN)
        a = self.r.choice(ATTRS)
        if r < 0.12:
            a += self.r.choice(OPTIONS)
        return a

    def mutate(self, v):
        """Another way of typing v: case, normal form, width, spaces."""
        r = self.r
        k = r.random()
        if k < 0.2:
            v = v.upper()
        elif k < 0.35:
            v = v.lower()
        elif k < 0.45:
            v = unicodedata.normalize("NFD", v)
        elif k < 0.52:
            v = "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in v)
        elif k < 0.6:
            v = v.replace(" ", "  ")
        elif k < 0.65:
            v = " " + v + " "
        elif k < 0.7:
            i = r.randrange(len(v) + 1)
            v = v[:i] + r.choice(SCRIPTS_ODD) + v[i:]
        return v

    def value(self, attr):
        base = attr.split(";")[0].lower()
        pool = self.values.get(base)
        r = self.r.random()
        if attr.lower() in ("objectclass", "2.5.4.0") and r < 0.8:
            return self.r.choice(CLASSES)
        if pool and r < 0.75:
            return self.mutate(self.r.choice(pool))
        return self.mutate(self.r.choice(WORDS))

    def substrings(self, attr):
        v = self.value(attr)
        r = self.r
        n = len(v)
        cuts = sorted(r.randrange(n + 1) for _ in range(r.randrange(1, 4)))
        parts = []
        prev = 0
        for c in cuts:
            parts.append(v[prev:c])
            prev = c
        parts.append(v[prev:])
        # Drop some pieces (they become the gaps between stars).
        kept = [p if r.random() < 0.6 else "" for p in parts]
        if all(p == "" for p in kept):
            kept[0] = v[: max(1, n // 2)]
        if any(p.strip() == "" and p != "" for p in kept) or \
                any(p != "" and (p[0] == " " or p[-1] == " ") for p in kept):
            self.space_sub = True
        if attr.split(";")[0].lower() in PHONES and \
                any(p != "" and p.strip(" -") == "" for p in kept):
            self.hyphen_sub = True
        # Middle components cannot be empty in RFC 4515 text.
        text = esc_value(kept[0]) + "*" + "*".join(esc_value(p) for p in kept[1:-1] if p)
        if len(kept) > 1:
            text += "*" + esc_value(kept[-1])
        if "*" not in text:
            text += "*"
        return text.replace("**", "*")

    def item(self):
        r = self.r.random()
        a = self.attr()
        if r < 0.3:
            return "(%s=%s)" % (a, esc_value(self.value(a)))
        if r < 0.5:
            return "(%s=%s)" % (a, self.substrings(a))
        if r < 0.6:
            return "(%s=*)" % a
        if r < 0.67:
            return "(%s>=%s)" % (a, esc_value(self.value(a)))
        if r < 0.74:
            return "(%s<=%s)" % (a, esc_value(self.value(a)))
        if r < 0.78:
            return "(%s~=%s)" % (a, esc_value(self.value(a)))
        # extensible
        dn = ":dn" if self.r.random() < 0.3 else ""
        rule = ":" + self.r.choice(RULES) if self.r.random() < 0.5 else ""
        typ = a if (rule == "" or self.r.random() < 0.7) else ""
        return "(%s%s%s:=%s)" % (typ, dn, rule, esc_value(self.value(a or "cn")))

    def filter(self, depth=0):
        r = self.r.random()
        if depth < 3 and r < 0.35:
            op = self.r.choice("&|")
            n = self.r.randrange(1, 4)
            return "(%s%s)" % (op, "".join(self.filter(depth + 1) for _ in range(n)))
        if depth < 3 and r < 0.45:
            return "(!%s)" % self.filter(depth + 1)
        return self.item()

    def base(self):
        r = self.r
        k = r.random()
        if k < 0.35:
            return "dc=pocdir"
        dn = r.choice(self.dns)
        if k < 0.45:
            dn = "c=XX," + dn if r.random() < 0.5 else "uid=nobody," + dn
        # Another spelling of each type (RFC 4517 4.2.15).
        alias = {"c": ["c", "C", "countryName", "2.5.4.6"],
                 "uid": ["uid", "UID", "userid", "0.9.2342.19200300.100.1.1"],
                 "dc": ["dc", "DC", "domainComponent", "0.9.2342.19200300.100.1.25"]}
        rdns = []
        for rdn in dn.split(","):
            t, v = rdn.split("=", 1)
            t = r.choice(alias.get(t.lower(), [t]))
            if r.random() < 0.3:
                v = v.swapcase()
            rdns.append("%s=%s" % (t, v))
        return ",".join(rdns)

    def request(self):
        self.space_sub = False
        self.hyphen_sub = False
        flt = self.filter()
        r = self.r
        scope = r.choice([ldap3.BASE, ldap3.LEVEL, ldap3.SUBTREE, ldap3.SUBTREE])
        size = r.choice([0, 0, 0, 1, 3])
        types_only = r.random() < 0.1
        k = r.random()
        if k < 0.4:
            attrs = ["1.1"]
        elif k < 0.6:
            attrs = ["*"]
        else:
            attrs = r.sample(ATTRS + UNKNOWN, r.randrange(1, 4))
        return {"filter": flt, "base": self.base(), "scope": scope, "size": size,
                "types_only": types_only, "attrs": attrs, "text": flt,
                "has_space_substring": self.space_sub,
                "has_hyphen_substring": self.hyphen_sub}


def read_ldif(text):
    """Values by lower-case attribute name, and the DNs, from an LDIF export."""
    values, dns = {}, []
    for line in text.replace("\n ", "").splitlines():
        if ":" not in line or line.startswith("#"):
            continue
        name, _, rest = line.partition(":")
        if rest.startswith(":"):
            v = base64.b64decode(rest[1:].strip()).decode("utf-8")
        else:
            v = rest.strip()
        if name == "dn":
            dns.append(v)
        else:
            values.setdefault(name.lower(), []).append(v)
    # What the export does not carry: the supertype's values are its
    # subtypes', the operational ones are computed.
    values["name"] = [v for k in ("cn", "sn", "givenname", "title", "o", "c")
                      for v in values.get(k, [])]
    values["2.5.4.41"] = values["name"]
    values["entrydn"] = values["1.3.6.1.1.20"] = dns
    values["subschemasubentry"] = values["2.5.18.10"] = ["cn=Subschema"]
    values["hassubordinates"] = ["TRUE", "FALSE"]
    values["structuralobjectclass"] = ["inetOrgPerson", "country", "organization"]
    values["domaincomponent"] = values.get("dc", [])
    for k in values:
        values[k] = sorted(set(values[k]))
    return values, [d for d in dns if d != "dc=pocdir"]


def ask(conn, req):
    """(result code, sorted DNs, attributes) as seen through ldap3."""
    try:
        conn.search(req["base"], req["filter"], search_scope=req["scope"],
                    attributes=req["attrs"], size_limit=req["size"],
                    types_only=req["types_only"])
    except (ldap3.core.exceptions.LDAPSocketOpenError,
            ldap3.core.exceptions.LDAPSessionTerminatedByServerError,
            ldap3.core.exceptions.LDAPSocketReceiveError,
            ldap3.core.exceptions.LDAPSocketSendError) as e:
        return ("exception", type(e).__name__)
    except Exception:  # ldap3 cannot encode it: not a question for the servers
        return ("client", None)
    code = conn.result["result"]
    entries = []
    for e in conn.response or []:
        if e.get("type") != "searchResEntry":
            continue
        # ldap3 lists the requested names even when absent: only those the
        # server sent count.
        attrs = tuple(sorted((k.lower(), tuple(sorted(v or [])))
                             for k, v in (e.get("raw_attributes") or {}).items() if v))
        entries.append((e["dn"].lower(), attrs))
    entries.sort()
    if req["size"] and code == 4:
        # Which entries fill a size limit is the server's choice: compare
        # how many.
        return (code, len(entries))
    return (code, entries)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=int(os.environ.get("POCDIR_DIFF_COUNT", "3000")))
    ap.add_argument("--seed", type=int, default=int(os.environ.get("POCDIR_DIFF_SEED", "20261202")))
    args = ap.parse_args()
    tap = pt.Tap()
    sets = [("sample", pt.SAMPLE), ("international", pt.INTL),
            ("generated", pt.gen_directory(600, 12))]
    per_set = max(1, args.count // len(sets))
    total = {"n": 0, "same": 0, "known": 0, "skipped": 0}
    known_count = {}
    acl = "access to attrs=%s by * none\naccess to * by * read\n" % ",".join(HIDDEN)
    for si, (label, directory) in enumerate(sets):
        try:
            ours = pt.pocdird(directory, config="limits:\n  max-results: 100000\n")
            ldif = pt.export_ldif(directory)
            theirs = pt.slapd(ldif, acl=acl)
        except RuntimeError as e:
            tap.ok(False, "%s: servers start" % label, e)
            continue

        def connect(srv):
            return ldap3.Connection(ldap3.Server(srv.url, get_info=ldap3.NONE), auto_bind=True,
                                    check_names=False, raise_exceptions=False)
        a, b = connect(ours), connect(theirs)
        values, dns = read_ldif(ldif)
        seed = args.seed + si
        gen = Gen(random.Random(seed), values, dns)
        failures = []
        for i in range(per_set):
            req = gen.request()
            ra = ask(a, req)
            if ra[0] == "client":
                total["skipped"] += 1
                continue
            rb = ask(b, req)
            if ra[0] == "exception" or not a.bound:
                a = connect(ours)
            if rb[0] == "exception" or not b.bound:
                b = connect(theirs)
            total["n"] += 1
            if ra == rb:
                total["same"] += 1
                continue
            why = next((k for k, pred in KNOWN if pred(req)), None)
            if why is not None:
                total["known"] += 1
                known_count[why] = known_count.get(why, 0) + 1
                continue
            failures.append((i, req, ra, rb))
        alive = ours.alive()
        tap.ok(alive, "%s: pocdird is still up after %d searches" % (label, per_set))
        for i, req, ra, rb in failures[:10]:
            small = minimise(req, a, b, connect, ours, theirs)
            tap.ok(False, "%s: seed %d search %d agrees" % (label, seed, i),
                   "base %r scope %r size %d typesOnly %r attrs %r\nfilter:    %s\n"
                   "minimised: %s\npocdird: %.300r\nslapd:   %.300r" % (
                       req["base"], req["scope"], req["size"], req["types_only"],
                       req["attrs"], req["filter"], small["filter"], ask(a, small)[:2],
                       ask(b, small)[:2]))
        tap.ok(not failures, "%s: %d random searches (seed %d), %d unexplained "
               "disagreements" % (label, per_set, seed, len(failures)))
        a.unbind()
        b.unbind()
        ours.stop()
        theirs.stop()
    n = max(total["n"], 1)
    tap.diag("%d searches: %d agree (%.2f%%), %d known slapd differences (%.2f%%), %d "
             "unexplained" % (total["n"], total["same"], 100.0 * total["same"] / n,
                              total["known"], 100.0 * total["known"] / n,
                              total["n"] - total["same"] - total["known"]))
    tap.diag("%d more that the client library could not encode were left out" %
             total["skipped"])
    for why, k in sorted(known_count.items(), key=lambda x: -x[1]):
        tap.diag("  %5d  %s" % (k, why))
    tap.done()


def subfilters(text):
    """The direct parts of a filter string: the members of & | !."""
    if len(text) < 3 or text[1] not in "&|!":
        return []
    out, depth, start = [], 0, None
    i = 2
    while i < len(text) - 1:
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "(":
            if depth == 0:
                start = i
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                out.append(text[start:i + 1])
        i += 1
    return out


def minimise(req, a, b, connect, ours, theirs):
    """Shrink the filter while the servers still disagree."""
    best = dict(req)
    changed = True
    while changed:
        changed = False
        for part in subfilters(best["filter"]):
            trial = dict(best, filter=part)
            if ask(a, trial) != ask(b, trial):
                best = trial
                changed = True
                break
    return best


main()
