package main_test

import (
	"os"
	"strings"
	"testing"
	"time"
)

// refusedWatch runs `coffer watch`, which must end on its own, refused,
// with exit code 1 and one line on stderr containing msg. Whether it was
// refused is what it does — end, or say it is watching — not how long it
// took.
func (c *cli) refusedWatch(t *testing.T, msg string) {
	t.Helper()
	w := c.startWatch(t)
	if w.started(t) {
		t.Fatalf("coffer watch was accepted beyond the limit: %s", w.stderrText())
	}
	checkRefused(t, w, msg)
}

// checkRefused checks how an ended watch was refused.
func checkRefused(t *testing.T, w *watchProc, msg string) {
	t.Helper()
	if code := w.cmd.ProcessState.ExitCode(); code != 1 {
		t.Fatalf("coffer watch ended with %d, want exit 1: %s", code, w.stderrText())
	}
	line := w.stderrText()
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
	case <-time.After(time.Minute): // only turns a hang into a failure
		t.Fatal("watch did not stop")
	}
	// The server notices the closed stream a moment after the client has
	// gone: until then a new watch is refused (and says so at once), after
	// that it is accepted. Each attempt waits for the answer itself, however
	// long a loaded machine takes to start the process; the guard only
	// turns a place that is never freed into a failure.
	guard := time.After(time.Minute)
	for {
		w := two.startWatch(t)
		if w.started(t) {
			break // accepted
		}
		checkRefused(t, w, "too many live streams for this account (at most 3)")
		select {
		case <-guard:
			t.Fatalf("a freed place was not reusable: %s", w.stderrText())
		case <-time.After(100 * time.Millisecond): // between attempts, not a verdict
		}
	}
}
