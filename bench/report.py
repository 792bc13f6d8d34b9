#!/usr/bin/python3
"""report.py - turn one benchmark run's RESULT lines into BENCHMARKS.md.

    report.py --results FILE --commands FILE --out BENCHMARKS.md [...]

Only the part between the "generated" markers is rewritten; the notes around
it (profiles, before/after figures, what stands between a figure and its
target) are written by people and kept from run to run.
"""

import argparse
import datetime
import os
import platform
import sys

BEGIN = "<!-- bench/run.sh: generated from here -->"
END = "<!-- bench/run.sh: generated up to here -->"

WORKLOADS = [
    ("uid", "equality on uid, one entry: `(&(c=XX)(uid=X))`"),
    ("uid-ldaps", "the same over LDAPS (TLS 1.3, one handshake per connection)"),
    ("country-role", "country AND role: `(&(c=XX)(pocRole=YY))`"),
    ("autocomplete", "autocomplete: `(|(cn=X*)(mail=X*)(sn=X*))`, 8 attributes, size limit 100"),
    ("country", "a whole country: `(&(objectClass=pocContact)(c=XX))`"),
    ("paged-all", "paged search of everything: `(objectClass=*)`, pages of 500"),
]

TEMPLATE_HEAD = """# Benchmarks

pocdird and OpenLDAP slapd side by side, on the same generated data, driven by the
same load generator (`bench/loadgen`, libldap's asynchronous API), plus the library's
own figures. `make bench` (bench/run.sh) produces the section between the markers below;
everything outside them is written by hand and kept from run to run.

How to read the LDAP tables: *answers/s* is what the closed-loop client got;
*answers per server CPU-second* divides the answers by the server's utime+stime over
the measured window (from `/proc/PID/stat`), so it does not depend on how fast the
client is or on what else the machine runs. A search whose entry count differs from
the expected one (computed by the library from the same data) counts as an error, not
as an answer.

"""


def median(values):
    v = sorted(values)
    if not v:
        return None
    m = len(v) // 2
    return v[m] if len(v) % 2 else (v[m - 1] + v[m]) / 2


def merge_rounds(runs):
    """Fold the rounds of a workload run several times (uid-rate) into one
    record per (size, workload, server) holding the medians, with every
    round's p99 kept in rounds_p99."""
    groups, out = {}, []
    for r in runs:
        key = (r.get("size"), r.get("workload"), r.get("server"))
        if r.get("workload") == "uid-rate":
            groups.setdefault(key, []).append(r)
        else:
            out.append(r)
    for key, rs in groups.items():
        m = dict(rs[-1])
        for f in ("p50_us", "p99_us", "p999_us", "ops_per_s", "ops_per_server_cpu_s"):
            vals = [num(r.get(f)) for r in rs if num(r.get(f)) is not None]
            if vals:
                m[f] = str(median(vals))
        m["errors"] = str(sum(int(num(r.get("errors"), 0)) for r in rs))
        m["entries"] = str(sum(num(r.get("entries"), 0) for r in rs))
        m["secs"] = str(sum(num(r.get("secs"), 0) for r in rs))
        m["rounds_p99"] = " / ".join(fmt_us(r.get("p99_us")) for r in rs)
        m["rounds"] = str(len(rs))
        out.append(m)
    return out


def parse_results(path):
    runs = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.startswith("RESULT "):
                continue
            kv = {}
            for tok in line.split()[1:]:
                if "=" in tok:
                    k, v = tok.split("=", 1)
                    kv[k] = v
            runs.append(kv)
    return runs


def num(x, default=None):
    try:
        return float(x)
    except (TypeError, ValueError):
        return default


def fmt_int(x):
    v = num(x)
    return "–" if v is None else f"{v:,.0f}"


def fmt_us(x):
    v = num(x)
    if v is None:
        return "–"
    if v >= 10000:
        return f"{v / 1000:,.1f} ms"
    return f"{v:,.0f} µs"


def machine():
    model = "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = ""
    try:
        with open("/proc/meminfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("MemTotal"):
                    mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB RAM"
    except OSError:
        pass
    return model, os.cpu_count(), mem, platform.release()


def ldap_tables(runs, size):
    out = []
    by = {}
    for r in runs:
        if r.get("size") == size and "workload" in r:
            by[(r["workload"], r["server"])] = r
    if not by:
        return out
    out.append(f"### {int(size):,} entries\n")
    out.append("| workload | slapd answers/s | pocdird answers/s | slapd answers per CPU-s "
               "| pocdird answers per CPU-s | pocdird ÷ slapd (per CPU-s) "
               "| entries per CPU-s slapd / pocdird | errors slapd / pocdird |")
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|")
    for w, label in WORKLOADS:
        s, p = by.get((w, "slapd"), {}), by.get((w, "pocdird"), {})
        if not s and not p:
            continue
        ss, ps = num(s.get("ops_per_server_cpu_s")), num(p.get("ops_per_server_cpu_s"))
        marks = []
        for r in (s, p):
            cli, secs = num(r.get("client_cpu_s")), num(r.get("secs"))
            marks.append(" ‡" if cli and secs and cli >= 0.9 * secs else "")
        ratio = f"{ps / ss:.2f}×" if ss and ps else "–"
        epc = []
        for r in (s, p):
            e, cpu = num(r.get("entries")), num(r.get("server_cpu_s"))
            epc.append(fmt_int(e / cpu) if e is not None and cpu else "–")
        out.append(f"| {label} | {fmt_int(s.get('ops_per_s'))}{marks[0]} | {fmt_int(p.get('ops_per_s'))}{marks[1]} "
                   f"| {fmt_int(ss)} | {fmt_int(ps)} | {ratio} | {epc[0]} / {epc[1]} "
                   f"| {s.get('errors', '–')} / {p.get('errors', '–')} |")
    out.append("")
    out.append("‡ the load generator used at least 90 % of its core: the client, not the server, "
               "set the pace, and the server's figure per CPU-second is the one at that load (a "
               "server that is not saturated handles fewer requests per wake-up, so it is a "
               "lower bound).")
    out.append("")
    out.append("| workload | slapd p50 | slapd p99 | slapd p99.9 | pocdird p50 | pocdird p99 "
               "| pocdird p99.9 | entries/s slapd / pocdird |")
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|")
    for w, label in WORKLOADS + [("uid-rate", "uid at the same offered load (a quarter of slapd's closed-loop rate)")]:
        s, p = by.get((w, "slapd"), {}), by.get((w, "pocdird"), {})
        if not s and not p:
            continue
        eps = []
        for r in (s, p):
            e, secs = num(r.get("entries")), num(r.get("secs"))
            eps.append(fmt_int(e / secs) if e is not None and secs else "–")
        name = label
        if w == "uid-rate":
            name = (f"{label}: {fmt_int(s.get('rate') or p.get('rate'))}/s, median of "
                    f"{s.get('rounds') or p.get('rounds')} rounds (p99 by round: slapd "
                    f"{s.get('rounds_p99', '–')}; pocdird {p.get('rounds_p99', '–')})")
        out.append(f"| {name} | {fmt_us(s.get('p50_us'))} | {fmt_us(s.get('p99_us'))} "
                   f"| {fmt_us(s.get('p999_us'))} | {fmt_us(p.get('p50_us'))} "
                   f"| {fmt_us(p.get('p99_us'))} | {fmt_us(p.get('p999_us'))} "
                   f"| {eps[0]} / {eps[1]} |")
    out.append("")
    return out


def lib_tables(runs):
    out = []
    loads = [r for r in runs if r.get("bench") == "load"]
    if loads:
        out.append("| entries | load and index (pocdir_open), wall | CPU (user+sys, all threads) | peak RSS |")
        out.append("|---:|---:|---:|---:|")
        for r in sorted(loads, key=lambda r: int(r["entries"])):
            cpu = num(r.get("cpu_secs"))
            out.append(f"| {int(r['entries']):,} | {num(r['secs']):.3f} s "
                       f"| {'–' if cpu is None else f'{cpu:.3f} s'} "
                       f"| {num(r['maxrss_kb']) / 1024:.1f} MB |")
        out.append("")
    looks = [r for r in runs if r.get("bench") == "lookup"]
    if looks:
        out.append("| entries | country+role, pocdir_lookup | country+role, index path only "
                   "| country+uid, pocdir_lookup | `(&(c=XX)(uid=X))`, pocdir_search | full scan `(description=*zzz*)` |")
        out.append("|---:|---:|---:|---:|---:|---:|")
        for r in sorted(looks, key=lambda r: int(r["entries"])):
            out.append(f"| {int(r['entries']):,} | {fmt_int(r['ns_country_role'])} ns "
                       f"| {fmt_int(r['ns_country_role_index'])} ns | {fmt_int(r['ns_uid'])} ns "
                       f"| {fmt_int(r['ns_uid_filter'])} ns | {num(r['ms_full_scan']):.2f} ms |")
        out.append("")
    return out


def targets(runs):
    out = ["| target (DESIGN.md) | measured | met? |", "|---|---|---|"]

    def find(**kw):
        for r in runs:
            if all(r.get(k) == v for k, v in kw.items()):
                return r
        return {}

    for size in sorted({r["size"] for r in runs if "workload" in r}, key=int):
        p = find(size=size, workload="uid", server="pocdird")
        v = num(p.get("ops_per_server_cpu_s"))
        ok = v is not None and v >= 100000 and p.get("errors") == "0"
        out.append(f"| ≥ 100,000 indexed answers per pocdird CPU-second, {int(size):,} entries "
                   f"| {fmt_int(v)} (errors {p.get('errors', '–')}) | {'yes' if ok else 'no'} |")
        s, p = find(size=size, workload="uid-rate", server="slapd"), find(size=size, workload="uid-rate", server="pocdird")
        sv, pv = num(s.get("p99_us")), num(p.get("p99_us"))
        ok = sv is not None and pv is not None and pv < sv
        out.append(f"| p99 below slapd's at the same load, {int(size):,} entries "
                   f"| pocdird {fmt_us(pv)}, slapd {fmt_us(sv)} | {'yes' if ok else 'no'} |")
    ld = find(bench="load", entries="100000")
    if ld:
        secs, rss = num(ld["secs"]), num(ld["maxrss_kb"]) / 1024
        cpu = num(ld.get("cpu_secs"), 0)
        out.append(f"| load and index 100k entries ≤ 1 s, RSS ≤ 150 MB | {secs:.2f} s wall "
                   f"({cpu:.2f} CPU-s), {rss:.0f} MB "
                   f"| {'yes' if secs <= 1 and rss <= 150 else 'no'} |")
    lk = find(bench="lookup", entries="100000")
    if lk:
        v = num(lk["ns_country_role"])
        out.append(f"| library lookup by country+role ≤ 1 µs, 100k entries | {v / 1000:.2f} µs "
                   f"| {'yes' if v <= 1000 else 'no'} |")
    nc = find(bench="sync", case="nothing-changed")
    if nc:
        ok = nc.get("requests") == "1" and nc.get("body_bytes") == "0" and nc.get("statuses") == "304:1"
        out.append(f"| sync, nothing changed: one conditional request, no body "
                   f"| {nc.get('requests')} request(s), {nc.get('body_bytes')} body bytes, "
                   f"statuses {nc.get('statuses')} | {'yes' if ok else 'no'} |")
    else:
        out.append("| sync, nothing changed: one conditional request, no body | not measured | – |")
    oc, feed = find(bench="sync", case="one-changed"), find(bench="sync", case="feed")
    if oc:
        ok = oc.get("requests") == "3" and "1_updated" in oc.get("summary", "")
        out.append(f"| sync, one origin of 200 changed: only that set transferred "
                   f"| {oc.get('requests')} requests (index, the set of {feed.get('changed', '?')}, "
                   f"its signature), {fmt_int(oc.get('body_bytes'))} body bytes | {'yes' if ok else 'no'} |")
    else:
        out.append("| sync, one origin of 200 changed: only that set transferred | not measured | – |")
    out.append("")
    return out


def generated(args, runs, commands):
    model, ncpu, mem, kernel = machine()
    now = args.date or datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    out = [BEGIN, "", f"## Run of {now}", ""]
    out.append(f"- machine: {ncpu} cores, {model}, {mem}, Linux {kernel}")
    out.append(f"- servers: pocdird at commit {args.pocdird_version}; OpenLDAP {args.slapd_version} "
               "(Debian package), back-mdb")
    out.append("- client pinned to core 0, the server under load to core 1 (`taskset`)")
    out.append(f"- whole run: {args.duration} s; load average (1, 5, 15 min) at start / end: "
               f"{args.loadavg} — anything above ~1 means other work shared the machine, "
               "which lowers answers/s more than answers per server CPU-second")
    out.append("")
    out.append("### Targets")
    out.append("")
    out += targets(runs)
    out.append("## LDAP, side by side")
    out.append("")
    sizes = sorted({r["size"] for r in runs if "workload" in r}, key=int)
    for size in sizes:
        out += ldap_tables(runs, size)
    out.append("## Library")
    out.append("")
    out += lib_tables(runs)
    out.append("## Sync")
    out.append("")
    syncs = [r for r in runs if r.get("bench") == "sync" and r.get("case") != "feed"]
    feed = next((r for r in runs if r.get("bench") == "sync" and r.get("case") == "feed"), {})
    if syncs:
        out.append(f"`pocdir sync` against a feed of {feed.get('origins', '?')} origins "
                   f"({fmt_int(feed.get('feed_bytes'))} bytes) published by `pocdir publish` and "
                   "served by nginx; requests and bytes are counted from nginx's access log.")
        out.append("")
        out.append("| case | requests | HTTP statuses | body bytes | bytes on the wire | time | pocdir sync says |")
        out.append("|---|---:|---|---:|---:|---:|---|")
        names = {"first-full": "first full sync", "nothing-changed": "nothing changed",
                 "one-changed": "one origin of 200 changed"}
        for r in syncs:
            out.append(f"| {names.get(r['case'], r['case'])} | {r.get('requests')} | {r.get('statuses')} "
                       f"| {fmt_int(r.get('body_bytes'))} | {fmt_int(r.get('wire_bytes'))} "
                       f"| {num(r.get('secs'), 0):.2f} s | {r.get('summary', '').replace('_', ' ')} |")
    else:
        out.append("Not measured in this run (nginx missing, or the sync benchmark failed).")
    out.append("")
    out.append("## Commands of this run")
    out.append("")
    out.append("```")
    out += commands
    out.append("```")
    out.append("")
    out.append(END)
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--results", required=True)
    ap.add_argument("--commands", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--duration", default="?")
    ap.add_argument("--loadavg", default="?")
    ap.add_argument("--date", default=None, help="when the run started (default: now)")
    ap.add_argument("--slapd-version", default="slapd")
    ap.add_argument("--pocdird-version", default="unknown")
    args = ap.parse_args()
    runs = merge_rounds(parse_results(args.results))
    with open(args.commands, encoding="utf-8") as f:
        commands = [line.rstrip("\n") for line in f]
    section = generated(args, runs, commands)
    try:
        with open(args.out, encoding="utf-8") as f:
            old = f.read()
    except FileNotFoundError:
        old = None
    if old and BEGIN in old and END in old:
        head, rest = old.split(BEGIN, 1)
        tail = rest.split(END, 1)[1]
        text = head + section.rstrip("\n") + tail
    else:
        text = TEMPLATE_HEAD + section
    tmp = args.out + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
