#!/usr/bin/env python3
"""Recorded pairs: save, replay, check, ticket output (docs/fixtures.md).

usage: test_pairs.py CORRELATE GO_TARGET SOURCE_ROOT"""

import glob
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import urllib.request
import xml.etree.ElementTree as ET

from harness import MiB, Tap, Target, correlate


def main():
    binary, target, root = sys.argv[1], sys.argv[2], sys.argv[3]
    fixtures = os.path.join(root, "fixtures")
    t = Tap()
    work = tempfile.mkdtemp(prefix="correlate-pairs-")
    try:
        # --- check fixtures/ -------------------------------------------------
        n_pairs = len(glob.glob(os.path.join(fixtures, "**", "expect.json"), recursive=True))
        r = correlate(binary, "check", fixtures)
        lines = r.out.strip().splitlines()
        t.ok(r.rc == 0 and lines and lines[-1] == f"{n_pairs} passed, 0 failed" and
             sum(l.startswith("PASS ") for l in lines) == n_pairs,
             f"correlate check fixtures/: all {n_pairs} pairs pass", r)

        # Changing one expectation makes it fail, naming pair, rule, numbers.
        pair = os.path.join(work, "cgo-malloc")
        shutil.copytree(os.path.join(fixtures, "scenarios", "go1.23-cgo-cgo-malloc"), pair)
        with open(os.path.join(pair, "expect.json")) as f:
            exp = json.load(f)
        exp["findings"]["non_go_anon"]["min_bytes"] = "200MiB"
        with open(os.path.join(pair, "expect.json"), "w") as f:
            json.dump(exp, f)
        junit = os.path.join(work, "junit.xml")
        r = correlate(binary, "check", "--junit", junit, pair)
        line = r.out.splitlines()[0] if r.out else ""
        t.ok(r.rc == 1 and line.startswith(f"FAIL {pair}: ") and
             "findings.non_go_anon.min_bytes" in line and "< 200 MiB" in line and
             r.out.strip().endswith("0 passed, 1 failed"),
             "a changed expectation fails, naming the pair, the rule and the numbers", r)
        try:
            suite = ET.parse(junit).getroot().find("testsuite")
            cases = suite.findall("testcase")
            ok = (suite.get("tests") == "1" and suite.get("failures") == "1" and
                  cases[0].get("name") == pair and
                  "min_bytes" in cases[0].find("failure").get("message"))
        except Exception as e:  # noqa: BLE001
            ok, cases = False, e
        t.ok(ok, "--junit writes the failure as JUnit XML", cases)
        exp["top_finding"] = "lazy_free"
        exp["findings"]["non_go_anon"]["min_bytes"] = "100MiB"
        with open(os.path.join(pair, "expect.json"), "w") as f:
            json.dump(exp, f)
        r = correlate(binary, "check", pair)
        t.ok(r.rc == 1 and "top_finding: expected lazy_free, got non_go_anon (warning," in r.out,
             "top_finding names what came first", r)
        exp["typo_key"] = 1
        with open(os.path.join(pair, "expect.json"), "w") as f:
            json.dump(exp, f)
        r = correlate(binary, "check", pair)
        t.ok(r.rc == 1 and "unknown key \"typo_key\"" in r.out,
             "an unknown key in expect.json fails the pair instead of passing it", r)
        # Thresholds as flags.
        healthy = os.path.join(fixtures, "healthy", "go1.23-pure")
        r = correlate(binary, "check", "--max-unexplained", "1B", healthy)
        t.ok(r.rc == 1 and "max_unexplained_bytes" in r.out or
             (r.rc == 0 and "unexplained 0 B" in r.out),
             "--max-unexplained holds the pair to a size", r)
        r = correlate(binary, "check", "--fail-on", "warning",
                      os.path.join(fixtures, "scenarios", "go1.23-pure-idle-heap"))
        t.ok(r.rc == 1 and "max_severity: warning (idle_heap) > info" in r.out,
             "--fail-on warning fails a pair with a warning", r)
        r = correlate(binary, "check", "--fail-on", "warning", healthy)
        t.ok(r.rc == 0 and r.out.strip().endswith("1 passed, 0 failed"),
             "--fail-on warning passes a healthy pair", r)
        r = correlate(binary, "check", work + "/nothing-here")
        t.ok(r.rc == 2 and "no such file" in r.err, "check of a missing path: exit 2", r)
        empty = os.path.join(work, "empty")
        os.mkdir(empty)
        r = correlate(binary, "check", empty)
        t.ok(r.rc == 2 and "no recorded pair" in r.err, "check with no pair: exit 2", r)

        # --- save, atomically, and safely -------------------------------------
        with Target([target, "-heap", "16MiB", "--", "--db-password=hunter2"],
                    env=dict(os.environ, GOGC="150", AWS_SECRET_ACCESS_KEY="sekrit")) as tg:
            saved = os.path.join(work, "saved")
            r = correlate(binary, "--pid", str(tg.pid), "--url", tg.url, "--save", saved,
                          "--json", "--header", "Authorization: Bearer topsecret")
            t.ok(r.rc == 0 and os.path.isdir(saved), "--save writes a pair", r)
            mode = stat.S_IMODE(os.stat(saved).st_mode)
            modes = {f: stat.S_IMODE(os.stat(os.path.join(saved, f)).st_mode)
                     for f in os.listdir(saved)}
            t.ok(mode == 0o700 and all(m == 0o600 for m in modes.values()),
                 "the pair is 0700, its files 0600", (oct(mode), modes))
            t.ok(sorted(modes) == ["cgroup.txt", "environ", "meta.json", "metrics.prom",
                                   "smaps", "smaps_rollup", "status"],
                 "the pair holds the files docs/fixtures.md lists", sorted(modes))
            everything = ""
            for f in modes:
                with open(os.path.join(saved, f), "rb") as fh:
                    everything += fh.read().decode("utf-8", "replace")
            t.ok("hunter2" not in everything and "sekrit" not in everything and
                 "topsecret" not in everything and "hunter2" not in r.out and
                 "topsecret" not in r.out,
                 "no secret reaches the pair or the output (cmdline, environ, header)")
            with open(os.path.join(saved, "environ"), "rb") as fh:
                env = fh.read().split(b"\0")
            t.ok(env[:-1] == [b"GOGC=150"], "environ keeps only the Go runtime's variables", env)
            t.ok(r.json and "REDACTED" in r.json["command"] and
                 "--db-password=REDACTED" in r.json["process"]["cmdline"],
                 "the command and cmdline show REDACTED in place of secrets",
                 r.json and (r.json["command"], r.json["process"]["cmdline"]))
            r2 = correlate(binary, "--pid", str(tg.pid), "--url", tg.url, "--save", saved)
            t.ok(r2.rc == 2 and "exists already" in r2.err and "--force" in r2.err,
                 "--save refuses an existing pair", r2)
            before = os.stat(os.path.join(saved, "status")).st_ino
            r2 = correlate(binary, "--pid", str(tg.pid), "--url", tg.url, "--save", saved,
                           "--force")
            t.ok(r2.rc == 0 and os.stat(os.path.join(saved, "status")).st_ino != before,
                 "--force replaces it", r2)
            failed = os.path.join(work, "failed")
            r2 = correlate(binary, "--pid", str(tg.pid), "--url", tg.url + "/nope", "--save",
                           failed)
            leftovers = [f for f in os.listdir(work) if "partial" in f or "old" in f]
            t.ok(r2.rc == 4 and not os.path.exists(failed) and not leftovers,
                 "a failed run leaves no pair and no half-written folder", (r2, leftovers))
            r2 = correlate(binary, "--pid", str(tg.pid), "--url", tg.url, "--save",
                           os.path.join(work, "no", "such", "parent"))
            t.ok(r2.rc == 2 and "does not exist" in r2.err, "--save into a missing folder: exit 2",
                 r2)

            # --- a pair made by hand: cat and curl --------------------------
            hand = os.path.join(work, "by-hand")
            os.mkdir(hand)
            for f in ("status", "smaps_rollup"):
                subprocess.run(f"cat /proc/{tg.pid}/{f} > {hand}/{f}", shell=True, check=True)
            with urllib.request.urlopen(tg.url + "/debug/pprof/heap?debug=1") as resp, \
                    open(os.path.join(hand, "memstats.txt"), "wb") as f:
                f.write(resp.read())
            r = correlate(binary, "--fixture", hand, "--json")
            with open(os.path.join(hand, "status")) as f:
                rss = [int(l.split()[1]) * 1024 for l in f if l.startswith("VmRSS:")][0]
            t.ok(r.rc == 0 and r.json["replay"] is True and r.json["source"] == hand and
                 r.json["pid"] == tg.pid and r.json["os"]["vm_rss_bytes"] == rss and
                 r.json["endpoint_format"] == "pprof" and
                 set(r.json["not_recorded"]) == {"meta.json", "smaps", "environ", "cgroup.txt"},
                 "a pair made with cat and curl replays, saying what it lacks", r)
            r = correlate(binary, "--fixture", hand)
            t.ok(r.rc == 0 and "replayed from" in r.out and "not recorded:" in r.out,
                 "the report says it is a replay, of what and what was not recorded", r)
            # No meta.json: when it was recorded is unknown, not a file's mtime.
            rj = correlate(binary, "--fixture", hand, "--json")
            rm = correlate(binary, "--fixture", hand, "--format", "markdown")
            t.ok(rj.rc == 0 and rj.json["captured_at"] is None and
                 "  recorded  unknown;" in r.out and "| recorded | unknown" in rm.out,
                 "without meta.json: recorded unknown (text, Markdown), captured_at null",
                 f"{rj.json and rj.json['captured_at']}\n{r.out[:600]}\n{rm.out[:600]}")

        # --- only VIRT and RES, as read off top ----------------------------------
        topp = os.path.join(work, "top-table")
        os.mkdir(topp)
        with open(os.path.join(topp, "top"), "w") as f:
            f.write("    PID USER      PR  NI    VIRT    RES    SHR S  %CPU  %MEM     TIME+ COMMAND\n"
                    "   4242 svc       20   0 1358420 174804  21364 S   0.3   0.7   0:01.20 svc\n")
        shutil.copy(os.path.join(fixtures, "healthy", "go1.21-pure", "vars.json"), topp)
        r = correlate(binary, "--fixture", topp, "--json")
        t.ok(r.rc == 0 and r.json["os"]["vm_size_bytes"] == 1358420 * 1024 and
             r.json["os"]["vm_rss_bytes"] == 174804 * 1024 and
             r.json["ledger"]["checks"]["anon_from_rss"] is True and
             r.json["unexplained_bytes"] is not None,
             "a pair with only top's VIRT and RES gets the core ledger", r)

        # --- replay errors ---------------------------------------------------------
        bad = os.path.join(work, "two-bodies")
        shutil.copytree(hand, bad)
        shutil.copy(os.path.join(fixtures, "healthy", "go1.21-pure", "vars.json"), bad)
        r = correlate(binary, "--fixture", bad)
        t.ok(r.rc == 2 and "both" in r.err and r.out == "", "a pair with two bodies: exit 2", r)
        r = correlate(binary, "--fixture", empty)
        t.ok(r.rc == 2 and "no status" in r.err, "a folder that is not a pair: exit 2", r)
        brk = os.path.join(work, "broken-status")
        shutil.copytree(hand, brk)
        with open(os.path.join(brk, "status"), "w") as f:
            f.write("Name:\tx\nVmRSS:\tlots kB\n")
        r = correlate(binary, "--fixture", brk)
        t.ok(r.rc == 3 and "VmRSS" in r.err and r.out == "", "a broken status: exit 3", r)
        brk = os.path.join(work, "broken-body")
        shutil.copytree(hand, brk)
        with open(os.path.join(brk, "memstats.txt"), "w") as f:
            f.write("heap profile: 1: 2 [3: 4] @ heap/1\n\n# runtime.MemStats\n# Sys = 1\n")
        r = correlate(binary, "--fixture", brk)
        t.ok(r.rc == 4 and "missing MemStats fields" in r.err and r.out == "",
             "a broken body: exit 4", r)
        r = correlate(binary, "--fixture", hand, "--pid", "1")
        t.ok(r.rc == 2, "--fixture with --pid: usage error", r)

        # --- ticket output ------------------------------------------------------------
        r = correlate(binary, "--fixture", os.path.join(fixtures, "scenarios", "go1.23-cgo-cgo-malloc"),
                      "--format", "markdown")
        t.ok(r.rc == 0 and r.out.startswith("### correlate: pid ") and
             "| command | `correlate --fixture" in r.out and "| tool | correlate " in r.out and
             "| Go | go1.23" in r.out and "| severity | finding | bytes | summary |" in r.out and
             "**`non_go_anon`** (warning)" in r.out and "- evidence: " in r.out and
             "- advice: " in r.out and "#### Ledger" in r.out and
             "| line | bytes | meaning |" in r.out,
             "--format markdown: command, versions, findings with evidence and advice, ledger table",
             r.out[:600])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    t.done()


if __name__ == "__main__":
    main()
