//go:build windows

package server_test

import "syscall"

// smallReceiveBuffer shrinks a socket's receive buffer, so that a client
// that does not read holds the server's writes back soon.
func smallReceiveBuffer(fd uintptr) {
	syscall.SetsockoptInt(syscall.Handle(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096)
}
