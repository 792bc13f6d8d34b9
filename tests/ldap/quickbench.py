"""quickbench.py - a quick throughput check of a running pocdird (or any LDAP
server): pipelined indexed searches over a few connections, and the server's
CPU time from /proc. Not a test; the full benchmark lives in bench/.

    quickbench.py PORT PID [SECONDS] [CONNECTIONS] [DIRECTORY]
"""

import os
import selectors
import socket
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ber  # noqa: E402


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def ids_from(directory):
    """(country, id) of every entry: a filter on both finds exactly one."""
    out = []
    for root, _, files in os.walk(directory):
        for name in files:
            if name.endswith(".yaml"):
                ident = None
                with open(os.path.join(root, name)) as f:
                    for line in f:
                        line = line.strip()
                        if line.startswith("- id:"):
                            ident = line[5:].strip().strip('"')
                        elif line.startswith("country:") and ident:
                            out.append((line[8:].strip().strip('"'), ident))
                            ident = None
    return out or [("KR", "krcert")]


def main():
    port, pid = int(sys.argv[1]), int(sys.argv[2])
    seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 3.0
    nconn = int(sys.argv[4]) if len(sys.argv) > 4 else 4
    ids = ids_from(sys.argv[5]) if len(sys.argv) > 5 else [("KR", "krcert")]
    depth = 64  # requests in flight per connection
    reqs = []
    for i in range(4096):
        cc, ident = ids[(i * 7919) % len(ids)]
        flt = ber.seq(ber.equality("c", cc), ber.equality("uid", ident), tag=0xa0)
        reqs.append(ber.search(1 + (i % 1000), flt=flt, attrs=("cn", "mail", "telephoneNumber")))
    sel = selectors.DefaultSelector()
    state = []
    for i in range(nconn):
        s = socket.create_connection(("127.0.0.1", port))
        s.setblocking(False)
        st = {"sock": s, "buf": b"", "inflight": 0, "next": i * 97}
        state.append(st)
        sel.register(s, selectors.EVENT_READ, st)
    done = 0
    cpu0, t0 = cpu_seconds(pid), time.time()

    def fill(st):
        chunk = []
        while st["inflight"] < depth:
            chunk.append(reqs[st["next"] % len(reqs)])
            st["next"] += 1
            st["inflight"] += 1
        if chunk:
            st["sock"].setblocking(True)
            st["sock"].sendall(b"".join(chunk))
            st["sock"].setblocking(False)

    for st in state:
        fill(st)
    while time.time() - t0 < seconds:
        for key, _ in sel.select(1):
            st = key.data
            try:
                data = st["sock"].recv(1 << 20)
            except BlockingIOError:
                continue
            if not data:
                raise SystemExit("server closed a connection")
            st["buf"] += data
            pos = 0
            while True:
                t = ber.read_tlv(st["buf"], pos)
                if t is None:
                    break
                _, start, end = t
                _, s2, e2 = ber.read_tlv(st["buf"], start)
                op = st["buf"][e2]
                if op == 0x65:
                    st["inflight"] -= 1
                    done += 1
                pos = end
            st["buf"] = st["buf"][pos:]
            fill(st)
    wall = time.time() - t0
    cpu = cpu_seconds(pid) - cpu0
    print("%d searches in %.2f s: %.0f/s; server CPU %.2f s: %.0f answers per CPU-second" % (
        done, wall, done / wall, cpu, done / cpu if cpu > 0 else 0))


main()
