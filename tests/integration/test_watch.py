#!/usr/bin/env python3
"""correlate watch, diff, series replay and check, and the SVG (issue 14),
against real Go programs growing at known rates (tests/targets/memsvc,
growth.go) and real /proc.

usage: test_watch.py CORRELATE CGO_TARGET PURE_TARGET"""

import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request
import xml.etree.ElementTree as ET
import zlib

import schema
from harness import WRAPPED, MiB, Tap, Target, correlate
from test_cgroup import Cgroup, memory_cgroup

EVERY = "0.2"
# Under valgrind (CORRELATE_WRAPPER) a sample takes far longer: watch longer,
# expect fewer samples.
SLOW = 3 if WRAPPED else 1
MIN_SAMPLES = 8 if WRAPPED else 20


def dur(seconds):
    return str(seconds * SLOW)
SVG_NS = "{http://www.w3.org/2000/svg}"
PARTS = ["go_heap", "go_runtime", "non_go_anon", "file", "shared"]
CHROMIUM = "/usr/bin/chromium"

_summary_validator = schema._Validator({"$ref": "#/$defs/summary",
                                        "$defs": schema.SCHEMA["$defs"]})


def summary_errors(doc):
    return [f"{'/'.join(map(str, e.path))}: {e.message}"
            for e in _summary_validator.iter_errors(doc)]


def watch(binary, *args, timeout=60):
    """Runs correlate watch --json; returns (result, samples, summary)."""
    r = correlate(binary, "watch", "--json", *args, timeout=timeout)
    docs = []
    for line in r.out.splitlines():
        try:
            docs.append(json.loads(line))
        except ValueError:
            docs.append({"unparsed": line})
    samples = [d for d in docs if d.get("kind") != "summary"]
    summary = docs[-1] if docs and docs[-1].get("kind") == "summary" else None
    return r, samples, summary


def growth(summary, line):
    for g in (summary or {}).get("growth", []):
        if g["line"] == line:
            return g
    return None


def line_state(summary, line):
    for x in (summary or {}).get("lines", []):
        if x["line"] == line:
            return x
    return {}


def png_pixels(path):
    """(width, height, rows of (r, g, b)) of an 8-bit RGB or RGBA PNG, as
    chromium writes its screenshots."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, w = 8, b"", 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and ctype in (2, 6), f"PNG colour type {ctype} depth {depth}"
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride = w * bpp
    rows, prev = [], bytearray(stride)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append([tuple(line[x * bpp:x * bpp + 3]) for x in range(w)])
        prev = line
    return w, h, rows


def near(px, rgb, tol=40):
    return all(abs(a - b) <= tol for a, b in zip(px, rgb))


def check_svg(t, svg, png):
    """The SVG: well-formed XML, self-contained, the five stacked areas with
    the non-Go one rising; then chromium's screenshot of it shows them."""
    try:
        root = ET.parse(svg).getroot()
    except (ET.ParseError, OSError) as e:
        t.ok(False, "--svg: the file is well-formed XML", e)
        return
    t.ok(root.tag == SVG_NS + "svg", "--svg: the root is <svg>", root.tag)
    text = open(svg).read()
    t.ok("<script" not in text and "href" not in text and "@import" not in text and
         "url(" not in text, "--svg: self-contained (no script, link, import or url())")
    polys = {p.get("id"): p for p in root.iter(SVG_NS + "polygon")}
    t.ok(all(k in polys for k in PARTS), "--svg: one area per owner: " + ", ".join(PARTS),
         sorted(polys))
    gml = [l for l in root.iter(SVG_NS + "line") if l.get("id") == "gomemlimit"]
    t.ok(len(gml) == 1, "--svg: GOMEMLIMIT drawn as a line")
    if "non_go_anon" in polys:
        pts = [tuple(map(float, p.split(","))) for p in polys["non_go_anon"].get("points").split()]
        n = len(pts) // 2
        top = pts[:n]  # the upper edge, left to right; SVG y grows downwards
        t.ok(n >= 5 and top[-1][1] < top[0][1] - 50,
             "--svg: the non-Go area's top edge rises over the series", top[:2] + top[-2:])
    if not os.path.exists(CHROMIUM):
        t.ok(False, f"chromium renders the SVG: {CHROMIUM} is missing (apt-get install "
                    "chromium; scripts/install-deps installs it)")
        return
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
           f"--screenshot={png}", "--window-size=960,480", "file://" + os.path.abspath(svg)]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=120,
                       env=dict(os.environ, HOME=os.path.dirname(png)))
    t.ok(p.returncode == 0 and os.path.exists(png), "chromium --headless --screenshot renders "
         "the SVG", p.stderr[-1500:])
    if not os.path.exists(png):
        return
    w, h, rows = png_pixels(png)
    # The colours svg.c gives the areas (fill-opacity 0.9 on white).
    colours = {"go_heap": (0x4e, 0x79, 0xa7), "non_go_anon": (0xe1, 0x57, 0x59),
               "file": (0x59, 0xa1, 0x4f)}
    counts = {k: 0 for k in colours}
    for row in rows[::2]:
        for px in row[::2]:
            for k, rgb in colours.items():
                if near(px, tuple(int(c * 0.9 + 255 * 0.1) for c in rgb)):
                    counts[k] += 1
    t.ok(counts["non_go_anon"] > 5000 and counts["file"] > 200,
         "the screenshot shows the stacked areas (non-Go anonymous large, file-backed "
         "above it)", counts)
    # Non-Go anonymous is thicker at the right than at the left: it grows.
    def column(x):
        return sum(1 for y in range(h) if near(rows[y][x], (0xe5, 0x6b, 0x6d)))
    left, right = column(int(w * 0.12)), column(int(w * 0.72))
    t.ok(right > left * 1.3, "the screenshot: the non-Go area is taller at the end than at "
         "the start", (left, right))


def main():
    binary, cgo, pure = sys.argv[1], sys.argv[2], sys.argv[3]
    t = Tap()
    work = tempfile.mkdtemp(prefix="correlate-watch-")
    try:
        # --- a C leak at 4 MiB/s: growing on non-Go anonymous memory ---------
        rate = 4 * MiB
        series = os.path.join(work, "series-cleak")
        svg = os.path.join(work, "cleak.svg")
        env = dict(os.environ, GOMEMLIMIT="96MiB")
        with Target([cgo, "-leak-c", "4MiB"], env=env) as tg:
            r, samples, summ = watch(binary, "--pid", str(tg.pid), "--url",
                                     tg.url + "/debug/vars", "--every", EVERY, "--for", dur(6),
                                     "--save", series, "--svg", svg)
        t.ok(r.rc == 0 and summ is not None, "watch --json: exit 0 and a summary last", r)
        t.ok(len(samples) >= MIN_SAMPLES and all("schema_version" in s for s in samples),
             f"watch --json: one report per sample ({len(samples)})", r.out[:500])
        bad = [e for s in samples for e in schema.validate(s)]
        t.ok(not bad, "every sample is a single-report document (the JSON Schema)", bad[:5])
        t.ok(all(s.get("probe_cost", {}).get("correlate_cpu_ns") is not None for s in samples),
             "every sample carries correlate's own CPU (probe_cost.correlate_cpu_ns)")
        t.ok(all(len(l) > 0 and "\n" not in l for l in r.out.splitlines()) and
             r.out.count("\n") == len(samples) + 1, "JSON Lines: one line per document")
        t.ok(summ is not None and not summary_errors(summ),
             "the summary matches $defs/summary of the JSON Schema",
             summary_errors(summ or {})[:5])
        g = growth(summ, "non_go_anon")
        t.ok(g is not None and abs(g["bytes_per_second"] - rate) <= 0.2 * rate and
             g["r2"] > 0.9, f"C leak: non_go_anon grows within 20% of {rate} B/s", g)
        t.ok(any(f["id"] == "growing" and "non_go_anon" in f["summary"]
                 for f in (summ or {}).get("findings", [])),
             "C leak: a `growing` finding names non_go_anon", (summ or {}).get("findings"))
        ng = [f for f in (summ or {}).get("findings", []) if "non_go_anon" in f["summary"]]
        t.ok(ng and "HeapAlloc" in ng[0]["evidence"] and "R²" in ng[0]["evidence"],
             "C leak: the evidence gives R² and how HeapAlloc moved", ng)
        t.ok(growth(summ, "heap_alloc") is None, "C leak: HeapAlloc is not found growing",
             line_state(summ, "heap_alloc"))
        check_svg(t, svg, os.path.join(work, "cleak.png"))

        # Replay: the same series through pair_load gives the same growth.
        r2, s2, summ2 = watch(binary, "--fixture", series)
        g2 = growth(summ2, "non_go_anon")
        t.ok(r2.rc == 0 and len(s2) == len(samples) and g2 is not None and g is not None and
             abs(g2["bytes_per_second"] - g["bytes_per_second"]) < 0.01 * rate and
             summ2["source"] == series and all(s["replay"] for s in s2),
             "watch --fixture replays the saved series: same samples, same rate", r2)
        r3 = correlate(binary, "check", "--max-growth", "1MiB/min", series)
        t.ok(r3.rc == 1 and r3.out.startswith("FAIL ") and "non_go_anon grows" in r3.out,
             "check --max-growth 1MiB/min fails the leaking series, naming the line", r3)
        r4 = correlate(binary, "check", "--max-growth", "1GiB/min", series)
        t.ok(r4.rc == 0 and r4.out.startswith("PASS "),
             "check --max-growth 1GiB/min passes it", r4)
        with open(os.path.join(series, "expect.json"), "w") as f:
            json.dump({"must_not_include": ["growing"]}, f)
        r5 = correlate(binary, "check", series)
        t.ok(r5.rc == 1 and "growing" in r5.out,
             "check: a series' expect.json holds it to must_not_include growing", r5)
        os.unlink(os.path.join(series, "expect.json"))
        first = sorted(d for d in os.listdir(series) if d.isdigit())
        r6 = correlate(binary, "diff", "--json", os.path.join(series, first[0]),
                       os.path.join(series, first[-1]))
        t.ok(r6.rc == 0 and r6.json and r6.json["changed_most"] and
             r6.json["changed_most"]["change"] > 15 * MiB,
             "diff of a series' first and last sample: the leak changed most", r6)

        # --- diff of two saved pairs: the injected C memory is the largest change
        pa, pb = os.path.join(work, "pair-a"), os.path.join(work, "pair-b")
        with Target([cgo]) as ta:
            ra = correlate(binary, "--pid", str(ta.pid), "--url", ta.url + "/debug/vars",
                           "--save", pa)
        with Target([cgo, "-cmalloc", "48MiB"]) as tb:
            rb = correlate(binary, "--pid", str(tb.pid), "--url", tb.url + "/debug/vars",
                           "--save", pb)
        t.ok(ra.rc == 0 and rb.rc == 0, "two pairs saved", (ra, rb))
        r = correlate(binary, "diff", "--json", pa, pb)
        m = (r.json or {}).get("changed_most") or {}
        non_go = {"unexplained_bytes", "non_go_anon_bytes", "non_go_anon_estimate_bytes",
                  "other_non_go_bytes", "glibc_malloc_bytes", "other_anon"}
        t.ok(r.rc == 0 and m.get("key") in non_go and 44 * MiB <= m.get("change", 0) <= 56 * MiB,
             "diff A B: the injected 48 MiB of C memory is what changed most", m)
        rows = (r.json or {}).get("changes", [])
        t.ok(rows and all(abs(rows[i]["change"] or 0) >= abs(rows[i + 1]["change"] or 0)
                          for i in range(len(rows) - 1) if rows[i + 1]["change"] is not None
                          and rows[i]["change"] is not None and
                          rows[i]["is_count"] == rows[i + 1]["is_count"]),
             "diff: the lines are sorted by the size of the change")
        rt = correlate(binary, "diff", pa, pb)
        rm = correlate(binary, "diff", "--format", "markdown", pa, pb)
        t.ok(rt.rc == 0 and "Changed most:" in rt.out and rm.rc == 0 and
             "| section | line | A | B | change |" in rm.out, "diff: text and Markdown", (rt, rm))

        # --- a goroutine leak: goroutines and their stacks grow ---------------
        with Target([pure, "-leak-goroutines", "200"]) as tg:
            r, samples, summ = watch(binary, "--pid", str(tg.pid), "--url", tg.url + "/metrics",
                                     "--every", EVERY, "--for", dur(5))
        gg, gs = growth(summ, "goroutines"), growth(summ, "stacks")
        t.ok(r.rc == 0 and gg is not None and abs(gg["per_second"] - 200) <= 40,
             "goroutine leak: goroutines grow at 200/s (within 20%)", gg or r)
        t.ok(gs is not None and gs["bytes_per_second"] > 200 * 8 * 1024,
             "goroutine leak: stacks grow", gs or line_state(summ, "stacks"))

        # --- a steady program: nothing grows ---------------------------------
        # 32 MiB of live heap: the next GC is far away, and the probes' garbage
        # (~23 KiB a request, ten a second) touches fresh heap pages all along.
        # In a memory cgroup of its own: the working set of the one this test
        # runs in is the whole machine's (builds and other tests fill its page
        # cache), and does grow.
        version, cgdir, cgpath = memory_cgroup()
        if not version:
            t.ok(False, "a steady program in its own cgroup: " + cgdir)
            cg = None
        else:
            cg = Cgroup(version, cgdir, cgpath, f"correlate-watch-steady-{os.getpid()}")
        try:
            argv = [pure, "-heap", "32MiB"]
            with Target(cg.argv(argv) if cg else argv) as tg:
                r, samples, summ = watch(binary, "--pid", str(tg.pid), "--url",
                                         tg.url + "/debug/vars", "--every", "0.1",
                                         "--for", dur(6))
        finally:
            if cg:
                cg.remove()
        t.ok(r.rc == 0 and summ is not None and summ["growth"] == [] and
             not any(f["id"] == "growing" for f in summ["findings"]),
             "a steady program: no `growing` finding", (summ or {}).get("growth"))
        # Each /debug/vars request leaves ~23 KiB of garbage: HeapAlloc climbs
        # between GCs, and the floors and post-GC sampling keep it from reading as growth.
        ha = [s["go"]["heap_alloc_bytes"] for s in samples]
        hi = [s["go"]["heap_inuse_bytes"] for s in samples]
        t.ok(WRAPPED or (len(ha) > 10 and ha[-1] > ha[0] and hi[-1] - hi[0] > 512 * 1024),
             "steady: HeapAlloc and HeapInuse climb with the probes' garbage (what the "
             "post-GC fit and RES without HeapInuse are there for)", ha[:2] + ha[-2:])

        # --- a sawtooth heap: no growth on its heap lines ---------------------
        with Target([pure, "-heap", "8MiB", "-sawtooth", "48MiB"]) as tg:
            r, samples, summ = watch(binary, "--pid", str(tg.pid), "--url",
                                     tg.url + "/debug/vars", "--every", EVERY, "--for", dur(6))
        gcs = [s["go"]["num_gc"] for s in samples] if samples else [0]
        t.ok(gcs[-1] - gcs[0] >= 6, "sawtooth: the heap went through GC cycles",
             gcs[:2] + gcs[-2:])
        heap_lines = ["heap_alloc", "heap_inuse", "heap_idle"]
        t.ok(r.rc == 0 and summ is not None and
             not any(growth(summ, l) for l in heap_lines) and
             line_state(summ, "heap_alloc").get("samples", 0) >= 5,
             "sawtooth: no growth on its heap lines (fitted after each GC)",
             [line_state(summ, l) for l in heap_lines])
        ha = [s["go"]["heap_alloc_bytes"] for s in samples]
        t.ok(ha and max(ha) - min(ha) > 8 * MiB, "sawtooth: HeapAlloc did swing",
             (min(ha or [0]), max(ha or [0])))

        # --- the process exits during the watch ------------------------------
        tg = Target([pure])
        p = subprocess.Popen([binary, "watch", "--json", "--pid", str(tg.pid), "--url",
                              tg.url + "/debug/vars", "--every", EVERY, "--for", "30"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(1.5)
        tg.stop()
        t0 = time.time()
        out, err = p.communicate(timeout=20)
        summ = json.loads(out.splitlines()[-1]) if out.strip() else {}
        t.ok(p.returncode == 0 and summ.get("kind") == "summary" and summ.get("ended") and
             "exited" in summ["ended"] and time.time() - t0 < 5,
             "the process exits: the series ends with a note", (p.returncode, summ.get("ended"),
                                                                err[-500:]))

        # --- Ctrl-C: the summary, the series not marked as ended early -------
        with Target([pure]) as tg:
            p = subprocess.Popen([binary, "watch", "--json", "--pid", str(tg.pid), "--url",
                                  tg.url + "/debug/vars", "--every", EVERY],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            time.sleep(1.5)
            p.send_signal(signal.SIGINT)
            out, err = p.communicate(timeout=20)
        summ = json.loads(out.splitlines()[-1]) if out.strip() else {}
        t.ok(p.returncode == 0 and summ.get("kind") == "summary" and summ.get("ended") is None
             and summ.get("samples", 0) >= 3, "Ctrl-C (SIGINT): the summary, ended null",
             (p.returncode, out[-300:], err[-300:]))

        # --- exec in place (same pid, another program) ------------------------
        tg = Target([pure, "-exec-after-vars", "/bin/sleep"])
        p = subprocess.Popen([binary, "watch", "--json", "--pid", str(tg.pid), "--url",
                              tg.url + "/debug/vars", "--every", EVERY, "--for", "30"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(1.5)
        try:
            urllib.request.urlopen(tg.url + "/exec/vars", timeout=5).read()
        except OSError:
            pass
        out, err = p.communicate(timeout=20)
        tg.proc.kill()
        tg.proc.wait()
        summ = json.loads(out.splitlines()[-1]) if out.strip() else {}
        n = len(out.splitlines()) - 1
        t.ok(p.returncode == 0 and summ.get("ended") and str(tg.pid) in summ["ended"] and
             summ.get("samples") == n,
             "exec in place: the series ends with a note, and no sample of the new program",
             (p.returncode, summ.get("ended"), err[-500:]))

        # --- text mode and bad input -----------------------------------------
        with Target([pure]) as tg:
            r = correlate(binary, "watch", "--pid", str(tg.pid), "--url", tg.url + "/debug/vars",
                          "--every", "0.25", "--samples", "4")
        t.ok(r.rc == 0 and "Summary:" in r.out and "No line grows" in r.out and
             r.out.count("rss ") >= 4, "watch in text: one line per sample, then the summary", r)
        for args, what in ((["watch", "--every", "soon", "--pid", "1"], "--every soon"),
                           (["watch", "--fixture", work], "--fixture on a folder that is not "
                            "a series"),
                           (["diff", work], "diff of one folder that is not a series"),
                           (["watch", "--pid", "1", "--format", "markdown"], "--format markdown")):
            r = correlate(binary, *args)
            lines = r.err.strip().splitlines()
            t.ok(r.rc == 2 and len(lines) == 2 and lines[0].startswith("correlate: ") and
                 lines[1].startswith("correlate: try: "),
                 f"{what}: exit 2, one error line and a try: line", r)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    t.done()


if __name__ == "__main__":
    main()
