#!/usr/bin/env python3
"""Compares buildinfo_dump (src/parse/buildinfo.c) with the Go toolchain.

    test_buildinfo.py --dump BUILDINFO_DUMP [--go GO] GO_BINARY...

For every Go binary, each field buildinfo_dump prints must equal what
`go version -m` says (the "build\tKEY=VALUE" lines, "path\t..."), cut to the
size of its field in struct go_buildinfo.  Also: a non-Go ELF file gives
found=0, a non-ELF file exits 3.  Prints TAP.  Python 3, stdlib only.
"""
import argparse
import os
import subprocess
import sys
import tempfile

# Field sizes, NUL included, read from include/correlate/buildinfo.h itself
# so that the two cannot drift (Go 1.24+ has DefaultGODEBUG of 350-550
# bytes): values longer than size - 1 bytes are cut there.
def header_sizes():
    import re
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "include",
                        "correlate", "buildinfo.h")
    with open(path) as f:
        return {m.group(1): int(m.group(2))
                for m in re.finditer(r"^\s*char\s+(\w+)\[(\d+)\];", f.read(), re.M)}


_SIZES = header_sizes()
FIELDS = {k: _SIZES[k] for k in ('go_version', 'path', 'goarch', 'goos', 'buildmode',
                                  'default_godebug')}
FIELDS['cgo'] = None
SETTING = {
    'GOARCH': 'goarch',
    'GOOS': 'goos',
    '-buildmode': 'buildmode',
    'CGO_ENABLED': 'cgo',
    'DefaultGODEBUG': 'default_godebug',
}
NON_GO_ELF = '/bin/ls'
NON_ELF = '/etc/hostname'


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0
        self.lines = []

    def check(self, ok, desc, diag=''):
        self.n += 1
        if not ok:
            self.failed += 1
        self.lines.append('%sok %d - %s' % ('' if ok else 'not ', self.n, desc))
        if not ok:
            self.lines.extend('# ' + d for d in diag.splitlines())

    def done(self):
        print('1..%d' % self.n)
        for line in self.lines:
            print(line)
        sys.stdout.flush()
        return 1 if self.failed else 0


def run(argv):
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


def dump(tool, path):
    rc, out, errs = run([tool, path])
    fields = {}
    for line in out.splitlines():
        key, _, value = line.partition('=')
        fields[key] = value
    return rc, fields, errs


def go_says(go, path):
    """The fields as `go version -m` gives them."""
    env = dict(os.environ, GOTOOLCHAIN='local', GOFLAGS='')
    p = subprocess.run([go, 'version', '-m', path], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, universal_newlines=True,
                       timeout=60, env=env)
    if p.returncode != 0:
        raise RuntimeError('go version -m: %s' % p.stderr.strip())
    lines = p.stdout.splitlines()
    # first line: "PATH: go1.23.5"
    want = {name: '' for name in FIELDS}
    want['cgo'] = '-1'
    want['go_version'] = lines[0].rsplit(': ', 1)[1].strip()
    for line in lines[1:]:
        cols = line.strip('\t').split('\t', 1)
        if len(cols) != 2:
            continue
        if cols[0] == 'path':
            want['path'] = cols[1]
        elif cols[0] == 'build':
            key, _, value = cols[1].partition('=')
            if key in SETTING:
                if SETTING[key] == 'cgo':
                    value = value if value in ('0', '1') else '-1'
                want[SETTING[key]] = value
    return want


def check_go_binary(tap, tool, go, path):
    name = os.path.basename(path)
    try:
        want = go_says(go, path)
    except (RuntimeError, IndexError, OSError, subprocess.SubprocessError) as e:
        for field in FIELDS:
            tap.check(False, '%s: %s' % (name, field), 'cannot run %s: %s' % (go, e))
        return
    rc, got, errs = dump(tool, path)
    for field, size in FIELDS.items():
        expect = want[field]
        note = ''
        if size is not None and len(expect.encode()) > size - 1:
            expect = expect.encode()[:size - 1].decode(errors='ignore')
            note = ' (cut to %d of %d bytes)' % (size - 1, len(want[field].encode()))
        ok = rc == 0 and got.get('found') == '1' and got.get(field) == expect
        diag = '' if ok else 'exit %d, found=%s\ngot:  %r\nwant: %r\n%s' % (
            rc, got.get('found'), got.get(field), expect, errs.strip())
        tap.check(ok, '%s: %s = %r%s' % (name, field, expect[:40], note), diag)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--dump', required=True, help='the buildinfo_dump program')
    ap.add_argument('--go', default='/usr/lib/go-1.23/bin/go',
                    help='the go command whose `go version -m` is the reference')
    ap.add_argument('binaries', nargs='*', help='Go programs')
    args = ap.parse_args()
    tap = Tap()

    for path in args.binaries:
        check_go_binary(tap, args.dump, args.go, path)

    rc, got, errs = dump(args.dump, NON_GO_ELF)
    tap.check(rc == 0 and got.get('found') == '0',
              'non-Go ELF %s: found=0' % NON_GO_ELF,
              'exit %d, output %r, stderr %r' % (rc, got, errs))

    with tempfile.TemporaryDirectory() as tmp:
        non_elf = NON_ELF
        if not os.path.isfile(non_elf):
            non_elf = os.path.join(tmp, 'not-elf')
            with open(non_elf, 'w') as f:
                f.write('just text\n')
        rc, got, errs = dump(args.dump, non_elf)
        tap.check(rc == 3 and 'not an ELF file' in errs,
                  'non-ELF %s: exit 3, "not an ELF file"' % non_elf,
                  'exit %d, output %r, stderr %r' % (rc, got, errs))

    return tap.done()


if __name__ == '__main__':
    sys.exit(main())
