"""Shared pieces of the integration tests: TAP output, starting the Go test
targets and the hostile HTTP server, running the built correlate.

Every test here runs real programs: the correlate binary, Go programs built
by Debian's toolchains, servers on 127.0.0.1."""

import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

from schema import validate as validate_schema

MiB = 1 << 20

# CORRELATE_WRAPPER (e.g. "valgrind --error-exitcode=99 ..."), when set, runs
# every correlate under it: scripts/test's valgrind pass.  Timing and peak
# RSS are then the wrapper's, so the checks of them are relaxed (WRAPPED).
WRAPPER = shlex.split(os.environ.get("CORRELATE_WRAPPER", ""))
WRAPPED = bool(WRAPPER)
# Peak RSS means something only for the plain build: not under a wrapper,
# nor with AddressSanitizer's shadow memory.
RSS_CHECKED = not WRAPPED and "ASAN_OPTIONS" not in os.environ

# The peak RSS of a run is measured by tests/tools/peakrss, a small C
# launcher that forks and execs correlate: a child forked from this Python
# would carry Python's pages in its ru_maxrss until exec (24 MiB for
# /bin/true here, with jsonschema loaded; issue 9).  CORRELATE_PEAKRSS names
# the launcher (tests/integration/meson.build sets it).
# CORRELATE_PEAKRSS_VIA=python measures the old, wrong way, wait4 of a child
# forked from Python: only to show that rss_self_check() catches it.
PEAKRSS = os.environ.get("CORRELATE_PEAKRSS", "")
PEAKRSS_VIA_PYTHON = os.environ.get("CORRELATE_PEAKRSS_VIA") == "python"
# /bin/true measured the same way must read under this, or the measure is
# not the child's own and every memory assertion fails.
SELF_CHECK_MAX = 4 << 20


class Tap:
    """Prints TAP; each check is one numbered line."""

    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, name, detail=""):
        self.n += 1
        if cond:
            print(f"ok {self.n} - {name}", flush=True)
        else:
            self.failed += 1
            print(f"not ok {self.n} - {name}", flush=True)
            for line in str(detail).splitlines() or [""]:
                print(f"#   {line}", flush=True)
        return cond

    def done(self):
        print(f"1..{self.n}", flush=True)
        sys.exit(1 if self.failed else 0)


class Target:
    """A Go program from tests/targets that prints "listening URL" and
    "ready"; stopped by closing its stdin."""

    def __init__(self, argv, env=None, timeout=60):
        self.argv = argv
        self.proc = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env=env, text=True)
        self.url = None
        self.tls_url = None
        deadline = time.time() + timeout
        while time.time() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                err = self.proc.stderr.read()
                raise RuntimeError(f"{argv[0]} exited before ready: {err}")
            m = re.match(r"listening (\S+)", line)
            if m:
                self.url = m.group(1)
            m = re.match(r"tls (\S+)", line)
            if m:
                self.tls_url = m.group(1)
            if line.strip() == "ready":
                break
        else:
            raise RuntimeError(f"{argv[0]} not ready in {timeout}s")
        self.pid = self.proc.pid
        self.hostport = self.url.split("://", 1)[1]

    def stop(self):
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()
                self.proc.wait(timeout=5)
            except Exception:
                self.proc.kill()
                self.proc.wait()

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.stop()


class NsTarget(Target):
    """A Go test target in namespaces of its own: a new network namespace
    (loopback up) and, with mount_tmpfs, a new mount namespace with a tmpfs
    over that folder, so what it makes there is seen by no one else.
    unshare and sh exec, so the pid is the Go program's.  Started its own
    way (it need not print a URL); stopped as a Target is."""

    def __init__(self, argv, net=True, mount_tmpfs=None, timeout=60):
        flags = ["--net"] if net else []
        setup = ["ip link set lo up"] if net else []
        if mount_tmpfs:
            flags += ["--mount", "--propagation", "private"]
            setup.append(f"mount -t tmpfs correlate-test {mount_tmpfs}")
        script = "; ".join(setup + ['exec "$@"'])
        self.proc = subprocess.Popen(["unshare", *flags, "sh", "-c", script, "sh", *argv],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        self.lines = {}
        deadline = time.time() + timeout
        while time.time() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError(f"{argv[0]} exited before ready: {self.proc.stderr.read()}")
            word, _, rest = line.strip().partition(" ")
            if word == "ready":
                break
            self.lines[word] = rest
        self.pid = self.proc.pid

    def port(self, word="listening"):
        return int(self.lines[word].rsplit(":", 1)[1])


def status_kb(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    return None


class Result:
    def __init__(self, cp, seconds):
        self.rc = cp.returncode
        self.out = cp.stdout
        self.err = cp.stderr
        self.seconds = seconds
        self.json = None
        if self.rc == 0 and self.out.lstrip().startswith("{"):
            try:
                self.json = json.loads(self.out)
            except ValueError as e:
                self.json_error = str(e)

    def __repr__(self):
        return f"rc={self.rc}\nstdout={self.out[:2000]}\nstderr={self.err[:2000]}"

    def finding(self, fid):
        for f in (self.json or {}).get("findings", []):
            if f["id"] == fid:
                return f
        return None

    def severities(self):
        return {f["id"]: f["severity"] for f in (self.json or {}).get("findings", [])}

    def warnings(self):
        return [f for f in (self.json or {}).get("findings", [])
                if f["severity"] != "info"]


def run_measured(argv, timeout=60):
    """Runs argv with stdout and stderr captured.  Returns (wait status,
    stdout bytes, stderr bytes, peak RSS in bytes or None when the run was
    killed by the timeout, seconds).  The peak RSS is the program's own, taken by
    tests/tools/peakrss (see PEAKRSS above)."""
    if not PEAKRSS and not PEAKRSS_VIA_PYTHON:
        raise RuntimeError("CORRELATE_PEAKRSS is not set: run the integration tests through "
                           "meson (meson test -C BUILD), which builds tests/tools/peakrss "
                           "and names it")
    fd, rssfile = None, None
    if not PEAKRSS_VIA_PYTHON:
        fd, rssfile = tempfile.mkstemp(prefix="correlate-peakrss-")
        os.close(fd)
        argv = [PEAKRSS, rssfile, *argv]
    t0 = time.time()
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    bufs = {}

    def drain(name, f):
        bufs[name] = f.read()

    readers = [threading.Thread(target=drain, args=(n, f))
               for n, f in (("out", p.stdout), ("err", p.stderr))]
    for th in readers:
        th.start()
    timer = threading.Timer(timeout, p.kill)
    timer.start()
    _, status, usage = os.wait4(p.pid, 0)
    timer.cancel()
    for th in readers:
        th.join()
    seconds = time.time() - t0
    maxrss = None
    if PEAKRSS_VIA_PYTHON:
        maxrss = usage.ru_maxrss * 1024
    else:
        try:
            with open(rssfile) as f:
                kib, status = (int(x) for x in f.read().split())
            maxrss = kib * 1024
        except (OSError, ValueError):
            pass  # the launcher was killed: the timeout's status stands
        os.unlink(rssfile)
    return status, bufs["out"], bufs["err"], maxrss, seconds


def rss_self_check():
    """(ok, message): /bin/true measured as every run is must read under
    SELF_CHECK_MAX, else the measure includes another process's pages."""
    status, _, _, maxrss, _ = run_measured(["/bin/true"])
    ok = status == 0 and maxrss is not None and maxrss < SELF_CHECK_MAX
    how = "a forked Python child (CORRELATE_PEAKRSS_VIA=python)" if PEAKRSS_VIA_PYTHON \
        else PEAKRSS
    return ok, (f"the peak-RSS measure reads /bin/true at "
                f"{(maxrss or 0) >> 10} KiB (limit {SELF_CHECK_MAX >> 10} KiB), measured "
                f"through {how}: it is not the child's own peak, so no memory bound "
                f"here means anything")


def correlate(binary, *args, timeout=60):
    """Runs correlate; every JSON document it prints is checked against
    docs/correlate.schema.json, so no test can pass on a document that
    breaks the contract.  r.maxrss is the run's own peak RSS in bytes."""
    argv = [*WRAPPER, binary, *args]
    status, out, err, maxrss, seconds = run_measured(argv, timeout)
    rc = os.waitstatus_to_exitcode(status)
    cp = subprocess.CompletedProcess(argv, rc, out.decode("utf-8", "replace"),
                                     err.decode("utf-8", "replace"))
    r = Result(cp, seconds)
    r.maxrss = maxrss  # None: killed by the timeout, not measured
    if r.json is not None:
        errors = validate_schema(r.json)
        if errors:
            raise AssertionError(
                f"correlate {' '.join(args)}: the JSON does not match "
                f"docs/correlate.schema.json:\n" + "\n".join(errors[:20]))
    return r


def between(value, a, b, slack=0.0):
    """value lies between a and b (either order), give or take slack (a share)."""
    lo, hi = min(a, b), max(a, b)
    return value is not None and lo * (1 - slack) <= value <= hi * (1 + slack)


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on (now)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def within(value, want, share):
    return value is not None and abs(value - want) <= want * share
