package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coffer-pm/coffer/internal/server"
)

// serveTestValue is a value for one setting and where it must arrive.
type serveTestValue struct {
	text string // as a flag or COFFER_* variable gives it (a list comma-separated)
	got  func(c server.Config, s *serveSettings) any
	want any
}

// serveTestValues has a value for every setting of the table, each unlike
// its default and unlike the others' (so that two settings wired to one
// field show). TestServeConfigEveryKey fails for a setting missing here:
// a setting added to the table needs its line here too.
var serveTestValues = map[string]serveTestValue{
	"addr":                          {"127.0.0.1:9999", func(c server.Config, s *serveSettings) any { return s.addr }, "127.0.0.1:9999"},
	"metrics-addr":                  {"127.0.0.1:9191", func(c server.Config, s *serveSettings) any { return s.obs.metricsAddr }, "127.0.0.1:9191"},
	"log-format":                    {"json", func(c server.Config, s *serveSettings) any { return s.obs.logFormat }, "json"},
	"log-level":                     {"warn", func(c server.Config, s *serveSettings) any { return s.obs.logLevel }, "warn"},
	"shutdown-timeout":              {"17s", func(c server.Config, s *serveSettings) any { return s.obs.shutdownTimeout }, 17 * time.Second},
	"data":                          {"/srv/coffer-data", func(c server.Config, s *serveSettings) any { return s.data }, "/srv/coffer-data"},
	"database":                      {"postgres://coffer:db-secret@db.example/coffer", func(c server.Config, s *serveSettings) any { return s.database }, "postgres://coffer:db-secret@db.example/coffer"},
	"session-idle":                  {"11h", func(c server.Config, s *serveSettings) any { return c.SessionIdle }, 11 * time.Hour},
	"session-max":                   {"12h", func(c server.Config, s *serveSettings) any { return c.SessionMax }, 12 * time.Hour},
	"max-body":                      {"1001", func(c server.Config, s *serveSettings) any { return c.MaxBodyBytes }, int64(1001)},
	"bodies-in-flight":              {"3MiB", func(c server.Config, s *serveSettings) any { return c.BodyBytesInFlight }, int64(3 << 20)},
	"bodies-per-caller":             {"1003", func(c server.Config, s *serveSettings) any { return c.BodyBytesPerCaller }, int64(1003)},
	"body-min-rate":                 {"1004", func(c server.Config, s *serveSettings) any { return c.BodyMinRate }, 1004},
	"body-rate-window":              {"13s", func(c server.Config, s *serveSettings) any { return c.BodyRateWindow }, 13 * time.Second},
	"requests-per-network":          {"1005", func(c server.Config, s *serveSettings) any { return c.RequestsPerAddr }, 1005},
	"max-file-size":                 {"1006", func(c server.Config, s *serveSettings) any { return c.MaxFileBytes }, int64(1006)},
	"live-per-session":              {"1007", func(c server.Config, s *serveSettings) any { return c.LivePerSession }, 1007},
	"live-per-account":              {"1008", func(c server.Config, s *serveSettings) any { return c.LivePerAccount }, 1008},
	"live-max-streams":              {"1009", func(c server.Config, s *serveSettings) any { return c.LiveMaxStreams }, 1009},
	"sync-slots":                    {"1010", func(c server.Config, s *serveSettings) any { return c.SyncSlots }, 1010},
	"syncs-per-account":             {"1011", func(c server.Config, s *serveSettings) any { return c.SyncsPerAccount }, 1011},
	"sync-spool-dir":                {"/var/spool/coffer", func(c server.Config, s *serveSettings) any { return c.SyncSpoolDir }, "/var/spool/coffer"},
	"quota":                         {"2GiB", func(c server.Config, s *serveSettings) any { return c.QuotaBytes }, int64(2 << 30)},
	"max-pending-uploads":           {"1012", func(c server.Config, s *serveSettings) any { return c.MaxPendingUploads }, 1012},
	"max-pending-bytes":             {"1013", func(c server.Config, s *serveSettings) any { return c.MaxPendingBytes }, int64(1013)},
	"upload-expiry":                 {"14h", func(c server.Config, s *serveSettings) any { return c.UploadExpiry }, 14 * time.Hour},
	"hash-slots":                    {"1014", func(c server.Config, s *serveSettings) any { return c.HashSlots }, 1014},
	"hash-queue":                    {"1015", func(c server.Config, s *serveSettings) any { return c.HashQueue }, 1015},
	"hash-wait":                     {"15s", func(c server.Config, s *serveSettings) any { return c.HashWait }, 15 * time.Second},
	"hash-per-network":              {"1016", func(c server.Config, s *serveSettings) any { return c.HashPerNetwork }, 1016},
	"recovery-requests-per-network": {"1017", func(c server.Config, s *serveSettings) any { return c.RecoveryRequestsPerNetwork }, 1017},
	"recovery-mail-per-account":     {"1018", func(c server.Config, s *serveSettings) any { return c.RecoveryMailPerAccount }, 1018},
	"smtp-url":                      {"smtp://mailer:smtp-secret@mail.example:587?from=coffer@example.com", func(c server.Config, s *serveSettings) any { return c.Mailer != nil }, true},
	"public-url":                    {"https://vault.example", func(c server.Config, s *serveSettings) any { return c.PublicURL }, "https://vault.example"},
	"invite-mail-per-account":       {"1019", func(c server.Config, s *serveSettings) any { return c.InviteMailPerAccount }, 1019},
	"invite-mail-per-org":           {"1020", func(c server.Config, s *serveSettings) any { return c.InviteMailPerOrg }, 1020},
	"invite-mail-window":            {"16h", func(c server.Config, s *serveSettings) any { return c.InviteMailWindow }, 16 * time.Hour},
	"admin":                         {"Ann@Example.com,bob@example.com", func(c server.Config, s *serveSettings) any { return c.Admins }, []string{"ann@example.com", "bob@example.com"}},
	"signup":                        {"invitation", func(c server.Config, s *serveSettings) any { return c.Signup.Invitation }, true},
	"signup-domain":                 {"example.com,example.org", func(c server.Config, s *serveSettings) any { return c.Signup.Domains }, []string{"example.com", "example.org"}},
	"sso-only-domain":               {"corp.example", func(c server.Config, s *serveSettings) any { return c.Signup.SSOOnlyDomains }, []string{"corp.example"}},
	"trusted-proxy":                 {"10.0.0.0/8,192.0.2.1", func(c server.Config, s *serveSettings) any { return fmt.Sprint(c.TrustedProxies) }, "[10.0.0.0/8 192.0.2.1/32]"},
	"oidc-issuer":                   {"https://id.corp.example", func(c server.Config, s *serveSettings) any { return c.SSO.Issuer }, "https://id.corp.example"},
	"oidc-client-id":                {"coffer-client", func(c server.Config, s *serveSettings) any { return c.SSO.ClientID }, "coffer-client"},
	"oidc-client-secret":            {"oidc-secret", func(c server.Config, s *serveSettings) any { return c.SSO.ClientSecret }, "oidc-secret"},
	"oidc-name":                     {"Corp ID", func(c server.Config, s *serveSettings) any { return c.SSO.Name }, "Corp ID"},
}

// serveTestTOML is a TOML file setting every setting to its test value:
// keys of a table ("oidc.issuer") in a [oidc] section, the others at the top.
func serveTestTOML(t *testing.T) string {
	t.Helper()
	top, tables := "", map[string]string{}
	for _, st := range newServeSettings().list {
		v := serveTestValues[st.name]
		var lit string
		switch st.value.(type) {
		case *int:
			lit = v.text
		case *int64:
			if _, err := strconv.Atoi(v.text); err == nil {
				lit = v.text
			} else {
				lit = strconv.Quote(v.text)
			}
		case *[]string:
			var q []string
			for _, e := range strings.Split(v.text, ",") {
				q = append(q, strconv.Quote(e))
			}
			lit = "[" + strings.Join(q, ", ") + "]"
		default:
			lit = strconv.Quote(v.text)
		}
		if table, key, ok := strings.Cut(st.fileKey(), "."); ok {
			tables[table] += key + " = " + lit + "\n"
		} else {
			top += st.fileKey() + " = " + lit + "\n"
		}
	}
	for name, body := range tables {
		top += "\n[" + name + "]\n" + body
	}
	return top
}

// checkEveryValue checks that every setting's test value reached the
// configuration, from where.
func checkEveryValue(t *testing.T, s *serveSettings, from string) {
	t.Helper()
	cfg, err := s.config()
	if err != nil {
		t.Fatalf("%s: %v", from, err)
	}
	for _, st := range s.list {
		v := serveTestValues[st.name]
		if got := v.got(cfg, s); !reflect.DeepEqual(got, v.want) {
			t.Errorf("--%s from %s: %#v, want %#v", st.name, from, got, v.want)
		}
		if !slices.Contains(st.from, from) {
			t.Errorf("--%s: from %v, want %s", st.name, st.from, from)
		}
	}
}

// TestServeConfigEveryKey: every setting of the table has a test value,
// unlike its default; a TOML file setting every key, and as well a
// COFFER_* variable for every setting, and a flag for every one, each
// bring every value to the server's configuration.
func TestServeConfigEveryKey(t *testing.T) {
	defaults := newServeSettings()
	defCfg, err := defaults.config()
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range defaults.list {
		v, ok := serveTestValues[st.name]
		if !ok {
			t.Errorf("setting --%s has no test value: add one to serveTestValues", st.name)
			continue
		}
		if reflect.DeepEqual(v.got(defCfg, defaults), v.want) {
			t.Errorf("--%s: the test value %q is the default", st.name, v.text)
		}
	}
	for name := range serveTestValues {
		if !slices.ContainsFunc(defaults.list, func(st *setting) bool { return st.name == name }) {
			t.Errorf("serveTestValues has %q, no setting", name)
		}
	}
	if t.Failed() {
		t.FailNow()
	}

	t.Run("file", func(t *testing.T) {
		text := serveTestTOML(t)
		s, err := serveConfigFrom(t, nil, nil, text)
		if err != nil {
			t.Fatalf("%v\n%s", err, text)
		}
		checkEveryValue(t, s, "file")
	})
	t.Run("env", func(t *testing.T) {
		env := map[string]string{}
		for _, st := range defaults.list {
			env[st.envName()] = serveTestValues[st.name].text
		}
		// The variables of before the table keep their names.
		for _, old := range []string{"COFFER_DATABASE", "COFFER_SMTP_URL", "COFFER_PUBLIC_URL", "COFFER_OIDC_CLIENT_SECRET", "COFFER_HASH_SLOTS"} {
			if _, ok := env[old]; !ok {
				t.Errorf("no setting reads %s", old)
			}
		}
		s, err := serveConfigFrom(t, nil, env, "")
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := s.config()
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range s.list {
			v := serveTestValues[st.name]
			if got := v.got(cfg, s); !reflect.DeepEqual(got, v.want) {
				t.Errorf("%s: %#v, want %#v", st.envName(), got, v.want)
			}
			if !slices.Equal(st.from, []string{st.envName()}) {
				t.Errorf("%s: from %v", st.envName(), st.from)
			}
		}
	})
	t.Run("flags", func(t *testing.T) {
		var args []string
		for _, st := range defaults.list {
			args = append(args, "--"+st.name+"="+serveTestValues[st.name].text)
		}
		s, err := serveConfigFrom(t, args, nil, "")
		if err != nil {
			t.Fatal(err)
		}
		checkEveryValue(t, s, "flag")
	})
}

// TestServeConfigPrecedence: a flag wins over the environment, which wins
// over the file, which wins over the default; lists are added together.
func TestServeConfigPrecedence(t *testing.T) {
	file := "hash_slots = 3\nhash_wait = \"3m\"\nsession_idle = \"3h\"\nadmins = [\"file@example.com\"]\n"
	env := map[string]string{"COFFER_HASH_SLOTS": "4", "COFFER_HASH_WAIT": "4m", "COFFER_ADMIN": "env@example.com"}
	s, err := serveConfigFrom(t, []string{"--hash-slots", "5", "--admin", "flag@example.com"}, env, file)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := s.config()
	if err != nil {
		t.Fatal(err)
	}
	def := server.DefaultConfig()
	if cfg.HashSlots != 5 || cfg.HashWait != 4*time.Minute || cfg.SessionIdle != 3*time.Hour || cfg.SessionMax != def.SessionMax {
		t.Errorf("flag 5 > env 4 > file 3 > default: hash-slots %d (want 5), hash-wait %v (want 4m), session-idle %v (want 3h), session-max %v (want the default)",
			cfg.HashSlots, cfg.HashWait, cfg.SessionIdle, cfg.SessionMax)
	}
	if want := []string{"flag@example.com", "env@example.com", "file@example.com"}; !slices.Equal(cfg.Admins, want) {
		t.Errorf("admins %v, want all three sources' %v", cfg.Admins, want)
	}
	// Without the flag the environment wins, without it the file.
	s, _ = serveConfigFrom(t, nil, env, file)
	if cfg, _ := s.config(); cfg.HashSlots != 4 {
		t.Errorf("env over file: %d", cfg.HashSlots)
	}
	s, _ = serveConfigFrom(t, nil, map[string]string{"COFFER_HASH_SLOTS": ""}, file)
	if cfg, _ := s.config(); cfg.HashSlots != 3 {
		t.Errorf("file (an empty variable is no setting): %d", cfg.HashSlots)
	}
	// A value overridden is still checked.
	if _, err := serveConfigFrom(t, []string{"--hash-slots", "5"}, map[string]string{"COFFER_HASH_SLOTS": "many"}, ""); err == nil || !strings.Contains(err.Error(), "COFFER_HASH_SLOTS") {
		t.Errorf("a bad variable under a flag: %v", err)
	}
}

// TestServeConfigFileRefusals: an unknown key is refused by its name and
// the file's, a wrong type by the key; the old JSON file still works;
// secrets are in no error.
func TestServeConfigFileRefusals(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"hash_slotz = 8\n", `unknown key "hash_slotz"`},
		{"hash_slots = 8\n[oidc]\nissuer = \"https://id.example\"\nclient_secrett = \"x\"\n", `unknown key "oidc.client_secrett"`},
		{"[hash]\nslots = 8\n", `unknown key "hash"`},
		{"oidc = \"https://id.example\"\n", `unknown key "oidc"`},
		{`{"admins": ["a@example.com"], "signup_domain": ["example.com"]}`, `unknown key "signup_domain"`},
		{"hash_slots = \"8\"\n", `key "hash_slots": want a whole number, not a string`},
		{"hash_slots = 8.5\n", `key "hash_slots": want a whole number, not a fractional number`},
		{"session_idle = 10\n", `key "session_idle": want a duration in quotes`},
		{"session_idle = \"10 parsecs\"\n", `key "session_idle": want a duration`},
		{"quota = \"10 bushels\"\n", `key "quota": want a size in bytes`},
		{"admins = \"a@example.com\"\n", `key "admins": want a list of strings`},
		{"public_url = [\"https://a.example\"]\n", `key "public_url": want a string, not a list`},
		{`{"hash_slots": "8"}`, `key "hash_slots": want a whole number, not a string`},
		{"hash_slots = \n", "not valid TOML"},
		{`{"hash_slots": 8,}`, "not valid JSON"},
	} {
		_, err := serveConfigFrom(t, nil, nil, tc.text)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "coffer.toml") || exitCode(err) != ExitUsage {
			t.Errorf("%q: %v (exit %d), want a usage error naming the file and saying %s", tc.text, err, exitCode(err), tc.want)
		}
	}

	// The JSON file of before, by its extension.
	file := filepath.Join(t.TempDir(), "coffer.json")
	os.WriteFile(file, []byte(`{"admins": ["owner@example.com"], "trusted_proxies": ["10.0.0.0/8"], "signup": "invitation", "signup_domains": ["example.com"], "sso_only_domains": ["corp.example"], "oidc": {"issuer": "https://id.corp.example", "client_id": "c", "client_secret": "json-secret", "name": "Corp ID"}, "hash_slots": 6}`), 0o600)
	s := newServeSettings()
	if err := s.load(nil, file, func(string) (string, bool) { return "", false }); err != nil {
		t.Fatal(err)
	}
	s.cfg.PublicURL = "https://vault.example"
	cfg, err := s.config()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(cfg.Admins, []string{"owner@example.com"}) || len(cfg.TrustedProxies) != 1 || !cfg.Signup.Invitation ||
		!slices.Equal(cfg.Signup.Domains, []string{"example.com"}) || !slices.Equal(cfg.Signup.SSOOnlyDomains, []string{"corp.example"}) ||
		cfg.SSO.ClientSecret != "json-secret" || cfg.SSO.Name != "Corp ID" || cfg.HashSlots != 6 {
		t.Errorf("JSON file: %+v", cfg)
	}

	// Secrets: in no error and no summary, wherever they came from.
	secrets := []string{"db-secret", "smtp-secret", "oidc-secret", "s3cr3t"}
	for _, tc := range []struct {
		args []string
		env  map[string]string
		text string
	}{
		{nil, map[string]string{"COFFER_DATABASE": "mysql://u:db-secret@db.example/x"}, ""},
		{nil, nil, "database = \"mysql://u:db-secret@db.example/x\"\n"},
		{nil, map[string]string{"COFFER_SMTP_URL": "smtp://u:smtp-secret@mail.example:bad?from=c@example.com"}, ""},
		{nil, map[string]string{"COFFER_SMTP_URL": "smtp://u:smtp-secret@mail.example:25?from=c@example.com"}, ""},
		{nil, nil, "[oidc]\nclient_secret = \"oidc-secret\"\n"},
		{nil, nil, "smtp_url = \"smtp://u:s3cr3t@mail.example\n"},
		{nil, nil, "smtp_url = smtp://u:s3cr3t@mail.example\n"},
		{[]string{"--oidc-client-secret", "oidc-secret"}, nil, ""},
	} {
		s, err := serveConfigFrom(t, tc.args, tc.env, tc.text)
		if err == nil {
			_, err = s.config()
		}
		if err == nil {
			t.Errorf("%v %v %q: no error", tc.args, tc.env, tc.text)
			continue
		}
		for _, secret := range secrets {
			if strings.Contains(err.Error(), secret) {
				t.Errorf("the error shows a secret: %v", err)
			}
		}
	}
	s, err = serveConfigFrom(t, nil, nil, serveTestTOML(t))
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	s.summary(&out, "coffer.toml")
	for _, secret := range secrets {
		if strings.Contains(out.String(), secret) {
			t.Errorf("the summary shows a secret:\n%s", out.String())
		}
	}
	if strings.Count(out.String(), "(set)") != 3 {
		t.Errorf("the summary does not show the three secrets as (set):\n%s", out.String())
	}
}

// TestServeConfigChecks: what serve and server.New refuse, --check-config
// refuses without a database: negative limits, SMTP without a public URL,
// a bad administrator, proxy, sign-up mode or domain, SSO half configured.
func TestServeConfigChecks(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--quota", "-1"}, "--quota (flag) must not be negative"},
		{[]string{"--hash-wait", "-1s"}, "--hash-wait (flag) must not be negative"},
		{[]string{"--smtp-url", "smtp://mail.example:25?from=c@example.com"}, "--smtp-url needs --public-url"},
		{[]string{"--smtp-url", "smtp://mail.example:25?from=c@example.com", "--public-url", "vault.example"}, "public URL"},
		{[]string{"--smtp-url", "smtp://mail.example:25"}, "--smtp-url"},
		{[]string{"--admin", "not an address"}, "administrator"},
		{[]string{"--trusted-proxy", "0.0.0.0/0"}, "trusted proxy"},
		{[]string{"--signup", "closed"}, "--signup"},
		{[]string{"--signup-domain", "eu.corp.example", "--sso-only-domain", "corp.example"}, "corp.example"},
		{[]string{"--oidc-client-id", "c"}, "issuer"},
		{[]string{"--addr", "8080"}, "--addr"},
		{[]string{"--database", "mysql://db.example/x"}, "unsupported database URL"},
	} {
		s, err := serveConfigFrom(t, tc.args, nil, "")
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.config()
		if err == nil || !strings.Contains(err.Error(), tc.want) || exitCode(err) != ExitUsage {
			t.Errorf("%v: %v (exit %d), want a usage error saying %q", tc.args, err, exitCode(err), tc.want)
		}
	}
}

// TestServeSettingsDocumented: docs/deployment.md's reference table has a
// row for every setting, with its variable and its config file key.
func TestServeSettingsDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../docs/deployment.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range newServeSettings().list {
		key := "`" + st.fileKey() + "`"
		if table, k, ok := strings.Cut(st.fileKey(), "."); ok {
			key = "`" + k + "` in `[" + table + "]`"
		}
		row := "| `--" + st.name + "` | `" + st.envName() + "` | " + key + " | "
		if !strings.Contains(string(doc), "\n"+row) {
			t.Errorf("docs/deployment.md has no row %q", row)
		}
	}
}
