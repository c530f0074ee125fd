#!/usr/bin/env python3
"""The deployment files of docs/deploy (issue 13): the Prometheus rules pass
`promtool check rules`, their unit tests pass `promtool test rules`, and a
copy of those tests with an expectation turned wrong fails them (so the
tests can fail); every alert has a case that fires and one that does not,
every recording rule is evaluated; the DaemonSet's YAML parses and asks for
the same capabilities as the systemd units; the units parse
(systemd-analyze verify).

usage: test_deploy.py SOURCE_ROOT"""

import copy
import os
import re
import shutil
import subprocess
import sys
import tempfile

from harness import Tap

try:
    import yaml
except ImportError:
    yaml = None

# What correlate scan needs, and no more (docs/deploy/README.md says why
# each).
CAPS = {"SYS_PTRACE", "DAC_READ_SEARCH", "SYS_ADMIN", "SETUID", "SETGID", "SETPCAP"}
TEXTFILE_DIR = "/var/lib/prometheus/node-exporter"


def promtool(*args, cwd=None):
    p = subprocess.run(["promtool", *args], capture_output=True, text=True, cwd=cwd,
                       timeout=60)
    return p.returncode, p.stdout + p.stderr


def passed(rc, out):
    return rc == 0 and "SUCCESS" in out and "FAILED" not in out


def check_rules(t, rules):
    have = shutil.which("promtool")
    if not t.ok(have is not None,
                "promtool is installed",
                "promtool is missing: install Debian's package prometheus "
                "(scripts/install-deps test)"):
        return
    for name in ("correlate-alerts.yml", "correlate-recording.yml"):
        rc, out = promtool("check", "rules", name, cwd=rules)
        t.ok(passed(rc, out) and re.search(r"SUCCESS: [1-9]\d* rules found", out),
             f"promtool check rules {name}", f"exit {rc}\n{out}")
    for name in ("correlate-alerts.test.yml", "correlate-recording.test.yml"):
        rc, out = promtool("test", "rules", name, cwd=rules)
        t.ok(passed(rc, out), f"promtool test rules {name}", f"exit {rc}\n{out}")
    # promtool itself must be able to say no: a rule file with a bad
    # expression.
    with tempfile.TemporaryDirectory(prefix="correlate-deploy-") as d:
        bad = os.path.join(d, "bad.yml")
        with open(bad, "w") as f:
            f.write("groups:\n  - name: x\n    rules:\n      - alert: X\n"
                    "        expr: correlate_unexplained_bytes >\n")
        rc, out = promtool("check", "rules", bad)
        t.ok(rc != 0, "promtool check rules fails on a broken expression", out)
    if yaml is None:
        t.ok(False, "the rules' tests cover every rule and can fail",
             "python3-yaml is missing (import yaml): scripts/install-deps test installs it")
        return
    check_alert_tests(t, rules)
    check_recording_tests(t, rules)


def load(path):
    with open(path) as f:
        return yaml.safe_load(f)


def write_copy(doc, d, name, rules):
    """doc as a test file in d whose rule_files point back at rules/."""
    doc = copy.deepcopy(doc)
    doc["rule_files"] = [os.path.join(rules, r) for r in doc["rule_files"]]
    path = os.path.join(d, name)
    with open(path, "w") as f:
        yaml.safe_dump(doc, f, sort_keys=False)
    return doc, path


def check_alert_tests(t, rules):
    alerts = [r["alert"] for g in load(os.path.join(rules, "correlate-alerts.yml"))["groups"]
              for r in g["rules"] if "alert" in r]
    t.ok(len(alerts) >= 4, "the alerting rules", alerts)
    tests = load(os.path.join(rules, "correlate-alerts.test.yml"))
    cases = [c for tc in tests["tests"] for c in tc.get("alert_rule_test", [])]
    for a in alerts:
        fires = [c for c in cases if c["alertname"] == a and c.get("exp_alerts")]
        quiet = [c for c in cases if c["alertname"] == a and not c.get("exp_alerts")]
        t.ok(fires, f"{a}: a test where it fires", "no alert_rule_test with exp_alerts")
        t.ok(quiet, f"{a}: a test where it does not fire", "no alert_rule_test with exp_alerts: []")
        # Each alert that a test expects to fire, expected not to: promtool
        # must fail that copy.
        with tempfile.TemporaryDirectory(prefix="correlate-deploy-") as d:
            broken = copy.deepcopy(tests)
            n = 0
            for tc in broken["tests"]:
                for c in tc.get("alert_rule_test", []):
                    if c["alertname"] == a and c.get("exp_alerts"):
                        c["exp_alerts"] = []
                        n += 1
            _, path = write_copy(broken, d, "broken.test.yml", rules)
            rc, out = promtool("test", "rules", path)
            t.ok(n > 0 and rc != 0 and "FAILED" in out and a in out,
                 f"{a}: expected not to fire where it does, promtool test rules fails",
                 f"{n} expectations changed; exit {rc}\n{out[:3000]}")
        # And one that must stay quiet, expected to fire.
        with tempfile.TemporaryDirectory(prefix="correlate-deploy-") as d:
            broken = copy.deepcopy(tests)
            done = False
            for tc in broken["tests"]:
                for c in tc.get("alert_rule_test", []):
                    if not done and c["alertname"] == a and not c.get("exp_alerts") and fires:
                        c["exp_alerts"] = copy.deepcopy(fires[0]["exp_alerts"])
                        done = True
            _, path = write_copy(broken, d, "broken.test.yml", rules)
            rc, out = promtool("test", "rules", path)
            t.ok(done and rc != 0 and "FAILED" in out,
                 f"{a}: expected to fire where it does not, promtool test rules fails",
                 f"exit {rc}\n{out[:3000]}")
    # The copies are read as the originals: unchanged, they pass.
    with tempfile.TemporaryDirectory(prefix="correlate-deploy-") as d:
        _, path = write_copy(tests, d, "same.test.yml", rules)
        rc, out = promtool("test", "rules", path)
        t.ok(passed(rc, out), "an unchanged copy of the alert tests passes", out)


def check_recording_tests(t, rules):
    records = [r["record"] for g in load(os.path.join(rules, "correlate-recording.yml"))["groups"]
               for r in g["rules"] if "record" in r]
    t.ok(len(records) >= 4, "the recording rules", records)
    for r in records:
        t.ok(re.fullmatch(r"[a-z_]+:correlate_[a-z_]+:[a-z_0-9]+", r),
             f"{r} is named level:metric:operations")
    tests = load(os.path.join(rules, "correlate-recording.test.yml"))
    evaluated = {c["expr"].strip() for tc in tests["tests"] for c in tc.get("promql_expr_test", [])
                 if c.get("exp_samples")}
    missing = [r for r in records if r not in evaluated]
    t.ok(not missing, "every recording rule is evaluated by a test", missing)
    with tempfile.TemporaryDirectory(prefix="correlate-deploy-") as d:
        broken = copy.deepcopy(tests)
        first = broken["tests"][0]["promql_expr_test"][0]
        first["exp_samples"][0]["value"] = float(first["exp_samples"][0]["value"]) * 2
        _, path = write_copy(broken, d, "broken.test.yml", rules)
        rc, out = promtool("test", "rules", path)
        t.ok(rc != 0 and "FAILED" in out and first["expr"] in out,
             f"a wrong value expected of {first['expr']}: promtool test rules fails",
             f"exit {rc}\n{out[:3000]}")


def check_daemonset(t, deploy):
    if not t.ok(yaml is not None, "daemonset.yaml: python3-yaml is there to read it",
                "python3-yaml is missing (import yaml): scripts/install-deps test installs it"):
        return
    try:
        with open(os.path.join(deploy, "daemonset.yaml")) as f:
            docs = [d for d in yaml.safe_load_all(f) if d]
    except yaml.YAMLError as e:
        t.ok(False, "daemonset.yaml parses", e)
        return
    t.ok(len(docs) == 1 and docs[0].get("kind") == "DaemonSet" and
         docs[0].get("apiVersion") == "apps/v1", "daemonset.yaml parses: one apps/v1 DaemonSet",
         [(d.get("apiVersion"), d.get("kind")) for d in docs])
    spec = docs[0]["spec"]["template"]["spec"]
    t.ok(spec.get("hostPID") is True, "the pod has hostPID: true")
    byname = {c["name"]: c for c in spec["containers"]}
    c, ne = byname.get("correlate"), byname.get("node-exporter")
    if not t.ok(c and ne, "a correlate and a node-exporter container", list(byname)):
        return
    sc = c.get("securityContext", {})
    caps = sc.get("capabilities", {})
    t.ok(caps.get("drop") == ["ALL"] and set(caps.get("add", [])) == CAPS and
         len(caps.get("add", [])) == len(CAPS),
         "correlate drops ALL and adds exactly the capabilities it needs", caps)
    t.ok(sc.get("privileged") is False, "correlate is not privileged", sc)
    vols = {v["name"]: v for v in spec["volumes"]}
    mounts = {m["name"]: m for m in c["volumeMounts"]}
    ne_mounts = {m["name"]: m for m in ne["volumeMounts"]}
    cmd = c.get("command", []) + c.get("args", [])
    out = cmd[cmd.index("--output") + 1] if "--output" in cmd else ""
    shared = [n for n in mounts if n in ne_mounts and
              os.path.dirname(out) == mounts[n]["mountPath"]]
    t.ok(shared and ("emptyDir" in vols[shared[0]] or "hostPath" in vols[shared[0]]),
         "correlate's --output is in a volume the node-exporter container mounts too",
         (out, mounts, ne_mounts))
    if shared:
        want = f"--collector.textfile.directory={ne_mounts[shared[0]]['mountPath']}"
        t.ok(want in ne.get("args", []), f"node_exporter reads that volume ({want})",
             ne.get("args"))
    t.ok("scan" in cmd and "prometheus" in cmd and "--every" in cmd,
         "correlate runs scan --format prometheus --every", cmd)
    cg = [m for m in c["volumeMounts"] if m["mountPath"] == "/sys/fs/cgroup"]
    t.ok(cg and cg[0].get("readOnly") is True and
         vols[cg[0]["name"]].get("hostPath", {}).get("path") == "/sys/fs/cgroup",
         "the host's /sys/fs/cgroup is mounted read-only", cg)
    t.ok(all("resources" in x and "limits" in x["resources"] and "requests" in x["resources"]
             for x in spec["containers"]), "every container has requests and limits")


def unit_settings(path):
    """key -> [values] of a unit file's assignments."""
    out = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith(("#", ";", "[")) and "=" in line:
                k, v = line.split("=", 1)
                out.setdefault(k, []).append(v)
    return out


def check_units(t, deploy):
    services = ["correlate-scan.service", "correlate-scan-loop.service"]
    for name in services:
        s = unit_settings(os.path.join(deploy, name))
        bset = set(" ".join(s.get("CapabilityBoundingSet", [])).split())
        t.ok(bset == {"CAP_" + c for c in CAPS},
             f"{name}: CapabilityBoundingSet is the DaemonSet's capabilities", sorted(bset))
        t.ok(s.get("ProtectSystem") == ["strict"] and
             s.get("ReadWritePaths") == [TEXTFILE_DIR],
             f"{name}: ProtectSystem=strict, writable only {TEXTFILE_DIR}", s)
        exe = " ".join(s.get("ExecStart", []))
        t.ok(f"--output {TEXTFILE_DIR}/correlate.prom" in exe and "--format prometheus" in exe,
             f"{name}: writes --format prometheus into {TEXTFILE_DIR}", exe)
    timer = unit_settings(os.path.join(deploy, "correlate-scan.timer"))
    t.ok(timer.get("OnUnitActiveSec") == ["60s"], "the timer starts the scan every 60s", timer)
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        t.ok(False, "systemd-analyze verify checks the units: systemd-analyze is missing "
             "(Debian's systemd package; scripts/install-deps test installs it)")
        return
    # verify wants ExecStart's binary to exist: the copies run /bin/true.
    true = shutil.which("true") or "/bin/true"
    with tempfile.TemporaryDirectory(prefix="correlate-units-") as d:
        paths = []
        for name in services + ["correlate-scan.timer"]:
            with open(os.path.join(deploy, name)) as f:
                text = re.sub(r"^ExecStart=\S+", "ExecStart=" + true, f.read(), flags=re.M)
            paths.append(os.path.join(d, name))
            with open(paths[-1], "w") as f:
                f.write(text)
        p = subprocess.run([analyze, "verify", "--man=no", *paths], capture_output=True,
                           text=True, timeout=60)
        # verify exits 0 on a setting it cannot parse and only says so
        out = (p.stdout + p.stderr).strip()
        t.ok(p.returncode == 0 and out == "", "systemd-analyze verify: the units parse, no warning",
             f"exit {p.returncode}\n{out}")
        with open(paths[0], "a") as f:
            f.write("Nice=ten\n")
        p = subprocess.run([analyze, "verify", "--man=no", paths[0]], capture_output=True,
                           text=True, timeout=60)
        t.ok("Failed to parse nice" in p.stdout + p.stderr,
             "systemd-analyze verify says so of a bad setting (Nice=ten)",
             p.stdout + p.stderr)


def main():
    root = sys.argv[1]
    deploy = os.path.join(root, "docs", "deploy")
    t = Tap()
    check_rules(t, os.path.join(deploy, "rules"))
    check_daemonset(t, deploy)
    check_units(t, deploy)
    t.done()


if __name__ == "__main__":
    main()
