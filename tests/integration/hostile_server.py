"""A small HTTP server on 127.0.0.1 that answers badly on purpose, for the
error-path tests.  Paths:
  /status/N        HTTP N with a short body
  /html            an HTML login page with status 200
  /garbage         random-looking text with status 200
  /slow            sends "heap profile:" then a byte a second
  /empty           200 with no body
  /big             200, N MB of profile lines with no MemStats (?mb=N)
  /truncated       a pprof body cut in the MemStats block
  /conflict        pprof body with Sys twice, different values
  /nan             Prometheus text with NaN in go_memstats_sys_bytes
  /redirect        302 to another host
  /loop            302 to itself
  /hop/N           302 to /hop/N-1, and /hop/0 to /body/vars.json (same host)
  /body/NAME       the file NAME of the bodies folder (--bodies DIR), as is
  /gzip-bomb       gzip data (Content-Encoding: gzip) of 1 GiB of zeros
  /negative        pprof MemStats with Sys = -5
  /beyond-u64      pprof MemStats with Sys = 2^64
  /json-broken     expvar JSON cut short
  /json-types      expvar JSON with Sys as a string
  /json-deep       JSON nested 100,000 deep
  /json-conflict   expvar memstats with Sys twice, different values
With --tls CERT KEY, it also serves the same over TLS and prints
"tls https://127.0.0.1:PORT".
Prints "listening http://127.0.0.1:PORT" then "ready"; stops when stdin
closes."""

import http.server
import os
import socketserver
import ssl
import sys
import threading
import time
import urllib.parse
import zlib


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def send(self, code, body, ctype="text/plain; charset=utf-8"):
        if isinstance(body, str):
            body = body.encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, where):
        self.send_response(302)
        self.send_header("Location", where)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):
        u = urllib.parse.urlparse(self.path)
        q = urllib.parse.parse_qs(u.query)
        p = u.path
        try:
            if p.startswith("/status/"):
                code = int(p.split("/")[2])
                self.send(code, f"{code} {self.responses.get(code, ('',))[0]}\n")
            elif p == "/html":
                self.send(200, "<!DOCTYPE html>\n<html><head><title>Sign in</title></head>"
                          "<body><form>user <input name=u></form></body></html>\n",
                          "text/html")
            elif p == "/garbage":
                self.send(200, "\x00\x01\x02 this is not an endpoint \xff\n" * 10)
            elif p == "/empty":
                self.send(200, "")
            elif p == "/slow":
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(b"heap profile: 1: 2 [3: 4] @ heap/1048576\n")
                self.wfile.flush()
                for _ in range(120):
                    time.sleep(1)
                    self.wfile.write(b"#")
                    self.wfile.flush()
            elif p == "/big":
                mb = int(q.get("mb", ["300"])[0])
                line = b"1: 8192 [1: 8192] @ 0x4a5b6c 0x4a5b6d 0x4a5b6e 0x4a5b6f\n"
                n = mb * (1 << 20) // len(line)
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(41 + n * len(line)))
                self.end_headers()
                self.wfile.write(b"heap profile: 1: 2 [3: 4] @ heap/1048576\n")
                chunk = line * 1024
                for _ in range(n // 1024):
                    self.wfile.write(chunk)
                self.wfile.write(line * (n % 1024))
            elif p.startswith("/body/"):
                with open(os.path.join(BODIES, os.path.basename(p)), "rb") as f:
                    self.send(200, f.read())
            elif p == "/loop":
                self.redirect("/loop")
            elif p.startswith("/hop/"):
                n = int(p.split("/")[2])
                self.redirect(f"/hop/{n - 1}" if n > 0 else "/body/vars.json")
            elif p == "/gzip-bomb":
                # 1 GiB of zeros compresses to ~1 MiB; sent as is.  Made
                # in the background from the start (3 s of CPU, more on a
                # busy machine: made here it ate the client's timeout).
                BOMB_MAKER.join()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Encoding", "gzip")
                self.send_header("Content-Length", str(len(GZIP_BOMB)))
                self.end_headers()
                self.wfile.write(GZIP_BOMB)
            elif p == "/negative":
                self.send(200, PPROF_HEAD + "# Sys = -5\n")
            elif p == "/beyond-u64":
                self.send(200, PPROF_HEAD + "# Sys = 18446744073709551616\n")
            elif p == "/json-broken":
                self.send(200, '{"memstats": {"Sys": 1000, "HeapAlloc": ', "application/json")
            elif p == "/json-types":
                self.send(200, '{"memstats": {"Sys": "lots", "HeapAlloc": 1, "HeapSys": 1, '
                          '"HeapIdle": 0, "HeapInuse": 1, "HeapReleased": 0}}', "application/json")
            elif p == "/json-deep":
                self.send(200, "{\"a\":" + "[" * 100000 + "]" * 100000 + "}", "application/json")
            elif p == "/json-conflict":
                self.send(200, '{"memstats": {"Sys": 1000, "Sys": 2000}}', "application/json")
            elif p == "/truncated":
                self.send(200, "heap profile: 1: 2 [3: 4] @ heap/1048576\n\n"
                          "# runtime.MemStats\n# Alloc = 100\n# TotalAlloc = 200\n"
                          "# Sys = 3000000\n# Lookups = 0\n# Mallocs = 5\n# Frees = 1\n"
                          "# HeapAlloc = 100\n# HeapSys = 200")
            elif p == "/conflict":
                self.send(200, "heap profile: 1: 2 [3: 4] @ heap/1048576\n\n"
                          "# runtime.MemStats\n# Sys = 3000000\n# Sys = 9000000\n")
            elif p == "/nan":
                self.send(200, "# TYPE go_memstats_sys_bytes gauge\n"
                          "go_memstats_sys_bytes NaN\n")
            elif p == "/redirect":
                self.send_response(302)
                self.send_header("Location", "http://192.0.2.1:6060/debug/vars")
                self.send_header("Content-Length", "0")
                self.end_headers()
            else:
                self.send(404, "404 page not found\n")
        except (BrokenPipeError, ConnectionResetError):
            pass


PPROF_HEAD = "heap profile: 1: 2 [3: 4] @ heap/1048576\n\n# runtime.MemStats\n"
BODIES = "."
GZIP_BOMB = b""


def make_bomb():
    global GZIP_BOMB
    z = zlib.compressobj(9, zlib.DEFLATED, 31)  # gzip framing
    chunk = bytes(1 << 20)
    parts = [z.compress(chunk) for _ in range(1024)]
    parts.append(z.flush())
    GZIP_BOMB = b"".join(parts)


BOMB_MAKER = threading.Thread(target=make_bomb, daemon=True)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    global BODIES
    args = sys.argv[1:]
    if "--bodies" in args:
        BODIES = args[args.index("--bodies") + 1]
    BOMB_MAKER.start()
    srv = Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    print(f"listening http://127.0.0.1:{srv.server_address[1]}", flush=True)
    if "--tls" in args:
        i = args.index("--tls")
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args[i + 1], args[i + 2])
        tls = Server(("127.0.0.1", 0), Handler)
        tls.socket = ctx.wrap_socket(tls.socket, server_side=True)
        threading.Thread(target=tls.serve_forever, daemon=True).start()
        print(f"tls https://127.0.0.1:{tls.server_address[1]}", flush=True)
    print("ready", flush=True)
    sys.stdin.read()
    srv.shutdown()


if __name__ == "__main__":
    main()
