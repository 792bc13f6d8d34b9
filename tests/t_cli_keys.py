"""t_cli_keys.py - an encrypted signing key as a person uses it at a
terminal: keygen --encrypt and sign ask for the passphrase there (echo off)
when POCDIR_PASSPHRASE is not set, and say what to do when there is no
terminal (cron)."""

import os
import pty
import select
import subprocess
import sys
import tempfile
import time

TOP_BUILDDIR = os.environ.get("top_builddir") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), ".."))
POCDIR = os.path.join(TOP_BUILDDIR, "src", "pocdir", "pocdir")
n = 0
failed = 0


def ok(cond, desc, diag=None):
    global n, failed
    n += 1
    if not cond:
        failed += 1
        print(f"not ok {n} - {desc}")
        for line in str(diag or "").splitlines():
            print(f"# {line}")
    else:
        print(f"ok {n} - {desc}")


def at_terminal(args, answers, env):
    """Run pocdir with a pseudo-terminal as its controlling terminal; type
    each answer after the next prompt ending in ': '. Returns (status,
    everything the terminal showed)."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(POCDIR, [POCDIR, *args], env)
    shown = b""
    pending = list(answers)
    deadline = time.time() + 60
    while time.time() < deadline:
        r, _, _ = select.select([fd], [], [], 1)
        if not r:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
        if pending and shown.rstrip(b"\r\n").endswith(b": "):
            time.sleep(0.1)
            os.write(fd, pending.pop(0).encode() + b"\n")
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), shown.decode("utf-8", "replace")


if not os.access(POCDIR, os.X_OK):
    print("1..0 # SKIP pocdir not built")
    sys.exit(0)
T = tempfile.mkdtemp(prefix="pocdir-test.")
env = {k: v for k, v in os.environ.items() if k != "POCDIR_PASSPHRASE"}
key, pub = os.path.join(T, "kr.key"), os.path.join(T, "kr.pub")
secret = "correct horse battery staple"

rc, shown = at_terminal(["keygen", "--encrypt", "--key", key, "--pubkey", pub],
                        [secret, secret], env)
ok(rc == 0 and "encrypted" in shown and os.path.exists(key),
   "keygen --encrypt asks for the passphrase twice at the terminal", shown)
ok(secret not in shown, "the passphrase is not echoed", shown)
rc, shown = at_terminal(["keygen", "--encrypt", "--key", key + "2", "--pubkey", pub + "2"],
                        [secret, "something else"], env)
ok(rc == 2 and "differ" in shown and not os.path.exists(key + "2"),
   "two different passphrases: no key", shown)

origin = os.path.join(T, "kr.yaml")
with open(origin, "w") as f:
    f.write("origin: kr\nscope: [KR]\nserial: 2026112201\nentries:\n  - id: krcert\n"
            "    country: KR\n    agency: KrCERT/CC\n    roles: [technical]\n"
            "    email: [cert@krcert.kr.example]\n")
rc, shown = at_terminal(["sign", origin, "--key", key], [secret], env)
ok(rc == 0 and "signed with key" in shown, "sign asks for the passphrase at the terminal", shown)
v = subprocess.run([POCDIR, "verify", origin, "--pubkey", pub], capture_output=True, env=env)
ok(v.returncode == 0, "the signature made with the typed passphrase verifies", v.stderr)
rc, shown = at_terminal(["sign", origin, "--key", key], ["wrong"], env)
ok(rc == 2 and "wrong passphrase" in shown, "a wrong passphrase is refused", shown)

# No terminal (cron, a pipe, no controlling terminal): the message says how.
p = subprocess.run([POCDIR, "sign", origin, "--key", key], capture_output=True, env=env,
                   stdin=subprocess.DEVNULL, start_new_session=True)
ok(p.returncode == 2 and b"POCDIR_PASSPHRASE" in p.stderr,
   "without a terminal sign names POCDIR_PASSPHRASE", p.stderr)
p = subprocess.run([POCDIR, "sign", origin, "--key", key], capture_output=True,
                   env=dict(env, POCDIR_PASSPHRASE=secret), stdin=subprocess.DEVNULL,
                   start_new_session=True)
ok(p.returncode == 0, "POCDIR_PASSPHRASE still works without a terminal", p.stderr)
subprocess.run(["rm", "-rf", T])
print(f"1..{n}")
sys.exit(1 if failed else 0)
