package main_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// refusedWatch runs `coffer watch`, which must end on its own, refused,
// with exit code 1 and one line on stderr containing msg.
func (c *cli) refusedWatch(t *testing.T, msg string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, cofferBin, "watch")
	cmd.Env = append(os.Environ(), "COFFER_CONFIG_DIR="+c.config, "COFFER_SESSION="+c.session)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("coffer watch was accepted beyond the limit (still running after 20 s): %s", stderr.String())
	}
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != 1 {
		t.Fatalf("coffer watch ended with %v, want exit 1: %s", err, stderr.String())
	}
	line := stderr.String()
	if strings.Count(strings.TrimSpace(line), "\n") != 0 || !strings.HasPrefix(line, "coffer: ") || !strings.Contains(line, "HTTP 429") || !strings.Contains(line, msg) {
		t.Fatalf("coffer watch refused with %q, want one line with HTTP 429 and %q", line, msg)
	}
}

// TestLiveStreamLimitsDefault (issue 13, finding 8, real binary): with the
// default limits, a session runs at most 8 `coffer watch` at once; the
// ninth is refused with a clear message and exits instead of retrying.
func TestLiveStreamLimitsDefault(t *testing.T) {
	srv := startServer(t)
	c := user(t, srv, "eight@limits.example")
	for i := 0; i < 8; i++ {
		c.watch(t)
	}
	c.refusedWatch(t, "too many live streams for this session (at most 8)")
}

// TestLiveStreamLimitsFlags (issue 13, finding 8, real binary): the limits
// are set by flags; the account's limit counts all its sessions; a stream
// that ends frees its place.
func TestLiveStreamLimitsFlags(t *testing.T) {
	srv := startServer(t, "--live-per-session", "2", "--live-per-account", "3")
	one := user(t, srv, "flags@limits.example")
	two := newCLI(t) // a second device: another session of the same account
	two.ok(masterPW+"\n", "login", "--server", srv.url, "--email", "flags@limits.example", "--password-stdin")
	two.unlock(masterPW)
	if two.session == one.session {
		t.Fatal("unlock did not make a second session")
	}
	first := one.watch(t)
	one.watch(t)
	one.refusedWatch(t, "too many live streams for this session (at most 2)")
	two.watch(t)
	two.refusedWatch(t, "too many live streams for this account (at most 3)")

	first.cmd.Process.Signal(os.Interrupt)
	select {
	case <-first.done:
	case <-time.After(10 * time.Second):
		t.Fatal("watch did not stop")
	}
	// The server notices the closed stream at once; allow it a moment.
	deadline := time.Now().Add(5 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		cmd := exec.CommandContext(ctx, cofferBin, "watch")
		cmd.Env = append(os.Environ(), "COFFER_CONFIG_DIR="+two.config, "COFFER_SESSION="+two.session)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		cmd.Run()
		cancel()
		if ctx.Err() != nil && strings.Contains(stderr.String(), "Watching") {
			break // accepted: it ran until we stopped it
		}
		if time.Now().After(deadline) {
			t.Fatalf("a freed place was not reusable: %s", stderr.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}
