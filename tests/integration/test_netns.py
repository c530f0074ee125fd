#!/usr/bin/env python3
"""Containers (issue 11): correlate reaches a Go service where it listens,
in network and mount namespaces this test makes itself (unshare, as root),
finds its endpoint without --url, reports from /proc alone when there is
none, and never lets the endpoint's bytes reach a privileged process.

Each check names the line of the issue's "Done when" it shows.

usage: test_netns.py CORRELATE MEMSVC_PURE MEMSVC_CGO SOURCE_ROOT"""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

from harness import WRAPPED, MiB, NsTarget, Tap, Target, correlate, within

HERE = os.path.dirname(os.path.abspath(__file__))


def own_sys(pid, port):
    """Sys as the process's own endpoint gives it, fetched in its namespace."""
    out = subprocess.run(["nsenter", f"--net=/proc/{pid}/ns/net", "curl", "-sS",
                          f"http://127.0.0.1:{port}/metrics"], capture_output=True, text=True,
                         timeout=20).stdout
    m = re.search(r"^go_memstats_sys_bytes (\S+)$", out, re.M)
    return int(float(m.group(1))) if m else None


def host_sys(url):
    with urllib.request.urlopen(url + "/metrics", timeout=10) as r:
        m = re.search(r"^go_memstats_sys_bytes (\S+)$", r.read().decode(), re.M)
    return int(float(m.group(1)))


def two_lines(r, code):
    """The error contract (test_errors.py): exit code, nothing on stdout,
    one line of what failed and one of what to try."""
    lines = r.err.strip().splitlines()
    return (r.rc == code and r.out == "" and len(lines) == 2 and
            lines[0].startswith("correlate: ") and lines[1].startswith("correlate: try: "))


def peers(path):
    """The memsvc -peercred record: one dict per request."""
    if not os.path.exists(path):
        return []
    out = []
    for line in open(path):
        out.append(dict(kv.split("=", 1) for kv in line.split()))
    return out


def unprivileged(recs, uid="65534"):
    return bool(recs) and all(
        r.get("uid") == ",".join([uid] * 4) and r.get("capeff") == "0000000000000000" and
        r.get("capbnd") == "0000000000000000" and r.get("nonewprivs") == "1" and
        r.get("seccomp") == "2" for r in recs)


def main():
    binary, pure, cgo, root = sys.argv[1:5]
    t = Tap()
    if os.geteuid() != 0:
        t.ok(False, "the namespace tests need root (unshare, setns): run them as root")
        t.done()
    work = tempfile.mkdtemp(prefix="correlate-netns-")
    bodies = os.path.join(root, "fixtures", "healthy", "go1.21-pure")
    try:
        same_port_two_namespaces(t, binary, pure)
        unix_in_mount_namespace(t, binary, pure, work)
        many_ports(t, binary, pure)
        no_endpoint(t, binary, cgo, pure)
        without_sys_admin(t, binary, pure)
        unprivileged_fetch(t, binary, pure, work, bodies)
        save_and_replay(t, binary, pure, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    t.done()


def same_port_two_namespaces(t, binary, pure):
    """Done when: a Go service in its own network namespace is reported
    correctly, both with --url 127.0.0.1:P and with no --url, while the
    host's 127.0.0.1:P is served by another program; its Sys matches its own
    endpoint, never the other program's."""
    with Target([pure, "-heap", "96MiB"]) as host:
        port = int(host.hostport.rsplit(":", 1)[1])
        with NsTarget([pure, "-heap", "8MiB", "-listen", f"127.0.0.1:{port}"]) as ns:
            other = host_sys(host.url)
            for name, args in (("--url 127.0.0.1:P", ["--url", f"127.0.0.1:{port}"]),
                               ("no --url", [])):
                r = correlate(binary, "--pid", str(ns.pid), *args, "--json")
                mine = own_sys(ns.pid, port)
                j = r.json or {}
                sys_bytes = (j.get("go") or {}).get("sys_bytes")
                t.ok(r.rc == 0 and j.get("url", "").startswith(f"http://127.0.0.1:{port}/"),
                     f"netns, {name}: exit 0, the URL on its port", r)
                t.ok(within(sys_bytes, mine, 0.10) and not within(sys_bytes, other, 0.5),
                     f"netns, {name}: Sys {sys_bytes} is its own ({mine}), not the host "
                     f"program's ({other})", r)
                heap = (j.get("go") or {}).get("heap_alloc_bytes")
                t.ok(heap is not None and 8 * MiB <= heap < 40 * MiB,
                     f"netns, {name}: HeapAlloc {heap} is its 8 MiB heap", r)
                ns_info = j.get("namespaces") or {}
                t.ok(ns_info.get("fetched_in") == "process" and ns_info.get("net") and
                     ns_info.get("net") != ns_info.get("correlate_net") and
                     f"in its network namespace {ns_info.get('net')}" in (j.get("endpoint_owner")
                                                                          or ""),
                     f"netns, {name}: reached in its own namespace, which the report names",
                     json.dumps(ns_info) + " " + str(j.get("endpoint_owner")))
                if not args:
                    d = j.get("discovery") or {}
                    t.ok(d.get("found") is True and d.get("attempts") and
                         d["attempts"][-1]["outcome"] == "MemStats (prometheus)",
                         "netns, no --url: discovery says what it tried and what answered", d)
            text = correlate(binary, "--pid", str(ns.pid))
            t.ok(text.rc == 0 and re.search(r"^  reached   in its network namespace net:\[\d+\]",
                                            text.out, re.M),
                 "netns: the text report says which namespace it used", text.out[:1200])
            # --proxied: the URL is reached in correlate's own namespace, where
            # the host program answers; said in endpoint_owner, not hidden.
            r = correlate(binary, "--pid", str(ns.pid), "--url", f"127.0.0.1:{port}",
                          "--proxied", "--json")
            owner = (r.json or {}).get("endpoint_owner") or ""
            t.ok(r.rc == 0 and f"pid {host.pid}" in owner and
                 "another network namespace" in owner and "--proxied" in owner and
                 (r.json.get("namespaces") or {}).get("fetched_in") == "correlate",
                 "--proxied to another namespace's program: endpoint_owner names it and says "
                 "the namespaces differ", r)
            # The host's own process, as today.
            r = correlate(binary, "--pid", str(host.pid), "--url", f"127.0.0.1:{port}",
                          "--json")
            t.ok(r.rc == 0 and within((r.json.get("go") or {}).get("sys_bytes"), other, 0.10),
                 "the host program on the same port, read as before", r)
            # A port nothing listens on in its namespace: the hint names its
            # namespace and the ports it does listen on, not `ss` on the host.
            r = correlate(binary, "--pid", str(ns.pid), "--url", "127.0.0.1:1")
            t.ok(two_lines(r, 4) and f"127.0.0.1:{port}" in r.err and
                 "network namespace net:[" in r.err and "ss -ltnp" not in r.err,
                 "netns, a wrong port: the hint names its namespace and its real port", r)
            # correlate inside the target's namespace behaves as today
            r = correlate("nsenter", f"--net=/proc/{ns.pid}/ns/net", binary, "--pid",
                          str(ns.pid), "--url", f"127.0.0.1:{port}", "--json")
            ns_info = (r.json or {}).get("namespaces") or {}
            t.ok(r.rc == 0 and ns_info.get("net") == ns_info.get("correlate_net") and
                 ns_info.get("fetched_in") == "correlate" and
                 within((r.json.get("go") or {}).get("sys_bytes"), own_sys(ns.pid, port), 0.1),
                 "correlate inside the target's namespace: as today", r)


def unix_in_mount_namespace(t, binary, pure, work):
    """Done when: a unix-socket endpoint visible only inside the service's
    mount namespace is found and used."""
    d = os.path.join(work, "ns")
    os.mkdir(d)
    sock = os.path.join(d, "debug.sock")
    with NsTarget([pure, "-heap", "4MiB", "-noserve", "-unix", sock], mount_tmpfs=d) as ns:
        t.ok(not os.path.exists(sock) and os.path.exists(f"/proc/{ns.pid}/root{sock}"),
             "the socket is only in its mount namespace", os.listdir(d))
        r = correlate(binary, "--pid", str(ns.pid), "--json")
        j = r.json or {}
        t.ok(r.rc == 0 and j.get("endpoint_format") == "prometheus" and
             f"unix:{sock}" in (j.get("endpoint_owner") or "") and
             (j.get("namespaces") or {}).get("unix_socket_via") == f"/proc/{ns.pid}/root",
             "unix socket in its mount namespace, no --url: found and used", r)
        heap = (j.get("go") or {}).get("heap_alloc_bytes")
        t.ok(heap is not None and 4 * MiB <= heap < 32 * MiB, "unix socket: its own heap", heap)
        r = correlate(binary, "--pid", str(ns.pid), "--unix-socket", sock, "--json")
        t.ok(r.rc == 0 and (r.json.get("namespaces") or {}).get("unix_socket_via") ==
             f"/proc/{ns.pid}/root" and "holds the socket listening at the unix socket" in
             (r.json.get("endpoint_owner") or ""),
             "unix socket given with --unix-socket: through /proc/PID/root, owner checked", r)
        r = correlate(binary, "--pid", str(ns.pid), "--unix-socket", sock + ".nope")
        t.ok(two_lines(r, 4) and "cannot connect" in r.err and f"unix:{sock}" in r.err,
             "a unix socket that is not there: exit 4, and its real socket in the hint", r)


def many_ports(t, binary, pure):
    """Done when: a Go service listening on several ports is matched to its
    metrics port without --url.  The metrics are on the wildcard address,
    tried after loopback, where an API that answers every path with 200
    JSON and a port that never answers both listen."""
    with NsTarget([pure, "-heap", "4MiB", "-listen", "0.0.0.0:0", "-api", "127.0.0.1:0",
                   "-silent", "127.0.0.1:0"]) as ns:
        port = ns.port("listening")
        r = correlate(binary, "--pid", str(ns.pid), "--json")
        j = r.json or {}
        att = (j.get("discovery") or {}).get("attempts") or []
        t.ok(r.rc == 0 and j.get("url") == f"http://127.0.0.1:{port}/metrics",
             "several ports, no --url: the metrics port is found", r)
        api, silent = ns.port("api"), ns.port("silent")
        t.ok(any(f":{api}/" in a["url"] for a in att) and
             any(f":{silent}/" in a["url"] and "no complete answer" in a["outcome"]
                 for a in att) and att[-1]["outcome"] == "MemStats (prometheus)",
             "several ports: the API and the silent port were tried and said why not", att)
        t.ok(sum(f":{silent}/" in a["url"] for a in att) == 1,
             "a port that does not answer is tried once, not on every path", att)
        t.ok(r.seconds < 2.5 * (20 if WRAPPED else 1),
             f"several ports: done in {r.seconds:.2f} s (under 2 s of attempts)", r.seconds)
        text = correlate(binary, "--pid", str(ns.pid))
        t.ok(text.rc == 0 and "  tried     " in text.out and
             "found among the sockets it listens on" in text.out,
             "several ports: the text report prints what was tried", text.out[:800])
        # --path: tried first
        r = correlate(binary, "--pid", str(ns.pid), "--path", "/debug/vars", "--json")
        t.ok(r.rc == 0 and r.json.get("endpoint_format") == "expvar",
             "--path /debug/vars is tried first", r)


def no_endpoint(t, binary, cgo, pure):
    """Done when: a Go program serving no endpoint gets the labelled OS-only
    report, and its 150 MiB of C memory shows as non-Go memory (within 10%)."""
    memstats_only = {"idle_heap", "fragmentation", "goroutine_stacks", "gc_metadata",
                     "memstats_inconsistent", "non_go_anon"}
    with NsTarget([cgo, "-heap", "8MiB", "-cmalloc", "150MiB", "-noserve"]) as ns:
        text = correlate(binary, "--pid", str(ns.pid))
        head = text.out.splitlines()[:3]
        t.ok(text.rc == 0 and len(head) > 1 and head[1].startswith("  OS-ONLY   ") and
             "listens on no TCP port and no unix socket" in text.out and
             "What /proc alone says" in text.out and "What it cannot say" in text.out and
             "What the Go runtime says" not in text.out,
             "no endpoint: exit 0, labelled OS-only at its top", text.out[:1500])
        r = correlate(binary, "--pid", str(ns.pid), "--json")
        j = r.json or {}
        oo = j.get("os_only") or {}
        t.ok(r.rc == 0 and j.get("go") is None and j.get("endpoint_format") is None and
             j.get("url") is None and "no TCP port" in (j.get("go_not_read_because") or ""),
             "no endpoint, JSON: go null, endpoint_format null, and why", r)
        f = r.finding("non_go_anon_os_only")
        t.ok(within(oo.get("non_go_anon_max_bytes"), 150 * MiB, 0.10) and f and
             within(f["bytes"], 150 * MiB, 0.10),
             f"no endpoint: the 150 MiB of C memory shows as non-Go memory "
             f"({(oo.get('non_go_anon_max_bytes') or 0) / MiB:.1f} MiB, finding "
             f"{(f or {}).get('bytes', 0) / MiB:.1f} MiB)", json.dumps(oo) + json.dumps(f))
        t.ok(within(oo.get("heap_arenas_bytes"), 8 * MiB, 1.0),
             "no endpoint: the Go heap arenas hold its 8 MiB heap", oo)
        fired = set(r.severities()) & memstats_only
        t.ok(not fired, "no endpoint: no finding that needs MemStats", fired)
        md = correlate(binary, "--pid", str(ns.pid), "--format", "markdown")
        t.ok(md.rc == 0 and "OS-only report from /proc alone" in md.out.splitlines()[0],
             "no endpoint, Markdown: labelled in its title", md.out[:300])
    with NsTarget([pure, "-heap", "4MiB"]) as ns:
        r = correlate(binary, "--pid", str(ns.pid), "--no-endpoint", "--json")
        t.ok(r.rc == 0 and r.json.get("go") is None and
             "--no-endpoint" in (r.json.get("go_not_read_because") or "") and
             r.json.get("fetched_as") is None,
             "--no-endpoint: the report from /proc alone, nothing fetched", r)
        # An explicit --url that fails stays an error.
        r = correlate(binary, "--pid", str(ns.pid), "--url", "127.0.0.1:2")
        t.ok(two_lines(r, 4), "an explicit --url that fails: exit 4", r)


def without_sys_admin(t, binary, pure):
    """Done when: without CAP_SYS_ADMIN (setpriv dropping it), the error names
    the missing capability."""
    drop = ["setpriv", "--bounding-set", "-sys_admin", "--inh-caps", "-sys_admin", "--"]
    with NsTarget([pure, "-heap", "4MiB"]) as ns:
        port = ns.port()
        r = correlate(*drop, binary, "--pid", str(ns.pid), "--url", f"127.0.0.1:{port}")
        t.ok(two_lines(r, 4) and "CAP_SYS_ADMIN" in r.err.splitlines()[0] and
             "another network namespace" in r.err and "kubectl port-forward" in r.err and
             "--proxied" in r.err,
             "without CAP_SYS_ADMIN, --url: exit 4, names the capability and the "
             "port-forward alternative", r)
        r = correlate(*drop, binary, "--pid", str(ns.pid))
        t.ok(two_lines(r, 4) and "CAP_SYS_ADMIN" in r.err and "--no-endpoint" in r.err,
             "without CAP_SYS_ADMIN, no --url: exit 4, names the capability", r)
        r = correlate(*drop, binary, "--pid", str(ns.pid), "--no-endpoint", "--json")
        t.ok(r.rc == 0 and r.json.get("go") is None,
             "without CAP_SYS_ADMIN, --no-endpoint: the report from /proc alone", r)
    with Target([pure, "-heap", "4MiB"]) as same:
        r = correlate(*drop, binary, "--pid", str(same.pid), "--url", same.hostport, "--json")
        t.ok(r.rc == 0 and r.json.get("go"),
             "without CAP_SYS_ADMIN, a process in correlate's own namespace: as today", r)


def find_child(parent_pid, timeout=5):
    """The fetch process: a child of parent_pid running as nobody."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        for p in os.listdir("/proc"):
            if not p.isdigit():
                continue
            try:
                st = open(f"/proc/{p}/status").read()
            except OSError:
                continue
            if re.search(rf"^PPid:\s+{parent_pid}$", st, re.M) and \
                    re.search(r"^Uid:\s+65534\s", st, re.M):
                return int(p)
        time.sleep(0.01)
    return None


def unprivileged_fetch(t, binary, pure, work, bodies):
    """Done when: while it fetches, the process that holds the endpoint's
    bytes has no capabilities and is not root.  memsvc -peercred records the
    connecting process's /proc/PID/status while it answers it; and a body
    that makes the parser fail is still one clean error in the parent."""
    rec = os.path.join(work, "peers.txt")
    with NsTarget([pure, "-heap", "4MiB", "-peercred", rec]) as ns:
        port = ns.port()
        r = correlate(binary, "--pid", str(ns.pid), "--url", f"127.0.0.1:{port}/metrics",
                      "--json")
        p = peers(rec)
        t.ok(r.rc == 0 and len(p) == 1 and unprivileged(p),
             "while it fetches, the peer holding the endpoint's bytes: uid 65534 (all four), "
             "CapEff 0, CapBnd 0, NoNewPrivs 1, Seccomp 2", p)
        fa = (r.json or {}).get("fetched_as") or ""
        t.ok(p and f"pid {p[0]['pid']}," in fa and "uid 65534 (nobody)" in fa and
             "no capabilities" in fa and "seccomp" in fa and
             int(p[0]["pid"]) != r.json.get("pid"),
             "fetched_as names that process, as correlate saw it", fa)
        os.unlink(rec)
        r = correlate(binary, "--pid", str(ns.pid), "--json")
        p = peers(rec)
        t.ok(r.rc == 0 and p and unprivileged(p),
             f"discovery too: every request ({len(p)}) from an unprivileged process", p)
        os.unlink(rec)
        r = correlate(binary, "--pid", str(ns.pid), "--url", f"127.0.0.1:{port}",
                      "--user", "daemon", "--json")
        p = peers(rec)
        t.ok(r.rc == 0 and p and unprivileged(p, uid="1") and
             "(daemon)" in (r.json.get("fetched_as") or ""),
             "--user daemon: the fetch runs as uid 1", p)
        r = correlate(binary, "--pid", str(ns.pid), "--user", "root")
        t.ok(two_lines(r, 2) and "must not run as root" in r.err, "--user root is refused", r)
    # Hostile bodies: each one clean error of the parent's, exit 4.
    with Target([sys.executable, os.path.join(HERE, "hostile_server.py"), "--bodies",
                 bodies]) as bad, Target([pure, "-heap", "2MiB"]) as go:
        for path, needle in (("/garbage", "not pprof text, expvar JSON or Prometheus"),
                             ("/conflict", "given twice"), ("/json-deep", "nested too deeply"),
                             ("/gzip-bomb", "gzip data"), ("/nan", "NaN")):
            r = correlate(binary, "--pid", str(go.pid), "--url", bad.url + path, "--proxied")
            t.ok(two_lines(r, 4) and needle in r.err,
                 f"a body that makes the parser fail ({path}): one clean error, exit 4", r)
        # The fetch process killed while it reads: one clean error, not a hang.
        p = subprocess.Popen([binary, "--pid", str(go.pid), "--url", bad.url + "/slow",
                              "--proxied", "--timeout", "20"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        child = find_child(p.pid)
        if child:
            os.kill(child, signal.SIGKILL)
        try:
            out, err = p.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
            out, err = p.communicate()
        lines = err.strip().splitlines()
        t.ok(child and p.returncode == 4 and out == "" and len(lines) == 2 and
             "killed by SIGKILL" in lines[0] and "unprivileged fetch process" in lines[0],
             "the fetch process killed mid-body: one clean error, exit 4",
             f"child {child} rc {p.returncode} {err}")


def save_and_replay(t, binary, pure, work):
    """--save records the namespace and what was found; --fixture replays it."""
    with NsTarget([pure, "-heap", "4MiB", "-api", "127.0.0.1:0"]) as ns:
        pair = os.path.join(work, "pair")
        r = correlate(binary, "--pid", str(ns.pid), "--save", pair, "--json")
        meta = json.load(open(os.path.join(pair, "meta.json"))) if r.rc == 0 else {}
        t.ok(r.rc == 0 and meta.get("namespaces", {}).get("fetched_in") == "process" and
             meta.get("namespaces", {}).get("net") == r.json["namespaces"]["net"] and
             (meta.get("discovery") or {}).get("found") is True and
             meta.get("fetched_as") == r.json.get("fetched_as"),
             "--save: meta.json records the namespace and what was found", meta)
        rp = correlate(binary, "--fixture", pair, "--json")
        t.ok(rp.rc == 0 and rp.json.get("namespaces") == r.json.get("namespaces") and
             rp.json.get("discovery") == r.json.get("discovery") and
             rp.json["go"]["sys_bytes"] == r.json["go"]["sys_bytes"],
             "--fixture replays them", rp)
        only = os.path.join(work, "pair-os-only")
        r = correlate(binary, "--pid", str(ns.pid), "--no-endpoint", "--save", only, "--json")
        files = sorted(os.listdir(only)) if r.rc == 0 else []
        rp = correlate(binary, "--fixture", only, "--json")
        t.ok(r.rc == 0 and not {"memstats.txt", "vars.json", "metrics.prom"} & set(files) and
             rp.rc == 0 and rp.json.get("go") is None and
             rp.json.get("go_not_read_because") == r.json.get("go_not_read_because"),
             "an OS-only pair: no body, replayed as OS-only", (files, rp))
        chk = subprocess.run([binary, "check", only], capture_output=True, text=True)
        t.ok(chk.returncode == 0 and "1 passed" in chk.stdout, "check takes an OS-only pair",
             chk.stdout + chk.stderr)


if __name__ == "__main__":
    main()
