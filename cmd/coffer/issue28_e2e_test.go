package main_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// stop interrupts the server and waits for it to exit; the guard only
// turns a hang into a failure.
func (s *serverProc) stop(t *testing.T) {
	t.Helper()
	s.cmd.Process.Signal(os.Interrupt)
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("server exited with %v:\n%s", err, s.stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("server did not stop:\n%s", s.stderr.String())
	}
}

// TestServeRefusesASecondServerOnOneDatabase (issue 28): a second coffer
// serve on the data directory of a running one exits at once, naming the
// first's process id and the directory; admin commands work alongside the
// server as before; once the first has stopped, a new one starts.
func TestServeRefusesASecondServerOnOneDatabase(t *testing.T) {
	data := t.TempDir()
	first := startServerIn(t, data)
	c := newCLI(t)
	r := c.run("", "serve", "--addr", "127.0.0.1:0", "--data", data)
	want := fmt.Sprintf("another coffer serve (pid %d) is using %s; stop it first", first.cmd.Process.Pid, data)
	if r.code != 1 || !strings.Contains(r.stderr, want) {
		t.Fatalf("second server: exit %d, stderr %q; want 1 and %q", r.code, r.stderr, want)
	}
	// The same database named by --database sqlite:PATH is the same lock.
	if r := c.run("", "serve", "--addr", "127.0.0.1:0", "--database", "sqlite:"+filepath.Join(data, "coffer.db")); r.code != 1 || !strings.Contains(r.stderr, want) {
		t.Fatalf("second server by --database: exit %d, stderr %q", r.code, r.stderr)
	}
	// Administration on the server machine is not the server: it opens
	// the database alongside.
	c.ok(masterPW+"\n", "signup", "--server", first.url, "--email", "lock@example.com", "--name", "L", "--password-stdin")
	c.ok("", "admin", "grant-admin", "lock@example.com", "--data", data)
	c.ok("", "admin", "backup", "--data", data, "--out", filepath.Join(t.TempDir(), "b.db"))

	first.stop(t)
	second := startServerIn(t, data)
	d := newCLI(t)
	d.ok(masterPW+"\n", "login", "--server", second.url, "--email", "lock@example.com", "--password-stdin")
}
