//go:build !(js && wasm)

package main

import (
	"fmt"
	"os"
)

// Built for anything but the browser, coffer-tools only says how to build
// it.
func main() {
	fmt.Fprintln(os.Stderr, "coffer-tools is the web app's file-format module: build it with GOOS=js GOARCH=wasm (scripts/build-web.sh)")
	os.Exit(2)
}
