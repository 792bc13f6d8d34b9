# smtpd.py - the test's SMTP server: aiosmtpd on 127.0.0.1 with AUTH
# against the test's user table, delivering each recipient's copy into
# MAILROOT/<address>/Maildir, which the test's dovecot serves over IMAP.
# Recipients whose local part starts with "refuse" get 550 at RCPT.
#   smtpd.py PORT MAILROOT USERS READYFILE
import os
import warnings
import signal
import socket
import sys
import threading
import time

warnings.simplefilter("ignore")  # AUTH without TLS: loopback only
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from users import read_users

port, root, users_file, ready = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
users = read_users(users_file)


def authenticate(server, session, envelope, mechanism, auth_data):
    login = auth_data.login.decode() if isinstance(auth_data.login, bytes) else auth_data.login
    pw = auth_data.password.decode() if isinstance(auth_data.password, bytes) else auth_data.password
    # handled=False: aiosmtpd then answers 235 or 535 itself.
    return AuthResult(success=users.get(login) == pw and pw is not None, handled=False)


def deliver(address, data):
    box = os.path.join(root, address.lower(), "Maildir")
    for sub in ("tmp", "new", "cur"):
        os.makedirs(os.path.join(box, sub), exist_ok=True)
    name = "%d.%d_%d.%s" % (time.time(), os.getpid(), threading.get_ident() % 100000,
                            socket.gethostname())
    name += ".%s" % os.urandom(4).hex()
    tmp = os.path.join(box, "tmp", name)
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.rename(tmp, os.path.join(box, "new", name))


class Handler:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.split("@")[0].lower().startswith("refuse"):
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        for rcpt in envelope.rcpt_tos:
            deliver(rcpt, envelope.original_content)
        return "250 OK delivered"


ctl = Controller(Handler(), hostname="127.0.0.1", port=port, authenticator=authenticate,
                 auth_required=True, auth_require_tls=False)
ctl.start()
with open(ready, "w") as f:
    f.write("ready\n")
stop = threading.Event()
signal.signal(signal.SIGTERM, lambda *a: stop.set())
signal.signal(signal.SIGINT, lambda *a: stop.set())
stop.wait()
ctl.stop()
