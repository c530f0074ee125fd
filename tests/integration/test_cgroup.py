#!/usr/bin/env python3
"""The process's context, live: a Go program in a memory cgroup of its own
with a limit (cgroup v2 where its memory controller is available, else v1),
and Go settings in its environment.

usage: test_cgroup.py CORRELATE GO_TARGET"""

import os
import sys

from harness import MiB, Tap, Target, correlate


def memory_cgroup():
    """(version, directory of our memory cgroup) or (0, why)."""
    v1 = v2 = None
    with open("/proc/self/cgroup") as f:
        for line in f:
            hid, ctl, path = line.rstrip("\n").split(":", 2)
            if hid == "0" and ctl == "":
                v2 = path
            elif "memory" in ctl.split(","):
                v1 = path
    mounts = {}
    with open("/proc/self/mountinfo") as f:
        for line in f:
            pre, post = line.split(" - ")
            fstype, _, opts = post.split()[:3]
            point = pre.split()[4]
            if fstype == "cgroup2":
                mounts.setdefault(2, point)  # the first: later ones may be binds (a chroot)
            elif fstype == "cgroup" and "memory" in opts.split(","):
                mounts.setdefault(1, point)
    if v1 is not None and 1 in mounts:
        return 1, mounts[1] + v1
    if v2 is not None and 2 in mounts:
        d = mounts[2] + v2
        try:
            with open(os.path.join(d, "cgroup.controllers")) as f:
                if "memory" in f.read().split():
                    return 2, d
        except OSError:
            pass
    seen = ", ".join(f"cgroup v{v} at {m}" for v, m in sorted(mounts.items())) or "none"
    return 0, ("missing: a memory cgroup this process can create children in (mounted: "
               f"{seen}; v2 needs 'memory' in cgroup.controllers). Provide one: mount the v1 "
               "controller (mkdir -p /sys/fs/cgroup/memory && mount -t cgroup -o memory "
               "memory /sys/fs/cgroup/memory), or a cgroup2 with the memory controller "
               "enabled (echo +memory > /sys/fs/cgroup/cgroup.subtree_control); in a chroot "
               "or container, bind the host's /sys/fs/cgroup into it")


class Cgroup:
    def __init__(self, version, parent, name, limit):
        self.version = version
        self.dir = os.path.join(parent, name)
        os.mkdir(self.dir)
        limit_file = "memory.max" if version == 2 else "memory.limit_in_bytes"
        with open(os.path.join(self.dir, limit_file), "w") as f:
            f.write(str(limit))

    def argv(self, argv):
        """Runs argv inside the cgroup from its first instruction."""
        procs = os.path.join(self.dir, "cgroup.procs")
        return ["sh", "-c", f'echo $$ > "{procs}" && exec "$0" "$@"', *argv]

    def remove(self):
        try:
            os.rmdir(self.dir)
        except OSError:
            pass


def main():
    binary, target = sys.argv[1], sys.argv[2]
    t = Tap()
    version, parent = memory_cgroup()
    if not t.ok(version in (1, 2), "a memory cgroup to create children in", parent):
        t.done()
    limit = 300 * MiB
    cg = Cgroup(version, parent, f"correlate-test-{os.getpid()}", limit)
    try:
        # 256 MiB of heap under a 300 MiB limit, GOMEMLIMIT unset: near it.
        with Target(cg.argv([target, "-heap", "256MiB"])) as tg:
            r = correlate(binary, "--pid", str(tg.pid), "--url", tg.url, "--json")
            if t.ok(r.rc == 0 and r.json, "near the limit: exit 0 with JSON", r):
                c = r.json["process"]["cgroup"]
                t.ok(c["version"] == version and c["limit_bytes"] == limit and
                     c["path"].endswith(os.path.basename(cg.dir)),
                     f"process.cgroup is the cgroup v{version} the process runs in", c)
                t.ok(256 * MiB <= c["usage_bytes"] <= limit, "its usage holds the 256 MiB heap", c)
                f = r.finding("near_limit")
                t.ok(f is not None and f["severity"] in ("warning", "critical") and
                     f["bytes"] == limit - c["usage_bytes"],
                     "near_limit warns, with the headroom as bytes", f)
                t.ok(f is not None and "heap goal is above the limit" in f["evidence"],
                     "near_limit says the heap goal is beyond the limit", f)
        # Room to spare, but GOMEMLIMIT set above the cgroup's limit.
        env = dict(os.environ, GOMEMLIMIT="400MiB", GOGC="200",
                   GODEBUG="madvdontneed=1,disablethp=1")
        with Target(cg.argv([target, "-heap", "32MiB"]), env=env) as tg:
            r = correlate(binary, "--pid", str(tg.pid), "--url", tg.url, "--json")
            if t.ok(r.rc == 0 and r.json, "GOMEMLIMIT above the limit: exit 0 with JSON", r):
                e = r.json["process"]["env"]
                t.ok(e["read"] is True and e["GOMEMLIMIT"] == "400MiB" and
                     e["gomemlimit_bytes"] == 400 * MiB and e["GOGC"] == "200" and
                     e["GODEBUG"] == "madvdontneed=1,disablethp=1",
                     "process.env has GOGC, GOMEMLIMIT and GODEBUG from environ", e)
                f = r.finding("near_limit")
                t.ok(f is not None and f["severity"] == "warning" and
                     "GOMEMLIMIT is at or above the cgroup limit" in f["evidence"],
                     "near_limit warns that GOMEMLIMIT is above the limit", f)
        # Outside any limit: no near_limit warning.
        with Target([target, "-heap", "32MiB"]) as tg:
            r = correlate(binary, "--pid", str(tg.pid), "--url", tg.url, "--json")
            f = r.finding("near_limit")
            t.ok(r.rc == 0 and (f is None or f["severity"] == "info"),
                 "without a limit, no near_limit warning", f)
    finally:
        cg.remove()
    t.done()


if __name__ == "__main__":
    main()
