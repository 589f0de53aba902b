package main_test

import (
	"bufio"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coffer-pm/coffer/internal/store/pgtest"
)

// watchProc is a running `coffer watch`. What it prints is read as it
// comes: a test waits for the line it expects (or for the process to end),
// not for a while.
type watchProc struct {
	cmd     *exec.Cmd
	mu      sync.Mutex
	lines   []string        // stdout
	stderr  strings.Builder // everything on stderr
	arrived chan struct{}   // closed (and replaced) at each line on either
	ready   chan struct{}   // closed once it says it is watching
	done    chan struct{}   // closed once it has ended and its output is read
}

// startWatch starts `coffer watch` and returns at once.
func (c *cli) startWatch(t *testing.T, args ...string) *watchProc {
	t.Helper()
	w := &watchProc{arrived: make(chan struct{}), ready: make(chan struct{}), done: make(chan struct{})}
	w.cmd = exec.Command(cofferBin, append([]string{"watch"}, args...)...)
	w.cmd.Env = append(os.Environ(), "COFFER_CONFIG_DIR="+c.config, "COFFER_SESSION="+c.session)
	out, err := w.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	errOut, err := w.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := w.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var readers sync.WaitGroup
	readers.Go(func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			w.add(func() { w.lines = append(w.lines, sc.Text()) })
		}
	})
	readers.Go(func() {
		sc := bufio.NewScanner(errOut)
		readyOnce := sync.OnceFunc(func() { close(w.ready) })
		for sc.Scan() {
			line := sc.Text()
			w.add(func() { w.stderr.WriteString(line + "\n") })
			if strings.Contains(line, "Watching") {
				readyOnce()
			}
		}
	})
	go func() {
		readers.Wait() // the pipes are read to the end before Wait closes them
		w.cmd.Wait()
		close(w.done)
	}()
	t.Cleanup(func() {
		w.cmd.Process.Signal(os.Interrupt)
		select {
		case <-w.done:
		case <-time.After(time.Minute): // only turns a hang into a failure
			w.cmd.Process.Kill()
		}
	})
	return w
}

// add records output under the lock and wakes the waiters.
func (w *watchProc) add(f func()) {
	w.mu.Lock()
	defer w.mu.Unlock()
	f()
	close(w.arrived)
	w.arrived = make(chan struct{})
}

// started waits until the watch says it is watching (true) or ends
// without (false). The guard only turns a hang into a failure.
func (w *watchProc) started(t *testing.T) bool {
	t.Helper()
	select {
	case <-w.ready:
		return true
	case <-w.done:
		return false
	case <-time.After(time.Minute):
		t.Fatalf("watch neither started nor ended within a minute: %s", w.stderrText())
		return false
	}
}

// watch starts `coffer watch` and returns once it is watching.
func (c *cli) watch(t *testing.T, args ...string) *watchProc {
	t.Helper()
	w := c.startWatch(t, args...)
	if !w.started(t) {
		t.Fatalf("watch did not start: %s", w.stderrText())
	}
	return w
}

func (w *watchProc) stderrText() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.stderr.String()
}

// waitLine waits until the watch prints a line containing want: it looks
// again at each line printed. The guard only turns a hang into a failure.
func (w *watchProc) waitLine(t *testing.T, want string) {
	t.Helper()
	guard := time.After(time.Minute)
	for {
		w.mu.Lock()
		for _, l := range w.lines {
			if strings.Contains(l, want) {
				w.mu.Unlock()
				return
			}
		}
		arrived := w.arrived
		w.mu.Unlock()
		select {
		case <-arrived:
		case <-guard:
			w.mu.Lock()
			defer w.mu.Unlock()
			t.Fatalf("watch printed no %q; got %q (stderr %q)", want, w.lines, w.stderr.String())
		}
	}
}

func (w *watchProc) output() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return strings.Join(w.lines, "\n")
}

// liveScenario: A watches; B edits an item of a shared vault; a grant to A
// makes the vault appear; revoking stops A's events for it; removal from
// the organisation ends A's events of it. a and b may talk to different
// server instances.
func liveScenario(t *testing.T, srvA, srvB *serverProc) {
	owner := user(t, srvB, "owner@live.example")
	a := user(t, srvA, "a@live.example")
	b := user(t, srvB, "b@live.example")
	owner.ok("", "org", "create", "Live")
	code := owner.inviteCode("Live", "a@live.example", "b@live.example")
	a.ok("", "org", "join", "Live", "--code", code)
	b.ok("", "org", "join", "Live", "--code", code)
	owner.ok("", "org", "confirm", "Live", "a@live.example", "b@live.example")
	owner.ok("", "group", "create", "Live", "Marketing", "--default-permission", "edit")
	owner.ok("", "group", "add", "Live", "Marketing", "b@live.example")
	owner.ok("", "vault", "create", "Live", "Marketing")
	owner.ok("", "vault", "grant", "Live/Marketing", "--group", "Marketing")
	b.ok("", "item", "add", "--type", "login", "--vault", "Live/Marketing", "--name", "Social media", "--password", "one")

	w := a.watch(t)
	owner.ok("", "vault", "grant", "Live/Marketing", "--user", "a@live.example", "--permission", "view")
	w.waitLine(t, "Marketing: you can open this vault (view)")
	b.ok("", "item", "edit", "Social media", "--password", "two")
	w.waitLine(t, "Marketing/Social media: password changed by b@live.example")

	owner.ok("", "vault", "revoke", "Live/Marketing", "--user", "a@live.example")
	w.waitLine(t, "your access was revoked")
	b.ok("", "item", "edit", "Social media", "--password", "three")
	owner.ok("", "org", "remove", "Live", "a@live.example")
	w.waitLine(t, "you were removed from an organisation")
	owner.ok("", "group", "create", "Live", "Later")
	b.ok("", "item", "edit", "Social media", "--username", "four")
	// A barrier instead of a pause: a change A sees for sure, made after
	// everything A must not see. The stream delivers in commit order, so
	// once it is printed, anything before it that A's stream would carry
	// is printed too.
	a.ok("", "item", "add", "--type", "note", "--name", "Barrier")
	w.waitLine(t, "Barrier: created")
	out := w.output()
	if strings.Count(out, "Social media:") != 1 || strings.Contains(out, "groups changed") {
		t.Fatalf("A saw events after losing access:\n%s", out)
	}
	if strings.Contains(out, "two") || strings.Contains(out, "three") {
		t.Fatalf("watch printed a secret:\n%s", out)
	}
}

func TestLiveUpdates(t *testing.T) {
	srv := startServer(t)
	liveScenario(t, srv, srv)
}

func TestLiveUpdatesAcrossInstances(t *testing.T) {
	url := pgtest.URL(t)
	one := startServer(t, "--database", url)
	two := startServer(t, "--database", url)
	liveScenario(t, two, one) // A watches instance two; B and the owner write through instance one
}

// TestWatchEndsWhenSessionRevoked: logging out elsewhere (revoking the
// session) disconnects the live stream.
func TestWatchEndsWhenSessionRevoked(t *testing.T) {
	srv := startServer(t)
	c := user(t, srv, "revoke@live.example")
	w := c.watch(t)
	c.ok("", "logout")
	select {
	case <-w.done:
	case <-time.After(time.Minute): // only turns a hang into a failure
		t.Fatal("watch still running a minute after the session was revoked")
	}
	if code := w.cmd.ProcessState.ExitCode(); code != 3 || !strings.Contains(w.stderrText(), "session revoked") {
		t.Fatalf("watch ended with %d: %s", code, w.stderrText())
	}
}
