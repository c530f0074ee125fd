#!/usr/bin/env python3
"""The process's context, live: a Go program in memory cgroups this test
makes itself (cgroup v2 where its memory controller is available, else v1),
with Go settings in its environment.  Each case is one way the container's
memory differs from the process's (docs/model.md, "The container's view"):

- the target's own memory near the limit: near_limit;
- page cache read into the cgroup under a tight limit: page_cache, and no
  critical near_limit, for the kernel would reclaim it;
- a second process in the same cgroup: listed with its RSS, named by
  other_processes;
- a limit set on the parent only: found, limit_path naming the parent, with
  a sibling cgroup's memory under it;
- GOMEMLIMIT set above the limit, and no limit at all.

kubelet's working set is checked against the cgroup's own files read just
before and just after each run.

usage: test_cgroup.py CORRELATE GO_TARGET"""

import json
import os
import shutil
import subprocess
import sys
import tempfile

from harness import WRAPPER, MiB, Tap, Target, correlate, validate_schema


def memory_cgroup():
    """(version, directory of our memory cgroup, its path) or (0, why, None)."""
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
        return 1, mounts[1] + v1, v1
    if v2 is not None and 2 in mounts:
        d = mounts[2] + v2
        try:
            with open(os.path.join(d, "cgroup.controllers")) as f:
                if "memory" in f.read().split():
                    return 2, d, v2
        except OSError:
            pass
    seen = ", ".join(f"cgroup v{v} at {m}" for v, m in sorted(mounts.items())) or "none"
    return 0, ("missing: a memory cgroup this process can create children in (mounted: "
               f"{seen}; v2 needs 'memory' in cgroup.controllers). Provide one: mount the v1 "
               "controller (mkdir -p /sys/fs/cgroup/memory && mount -t cgroup -o memory "
               "memory /sys/fs/cgroup/memory), or a cgroup2 with the memory controller "
               "enabled (echo +memory > /sys/fs/cgroup/cgroup.subtree_control); in a chroot "
               "or container, bind the host's /sys/fs/cgroup into it"), None


class Cgroup:
    """A memory cgroup made for one case; removed (with its children) at the end."""

    def __init__(self, version, parent_dir, parent_path, name, limit=None):
        self.version = version
        self.dir = os.path.join(parent_dir, name)
        self.path = parent_path.rstrip("/") + "/" + name
        os.mkdir(self.dir)
        self.children = []
        if version == 2:
            # children get the memory controller too
            try:
                self.write("cgroup.subtree_control", "+memory")
            except OSError:
                pass
        if limit is not None:
            self.write("memory.max" if version == 2 else "memory.limit_in_bytes", str(limit))

    def child(self, name, limit=None):
        c = Cgroup(self.version, self.dir, self.path, name, limit)
        self.children.append(c)
        return c

    def write(self, name, value):
        with open(os.path.join(self.dir, name), "w") as f:
            f.write(value)

    def read(self, name):
        with open(os.path.join(self.dir, name)) as f:
            return f.read()

    def stat(self, key):
        """A memory.stat value: v2's key, or v1's hierarchical total_ one."""
        want = key if self.version == 2 else "total_" + key
        for line in self.read("memory.stat").splitlines():
            k, v = line.split()
            if k == want:
                return int(v)
        return None

    def usage(self):
        return int(self.read("memory.current" if self.version == 2 else "memory.usage_in_bytes"))

    def working_set(self):
        """kubelet's: usage - inactive_file, floored at 0 (cAdvisor)."""
        return max(self.usage() - self.stat("inactive_file"), 0)

    def argv(self, argv):
        """Runs argv inside the cgroup from its first instruction."""
        procs = os.path.join(self.dir, "cgroup.procs")
        return ["sh", "-c", f'echo $$ > "{procs}" && exec "$0" "$@"', *argv]

    def remove(self):
        for c in self.children:
            c.remove()
        try:
            os.rmdir(self.dir)
        except OSError:
            pass


def run_checked(t, binary, cg, tg, label, *extra):
    """correlate --json on tg, with the cgroup's working set read just
    before and just after.  Returns the JSON's process.cgroup, the result
    and the two readings, or None."""
    before = cg.working_set()
    r = correlate(binary, "--pid", str(tg.pid), "--url", tg.url, "--json", *extra)
    after = cg.working_set()
    if not t.ok(r.rc == 0 and r.json, f"{label}: exit 0 with JSON", r):
        return None, r
    c = r.json["process"]["cgroup"]
    ws = c["working_set_bytes"]
    lo, hi = min(before, after), max(before, after)
    t.ok(ws is not None and lo * 0.95 <= ws <= hi * 1.05,
         f"{label}: working_set_bytes {ws} is usage - inactive_file read before ({before}) "
         f"and after ({after}), within 5%", c)
    print(f"# {label}: working set {ws} (before {before}, after {after}); usage "
          f"{c['usage_bytes']}, inactive_file {c['inactive_file_bytes']}, active_file "
          f"{c['active_file_bytes']}, limit {c['limit_bytes']} at {c['limit_path']} (its usage "
          f"{c['limit_usage_bytes']}, cannot be reclaimed {c['unreclaimable_bytes']})",
          flush=True)
    return c, r


def sev(r, fid):
    f = r.finding(fid)
    return f["severity"] if f else None


def main():
    binary, target = sys.argv[1], sys.argv[2]
    t = Tap()
    version, parent, our_path = memory_cgroup()
    if not t.ok(version in (1, 2), "a memory cgroup to create children in", parent):
        t.done()
    limit = 300 * MiB
    base = f"correlate-test-{os.getpid()}"
    made = []
    work = tempfile.mkdtemp(prefix="correlate-cgroup-", dir="/var/tmp")

    def cgroup(name, limit=None):
        c = Cgroup(version, parent, our_path, f"{base}-{name}", limit)
        made.append(c)
        return c

    try:
        # 1. The target's own memory near the limit: 256 MiB of heap under
        #    300 MiB, GOMEMLIMIT unset.
        cg = cgroup("near", limit)
        with Target(cg.argv([target, "-heap", "256MiB"])) as tg:
            c, r = run_checked(t, binary, cg, tg, "own memory near the limit")
            if c:
                t.ok(c["version"] == version and c["limit_bytes"] == limit and
                     c["path"] == cg.path and c["limit_path"] == cg.path,
                     f"process.cgroup is the cgroup v{version} the process runs in, and sets "
                     "the limit", c)
                t.ok(256 * MiB <= c["usage_bytes"] <= limit, "its usage holds the 256 MiB heap", c)
                f = r.finding("near_limit")
                t.ok(f is not None and f["severity"] in ("warning", "critical") and
                     f["bytes"] == c["headroom_bytes"] ==
                     limit - c["unreclaimable_bytes"],
                     "near_limit warns, with the headroom (limit - what cannot be reclaimed) "
                     "as bytes", f)
                t.ok(f is not None and "heap goal is above the limit" in f["evidence"] and
                     "GOMEMLIMIT=" in f["advice"],
                     "near_limit says the heap goal is beyond the limit, and advises a "
                     "GOMEMLIMIT", f)

        # 2. Page cache: 300 MiB read (twice: onto the active list) into a
        #    cgroup limited to 320 MiB.  Usage is near the limit, but the
        #    kernel would reclaim nearly all of it.
        data = os.path.join(work, "cache-300MiB")
        with open(data, "wb") as f:
            chunk = os.urandom(1 << 20)
            for _ in range(300):
                f.write(chunk)
            f.flush()
            os.fsync(f.fileno())
        cg = cgroup("cache", 320 * MiB)
        with Target(cg.argv([target, "-heap", "8MiB", "-readfile", data])) as tg:
            c, r = run_checked(t, binary, cg, tg, "page cache under the limit")
            if c:
                t.ok(c["active_file_bytes"] >= 200 * MiB and c["file_bytes"] >= 250 * MiB,
                     "the file's pages are the cgroup's page cache, most of them active", c)
                t.ok(c["usage_bytes"] >= 0.85 * c["limit_bytes"],
                     "usage is near the limit (what the old usage / limit rule called critical)",
                     c)
                f = r.finding("page_cache")
                t.ok(f is not None and f["severity"] == "warning" and
                     f["bytes"] == c["active_file_bytes"] and "kubectl top" in f["summary"],
                     "page_cache warns: the working set kubectl top shows is mostly page cache",
                     f)
                t.ok(c["reclaimable_bytes"] >= 250 * MiB and
                     c["unreclaimable_bytes"] <= 64 * MiB,
                     "what cannot be reclaimed is the target's own memory, not the cache", c)
                n = r.finding("near_limit")
                t.ok(n is not None and n["severity"] != "critical" and
                     n["severity"] == "info",
                     "no critical near_limit: the kernel reclaims page cache before an OOM kill",
                     n)
                t.ok(c["unmapped_cache_bytes"] >= 250 * MiB,
                     "the page cache is not the process's mappings (read, not mmap'd)", c)
        os.unlink(data)

        # 3. A second process in the same cgroup, holding 100 MiB.
        cg = cgroup("sidecar", 400 * MiB)
        with Target(cg.argv([target, "-heap", "100MiB"])) as side, \
                Target(cg.argv([target, "-heap", "16MiB"])) as tg:
            saved = os.path.join(work, "sidecar-pair")
            c, r = run_checked(t, binary, cg, tg, "a second process in the cgroup",
                               "--save", saved)
            if c:
                procs = {p["pid"]: p for p in c["processes"]}
                p = procs.get(side.pid)
                t.ok(c["processes_count"] == 2 and p is not None and not p["self"] and
                     p["rss_bytes"] >= 100 * MiB and procs.get(tg.pid, {}).get("self"),
                     "the second process is listed with its RSS, the target as itself", c)
                f = r.finding("other_processes")
                t.ok(f is not None and f"pid {side.pid} " in f["summary"] and
                     f["bytes"] >= 100 * MiB and f["severity"] == "warning",
                     "other_processes names it and counts its memory", f)
                t.ok(c["others_anon_bytes"] >= 90 * MiB,
                     "the cgroup's anon beyond the target's RssAnon is the other process's", c)
                rr = correlate(binary, "--fixture", saved, "--json")
                t.ok(rr.rc == 0 and rr.json and rr.json["process"]["cgroup"] == c and
                     rr.json["findings"] == r.json["findings"],
                     "--save records every cgroup file read (cgroup.txt) and --fixture "
                     "replays it to the same process.cgroup and findings",
                     rr if rr.rc else json.dumps(rr.json["process"]["cgroup"])[:1500])
                with open(os.path.join(saved, "cgroup.txt")) as fh:
                    rec = fh.read()
                t.ok(f"==> /proc/{side.pid}/status <==" in rec and
                     f"==> {cg.dir}/memory.stat <==" in rec and
                     f"==> {cg.dir}/cgroup.procs <==" in rec,
                     "cgroup.txt holds the cgroup's files and the other process's status")

        # 4. The limit on the parent only, with a sibling cgroup under it.
        par = cgroup("parent", 500 * MiB)
        leaf = par.child("leaf")
        sib = par.child("sibling")
        with Target(sib.argv([target, "-heap", "64MiB"])), \
                Target(leaf.argv([target, "-heap", "16MiB"])) as tg:
            c, r = run_checked(t, binary, leaf, tg, "a limit on the parent only")
            if c:
                t.ok(c["path"] == leaf.path and c["hierarchy"][0]["max_bytes"] is None and
                     c["hierarchy"][1]["path"] == par.path and
                     c["hierarchy"][1]["max_bytes"] == 500 * MiB,
                     "the leaf has no limit of its own; its parent has", c["hierarchy"][:2])
                t.ok(c["limit_bytes"] == 500 * MiB and c["limit_path"] == par.path,
                     "the parent's limit is found, limit_path naming the parent", c)
                t.ok(c["outside_bytes"] >= 60 * MiB and
                     c["limit_usage_bytes"] >= c["usage_bytes"] + 60 * MiB,
                     "the sibling's memory under the parent's limit is counted", c)
                f = r.finding("other_processes")
                t.ok(f is not None and "in other cgroups under " + par.path in f["summary"],
                     "other_processes names the memory in other cgroups under the limit", f)
                n = r.finding("near_limit")
                t.ok(n is not None and par.path in n["evidence"] and "a parent" in n["evidence"],
                     "near_limit says the limit is the parent's", n)

        # 5. Room to spare, but GOMEMLIMIT set above the cgroup's limit.
        cg = cgroup("gomemlimit", limit)
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

        # 7. correlate in a cgroup namespace of its own, as in a pod on a
        #    cgroup v2 node (unshare --cgroup, rooted at a sibling's cgroup):
        #    the target's /proc/PID/cgroup reads "/../...", and correlate
        #    enters init's namespace (CAP_SYS_ADMIN) to read it from the root.
        #    Without CAP_SYS_ADMIN it says why it has no cgroup.
        pod = cgroup("pod-correlate")
        cg = cgroup("pod-target", limit)
        with Target(cg.argv([target, "-heap", "32MiB"])) as tg:
            for label, drop in (("in a cgroup namespace of its own", []),
                                ("... without CAP_SYS_ADMIN",
                                 ["setpriv", "--inh-caps=-sys_admin",
                                  "--bounding-set=-sys_admin"])):
                argv = ["sh", "-c", f'echo $$ > "{pod.dir}/cgroup.procs" && exec "$@"', "sh",
                        "unshare", "--cgroup", *drop, *WRAPPER, binary, "--pid", str(tg.pid),
                        "--url", tg.url, "--json"]
                cp = subprocess.run(argv, capture_output=True, text=True, timeout=120)
                doc = json.loads(cp.stdout) if cp.returncode == 0 else None
                errs = validate_schema(doc) if doc else ["no document"]
                c = (doc or {}).get("process", {}).get("cgroup") or {}
                if not drop:
                    t.ok(cp.returncode == 0 and not errs and c.get("path") == cg.path and
                         c.get("limit_bytes") == limit and c.get("limit_path") == cg.path and
                         c.get("working_set_bytes"),
                         f"{label}: the target's cgroup is found from the hierarchy's root, "
                         "with its limit and working set",
                         (cp.returncode, cp.stderr[-500:], errs[:3],
                          {k: c.get(k) for k in ("path", "limit_bytes", "not_read_because")}))
                else:
                    t.ok(cp.returncode == 0 and not errs and c.get("version") is None and
                         "outside correlate's cgroup namespace" in
                         (c.get("not_read_because") or "") and
                         c.get("path", "").startswith("/.."),
                         f"{label}: no cgroup, and the report says why",
                         (cp.returncode, cp.stderr[-500:],
                          {k: c.get(k) for k in ("path", "not_read_because")}))

        # 6. Outside any limit: no near_limit warning.
        with Target([target, "-heap", "32MiB"]) as tg:
            r = correlate(binary, "--pid", str(tg.pid), "--url", tg.url, "--json")
            f = r.finding("near_limit")
            t.ok(r.rc == 0 and (f is None or f["severity"] == "info"),
                 "without a limit, no near_limit warning", f)
    finally:
        for c in made:
            c.remove()
        shutil.rmtree(work, ignore_errors=True)
    t.done()


if __name__ == "__main__":
    main()
