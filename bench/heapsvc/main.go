// heapsvc is the benchmark's target: a Go service whose heap profile is as
// big as asked, or whose address space has as many mappings as asked.  It
// serves, on 127.0.0.1 only:
//
//	/debug/pprof/heap?debug=1     (net/http/pprof): the real profile
//	/debug/vars                   (expvar)
//	/metrics                      (the Prometheus Go client)
//	/bench/heap?debug=1&mb=N      a pprof text body of N MB (10^6 bytes): the
//	                              real profile's records repeated, then its
//	                              real MemStats block; for measuring the
//	                              client against body size cheaply
//
//	heapsvc -profile-mb 10        heap profile (debug=1) of about 10 MB
//	heapsvc -maps 100000          about 100000 distinct mappings
//
// The profile is made big the way real services make it big: many distinct
// call stacks that allocate, with runtime.MemProfileRate = 1 so every
// allocation is sampled, and every object kept alive (in use).  Each path
// through step() below is a distinct stack: step calls itself from one of
// four call sites chosen by two bits of the path.  Once the profile is
// grown, MemProfileRate goes back to Go's default (-rate-after): left at 1,
// the profile writer's own allocations would be sampled too, and serving
// the profile would cost the target ten times what it costs a real service.
//
// When everything is in place it prints "listening URL" and "ready" on
// stdout (like tests/targets/memsvc); it exits when stdin closes or on
// SIGTERM.
package main

import (
	"bufio"
	"bytes"
	"expvar"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"strconv"
	"syscall"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

var (
	profileMB = flag.Float64("profile-mb", 0, "grow the heap profile (debug=1 text) to about this many MB (10^6 bytes)")
	maps      = flag.Int("maps", 0, "create about this many distinct mappings (alternating PROT_NONE and read-write pages)")
	listen    = flag.String("listen", "127.0.0.1:0", "address to serve on")
	rateAfter = flag.Int("rate-after", 512*1024,
		"runtime.MemProfileRate once the profile is grown (Go's default, as in a real service; 1 keeps sampling every allocation, the serving's own too)")

	keep  [][]byte // one object per distinct stack, kept in use
	depth int      // levels of step(): 4^depth distinct paths
)

// step descends depth levels, choosing one of four call sites by two bits
// of path at each level, and allocates at the bottom.
//
//go:noinline
func step(path uint64, level int) {
	if level == 0 {
		keep = append(keep, make([]byte, 64))
		return
	}
	switch path & 3 {
	case 0:
		step(path>>2, level-1)
	case 1:
		step(path>>2, level-1)
	case 2:
		step(path>>2, level-1)
	default:
		step(path>>2, level-1)
	}
}

// profileSize is the length of the heap profile at debug=1 as of now.
func profileSize() int64 {
	runtime.GC() // the profile shows the heap as of the last completed GC
	runtime.GC()
	var c countWriter
	pprof.Lookup("heap").WriteTo(&c, 1)
	return int64(c)
}

type countWriter int64

func (c *countWriter) Write(p []byte) (int, error) { *c += countWriter(len(p)); return len(p), nil }

// growProfile allocates from new distinct stacks until the profile reaches
// target bytes: a first batch measures the bytes one stack adds.
func growProfile(target int64) error {
	depth = 9 // 262144 paths, 13 frames a stack
	next := uint64(0)
	alloc := func(n int64) {
		for i := int64(0); i < n && next < 1<<(2*depth); i++ {
			step(next, depth)
			next++
		}
	}
	// Each round allocates what the last measured bytes-per-stack says is
	// missing; writing a big profile takes seconds, so few rounds matter.
	size := profileSize()
	added := int64(200)
	for size < target*99/100 { // within 1%
		if next >= 1<<(2*depth) {
			return fmt.Errorf("ran out of distinct stacks at %d bytes", size)
		}
		alloc(added)
		prev := size
		size = profileSize()
		per := float64(size-prev) / float64(added)
		if per < 100 {
			per = 100
		}
		added = int64(float64(target-size)/per) + 1
		fmt.Fprintf(os.Stderr, "heapsvc: %d stacks, %d bytes (%.0f a stack)\n", next, size, per)
	}
	fmt.Fprintf(os.Stderr, "heapsvc: %d stacks, heap profile %d bytes\n", next, size)
	return nil
}

// makeMappings reserves n pages and makes every other page read-write (and
// touches it): the kernel cannot merge neighbours with different
// permissions, so this is about n mappings.  vm.max_map_count (65530 by
// default) must be above n.
func makeMappings(n int) error {
	page := os.Getpagesize()
	b, err := syscall.Mmap(-1, 0, n*page, syscall.PROT_NONE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
	if err != nil {
		return fmt.Errorf("mmap %d pages: %v", n, err)
	}
	for i := 1; i < n; i += 2 {
		p := b[i*page : (i+1)*page]
		if err := syscall.Mprotect(p, syscall.PROT_READ|syscall.PROT_WRITE); err != nil {
			return fmt.Errorf("mprotect page %d of %d: %v (is vm.max_map_count above %d?)",
				i, n, err, n)
		}
		p[0] = 1
	}
	keep = append(keep, b)
	return nil
}

// syntheticHeap serves a pprof heap text of mb MB: the real profile's
// header, its records repeated, then its real MemStats block.
func syntheticHeap(w http.ResponseWriter, r *http.Request) {
	mb, err := strconv.ParseFloat(r.URL.Query().Get("mb"), 64)
	if err != nil || mb <= 0 {
		http.Error(w, "mb=N wanted", http.StatusBadRequest)
		return
	}
	var prof bytes.Buffer
	pprof.Lookup("heap").WriteTo(&prof, 1)
	text := prof.Bytes()
	i := bytes.Index(text, []byte("\n# runtime.MemStats\n"))
	nl := bytes.IndexByte(text, '\n')
	if i < 0 || nl < 0 || nl >= i {
		http.Error(w, "unexpected heap profile", http.StatusInternalServerError)
		return
	}
	head, records, tail := text[:nl+1], text[nl+1:i+1], text[i+1:]
	want := int64(mb*1e6) - int64(len(head)) - int64(len(tail))
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	bw := bufio.NewWriterSize(w, 256<<10)
	bw.Write(head)
	for n := int64(0); n < want; {
		chunk := records
		if int64(len(chunk)) > want-n {
			// cut at a line end so every line stays a whole record line
			cut := bytes.LastIndexByte(chunk[:want-n], '\n')
			if cut < 0 {
				break
			}
			chunk = chunk[:cut+1]
		}
		if len(chunk) == 0 {
			break
		}
		if _, err := bw.Write(chunk); err != nil {
			return
		}
		n += int64(len(chunk))
	}
	bw.Write(tail)
	bw.Flush()
}

func main() {
	runtime.MemProfileRate = 1 // before anything is allocated on purpose
	flag.Parse()
	if *profileMB > 0 {
		if err := growProfile(int64(*profileMB * 1e6)); err != nil {
			fmt.Fprintln(os.Stderr, "heapsvc:", err)
			os.Exit(2)
		}
	}
	if *maps > 0 {
		if err := makeMappings(*maps); err != nil {
			fmt.Fprintln(os.Stderr, "heapsvc:", err)
			os.Exit(2)
		}
	}
	// The records made so far stay in the profile; from here on sample as a
	// real service does, so that serving the profile costs what it would.
	runtime.MemProfileRate = *rateAfter
	expvar.NewString("heapsvc").Set("ok")
	http.Handle("/metrics", promhttp.Handler())
	http.HandleFunc("/bench/heap", syntheticHeap)

	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintln(os.Stderr, "heapsvc:", err)
		os.Exit(2)
	}
	go http.Serve(ln, nil)
	runtime.GC()
	fmt.Printf("listening http://%s\nready\n", ln.Addr())

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, os.Interrupt)
	go func() {
		io.Copy(io.Discard, os.Stdin)
		stop <- syscall.SIGTERM
	}()
	<-stop
	runtime.KeepAlive(keep)
}
