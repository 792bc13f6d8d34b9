# check_notification.py - reads a notification as a recipient's tools would:
# Python's email parser for the MIME message, json for the STIX 2.1 bundle,
# then checks the bundle against the rules of STIX 2.1 that a consumer
# relies on (required properties per object, identifiers, timestamps,
# references that resolve, TLP marking definitions, pattern syntax per
# indicator type). Writes the bundle and its signature (if any) to OUTDIR
# for minisign. Prints one line per indicator pattern.
#   check_notification.py MESSAGE-FILE OUTDIR
import email
import email.policy
import json
import re
import sys

msg = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
out = sys.argv[2]
fail = []


def need(cond, what):
    if not cond:
        fail.append(what)


need(msg.get_content_type() == "multipart/mixed", "multipart/mixed")
token = re.search(r"\[pocdir (pd[0-9a-f]{20})\]", msg["Subject"]).group(1)
need(msg["Message-ID"] == "<%s@pocdir.test>" % token, "Message-ID carries the token")
parts = list(msg.iter_parts())
need(parts[0].get_content_type() == "text/plain", "text part first")
text = parts[0].get_content()
for field in ("Reference:", "Sender State:", "Sender PoC:", "Type:", "Urgency:", "TLP:",
              "Summary", "Indicators of compromise", "Requested action",
              "implies no attribution of responsibility"):
    need(field in text, "text part has " + field)
stix_part = parts[1]
need(stix_part.get_content_type() == "application/stix+json", "STIX media type")
need(stix_part.get_param("version") == "2.1", "STIX version parameter")
raw = stix_part.get_payload(decode=True)
open(out + "/bundle.json", "wb").write(raw)
if len(parts) > 2:
    open(out + "/bundle.json.minisig", "wb").write(parts[2].get_payload(decode=True))
bundle = json.loads(raw)

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
TS = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$"
TLP = {"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": "white",
       "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": "green",
       "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": "amber",
       "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": "red"}
REQUIRED = {"identity": ["name"], "indicator": ["pattern", "pattern_type", "valid_from"],
            "malware": ["is_family"], "relationship": ["relationship_type", "source_ref",
                                                       "target_ref"],
            "sighting": ["sighting_of_ref"], "report": ["name", "published", "object_refs"],
            "marking-definition": ["definition_type", "definition"]}
PATTERNS = [r"\[ipv4-addr:value = '[0-9./]+'\]", r"\[ipv6-addr:value = '[0-9a-f:./]+'\]",
            r"\[domain-name:value = '[a-z0-9.-]+'\]", r"\[url:value = '(\\'|[^'])+'\]",
            r"\[email-addr:value = '[^']+'\]",
            r"\[file:hashes\.'(MD5|SHA-1|SHA-256|SHA-512)' = '[0-9a-f]+'\]"]
need(bundle["type"] == "bundle" and re.fullmatch("bundle--" + UUID, bundle["id"]), "bundle id")
ids = {}
for o in bundle["objects"]:
    t = o["type"]
    need(o.get("spec_version") == "2.1", t + " spec_version")
    if o["id"] in TLP:
        need(o["definition"] == {"tlp": TLP[o["id"]]} and o["created"] ==
             "2017-01-20T00:00:00.000Z", "TLP marking as STIX 2.1 7.2.1.4 defines it")
    else:
        need(re.fullmatch(t + "--" + UUID, o["id"]) is not None, t + " id is TYPE--UUIDv4")
    need(o["id"] not in ids, "ids unique")
    ids[o["id"]] = o
    need(re.match(TS, o["created"]) is not None, t + " created")
    if t != "marking-definition":
        need(re.match(TS, o["modified"]) is not None, t + " modified")
    for p in REQUIRED.get(t, []):
        need(p in o, "%s has %s" % (t, p))
    for k in o:
        # STIX 2.1 3.1: a-z, 0-9, _; custom names 3 to 250 characters
        need(re.fullmatch(r"[a-z0-9_]+", k) is not None and
             (not k.startswith("x_") or 3 <= len(k) <= 250), "property name " + k)
    if t == "indicator":
        need(any(re.fullmatch(p, o["pattern"]) for p in PATTERNS), "pattern " + o["pattern"])
        print(o["pattern"])
for o in bundle["objects"]:
    refs = [v for k, v in o.items() if k.endswith("_ref")]
    for k, v in o.items():
        if k.endswith("_refs"):
            refs += v
    for r in refs:
        need(r in ids, "%s refers to %s, which is in the bundle" % (o["id"], r))
reports = [o for o in bundle["objects"] if o["type"] == "report"]
need(len(reports) == 1, "one report")
r = reports[0]
need(r["x_pocdir_token"] == token, "report carries the token")
for k in ("x_pocdir_type", "x_pocdir_urgency", "x_pocdir_tlp", "x_pocdir_sender_poc",
          "x_pocdir_recipient", "x_pocdir_disclaimer"):
    need(k in r, "report has " + k)
need(set(r["object_refs"]) == {o["id"] for o in bundle["objects"]
                               if o["type"] not in ("report", "marking-definition")},
     "the report refers to every object")
print("token", token)
print("tlp", [TLP.get(m, "statement") for m in r["object_marking_refs"]])
if fail:
    for f in fail:
        print("FAILED:", f, file=sys.stderr)
    sys.exit(1)
