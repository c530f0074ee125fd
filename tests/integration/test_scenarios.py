#!/usr/bin/env python3
"""The scenario suite: each Go program injects one cause of memory of a
known size; correlate must name it as the largest non-info finding, with
its bytes within 10% of the injected size, on every Go toolchain.  Healthy
programs get no warning.

usage: test_scenarios.py CORRELATE TARGET...   (memsvc-go<ver>-{cgo,pure})"""

import os
import re
import sys

from harness import MiB, Tap, Target, correlate

KiB = 1 << 10

# name, variant, extra environment, arguments, finding id, injected bytes
# (None: measured against a baseline run, see threads below).
SCENARIOS = [
    ("cgo malloc", "cgo", {}, ["-cmalloc", "150MiB"], "non_go_anon", 150 * MiB),
    ("anonymous mmap", "pure", {}, ["-mmap", "150MiB"], "non_go_anon", 150 * MiB),
    ("file mmap", "pure", {}, ["-filemap", "150MiB"], "file_mappings", 150 * MiB),
    ("shared anonymous mapping", "pure", {}, ["-shmem", "150MiB"], "shared_memory", 150 * MiB),
    # Freed heap returned with MADV_FREE (the Go 1.12-1.15 default): it
    # stays in RSS as LazyFree.
    ("MADV_FREE", "pure", {"GODEBUG": "madvdontneed=0"}, ["-freeheap", "200MiB", "-release"],
     "lazy_free", 200 * MiB),
    # Freed heap not yet returned: with GOGC=off the one GC the program runs
    # is its first, and the scavenger stays off until a second.
    ("idle heap", "pure", {"GOGC": "off"}, ["-freeheap", "200MiB"], "idle_heap", 200 * MiB),
    # 20,000 goroutines whose recursion (-stack 6KiB of 1 KiB frames plus
    # their overhead) grows each stack to 16 KiB (measured: StackInuse / count).
    ("goroutine stacks", "pure", {}, ["-goroutines", "20000", "-stack", "6KiB"],
     "goroutine_stacks", 20000 * 16 * KiB),
    ("locked OS threads", "pure", {}, ["-threads", "500"], "os_threads", None),
    ("locked OS threads", "cgo", {}, ["-threads", "500"], "os_threads", None),
    # 128 MiB of 64-byte objects, one in 128 kept: one per 8 KiB span.
    ("fragmentation", "pure", {}, ["-fragment", "128MiB"], "fragmentation", 128 * MiB * 127 // 128),
]

HEALTHY = [
    ("healthy pure", "pure", ["-heap", "64MiB"]),
    ("healthy cgo", "cgo", ["-heap", "64MiB"]),
]


def thread_stack_rss(pid):
    """Resident bytes of pthread stacks, found in smaps independently of
    correlate: a small ---p guard directly below an rw-p mapping."""
    maps, cur = [], None
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            m = re.match(r"([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ (\d+)\s*(.*)", line)
            if m:
                cur = {"start": int(m.group(1), 16), "end": int(m.group(2), 16),
                       "perms": m.group(3), "anon": m.group(4) == "0" and not m.group(5)}
                maps.append(cur)
            elif line.startswith("Rss:"):
                cur["rss"] = int(line.split()[1]) * KiB
    total = 0
    for a, b in zip(maps, maps[1:]):
        if (a["anon"] and b["anon"] and a["perms"] == "---p" and a["end"] - a["start"] <= 64 * KiB
                and b["perms"].startswith("rw") and a["end"] == b["start"]):
            total += b["rss"]
    return total


def run(binary, path, args, env_extra):
    env = dict(os.environ, **env_extra)
    with Target([path, *args], env=env) as tg:
        r = correlate(binary, "--pid", str(tg.pid), "--url", tg.url + "/debug/pprof/heap?debug=1",
                      "--json")
        tstacks = thread_stack_rss(tg.pid)
    return r, tstacks


def top_non_info(r):
    for f in (r.json or {}).get("findings", []):
        if f["severity"] != "info":
            return f
    return None


def main():
    binary, targets = sys.argv[1], sys.argv[2:]
    by = {}
    for path in targets:
        m = re.search(r"memsvc-go([\d.]+)-(cgo|pure)$", path)
        by.setdefault(m.group(1), {})[m.group(2)] = path
    t = Tap()
    for ver in sorted(by, key=lambda v: [int(x) for x in v.split(".")]):
        for name, variant, env, args, fid, size in SCENARIOS:
            label = f"go{ver} {variant}: {name}"
            r, tstacks = run(binary, by[ver][variant], args, env)
            if not t.ok(r.rc == 0 and r.json, f"{label}: exit 0 with JSON", r):
                continue
            if size is None:
                # Threads: what they cost is measured, not assumed: the Go
                # stacks they add (StackInuse) and their pthread stacks'
                # resident pages, against the same program without them.
                base, base_tstacks = run(binary, by[ver][variant], [], {})
                size = (r.json["go"]["stack_inuse_bytes"] - base.json["go"]["stack_inuse_bytes"]
                        + tstacks - base_tstacks)
            top = top_non_info(r)
            t.ok(top is not None and top["id"] == fid,
                 f"{label}: {fid} is the top non-info finding",
                 [(f["id"], f["severity"], f["bytes"] // MiB) for f in r.json["findings"]])
            got = r.finding(fid)
            t.ok(got is not None and abs(got["bytes"] - size) <= 0.10 * size,
                 f"{label}: {fid} bytes within 10% of {size / MiB:.1f} MiB",
                 f"got {got['bytes'] / MiB:.1f} MiB ({(got['bytes'] - size) / size:+.1%})"
                 if got else "no such finding")
            if got:
                print(f"# {label}: {fid} {got['bytes'] / MiB:.1f} MiB for {size / MiB:.1f} MiB "
                      f"({(got['bytes'] - size) / size:+.1%})", flush=True)
            t.ok(got is not None and got.get("evidence") and got.get("advice"),
                 f"{label}: {fid} has evidence and advice")
        for name, variant, args in HEALTHY:
            label = f"go{ver} {variant}: {name}"
            r, _ = run(binary, by[ver][variant], args, {})
            t.ok(r.rc == 0 and r.json and not r.warnings(), f"{label}: no warning",
                 r.warnings() if r.json else r)
    t.done()


if __name__ == "__main__":
    main()
