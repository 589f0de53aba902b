package main_test

import (
	"strings"
	"testing"
)

// TestCLISessionsOfOneDeviceCoexist (issue 15, defect 5): a second unlock
// on the same device — another shell, a script — leaves the first shell's
// session open; lock closes them all.
func TestCLISessionsOfOneDeviceCoexist(t *testing.T) {
	srv := startServer(t)
	c := user(t, srv, "shells@example.com")
	first := c.session
	c.unlock(masterPW)
	second := c.session
	if first == second {
		t.Fatal("two unlocks gave one session key")
	}
	c.ok("", "item", "add", "--type", "note", "--name", "from the second shell", "--note", "x")
	c.session = first
	if out := c.ok("", "item", "list"); !strings.Contains(out, "from the second shell") {
		t.Fatalf("the first shell after a second unlock: %q", out)
	}
	c.ok("", "lock")
	for _, key := range []string{first, second} {
		c.session = key
		if msg := c.fails(3, "", "item", "list"); !strings.Contains(msg, "locked") {
			t.Fatalf("after lock: %q", msg)
		}
	}
	c.unlock(masterPW)
	c.ok("", "item", "get", "from the second shell")
}
