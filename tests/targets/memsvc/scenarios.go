package main

// Scenarios: each injects one cause of memory of a known size, for the
// scenario suite (tests/integration/test_scenarios.py).

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"syscall"

	"golang.org/x/sys/unix"
)

var (
	fileMap     size
	shmem       size
	freeHeap    size
	release     = flag.Bool("release", false, "after -freeheap, return the freed heap with debug.FreeOSMemory")
	goroutines  = flag.Int("goroutines", 0, "goroutines to start, each parked on a stack of -stack bytes")
	stackSize   size
	threads     = flag.Int("threads", 0, "OS threads to lock (runtime.LockOSThread) and park")
	fragment    size
	parked      = make(chan struct{})
	fragmentKep []*[64]byte
)

func init() {
	flag.Var(&fileMap, "filemap", "a file of this size to create, map shared read-only and read")
	flag.Var(&shmem, "shmem", "shared anonymous memory (MAP_SHARED|MAP_ANONYMOUS) to map and touch")
	flag.Var(&freeHeap, "freeheap", "Go heap to allocate, touch and drop (left idle after a GC)")
	flag.Var(&stackSize, "stack", "stack each -goroutines goroutine grows to (default 8KiB)")
	flag.Var(&fragment, "fragment", "64-byte objects to allocate, of which one per 8 KiB span is kept")
}

// mapFile writes a file of n bytes and maps it, as a database maps its file.
func mapFile(n uint64) error {
	f, err := os.CreateTemp("", "memsvc-filemap-*")
	if err != nil {
		return err
	}
	defer f.Close()
	buf := make([]byte, 1<<20)
	for i := range buf {
		buf[i] = byte(i)
	}
	for left := n; left > 0; {
		c := uint64(len(buf))
		if left < c {
			c = left
		}
		if _, err := f.Write(buf[:c]); err != nil {
			return err
		}
		left -= c
	}
	b, err := syscall.Mmap(int(f.Fd()), 0, int(n), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return err
	}
	var sum byte
	for i := 0; i < len(b); i += 4096 {
		sum += b[i]
	}
	keep = append(keep, b, []byte{sum})
	mappedFile = filepath.Clean(f.Name())
	return nil
}

var mappedFile string

func mapShared(n uint64) error {
	b, err := syscall.Mmap(-1, 0, int(n), syscall.PROT_READ|syscall.PROT_WRITE,
		syscall.MAP_SHARED|syscall.MAP_ANON)
	if err != nil {
		return err
	}
	touch(b)
	keep = append(keep, b)
	return nil
}

// idleHeap allocates n bytes of heap, touches it and drops it: after the GCs
// the spans are free but still mapped (HeapIdle - HeapReleased), until the
// scavenger returns them.
func idleHeap(n uint64) {
	var tmp [][]byte
	for left := n; left > 0; {
		c := uint64(256 << 10)
		if left < c {
			c = left
		}
		b := make([]byte, c)
		touch(b)
		tmp = append(tmp, b)
		left -= c
	}
	runtime.KeepAlive(tmp)
	tmp = nil
	// One GC frees the spans.  Run with GOGC=off, it is the first GC of the
	// process, and the background scavenger stays off until a second one
	// (gcPaceScavenger: "If we're called before the first GC completed,
	// disable scavenging"), so the freed heap stays idle and resident.
	runtime.GC()
	if *release {
		debug.FreeOSMemory()
	}
}

// grow recurses until about n bytes of stack are in use, then parks.
func grow(n int) {
	var pad [1024]byte
	pad[0] = byte(n)
	if n > 1024 {
		grow(n - 1024 - 64)
		return
	}
	<-parked
	runtime.KeepAlive(pad)
}

func startGoroutines(n int, stack uint64) {
	ready := make(chan struct{}, n)
	for i := 0; i < n; i++ {
		go func() {
			ready <- struct{}{}
			grow(int(stack))
		}()
	}
	for i := 0; i < n; i++ {
		<-ready
	}
}

func lockThreads(n int) {
	ready := make(chan struct{}, n)
	for i := 0; i < n; i++ {
		go func() {
			runtime.LockOSThread()
			ready <- struct{}{}
			<-parked
		}()
	}
	for i := 0; i < n; i++ {
		<-ready
	}
}

// fragmentHeap fills spans of 64-byte objects and keeps one object in 128,
// one per 8 KiB span: the spans stay in use, almost empty.
func fragmentHeap(n uint64) {
	count := n / 64
	all := make([]*[64]byte, count)
	for i := range all {
		all[i] = new([64]byte)
		all[i][0] = 1
	}
	for i := uint64(0); i < count; i += 128 {
		fragmentKep = append(fragmentKep, all[i])
	}
	all = nil
	runtime.GC()
	runtime.GC()
}

// -readfile: page cache that is not mapped, for the cgroup tests
// (tests/integration/test_cgroup.py).  The file's cached pages are dropped
// first (POSIX_FADV_DONTNEED), so that reading it charges them to this
// process's memory cgroup whoever cached them before; it is read twice, so
// the kernel moves them to the active list (mark_page_accessed), where they
// count in kubelet's working set.  Nothing is kept: the pages stay cached.
var readFile = flag.String("readfile", "", "a file to read twice through the page cache, without mapping it")

func readTwice(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED); err != nil {
		return err
	}
	buf := make([]byte, 1<<20)
	for pass := 0; pass < 2; pass++ {
		if _, err := f.Seek(0, 0); err != nil {
			return err
		}
		for {
			n, err := f.Read(buf)
			if n == 0 || err != nil {
				break
			}
		}
	}
	return nil
}

func runScenarios() error {
	if *readFile != "" {
		if err := readTwice(*readFile); err != nil {
			return fmt.Errorf("readfile: %v", err)
		}
	}
	if fileMap > 0 {
		if err := mapFile(uint64(fileMap)); err != nil {
			return fmt.Errorf("filemap: %v", err)
		}
	}
	if shmem > 0 {
		if err := mapShared(uint64(shmem)); err != nil {
			return fmt.Errorf("shmem: %v", err)
		}
	}
	if fragment > 0 {
		fragmentHeap(uint64(fragment))
	}
	if *goroutines > 0 {
		st := uint64(stackSize)
		if st == 0 {
			st = 8 << 10
		}
		startGoroutines(*goroutines, st)
	}
	if *threads > 0 {
		lockThreads(*threads)
	}
	if freeHeap > 0 {
		idleHeap(uint64(freeHeap))
	}
	return nil
}

func cleanupScenarios() {
	if mappedFile != "" {
		os.Remove(mappedFile)
	}
}
