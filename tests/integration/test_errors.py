#!/usr/bin/env python3
"""Every way a run can fail gets one clear error, a hint, the documented
exit code, and no report on stdout.

usage: test_errors.py CORRELATE GO_TARGET"""

import os
import socket
import subprocess
import sys
import time

from harness import Tap, Target, correlate

HERE = os.path.dirname(os.path.abspath(__file__))


def expect(t, r, code, name, needle=None, max_seconds=None):
    lines = r.err.strip().splitlines()
    ok = (r.rc == code and r.out == "" and len(lines) >= 1 and
          lines[0].startswith("correlate: ") and
          (needle is None or needle.lower() in r.err.lower()) and
          (max_seconds is None or r.seconds <= max_seconds))
    return t.ok(ok, f"{name}: exit {code}" + (f", says \"{needle}\"" if needle else ""), r)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def main():
    binary, gotarget = sys.argv[1], sys.argv[2]
    t = Tap()

    # Usage errors: exit 2.
    expect(t, correlate(binary), 2, "no arguments", "--pid and --url are required")
    expect(t, correlate(binary, "--pid", "1"), 2, "no --url", "--url is required")
    expect(t, correlate(binary, "--pid", "abc", "--url", "x:1"), 2, "bad pid", "not a process id")
    expect(t, correlate(binary, "--pid", "1", "--url", "x:1", "--format", "xml"), 2,
           "bad format", "not one of")
    expect(t, correlate(binary, "--pid", "1", "--url", "x:1", "--timeout", "-3"), 2,
           "bad timeout", "--timeout")
    expect(t, correlate(binary, "--bogus"), 2, "unknown option", "unknown option")
    r = correlate(binary, "--help")
    t.ok(r.rc == 0 and "Exit codes:" in r.out and "--timeout" in r.out, "--help", r)

    with Target([sys.executable, os.path.join(HERE, "hostile_server.py")]) as bad, \
            Target([gotarget, "-heap", "8MiB"]) as go:
        pid = str(go.pid)
        base = bad.url

        # The process side: exit 3.
        with open("/proc/sys/kernel/pid_max") as f:
            pid_max = int(f.read())
        expect(t, correlate(binary, "--pid", str(pid_max + 1), "--url", go.url), 3,
               "no such pid", "no process with pid")
        sleeper = subprocess.Popen(["sleep", "60"])
        try:
            expect(t, correlate(binary, "--pid", str(sleeper.pid), "--url", go.url), 3,
                   "a pid that is not Go", "not a Go program")
        finally:
            sleeper.kill()
            sleeper.wait()
        expect(t, correlate(binary, "--pid", "2", "--url", go.url), 3,
               "a kernel thread (kthreadd)", "kernel thread")

        # Another user's process, read without privilege (as nobody).
        r = subprocess.run([binary, "--pid", pid, "--url", go.url], capture_output=True,
                           text=True, user=65534, group=65534, extra_groups=[])
        t.ok(r.returncode == 3 and r.stdout == "" and "Permission denied" in r.stderr and
             "belongs to uid 0" in r.stderr and "CAP_SYS_PTRACE" in r.stderr,
             "another user's process without privilege: exit 3, says whose and what to try",
             f"rc={r.returncode} stderr={r.stderr}")

        # The endpoint side: exit 4, with the Go process as a valid pid.
        def ep(path, name, needle, *extra, max_seconds=None):
            return expect(t, correlate(binary, "--pid", pid, "--url", base + path, *extra),
                          4, name, needle, max_seconds)

        ep("/status/404", "404", "HTTP 404")
        ep("/status/500", "500", "HTTP 500")
        ep("/status/401", "401", "Authorization")
        ep("/status/403", "403", "HTTP 403")
        ep("/html", "HTML page with status 200", "HTML")
        ep("/garbage", "garbage", "not pprof text, expvar JSON or Prometheus")
        ep("/empty", "empty body", "empty")
        ep("/truncated", "MemStats cut short", "missing MemStats fields")
        ep("/conflict", "conflicting duplicate field", "given twice")
        ep("/nan", "NaN in Prometheus", "NaN")
        ep("/redirect", "redirect elsewhere is not followed", "redirected to")
        ep("/big?mb=200", "200 MB body over the limit", "larger than", "--max-body", "64MiB",
           max_seconds=30)
        ep("/slow", "slow endpoint, --timeout 1", "within 1.0 s", "--timeout", "1",
           max_seconds=4)
        ep("/slow", "slow endpoint, default timeout", "within 5.0 s", max_seconds=9)
        r = correlate(binary, "--pid", pid, "--url", base.split("://")[1])
        expect(t, r, 4, "host:port with no Go endpoint", "no Go memory endpoint")
        t.ok("/metrics" in r.err and "/debug/vars" in r.err and "/debug/pprof/heap" in r.err,
             "host:port error lists what was tried", r.err)
        port = free_port()
        expect(t, correlate(binary, "--pid", pid, "--url", f"127.0.0.1:{port}"), 4,
               "connection refused", "cannot connect")
        r = correlate(binary, "--pid", pid, "--url", base + "/status/404")
        t.ok(len(r.err.strip().splitlines()) == 2 and "try:" in r.err.splitlines()[1],
             "an error is one line of what failed and one of what to try", r.err)
    t.done()


if __name__ == "__main__":
    main()
