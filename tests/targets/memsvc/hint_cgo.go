//go:build cgo && hinttaken

package main

// Built with -tags hinttaken (tests/targets/gobuild-variant), memsvc takes
// Go's first arena hint before the runtime starts: a C constructor maps
// 1 MiB at 0xc000000000 with MAP_FIXED_NOREPLACE and writes it, as a cgo
// library or a preloaded one can.  The runtime then finds the hint taken and
// puts the heap at the next one, 0x1c000000000 (malloc.go: mallocinit,
// sysAlloc), on Go < 1.26; from 1.26 the hints are random.

// #define _GNU_SOURCE
// #include <stdio.h>
// #include <stdlib.h>
// #include <string.h>
// #include <sys/mman.h>
// #ifndef MAP_FIXED_NOREPLACE
// #define MAP_FIXED_NOREPLACE 0x100000
// #endif
// static void *hint_block;
// __attribute__((constructor)) static void take_first_hint(void)
// {
// 	void *want = (void *)0xc000000000UL;
// 	void *p = mmap(want, 1 << 20, PROT_READ | PROT_WRITE,
// 		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
// 	if (p != want) {
// 		fprintf(stderr, "memsvc: cannot map 0xc000000000 before the runtime\n");
// 		exit(3);
// 	}
// 	memset(p, 1, 1 << 20);
// 	hint_block = p;
// }
// static unsigned long hint_addr(void) { return (unsigned long)hint_block; }
import "C"

import "fmt"

func init() {
	// The runtime is up and the block is still there: say where, for the test.
	fmt.Printf("hint taken 0x%x\n", uint64(C.hint_addr()))
}
