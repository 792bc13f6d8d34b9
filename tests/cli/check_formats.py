"""check_formats.py - reads pocdir's outputs with real parsers and checks
them against each other and the RFCs: JSON (json), LDIF (ldapmodify -n and a
decoder), vCard 4.0 (RFC 6350 line rules), CSV (csv); office hours at fixed
clocks across time zones; colours and width fitting on a real pseudo-terminal.
Run by t_cli_formats.sh with POCDIR and DATA set; speaks TAP."""

import base64
import csv
import datetime
import fcntl
import io
import json
import os
import pty
import re
import shutil
import struct
import subprocess
import sys
import termios
import unicodedata
import zoneinfo

POCDIR = os.environ["POCDIR"]
DATA = os.environ["DATA"]
NOW = "1795397400"  # Monday 2026-11-23 01:30 UTC

n = 0
failed = 0


def ok(cond, desc, detail=None):
    global n, failed
    n += 1
    if cond:
        print(f"ok {n} - {desc}")
    else:
        failed += 1
        print(f"not ok {n} - {desc}")
        if detail:
            for line in str(detail).splitlines()[:20]:
                print(f"# {line}")
    return cond


def env(**extra):
    e = dict(os.environ)
    e.update(POCDIR_DIRECTORY=DATA, POCDIR_NOW=NOW)
    e.pop("NO_COLOR", None)
    e.pop("COLUMNS", None)
    e.update(extra)
    return e


def run(*args, **extra):
    p = subprocess.run([POCDIR, *args], capture_output=True, env=env(**extra), timeout=30)
    if p.returncode not in (0, 1):
        print(f"# pocdir {' '.join(args)} exited {p.returncode}: {p.stderr.decode()}")
    return p


def run_tty(*args, cols=300, **extra):
    """pocdir with stdout on a pseudo-terminal of `cols` columns: the output,
    with the terminal's CRLF turned back into LF."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, cols, 0, 0))
    p = subprocess.Popen([POCDIR, *args], stdout=slave, stderr=subprocess.PIPE, env=env(**extra))
    os.close(slave)
    chunks = []
    while True:
        try:
            b = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not b:
            break
        chunks.append(b)
    p.wait(timeout=30)
    os.close(master)
    return b"".join(chunks).replace(b"\r\n", b"\n").decode("utf-8")


# ---- JSON -----------------------------------------------------------------

p = run("export", "--format", "json")
try:
    entries = json.loads(p.stdout.decode("utf-8"))
    ok(True, "JSON parses")
except ValueError as e:
    ok(False, "JSON parses", e)
    print(f"1..{n}")
    sys.exit(1)
ok(isinstance(entries, list) and len(entries) == 4, "JSON is an array of 4 objects")
schema_ok = True
why = ""
for e in entries:
    keys = list(e)
    if keys[:4] != ["id", "dn", "country", "origin"] or keys[-1] != "extensions":
        schema_ok, why = False, f"key order {keys}"
    for k in keys[:4]:
        if not isinstance(e[k], str):
            schema_ok, why = False, f"{k} is not a string"
    # The moment's view: marks, the contact's wall clock, whether it is open.
    if keys[4:7] != ["status", "local-time", "open-now"] or not (
            isinstance(e["status"], list) and all(isinstance(v, str) for v in e["status"]) and
            (e["local-time"] is None or isinstance(e["local-time"], str)) and
            e["open-now"] in (True, False, None)):
        schema_ok, why = False, f"status, local-time, open-now: {keys[4:7]}"
    for k in keys[7:-1]:
        if not (isinstance(e[k], list) and e[k] and all(isinstance(v, str) for v in e[k])):
            schema_ok, why = False, f"{k} is not a list of strings"
    if not (isinstance(e["extensions"], dict) and all(
            k.startswith("x-") and isinstance(v, str) for k, v in e["extensions"].items())):
        schema_ok, why = False, "extensions"
    if "objectClass" in e:
        schema_ok, why = False, "objectClass is in the JSON"
ok(schema_ok, "JSON follows the documented schema", why)
by_dn = {e["dn"]: e for e in entries}
mofa = by_dn["uid=mofa-policy,c=KR,dc=pocdir"]
ok(mofa["cn"] == ["김민준"], "JSON keeps UTF-8 as it is", mofa["cn"])
ok(mofa["description"][0].startswith(' Call the "duty desk"') and "back\\slash" in
   mofa["description"][0], "JSON escapes quotes and backslashes", mofa["description"])
ok(by_dn["uid=krcert,c=KR,dc=pocdir"]["extensions"] ==
   {"x-first-team": "krcert", "x-escalation": "[duty officer, team lead]"},
   "JSON carries x- extensions", by_dn["uid=krcert,c=KR,dc=pocdir"]["extensions"])

# ---- LDIF -----------------------------------------------------------------

p = run("export")
ldif = p.stdout
ok(all(len(line) <= 76 for line in ldif.split(b"\n")), "LDIF lines are folded at 76")
ok(all(b < 0x80 for b in ldif), "LDIF is ASCII (non-ASCII values are base64)")
if shutil.which("ldapmodify"):
    path = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"pocdir-check-{os.getpid()}.ldif")
    with open(path, "wb") as f:
        f.write(ldif)
    # -n: parse and show what would be done, without contacting a server.
    q = subprocess.run(["ldapmodify", "-a", "-n", "-f", path, "-H", "ldap://127.0.0.1:9"],
                       capture_output=True, timeout=30)
    os.unlink(path)
    ok(q.returncode == 0 and q.stdout.count(b"adding new entry") == 1 + 3 + 4,
       "ldapmodify parses the LDIF: base, 3 countries, 4 contacts", q.stderr.decode())
else:
    ok(True, "ldapmodify parses the LDIF # SKIP ldapmodify not installed (ldap-utils)")


def ldif_records(data):
    text = data.decode("ascii")
    lines = []
    for line in text.split("\n"):
        if line.startswith(" ") and lines:
            lines[-1] += line[1:]  # RFC 2849: a continuation drops its one space
        else:
            lines.append(line)
    records, cur = [], []
    for line in lines:
        if line == "":
            if cur:
                records.append(cur)
            cur = []
        elif not line.startswith("version:"):
            m = re.match(r"^([A-Za-z0-9-]+)(::?) ?(.*)$", line)
            name, sep, value = m.group(1), m.group(2), m.group(3)
            if sep == "::":
                value = base64.b64decode(value, validate=True).decode("utf-8")
            cur.append((name, value))
    if cur:
        records.append(cur)
    return records


records = ldif_records(ldif)
same = True
why = ""
for rec in records:
    dn = rec[0][1]
    if dn not in by_dn:
        continue
    attrs = {}
    for name, value in rec[1:]:
        attrs.setdefault(name, []).append(value)
    oc = attrs.pop("objectClass", [])
    if "pocContact" not in oc or "inetOrgPerson" not in oc:
        same, why = False, f"{dn}: objectClass {oc}"
    want = {k: v for k, v in by_dn[dn].items() if k not in (
        "id", "dn", "country", "origin", "extensions", "status", "local-time", "open-now")}
    # JSON gives an address its line breaks; LDIF has RFC 4517's '$'.
    if "postalAddress" in attrs:
        attrs["postalAddress"] = [v.replace("$", "\n") for v in attrs["postalAddress"]]
    if attrs != want:
        same, why = False, f"{dn}: LDIF {attrs} JSON {want}"
ok(same and len(records) == 8, "LDIF decodes to the same values as the JSON", why)
ok(records[0][0] == ("dn", "dc=pocdir") and ("objectClass", "dcObject") in records[0],
   "LDIF starts with the base entry", records[0])
ok(b"description:: " in ldif and b"cn:: " in ldif,
   "LDIF base64-encodes a leading space and non-ASCII")

# ---- vCard ----------------------------------------------------------------

p = run("export", "--format", "vcard")
raw = p.stdout
phys = raw.split(b"\r\n")
ok(raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b""),
   "vCard lines end in CRLF, and only there")
ok(all(len(line) <= 75 for line in phys), "vCard lines are folded at 75 octets")
try:
    for line in phys:
        line.decode("utf-8")
    ok(True, "vCard folding never splits a UTF-8 character")
except UnicodeDecodeError as e:
    ok(False, "vCard folding never splits a UTF-8 character", e)
logical = []
for line in raw.decode("utf-8").split("\r\n"):
    if line.startswith(" ") and logical:
        logical[-1] += line[1:]
    elif line:
        logical.append(line)
cards, cur = [], None
for line in logical:
    if line == "BEGIN:VCARD":
        cur = [line]
    elif line == "END:VCARD":
        cards.append(cur + [line])
        cur = None
    elif cur is not None:
        cur.append(line)
ok(len(cards) == 4 and all(c[1] == "VERSION:4.0" for c in cards),
   "4 cards, each BEGIN, VERSION:4.0 ... END")


def vcard_unescape(s):
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) in "nN" else m.group(1), s)


fns = sorted(vcard_unescape(line[3:]) for c in cards for line in c if line.startswith("FN:"))
ok(fns == sorted(e["cn"][0] for e in entries), "FN is each contact's cn", fns)
tels = [line for c in cards for line in c if line.startswith("TEL")]
ok(tels and all(re.fullmatch(r'TEL;VALUE=uri;TYPE=("[a-z0-9,-]+"|[a-z]+):tel:\+[0-9]+', t)
                for t in tels), "TEL values are RFC 3966 global numbers", tels)
ok(any('TYPE="voice,x-24x7":tel:+82200000118' in t for t in tels), "24x7 numbers are marked")
uids = [line for c in cards for line in c if line.startswith("UID:")]
ok(len(set(uids)) == 4 and all(re.fullmatch(
    r"UID:urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", u)
    for u in uids), "UIDs are distinct version-8 UUID URNs", uids)
mofa_card = next(c for c in cards if "FN:김민준" in c)
adr = next(line for line in mofa_card if line.startswith("ADR"))
ok(adr == "ADR;TYPE=work:;;60 Sajik-ro 8-gil\\; Jongno-gu\\nSeoul 03172\\nRepublic of Korea;;;;",
   "ADR turns '$' lines into escaped newlines", adr)

# ---- CSV ------------------------------------------------------------------

p = run("export", "--format", "csv")
text = p.stdout.decode("utf-8")
rows = list(csv.reader(io.StringIO(text, newline="")))
ok(text.endswith("\r\n") and text.count("\r\n") == 5, "CSV records end in CRLF",
   repr(text[-40:]))
ok(len(rows) == 5 and rows[0][:3] == ["id", "country", "origin"], "CSV header and 4 rows")
same = True
why = ""
for row in rows[1:]:
    rec = dict(zip(rows[0], row))
    e = next(x for x in entries if x["id"] == rec["id"] and x["country"] == rec["country"])
    for col in rows[0][3:]:
        if rec[col] != "; ".join(e.get(col, [])):
            same, why = False, f"{rec['id']}.{col}: {rec[col]!r}"
ok(same, "CSV cells are the JSON values joined with '; '", why)

# ---- office hours at fixed clocks -----------------------------------------

CASES = [
    # (id, zone, local time, expected)
    ("KR/krcert", "Asia/Seoul", "2026-11-28 03:00", "open"),  # 24/7, Saturday night
    ("KR/mofa-policy", "Asia/Seoul", "2026-11-23 10:30", "open"),
    ("KR/mofa-policy", "Asia/Seoul", "2026-11-23 08:59", "closed"),
    ("KR/mofa-policy", "Asia/Seoul", "2026-11-23 18:00", "closed"),  # the end is not in
    ("KR/mofa-policy", "Asia/Seoul", "2026-11-28 11:00", "closed"),  # Saturday
    ("FR/anssi", "Europe/Paris", "2026-11-24 11:59", "open"),
    ("FR/anssi", "Europe/Paris", "2026-11-24 13:00", "closed"),  # lunch
    ("FR/anssi", "Europe/Paris", "2026-11-24 14:00", "open"),
    ("FR/anssi", "Europe/Paris", "2026-11-25 10:00", "open"),  # Wednesday morning
    ("FR/anssi", "Europe/Paris", "2026-11-25 15:00", "closed"),  # Wednesday afternoon
    ("FR/anssi", "Europe/Paris", "2026-11-26 15:00", "open"),  # Thursday afternoon
    ("FR/anssi", "Europe/Paris", "2026-07-07 17:30", "open"),  # summer time, UTC+2
    ("FR/anssi", "Europe/Paris", "2026-07-07 18:30", "closed"),
    ("NZ/night-desk", "Pacific/Auckland", "2026-11-23 23:00", "open"),  # Mo 22-24
    ("NZ/night-desk", "Pacific/Auckland", "2026-11-28 05:59", "open"),  # Sa 00-06
    ("NZ/night-desk", "Pacific/Auckland", "2026-11-29 03:00", "closed"),  # Sunday
    ("NZ/night-desk", "Pacific/Auckland", "2026-11-23 03:00", "closed"),  # Monday early
    ("NZ/night-desk", "Pacific/Auckland", "2026-11-27 21:59", "closed"),
]
DAYS = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"]
# A closed office says when it opens, in its own time and in the user's.
OPENS = [
    ("KR/mofa-policy", "Asia/Seoul", "2026-11-28 11:00", "UTC", "opens Mo 09:00, yours Mo 00:00"),
    ("FR/anssi", "Europe/Paris", "2026-11-24 13:00", "Asia/Seoul", "opens Tu 14:00, yours Tu 22:00"),
    ("FR/anssi", "Europe/Paris", "2026-07-07 18:30", "UTC", "opens We 09:00, yours We 07:00"),
    ("NZ/night-desk", "Pacific/Auckland", "2026-11-29 03:00", "UTC",
     "opens Mo 22:00, yours Mo 09:00"),
]
for key, zone, local, user_zone, want in OPENS:
    t = datetime.datetime.strptime(local, "%Y-%m-%d %H:%M").replace(
        tzinfo=zoneinfo.ZoneInfo(zone))
    out = run("show", key, "--no-color", POCDIR_NOW=str(int(t.timestamp())),
              TZ=user_zone).stdout.decode("utf-8")
    ok(f"(closed, {want})" in out, f"{key} closed at {local}: {want} ({user_zone})",
       next((line for line in out.splitlines() if line.startswith("local time")), out))
for key, zone, local, want in CASES:
    t = datetime.datetime.strptime(local, "%Y-%m-%d %H:%M").replace(
        tzinfo=zoneinfo.ZoneInfo(zone))
    now = str(int(t.timestamp()))
    p = run("show", key, "--no-color", POCDIR_NOW=now)
    expect = rf"^local time +{DAYS[t.weekday()]} {t:%H:%M} \({want}[,)]"
    out = p.stdout.decode("utf-8")
    ok(re.search(expect, out, re.M), f"{key} at {local} {zone}: {want}",
       next((line for line in out.splitlines() if line.startswith("local time")), out))

# ---- colours and width ----------------------------------------------------

piped = run("lookup").stdout
ok(b"\x1b[" not in piped, "no colours when stdout is not a terminal")
tty = run_tty("lookup")
ok("\x1b[1mCC\x1b[0m" in tty and ("\x1b[32mopen" in tty or "\x1b[31mclosed" in tty),
   "colours on a terminal", tty[:200])
ok("\x1b[" not in run_tty("lookup", NO_COLOR="1"), "NO_COLOR turns colours off")
ok("\x1b[" not in run_tty("lookup", "--no-color"), "--no-color turns colours off")


def width(s):
    return sum(0 if unicodedata.combining(c) else
               2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


# Contact channels, numbers and times are never cut; text columns wrap down
# to their floor, and below that each contact becomes a block of lines.
CHANNELS = ("elodie.martin@anssi.fr.example", "duty@krcert.kr.example (24x7)",
            "+82 2 0000 0118 (24x7)", "minjun.kim@mofa.kr.example", "night@ncsc.nz.example")
narrow = run_tty("lookup", "--no-color", COLUMNS="110", LC_ALL="C.UTF-8")
widths = [width(line) for line in narrow.splitlines()]
ok(widths and max(widths) <= 110 and "…" not in narrow and
   all(c in narrow for c in CHANNELS), "tables fit COLUMNS=110 on a terminal, channels whole",
   narrow)
for cols in ("80", "40"):
    small = run_tty("lookup", "--no-color", COLUMNS=cols, LC_ALL="C.UTF-8")
    ok(all(c in small for c in CHANNELS) and "…" not in small and
       re.search(r"^  E-MAIL  ", small, re.M),
       f"at {cols} columns each contact is a block, no channel cut", small)
ok("+33 6 00 00 00 02 (mobile)" in narrow, "phone numbers are not cut", narrow)
ok(all(w in narrow.split() for w in ("Agence", "nationale", "sécurité", "systèmes")),
   "agency names wrap at spaces, nothing is lost", narrow)
ok(max(width(line) for line in piped.decode().splitlines()) > 100 and "…" not in piped.decode(),
   "piped tables are never cut")
ok(run("lookup", COLUMNS="100").stdout == piped, "COLUMNS does not change piped output")

# ---- hostile text ---------------------------------------------------------

HOSTILE = os.path.join(os.path.dirname(DATA), "hostile")
agency = "Evil Agency; \"quoted\", comma"
name = "Tab\there: <x> \u00e9t\u00e9"
notes = "line1\nline2 $ \\24 : < trailing "
p = run("-d", HOSTILE, "show", "evil", "--format", "json")
try:
    h = json.loads(p.stdout.decode("utf-8"))[0]
    ok(h["o"] == [agency] and h["cn"] == [name] and h["description"] == [notes] and
       h["extensions"] == {"x-esc": ":]0;title,"}, "JSON carries awkward text exactly",
       h)
except (ValueError, IndexError, KeyError) as e:
    ok(False, "JSON carries awkward text exactly", e)
recs = ldif_records(run("-d", HOSTILE, "show", "evil", "--format", "ldif").stdout)
vals = dict(recs[0][1:]) if recs else {}
ok(vals.get("o") == agency and vals.get("cn") == name and vals.get("description") == notes,
   "LDIF carries awkward text exactly", vals)
rows = list(csv.reader(io.StringIO(run("-d", HOSTILE, "show", "evil", "--format", "csv")
                                   .stdout.decode("utf-8"), newline="")))
rec = dict(zip(rows[0], rows[1])) if len(rows) == 2 else {}
ok(rec.get("o") == agency and rec.get("cn") == name and rec.get("description") == notes,
   "CSV carries awkward text exactly", rec)
card = run("-d", HOSTILE, "show", "evil", "--format", "vcard").stdout.decode("utf-8")
ok(not re.search(r"[\x00-\x08\x0a-\x1f\x7f]", card.replace("\r\n", "")),
   "vCard holds no control character but HTAB (RFC 6350 3.3)", repr(card))
for args in (["show", "evil"], ["lookup"], ["search", "(o=*)", "--attrs", "o,cn,x-esc"]):
    piped = run("-d", HOSTILE, *args).stdout.decode("utf-8")
    tty = run_tty("-d", HOSTILE, *args)
    bad = [o for o in (piped, tty.replace("\x1b[1m", "").replace("\x1b[0m", ""))
           if re.search(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e]", o)]
    ok(not bad, f"table of {args[0]} writes no control characters to a terminal", repr(bad))

CONTROLS = os.path.join(os.path.dirname(DATA), "controls")
p = run("validate", CONTROLS)
msgs = p.stdout.decode("utf-8", "replace") + p.stderr.decode("utf-8", "replace")
ok(p.returncode == 2 and msgs.count("control character") >= 4 and "bidirectional" in msgs,
   "control characters, C1 controls and bidi overrides are refused with their place", msgs)

print(f"1..{n}")
sys.exit(1 if failed else 0)
