#!/usr/bin/env python3
"""Third-party Go servers from Debian's packages (prometheus, etcd, caddy),
healthy and idle: every endpoint they serve gives a report whose numbers are
/proc's and the endpoint's, with no warning, and whose VIRT is explained
(etcd's bbolt maps its database file 10 GiB wide: a file mapping, not a
mystery).

usage: test_thirdparty.py CORRELATE"""

import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

from harness import MiB, Tap, between, correlate, free_port, status_kb

GiB = 1 << 30



def get(url):
    with urllib.request.urlopen(url, timeout=5) as r:
        return r.read().decode()


def prom_value(text, name):
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    return None


def wait_ready(url, proc, seconds=30):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc.poll() is not None:
            return False
        try:
            get(url)
            return True
        except Exception:
            time.sleep(0.2)
    return False


def check_server(t, binary, name, pid, base, paths):
    reports = []
    for path in paths:
        label = f"{name} {path or 'host:port'}"
        url = base + path if path else base.split("://", 1)[1]
        before = {k: status_kb(pid, k) for k in ("VmSize", "VmRSS")}
        sys_before = prom_value(get(base + "/metrics"), "go_memstats_sys_bytes")
        r = correlate(binary, "--pid", str(pid), "--url", url, "--json")
        after = {k: status_kb(pid, k) for k in ("VmSize", "VmRSS")}
        sys_after = prom_value(get(base + "/metrics"), "go_memstats_sys_bytes")
        if not t.ok(r.rc == 0 and r.json, f"{label}: exit 0 with JSON", r):
            continue
        j = r.json
        reports.append(j)
        t.ok(not r.warnings(), f"{label}: no warning for a healthy server", r.warnings())
        t.ok(between(j["os"]["vm_size_bytes"], before["VmSize"], after["VmSize"]),
             f"{label}: vm_size_bytes is /proc's VmSize", (j["os"]["vm_size_bytes"], before, after))
        t.ok(between(j["os"]["vm_rss_bytes"], before["VmRSS"], after["VmRSS"], 0.02),
             f"{label}: vm_rss_bytes is /proc's VmRSS", (j["os"]["vm_rss_bytes"], before, after))
        # A live server's Sys moves: correlate's must lie between what the
        # endpoint said just before and just after.
        t.ok(between(j["go"]["sys_bytes"], sys_before, sys_after, 0.02),
             f"{label}: go.sys_bytes is the endpoint's Sys",
             (j["go"]["sys_bytes"], sys_before, sys_after))
        t.ok(j["ledger"]["checks"]["sys_adds_up"] is True,
             f"{label}: Sys adds up to its parts", j["ledger"]["checks"])
        # VIRT is explained: every mapping is in a class, and the classes'
        # sizes add up to VmSize, give or take [vsyscall]'s page and what the
        # live server maps between the reads of status and smaps (a thread).
        classes = j["mappings"]["classes"]
        total = sum(c["size_bytes"] for c in classes.values())
        t.ok(abs(total - j["os"]["vm_size_bytes"]) <= max(1 << 20, j["os"]["vm_size_bytes"] // 50),
             f"{label}: the classes' sizes add up to VIRT",
             (total, j["os"]["vm_size_bytes"]))
    return reports


def start(t, argv, ready_url, env=None):
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    if not t.ok(wait_ready(ready_url, p), f"{os.path.basename(argv[0])} is up"):
        p.kill()
        p.wait()
        return None
    time.sleep(2)  # let it settle into its steady state
    return p


def stop(p):
    if p:
        p.terminate()
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def main():
    binary = sys.argv[1]
    t = Tap()
    for prog in ("prometheus", "etcd", "caddy"):
        t.ok(shutil.which(prog) is not None, f"Debian's {prog} is installed (scripts/install-deps test)")
    work = tempfile.mkdtemp(prefix="correlate-3p-")
    try:
        # prometheus, scraping itself as a real deployment does.
        port = free_port()
        cfg = os.path.join(work, "prometheus.yml")
        with open(cfg, "w") as f:
            f.write("global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: self\n"
                    f"    static_configs:\n      - targets: ['127.0.0.1:{port}']\n")
        base = f"http://127.0.0.1:{port}"
        p = start(t, [shutil.which("prometheus"), f"--config.file={cfg}",
                      f"--web.listen-address=127.0.0.1:{port}",
                      f"--storage.tsdb.path={work}/prom"], base + "/-/ready")
        if p:
            check_server(t, binary, "prometheus", p.pid, base,
                         ["/metrics", "/debug/pprof/heap?debug=1", "/debug/pprof/allocs?debug=1", ""])
        stop(p)

        # etcd: bbolt maps its database file with a 10 GiB initial size.
        cport, pport = free_port(), free_port()
        base = f"http://127.0.0.1:{cport}"
        p = start(t, [shutil.which("etcd"), "--data-dir", f"{work}/etcd", "--enable-pprof",
                      "--listen-client-urls", base, "--advertise-client-urls", base,
                      "--listen-peer-urls", f"http://127.0.0.1:{pport}",
                      "--initial-advertise-peer-urls", f"http://127.0.0.1:{pport}",
                      "--initial-cluster", f"default=http://127.0.0.1:{pport}"], base + "/health")
        if p:
            for j in check_server(t, binary, "etcd", p.pid, base,
                                  ["/metrics", "/debug/vars", "/debug/pprof/heap?debug=1", ""]):
                files = j["mappings"]["classes"]["files"]
                db = [f for f in j["mappings"]["largest_files"] if f["path"].endswith("/db")]
                t.ok(files["size_bytes"] >= 10 * GiB and db and db[0]["size_bytes"] >= 10 * GiB,
                     "etcd: bbolt's 10 GiB map of member/snap/db is a file mapping",
                     j["mappings"]["largest_files"])
                res = [f for f in j["findings"] if f["id"] == "reserved_address_space"]
                t.ok(res and "other mapped files" in res[0]["summary"],
                     "etcd: the reserved address space names the mapped file", res)
        stop(p)

        # caddy: its admin endpoint serves pprof, expvar and metrics.
        aport, hport = free_port(), free_port()
        with open(f"{work}/Caddyfile", "w") as f:
            f.write(f"{{\n\tadmin 127.0.0.1:{aport}\n}}\n:{hport} {{\n\trespond \"hi\"\n}}\n")
        env = dict(os.environ, HOME=work, XDG_DATA_HOME=work, XDG_CONFIG_HOME=work)
        base = f"http://127.0.0.1:{aport}"
        p = start(t, [shutil.which("caddy"), "run", "--config", f"{work}/Caddyfile",
                      "--adapter", "caddyfile"], base + "/config/", env=env)
        if p:
            check_server(t, binary, "caddy", p.pid, base,
                         ["/metrics", "/debug/vars", "/debug/pprof/heap?debug=1", ""])
        stop(p)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    t.done()


if __name__ == "__main__":
    main()
