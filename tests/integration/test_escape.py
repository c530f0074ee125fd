#!/usr/bin/env python3
"""Quoted text is escaped everywhere (issue 9, item 6): bytes from the
endpoint, the process and the pair files never reach the terminal raw.

A hostile HTTP server on 127.0.0.1 answers with bodies in each format that
hold terminal escape sequences (and BEL, CR, BS, DEL, a C1 control, invalid
UTF-8) where the error message quotes them, and with such bytes in its
status line, Content-Type and redirect Location headers; a Go target runs
from a folder whose name holds them (so its exe and cmdline do), with a file
mapping and environment variables that hold them, and another as a binary
whose file name holds them (its comm).  The real
correlate binary runs against both in text, --json and --format markdown,
records a pair and checks it (check --junit), and every byte of its stdout
and stderr is held to escape.h's rule: no byte below 0x20 but the newline
(and the tab, in JSON's indentation), no DEL, no C1 control, valid UTF-8;
JSON output parses; JUnit XML parses.

usage: test_escape.py CORRELATE GO_TARGET"""

import json
import os
import re
import shutil
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import xml.etree.ElementTree as ET

from harness import WRAPPER, Tap, Target

# ESC ] title BEL, clear screen, red, CR, BS; an invalid byte, CSI as a C1
# control, DEL.  No space, colon, quote or newline.
H = b"\x1b]0;owned\x07\x1b[2J\x1b[31mRED\r\x08\xff\xc2\x9b\x7f"
# How correlate must show it.
H_ESC = rb"\x1b]0;owned\x07\x1b[2J\x1b[31mRED\x0d\x08\xff\xc2\x9b\x7f"

PPROF_HEAD = b"heap profile: 1: 2 [3: 4] @ heap/1048576\n\n# runtime.MemStats\n"


def raw_lines(data, layout=b"\n"):
    """The bytes of data that break the rule, as (line number, reason), at
    most a few: each line (split at the allowed layout bytes) must be valid
    UTF-8 with no control byte, DEL or C1 control."""
    bad = []
    for n, line in enumerate(re.split(b"[" + re.escape(layout) + b"]", data), 1):
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError as e:
            bad.append((n, f"invalid UTF-8 at {e.start}: {line[:120]!r}"))
            continue
        for ch in text:
            if ord(ch) < 0x20 or 0x7f <= ord(ch) <= 0x9f:
                bad.append((n, f"raw U+{ord(ch):04X}: {line[:120]!r}"))
                break
        if len(bad) >= 5:
            break
    return bad


class Run:
    def __init__(self, argv, cp):
        self.argv, self.rc, self.out, self.err = argv, cp.returncode, cp.stdout, cp.stderr

    def __repr__(self):
        return (f"argv={self.argv!r}\nrc={self.rc}\nstdout={self.out[:1500]!r}\n"
                f"stderr={self.err[:1500]!r}")


def correlate(binary, *args, timeout=60):
    """correlate with stdout and stderr as bytes, exactly as a terminal
    would get them."""
    argv = [*WRAPPER, binary, *args]
    return Run(argv, subprocess.run(argv, capture_output=True, timeout=timeout))


def clean(t, r, name, json_out=False, code=None, needle=None):
    """r's stdout and stderr follow the rule; its exit code is code (if
    given); needle (bytes) is in stdout or stderr: the quote is there,
    escaped."""
    bad = raw_lines(r.out, b"\n\t" if json_out else b"\n") + raw_lines(r.err)
    ok = not bad and (code is None or r.rc == code) and \
        (needle is None or needle in r.out or needle in r.err)
    doc = None
    if ok and json_out:
        try:
            doc = json.loads(r.out.decode("utf-8"))
        except ValueError as e:
            ok, bad = False, [("json", str(e))]
    t.ok(ok, name, f"{bad}\n{r}" + (f"\nwanted {needle!r}" if needle else ""))
    return doc


# ---- the hostile server -------------------------------------------------------

def response(status, body, headers=()):
    head = b"HTTP/1.1 " + status + b"\r\n"
    for h in headers:
        head += h + b"\r\n"
    head += b"Content-Length: " + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n"
    return head + body


def good_prom(root):
    """A real Prometheus capture whose go_info version holds H."""
    with open(os.path.join(root, "fixtures", "healthy", "go1.22-pure", "metrics.prom"),
              "rb") as f:
        body = f.read()
    body = re.sub(rb'go_info\{version="[^"]*"\}', b'go_info{version="go1.22' + H + b'"}', body)
    assert H in body
    return body


def routes(root, port):
    here = f"http://127.0.0.1:{port}".encode()
    return {
        # the body
        b"/prom": response(b"200 OK", b"go_memstats_sys_bytes" + H + b" 12\n",
                           [b"Content-Type: text/plain; version=0.0.4"]),
        b"/prom-value": response(b"200 OK", b"go_memstats_sys_bytes 1" + H + b"\n"),
        b"/prom-go-info": response(b"200 OK", b'go_info{version="go1.21' + H +
                                   b'"} 1\ngo_info{version="go1.22' + H[::-1] + b'"} 1\n'),
        b"/pprof": response(b"200 OK", PPROF_HEAD + H + b"\n"),
        b"/pprof-value": response(b"200 OK", PPROF_HEAD + b"# Sys = " + H + b"\n"),
        b"/pprof-inuse": response(b"200 OK", PPROF_HEAD + b"# Stack = 5 " + H + b"\n"),
        b"/expvar": response(b"200 OK", b'{"' + H + b'": 1}', [b"Content-Type: application/json"]),
        b"/expvar-memstats": response(b"200 OK", b'{"memstats": {"Sys": 1' + H + b"}}"),
        b"/detect": response(b"200 OK", H + b" and more"),
        b"/goroutine": response(b"200 OK", b"goroutine profile: " + H),
        # headers and status lines
        b"/content-type": response(b"200 OK", H, [b"Content-Type: text/plain" + H]),
        b"/status-404": response(b"404 Not" + H, H + b" not found\n"),
        b"/status-500": response(b"500 " + H, b"  \n" + H + b"\r\nsecond line\n"),
        b"/redirect-other": response(b"302 Found", b"",
                                     [b"Location: http://192.0.2.1:6060/" + H]),
        b"/redirect-other-clean": response(b"302 Found", b"",
                                           [b"Location: http://192.0.2.1:6060/\xc3\xa9\xff"]),
        b"/redirect-same": response(b"302 Found", b"", [b"Location: /detect?" + H]),
        b"/redirect-loop": response(b"302 Found", b"", [b"Location: " + here +
                                                         b"/redirect-loop"]),
        b"/header-junk": response(b"200 OK", H, [b"X-" + H + b": " + H]),
        b"/http09": H + b"\r\n",
        # a good body: a report, with go_info's version holding H
        b"/good-prom": response(b"200 OK", good_prom(root)),
    }


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        data = b""
        self.request.settimeout(5)
        try:
            while b"\r\n\r\n" not in data and len(data) < 65536:
                chunk = self.request.recv(4096)
                if not chunk:
                    return
                data += chunk
            path = data.split(b" ", 2)[1].split(b"?", 1)[0]
            self.request.sendall(self.server.routes.get(
                path, response(b"404 Not Found", b"404 page not found\n")))
        except (OSError, IndexError):
            pass


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


# ---- the runs -----------------------------------------------------------------

def main():
    binary, gotarget, root = sys.argv[1], sys.argv[2], sys.argv[3]
    t = Tap()
    work = tempfile.mkdtemp(prefix="correlate-escape-")
    wb = os.fsencode(work)
    srv = Server(("127.0.0.1", 0), Handler)
    port = srv.server_address[1]
    srv.routes = routes(root, port)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{port}"

    # The Go target from a folder whose name holds H (its exe and cmdline
    # do); its -filemap file in a TMPDIR that holds H; GODEBUG and GOGC
    # holding H.  And the same binary named with H: its comm holds the
    # first 15 bytes.
    bindir = os.path.join(wb, b"bin" + H)
    os.mkdir(bindir)
    exe = os.path.join(bindir, b"memsvc")
    shutil.copy(gotarget, exe)
    named = os.path.join(wb, b"m" + H)
    shutil.copy(gotarget, named)
    tmpdir = os.path.join(wb, b"tmp" + H)
    os.mkdir(tmpdir)
    env = {k.encode(): v.encode() for k, v in os.environ.items()}
    env.update({b"TMPDIR": tmpdir, b"GODEBUG": b"madvdontneed=0,x" + H, b"GOGC": b"100" + H})
    try:
        with Target([exe, "-heap", "4MiB", "-filemap", "2MiB"], env=env) as go, \
                Target([named, "-heap", "1MiB"]) as gon:
            pid = str(go.pid)
            with open(f"/proc/{gon.pid}/stat", "rb") as f:
                comm = f.read().split(b"(", 1)[1].rsplit(b")", 1)[0]
            t.ok(comm == (b"m" + H)[:15], "the named target's comm holds the bytes", comm)
            with open(f"/proc/{pid}/maps", "rb") as f:
                maps = f.read()
            t.ok(tmpdir in maps, "the target maps a file whose path holds them", maps[-600:])

            # --- a report on the process: text, JSON, Markdown -------------------------
            r = correlate(binary, "--pid", pid, "--url", go.url, "--mappings")
            clean(t, r, "text report with --mappings: exe, mapping paths escaped", code=0,
                  needle=b"/tmp" + H_ESC)
            t.ok(os.path.join(wb, b"tmp" + H_ESC) in r.out,
                 "the file mapping's path shows escaped in --mappings", r)
            doc = clean(t, correlate(binary, "--pid", pid, "--url", go.url, "--json",
                                     "--mappings"), "--json report", json_out=True, code=0)
            if doc:
                p = doc["process"]
                # valid UTF-8 comes back exactly, the invalid byte as \xNN.
                # (exe, cmdline and comm come from libproc2, which already
                # shows a control byte as '.' and a non-ASCII one as '?'.)
                t.ok(p["env"]["GODEBUG"] == "madvdontneed=0,x\x1b]0;owned\x07\x1b[2J"
                     "\x1b[31mRED\r\b\\xff\u009b\u007f" and
                     p["exe"].endswith("/bin.]0;owned..[2J.[31mRED..???./memsvc"),
                     "JSON strings are the bytes: exact where UTF-8, \\xNN where not",
                     json.dumps(p)[:1500])
                paths = [f["path"] for f in doc["mappings"]["largest_files"]] + \
                    [x["path"] for x in doc["mappings"].get("rows", [])]
                t.ok(any("tmp\x1b]0;owned\x07" in x for x in paths),
                     "JSON mapping paths hold the path", paths[:20])
            clean(t, correlate(binary, "--pid", pid, "--url", go.url, "--format", "markdown"),
                  "Markdown report", code=0)

            # The named one: a report on it, every byte of its name escaped
            # (libproc2 gives its comm with '.' for each control byte, status'
            # Name has the bytes: the same program all the same).
            r = correlate(binary, "--pid", str(gon.pid), "--url", gon.url)
            clean(t, r, "a report on a process whose name holds control bytes", code=0)
            r = correlate(binary, "--pid", str(gon.pid), "--url", base + "/good-prom")
            clean(t, r, "another process's socket: exit 5, names escaped", code=5,
                  needle=f"not by pid {gon.pid} (m".encode())

            # A report whose endpoint's go_info version holds them.
            # A go_info version that is not a Go version is refused (the
            # unprivileged fetch hands back only a plain version): one
            # error, exit 4, the label quoted escaped.
            for fmt in ("text", "json", "markdown"):
                r = correlate(binary, "--pid", pid, "--url", base + "/good-prom", "--proxied",
                              "--format", fmt)
                clean(t, r, f"a hostile Go version in go_info: --format {fmt}: exit 4",
                      code=4, needle=b"is not a Go version")
                t.ok(b"go1.22" + H_ESC[:20] in r.err,
                     f"a hostile Go version in go_info: --format {fmt}: quoted escaped", r)

            # --- errors: each format's quote, headers, redirects, libcurl -------------
            errors = [
                ("/prom", b"expected a space before the value: \"go_memstats_sys_bytes" + H_ESC),
                ("/prom-value", b"the value is not a number: \"go_memstats_sys_bytes 1" + H_ESC),
                ("/prom-go-info", b"go_info's version \"go1.21" + H_ESC[:20]),
                ("/pprof", b"expected \"# Key = value\": \"" + H_ESC),
                ("/pprof-value", b"Sys: not a non-negative 64-bit integer: \" " + H_ESC),
                ("/pprof-inuse", b"expected \"inuse / sys\", got \" 5 " + H_ESC),
                ("/expvar", b"a control character in a string"),
                ("/expvar-memstats", b"expvar: not valid JSON"),
                ("/detect", b"(starts \"" + H_ESC),
                ("/goroutine", b"without MemStats (\"goroutine profile: " + H_ESC[:20]),
                ("/content-type", b"(starts \"" + H_ESC),
                # the first line ends at the CR in H
                ("/status-404", b"HTTP 404: " + H_ESC[:H_ESC.index(rb"\x0d")] + b"\n"),
                ("/status-500", b"HTTP 500: " + H_ESC[:H_ESC.index(rb"\x0d")] + b"\n"),
                ("/redirect-other", None),
                ("/redirect-other-clean", b"redirected to http://192.0.2.1:6060/"),
                ("/redirect-same", None),
                ("/redirect-loop", b"more than 5 redirects"),
                ("/header-junk", None),
                ("/http09", None),
            ]
            for path, needle in errors:
                for fmt in ("text", "json", "markdown"):
                    r = correlate(binary, "--pid", pid, "--url", base + path, "--proxied",
                                  "--format", fmt, "--timeout", "3")
                    clean(t, r, f"{path}, --format {fmt}: exit 4, stderr escaped", code=4,
                          needle=needle)
            # The URL itself, and libcurl's message about it.
            r = correlate(binary, "--pid", pid, "--url", b"http://127.0.0.1:1/" + H)
            clean(t, r, "a --url holding control bytes: refused, quoted escaped", code=2,
                  needle=b"--url: cannot parse \"http://127.0.0.1:1/" + H_ESC)
            r = correlate(binary, "--pid", pid, "--url", b"http://127.0.0.1:1/\xc3\xa9\xff",
                          "--proxied", "--timeout", "2")
            clean(t, r, "a --url holding invalid UTF-8", code=None)
            r = correlate(binary, "--pid", pid, "--url", b"http://h\xff\xc2\x9b.invalid:1/",
                          "--proxied", "--timeout", "2")
            clean(t, r, "a host name libcurl quotes back")

            # --- a recorded pair, replayed and checked ---------------------------------
            pair = os.path.join(wb, b"pair" + H)
            r = correlate(binary, "--pid", pid, "--url", go.url, "--save", pair)
            clean(t, r, "--save into a folder whose name holds them", code=0)
            for fmt in ("text", "json", "markdown"):
                r = correlate(binary, "--fixture", pair, "--format", fmt)
                clean(t, r, f"--fixture replay, --format {fmt}", json_out=fmt == "json",
                      code=0, needle=None if fmt != "text" else b"pair" + H_ESC)
            with open(os.path.join(pair, b"meta.json"), "rb") as f:
                meta = f.read()
            t.ok(not raw_lines(meta, b"\n\t") and json.loads(meta),
                 "meta.json: printable, valid JSON", meta[:800])

            # A pair made by hand (or by anyone): its meta.json holds the
            # bytes raw in every string a report shows.
            forged = os.path.join(wb, b"forged" + H)
            shutil.copytree(pair, forged)
            m = json.loads(meta)
            m["url"] = "http://127.0.0.1:1/@URL@"
            m["endpoint_tried"] = "/metrics (@TRIED@)"
            m["process"].update(comm="m@COMM@", exe="/opt/@EXE@/svc", cmdline="svc --x=@CMD@")
            m["build"].update(go_version="go1.23@VER@", path="example.com/@PATH@",
                              goarch="amd64@ARCH@")
            text = json.dumps(m).encode()
            for k in (b"URL", b"TRIED", b"COMM", b"EXE", b"CMD", b"VER", b"PATH", b"ARCH"):
                text = text.replace(b"@" + k + b"@", H)
            with open(os.path.join(forged, b"meta.json"), "wb") as f:
                f.write(text)
            needles = {"text": [b"(m" + H_ESC[:36], b"endpoint  http://127.0.0.1:1/" + H_ESC,
                                b"tried     /metrics (" + H_ESC,
                                b"replayed from " + forged.replace(H, H_ESC)],
                       # Markdown escapes the escapes' backslashes, and [
                       "markdown": [b"(m\\\\x1b]0;owned\\\\x07\\\\x1b\\[2J",
                                    b"| endpoint | http://127.0.0.1:1/\\\\x1b]0;owned",
                                    b"amd64\\\\x1b]0;owned"],
                       "json": []}
            for fmt in ("text", "json", "markdown"):
                r = correlate(binary, "--fixture", forged, "--format", fmt)
                doc = clean(t, r, f"--fixture of a forged pair, --format {fmt}",
                            json_out=fmt == "json", code=0)
                missing = [n for n in needles[fmt] if n not in r.out]
                t.ok(not missing, f"--format {fmt} shows the forged strings escaped",
                     f"missing {missing}\n{r}")
                if doc:
                    p = doc["process"]
                    t.ok(p["comm"] == "m\x1b]0;owned\x07\x1b[2J\x1b[31mRED\r\b\\xff"
                         "\u009b\u007f" and doc["url"].endswith("\\xff\u009b\u007f") and
                         p["build"]["path"] == "example.com/" + p["comm"][1:],
                         "--json of the forged pair: exact where UTF-8, \\xNN where not",
                         json.dumps(p)[:1200])
            junit = os.path.join(wb, b"junit" + H[:1] + b".xml")
            r = correlate(binary, "check", "--junit", junit, pair)
            clean(t, r, "check: the PASS line names the pair escaped", code=0,
                  needle=b"PASS " + pair.replace(b"pair" + H, b"pair" + H_ESC))
            with open(os.path.join(pair, b"expect.json"), "wb") as f:
                f.write(b'{"must_include": ["non_go_anon"], "' + H + b'": 1}')
            r = correlate(binary, "check", "--junit", junit, pair)
            clean(t, r, "check: a hostile expect.json key fails, quoted escaped", code=1,
                  needle=b"expect.json: unknown key \"" + H_ESC)
            with open(junit, "rb") as f:
                xml = f.read()
            ok, detail = not raw_lines(xml), xml[:1500]
            try:
                case = ET.fromstring(xml).find("testsuite").find("testcase")
                msg = case.find("failure").get("message")
                ok = ok and "\\x1b]0;owned\\x07" in case.get("name") and \
                    "unknown key \"\\x1b]0;owned\\x07" in msg
            except (ET.ParseError, AttributeError) as e:
                ok, detail = False, f"{e}: {detail}"
            t.ok(ok, "--junit: well-formed XML, the name and the failure escaped", detail)
            with open(os.path.join(pair, b"expect.json"), "wb") as f:
                f.write(b'{"findings": {"non_go_anon": {"max_bytes": "1B"}}, "comment": "' +
                        H.replace(b"\xff", b"") + b'"}')
            r = correlate(binary, "check", "--junit", junit, pair)
            clean(t, r, "check: a failing expectation, in a hostile folder", code=1)
            with open(junit, "rb") as f:
                xml = f.read()
            try:
                ET.fromstring(xml)
                ok = not raw_lines(xml)
            except ET.ParseError as e:
                ok = False
            t.ok(ok, "--junit again: well-formed", xml[:1500])
    finally:
        srv.shutdown()

    # --- check's usage errors ---------------------------------------------------------
    r = correlate(binary, "check", "nonexistent/")
    lines = r.err.decode("utf-8", "replace").splitlines()
    t.ok(r.rc == 2 and r.out == b"" and len(lines) == 2 and
         lines[0] == "correlate check: nonexistent/: no such file or folder" and
         lines[1].startswith("correlate check: try: ") and "recorded pair" in lines[1],
         "check nonexistent/: exit 2, what failed and a try: line", r)
    clean(t, correlate(binary, "check", b"no" + H), "check of a missing path: quoted escaped",
          code=2, needle=b"no" + H_ESC + b": no such file or folder")
    clean(t, correlate(binary, "check", "--fail-on", H, "x"), "check --fail-on: escaped", code=2,
          needle=b"\"" + H_ESC + b"\" is not warning")
    clean(t, correlate(binary, "check", "--max-unexplained", H, "x"),
          "check --max-unexplained: escaped", code=2)
    clean(t, correlate(binary, "check", b"--" + H), "check, an unknown option: escaped", code=2)

    # A process that is not Go, named with the bytes: run.c's message names it.
    sleeper = os.path.join(wb, b"s" + H)
    shutil.copy("/bin/sleep", sleeper)
    p = subprocess.Popen([sleeper, "60"])
    try:
        r = correlate(binary, "--pid", str(p.pid), "--url", "127.0.0.1:1")
        clean(t, r, "a non-Go process with a hostile name: exit 3, the message escaped",
              code=3, needle=b"is not a Go program")
    finally:
        p.kill()
        p.wait()
    shutil.rmtree(work, ignore_errors=True)
    t.done()


if __name__ == "__main__":
    main()
