# remote_poc.py - a scripted remote PoC: logs in to each PoC mailbox over
# IMAP (imaplib), reads the checks and notifications there with Python's
# own MIME parser, checks their machine-readable part, and answers as told:
#   reply    a normal reply (In-Reply-To and References)
#   subject  a reply that keeps only the subject (threading fields dropped)
#   auto     an out-of-office auto-reply (Auto-Submitted: auto-replied)
#   ignore   nothing
# Prints one line per message: "ADDRESS BEHAVIOUR TOKEN".
#   remote_poc.py IMAPPORT SMTPPORT USERS ADDRESS=BEHAVIOUR...
import email
import email.policy
import imaplib
import json
import re
import smtplib
import sys
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from users import read_users

imap_port, smtp_port, users_file = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
plan = dict(a.split("=", 1) for a in sys.argv[4:])
users = read_users(users_file)
status = 0
for address, behaviour in sorted(plan.items()):
    imap = imaplib.IMAP4("127.0.0.1", imap_port)
    imap.login(address, users[address])
    imap.select("INBOX")
    _, data = imap.uid("SEARCH", None, "ALL")
    for uid in data[0].split():
        _, msg_data = imap.uid("FETCH", uid, "(RFC822)")
        msg = email.message_from_bytes(msg_data[0][1], policy=email.policy.default)
        m = re.search(r"\[pocdir (pd[0-9a-f]{20})\]", msg["Subject"])
        if not m:
            print("%s: no token in %r" % (address, msg["Subject"]), file=sys.stderr)
            status = 1
            continue
        token = m.group(1)
        # The machine-readable part must parse and carry the same token.
        parts = [p for p in msg.iter_parts()]
        kinds = [p.get_content_type() for p in parts]
        if kinds[0] != "text/plain" or len(parts) < 2:
            print("%s: parts %r" % (address, kinds), file=sys.stderr)
            status = 1
        machine = json.loads(parts[1].get_content())
        ids = [machine.get("token")] + [o.get("x_pocdir_token") for o in machine.get("objects", [])]
        if token not in ids:
            print("%s: machine part lacks token %s" % (address, token), file=sys.stderr)
            status = 1
        print("%s %s %s" % (address, behaviour, token))
        if behaviour == "ignore":
            continue
        reply = EmailMessage()
        reply["From"] = address
        reply["To"] = msg["From"]
        subject = "Re: " + msg["Subject"]
        reply["Date"] = formatdate()
        reply["Message-ID"] = make_msgid(domain=address.split("@")[1])
        if behaviour == "reply":
            reply["In-Reply-To"] = msg["Message-ID"]
            reply["References"] = msg["Message-ID"]
        elif behaviour == "subject":
            subject = "Re: your check " + m.group(0)
        elif behaviour == "auto":
            reply["In-Reply-To"] = msg["Message-ID"]
            reply["Auto-Submitted"] = "auto-replied"
            subject = "Out of office: " + msg["Subject"]
        reply["Subject"] = subject
        reply.set_content("Received, this address works.\n")
        with smtplib.SMTP("127.0.0.1", smtp_port) as s:
            s.login(address, users[address])
            s.send_message(reply)
    imap.logout()
sys.exit(status)
