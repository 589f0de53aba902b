package main_test

// Issue 28, configuration: coffer serve's settings from flags, COFFER_*
// variables and a TOML config file, and --check-config, with the real
// binary.

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestServeConfigCheck: --check-config with a TOML file, a variable and a
// flag prints the effective settings (each from where it came, secrets as
// (set)) and exits 0 without opening a database; invalid settings exit 2
// with a message saying which.
func TestServeConfigCheck(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "coffer.toml")
	if err := os.WriteFile(file, []byte(`# coffer serve
hash_slots = 3
session_idle = "2h"
quota = "5GiB"
admins = ["owner@example.com"]
smtp_url = "smtp://mailer:smtp-secret-pw@mail.example:587?from=coffer@example.com"

[oidc]
issuer = "https://id.corp.example"
client_id = "coffer"
client_secret = "oidc-secret-pw"
`), 0o600); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data")
	c := newCLI(t)
	r := c.runEnv([]string{"COFFER_HASH_SLOTS=4", "COFFER_PUBLIC_URL=https://vault.example", "COFFER_DATABASE=postgres://coffer:db-secret-pw@db.invalid/coffer"},
		"", "serve", "--check-config", "--config-file", file, "--hash-slots", "5", "--data", data)
	if r.code != 0 {
		t.Fatalf("--check-config: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	rows := map[string]string{}
	for _, line := range strings.Split(r.stdout, "\n") {
		if f := strings.Fields(line); len(f) >= 3 && strings.HasPrefix(f[0], "--") {
			rows[f[0]] = strings.Join(f[1:], " ")
		}
	}
	for name, want := range map[string]string{
		"--hash-slots":         "5 flag",
		"--session-idle":       "2h0m0s file",
		"--session-max":        "720h0m0s default",
		"--quota":              "5368709120 file",
		"--public-url":         "https://vault.example COFFER_PUBLIC_URL",
		"--admin":              "owner@example.com file",
		"--smtp-url":           "(set) file",
		"--oidc-client-secret": "(set) file",
		"--database":           "(set) COFFER_DATABASE",
		"--data":               data + " flag",
	} {
		if rows[name] != want {
			t.Errorf("the summary says %s %q, want %q:\n%s", name, rows[name], want, r.stdout)
		}
	}
	if !strings.Contains(r.stdout, "The configuration is valid.") {
		t.Errorf("no verdict:\n%s", r.stdout)
	}
	for _, secret := range []string{"smtp-secret-pw", "oidc-secret-pw", "db-secret-pw"} {
		if strings.Contains(r.stdout+r.stderr, secret) {
			t.Errorf("--check-config shows a secret:\n%s%s", r.stdout, r.stderr)
		}
	}
	if _, err := os.Stat(data); !os.IsNotExist(err) {
		t.Errorf("--check-config made the data directory: %v", err)
	}

	for _, tc := range []struct {
		env  []string
		toml string
		args []string
		want string
	}{
		{nil, "hash_slotz = 3\n", nil, `--config-file ` + file + `: unknown key "hash_slotz"`},
		{nil, "hash_slots = \"three\"\n", nil, `key "hash_slots": want a whole number`},
		{nil, "smtp_url = \"smtp://u:smtp-secret-pw@mail.example:25?from=c@example.com\"\n", nil, "--smtp-url needs --public-url"},
		{[]string{"COFFER_QUOTA=-1"}, "", nil, "--quota (COFFER_QUOTA) must not be negative"},
		{nil, "signup = \"closed\"\n", nil, `--signup "closed"`},
		{nil, "", []string{"--trusted-proxy", "0.0.0.0/0"}, "trusted proxy"},
	} {
		if err := os.WriteFile(file, []byte(tc.toml), 0o600); err != nil {
			t.Fatal(err)
		}
		r := c.runEnv(tc.env, "", append([]string{"serve", "--check-config", "--config-file", file}, tc.args...)...)
		if r.code != 2 || !strings.Contains(r.stderr, tc.want) || strings.Contains(r.stderr, "smtp-secret-pw") {
			t.Errorf("%q %v: exit %d, stderr %q; want exit 2 saying %q", tc.toml, tc.env, r.code, r.stderr, tc.want)
		}
	}
}

// TestServeConfigTOMLFile: a server started with a TOML file (named by
// COFFER_CONFIG_FILE) applies it.
func TestServeConfigTOMLFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "coffer.toml")
	if err := os.WriteFile(file, []byte("signup = \"invitation\"\nsignup_domains = [\"example.com\"]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("COFFER_CONFIG_FILE", file)
	srv := startServer(t)
	user(t, srv, "staff@example.com")
	refusedSignup(t, srv, "partner@elsewhere.example", "only for addresses at example.com, or invited ones")
}
