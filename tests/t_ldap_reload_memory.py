"""t_ldap_reload_memory.py - pocdird reloaded on SIGHUP again and again
gives back the snapshot each reload replaces: its resident memory after
several reloads stays near one directory's worth plus the one being built,
instead of growing by a whole directory (a reference kept to the first
snapshot, or snapshots freed into holes of the heap, would show here)."""

import os
import re
import signal
import sys
import time

sys.dont_write_bytecode = True  # the source tree may be read-only (distcheck)
sys.path.insert(0, os.path.join(os.environ.get("top_srcdir", os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..")), "tests", "ldap"))
import pocdirtest as pt  # noqa: E402

RELOADS = 5
# A directory whose snapshot is most of the daemon's memory (about 25 MB).
ENTRIES, ORIGINS = 20000, 40
# Keeping one more snapshot than needed is at least 1.7 times the first
# load's memory at this size; the heap's own slack stays well below that.
MAX_GROWTH = 1.5


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


# AddressSanitizer keeps freed memory in quarantine (256 MB by default), which
# no bound on resident memory survives: the daemon of a sanitizer build runs
# with it off, so that this build checks the same bound.
if os.environ.get("POCDIR_SANITIZERS") == "yes":
    os.environ["ASAN_OPTIONS"] = ":".join(
        o for o in (os.environ.get("ASAN_OPTIONS", ""), "quarantine_size_mb=0",
                    "thread_local_quarantine_size_kb=0") if o)


def served_lines(srv):
    return len(re.findall(r"serving .*: \d+ contacts in", srv.log_text()))


def wait_served(srv, n, timeout=120.0):
    """Until the log says a snapshot was served n times (start-up included)."""
    end = time.time() + timeout
    while time.time() < end:
        if served_lines(srv) >= n:
            return True
        time.sleep(0.1)
    return False


t = pt.Tap()
if not os.path.exists("/proc/self/status"):
    pt.skip_all("no /proc to read the resident memory from")
d = pt.gen_directory(ENTRIES, ORIGINS)
srv = pt.pocdird(directory=d)
t.ok(wait_served(srv, 1), "pocdird serves %d entries" % ENTRIES)
first = rss_kb(srv.pid)
after = []
for i in range(RELOADS):
    srv.signal(signal.SIGHUP)
    if not wait_served(srv, i + 2):
        break
    after.append(rss_kb(srv.pid))
t.eq(len(after), RELOADS, "every SIGHUP reloaded the directory")
what = ("resident memory after %d reloads stays below %.1f times the first load's "
        "(%d kB first, then %s kB)" % (RELOADS, MAX_GROWTH, first,
                                       ", ".join(str(k) for k in after)))
t.ok(after and max(after) < first * MAX_GROWTH, what)
t.ok(srv.alive(), "pocdird is still running")
t.eq(srv.stop(), 0, "pocdird stops cleanly on SIGTERM")
t.done()
