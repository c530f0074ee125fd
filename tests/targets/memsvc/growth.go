package main

// Growth over time, for `correlate watch` (tests/integration/test_watch.py,
// issue 14): each flag starts one kind of growth at a fixed rate once the
// flags are parsed, so that a watch can hold the measured rate to the true
// one.
//
//	-leak-c RATE        C memory (malloc, every byte touched) per second (cgo builds)
//	-leak-goroutines N  goroutines started per second, each parked on a 32 KiB stack
//	-sawtooth RATE      short-lived Go garbage per second: the heap climbs and
//	                    drops at each GC, and the live heap stays flat
//
// main.go is left as it is: the growth starts from a goroutine that waits
// for flag.Parse.

import (
	"flag"
	"fmt"
	"os"
	"time"
)

var (
	leakC          size
	leakGoroutines = flag.Int("leak-goroutines", 0, "goroutines to start per second, each parked on a 32 KiB stack")
	sawtooth       size
	garbage        [][]byte
	leakedParked   = make(chan struct{})
)

const growthTick = 50 * time.Millisecond

func init() {
	flag.Var(&leakC, "leak-c", "C memory to malloc and touch per second (cgo builds only)")
	flag.Var(&sawtooth, "sawtooth", "short-lived Go heap garbage to allocate per second")
	go func() {
		for !flag.Parsed() {
			time.Sleep(time.Millisecond)
		}
		startGrowth()
	}()
}

// every calls f once per growthTick, with the tick's share of a per-second
// amount, from the time it is called on; the share is taken from the clock,
// not the tick count, so a late tick does not slow the rate.
func every(perSecond float64, f func(n float64)) {
	start := time.Now()
	done := 0.0
	for range time.Tick(growthTick) {
		due := time.Since(start).Seconds() * perSecond
		if due > done {
			f(due - done)
			done = due
		}
	}
}

func growLeaked(depth int) {
	var pad [1024]byte
	pad[0] = byte(depth)
	if depth > 0 {
		growLeaked(depth - 1)
	}
	if pad[0] == 255 {
		<-leakedParked
	}
	<-leakedParked
}

func startGrowth() {
	if leakC > 0 {
		go every(float64(leakC), func(n float64) {
			if err := cMalloc(uint64(n)); err != nil {
				fmt.Fprintln(os.Stderr, "memsvc:", err)
				os.Exit(2)
			}
		})
	}
	if *leakGoroutines > 0 {
		go every(float64(*leakGoroutines), func(n float64) {
			for i := 0; i < int(n+0.5); i++ {
				go growLeaked(28) // ~28 KiB of frames: a 32 KiB stack
			}
		})
	}
	if sawtooth > 0 {
		go every(float64(sawtooth), func(n float64) {
			for left := int(n); left > 0; left -= 64 << 10 {
				b := make([]byte, 64<<10)
				b[0] = 1
				garbage = append(garbage, b)
			}
			// Keep only the last few: the rest is garbage for the next GC.
			if len(garbage) > 8 {
				garbage = append(garbage[:0], garbage[len(garbage)-8:]...)
			}
		})
	}
}
