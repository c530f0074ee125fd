//go:build !cgo

package main

import "fmt"

func cMalloc(n uint64) error {
	return fmt.Errorf("-cmalloc needs a cgo build (CGO_ENABLED=1)")
}
