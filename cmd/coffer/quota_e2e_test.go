package main_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestQuotaFlagsOfServe: the real binary takes the quota flags and
// enforces them (issue 13, finding 11); negative values are a usage error.
func TestQuotaFlagsOfServe(t *testing.T) {
	srv := startServer(t, "--quota", "50000", "--max-pending-uploads", "1", "--upload-expiry", "1h")
	c := user(t, srv, "quota@example.com")
	dir := t.TempDir()
	small, big := filepath.Join(dir, "small.txt"), filepath.Join(dir, "big.bin")
	os.WriteFile(small, []byte(strings.Repeat("s", 20000)), 0o600)
	os.WriteFile(big, []byte(strings.Repeat("b", 40000)), 0o600)
	c.ok("", "item", "add", "--type", "file", "--name", "Small", "--file", small)
	// 20,000 bytes stored; 40,000 more would pass the 50,000-byte quota.
	errText := c.fails(1, "", "item", "add", "--type", "file", "--name", "Big", "--file", big)
	if !strings.Contains(errText, "your account stores") || !strings.Contains(errText, "50000 bytes") {
		t.Fatalf("refusal does not explain the quota: %q", errText)
	}
	if out := c.ok("", "item", "list"); strings.Contains(out, "Big") {
		t.Fatalf("the refused item exists:\n%s", out)
	}

	out, err := exec.Command(cofferBin, "serve", "--addr", "127.0.0.1:0", "--data", t.TempDir(), "--quota", "-1").CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 || !strings.Contains(string(out), "must not be negative") {
		t.Fatalf("serve --quota -1: %v\n%s", err, out)
	}
}
