#!/usr/bin/env python3
"""Every way a run can fail gets one clear error, a hint, the documented
exit code, and no report on stdout.

Every hostile answer also ends in bounded time and bounded memory: the
run's peak RSS (wait4) stays under MAX_RSS whatever the body.

usage: test_errors.py CORRELATE GO_TARGET SOURCE_ROOT"""

import os
import shutil
import subprocess
import sys
import tempfile
import time

from harness import RSS_CHECKED, WRAPPED, Tap, Target, correlate, free_port, rss_self_check

HERE = os.path.dirname(os.path.abspath(__file__))


MAX_RSS = 24 << 20
# Set by main(): whether the peak-RSS measure passed its self-check, and what
# it said when it did not.
RSS_MEASURE = (True, "")


def expect(t, r, code, name, needle=None, max_seconds=None):
    lines = r.err.strip().splitlines()
    # One line saying what failed, one saying what to try.
    ok = (r.rc == code and r.out == "" and len(lines) == 2 and
          lines[0].startswith("correlate: ") and not lines[0].startswith("correlate: try:") and
          lines[1].startswith("correlate: try: ") and
          (needle is None or needle.lower() in r.err.lower()) and
          (max_seconds is None or r.seconds <= max_seconds * (20 if WRAPPED else 1)) and
          (not RSS_CHECKED or (RSS_MEASURE[0] and r.maxrss is not None and
                               r.maxrss <= MAX_RSS)))
    rss = "not measured" if r.maxrss is None else f"{r.maxrss >> 10} KiB"
    if RSS_CHECKED and not RSS_MEASURE[0]:
        rss += f" ({RSS_MEASURE[1]})"
    return t.ok(ok, f"{name}: exit {code}" + (f", says \"{needle}\"" if needle else ""),
                f"{r}\npeak RSS {rss}, {r.seconds:.1f} s")


def check_rss_measure(t):
    """The peak-RSS bound means something only if the measure is the
    child's own: /bin/true must read under 4 MiB.  And the self-check must
    catch the wrong measure: pointed back at a child forked from Python, it
    fails with its message."""
    global RSS_MEASURE
    RSS_MEASURE = rss_self_check()
    t.ok(RSS_MEASURE[0], "peak RSS is the child's own: /bin/true reads under 4 MiB",
         RSS_MEASURE[1])
    p = subprocess.run(
        [sys.executable, "-c",
         "import harness; ok, msg = harness.rss_self_check(); print(ok); print(msg)"],
        cwd=HERE, env=dict(os.environ, CORRELATE_PEAKRSS_VIA="python"),
        capture_output=True, text=True, timeout=60)
    lines = p.stdout.splitlines()
    t.ok(p.returncode == 0 and lines[:1] == ["False"] and "not the child's own" in p.stdout,
         "the self-check fails, with its message, on a child forked from Python",
         p.stdout + p.stderr)


def make_cert(work):
    """A self-signed certificate for 127.0.0.1, made with openssl now."""
    cert, key = os.path.join(work, "cert.pem"), os.path.join(work, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-keyout", key, "-out", cert],
                   check=True, capture_output=True)
    return cert, key



def main():
    binary, gotarget, root = sys.argv[1], sys.argv[2], sys.argv[3]
    t = Tap()
    check_rss_measure(t)
    work = tempfile.mkdtemp(prefix="correlate-errors-")
    cert, key = make_cert(work)
    bodies = os.path.join(root, "fixtures", "healthy", "go1.21-pure")

    # Usage errors: exit 2.
    expect(t, correlate(binary), 2, "no arguments", "--pid is required")
    # Without --url the endpoint is found (issue 11): what cannot go with that.
    expect(t, correlate(binary, "--pid", "1", "--proxied"), 2, "--proxied without --url",
           "--proxied needs --url")
    expect(t, correlate(binary, "--pid", "1", "--url", "x:1", "--path", "/m"), 2,
           "--path with --url", "--path is for finding the endpoint")
    expect(t, correlate(binary, "--pid", "1", "--url", "x:1", "--no-endpoint"), 2,
           "--no-endpoint with --url", "--no-endpoint fetches nothing")
    expect(t, correlate(binary, "--pid", "abc", "--url", "x:1"), 2, "bad pid", "not a process id")
    expect(t, correlate(binary, "--pid", "1", "--url", "x:1", "--format", "xml"), 2,
           "bad format", "not one of")
    expect(t, correlate(binary, "--pid", "1", "--url", "x:1", "--timeout", "-3"), 2,
           "bad timeout", "--timeout")
    expect(t, correlate(binary, "--bogus"), 2, "unknown option", "unknown option")
    expect(t, correlate(binary, "--fixture", "/nonexistent"), 2, "a pair that is not there",
           "not a folder")
    # libcurl speaks ftp, file, dict...: an endpoint is http or https.
    for url in ("ftp://127.0.0.1:9/", "file:///etc/passwd", "dict://127.0.0.1:9/"):
        r = correlate(binary, "--pid", "1", "--url", url)
        expect(t, r, 2, f"--url {url}", "is not http or https")
        t.ok("libcurl" not in r.err and "/metrics" not in r.err,
             f"--url {url}: no libcurl message, no probe path appended", r)
    r = correlate(binary, "--help")
    t.ok(r.rc == 0 and "Exit codes:" in r.out and "--timeout" in r.out, "--help", r)

    with Target([sys.executable, os.path.join(HERE, "hostile_server.py"), "--bodies", bodies,
                 "--tls", cert, key]) as bad, \
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
        # A zombie: a child that exited and was not waited for.
        zpid = os.fork()
        if zpid == 0:
            os._exit(0)
        time.sleep(0.2)
        try:
            expect(t, correlate(binary, "--pid", str(zpid), "--url", go.url), 3, "a zombie",
                   "zombie")
        finally:
            os.waitpid(zpid, 0)
        # A process that exits: its pid names nothing now.
        gone = subprocess.Popen(["true"])
        gone.wait()
        expect(t, correlate(binary, "--pid", str(gone.pid), "--url", go.url), 3,
               "a process that is gone", "no process with pid")
        # Same pid, another program by the time /proc is read (an exec after
        # MemStats were taken): no report mixes the two.
        with Target([gotarget, "-exec-after-vars", "/bin/sleep"]) as ex:
            expect(t, correlate(binary, "--pid", str(ex.pid), "--url", ex.url + "/exec/vars"), 3,
                   "the program changes (exec) while it is read", "changed program")

        # Another user's process, read without privilege (as nobody).
        r = subprocess.run([binary, "--pid", pid, "--url", go.url], capture_output=True,
                           text=True, user=65534, group=65534, extra_groups=[])
        t.ok(r.returncode == 3 and r.stdout == "" and "Permission denied" in r.stderr and
             "belongs to uid 0" in r.stderr and "CAP_SYS_PTRACE" in r.stderr,
             "another user's process without privilege: exit 3, says whose and what to try",
             f"rc={r.returncode} stderr={r.stderr}")

        # Root without CAP_SYS_PTRACE (a container, a hardened host) reading
        # another user's process: sudo would change nothing, so the advice
        # names the missing capability.  setpriv drops it from the bounding
        # set, so the exec'd correlate lacks it.
        if os.geteuid() == 0:
            with Target(["setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups",
                         gotarget, "-heap", "1MiB"]) as other:
                r = correlate("setpriv", "--bounding-set", "-sys_ptrace", "--inh-caps",
                              "-sys_ptrace", "--", binary, "--pid", str(other.pid),
                              "--url", other.url)
                expect(t, r, 3, "root without CAP_SYS_PTRACE: another user's process",
                       "without CAP_SYS_PTRACE")
                t.ok("sudo" not in r.err and "--cap-add SYS_PTRACE" in r.err,
                     "root without CAP_SYS_PTRACE: the advice is the capability, not sudo", r)
        else:
            t.ok(False, "root without CAP_SYS_PTRACE: needs root to set up (run the tests as root)")

        # The endpoint side: exit 4, with the Go process as a valid pid.
        # The hostile server is not the Go process: --proxied lets the run
        # past the owner check, as for a real proxy.
        def ep(path, name, needle, *extra, max_seconds=None):
            return expect(t, correlate(binary, "--pid", pid, "--url", base + path, "--proxied",
                                       *extra), 4, name, needle, max_seconds)

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
        ep("/redirect", "redirect to another host is not followed", "another host: not followed")
        ep("/loop", "a redirect loop", "more than 5 redirects")
        ep("/gzip-bomb", "a compression bomb (gzip, 1 GiB inside) is not inflated", "gzip data",
           max_seconds=10)
        ep("/negative", "a negative number", "not a non-negative 64-bit integer")
        ep("/beyond-u64", "a number of 2^64", "not a non-negative 64-bit integer")
        ep("/json-broken", "broken JSON", "not valid JSON")
        ep("/json-types", "a JSON string where a number goes", "memstats.Sys is not a number")
        ep("/json-deep", "JSON nested 100,000 deep", "nested too deeply")
        ep("/json-conflict", "expvar with Sys twice, different values", "given twice")
        ep("/big?mb=300", "300 MB without MemStats, default limit", "larger than 134217728 bytes",
           max_seconds=20)
        # Same-host redirects are followed (Go's ServeMux answers /debug/pprof
        # with one), up to 5.
        r = correlate(binary, "--pid", pid, "--url", base + "/hop/3", "--proxied", "--json")
        t.ok(r.rc == 0 and r.json and r.json["url"].endswith("/body/vars.json") and
             r.json["endpoint_format"] == "expvar", "same-host redirects are followed", r)
        # TLS: a certificate that does not verify is refused, unless --insecure.
        tls = bad.tls_url
        expect(t, correlate(binary, "--pid", pid, "--url", tls + "/body/vars.json", "--proxied"),
               4, "TLS with a certificate that does not verify", "certificate")
        r = correlate(binary, "--pid", pid, "--url", tls + "/body/vars.json", "--proxied",
                      "--insecure", "--json")
        t.ok(r.rc == 0 and r.json and r.json["url"].startswith("https://"),
             "--insecure accepts it", r)
        # Secrets in the URL and headers appear nowhere.
        secret_url = base.replace("http://", "http://alice:hunter2@") + "/status/401?token=s3cret"
        r = correlate(binary, "--pid", pid, "--url", secret_url, "--proxied",
                      "--header", "Authorization: Bearer topsecret")
        t.ok(r.rc == 4 and "hunter2" not in r.err + r.out and "s3cret" not in r.err + r.out and
             "topsecret" not in r.err + r.out and "token=REDACTED" in r.err,
             "credentials in the URL and header values appear in no output", r)
        ep("/big?mb=200", "200 MB body over the limit", "larger than", "--max-body", "64MiB",
           max_seconds=30)
        ep("/slow", "slow endpoint, --timeout 1", "within 1.0 s", "--timeout", "1",
           max_seconds=4)
        ep("/slow", "slow endpoint, default timeout", "within 5.0 s", max_seconds=9)
        r = correlate(binary, "--pid", pid, "--url", base.split("://")[1], "--proxied")
        expect(t, r, 4, "host:port with no Go endpoint", "no Go memory endpoint")
        t.ok("/metrics" in r.err and "/debug/vars" in r.err and "/debug/pprof/heap" in r.err,
             "host:port error lists what was tried", r.err)
        port = free_port()
        expect(t, correlate(binary, "--pid", pid, "--url", f"127.0.0.1:{port}"), 4,
               "connection refused", "cannot connect")
        r = correlate(binary, "--pid", pid, "--url", base + "/status/404", "--proxied")
        t.ok(len(r.err.strip().splitlines()) == 2 and "try:" in r.err.splitlines()[1],
             "an error is one line of what failed and one of what to try", r.err)

        # The right process: a URL on this host served by another process.
        r = correlate(binary, "--pid", pid, "--url", base + "/status/404")
        expect(t, r, 5, "an endpoint served by another process: exit 5",
               f"served by pid {bad.pid} (python3), not by pid {pid}")
        t.ok("--proxied" in r.err, "exit 5 says a proxy needs --proxied", r.err)
    shutil.rmtree(work, ignore_errors=True)
    t.done()


if __name__ == "__main__":
    main()
