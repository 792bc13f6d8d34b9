"""t_doc_two_peers.py - doc/two-peers.md as a reader follows it: the files
it shows are written and the shell blocks it shows are run, in order, with
the build's pocdir and pocdird first in PATH and HOME in a scratch folder.
The only changes to the document's text: its four ports become free ones,
the two daemons of step 4 go to the background (as it suggests), and the
serials it leaves to the reader (OLD, NEW, "e.g. 2026112205") are the ones
`pocdir log` shows. After each step the test checks what the document
says should happen."""

import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

TOP_SRCDIR = os.environ.get("top_srcdir") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), ".."))
TOP_BUILDDIR = os.environ.get("top_builddir") or TOP_SRCDIR
DOC = os.path.join(TOP_SRCDIR, "doc", "two-peers.md")
n = failed = 0


def ok(cond, desc, diag=None):
    global n, failed
    n += 1
    print(("ok %d - %s" if cond else "not ok %d - %s") % (n, desc))
    if not cond:
        failed += 1
        for line in str(diag or "").splitlines()[-30:]:
            print("# " + line)
    return cond


for tool in ("ldapsearch",):
    if shutil.which(tool) is None:
        print(f"1..0 # SKIP {tool} not installed (ldap-utils)")
        sys.exit(0)


def free_port():
    """A port free now, below the kernel's range for outgoing connections:
    the daemons bind it only at step 4, seconds later, and meanwhile the
    suite's other tests open thousands of client connections, any of which
    may take a port of that range."""
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            low = int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        low = 32768
    rng = random.Random()
    for _ in range(200):
        p = rng.randrange(10000, max(low, 10001))
        s = socket.socket()
        try:
            s.bind(("127.0.0.1", p))
            return p
        except OSError:
            continue
        finally:
            s.close()
    raise RuntimeError("no free port below %d" % low)


home = tempfile.mkdtemp(prefix="pocdir-test.")
demo = os.path.join(home, "pocdir-demo")
env = {k: v for k, v in os.environ.items()
       if k not in ("POCDIR_STATE", "POCDIR_DIRECTORY", "POCDIR_PASSPHRASE", "POCDIR_CONFIG")}
env["HOME"] = home
env["PATH"] = os.pathsep.join([os.path.join(TOP_BUILDDIR, "src", "pocdir"),
                               os.path.join(TOP_BUILDDIR, "src", "pocdird"), env["PATH"]])
daemons = []


def cleanup():
    for p in daemons:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
    shutil.rmtree(home, ignore_errors=True)


text = open(DOC, encoding="utf-8").read()
for port in ("3891", "3892", "8081", "8082"):
    text = text.replace(port, str(free_port()))
ports = {}

# The document as (step, kind, name, body): files to write and shell blocks.
steps, step = [], ""
lines = text.split("\n")
i = 0
while i < len(lines):
    line = lines[i]
    if line.startswith("## "):
        step = line[3:].strip()
    m = re.match(r"^```(\w*)$", line)
    if m:
        kind, body, opened = m.group(1), [], i
        i += 1
        while not lines[i].startswith("```"):
            body.append(lines[i])
            i += 1
        # A file is shown after a paragraph that starts with `path`:
        # (the first line of the paragraph just before the block).
        k = opened - 1
        while k > 0 and not lines[k].strip():
            k -= 1
        while k > 0 and lines[k - 1].strip():
            k -= 1
        prev = lines[k]
        name = re.match(r"^`([^`]+)`[,:]", prev)
        steps.append((step, kind, name.group(1) if name else None, "\n".join(body) + "\n"))
    i += 1


def sh(script, timeout=120):
    return subprocess.run(["sh", "-c", script], cwd=demo if os.path.isdir(demo) else home,
                          env=env, capture_output=True, text=True, timeout=timeout)


def ldap(port_line, timeout=60, want=None):
    """Run the ldapsearch line of step 4 until its output has want."""
    deadline = time.time() + timeout
    while True:
        r = sh(port_line)
        if want is None or want in r.stdout or time.time() > deadline:
            return r
        time.sleep(1)


def wait_log(path, what, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if os.path.exists(path) and what in open(path, errors="replace").read():
            return True
        time.sleep(0.2)
    return False


try:
    ldapsearch = None
    for step, kind, name, body in steps:
        if name is not None:  # a file the reader writes
            os.makedirs(os.path.dirname(os.path.join(demo, name)) or demo, exist_ok=True)
            with open(os.path.join(demo, name), "w") as f:
                f.write(body)
            continue
        if kind != "sh":
            continue
        if step.startswith("1."):
            r = sh(body)
            ok(r.returncode == 0 and os.path.isdir(os.path.join(demo, "kr", "origins")),
               "step 1: the folders are made", r.stderr)
        elif step.startswith("2."):
            r = sh("pocdir validate kr jp")
            ok(r.returncode == 0, "step 1: pocdir validate kr jp finds no problem", r.stdout)
            r = sh(body)
            ok(r.returncode == 0 and os.path.exists(os.path.join(demo, "kr/origins/kr.yaml.minisig")),
               "step 2: keys made, both sets signed", r.stdout + r.stderr)
        elif step.startswith("4.") and "pocdird" in body:
            for line in body.strip().split("\n"):
                who = "kr" if "kr.conf" in line else "jp"
                log = open(os.path.join(demo, who + ".log"), "w")
                daemons.append(subprocess.Popen(["sh", "-c", "exec " + line], cwd=demo, env=env,
                                                stdout=log, stderr=subprocess.STDOUT))
            ok(wait_log(os.path.join(demo, "kr.log"), "now serving 2 contacts") and
               wait_log(os.path.join(demo, "jp.log"), "now serving 2 contacts"),
               "step 4: both daemons sync and serve 2 contacts from 2 origins",
               "jp.log:\n" + open(os.path.join(demo, "jp.log")).read()[-1500:] + "kr.log:\n" +
               open(os.path.join(demo, "kr.log")).read())
        elif step.startswith("4.") and "ldapsearch" in body:
            ldapsearch = body.strip()
            r = ldap(ldapsearch, want="pocOrigin: kr")
            ok("pocOrigin: kr" in r.stdout and "pocSerial: " in r.stdout,
               "step 4: Japan's server answers about Korea with pocOrigin and pocSerial",
               r.stdout + r.stderr)
        elif step.startswith("5."):
            before = ldap(ldapsearch).stdout
            r = sh(body)
            ok(r.returncode == 0 and "serial" in r.stdout, "step 5: the change is signed",
               r.stdout + r.stderr)
            deadline = time.time() + 15
            while time.time() < deadline:
                held = set(re.findall(r"\b(20\d{8})\b", sh("pocdir log kr --state kr-state").stdout))
                if len(held) >= 2:
                    break
                time.sleep(0.5)
            ok(len(held) >= 2, "step 5: Korea's daemon records the new set in kr-state", held)
            r = sh("sleep 3; pocdir sync --config jp.conf")
            ok(r.returncode == 0, "step 5: pocdir sync --config jp.conf fetches it now",
               r.stdout + r.stderr)
            r = sh("POCDIR_STATE=jp-state pocdir -d jp lookup --country KR --format csv")
            ok("incident@krcert.kr.example" in r.stdout,
               "step 5: the tool sees the committed set at once", r.stdout + r.stderr)
            r = ldap(ldapsearch, timeout=70, want="incident@krcert.kr.example")
            ok("incident@krcert.kr.example" in r.stdout and r.stdout != before,
               "step 5: after Japan's next sync, the new address and serial", r.stdout)
        elif step.startswith("6."):
            log = sh("POCDIR_STATE=jp-state pocdir log kr").stdout
            serials = re.findall(r"\b(20\d{8})\b", log)
            ok(len(set(serials)) >= 2, "step 6: pocdir log kr lists two versions", log)
            old, new = (sorted(set(serials))[0], sorted(set(serials))[-1]) if serials else ("", "")
            script = body.replace("OLD NEW", f"{old} {new}").replace("--at OLD", f"--at {old}")
            for cmd in [c for c in script.split("\n") if c.strip()]:
                r = sh(f"cd '{demo}' && export POCDIR_STATE=jp-state && {cmd}")
                ok(r.returncode == 0, "step 6: " + cmd.split("#")[0].strip(), r.stdout + r.stderr)
                if f"--at {old}" in cmd:
                    ok("cert@krcert" in r.stdout and "incident@" not in r.stdout,
                       "step 6: --at OLD shows the old address", r.stdout)
                elif "--at" in cmd:
                    ok("incident@krcert" in r.stdout, "step 6: --at today shows the new one",
                       r.stdout)
        elif step.startswith("7.") and "fake-desk" in body:
            r = sh(body)
            ok(r.returncode == 1 and "rejected: scope JP is outside the trusted scope of origin kr"
               in r.stdout + r.stderr, "step 7: Japan refuses Korea's contact for Japan (exit 1)",
               r.stdout + r.stderr)
            r = ldap(ldapsearch)
            ok("incident@krcert.kr.example" in r.stdout and "fake-desk" not in r.stdout,
               "step 7: Japan keeps serving the version it held", r.stdout)
        elif step.startswith("7."):
            newest = re.findall(r"\b(20\d{8})\b", sh("pocdir log kr --state kr-state").stdout)
            newest = sorted(newest)[-1] if newest else "0"
            r = sh(body.replace("2026112205", newest))
            ok(r.returncode == 0 and "signed with key" in r.stdout,
               "step 7: Korea recovers with a good set above the bad serial", r.stdout + r.stderr)
            r = sh("sleep 3; pocdir sync --config jp.conf")
            ok(r.returncode == 0, "step 7: Japan takes the recovered set", r.stdout + r.stderr)
        else:
            ok(False, f"a shell block in '{step}' this test does not know", body)
finally:
    cleanup()
print(f"1..{n}")
sys.exit(1 if failed else 0)
