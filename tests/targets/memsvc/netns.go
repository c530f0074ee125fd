package main

// Listeners for the namespace tests (tests/integration/test_netns.py,
// issue 11): an API port that serves no MemStats beside the debug port, the
// debug endpoints on a unix socket, no TCP listener at all, and a record of
// who connects (the peer's uid and effective capabilities while it is being
// answered), to show that correlate's fetch runs unprivileged.

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"syscall"
)

var (
	apiAddr  = flag.String("api", "", "also serve an API with no MemStats (200 JSON on every path) on this address")
	unixPath = flag.String("unix", "", "also serve the debug endpoints on a unix socket at this path")
	noServe  = flag.Bool("noserve", false, "open no TCP listener for the debug endpoints (with -unix: only the socket)")
	silent   = flag.String("silent", "", "also listen on this address and never answer (as a database port does)")
	peerFile = flag.String("peercred", "", "append, per request, the peer process's pid, Uid and CapEff to this file")
	peerMu   sync.Mutex
)

type connKey struct{}

// extraListeners starts -api and -unix.
func extraListeners() error {
	if *apiAddr != "" {
		ln, err := net.Listen("tcp", *apiAddr)
		if err != nil {
			return err
		}
		api := http.NewServeMux()
		api.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, "{\"service\": \"memsvc api\", \"path\": %q}\n", r.URL.Path)
		})
		go http.Serve(ln, peerHandler(api))
		fmt.Printf("api http://%s\n", ln.Addr())
	}
	if *silent != "" {
		ln, err := net.Listen("tcp", *silent)
		if err != nil {
			return err
		}
		go func() {
			var held []net.Conn
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				held = append(held, c) // read nothing, answer nothing
			}
		}()
		fmt.Printf("silent %s\n", ln.Addr())
	}
	if *unixPath != "" {
		os.Remove(*unixPath)
		ln, err := net.Listen("unix", *unixPath)
		if err != nil {
			return err
		}
		srv := &http.Server{Handler: peerHandler(http.DefaultServeMux),
			ConnContext: func(ctx context.Context, c net.Conn) context.Context {
				return context.WithValue(ctx, connKey{}, c)
			}}
		go srv.Serve(ln)
		fmt.Printf("unix %s\n", *unixPath)
	}
	return nil
}

// peerHandler records who asks, while it is answered, then serves.
func peerHandler(h http.Handler) http.Handler {
	if *peerFile == "" {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pid := peerPid(r)
		line := fmt.Sprintf("path=%s pid=%d %s\n", r.URL.Path, pid, procStatus(pid))
		peerMu.Lock()
		if f, err := os.OpenFile(*peerFile, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0644); err == nil {
			f.WriteString(line)
			f.Close()
		}
		peerMu.Unlock()
		h.ServeHTTP(w, r)
	})
}

// peerPid: SO_PEERCRED on a unix socket; for TCP, the connection's inode
// in /proc/net/tcp{,6} (this namespace's), then whose /proc/PID/fd has it.
func peerPid(r *http.Request) int {
	if c, ok := r.Context().Value(connKey{}).(net.Conn); ok {
		if uc, ok := c.(*net.UnixConn); ok {
			raw, err := uc.SyscallConn()
			pid := 0
			if err == nil {
				raw.Control(func(fd uintptr) {
					if cred, err := syscall.GetsockoptUcred(int(fd), syscall.SOL_SOCKET, syscall.SO_PEERCRED); err == nil {
						pid = int(cred.Pid)
					}
				})
			}
			return pid
		}
	}
	host, port, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return 0
	}
	ip := net.ParseIP(host)
	var p int
	fmt.Sscanf(port, "%d", &p)
	inode := ""
	for _, name := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		f, err := os.Open(name)
		if err != nil {
			continue
		}
		s := bufio.NewScanner(f)
		for s.Scan() {
			w := strings.Fields(s.Text())
			if len(w) < 10 || !localIs(w[1], ip, p) {
				continue
			}
			inode = w[9]
		}
		f.Close()
	}
	if inode == "" {
		return 0
	}
	want := "socket:[" + inode + "]"
	procs, _ := os.ReadDir("/proc")
	for _, e := range procs {
		var pid int
		if _, err := fmt.Sscanf(e.Name(), "%d", &pid); err != nil || pid == os.Getpid() {
			continue
		}
		fds, _ := os.ReadDir("/proc/" + e.Name() + "/fd")
		for _, fd := range fds {
			if l, err := os.Readlink("/proc/" + e.Name() + "/fd/" + fd.Name()); err == nil && l == want {
				return pid
			}
		}
	}
	return 0
}

// localIs: /proc/net/tcp's "0100007F:D431" is ip:port (each 32-bit word
// of the address in host order, which on little-endian is reversed).
func localIs(field string, ip net.IP, port int) bool {
	var a string
	if ip4 := ip.To4(); ip4 != nil {
		a = fmt.Sprintf("%02X%02X%02X%02X", ip4[3], ip4[2], ip4[1], ip4[0])
		if len(field) == 32+5 { // tcp6: ::ffff:a.b.c.d
			a = "0000000000000000FFFF0000" + a
		}
	} else {
		ip16 := ip.To16()
		for i := 0; i < 16; i += 4 {
			a += fmt.Sprintf("%02X%02X%02X%02X", ip16[i+3], ip16[i+2], ip16[i+1], ip16[i])
		}
	}
	return field == fmt.Sprintf("%s:%04X", a, port)
}

// procStatus: "uid=R,E,S,F capeff=X ..." of pid, while it is connected.
func procStatus(pid int) string {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return "uid=? capeff=?"
	}
	defer f.Close()
	out := map[string]string{}
	s := bufio.NewScanner(f)
	for s.Scan() {
		k, v, ok := strings.Cut(s.Text(), ":")
		if ok {
			out[k] = strings.Join(strings.Fields(v+" "), ",")
		}
	}
	return fmt.Sprintf("uid=%s capeff=%s capbnd=%s nonewprivs=%s seccomp=%s", out["Uid"], out["CapEff"], out["CapBnd"], out["NoNewPrivs"], out["Seccomp"])
}
