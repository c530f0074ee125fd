#!/usr/bin/env python3
"""sockdiag_listen.py small|many: the listeners tests/data/sockdiag/small
and many were recorded with (tests/data/sockdiag/README.md), held until
stdin closes.  small: 127.0.0.1:6060 (and a connection to it), 0.0.0.0:8080,
[::]:9090 dual-stack, [::1]:7070 IPV6_V6ONLY; unix stream listeners by path
(one with a space) and abstract, a seqpacket listener and a datagram
socket, which a dump of listening stream sockets must leave out.  many:
300 listeners on 127.0.0.1, enough for several datagrams."""
import socket, sys, os, time
mode = sys.argv[1]
keep = []
def tcp(fam, addr, port, v6only=None):
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if v6only is not None:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, v6only)
    s.bind((addr, port)); s.listen(); keep.append(s)
def unix(path, typ=socket.SOCK_STREAM, listen=True):
    s = socket.socket(socket.AF_UNIX, typ)
    s.bind(path)
    if listen: s.listen()
    keep.append(s)
if mode == "small":
    tcp(socket.AF_INET, "127.0.0.1", 6060)
    tcp(socket.AF_INET, "0.0.0.0", 8080)
    tcp(socket.AF_INET6, "::", 9090, 0)      # dual stack
    tcp(socket.AF_INET6, "::1", 7070, 1)     # v6only
    # a connected pair: not listening, not in the dump
    c = socket.create_connection(("127.0.0.1", 6060)); keep.append(c)
    os.makedirs("/tmp/sdcap/run", exist_ok=True)
    for p in ("/tmp/sdcap/run/debug.sock", "/tmp/sdcap/run/seq.sock", "/tmp/sdcap/run/dgram.sock", "/tmp/sdcap/run/dir with space.sock"):
        try: os.unlink(p)
        except FileNotFoundError: pass
    unix("/tmp/sdcap/run/debug.sock")
    unix("/tmp/sdcap/run/dir with space.sock")
    unix("\0correlate-abstract")
    unix("/tmp/sdcap/run/seq.sock", socket.SOCK_SEQPACKET)
    unix("/tmp/sdcap/run/dgram.sock", socket.SOCK_DGRAM, listen=False)
else:
    for i in range(300):
        tcp(socket.AF_INET, "127.0.0.1", 20000 + i)
print("ready", flush=True)
sys.stdin.read()
