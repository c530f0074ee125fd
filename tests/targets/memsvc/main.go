// memsvc is a small Go service with memory of known kinds and sizes, for
// correlate's demo and integration tests.  It serves the three endpoints
// correlate reads, on 127.0.0.1 only:
//
//	/debug/pprof/heap?debug=1   (net/http/pprof)
//	/debug/vars                 (expvar)
//	/metrics                    (the Prometheus Go client)
//
// Sizes take IEC suffixes: 64MiB, 512KiB, 1GiB.  When everything asked for is
// in place it prints "ready" on stdout; it exits when stdin closes or on
// SIGTERM.
package main

import (
	"bufio"
	"expvar"
	"flag"
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"syscall"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

type size uint64

func (s *size) String() string { return strconv.FormatUint(uint64(*s), 10) }

func (s *size) Set(v string) error {
	mult := uint64(1)
	for _, u := range []struct {
		suffix string
		mult   uint64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"B", 1}} {
		if strings.HasSuffix(v, u.suffix) {
			v, mult = strings.TrimSuffix(v, u.suffix), u.mult
			break
		}
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return err
	}
	*s = size(n * mult)
	return nil
}

var (
	listen        = flag.String("listen", "127.0.0.1:0", "address to serve on")
	execAfterVars = flag.String("exec-after-vars", "",
		"serve /exec/vars, then replace this process with the program given (same pid)")
	heap    size
	cmalloc size
	anonMap size
	keep    [][]byte
)

func init() {
	flag.Var(&heap, "heap", "live Go heap to hold, in 1 MiB objects")
	flag.Var(&cmalloc, "cmalloc", "C memory to malloc and touch through cgo (cgo builds only)")
	flag.Var(&anonMap, "mmap", "anonymous private memory to map with syscall.Mmap and touch")
}

func touch(b []byte) {
	for i := 0; i < len(b); i += 4096 {
		b[i] = 1
	}
}

// execAfter takes MemStats (h's body), then replaces this process with
// another program (same pid, same start time) that sends the answer: by the
// time the client has the body, the pid runs `sleep`.  For the test that a
// report never mixes two programs.
func execAfter(h http.Handler, prog string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		rec := &bufferWriter{header: http.Header{}}
		h.ServeHTTP(rec, r)
		resp := fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"+
			"Content-Length: %d\r\nConnection: close\r\n\r\n%s", len(rec.body), rec.body)
		f, err := os.CreateTemp("", "memsvc-response-*")
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		f.WriteString(resp)
		f.Close()
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		cf, err := conn.(*net.TCPConn).File()
		if err != nil {
			return
		}
		syscall.Dup2(int(cf.Fd()), 3) // fd 3 survives the exec (no CLOEXEC)
		script := fmt.Sprintf("cat %s >&3; rm -f %s; exec %s 60", f.Name(), f.Name(), prog)
		syscall.Exec("/bin/sh", []string{"/bin/sh", "-c", script}, os.Environ())
	}
}

type bufferWriter struct {
	header http.Header
	body   []byte
}

func (b *bufferWriter) Header() http.Header         { return b.header }
func (b *bufferWriter) Write(p []byte) (int, error) { b.body = append(b.body, p...); return len(p), nil }
func (b *bufferWriter) WriteHeader(int)             {}

func main() {
	flag.Parse()

	for left := uint64(heap); left > 0; {
		n := uint64(1 << 20)
		if left < n {
			n = left
		}
		b := make([]byte, n)
		touch(b)
		keep = append(keep, b)
		left -= n
	}
	if cmalloc > 0 {
		if err := cMalloc(uint64(cmalloc)); err != nil {
			fmt.Fprintln(os.Stderr, "memsvc:", err)
			os.Exit(2)
		}
	}
	if anonMap > 0 {
		b, err := syscall.Mmap(-1, 0, int(anonMap), syscall.PROT_READ|syscall.PROT_WRITE,
			syscall.MAP_PRIVATE|syscall.MAP_ANON)
		if err != nil {
			fmt.Fprintln(os.Stderr, "memsvc: mmap:", err)
			os.Exit(2)
		}
		touch(b)
		keep = append(keep, b)
	}
	if err := runScenarios(); err != nil {
		fmt.Fprintln(os.Stderr, "memsvc:", err)
		os.Exit(2)
	}
	defer cleanupScenarios()
	expvar.NewString("memsvc").Set("ok")
	http.Handle("/metrics", promhttp.Handler())
	if *execAfterVars != "" {
		http.HandleFunc("/exec/vars", execAfter(expvar.Handler(), *execAfterVars))
	}

	listening := "none" // -noserve: no TCP listener (netns.go)
	if !*noServe {
		ln, err := net.Listen("tcp", *listen)
		if err != nil {
			fmt.Fprintln(os.Stderr, "memsvc:", err)
			os.Exit(2)
		}
		go http.Serve(ln, peerHandler(http.DefaultServeMux))
		listening = "http://" + ln.Addr().String()
	}
	if err := extraListeners(); err != nil {
		fmt.Fprintln(os.Stderr, "memsvc:", err)
		os.Exit(2)
	}
	// Settle the heap so the numbers a test reads are the steady state; not
	// when heap was just freed on purpose: a GC here would only move time on.
	if freeHeap == 0 {
		runtime.GC()
	}
	fmt.Printf("listening %s\nready\n", listening)

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, os.Interrupt)
	go func() {
		bufio.NewReader(os.Stdin).ReadString(0)
		stop <- syscall.SIGTERM
	}()
	<-stop
	runtime.KeepAlive(keep)
}
