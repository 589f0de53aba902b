//go:build unix

package cli

import (
	"os/exec"
	"syscall"
)

// detach runs cmd in a session of its own, so closing the terminal does
// not stop it.
func detach(cmd *exec.Cmd) { cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true} }
