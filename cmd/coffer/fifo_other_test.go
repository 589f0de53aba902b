//go:build !unix

package main_test

import "testing"

// mkfifo: named pipes are a Unix thing; the tests that need one do not
// run elsewhere.
func mkfifo(t *testing.T, _ string) {
	t.Skip("this test needs a named pipe (Unix)")
}
