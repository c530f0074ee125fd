"""correlate scan (issue 13), live, and into the real engine: every Go
process of a "host" (a PID namespace with its own /proc this test makes, so
that what the scan finds is exactly what it started), each through the
single report's capture; the table and JSON; Prometheus text written with
--output, checked by promtool, served by Debian's node_exporter through its
textfile collector, scraped by Debian's Prometheus and queried through its
HTTP API; OpenMetrics scraped by the same Prometheus; a process that execs
mid-scan; the time budget; --every.

Usage: test_scan.py CORRELATE PURE_TARGET CGO_TARGET SOURCE_ROOT"""

import http.server
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

from harness import MiB, NsTarget, RSS_CHECKED, Tap, Target, WRAPPED, correlate, free_port
from test_cgroup import Cgroup, memory_cgroup

INNER = "CORRELATE_SCAN_TEST_INNER"
CGO_BYTES = 150 * MiB


def reports_by_pid(doc):
    return {r["pid"]: r for r in doc["reports"]}


def table_pids(text):
    """The PID column of the table (the totals line also starts with a number)."""
    return {int(m.group(1)) for m in re.finditer(r"^(\d+) +(\S+)", text, re.M)
            if m.group(2) != "Go"}


def wait_http(url, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                return r.read().decode()
        except Exception:
            time.sleep(0.2)
    return None


def query(base, expr):
    url = f"{base}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    with urllib.request.urlopen(url, timeout=5) as r:
        d = json.load(r)
    return d["data"]["result"] if d.get("status") == "success" else None


def poll_query(base, expr, want, timeout=40):
    """Queries until want(result) holds or the time is up; the last result."""
    deadline = time.time() + timeout
    res = None
    while time.time() < deadline:
        try:
            res = query(base, expr)
        except Exception as e:
            res = str(e)
        if isinstance(res, list) and want(res):
            return res
        time.sleep(0.5)
    return res


class OpenMetricsServer:
    """Serves one file as OpenMetrics (the content type Prometheus asks for
    and parses as such), on 127.0.0.1."""

    def __init__(self, path):
        class H(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                body = open(path, "rb").read()
                self.send_response(200)
                self.send_header("Content-Type",
                                 "application/openmetrics-text; version=1.0.0; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *a):
                pass

        self.srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.port = self.srv.server_address[1]
        threading.Thread(target=self.srv.serve_forever, daemon=True).start()

    def close(self):
        self.srv.shutdown()


def outer():
    """Runs this test again as the first process of a new PID namespace
    with its own /proc: the scan there sees only what the test starts."""
    if os.geteuid() != 0:
        t = Tap()
        t.ok(False, "the scan test needs root (a PID namespace with its own /proc)")
        t.done()
    env = dict(os.environ, **{INNER: "1"})
    argv = ["unshare", "--pid", "--fork", "--mount-proc", "--kill-child", sys.executable,
            *sys.argv]
    sys.exit(subprocess.call(argv, env=env))


def main():
    if os.environ.get(INNER) != "1":
        outer()
    binary, pure, cgo, root = sys.argv[1:5]
    t = Tap()
    promtool = shutil.which("promtool")
    prometheus = shutil.which("prometheus")
    node_exporter = shutil.which("prometheus-node-exporter") or shutil.which("node_exporter")
    work = tempfile.mkdtemp(prefix="correlate-scan-")
    procs = []
    try:
        leak = Target([cgo, "-heap", "16MiB", "-cmalloc", "150MiB"])
        procs.append(leak)
        healthy = Target([pure, "-heap", "64MiB"])
        procs.append(healthy)
        ns = NsTarget([pure, "-heap", "32MiB"])
        procs.append(ns)
        sleeper = subprocess.Popen(["sleep", "600"])
        go_pids = {leak.pid, healthy.pid, ns.pid}

        # -- the table and JSON: exactly the three Go processes --
        r = correlate(binary, "scan", "--json")
        doc = r.json
        t.ok(r.rc == 0 and doc is not None and doc.get("kind") == "scan",
             "scan --json: exit 0, a scan document (checked against its schema)", r)
        doc = doc or {"reports": [], "scan": {}}
        by = reports_by_pid(doc)
        t.ok(set(by) == go_pids, "the scan reports exactly the three Go processes",
             f"reported {sorted(by)}, Go {sorted(go_pids)}, not Go: sleep {sleeper.pid}")
        t.ok(doc["scan"].get("targets") == 3 and doc["scan"].get("failures") == 0 and
             doc["scan"].get("processes", 0) >= 4,
             "its header counts 3 targets, no failure, and the processes looked at",
             doc.get("scan"))
        lr = by.get(leak.pid, {})
        un = lr.get("unexplained_bytes")
        t.ok(un is not None and abs(un - CGO_BYTES) <= CGO_BYTES * 0.1,
             "the cgo target's unexplained memory is its 150 MiB of C memory, within 10%",
             f"unexplained {un}")
        top = [f["id"] for f in lr.get("findings", []) if f["severity"] != "info"]
        t.ok(top[:1] == ["non_go_anon"], "its top finding is non_go_anon", top)
        hr = by.get(healthy.pid, {})
        t.ok(hr.get("unexplained_bytes") is not None and hr["unexplained_bytes"] < 8 * MiB and
             not [f for f in hr.get("findings", []) if f["severity"] != "info"],
             "the healthy target: under 8 MiB unexplained, no warning",
             f"unexplained {hr.get('unexplained_bytes')}, findings "
             f"{[(f['id'], f['severity']) for f in hr.get('findings', [])]}")
        nr = by.get(ns.pid, {})
        t.ok(nr.get("os_only") is None and nr.get("endpoint_format") == "prometheus" and
             (nr.get("namespaces") or {}).get("fetched_in") == "process",
             "the target in its own network namespace is reached there, its endpoint found",
             json.dumps({k: nr.get(k) for k in ("os_only", "endpoint_format", "namespaces")}))
        t.ok(all(x.get("pid") == p and (x.get("process") or {}).get("comm")
                 for p, x in by.items()),
             "each report is the single report's document, of its own process")

        r = correlate(binary, "scan")
        t.ok(r.rc == 0 and table_pids(r.out) == go_pids and
             "3 Go processes reported" in r.out,
             "the table lists the three, and says so", r)
        line = next((ln for ln in r.out.splitlines() if ln.startswith(f"{leak.pid} ")), "")
        t.ok("non_go_anon (warning" in line, "the cgo target's line names non_go_anon", line)
        if RSS_CHECKED:
            t.ok(r.maxrss is not None and r.maxrss < 24 * MiB,
                 "the scan's peak RSS (its own and its workers') stays under 24 MiB",
                 f"{(r.maxrss or 0) >> 10} KiB")
        r1 = correlate(binary, "scan", "--json", "--workers", "1")
        r4 = correlate(binary, "scan", "--json", "--workers", "4")
        t.ok(r1.rc == 0 and r4.rc == 0 and r1.json and r4.json and
             set(reports_by_pid(r1.json)) == go_pids == set(reports_by_pid(r4.json)) and
             r1.json["scan"]["workers"] == 1 and r4.json["scan"]["workers"] == 4,
             "one worker and four find the same three", (r1, r4))

        # -- a process that execs another program mid-scan is left out --
        ex = Target([pure, "-heap", "8MiB", "-exec-after-vars", "sleep"])
        procs.append(ex)
        r = correlate(binary, "scan", "--json", "--path", "/exec/vars")
        d = r.json or {"reports": [], "scan": {"left_out": []}}
        left = [x for x in d["scan"].get("left_out", []) if x["pid"] == ex.pid]
        t.ok(r.rc == 0 and set(reports_by_pid(d)) == go_pids and
             left and left[0]["reason"] == "exited" and d["scan"]["dropped"] == 1 and
             f"note: pid {ex.pid}" in r.err,
             "a process that exec'd mid-scan is left out with a note, not reported, "
             "not a failure (exit 0)", r)
        ex.stop()
        procs.remove(ex)

        # -- a container's id from its cgroup; a Go process with no endpoint --
        version, cgdir, cgpath = memory_cgroup()
        if not version:
            t.ok(False, "a container's cgroup: " + cgdir)
        else:
            cid = "%064x" % (0xc0ffee << 200)
            cg = Cgroup(version, cgdir, cgpath, f"docker-{cid}.scope")
            try:
                boxed = Target(cg.argv([pure, "-heap", "8MiB"]))
                procs.append(boxed)
                quiet = NsTarget([pure, "-heap", "8MiB", "-noserve"], net=False)
                procs.append(quiet)
                r = correlate(binary, "scan", "--format", "prometheus")
                t.ok(r.rc == 0 and re.search(
                    rf'^correlate_rss_bytes\{{pid="{boxed.pid}",comm="[^"]*",'
                    rf'container_id="{cid}"\}} \d+$', r.out, re.M) is not None,
                     "a process in a cgroup named as Docker names it carries container_id",
                     [ln for ln in r.out.splitlines() if f'pid="{boxed.pid}"' in ln][:3])
                t.ok(re.search(rf'^correlate_target_info\{{pid="{quiet.pid}",[^}}]*'
                               r'endpoint_format="none"\} 1$', r.out, re.M) is not None and
                     not re.search(rf'^correlate_unexplained_bytes\{{pid="{quiet.pid}"',
                                   r.out, re.M) and
                     re.search(rf'^correlate_rss_bytes\{{pid="{quiet.pid}"', r.out, re.M),
                     "a Go process with no endpoint: the report from /proc alone (RSS, no "
                     "unexplained, endpoint_format none)")
                r = correlate(binary, "scan")
                rows = {int(ln.split()[0]): ln for ln in r.out.splitlines()
                        if re.match(r"^\d+ +(?!Go )", ln)}
                t.ok(r.rc == 0 and cid[:12] in rows.get(boxed.pid, "") and
                     "no endpoint" in rows.get(quiet.pid, ""),
                     "the table shows the container's 12-digit id, and 'no endpoint'", r.out)
            finally:
                for p in list(procs):
                    if p in (locals().get("boxed"), locals().get("quiet")):
                        p.stop()
                        procs.remove(p)
                cg.remove()

        # -- the time budget: what it leaves out are failures, exit 6 --
        r = correlate(binary, "scan", "--budget", "0.001")
        lines = r.err.strip().splitlines()
        t.ok(r.rc == 6 and len(lines) >= 3 and
             lines[-2].startswith("correlate: ") and "could not be reported" in lines[-2] and
             lines[-1].startswith("correlate: try: ") and "budget" in r.err,
             "a scan whose budget runs out exits 6, names each target left out, and says "
             "what to try", r)
        t.ok(table_pids(r.out) <= go_pids and "failed: pid" in r.out,
             "... and its table still says what it could and could not report", r.out)

        # -- usage errors: one line and a try: line, exit 2 --
        for args in (["--format", "xml"], ["--every", "0"], ["--workers", "0"],
                     ["--budget", "x"], ["--bogus"], ["extra"]):
            r = correlate(binary, "scan", *args)
            lines = r.err.strip().splitlines()
            t.ok(r.rc == 2 and r.out == "" and len(lines) == 2 and
                 lines[1].startswith("correlate: try: "),
                 f"scan {' '.join(args)}: exit 2, what failed and what to try", r)

        # -- Prometheus text into node_exporter's textfile directory --
        textdir = os.path.join(work, "textfile")
        os.mkdir(textdir)
        prom = os.path.join(textdir, "correlate.prom")
        r = correlate(binary, "scan", "--format", "prometheus", "--output", prom)
        t.ok(r.rc == 0 and r.out == "" and os.path.exists(prom) and
             os.listdir(textdir) == ["correlate.prom"] and
             (os.stat(prom).st_mode & 0o777) == 0o644,
             "--output writes the file (mode 0644), nothing on stdout, no temporary file left",
             (r, os.listdir(textdir)))
        text = open(prom).read() if os.path.exists(prom) else ""
        if not promtool:
            t.ok(False, "promtool is needed to check the exposition: install Debian's "
                 "prometheus package")
        else:
            cp = subprocess.run([promtool, "check", "metrics"], input=text,
                                capture_output=True, text=True)
            t.ok(cp.returncode == 0 and not cp.stdout.strip() and not cp.stderr.strip(),
                 "promtool check metrics passes on it, with no lint", cp)
            bad = text.replace("# TYPE correlate_rss_bytes gauge\n",
                               "# TYPE correlate_rss_bytes gauge\ncorrelate_rss_bytes{pid=\"1\" 2\n")
            cp = subprocess.run([promtool, "check", "metrics"], input=bad,
                                capture_output=True, text=True)
            t.ok(cp.returncode != 0, "... and promtool does fail a broken copy", cp)
        for name in ("correlate_rss_bytes", "correlate_anon_footprint_bytes",
                     "correlate_go_retained_bytes", "correlate_unexplained_bytes",
                     "correlate_finding_bytes", "correlate_cgroup_working_set_bytes",
                     "correlate_target_info", "correlate_scan_duration_seconds",
                     "correlate_scan_targets", "correlate_scan_failures",
                     "correlate_self_cpu_seconds_total", "correlate_self_rss_bytes"):
            t.ok(re.search(rf"^{name}(\{{| )", text, re.M) is not None,
                 f"the exposition has {name}")
        series = [ln for ln in text.splitlines() if ln and not ln.startswith("#") and
                  ln.startswith("correlate_") and "{" in ln]
        t.ok(series and all('pid="' in ln and 'comm="' in ln for ln in series),
             "every series of a target carries pid and comm", series[:3])
        m = re.search(rf'^correlate_target_info\{{pid="{leak.pid}",comm="[^"]*",exe="{re.escape(os.path.realpath(cgo))}",'
                      r'go_version="go[0-9.]+",endpoint_format="prometheus"\} 1$', text, re.M)
        t.ok(m is not None, "correlate_target_info names its exe, Go version and endpoint format",
             [ln for ln in text.splitlines() if ln.startswith("correlate_target_info")])
        help1 = [ln for ln in text.splitlines() if ln.startswith("# ")]
        correlate(binary, "scan", "--format", "prometheus", "--output", prom)
        help2 = [ln for ln in open(prom).read().splitlines() if ln.startswith("# ")]
        t.ok(help1 == help2, "HELP and TYPE lines are the same from one run to the next")

        if not node_exporter or not prometheus:
            t.ok(False, "node_exporter and Prometheus are needed: install Debian's "
                 "prometheus-node-exporter and prometheus packages",
                 f"node_exporter {node_exporter}, prometheus {prometheus}")
            return t
        ne_port = free_port()
        ne = subprocess.Popen([node_exporter, f"--web.listen-address=127.0.0.1:{ne_port}",
                               "--collector.disable-defaults", "--collector.textfile",
                               f"--collector.textfile.directory={textdir}"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        procs.append(ne)
        body = wait_http(f"http://127.0.0.1:{ne_port}/metrics") or ""
        t.ok(re.search(rf'^correlate_unexplained_bytes\{{[^}}]*pid="{leak.pid}"[^}}]*\}} ',
                       body, re.M) is not None and
             re.search(r'^node_textfile_mtime_seconds\{file="[^"]*correlate.prom"\} ', body, re.M)
             and re.search(r"^node_textfile_scrape_error 0$", body, re.M),
             "node_exporter serves the series from the textfile directory, with its mtime "
             "and no scrape error",
             "\n".join(ln for ln in body.splitlines() if "correlate" in ln or "textfile" in ln)[:3000])

        om = os.path.join(work, "correlate.om")
        r = correlate(binary, "scan", "--format", "openmetrics", "--output", om)
        omtext = open(om).read() if os.path.exists(om) else ""
        t.ok(r.rc == 0 and omtext.endswith("# EOF\n") and omtext.count("# EOF") == 1 and
             "# TYPE correlate_target info\n" in omtext and
             "# TYPE correlate_self_cpu_seconds counter\n" in omtext,
             "--format openmetrics ends with # EOF, types correlate_target as info and the "
             "CPU counter as a counter", omtext[-300:])
        sysdeb = "/usr/bin/python3"
        if os.path.exists(sysdeb):
            cp = subprocess.run([sysdeb, "-c",
                                 "import sys\nfrom prometheus_client.openmetrics.parser import "
                                 "text_string_to_metric_families as p\n"
                                 "fs = list(p(open(sys.argv[1]).read()))\n"
                                 "print(len(fs))", om], capture_output=True, text=True)
            t.ok(cp.returncode == 0 and int(cp.stdout.strip() or 0) >= 15,
                 "the OpenMetrics parser of python3-prometheus-client accepts it",
                 cp.stderr[-2000:] or cp.stdout)
        oms = OpenMetricsServer(om)
        pport = free_port()
        cfg = os.path.join(work, "prometheus.yml")
        with open(cfg, "w") as f:
            f.write("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                    "scrape_configs:\n"
                    f"  - job_name: node\n    static_configs:\n      - targets: ['127.0.0.1:{ne_port}']\n"
                    f"  - job_name: om\n    static_configs:\n      - targets: ['127.0.0.1:{oms.port}']\n")
        pr = subprocess.Popen([prometheus, f"--config.file={cfg}",
                               f"--storage.tsdb.path={os.path.join(work, 'tsdb')}",
                               f"--web.listen-address=127.0.0.1:{pport}"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        procs.append(pr)
        base = f"http://127.0.0.1:{pport}"
        res = poll_query(base, f'correlate_unexplained_bytes{{job="node",pid="{leak.pid}"}}',
                         lambda x: len(x) == 1)
        v = float(res[0]["value"][1]) if isinstance(res, list) and len(res) == 1 else None
        t.ok(v is not None and abs(v - CGO_BYTES) <= CGO_BYTES * 0.1,
             "Prometheus answers correlate_unexplained_bytes of the cgo target: 150 MiB "
             "within 10%", res)
        res = poll_query(base, f'correlate_unexplained_bytes{{job="node",pid="{healthy.pid}"}}',
                         lambda x: len(x) == 1)
        v = float(res[0]["value"][1]) if isinstance(res, list) and len(res) == 1 else None
        t.ok(v is not None and v < 8 * MiB,
             "... and the healthy target's is near 0 (under 8 MiB)", res)
        res = poll_query(base, 'count(correlate_target_info{job="node"})',
                         lambda x: len(x) == 1)
        t.ok(isinstance(res, list) and len(res) == 1 and res[0]["value"][1] == "3",
             "Prometheus has three targets' info series through node_exporter", res)
        # node_exporter is a Go process of this namespace too, by now: the
        # OpenMetrics scan, made after it started, has it as a fourth target.
        om_pids = {int(p) for p in re.findall(r'^correlate_target_info\{pid="(\d+)"', omtext, re.M)}
        t.ok(om_pids == go_pids | {ne.pid},
             "the scan made after node_exporter started reports it too (Debian's, a Go "
             "program)", (sorted(om_pids), sorted(go_pids | {ne.pid})))
        res = poll_query(base, 'up{job="om"}', lambda x: len(x) == 1 and x[0]["value"][1] == "1")
        res2 = poll_query(base, 'correlate_target_info{job="om"}',
                          lambda x: len(x) == len(om_pids))
        t.ok(isinstance(res, list) and res and res[0]["value"][1] == "1" and
             isinstance(res2, list) and
             {int(x["metric"]["pid"]) for x in res2} == om_pids,
             "Prometheus scrapes the OpenMetrics output as OpenMetrics: up, an info series "
             "per target", (res, res2))
        oms.close()

        # -- --every: the file is rewritten, with correlate's own cost --
        ev = os.path.join(textdir, "every.prom")
        p = subprocess.Popen([binary, "scan", "--format", "prometheus", "--every", "1s",
                              "--output", ev], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        stamps = []
        deadline = time.time() + (30 if WRAPPED else 8)
        while time.time() < deadline and len(set(stamps)) < 3:
            try:
                m = re.search(r"^correlate_scan_timestamp_seconds (\S+)$", open(ev).read(), re.M)
                if m:
                    stamps.append(float(m.group(1)))
            except OSError:
                pass
            time.sleep(0.1)
        p.send_signal(signal.SIGTERM)
        try:
            out, err = p.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()
            out, err = p.communicate()
        t.ok(len(set(stamps)) >= 3 and sorted(set(stamps)) == sorted(set(stamps), key=stamps.index),
             "--every 1s rewrites the file scan after scan", stamps)
        t.ok(p.returncode == 0 and sorted(os.listdir(textdir)) == ["correlate.prom", "every.prom"],
             "SIGTERM ends it with exit 0, leaving no temporary file",
             (p.returncode, err.decode()[-500:], os.listdir(textdir)))
        evtext = open(ev).read()
        t.ok(re.search(r"^correlate_self_cpu_seconds_total \d", evtext, re.M) and
             re.search(r"^correlate_self_rss_bytes \d", evtext, re.M) and
             re.search(r"^correlate_self_peak_rss_bytes \d", evtext, re.M),
             "its own CPU and RSS are metrics too")

        r = correlate(binary, "scan", "--format", "prometheus", "--output",
                      os.path.join(work, "missing", "x.prom"))
        lines = r.err.strip().splitlines()
        t.ok(r.rc == 1 and len(lines) == 2 and "--output" in lines[0] and
             lines[1].startswith("correlate: try: "),
             "--output into a folder that does not exist: exit 1, what failed, what to try", r)
        sleeper.kill()
        return t
    finally:
        for p in procs:
            try:
                if isinstance(p, subprocess.Popen):
                    p.kill()
                    p.wait()
                else:
                    p.stop()
            except Exception:
                pass
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main().done()
