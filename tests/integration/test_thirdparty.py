#!/usr/bin/env python3
"""Third-party Go servers from Debian's packages, healthy and idle: every
endpoint they serve gives a report whose numbers are /proc's and the
endpoint's, with no warning.

usage: test_thirdparty.py CORRELATE"""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

from harness import Tap, between, correlate, status_kb, within


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


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
    for path in paths:
        label = f"{name} {path or 'host:port'}"
        url = base + path if path else base.split("://", 1)[1]
        before = {k: status_kb(pid, k) for k in ("VmSize", "VmRSS")}
        r = correlate(binary, "--pid", str(pid), "--url", url, "--json")
        after = {k: status_kb(pid, k) for k in ("VmSize", "VmRSS")}
        if not t.ok(r.rc == 0 and r.json, f"{label}: exit 0 with JSON", r):
            continue
        j = r.json
        t.ok(not r.warnings(), f"{label}: no warning for a healthy server", r.warnings())
        t.ok(between(j["os"]["vm_size_bytes"], before["VmSize"], after["VmSize"]),
             f"{label}: vm_size_bytes is /proc's VmSize", (j["os"]["vm_size_bytes"], before, after))
        t.ok(between(j["os"]["vm_rss_bytes"], before["VmRSS"], after["VmRSS"], 0.02),
             f"{label}: vm_rss_bytes is /proc's VmRSS", (j["os"]["vm_rss_bytes"], before, after))
        metrics = get(base + "/metrics")
        sys_now = prom_value(metrics, "go_memstats_sys_bytes")
        t.ok(within(j["go"]["sys_bytes"], sys_now, 0.05),
             f"{label}: go.sys_bytes is the endpoint's Sys", (j["go"]["sys_bytes"], sys_now))
        t.ok(j["ledger"]["checks"]["sys_adds_up"] is True,
             f"{label}: Sys adds up to its parts", j["ledger"]["checks"])
        # VIRT is explained: Go's part plus the rest add up to VmSize.
        v = j["ledger"]["virt"]
        t.ok(v["go_sys_bytes"] + v["exe_and_libs_bytes"] + v["main_stack_bytes"] +
             v["other_bytes"] == v["vm_size_bytes"], f"{label}: VIRT lines add up", v)


def main():
    binary = sys.argv[1]
    t = Tap()
    prom = shutil.which("prometheus")
    if not t.ok(prom is not None, "Debian's prometheus is installed (scripts/install-deps test)"):
        t.done()
    work = tempfile.mkdtemp(prefix="correlate-prom-")
    port = free_port()
    cfg = os.path.join(work, "prometheus.yml")
    with open(cfg, "w") as f:
        # It scrapes itself, as a real deployment does.
        f.write("global:\n  scrape_interval: 1s\nscrape_configs:\n"
                f"  - job_name: self\n    static_configs:\n      - targets: ['127.0.0.1:{port}']\n")
    p = subprocess.Popen([prom, f"--config.file={cfg}", f"--web.listen-address=127.0.0.1:{port}",
                          f"--storage.tsdb.path={work}/data"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        if t.ok(wait_ready(base + "/-/ready", p), "prometheus is up"):
            time.sleep(3)  # a few scrapes, so it is a working server
            check_server(t, binary, "prometheus", p.pid, base,
                         ["/metrics", "/debug/pprof/heap?debug=1", "/debug/pprof/allocs?debug=1",
                          ""])
    finally:
        p.terminate()
        p.wait(timeout=20)
        shutil.rmtree(work, ignore_errors=True)
    t.done()


if __name__ == "__main__":
    main()
