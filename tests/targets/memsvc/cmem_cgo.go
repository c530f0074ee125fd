//go:build cgo

package main

// #include <stdlib.h>
// #include <string.h>
import "C"

import (
	"fmt"
	"unsafe"
)

var cBlocks []*C.char

// cMalloc allocates n bytes with C malloc and writes every byte, so all of
// it is resident and none of it is in MemStats.
func cMalloc(n uint64) error {
	for left := n; left > 0; {
		chunk := uint64(16 << 20)
		if left < chunk {
			chunk = left
		}
		p := (*C.char)(C.malloc(C.size_t(chunk)))
		if p == nil {
			return fmt.Errorf("malloc(%d) failed", chunk)
		}
		C.memset(unsafe.Pointer(p), 1, C.size_t(chunk))
		cBlocks = append(cBlocks, p)
		left -= chunk
	}
	return nil
}
