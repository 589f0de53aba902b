package cli

import (
	"strings"
	"testing"

	"github.com/coffer-pm/coffer/internal/sso"
)

// TestServeSSO: single sign-on from the flags, the environment's secret
// and the config file — a flag wins, the secret from the environment
// before the file's — and what is missing said by name.
func TestServeSSO(t *testing.T) {
	t.Setenv("COFFER_OIDC_CLIENT_SECRET", "")
	file := serveOIDC{Issuer: "https://id.file.example", ClientID: "file-client", ClientSecret: "file-secret", Name: "File ID"}
	c, err := serveSSO(sso.Config{Issuer: "https://id.flag.example"}, file, "https://vault.example/")
	if err != nil {
		t.Fatal(err)
	}
	if c.Issuer != "https://id.flag.example" || c.ClientID != "file-client" || c.ClientSecret != "file-secret" || c.Name != "File ID" ||
		c.RedirectURL != "https://vault.example/api/v1/sso/callback" {
		t.Fatalf("config %+v", c)
	}
	t.Setenv("COFFER_OIDC_CLIENT_SECRET", "env-secret")
	if c, _ := serveSSO(sso.Config{}, file, "https://vault.example"); c.ClientSecret != "env-secret" {
		t.Fatalf("the environment's secret did not win over the file's: %+v", c)
	}
	if c, _ := serveSSO(sso.Config{Issuer: "https://id.example", ClientID: "c"}, serveOIDC{}, "https://vault.example"); c.Name != "SSO" {
		t.Fatalf("default name %q", c.Name)
	}
	// None configured: none.
	if c, err := serveSSO(sso.Config{}, serveOIDC{}, ""); err != nil || c.Enabled() {
		t.Fatalf("nothing configured: %+v, %v", c, err)
	}
	t.Setenv("COFFER_OIDC_CLIENT_SECRET", "")
	for _, tc := range []struct {
		flags sso.Config
		file  serveOIDC
		url   string
		want  string
	}{
		{sso.Config{ClientID: "c"}, serveOIDC{}, "https://v.example", "issuer"},
		{sso.Config{Issuer: "https://id.example", ClientSecret: "s"}, serveOIDC{}, "https://v.example", "client id"},
		{sso.Config{Issuer: "https://id.example", ClientID: "c"}, serveOIDC{}, "https://v.example", "client secret"},
		{sso.Config{Issuer: "https://id.example", ClientID: "c", ClientSecret: "s"}, serveOIDC{}, "", "--public-url"},
		{sso.Config{Issuer: "http://id.example", ClientID: "c", ClientSecret: "s"}, serveOIDC{}, "https://v.example", "https://"},
	} {
		_, err := serveSSO(tc.flags, tc.file, tc.url)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\"s\"") {
			t.Errorf("%+v: %v, want it to mention %q", tc.flags, err, tc.want)
		}
		if exitCode(err) != ExitUsage {
			t.Errorf("%+v: exit %d", tc.flags, exitCode(err))
		}
	}
}
