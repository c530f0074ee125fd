#!/usr/bin/env python3
"""The scenario suite: each Go program injects one cause of memory of a
known size; correlate must name it as the largest non-info finding, with
its bytes within 10% of the injected size, on every Go toolchain.  Healthy
programs get no warning.

usage: test_scenarios.py CORRELATE TARGET...   (memsvc-go<ver>-{cgo,pure})"""

import os
import re
import shutil
import sys
import tempfile

from harness import MiB, Tap, Target, correlate
from scenarios import HEALTHY, SCENARIOS, thread_stack_rss

# What a replay may differ in from the live run it was saved from.
CAPTURE_METADATA = ("command", "replay", "source", "not_recorded")


def json_diff(a, b, path=""):
    """The first place two JSON values differ, or None."""
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if not path and k in CAPTURE_METADATA:
                continue
            d = json_diff(a.get(k, "<missing>"), b.get(k, "<missing>"), f"{path}.{k}")
            if d:
                return d
        return None
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            d = json_diff(x, y, f"{path}[{i}]")
            if d:
                return d
        return None
    return None if a == b else f"{path}: {a!r} != {b!r}"


def run(binary, path, args, env_extra, save=None):
    env = dict(os.environ, **env_extra)
    with Target([path, *args], env=env) as tg:
        extra = ["--save", save] if save else []
        r = correlate(binary, "--pid", str(tg.pid), "--url", tg.url + "/debug/pprof/heap?debug=1",
                      "--json", *extra)
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
    work = tempfile.mkdtemp(prefix="correlate-scenarios-")
    for ver in sorted(by, key=lambda v: [int(x) for x in v.split(".")]):
        for name, variant, env, args, fid, size in SCENARIOS:
            label = f"go{ver} {variant}: {name}"
            pair = os.path.join(work, f"go{ver}-{variant}-{name.replace(' ', '-')}")
            r, tstacks = run(binary, by[ver][variant], args, env, save=pair)
            if not t.ok(r.rc == 0 and r.json, f"{label}: exit 0 with JSON", r):
                continue
            # Saved, then replayed: the same JSON, apart from capture metadata.
            rp = correlate(binary, "--fixture", pair, "--json")
            t.ok(rp.rc == 0 and rp.json and rp.json["replay"] is True and
                 json_diff(r.json, rp.json) is None,
                 f"{label}: save then replay gives the live run's JSON",
                 json_diff(r.json, rp.json) if rp.json else rp)
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
    shutil.rmtree(work, ignore_errors=True)
    t.done()


if __name__ == "__main__":
    main()
