#!/usr/bin/env python3
"""Counts the suite's results from meson's testlog.json files (one per pass): every TAP line is a
check ("ok N" passed, "not ok N" failed).  A test whose TAP lines all passed
but which meson still failed (a crash, a wrong plan, a timeout) counts as
one more failure.  Ends with the line "N passed, N failed"; exits 1 when
anything failed."""

import json
import os
import re
import sys


def main():
    passed = failed = 0
    rows = []
    for path in sys.argv[1:]:
        label = os.path.basename(path)[len("testlog"):-len(".json")].lstrip("-") or "normal"
        if not os.path.exists(path):
            # The pass never got to write its log: that is a failure too.
            failed += 1
            rows.append((f"[{label}] no test log {path}", 0, 1, "MISSING"))
            continue
        with open(path) as f:
            for line in f:
                if not line.strip():
                    continue
                t = json.loads(line)
                out = t.get("stdout") or ""
                ok = len(re.findall(r"^ok \d+", out, re.M))
                bad = len(re.findall(r"^not ok \d+", out, re.M))
                if t["result"] not in ("OK", "EXPECTEDFAIL") and bad == 0:
                    bad = 1
                passed += ok
                failed += bad
                rows.append((f"[{label}] {t['name']}", ok, bad, t["result"]))
    for name, ok, bad, result in rows:
        print(f"  {name:60s} {ok:4d} passed {bad:3d} failed  {result}")
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
