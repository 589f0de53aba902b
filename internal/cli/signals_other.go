//go:build !unix

package cli

import (
	"os"
	"syscall"
)

// forwardedSignals are the signals coffer run passes on to its child:
// where there are no user signals, the interrupt and termination ones.
var forwardedSignals = []os.Signal{os.Interrupt, syscall.SIGTERM}
