package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

// serveConfigFrom is coffer serve's configuration from args, an
// environment and a config file's text (TOML; none when empty).
func serveConfigFrom(t *testing.T, args []string, env map[string]string, toml string) (*serveSettings, error) {
	t.Helper()
	s := newServeSettings()
	f := pflag.NewFlagSet("serve", pflag.ContinueOnError)
	s.register(f)
	if err := f.Parse(args); err != nil {
		return s, err
	}
	file := ""
	if toml != "" {
		file = filepath.Join(t.TempDir(), "coffer.toml")
		if err := os.WriteFile(file, []byte(toml), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	return s, s.load(f, file, lookup)
}

// TestServeSSO: single sign-on from the flags, the environment's secret
// and the config file — a flag wins, the secret from the environment
// before the file's — and what is missing said by name.
func TestServeSSO(t *testing.T) {
	file := `[oidc]
issuer = "https://id.file.example"
client_id = "file-client"
client_secret = "file-secret"
name = "File ID"
`
	s, err := serveConfigFrom(t, []string{"--oidc-issuer", "https://id.flag.example", "--public-url", "https://vault.example/"}, nil, file)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := s.config()
	if err != nil {
		t.Fatal(err)
	}
	if c := cfg.SSO; c.Issuer != "https://id.flag.example" || c.ClientID != "file-client" || c.ClientSecret != "file-secret" || c.Name != "File ID" ||
		c.RedirectURL != "https://vault.example/api/v1/sso/callback" {
		t.Fatalf("config %+v", c)
	}
	s, _ = serveConfigFrom(t, []string{"--public-url", "https://vault.example"}, map[string]string{"COFFER_OIDC_CLIENT_SECRET": "env-secret"}, file)
	if cfg, err := s.config(); err != nil || cfg.SSO.ClientSecret != "env-secret" {
		t.Fatalf("the environment's secret did not win over the file's: %+v %v", cfg.SSO, err)
	}
	s, _ = serveConfigFrom(t, []string{"--oidc-issuer", "https://id.example", "--oidc-client-id", "c", "--public-url", "https://vault.example"}, map[string]string{"COFFER_OIDC_CLIENT_SECRET": "s"}, "")
	if cfg, err := s.config(); err != nil || cfg.SSO.Name != "SSO" {
		t.Fatalf("default name %q, %v", cfg.SSO.Name, err)
	}
	// None configured: none, even with the secret in the environment.
	s, _ = serveConfigFrom(t, nil, map[string]string{"COFFER_OIDC_CLIENT_SECRET": "s"}, "")
	if cfg, err := s.config(); err != nil || cfg.SSO.Enabled() {
		t.Fatalf("nothing configured: %+v, %v", cfg.SSO, err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--oidc-client-id", "c"}, "issuer"},
		{[]string{"--oidc-client-secret", "s"}, "issuer"},
		{[]string{"--oidc-issuer", "https://id.example", "--oidc-client-secret", "s", "--public-url", "https://v.example"}, "client id"},
		{[]string{"--oidc-issuer", "https://id.example", "--oidc-client-id", "c", "--public-url", "https://v.example"}, "client secret"},
		{[]string{"--oidc-issuer", "https://id.example", "--oidc-client-id", "c", "--oidc-client-secret", "s"}, "--public-url"},
		{[]string{"--oidc-issuer", "http://id.example", "--oidc-client-id", "c", "--oidc-client-secret", "s", "--public-url", "https://v.example"}, "https://"},
	} {
		s, err := serveConfigFrom(t, tc.args, nil, "")
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.config()
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\"s\"") {
			t.Errorf("%v: %v, want it to mention %q", tc.args, err, tc.want)
		}
		if exitCode(err) != ExitUsage {
			t.Errorf("%v: exit %d", tc.args, exitCode(err))
		}
	}
}
