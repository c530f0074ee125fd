#!/usr/bin/env python3
"""docs/correlate.schema.json against real documents: every JSON document
correlate prints for the Go test targets (every toolchain, cgo and pure; the
pprof, expvar and Prometheus endpoints; with and without --mappings; a bare
host:port, answered first try or after a 404; GOGC, GOMEMLIMIT and scenario
flags set; saved with --save and replayed with --fixture, whole and short
of each optional file) must validate, and so must made-up shapes no run
gave (every nullable value null, 2^64-1 bytes).  The schema must also reject
broken documents: a missing key, a byte count as a float or a string, an
unknown severity or finding id, a finding without id, and more.

usage: test_schema.py CORRELATE TARGET...   (targets: memsvc-go<ver>-{cgo,pure})"""

import copy
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import urllib.error
import urllib.request

from harness import Tap, Target, correlate
from schema import SCHEMA, SCHEMA_PATH, jsonschema, validate

HERE = os.path.dirname(os.path.abspath(__file__))
JSON_MD = os.path.join(os.path.dirname(SCHEMA_PATH), "json.md")

FORMATS = {
    "pprof": "/debug/pprof/heap?debug=1",
    "expvar": "/debug/vars",
    "prometheus": "/metrics",
}

# Keys being added with the replay work: in the schema, not yet required,
# and not yet in docs/json.md.
# Added after the first schema; now required like the rest.
PENDING = {"command", "not_recorded"}


def show(errors, n=8):
    return "\n".join(errors[:n]) + (f"\n... {len(errors) - n} more" if len(errors) > n else "")


class Runs:
    """Runs correlate, checks each document against the schema, keeps them."""

    def __init__(self, t, binary):
        self.t = t
        self.binary = binary
        self.docs = []  # (name, doc)

    def check(self, name, args, expect=None):
        """One run: exit 0 with a JSON document that validates; expect(doc)
        returns what about its shape is wrong (an empty string: nothing)."""
        r = correlate(self.binary, *args)
        if not self.t.ok(r.rc == 0 and r.json is not None, f"{name}: exit 0 with JSON", r):
            return None
        errors = validate(r.json)
        self.t.ok(not errors, f"{name}: validates", show(errors))
        if expect:
            wrong = expect(r.json)
            self.t.ok(not wrong, f"{name}: is the shape meant", wrong)
        self.docs.append((name, r.json))
        return r.json


def shape(fmt, rows, tried=False):
    def expect(j):
        wrong = []
        if j.get("endpoint_format") != fmt:
            wrong.append(f"endpoint_format {j.get('endpoint_format')!r}, not {fmt!r}")
        m = j.get("mappings") or {}
        if ("rows" in m) != rows:
            wrong.append(f"mappings.rows {'missing' if rows else 'present'}")
        if rows and not m.get("rows"):
            wrong.append("mappings.rows is empty")
        if (j.get("endpoint_tried") is not None) != tried:
            wrong.append(f"endpoint_tried {j.get('endpoint_tried')!r}")
        if j.get("replay") is not False:
            wrong.append(f"replay {j.get('replay')!r}")
        return "; ".join(wrong)
    return expect


class NoMetrics:
    """An HTTP front for a Go target whose /metrics answers 404, so that a
    bare host:port is answered by /debug/vars after a failed try."""

    def __init__(self, upstream):
        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_GET(self):
                if self.path.startswith("/metrics"):
                    code, ctype, body = 404, "text/plain; charset=utf-8", b"404 page not found\n"
                else:
                    try:
                        with urllib.request.urlopen(upstream + self.path, timeout=5) as r:
                            code, ctype, body = r.status, r.headers["Content-Type"], r.read()
                    except urllib.error.HTTPError as e:
                        code, ctype, body = e.code, "text/plain", e.read()
                self.send_response(code)
                self.send_header("Content-Type", ctype or "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.hostport = f"127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.server.shutdown()
        self.server.server_close()


def check_schema_itself(t):
    try:
        jsonschema.Draft202012Validator.check_schema(SCHEMA)
        ok, detail = True, ""
    except jsonschema.exceptions.SchemaError as e:
        ok, detail = False, str(e)[:2000]
    t.ok(ok, "the schema is a valid draft 2020-12 schema", detail)
    t.ok(SCHEMA.get("$schema") == "https://json-schema.org/draft/2020-12/schema" and
         SCHEMA.get("$id") and SCHEMA.get("title") and
         "docs/json.md" in SCHEMA.get("description", ""),
         "the schema names draft 2020-12, has $id, title and a description pointing to "
         "docs/json.md")
    defs = SCHEMA["$defs"]
    main = ["process", "system", "os", "go", "mappings", "ledger", "finding"]
    t.ok(all(defs[d].get("title") and "docs/json.md" in defs[d].get("description", "")
             for d in main),
         "the main objects have a title and a description pointing to docs/json.md",
         [d for d in main if not defs[d].get("title")])
    # Every object with a fixed set of keys is closed.
    open_objects = []

    def walk(s, where):
        if isinstance(s, dict):
            if "properties" in s and s.get("additionalProperties") is not False and \
                    not where.endswith(("/if", "/then", "/else")) and "/allOf/" not in where:
                open_objects.append(where)
            for k, v in s.items():
                walk(v, f"{where}/{k}")
        elif isinstance(s, list):
            for i, v in enumerate(s):
                walk(v, f"{where}/{i}")
    walk(SCHEMA, "#")
    t.ok(not open_objects, "every object with fixed keys has additionalProperties: false",
         open_objects)
    req = set(SCHEMA["required"])
    t.ok(PENDING <= req and PENDING <= set(SCHEMA["properties"]),
         "command and not_recorded are in the schema, and required")
    # Every key the schema names is named in docs/json.md.
    doc = open(JSON_MD).read()
    named = {w for span in re.findall(r"`([^`]*)`", doc) for w in re.findall(r"\w+", span)}
    keys = set()

    def props(s):
        if isinstance(s, dict):
            for k, v in s.get("properties", {}).items():
                keys.add(k)
            for v in s.values():
                props(v)
        elif isinstance(s, list):
            for v in s:
                props(v)
    props(SCHEMA)
    missing = sorted(keys - named)
    t.ok(not missing, "every key of the schema is named in docs/json.md", missing)


def live_documents(t, runs, targets):
    for path in targets:
        m = re.search(r"memsvc-go([\d.]+)-(cgo|pure)$", path)
        ver, variant = m.group(1), m.group(2)
        extra = ["-cmalloc", "32MiB"] if variant == "cgo" else []
        with Target([path, "-heap", "16MiB", *extra]) as tg:
            for fmt, p in FORMATS.items():
                for rows in (False, True):
                    name = f"go{ver} {variant}, {fmt}{', --mappings' if rows else ''}"
                    args = ["--pid", str(tg.pid), "--url", tg.url + p, "--json"]
                    runs.check(name, args + (["--mappings"] if rows else []), shape(fmt, rows))


def special_documents(t, runs, targets):
    cgo = [p for p in targets if p.endswith("-cgo")]
    pure = [p for p in targets if p.endswith("-pure")]
    env = {**os.environ, "GOGC": "200", "GOMEMLIMIT": "2GiB", "GODEBUG": "madvdontneed=1",
           "GOMAXPROCS": "2"}

    def env_set(j):
        e = j["process"]["env"]
        want = {"GOGC": "200", "GOMEMLIMIT": "2GiB", "GODEBUG": "madvdontneed=1",
                "GOMAXPROCS": "2", "gomemlimit_bytes": 2 << 30, "read": True}
        return "; ".join(f"env.{k} {e.get(k)!r}" for k, v in want.items() if e.get(k) != v)

    if cgo:
        # Many causes at once: C memory, a mapped file, shared memory, threads,
        # goroutines; environment variables set.
        argv = [cgo[0], "-heap", "16MiB", "-cmalloc", "64MiB", "-filemap", "16MiB",
                "-shmem", "16MiB", "-threads", "40", "-goroutines", "2000", "-stack", "6KiB"]
        with Target(argv, env=env) as tg:
            for fmt, p in FORMATS.items():
                for rows in (False, True):
                    name = f"{os.path.basename(cgo[0])} with everything, {fmt}" + \
                        (", --mappings" if rows else "")
                    j = runs.check(name, ["--pid", str(tg.pid), "--url", tg.url + p, "--json"] +
                                   (["--mappings"] if rows else []), shape(fmt, rows))
                    if j and fmt == "pprof" and not rows:
                        t.ok(not env_set(j), f"{name}: env variables are in the document",
                             env_set(j))
                        t.ok(j["mappings"]["largest_files"], f"{name}: largest_files is filled",
                             j["mappings"]["largest_files"])
    if pure:
        # Idle and fragmented heap; then a bare host:port, answered first try
        # (/metrics) and after a 404 (/debug/vars).
        argv = [pure[-1], "-heap", "8MiB", "-freeheap", "64MiB", "-fragment", "32MiB"]
        with Target(argv, env={**os.environ, "GOGC": "off"}) as tg:
            for rows in (False, True):
                runs.check(f"{os.path.basename(pure[-1])} idle heap, expvar" +
                           (", --mappings" if rows else ""),
                           ["--pid", str(tg.pid), "--url", tg.url + "/debug/vars", "--json"] +
                           (["--mappings"] if rows else []), shape("expvar", rows))
            runs.check("bare host:port", ["--pid", str(tg.pid), "--url", tg.hostport, "--json"],
                       shape("prometheus", False))
            with NoMetrics(tg.url) as front:
                j = runs.check("bare host:port whose /metrics is 404",
                               ["--pid", str(tg.pid), "--url", front.hostport, "--json",
                                "--mappings", "--proxied"], shape("expvar", True, tried=True))
                if j:
                    t.ok("/metrics" in (j["endpoint_tried"] or ""),
                         "endpoint_tried names /metrics", j["endpoint_tried"])
    ids = sorted({f["id"] for _, j in runs.docs for f in j["findings"]})
    sevs = sorted({f["severity"] for _, j in runs.docs for f in j["findings"]})
    t.ok(len(ids) >= 5, f"the documents hold {len(ids)} kinds of finding", ids)
    print(f"# finding ids seen: {', '.join(ids)}; severities: {', '.join(sevs)}", flush=True)


def replay_shape(lacks, rows=False):
    def expect(j):
        wrong = []
        if j.get("replay") is not True or not j.get("source"):
            wrong.append(f"replay {j.get('replay')!r}, source {j.get('source')!r}")
        missing = [f for f in lacks if f not in (j.get("not_recorded") or [])]
        if missing or (not lacks and j.get("not_recorded")):
            wrong.append(f"not_recorded {j.get('not_recorded')!r}, lacks {lacks}")
        if rows and not (j.get("mappings") or {}).get("rows"):
            wrong.append("no mappings.rows")
        return "; ".join(wrong)
    return expect


def replay_documents(t, runs, binary, targets):
    """A live run saved as a recorded pair (--save), and replays of it
    (--fixture) whole and with each optional file taken away."""
    help_text = subprocess.run([binary, "--help"], capture_output=True, text=True).stdout
    if "--fixture" not in help_text or "--save" not in help_text:
        print("# this correlate has no --save/--fixture: no replayed documents", flush=True)
        return
    cgo = [p for p in targets if p.endswith("-cgo")] or targets
    with tempfile.TemporaryDirectory() as d:
        pair = os.path.join(d, "full")
        with Target([cgo[0], "-heap", "16MiB", "-filemap", "8MiB"] +
                    (["-cmalloc", "32MiB"] if cgo[0].endswith("-cgo") else [])) as tg:
            j = runs.check("live run saved as a pair (--save)",
                           ["--pid", str(tg.pid), "--url", tg.url + "/debug/vars", "--save", pair,
                            "--json", "--mappings"], shape("expvar", True))
        if not j or not os.path.isdir(pair):
            t.ok(False, "the pair was saved", pair)
            return
        runs.check("replay of the whole pair", ["--fixture", pair, "--json", "--mappings"],
                   replay_shape([], rows=True))
        for drop in ("smaps", "smaps_rollup", "environ", "cgroup.txt", "meta.json"):
            part = os.path.join(d, "no-" + drop)
            shutil.copytree(pair, part)
            if os.path.exists(os.path.join(part, drop)):
                os.remove(os.path.join(part, drop))
            runs.check(f"replay of the pair without {drop}", ["--fixture", part, "--json"],
                       replay_shape([drop]))
        # The least a pair can be: VIRT and RES off top, and the body.
        top = os.path.join(d, "top")
        os.mkdir(top)
        with open(os.path.join(top, "top"), "w") as f:
            f.write("VIRT 2.4g\nRES 1.7g\n")
        shutil.copy(os.path.join(pair, "vars.json"), top)
        j = runs.check("replay of VIRT and RES off top and a body",
                       ["--fixture", top, "--json", "--mappings"],
                       replay_shape(["meta.json", "smaps", "smaps_rollup", "environ"]))
        if j:
            print(f"# the top-only replay has pid {j['pid']!r}", flush=True)


def made_up_shapes(t, base):
    """Shapes live runs do not give, built from a real document: each must
    validate."""
    def replay_no_smaps(j):
        j.update(replay=True, pid=None, source="/var/tmp/pair-1",
                 command="correlate --replay /var/tmp/pair-1 --json",
                 not_recorded=["smaps", "environ", "meta.json"], mappings=None)
        j["ledger"]["split"] = {k: None for k in j["ledger"]["split"]}
        j["ledger"]["checks"]["split_by_mapping"] = False
        j["ledger"]["checks"]["anon_from_rss"] = True
        j["ledger"]["checks"]["lazy_free_assumed_zero"] = True
        j["process"]["env"] = {"read": False, "not_read_because": "not recorded", "GOGC": None,
                               "GOMEMLIMIT": None, "GODEBUG": None, "GOMAXPROCS": None,
                               "gomemlimit_bytes": None}

    def nothing_known(j):
        j["process"].update(comm=None, exe=None, cmdline=None, user=None, build=None)
        cg = {k: None for k in j["process"]["cgroup"]}
        cg.update(version=None, not_read_because="no memory controller", hierarchy=[],
                  processes=[], pressure=None,
                  events={k: None for k in j["process"]["cgroup"]["events"]})
        j["process"]["cgroup"] = cg
        j["system"] = {"mem_total_bytes": None, "mem_available_bytes": None,
                       "transparent_hugepage": None, "cpus": None}
        j["os"] = {k: None for k in j["os"]}
        j["go"] = {k: None for k in j["go"]}
        for sec in j["ledger"].values():
            for k in sec:
                sec[k] = None
        j["ledger"]["checks"].update(lazy_free_assumed_zero=False, anon_from_rss=False,
                                     split_by_mapping=True)
        j.update(go_version=None, unexplained_bytes=None, findings=[], endpoint_tried=None)

    def extremes(j):
        j["os"]["vm_size_bytes"] = (1 << 64) - 1
        j["go"]["last_gc_ns"] = (1 << 63) + 12345
        j["fetch_seconds"] = 0
        j.update(command="correlate --pid 1 --url http://127.0.0.1:1/metrics --json",
                 not_recorded=[])

    for name, fn in [("a replay without smaps, environ or meta.json", replay_no_smaps),
                     ("nothing known: every nullable value null", nothing_known),
                     ("2^64-1 bytes, a zero fetch time, command and empty not_recorded", extremes)]:
        j = copy.deepcopy(base)
        fn(j)
        errors = validate(j)
        t.ok(not errors, f"made-up shape validates: {name}", show(errors))


def broken_documents(t, base, mapped):
    """Each a real document with one thing broken; the schema must reject it,
    at the place broken."""
    def drop(path):
        def f(j):
            *head, last = path
            o = j
            for k in head:
                o = o[k]
            del o[last]
        return f

    def setv(path, value):
        def f(j):
            *head, last = path
            o = j
            for k in head:
                o = o[k]
            o[last] = value
        return f

    cases = [
        # name, document (base or mapped), change, where the error must be
        ("missing top-level key ledger", base, drop(["ledger"]), "/"),
        ("missing top-level key findings", base, drop(["findings"]), "/"),
        ("missing os.vm_rss_bytes", base, drop(["os", "vm_rss_bytes"]), "/os"),
        ("missing go.heap_released_bytes", base, drop(["go", "heap_released_bytes"]), "/go"),
        ("missing the thread_stacks class", base, drop(["mappings", "classes", "thread_stacks"]),
         "/mappings/classes"),
        ("missing ledger.checks.sys_adds_up", base, drop(["ledger", "checks", "sys_adds_up"]),
         "/ledger/checks"),
        ("missing process.env", base, drop(["process", "env"]), "/process"),
        ("a finding without id", base, drop(["findings", 0, "id"]), "/findings/0"),
        ("a finding without severity", base, drop(["findings", 0, "severity"]), "/findings/0"),
        ("a byte count as a float (1024.0)", base, setv(["os", "vm_rss_bytes"], 1024.0),
         "/os/vm_rss_bytes"),
        ("a byte count as a float (1.5)", base, setv(["findings", 0, "bytes"], 1.5),
         "/findings/0/bytes"),
        ("a byte count as a float in a class", base,
         setv(["mappings", "classes", "go_heap", "rss_bytes"], 4096.0),
         "/mappings/classes/go_heap/rss_bytes"),
        ("a byte count as a string", base, setv(["go", "sys_bytes"], "75653400"),
         "/go/sys_bytes"),
        ("a byte count as a string in the ledger", base,
         setv(["ledger", "anon", "footprint_bytes"], "1 MiB"), "/ledger/anon/footprint_bytes"),
        ("a byte count as a boolean", base, setv(["unexplained_bytes"], True),
         "/unexplained_bytes"),
        ("a negative byte count", base, setv(["os", "rss_anon_bytes"], -4096),
         "/os/rss_anon_bytes"),
        ("a byte count over 2^64-1", base, setv(["os", "vm_size_bytes"], 1 << 64),
         "/os/vm_size_bytes"),
        ("null where correlate always writes a number (class bytes)", base,
         setv(["mappings", "classes", "files", "size_bytes"], None),
         "/mappings/classes/files/size_bytes"),
        ("null finding bytes", base, setv(["findings", 0, "bytes"], None), "/findings/0/bytes"),
        ("an unknown severity", base, setv(["findings", 0, "severity"], "error"),
         "/findings/0/severity"),
        ("severity in capitals", base, setv(["findings", 0, "severity"], "Info"),
         "/findings/0/severity"),
        ("an unknown finding id", base, setv(["findings", 0, "id"], "cgo_malloc"),
         "/findings/0/id"),
        ("an empty summary", base, setv(["findings", 0, "summary"], ""), "/findings/0/summary"),
        ("an unknown key in a finding", base, setv(["findings", 0, "url"], "x"), "/findings/0"),
        ("schema_version 2", base, setv(["schema_version"], 2), "/schema_version"),
        ("schema_version as a string", base, setv(["schema_version"], "1"), "/schema_version"),
        ("tool.name not correlate", base, setv(["tool", "name"], "other"), "/tool/name"),
        ("endpoint_format json", base, setv(["endpoint_format"], "json"), "/endpoint_format"),
        ("captured_at with an offset", base, setv(["captured_at"], "2024-05-01T12:00:00+02:00"),
         "/captured_at"),
        ("captured_at with a space", base, setv(["captured_at"], "2024-05-01 12:00:00Z"),
         "/captured_at"),
        ("captured_at as seconds", base, setv(["captured_at"], 1714564800), "/captured_at"),
        ("fetch_seconds negative", base, setv(["fetch_seconds"], -0.5), "/fetch_seconds"),
        ("an unknown top-level key", base, setv(["extra"], 1), "/"),
        ("an unknown key in os", base, setv(["os", "vm_foo_bytes"], 0), "/os"),
        ("an unknown key in a ledger section", base, setv(["ledger", "res", "total_bytes"], 0),
         "/ledger/res"),
        ("an unknown ledger section", base, setv(["ledger", "cgo"], {}), "/ledger"),
        ("an unknown mapping class", base,
         setv(["mappings", "classes", "go_stack"], base["mappings"]["classes"]["go_heap"]),
         "/mappings/classes"),
        ("an unknown key in process.build", base, setv(["process", "build", "vcs"], "git"),
         "/process/build"),
        ("cgo as 1", base, setv(["process", "build", "cgo"], 1), "/process/build/cgo"),
        ("an empty string for an unknown one", base, setv(["process", "user"], ""),
         "/process/user"),
        ("cgroup version 3", base, setv(["process", "cgroup", "version"], 3),
         "/process/cgroup/version"),
        ("transparent_hugepage sometimes", base,
         setv(["system", "transparent_hugepage"], "sometimes"), "/system/transparent_hugepage"),
        ("smaps_rollup.size_bytes a number", base, setv(["os", "smaps_rollup", "size_bytes"], 4096),
         "/os/smaps_rollup/size_bytes"),
        ("a live run with a source", base, setv(["source"], "/tmp/pair"), "/source"),
        ("a live run without pid", base, setv(["pid"], None), "/pid"),
        ("a live run with not_recorded", base, setv(["not_recorded"], ["smaps"]),
         "/not_recorded"),
        ("not_recorded a string", base, setv(["not_recorded"], "smaps"), "/not_recorded"),
        ("command a list", base, setv(["command"], ["correlate", "--json"]), "/command"),
        ("replay a string", base, setv(["replay"], "false"), "/replay"),
        ("a replay lacking smaps, with mappings", base,
         lambda j: j.update(replay=True, source="/tmp/pair", not_recorded=["smaps"]), "/mappings"),
        ("a replay lacking environ, with env read", base,
         lambda j: j.update(replay=True, source="/tmp/pair", not_recorded=["environ"]),
         "/process/env/read"),
        ("not_recorded naming a file twice", base,
         lambda j: j.update(replay=True, source="/tmp/pair", not_recorded=["status", "status"]),
         "/not_recorded"),
        ("mappings null but split_by_mapping true", base, setv(["mappings"], None),
         "/ledger/checks/split_by_mapping"),
        ("more than five largest_files", base,
         setv(["mappings", "largest_files"], [{"path": "/f", "rss_bytes": 1, "size_bytes": 1}] * 6),
         "/mappings/largest_files"),
        ("a mapping row with an unknown class", mapped,
         setv(["mappings", "rows", 0, "class"], "heap"), "/mappings/rows/0/class"),
        ("a mapping row with 0x addresses", mapped,
         setv(["mappings", "rows", 0, "start"], "0x400000"), "/mappings/rows/0/start"),
        ("a mapping row with bad perms", mapped, setv(["mappings", "rows", 0, "perms"], "rw"),
         "/mappings/rows/0/perms"),
        ("a mapping row with size as a float", mapped,
         setv(["mappings", "rows", 0, "size_bytes"], 4096.0), "/mappings/rows/0/size_bytes"),
        ("a mapping row without path", mapped, drop(["mappings", "rows", 0, "path"]),
         "/mappings/rows/0"),
    ]
    rejected = []
    for name, doc, change, where in cases:
        j = copy.deepcopy(doc)
        change(j)
        errors = validate(j)
        hit = [e for e in errors if e.split(": ", 1)[0] == where]
        t.ok(errors and hit, f"rejected: {name} (at {where})", show(errors) or "no error")
        if errors:
            rejected.append(j)
    return rejected


def debian_python_agrees(t, good, bad):
    """The same verdicts from Debian's python3 and python3-jsonschema, in
    case this python3 is another (a pyenv one first on PATH)."""
    deb = "/usr/bin/python3"
    if not os.path.exists(deb) or os.path.realpath(deb) == os.path.realpath(sys.executable):
        return
    with tempfile.TemporaryDirectory() as d:
        paths = []
        for i, doc in enumerate([good] + bad):
            p = os.path.join(d, f"{i}.json")
            with open(p, "w") as f:
                json.dump(doc, f)
            paths.append(p)
        script = os.path.join(HERE, "schema.py")
        r = subprocess.run([deb, script, paths[0]], capture_output=True, text=True)
        t.ok(r.returncode == 0, f"{deb} (Debian's jsonschema) validates a real document",
             r.stdout + r.stderr)
        missed = []
        for p in paths[1:]:
            r = subprocess.run([deb, script, p], capture_output=True, text=True)
            if r.returncode != 1 or "Traceback" in r.stderr:
                missed.append((os.path.basename(p), r.returncode, r.stderr[-300:]))
        t.ok(not missed, f"{deb} (Debian's jsonschema) rejects the {len(paths) - 1} broken ones",
             missed)


def main():
    binary, targets = sys.argv[1], sys.argv[2:]
    t = Tap()
    print(f"# {sys.executable}: jsonschema from {os.path.dirname(jsonschema.__file__)}",
          flush=True)
    check_schema_itself(t)
    runs = Runs(t, binary)
    live_documents(t, runs, targets)
    special_documents(t, runs, targets)
    replay_documents(t, runs, binary, targets)
    t.ok(len(runs.docs) >= 6, f"{len(runs.docs)} real documents validated")
    live = [j for _, j in runs.docs if j["replay"] is False]
    plain = [j for j in live if j["mappings"] and "rows" not in j["mappings"] and j["findings"]]
    mapped = [j for j in live if j["mappings"] and j["mappings"].get("rows")]
    if t.ok(plain and mapped, "real documents to break, with and without --mappings"):
        made_up_shapes(t, plain[0])
        bad = broken_documents(t, plain[0], mapped[0])
        debian_python_agrees(t, plain[0], bad)
    t.done()


if __name__ == "__main__":
    main()
