"""t_sync_reload_race.py - a running pocdird gets SIGHUP after SIGHUP while
its sync thread commits new versions from a peer, its own origin file
changes under it and a cron job runs `pocdir publish` on the same state.
The daemon builds through the one snapshot source and every publisher holds
the state lock, so what LDAP clients see and what the node republishes only
ever moves forward: the
served serial of each origin never goes back, every served contact is the
one its serial was published with (no snapshot mixes two versions), the
node's published index never names an older serial, and once the changes
stop the newest of both is what is served."""

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time

sys.dont_write_bytecode = True  # the source tree may be read-only (distcheck)
sys.path.insert(0, os.path.join(os.environ.get("top_srcdir", os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..")), "tests", "ldap"))
import pocdirtest as pt  # noqa: E402

try:
    import ldap3
except ImportError:
    pt.skip_all("python3-ldap3 is not installed")

# Bounded: changes for this long, then at most SETTLE seconds to catch up.
DURATION = 12.0
SETTLE = 20.0
# The node's own origin is big enough that a reload takes a while, so
# reloads and sync commits overlap.
LOCAL_ENTRIES = 3000

t = pt.Tap()
w = pt.scratch()
ENV = pt.clean_env()


def pocdir(*args):
    r = subprocess.run([pt.POCDIR] + list(args), stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, cwd=w, env=ENV)
    if r.returncode != 0:
        raise RuntimeError("pocdir %s failed (%d):\n%s" % (
            " ".join(args), r.returncode, r.stdout.decode("utf-8", "replace")))


# ---- the peer: origin kr, a new signed version every so often ----
PUB = os.path.join(w, "pub", "origins", "kr.yaml")
os.makedirs(os.path.dirname(PUB))
pocdir("keygen", "--key", "kr.key", "--pubkey", "kr.pub")
with open(os.path.join(pt.TOP_SRCDIR, "tests", "sync", "kr.yaml")) as f:
    KR_TEXT = f.read()
assert "cert@krcert.kr.example" in KR_TEXT
published = {}  # kr serial -> the krcert mail it was published with
published_lock = threading.Lock()


def serial_of(path):
    with open(path) as f:
        m = re.search(r"^serial: (\d+)", f.read(), re.M)
    return int(m.group(1))


def publish_kr(n):
    mail = "cert%d@krcert.kr.example" % n
    text = KR_TEXT.replace("cert@krcert.kr.example", mail)
    if n > 0:
        # keep the serial pocdir sign gave the last version: sign raises it
        text = re.sub(r"^serial: \d+", "serial: %d" % serial_of(PUB), text, flags=re.M)
    with open(PUB + ".tmp", "w") as f:
        f.write(text)
    os.rename(PUB + ".tmp", PUB)
    pocdir("sign", PUB, "--key", "kr.key")
    s = serial_of(PUB)
    with published_lock:
        published[s] = mail
    pocdir("publish", "-d", os.path.join(w, "pub"), "--state", os.path.join(w, "pubstate"),
           "--out", os.path.join(w, "feed"), "--publisher", "pub")
    return s


publish_kr(0)


feed_url = pt.serve_folder(os.path.join(w, "feed")).url

# ---- the node: its own origin th, which an editor rewrites ----
NODE = os.path.join(w, "node", "origins", "th.yaml")
os.makedirs(os.path.dirname(NODE))
TH_FIRST = 2026112200


def write_th(serial):
    lines = ["origin: th", "name: Thailand", "scope: [TH]", "serial: %d" % serial, "entries:"]
    for i in range(LOCAL_ENTRIES):
        lines += ["  - id: th%05d" % i, "    country: TH", "    agency: Agency %d" % (i % 97),
                  "    roles: [technical]",
                  # the first contact says which version it belongs to
                  "    email: [desk%d-%d@th.example]" % (i, serial if i == 0 else 0)]
    with open(NODE + ".tmp", "w") as f:
        f.write("\n".join(lines) + "\n")
    os.rename(NODE + ".tmp", NODE)  # a reload reads a whole file or the old one


write_th(TH_FIRST)
STATE = os.path.join(w, "state")
conf = """sync:
  state: %(state)s
  publisher: node
  interval: 1
  timeout: 5
  # The peer prunes old sets while it publishes: a run that found one gone
  # is tried again a second later, not after the default backoff.
  backoff-base: 1
  backoff-max: 2
  peers:
    - %(feed)s
  trusted:
    - {origin: kr, key: %(w)s/kr.pub, scope: [KR]}
""" % {"state": STATE, "feed": feed_url, "w": w}
daemon = pt.pocdird(directory=os.path.join(w, "node"), config=conf)
conn = ldap3.Connection(ldap3.Server("127.0.0.1", port=daemon.port), auto_bind=True,
                        receive_timeout=10)


def served():
    """(kr serial, kr mail, th serial, th mail) as LDAP answers now."""
    conn.search("dc=pocdir", "(|(uid=krcert)(uid=th00000))",
                attributes=["pocSerial", "pocOrigin", "mail"])
    got = {}
    for e in conn.entries:
        got[str(e.pocOrigin)] = (int(str(e.pocSerial)), str(e.mail))
    kr = got.get("kr", (0, ""))
    th = got.get("th", (0, ""))
    return kr[0], kr[1], th[0], th[1]


def index_serials():
    """The serials the node's published index names, per origin."""
    try:
        with open(os.path.join(STATE, "feed", "index.yaml")) as f:
            text = f.read()
    except OSError:
        return {}
    out = {}
    for m in re.finditer(r"origin: \"?(\w+)\"?\s*\n\s*serial: (\d+)", text):
        out[m.group(1)] = int(m.group(2))
    return out


deadline = time.time() + 30
while time.time() < deadline and served()[0] == 0:
    time.sleep(0.2)
first = served()
t.ok(first[0] in published and first[2] == TH_FIRST,
     "before the storm: the node serves the peer's kr and its own th", repr(first))

# ---- the storm: SIGHUPs, peer versions and local edits at once ----
stop = threading.Event()
hups = [0]
kr_last = [max(published)]
th_last = [TH_FIRST]
errors = []


def hupper():
    while not stop.is_set():
        daemon.signal(signal.SIGHUP)
        hups[0] += 1
        time.sleep(0.08)


def peer():
    n = 1
    try:
        while not stop.is_set():
            kr_last[0] = publish_kr(n)
            n += 1
            time.sleep(0.5)
    except Exception as e:  # reported below, not lost in the thread
        errors.append("peer: %s" % e)


cron_runs = [0]


def cron():
    """`pocdir publish` on the node's state, as a cron job would."""
    try:
        while not stop.is_set():
            pocdir("publish", "-d", os.path.join(w, "node"), "--state", STATE,
                   "--out", os.path.join(STATE, "feed"), "--publisher", "node")
            cron_runs[0] += 1
    except Exception as e:
        errors.append("cron: %s" % e)


def editor():
    while not stop.is_set():
        th_last[0] += 1
        write_th(th_last[0])
        time.sleep(0.7)


threads = [threading.Thread(target=f) for f in (hupper, peer, editor, cron)]
for th in threads:
    th.start()
seen = []
index_seen = []
back = []
mixed = []
end = time.time() + DURATION
try:
    while time.time() < end:
        s = served()
        seen.append(s)
        with published_lock:
            want = published.get(s[0])
        if want is None or s[1] != want:
            mixed.append(("kr", s))
        if s[3] != "desk0-%d@th.example" % s[2]:
            mixed.append(("th", s))
        if len(seen) > 1:
            p = seen[-2]
            if s[0] < p[0] or s[2] < p[2]:
                back.append((p, s))
        ix = index_serials()
        if ix:
            if index_seen and any(ix.get(o, 0) < v for o, v in index_seen[-1].items()):
                back.append(("index", index_seen[-1], ix))
            index_seen.append(ix)
        time.sleep(0.01)
finally:
    stop.set()
    for th in threads:
        th.join()
t.ok(not errors, "the peer published every version, the cron job %d times" % cron_runs[0],
     "; ".join(errors))
t.ok(daemon.alive(), "pocdird is still running after %d SIGHUPs" % hups[0])
t.ok(len(seen) > 100, "%d lookups answered during the storm" % len(seen))
kr_seen = sorted({s[0] for s in seen})
th_seen = sorted({s[2] for s in seen})
t.ok(len(kr_seen) >= 3, "clients saw %d kr versions come in by sync" % len(kr_seen))
t.ok(len(th_seen) >= 3, "clients saw %d th versions come in by reload" % len(th_seen))
t.ok(not back, "no origin's served serial ever went back", repr(back[:5]))
t.ok(not mixed, "every served contact is the one its serial was published with",
     repr(mixed[:5]))
t.ok(len(index_seen) > 10 and all("kr" in ix for ix in index_seen),
     "the node's published index names kr throughout (%d reads)" % len(index_seen))

# ---- afterwards the newest of both is served ----
deadline = time.time() + SETTLE
last = None
while time.time() < deadline:
    last = served()
    if last[0] == kr_last[0] and last[2] == th_last[0]:
        break
    time.sleep(0.2)
t.eq(last[0], kr_last[0], "the peer's newest kr is served once the changes stop")
if last[0] != kr_last[0]:
    for line in ["pocdird's log, the end:"] + daemon.log_text().splitlines()[-30:]:
        t.diag(line)
t.eq(last[2], th_last[0], "the newest local th is served once the changes stop")
daemon.signal(signal.SIGHUP)  # one more, alone: nothing goes back
time.sleep(1.5)
t.eq(served()[:3:2], (kr_last[0], th_last[0]), "a last SIGHUP keeps both")
t.eq(index_serials().get("kr"), kr_last[0], "the node republished the newest kr")

log = daemon.log_text()
reloads = log.count("reloading on SIGHUP")
commits = len(re.findall(r"sync: now serving", log))
t.ok(reloads >= 20 and commits >= 3,
     "the storm ran %d reloads and %d sync commits side by side" % (reloads, commits))
t.eq(daemon.stop(), 0, "pocdird stops cleanly")
shutil.rmtree(w, ignore_errors=True)
t.done()
