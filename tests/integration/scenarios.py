"""The scenario table: each entry injects one cause of memory of a known
size into tests/targets/memsvc.  Shared by test_scenarios.py, test_pairs.py
and scripts/record-fixtures."""

import re

from harness import MiB

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


