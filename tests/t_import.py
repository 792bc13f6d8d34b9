"""t_import.py - pocdir import from FIRST and Trusted Introducer team JSON,
RFC 9116 security.txt and CSV: every result passes pocdir validate and signs,
unmapped fields are kept as x- keys and reported, broken inputs fail with
their place and leave the existing file alone, a CSV export imports back to
the same entries, and a URL is fetched over real HTTP."""

import json
import os
import shutil
import ssl
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # the source tree may be read-only (distcheck)
sys.path.insert(0, os.path.join(os.environ.get("top_srcdir", os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..")), "tests", "ldap"))
import pocdirtest as pt  # noqa: E402

try:
    import yaml
except ImportError:
    pt.skip_all("python3-yaml is not installed")

SAMPLES = os.path.join(pt.TOP_SRCDIR, "tests", "import")
CLI_DATA = os.path.join(pt.TOP_SRCDIR, "tests", "cli", "data")
t = pt.Tap()
work = pt.scratch()
ENV = dict(os.environ, POCDIR_NOW="1795397400")  # 2026-11-22T..Z
ENV.pop("POCDIR_PASSPHRASE", None)


def pocdir(*args):
    r = subprocess.run([pt.POCDIR] + list(args), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, env=ENV, cwd=work)
    return r.returncode, r.stdout.decode("utf-8", "replace"), r.stderr.decode("utf-8", "replace")


def sample(name):
    return os.path.join(SAMPLES, name)


def entries_by_id(doc):
    return {e["id"]: e for e in doc["entries"]}


def imported(fmt, src, origin, *extra):
    """Import into work/<origin>.yaml; check exit 0 and pocdir validate."""
    out = os.path.join(work, origin + ".yaml")
    rc, _, err = pocdir("import", "--from", fmt, src, "--origin", origin, "--out", out, *extra)
    t.eq(rc, 0, "%s: import of %s exits 0" % (fmt, os.path.basename(src)))
    if rc != 0:
        t.diag(err)
        return None, err
    rc, vout, verr = pocdir("validate", out)
    t.ok(rc == 0, "%s: the imported file passes pocdir validate" % fmt, vout + verr)
    with open(out, encoding="utf-8") as f:
        # BaseLoader: every scalar as the text it is, as pocdir reads it.
        return yaml.load(f, Loader=yaml.BaseLoader), err


# ---- FIRST teams API JSON ----
doc, err = imported("first", sample("first-teams.json"), "first")
if doc:
    e = entries_by_id(doc)
    t.eq(sorted(e), ["jpcert", "krcert", "sgcert"], "first: one entry per team, ids kept")
    kr = e["krcert"]
    t.eq((kr["country"], kr["agency"], kr["name"]),
         ("KR", "Korea Internet Emergency Response Team Coordination Center", "KrCERT/CC"),
         "first: country, official name as agency, short name as name")
    t.eq(kr["phone-24x7"], ["+82 2 0000 0118"], "first: emergency phone is phone-24x7")
    t.eq(kr["hours"], "Mo-Fr 09:00-18:00", "first: 'Monday-Friday' hours in pocdir's grammar")
    t.eq(kr["pgp"]["expires"], "2027-06-30", "first: first PGP key with its expiry")
    t.ok("x-first-pgp-keys" in kr and "0123456789ABCDEF" in kr["x-first-pgp-keys"],
         "first: the second PGP key is kept as x-first-pgp-keys", kr)
    t.eq((kr.get("x-first-host"), kr.get("x-first-establishment")),
         ("Korea Internet & Security Agency", "1996-11-01"),
         "first: fields pocdir has no key for are kept as x-first-*")
    t.ok("24x7" in kr["roles"], "first: a 24x7 phone adds the 24x7 role")
    t.eq(kr["address"].splitlines()[-1], "Republic of Korea", "first: multi-line address kept")
    jp = e["jpcert"]
    t.eq(jp["email"], ["info@jpcert.jp.example", "office@jpcert.jp.example"],
         "first: a comma-separated e-mail list becomes two addresses")
    t.eq((jp.get("x-first-emergency-phone"), jp.get("x-first-timezone")),
         ("(03) 0000 0911", "UTC+0900"),
         "first: a non-E.164 phone and a non-IANA zone are kept as x- keys")
    t.ok("hours" not in jp and "x-first-hours" in jp,
         "first: hours without a usable time zone are kept as x-first-hours")
    t.ok('emergency-phone "(03) 0000 0911"' in err and "kept as x-first-emergency-phone" in err,
         "first: the kept phone is reported on stderr", err)
    t.eq(e["sgcert"]["countries"], ["BN"], "first: other countries become countries")
    t.eq(doc["scope"], ["BN", "JP", "KR", "SG"], "first: the scope is every country named")
    day = time.strftime("%Y%m%d", time.gmtime(int(ENV["POCDIR_NOW"])))
    t.eq(doc["serial"], day + "00", "first: a new file starts at the day's serial 00")

# Sign it as usual; verify; import again unchanged: the file and its
# signature stay valid.
out = os.path.join(work, "first.yaml")
rc, _, kerr = pocdir("keygen", "--key", "first.key", "--pubkey", "first.pub")
t.eq(rc, 0, "keygen for the imported origin", kerr)
rc, _, serr = pocdir("sign", out, "--key", "first.key")
t.eq(rc, 0, "pocdir sign signs the imported file", serr)
with open(out, encoding="utf-8") as f:
    signed_serial = int(yaml.load(f, Loader=yaml.BaseLoader)["serial"])
t.ok(signed_serial > int(day + "00") and signed_serial % 100 >= 1,
     "sign raises the serial (to at least the day's 01)", signed_serial)
with open(out, "rb") as f:
    signed = f.read()
rc, _, err = pocdir("import", "--from", "first", sample("first-teams.json"), "--origin", "first",
                    "--out", out)
with open(out, "rb") as f:
    t.ok(rc == 0 and f.read() == signed, "importing the same listing again leaves the file as is")
rc, _, verr = pocdir("verify", out, "--pubkey", "first.pub")
t.eq(rc, 0, "the signature still verifies after the re-import", verr)

# ---- Trusted Introducer listing ----
doc, err = imported("ti", sample("ti-teams.json"), "ti")
if doc:
    e = entries_by_id(doc)
    t.eq(sorted(e), ["cert-fr", "cert.at"], "ti: ids made from the short names")
    fr = e["cert-fr"]
    t.eq(fr["hours"], "Mo-Fr 08:30-18:00", "ti: 'Monday to Friday' hours rewritten")
    t.eq(fr["pgp"], {"fingerprint": "8F1A 2B3C 4D5E 6F70 8192  A3B4 C5D6 E7F8 2D4C 5F8A",
                     "expires": "2027-03-31"}, "ti: PGP key object with a timestamp expiry")
    t.eq((fr.get("x-ti-ti-status"), fr.get("x-ti-host-organisation")), ("Accredited", "ANSSI"),
         "ti: TI status and host kept as x-ti-*")
    t.eq(fr["fax"], ["+33 1 00 00 00 01"], "ti: telefax is fax")
    t.eq(fr["changed"], "2026-10-02", "ti: last change is changed")
    t.eq(e["cert.at"]["languages"], ["de", "en"], "ti: a language list")

# ---- RFC 9116 security.txt ----
doc, err = imported("security.txt", sample("security.txt"), "nz", "--country", "NZ",
                    "--agency", "CERT NZ", "--id", "cert-nz", "--roles",
                    "technical,incident-response,coordination")
if doc:
    nz = doc["entries"][0]
    t.eq((nz["email"], nz["phone"], nz["website"]),
         (["security@cert.nz.example"], ["+64-4-000-0100"], ["https://www.cert.nz.example/report"]),
         "security.txt: mailto:, tel: and web Contact fields")
    t.eq(nz["pgp"]["fingerprint"], "5F2D1C0B9A8877665544332211FFEEDDCCBBAA99",
         "security.txt: openpgp4fpr: Encryption is the PGP fingerprint")
    t.eq(nz["valid-until"], "2027-09-30", "security.txt: Expires is valid-until")
    t.eq(nz["languages"], ["en", "mi"], "security.txt: Preferred-Languages")
    t.eq((nz.get("x-canonical"), nz.get("x-policy"), nz.get("x-encryption")),
         ("https://www.cert.nz.example/.well-known/security.txt",
          "https://www.cert.nz.example/disclosure-policy",
          "https://www.cert.nz.example/pgp-key.txt"),
         "security.txt: Canonical, Policy and a key URL kept as x- keys")
    t.eq(nz["roles"], ["technical", "incident-response", "coordination"], "--roles applies")
    t.ok("signature was not checked" in err, "security.txt: an OpenPGP-signed file says the "
         "signature was not checked", err)
rc, _, err = pocdir("import", "--from", "security.txt", sample("security.txt"), "--origin", "nz")
t.ok(rc == 2 and "--country" in err, "security.txt without --country: exit 2, asks for it", err)

# ---- CSV ----
COLUMNS = ("Team=name,Organisation=agency,E-mail=email,24x7 phone=phone-24x7,"
           "Time zone=timezone,Remarks=notes")
doc, err = imported("csv", sample("contacts.csv"), "asean", "--columns", COLUMNS)
if doc:
    e = entries_by_id(doc)
    t.eq(sorted(e), ["mycert", "ph-ncert", "thaicert"], "csv: one entry per record")
    th = e["thaicert"]
    t.eq(th["roles"], ["technical", "incident-response", "24x7"], "csv: a ';' list of roles")
    t.eq(th["notes"], 'Reports in Thai or English; "urgent" in subject',
         "csv: a quoted field with doubled quotes (RFC 4180 2.7)")
    t.eq(e["ph-ncert"]["name"], "PH, NCERT", "csv: a quoted field with a comma")
    t.eq(e["ph-ncert"]["notes"], "Multi-line\nremark kept", "csv: a quoted line break")
    t.eq(e["ph-ncert"].get("x-phone"), "02 8920 0101", "csv: a national-format phone is kept "
         "as x-phone")
rc, _, err = pocdir("import", "--from", "csv", sample("contacts.csv"), "--origin", "asean",
                    "--columns", "Team=name,Organisation=agency")
t.ok(rc == 2 and "record 3: no e-mail address or phone number" in err,
     "csv: without the E-mail column mapped, the record with no usable contact is an error", err)

# A CSV export imports back to the same contacts.
rc, csv_text, err = pocdir("export", "--format", "csv", "-d", CLI_DATA)
with open(os.path.join(work, "export.csv"), "w", encoding="utf-8") as f:
    f.write(csv_text)
doc, err = imported("csv", os.path.join(work, "export.csv"), "roundtrip")
t.ok('column "origin"' in err and "not imported" in err,
     "csv: the set-level origin column is reported, not silently dropped", err)


def contacts(directory):
    rc, out, err = pocdir("export", "--format", "json", "-d", directory)
    result = {}
    for c in json.loads(out):
        # The CSV export has no columns for x- keys, so they cannot come back.
        for k in ("origin", "pocOrigin", "pocSerial", "extensions"):
            c.pop(k, None)
        result[c["dn"]] = c
    return result


t.eq(contacts(os.path.join(work, "roundtrip.yaml")), contacts(CLI_DATA),
     "csv: export, import and export again gives the same contacts")

# ---- broken inputs: clear errors, nothing written ----
guard = os.path.join(work, "guard.yaml")
shutil.copy(os.path.join(work, "first.yaml"), guard)
with open(guard, "rb") as f:
    before = f.read()
BROKEN = [
    ("first", "broken-json.json", [], "broken-json.json:3:35: not valid JSON"),
    ("first", "broken-nocountry.json", [], "team 1 (x): no ISO 3166 country code"),
    ("security.txt", "broken-security.txt", ["--country", "KR", "--agency", "A"],
     "broken-security.txt:2:1: expected \"Field: value\""),
    ("security.txt", "broken-security.txt", ["--country", "KR", "--agency", "A"],
     "broken-security.txt:4:1: Expires given twice"),
    ("csv", "broken-quote.csv", ["--columns", "E-mail=email"], "not RFC 4180 CSV"),
    ("csv", "broken-fields.csv", ["--columns", "E-mail=email"],
     "record 1: 4 fields, the header has 3"),
    ("csv", "contacts.csv", ["--columns", "Team=nmae"], '"nmae" is not an entry key'),
    ("ti", "first-teams.json", ["--origin", "ti2"], 'holds origin "first", not "ti2"'),
]
for fmt, name, extra, want in BROKEN:
    args = ["import", "--from", fmt, sample(name), "--origin", "first", "--out", guard] + extra
    if "--origin" in extra:
        args = ["import", "--from", fmt, sample(name), "--out", guard] + extra
    rc, _, err = pocdir(*args)
    t.ok(rc == 2 and want in err, "%s %s: exit 2 and says: %s" % (fmt, name, want), err)
# Options are the caller's: a wrong one is an error, not an x- key.
for opt, value, want in [("--id", "Bad Id!", "--id: "), ("--country", "XX", "--country: "),
                         ("--roles", "technical,chef", "--roles: "),
                         ("--agency-type", "club", "--agency-type: ")]:
    rc, _, err = pocdir("import", "--from", "security.txt", sample("security.txt"), "--origin",
                        "first", "--out", guard, "--country", "NZ", "--agency", "A", opt, value)
    t.ok(rc == 2 and want in err, "%s %s: exit 2, says what is wrong" % (opt, value), err)
rc, _, err = pocdir("import", "--from", "first", sample("first-teams.json"), "--origin",
                    "first", "--out", guard, "--columns", "team=name")
t.ok(rc == 2 and "--columns maps CSV headers" in err, "--columns with JSON: exit 2", err)
# Hostile sizes and shapes.
for name, text, want in [
        ("deep.json", "[" * 5000 + "]" * 5000,
         "deep.json:1:2049: not valid JSON: maximum parsing depth"),
        ("long.csv", "Team,Country,E-mail\nA,KR," + "x" * 5000 + "\n",
         "a field longer than 4096 bytes"),
        ("nul.json", '{"data": []}\0', "holds a NUL byte")]:
    path = os.path.join(work, name)
    with open(path, "w") as f:
        f.write(text)
    fmt = "csv" if name.endswith(".csv") else "first"
    rc, _, err = pocdir("import", "--from", fmt, path, "--origin", "first", "--out", guard,
                        *(["--columns", "E-mail=email"] if fmt == "csv" else []))
    t.ok(rc == 2 and want in err, "%s: exit 2 and says: %s" % (name, want), err)
big = os.path.join(work, "big.json")
with open(big, "w") as f:
    f.write(" " * (16 * 1024 * 1024 + 1))
rc, _, err = pocdir("import", "--from", "first", big, "--origin", "first", "--out", guard)
t.ok(rc == 2 and "larger than 16777216 bytes" in err, "a file over 16 MiB is refused", err)
with open(guard, "rb") as f:
    t.ok(f.read() == before, "after every failed import the existing file is unchanged")

# ---- URL: fetched with libcurl over real HTTP (sync's fetcher) ----


httpd = pt.serve_folder(SAMPLES)
base = httpd.url
rc, out, err = pocdir("import", "--from", "ti", base + "ti-teams.json", "--origin", "ti")
t.ok(rc == 0 and "cert-fr" in out, "URL: import from an http:// URL to stdout", err)
rc, out, err = pocdir("import", "--from", "ti", base + "missing.json", "--origin", "ti")
t.ok(rc == 2 and "HTTP status 404" in err, "URL: a 404 is an error that says so", err)
rc, out, err = pocdir("import", "--from", "ti", base[:-1] + "9/x", "--origin", "ti",
                      "--timeout", "2")
t.ok(rc == 2 and out == "", "URL: an unreachable server is an error, nothing written", err)
httpd.shutdown()

# https: the certificate is checked, against --ca-file for a private CA.
key, crt = os.path.join(work, "tls.key"), os.path.join(work, "tls.crt")
made = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                       "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                       "-keyout", key, "-out", crt], stdout=subprocess.DEVNULL,
                      stderr=subprocess.DEVNULL).returncode == 0
t.ok(made, "openssl makes a private CA's certificate for 127.0.0.1")
if made:
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(crt, key)
    httpsd = pt.serve_folder(SAMPLES, lambda sock: tls.wrap_socket(sock, server_side=True))
    url = httpsd.url + "ti-teams.json"
    rc, out, err = pocdir("import", "--from", "ti", url, "--origin", "ti", "--timeout", "5")
    t.ok(rc == 2 and out == "" and "certificate" in err.lower(),
         "https: a certificate no trusted CA signed is refused", err)
    rc, out, err = pocdir("import", "--from", "ti", url, "--origin", "ti", "--ca-file", crt)
    t.ok(rc == 0 and "cert-fr" in out, "https: --ca-file trusts the private CA", err)
    httpsd.shutdown()

t.done()
