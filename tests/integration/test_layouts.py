#!/usr/bin/env python3
"""Where the Go heap is (issue 10), live: correlate must find the heap arenas
wherever the runtime put them, and a healthy program must get no warning.

  - GOARCH=386 without cgo: 4 MiB arenas right after the binary;
  - a -race build: the heap at 0xc000000000, the race runtime's shadow
    beside it (class race_detector, finding race_detector, not C memory);
  - the first arena hint taken by a cgo constructor (memsvc/hint_cgo.go):
    the heap at 0x1c000000000, the C block at 0xc000000000 not heap;
  - Go 1.26+'s random heap base: several starts, several bases;
  - plain Go 1.23, pure and cgo.

Each healthy run holds 128 MiB of Go heap (memsvc -heap 128MiB); its heap
class's anonymous footprint must be within 10% of HeapSys - HeapReleased +
StackInuse (the cross-check the ledger makes).  150 MiB of cgo malloc must
still be non_go_anon within 10% on the random-base and hint-taken builds.
A missing toolchain or target is a failure that names it, never a skip.

usage: test_layouts.py CORRELATE TARGET...
  (memsvc-go<ver>-{386,race,hint} and the matrix's memsvc-go<ver>-{cgo,pure})"""

import re
import sys

from harness import MiB, Tap, Target, correlate

HEAP = ["-heap", "128MiB"]
RANDOM_STARTS = 5


def run(binary, path, args):
    with Target([path, *args]) as tg:
        return correlate(binary, "--pid", str(tg.pid), "--url",
                         tg.url + "/debug/pprof/heap?debug=1", "--json", "--mappings")


def rows(r, cls):
    return [x for x in r.json["mappings"]["rows"] if x["class"] == cls]


def heap_base(r):
    """The lowest address of a Go heap arena mapping, or None."""
    starts = [int(x["start"], 16) for x in rows(r, "go_heap")]
    return min(starts) if starts else None


def summary(label, r):
    """The '#' line the report quotes: the heap class against Go's count, and
    the findings."""
    s = r.json["ledger"]["split"]
    base = heap_base(r)
    fs = ", ".join(f"{f['id']} {f['severity']} {f['bytes'] / MiB:.1f} MiB"
                   for f in r.json["findings"])
    print(f"# {label}: heap at {base:#x}: go_heap {s['go_heap_bytes'] / MiB:.1f} MiB vs "
          f"HeapSys-HeapReleased+StackInuse {s['go_heap_accounted_bytes'] / MiB:.1f} MiB; {fs}"
          if base is not None else f"# {label}: no heap found; {fs}", flush=True)


def check_heap(t, label, r):
    """The heap class holds what Go says its arenas hold."""
    s = r.json["ledger"]["split"]
    a, ga = s["go_heap_bytes"], s["go_heap_accounted_bytes"]
    t.ok(a is not None and ga and abs(a - ga) <= 0.10 * ga,
         f"{label}: heap arenas' footprint within 10% of HeapSys-HeapReleased+StackInuse",
         f"go_heap {a} vs {ga}")


def check_healthy(t, label, r):
    warn = r.warnings()
    t.ok(not warn, f"{label}: no warning",
         [(f["id"], f["severity"], f["bytes"] // MiB, f["summary"]) for f in warn])


def check_cmalloc(t, binary, label, path):
    """150 MiB of C malloc is still found, as non_go_anon, within 10%."""
    size = 150 * MiB
    r = run(binary, path, ["-cmalloc", "150MiB"])
    if not t.ok(r.rc == 0 and r.json, f"{label} -cmalloc 150MiB: exit 0 with JSON", r):
        return
    summary(f"{label} -cmalloc 150MiB", r)
    got = r.finding("non_go_anon")
    t.ok(got is not None and got["severity"] != "info" and abs(got["bytes"] - size) <= 0.10 * size,
         f"{label} -cmalloc 150MiB: non_go_anon within 10% of 150 MiB",
         f"got {got['bytes'] / MiB:.1f} MiB ({got['severity']})" if got else "no non_go_anon")
    # Without -heap the heap is a megabyte or two, partly never touched: the
    # 10% check means nothing there, but the arenas must still be found.
    t.ok(heap_base(r) is not None and r.json["mappings"]["classes"]["go_heap"]["rss_bytes"] > 0,
         f"{label} -cmalloc 150MiB: the heap arenas are found")


def main():
    binary, targets = sys.argv[1], sys.argv[2:]
    by = {}
    for path in targets:
        m = re.search(r"memsvc-go([\d.]+)-(cgo|pure|386|race|hint)$", path)
        if m:
            by.setdefault(m.group(2), {})[m.group(1)] = path
    t = Tap()

    def need(variant, what):
        """The target of the newest version there is, or a failure naming it."""
        have = by.get(variant, {})
        if not t.ok(bool(have), f"{what}: a memsvc-go<version>-{variant} target is given",
                    f"no memsvc-go*-{variant} among {targets}"):
            return None, None
        ver = max(have, key=lambda v: [int(x) for x in v.split(".")])
        return ver, have[ver]

    # Plain Go 1.23: the heap at the first hint, as before.
    for variant in ("pure", "cgo"):
        path = by.get(variant, {}).get("1.23")
        if not t.ok(path is not None, f"go1.23 {variant}: memsvc-go1.23-{variant} is given",
                    "Go 1.23 (golang-1.23-go) is not installed"):
            continue
        label = f"go1.23 {variant}"
        r = run(binary, path, HEAP)
        if t.ok(r.rc == 0 and r.json, f"{label}: exit 0 with JSON", r):
            summary(label, r)
            t.ok(heap_base(r) == 0xc000000000, f"{label}: heap at 0xc000000000",
                 f"{heap_base(r)!r}")
            check_heap(t, label, r)
            check_healthy(t, label, r)

    # GOARCH=386: 4 MiB arenas, after the binary.
    ver, path = need("386", "GOARCH=386")
    if path:
        label = f"go{ver} 386"
        r = run(binary, path, HEAP)
        if t.ok(r.rc == 0 and r.json, f"{label}: exit 0 with JSON", r):
            summary(label, r)
            b = r.json["process"]["build"]
            t.ok(b["goarch"] == "386" and b["cgo"] is False, f"{label}: build info says 386, no cgo",
                 b)
            base = heap_base(r)
            t.ok(base is not None and base < 1 << 32 and base % (4 * MiB) == 0,
                 f"{label}: heap 4 MiB-aligned below 4 GiB", f"{base!r}")
            check_heap(t, label, r)
            check_healthy(t, label, r)

    # -race: the shadow is the race detector's, not C memory.
    ver, path = need("race", "-race")
    if path:
        label = f"go{ver} -race"
        r = run(binary, path, HEAP)
        if t.ok(r.rc == 0 and r.json, f"{label}: exit 0 with JSON", r):
            summary(label, r)
            t.ok(r.json["process"]["build"]["race"] is True, f"{label}: build info says -race")
            check_heap(t, label, r)
            race = r.finding("race_detector")
            heap = r.json["ledger"]["split"]["go_heap_bytes"]
            t.ok(race is not None and race["severity"] == "warning" and race["bytes"] >= heap // 2,
                 f"{label}: race_detector warns, with the shadow (at least half the heap)",
                 race)
            t.ok(race is not None and race["evidence"] and race["advice"],
                 f"{label}: race_detector has evidence and advice")
            cls = r.json["mappings"]["classes"]["race_detector"]
            t.ok(cls["mappings"] > 0 and all(
                0x200000000000 <= int(x["start"], 16) < 0x400000000000 or
                0x600000000000 <= int(x["start"], 16) < 0x620000000000
                for x in rows(r, "race_detector")),
                f"{label}: race_detector class holds the shadow mappings only", cls)
            non_go = r.finding("non_go_anon")
            t.ok(non_go is None or non_go["severity"] == "info",
                 f"{label}: no non_go_anon warning (the shadow is not C memory)", non_go)
            t.ok([f["id"] for f in r.warnings()] == ["race_detector"],
                 f"{label}: race_detector is the only warning",
                 [(f["id"], f["severity"]) for f in r.warnings()])

    # The first hint taken: heap at the next one; the C block is not heap.
    ver, path = need("hint", "first hint taken")
    if path:
        label = f"go{ver} first hint taken"
        r = run(binary, path, HEAP)
        if t.ok(r.rc == 0 and r.json, f"{label}: exit 0 with JSON", r):
            summary(label, r)
            t.ok(heap_base(r) == 0x1c000000000, f"{label}: heap at 0x1c000000000",
                 f"{heap_base(r)!r}")
            c_block = [x for x in r.json["mappings"]["rows"] if x["start"] == "c000000000"]
            t.ok(len(c_block) == 1 and c_block[0]["class"] == "other_anon",
                 f"{label}: the C block at 0xc000000000 is other anonymous memory", c_block)
            check_heap(t, label, r)
            check_healthy(t, label, r)
        check_cmalloc(t, binary, label, path)

    # Go 1.26+: a random base each start.
    random_vers = sorted((v for v in by.get("pure", {})
                          if [int(x) for x in v.split(".")] >= [1, 26]),
                         key=lambda v: [int(x) for x in v.split(".")])
    t.ok(bool(random_vers), "Go 1.26+ (random heap base): a memsvc-go1.26+-pure target is given",
         "no Go 1.26 or later toolchain: scripts/go-toolchains puts 1.24-1.27 in "
         "/var/cache/correlate/go, and tests/targets/find-go lists them")
    for ver in random_vers:
        bases = set()
        for i in range(RANDOM_STARTS):
            label = f"go{ver} pure, start {i + 1}"
            r = run(binary, by["pure"][ver], HEAP)
            if not t.ok(r.rc == 0 and r.json, f"{label}: exit 0 with JSON", r):
                continue
            summary(label, r)
            bases.add(heap_base(r))
            check_heap(t, label, r)
            check_healthy(t, label, r)
        t.ok(len(bases - {None}) >= 2, f"go{ver}: {RANDOM_STARTS} starts put the heap at "
             f"more than one base", [hex(b) for b in bases if b is not None])
        cgo = by.get("cgo", {}).get(ver)
        if t.ok(cgo is not None, f"go{ver}: memsvc-go{ver}-cgo is given"):
            r = run(binary, cgo, HEAP)
            if t.ok(r.rc == 0 and r.json, f"go{ver} cgo: exit 0 with JSON", r):
                summary(f"go{ver} cgo", r)
                check_heap(t, f"go{ver} cgo", r)
                check_healthy(t, f"go{ver} cgo", r)
            check_cmalloc(t, binary, f"go{ver} cgo", cgo)
    t.done()


if __name__ == "__main__":
    main()
