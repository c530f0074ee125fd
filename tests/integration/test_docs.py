#!/usr/bin/env python3
"""--help, the man page and the README must name the same options and the
same exit codes.

usage: test_docs.py CORRELATE SOURCE_ROOT"""

import re
import subprocess
import sys

from harness import Tap

# The subcommands with options of their own (`correlate SUB --help`).
SUBCOMMANDS = ["check", "scan", "watch", "diff"]


def main():
    binary, root = sys.argv[1], sys.argv[2]
    t = Tap()
    help_text = subprocess.run([binary, "--help"], capture_output=True, text=True).stdout
    man = open(f"{root}/docs/correlate.1").read()
    readme = open(f"{root}/README.md").read()

    opts = re.findall(r"^  --([a-z][a-z-]*)", help_text, re.M)
    t.ok(len(opts) >= 5, "--help lists options", opts)
    man_opts = set(re.findall(r"^\.BI? \\-\\-([a-z][a-z\\-]*)", man, re.M))
    man_opts = {o.replace("\\-", "-") for o in man_opts}
    readme_opts = set(re.findall(r"`--([a-z][a-z-]*)", readme))
    for o in opts:
        t.ok(o in man_opts, f"--{o} is in docs/correlate.1", sorted(man_opts))
        t.ok(o in readme_opts, f"--{o} is in README.md", sorted(readme_opts))
    everything = set(opts)
    # Each subcommand's own --help, and each of its options in both docs.
    for sub in SUBCOMMANDS:
        sub_help = subprocess.run([binary, sub, "--help"], capture_output=True, text=True)
        sub_opts = [o for o in re.findall(r"^  --([a-z][a-z-]*)", sub_help.stdout, re.M)
                    if o != "help"]
        t.ok(sub_help.returncode == 0 and len(sub_opts) >= 3, f"{sub} --help lists options",
             sub_help.stdout + sub_help.stderr)
        t.ok(f"correlate {sub}" in help_text, f"correlate --help names correlate {sub}")
        t.ok(re.search(rf"correlate\\? {sub}\b", man) is not None,
             f"docs/correlate.1 describes correlate {sub}")
        for o in sub_opts:
            t.ok(o in man_opts, f"{sub} --{o} is in docs/correlate.1", sorted(man_opts))
            t.ok(o in readme_opts, f"{sub} --{o} is in README.md", sorted(readme_opts))
        everything |= set(sub_opts)
    t.ok(man_opts <= everything, "the man page has no option --help lacks",
         man_opts - everything)
    t.ok(readme_opts <= everything, "the README has no option --help lacks",
         readme_opts - everything)

    codes = dict(re.findall(r"^  (\d)  (.+)$", help_text.split("Exit codes:")[1], re.M))
    t.ok(set(codes) >= {"0", "2", "3", "4"}, "--help lists exit codes 0, 2, 3, 4", codes)
    readme_codes = set(re.findall(r"^\| (\d) \|", readme, re.M))
    man_codes = set(re.findall(r"^\.B (\d)$", man.split(".SH EXIT STATUS")[1], re.M))
    t.ok(readme_codes == set(codes), "README's exit codes are --help's",
         (sorted(readme_codes), sorted(codes)))
    t.ok(man_codes == set(codes), "the man page's exit codes are --help's",
         (sorted(man_codes), sorted(codes)))
    check_install(t, binary)
    t.done()


def check_install(t, binary):
    """meson install --destdir puts correlate in bin/ and its page in
    share/man/man1/, and man finds the page there."""
    import os
    import shutil
    import tempfile
    build = os.path.dirname(os.path.abspath(binary))
    dest = tempfile.mkdtemp(prefix="correlate-install-")
    try:
        p = subprocess.run(["meson", "install", "-C", build, "--destdir", dest, "--no-rebuild",
                            "--quiet"], capture_output=True, text=True)
        prefix = subprocess.run(["meson", "introspect", build, "--buildoptions"],
                                capture_output=True, text=True).stdout
        m = re.search(r'"name": "prefix", "value": "([^"]+)"', prefix)
        root = dest + (m.group(1) if m else "/usr/local")
        exe, page = f"{root}/bin/correlate", f"{root}/share/man/man1/correlate.1"
        t.ok(p.returncode == 0 and os.access(exe, os.X_OK) and os.path.isfile(page),
             "meson install --destdir: bin/correlate and share/man/man1/correlate.1",
             p.stdout + p.stderr + "\n" + "\n".join(
                 os.path.join(d, f) for d, _, fs in os.walk(dest) for f in fs))
        h = subprocess.run([exe, "--help"], capture_output=True, text=True)
        t.ok(h.returncode == 0 and "--pid" in h.stdout, "the installed correlate --help", h.stderr)
        if shutil.which("man") is None:
            t.ok(False, "man correlate: man-db is missing (scripts/install-deps installs it)")
        else:
            env = dict(os.environ, MANPATH=f"{root}/share/man", MANWIDTH="80", MANPAGER="cat",
                       PAGER="cat")
            mp = subprocess.run(["man", "correlate"], capture_output=True, text=True, env=env)
            t.ok(mp.returncode == 0 and "--pid" in mp.stdout.replace("\u2010", "-") and
                 "EXIT" in mp.stdout.upper(),
                 "man correlate finds and renders the installed page", mp.stderr[:500])
    finally:
        shutil.rmtree(dest, ignore_errors=True)


if __name__ == "__main__":
    main()
