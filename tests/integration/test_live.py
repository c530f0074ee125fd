#!/usr/bin/env python3
"""Live runs: correlate against real Go programs, every Go toolchain, all
three endpoint formats.

usage: test_live.py CORRELATE TARGET...   (targets: memsvc-go<ver>-{cgo,pure})"""

import os
import re
import sys

from harness import MiB, Tap, Target, between, correlate, status_kb, within

FORMATS = {
    "pprof": "/debug/pprof/heap?debug=1",
    "expvar": "/debug/vars",
    "prometheus": "/metrics",
}


def check_contract(t, r, name):
    """The JSON keys issue #2 promises, with the right types."""
    j = r.json or {}
    keys = ["schema_version", "pid", "url", "endpoint_format", "captured_at", "go_version",
            "os", "go", "ledger", "unexplained_bytes", "findings"]
    t.ok(all(k in j for k in keys), f"{name}: top-level keys", [k for k in keys if k not in j])
    os_keys = ["vm_size_bytes", "vm_rss_bytes", "rss_anon_bytes", "rss_file_bytes",
               "rss_shmem_bytes", "vm_swap_bytes", "lazy_free_bytes",
               "anon_huge_pages_bytes", "threads"]
    go_keys = ["sys_bytes", "heap_sys_bytes", "heap_alloc_bytes", "heap_inuse_bytes",
               "heap_idle_bytes", "heap_released_bytes", "stack_inuse_bytes",
               "stack_sys_bytes", "gc_sys_bytes", "other_sys_bytes", "next_gc_bytes"]
    t.ok(all(isinstance(j.get("os", {}).get(k), int) for k in os_keys),
         f"{name}: os.* are integers", {k: j.get("os", {}).get(k) for k in os_keys})
    t.ok(all(isinstance(j.get("go", {}).get(k), int) for k in go_keys),
         f"{name}: go.* are integers", {k: j.get("go", {}).get(k) for k in go_keys})
    t.ok(j.get("schema_version") == 1 and
         re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", j.get("captured_at", "")),
         f"{name}: schema_version 1, captured_at RFC 3339 UTC", j.get("captured_at"))
    t.ok(all(f.get("severity") in ("info", "warning", "critical") and
             isinstance(f.get("bytes"), int) and f.get("summary") for f in j.get("findings", [])),
         f"{name}: findings have id, severity, bytes, summary")


def main():
    binary, targets = sys.argv[1], sys.argv[2:]
    t = Tap()
    for path in targets:
        m = re.search(r"memsvc-go([\d.]+)-(cgo|pure)$", path)
        ver, variant = m.group(1), m.group(2)
        if variant == "cgo":
            # 150 MiB of C memory beside 32 MiB of Go heap.
            with Target([path, "-heap", "32MiB", "-cmalloc", "150MiB"]) as tg:
                for fmt, p in FORMATS.items():
                    name = f"go{ver} cgo 150MiB C, {fmt}"
                    before = {k: status_kb(tg.pid, k) for k in ("VmSize", "VmRSS")}
                    r = correlate(binary, "--pid", str(tg.pid), "--url", tg.url + p, "--json")
                    after = {k: status_kb(tg.pid, k) for k in ("VmSize", "VmRSS")}
                    if not t.ok(r.rc == 0 and r.json, f"{name}: exit 0 with JSON", r):
                        continue
                    j = r.json
                    t.ok(j["endpoint_format"] == fmt, f"{name}: endpoint_format", j["endpoint_format"])
                    t.ok(within(j["unexplained_bytes"], 150 * MiB, 0.10),
                         f"{name}: unexplained within 10% of 150 MiB",
                         f"unexplained {j['unexplained_bytes'] / MiB:.1f} MiB")
                    f = r.finding("non_go_anon")
                    t.ok(f is not None and f["severity"] in ("warning", "critical") and
                         within(f["bytes"], 150 * MiB, 0.10) and
                         f["bytes"] <= j["unexplained_bytes"],
                         f"{name}: non_go_anon names it as a warning, within 10%", f)
                    # The JSON's kernel numbers are /proc's: between what this test
                    # reads just before and just after (the target may start a
                    # thread while it serves; RSS moves by a few pages).
                    t.ok(between(j["os"]["vm_size_bytes"], before["VmSize"], after["VmSize"]),
                         f"{name}: vm_size_bytes is /proc's VmSize",
                         (j["os"]["vm_size_bytes"], before, after))
                    t.ok(between(j["os"]["vm_rss_bytes"], before["VmRSS"], after["VmRSS"], 0.01),
                         f"{name}: vm_rss_bytes is /proc's VmRSS", (j["os"]["vm_rss_bytes"], before, after))
                    t.ok(j["pid"] == tg.pid and j["go_version"].startswith("go" + ver),
                         f"{name}: pid and go_version", (j["pid"], j["go_version"]))
                    if fmt == "pprof":
                        check_contract(t, r, name)
        else:
            # A pure-Go program holding 64 MiB: nothing to warn about.
            with Target([path, "-heap", "64MiB"]) as tg:
                for fmt, p in FORMATS.items():
                    name = f"go{ver} pure 64MiB heap, {fmt}"
                    r = correlate(binary, "--pid", str(tg.pid), "--url", tg.url + p, "--json")
                    if not t.ok(r.rc == 0 and r.json, f"{name}: exit 0 with JSON", r):
                        continue
                    j = r.json
                    t.ok(not r.warnings(), f"{name}: no warning", r.warnings())
                    t.ok(j["unexplained_bytes"] < 8 * MiB,
                         f"{name}: unexplained under 8 MiB",
                         f"{j['unexplained_bytes'] / MiB:.1f} MiB")
                    t.ok(j["go"]["heap_alloc_bytes"] >= 64 * MiB,
                         f"{name}: HeapAlloc holds the 64 MiB", j["go"]["heap_alloc_bytes"])
                    t.ok(j["ledger"]["checks"]["sys_adds_up"] is True,
                         f"{name}: Sys adds up", j["ledger"]["checks"])
                # host:port alone: the cheapest endpoint answers.
                r = correlate(binary, "--pid", str(tg.pid), "--url", tg.hostport, "--json")
                t.ok(r.rc == 0 and r.json and r.json["endpoint_format"] == "prometheus" and
                     r.json["url"].endswith("/metrics"),
                     f"go{ver} pure: bare host:port is answered by /metrics", r)
                # The text report has the parts a person needs.
                r = correlate(binary, "--pid", str(tg.pid), "--url", tg.url + "/debug/vars")
                t.ok(r.rc == 0 and all(s in r.out for s in
                                       ("What the kernel says", "What the Go runtime says",
                                        "Ledger", "Findings", "HeapReleased", "MiB")),
                     f"go{ver} pure: text report", r)
    t.done()


if __name__ == "__main__":
    main()
