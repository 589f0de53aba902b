//go:build !(js && wasm)

package main

import (
	"fmt"
	"os"
)

// Built for anything but the browser, coffer-web only says how to build it.
func main() {
	fmt.Fprintln(os.Stderr, "coffer-web is the client core for the browser: build it with GOOS=js GOARCH=wasm (scripts/build-web.sh)")
	os.Exit(2)
}
