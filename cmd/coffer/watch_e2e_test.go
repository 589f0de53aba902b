package main_test

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coffer-pm/coffer/internal/store/pgtest"
)

// watchProc is a running `coffer watch`.
type watchProc struct {
	cmd    *exec.Cmd
	mu     sync.Mutex
	lines  []string
	stderr bytes.Buffer
	done   chan struct{}
}

func (c *cli) watch(t *testing.T, args ...string) *watchProc {
	t.Helper()
	w := &watchProc{done: make(chan struct{})}
	w.cmd = exec.Command(cofferBin, append([]string{"watch"}, args...)...)
	w.cmd.Env = append(os.Environ(), "COFFER_CONFIG_DIR="+c.config, "COFFER_SESSION="+c.session)
	out, err := w.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	w.cmd.Stderr = &w.stderr
	if err := w.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			w.mu.Lock()
			w.lines = append(w.lines, sc.Text())
			w.mu.Unlock()
		}
		w.cmd.Wait()
		close(w.done)
	}()
	t.Cleanup(func() {
		w.cmd.Process.Signal(os.Interrupt)
		select {
		case <-w.done:
		case <-time.After(5 * time.Second):
			w.cmd.Process.Kill()
		}
	})
	// Ready when it says so on stderr.
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(w.stderrText(), "Watching") {
		if time.Now().After(deadline) {
			t.Fatalf("watch did not start: %s", w.stderrText())
		}
		time.Sleep(20 * time.Millisecond)
	}
	return w
}

func (w *watchProc) stderrText() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.stderr.String()
}

func (w *watchProc) waitLine(t *testing.T, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		w.mu.Lock()
		for _, l := range w.lines {
			if strings.Contains(l, want) {
				w.mu.Unlock()
				return
			}
		}
		w.mu.Unlock()
		time.Sleep(20 * time.Millisecond)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	t.Fatalf("watch printed no %q; got %q (stderr %q)", want, w.lines, w.stderr.String())
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
	time.Sleep(500 * time.Millisecond)
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
	case <-time.After(10 * time.Second):
		t.Fatal("watch still running after the session was revoked")
	}
	if code := w.cmd.ProcessState.ExitCode(); code != 3 || !strings.Contains(w.stderrText(), "session revoked") {
		t.Fatalf("watch ended with %d: %s", code, w.stderrText())
	}
}
