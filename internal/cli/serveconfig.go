package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/spf13/pflag"

	cmail "github.com/coffer-pm/coffer/internal/mail"
	"github.com/coffer-pm/coffer/internal/server"
	"github.com/coffer-pm/coffer/internal/sso"
)

// serveSettings is everything coffer serve is configured with. Its table
// (list, made by newServeSettings) is the one place a setting is named:
// the flag, the environment variable and the config file key all come
// from it, so none can be forgotten in one of them (issue 28).
type serveSettings struct {
	cfg                                     server.Config
	addr, data, database, smtpURL, signup   string
	admins, trusted, signupDomains, ssoOnly []string
	oidc                                    sso.Config
	obs                                     serveObs

	list []*setting
}

// setting is one row of the table.
//
//   - name is the flag, --NAME; the environment variable is COFFER_NAME
//     (upper case, - as _), the config file key NAME with _ for -, unless
//     key names another ("admins"; "oidc.issuer" is issuer in [oidc]).
//   - value points at where the setting goes; its type is the setting's:
//     *string, *int, *int64 (a size in bytes: 1048576 or "1MiB"),
//     *time.Duration ("10s") or *[]string (a list: the flag repeatable or
//     comma-separated, the variable comma-separated, the file's an array).
//   - def is the default when it is not what value already holds
//     (server.DefaultConfig's).
//   - secret: the value is never shown (--check-config prints "(set)").
type setting struct {
	name   string
	key    string
	value  any
	def    string
	help   string
	secret bool

	// from says where the effective value came from: default, flag,
	// COFFER_NAME or file (lists: each source that added to it).
	from []string
}

// newServeSettings is the table of every coffer serve setting, holding
// its defaults. Adding a setting is one line here (and its field, and a
// test value in TestServeConfigEveryKey, which fails without one).
func newServeSettings() *serveSettings {
	s := &serveSettings{cfg: server.DefaultConfig()}
	c := &s.cfg
	s.list = []*setting{
		{name: "addr", value: &s.addr, def: "127.0.0.1:8080", help: "address to listen on (port 0 picks a free port)"},
		{name: "data", value: &s.data, def: "./data", help: "data directory for the SQLite database"},
		{name: "database", value: &s.database, secret: true, help: "database URL (postgres://… or sqlite:PATH); empty means SQLite in --data"},
		{name: "session-idle", value: &c.SessionIdle, help: "sessions expire after this long unused"},
		{name: "session-max", value: &c.SessionMax, help: "sessions expire at the latest this long after login"},
		{name: "max-body", value: &c.MaxBodyBytes, help: "maximum request body size in bytes"},
		{name: "bodies-in-flight", value: &c.BodyBytesInFlight, help: "request bytes held in memory at once on this instance; more are refused with 503"},
		{name: "bodies-per-caller", value: &c.BodyBytesPerCaller, help: "request bytes held at once for one account (or one client network); more are refused with 429"},
		{name: "body-min-rate", value: &c.BodyMinRate, help: "bytes a second a request body must bring, measured over --body-rate-window; slower bodies are cut with 408"},
		{name: "body-rate-window", value: &c.BodyRateWindow, help: "window over which --body-min-rate is measured (a smaller body must end within one)"},
		{name: "requests-per-network", value: &c.RequestsPerAddr, help: "unauthenticated requests per client network per minute (raise it behind a reverse proxy that is not a --trusted-proxy)"},
		{name: "max-file-size", value: &c.MaxFileBytes, help: "largest attachment in bytes"},
		{name: "live-per-session", value: &c.LivePerSession, help: "open live event streams allowed per session"},
		{name: "live-per-account", value: &c.LivePerAccount, help: "open live event streams allowed per account, all its sessions together"},
		{name: "live-max-streams", value: &c.LiveMaxStreams, help: "open live event streams allowed on this instance"},
		{name: "sync-slots", value: &c.SyncSlots, help: "syncs reading the database at once (0 = half its read connections)"},
		{name: "syncs-per-account", value: &c.SyncsPerAccount, help: "syncs of one account in flight at once; more get 429"},
		{name: "sync-spool-dir", value: &c.SyncSpoolDir, help: "where sync answers a client has not read yet wait beyond 1 MiB each (empty = the system's temporary directory)"},
		{name: "quota", value: &c.QuotaBytes, help: "storage per account in bytes: its uploads and revisions (0 = unlimited)"},
		{name: "max-pending-uploads", value: &c.MaxPendingUploads, help: "uploads not yet attached to an item, per account (0 = unlimited)"},
		{name: "max-pending-bytes", value: &c.MaxPendingBytes, help: "bytes of uploads not yet attached to an item, per account (0 = unlimited)"},
		{name: "upload-expiry", value: &c.UploadExpiry, help: "uploads not attached to an item are deleted after this long (0 = never)"},
		{name: "hash-slots", value: &c.HashSlots, help: "login and sign-up hashes (19 MiB each) running at once"},
		{name: "hash-queue", value: &c.HashQueue, help: "logins and sign-ups waiting for a hash slot; more get 503"},
		{name: "hash-wait", value: &c.HashWait, help: "longest wait for a hash slot; then 503"},
		{name: "hash-per-network", value: &c.HashPerNetwork, help: "logins and sign-ups running or waiting per client network (IPv4 /24, IPv6 /56); more get 429"},
		{name: "recovery-requests-per-network", value: &c.RecoveryRequestsPerNetwork, help: "account recovery requests (no session needed) per client network per hour; more get 429"},
		{name: "recovery-mail-per-account", value: &c.RecoveryMailPerAccount, help: "with --smtp-url: approvals of one member's account recovery per 24 hours (each is mailed to the member); more get 429"},
		{name: "smtp-url", value: &s.smtpURL, secret: true, help: "SMTP server for invitation, verification and recovery e-mail: smtp://user:pass@host:587?from=coffer@example.com (better in the environment or the config file — a flag shows in the process list)"},
		{name: "public-url", value: &c.PublicURL, help: "the server's address as users reach it, for links in e-mail (required with --smtp-url)"},
		{name: "invite-mail-per-account", value: &c.InviteMailPerAccount, help: "invitation e-mails one account may send per --invite-mail-window"},
		{name: "invite-mail-per-org", value: &c.InviteMailPerOrg, help: "invitation e-mails per organisation per --invite-mail-window"},
		{name: "invite-mail-window", value: &c.InviteMailWindow, help: "window of the invitation e-mail budgets"},
		{name: "admin", key: "admins", value: &s.admins, help: "address of an instance administrator (repeatable); an account that signs up later with it is one too"},
		{name: "signup", value: &s.signup, def: "open", help: "who may sign up: open (anyone) or invitation (an address with a pending invitation to an organisation, or at a --signup-domain)"},
		{name: "signup-domain", key: "signup_domains", value: &s.signupDomains, help: "a domain whose addresses may sign up (repeatable; exactly it, not its subdomains); given, sign-up is limited to these domains, and with --signup invitation to them or invited addresses"},
		{name: "sso-only-domain", key: "sso_only_domains", value: &s.ssoOnly, help: "a domain whose people sign in with their company's single sign-on (repeatable; its subdomains too): its addresses cannot sign up with a master password"},
		{name: "trusted-proxy", key: "trusted_proxies", value: &s.trusted, help: "network (CIDR) of a reverse proxy in front of the server (repeatable, or comma-separated): requests from it are counted and recorded under the client its X-Forwarded-For or Forwarded header names (docs/deployment.md)"},
		{name: "oidc-issuer", key: "oidc.issuer", value: &s.oidc.Issuer, help: "single sign-on: the OpenID Connect provider's issuer URL (https://…); needs --oidc-client-id, the client secret and --public-url, and the provider must accept PUBLIC_URL/api/v1/sso/callback as a redirect URI"},
		{name: "oidc-client-id", key: "oidc.client_id", value: &s.oidc.ClientID, help: "single sign-on: the client id the provider gave Coffer"},
		{name: "oidc-client-secret", key: "oidc.client_secret", value: &s.oidc.ClientSecret, secret: true, help: "single sign-on: the client secret (better in the environment or the config file — a flag shows in the process list)"},
		{name: "oidc-name", key: "oidc.name", value: &s.oidc.Name, def: "SSO", help: `single sign-on: the provider's name on the log-in button, "Log in with NAME"`},
		{name: "metrics-addr", value: &s.obs.metricsAddr, help: "address to serve Prometheus metrics (/metrics, /livez, /readyz) on, e.g. 127.0.0.1:9090; empty means none. Never the public --addr"},
		{name: "log-format", value: &s.obs.logFormat, def: "text", help: "log format: text or json"},
		{name: "log-level", value: &s.obs.logLevel, def: "info", help: "log level: debug, info, warn or error"},
		{name: "shutdown-timeout", value: &s.obs.shutdownTimeout, def: "10s", help: "on SIGTERM or SIGINT, how long requests in flight may take to finish before they are cut (a second signal stops at once)"},
	}
	for _, st := range s.list {
		if st.def != "" {
			v, err := st.decode(settingText(st.def))
			if err != nil {
				panic("coffer serve setting --" + st.name + ": default: " + err.Error())
			}
			st.assign(v, false)
		}
		st.from = []string{"default"}
	}
	return s
}

// envName is the setting's environment variable: --hash-slots is
// COFFER_HASH_SLOTS.
func (st *setting) envName() string {
	return "COFFER_" + strings.ToUpper(strings.ReplaceAll(st.name, "-", "_"))
}

// fileKey is the setting's key in the config file: --hash-slots is
// hash_slots; a dot is a table ("oidc.issuer" is issuer in [oidc]).
func (st *setting) fileKey() string {
	if st.key != "" {
		return st.key
	}
	return strings.ReplaceAll(st.name, "-", "_")
}

func (st *setting) isList() bool { _, ok := st.value.(*[]string); return ok }

// kind is what the setting takes, as the help and errors say it.
func (st *setting) kind() string {
	switch st.value.(type) {
	case *string:
		return "string"
	case *int:
		return "int"
	case *int64:
		return "bytes"
	case *time.Duration:
		return "duration"
	case *[]string:
		return "strings"
	}
	panic(fmt.Sprintf("coffer serve setting --%s: unsupported type %T", st.name, st.value))
}

// settingText is a value from a flag or the environment, as opposed to
// a config file's (a TOML or JSON value of its own type).
type settingText string

// decode turns a value from a flag or the environment (settingText) or
// from the config file into the setting's type. A file's value must be of
// the setting's type: a number is not a string, nor a string a number
// (but a size may be "10MiB"). Errors say what was wanted, never the
// value (it may be a secret).
func (st *setting) decode(v any) (any, error) {
	if n, ok := v.(json.Number); ok {
		i, err := n.Int64()
		if err != nil {
			return nil, errors.New("want a whole number, not a fractional number")
		}
		v = i
	}
	text, isText := v.(settingText)
	switch st.value.(type) {
	case *string:
		if isText {
			return string(text), nil
		}
		if s, ok := v.(string); ok {
			return s, nil
		}
		return nil, fmt.Errorf("want a string, not %s", describe(v))
	case *int:
		if isText {
			n, err := strconv.ParseInt(strings.TrimSpace(string(text)), 10, 32)
			if err != nil {
				return nil, errors.New("want a whole number")
			}
			return int(n), nil
		}
		if n, ok := v.(int64); ok {
			if n > math.MaxInt32 || n < math.MinInt32 {
				return nil, errors.New("the number is too large")
			}
			return int(n), nil
		}
		return nil, fmt.Errorf("want a whole number, not %s", describe(v))
	case *int64:
		if isText {
			return parseBytes(string(text))
		}
		switch x := v.(type) {
		case int64:
			return x, nil
		case string:
			return parseBytes(x)
		}
		return nil, fmt.Errorf(`want a size in bytes (1048576 or "1MiB"), not %s`, describe(v))
	case *time.Duration:
		if s, ok := v.(string); ok || isText {
			if isText {
				s = string(text)
			}
			d, err := time.ParseDuration(strings.TrimSpace(s))
			if err != nil {
				return nil, errors.New(`want a duration such as "10s", "15m" or "24h"`)
			}
			return d, nil
		}
		return nil, fmt.Errorf(`want a duration in quotes such as "10s", not %s`, describe(v))
	case *[]string:
		if isText {
			var out []string
			for _, e := range strings.Split(string(text), ",") {
				if e = strings.TrimSpace(e); e != "" {
					out = append(out, e)
				}
			}
			return out, nil
		}
		if x, ok := v.([]any); ok {
			out := make([]string, 0, len(x))
			for _, e := range x {
				s, ok := e.(string)
				if !ok {
					return nil, fmt.Errorf("want a list of strings, not a list with %s", describe(e))
				}
				out = append(out, s)
			}
			return out, nil
		}
		return nil, fmt.Errorf(`want a list of strings (["a", "b"]), not %s`, describe(v))
	}
	panic("unreachable: " + st.kind())
}

// assign stores a decoded value; add appends to a list instead.
func (st *setting) assign(v any, add bool) {
	if p, ok := st.value.(*[]string); ok && add {
		*p = append(*p, v.([]string)...)
		return
	}
	reflect.ValueOf(st.value).Elem().Set(reflect.ValueOf(v))
}

// text is the value as the help and --check-config show it.
func (st *setting) text() string {
	switch p := st.value.(type) {
	case *string:
		return *p
	case *int:
		return strconv.Itoa(*p)
	case *int64:
		return strconv.FormatInt(*p, 10)
	case *time.Duration:
		if *p == 0 {
			return "0"
		}
		return p.String()
	case *[]string:
		return strings.Join(*p, ",")
	}
	return ""
}

// shown is the value for --check-config: a secret only as (set).
func (st *setting) shown() string {
	t := st.text()
	switch {
	case st.secret && t != "":
		return "(set)"
	case t == "":
		return "(none)"
	}
	return t
}

// describe names a config file value's type for an error.
func describe(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case int64, json.Number:
		return "a number"
	case float64:
		return "a fractional number"
	case bool:
		return "true/false"
	case []any, []map[string]any:
		return "a list"
	case map[string]any:
		return "a table"
	case nil:
		return "null"
	}
	return fmt.Sprintf("a %T", v)
}

// parseBytes reads a size: a whole number of bytes, or one with a unit
// KiB, MiB, GiB or TiB (powers of 1024) or B.
func parseBytes(s string) (int64, error) {
	s = strings.TrimSpace(s)
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40}, {"B", 1}} {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSpace(strings.TrimSuffix(s, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n > math.MaxInt64/mult || n < math.MinInt64/mult {
		return 0, errors.New(`want a size in bytes: a whole number, or one with KiB, MiB, GiB or TiB ("10MiB")`)
	}
	return n * mult, nil
}

// settingFlag is a setting as a flag.
type settingFlag struct{ st *setting }

func (f settingFlag) String() string { return f.st.text() }
func (f settingFlag) Type() string   { return f.st.kind() }
func (f settingFlag) Set(x string) error {
	v, err := f.st.decode(settingText(x))
	if err != nil {
		return err
	}
	// A list flag given again adds to it; its default is empty.
	f.st.assign(v, true)
	return nil
}

// register adds a flag for every setting.
func (s *serveSettings) register(f *pflag.FlagSet) {
	for _, st := range s.list {
		f.Var(settingFlag{st}, st.name, st.help)
	}
}

// load gives every setting its value: a flag (already parsed into f)
// wins over the environment's COFFER_NAME, which wins over the config
// file, which wins over the default. Lists are added together from all
// three instead (a config file's administrators, proxies and domains
// were always added to the flags'). Every value given is checked, even
// one a higher source overrides. env is os.LookupEnv but in tests.
func (s *serveSettings) load(f *pflag.FlagSet, file string, env func(string) (string, bool)) error {
	values, err := readServeFile(file, s)
	if err != nil {
		return err
	}
	for _, st := range s.list {
		var from []string
		if f != nil && f.Changed(st.name) {
			from = append(from, "flag")
		}
		if x, ok := env(st.envName()); ok && x != "" {
			v, err := st.decode(settingText(x))
			if err != nil {
				return usageError("%s: %v", st.envName(), err)
			}
			if len(from) == 0 || st.isList() {
				st.assign(v, true)
				from = append(from, st.envName())
			}
		}
		if raw, ok := values[st.fileKey()]; ok {
			v, err := st.decode(raw)
			if err != nil {
				return usageError("--config-file %s: key %q: %v", file, st.fileKey(), err)
			}
			if len(from) == 0 || st.isList() {
				st.assign(v, true)
				from = append(from, "file")
			}
		}
		if len(from) > 0 {
			st.from = from
		}
	}
	return nil
}

// readServeFile reads the config file into its values by key ("oidc.issuer"
// for issuer in [oidc]); none gives none. A file ending in .json, or
// whose text starts with {, is JSON (the format before TOML); any other
// is TOML. A key no setting has is refused, naming it and the file: a
// misspelt key must not silently leave the server without the
// administrators or the sign-up limits it names.
func readServeFile(file string, s *serveSettings) (map[string]any, error) {
	if file == "" {
		return nil, nil
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, usageError("--config-file: %v", err)
	}
	var tree map[string]any
	if strings.EqualFold(filepath.Ext(file), ".json") || bytes.HasPrefix(bytes.TrimSpace(data), []byte("{")) {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		if err := dec.Decode(&tree); err != nil {
			return nil, usageError("--config-file %s: not valid JSON: %v", file, jsonError(err))
		}
		if _, err := dec.Token(); err != io.EOF {
			return nil, usageError("--config-file %s: not valid JSON: something follows the object", file)
		}
	} else {
		// Decoded into a map, every key is kept: they are checked against
		// the table below, the same for both formats.
		if _, err := toml.Decode(string(data), &tree); err != nil {
			return nil, usageError("--config-file %s: not valid TOML: %s", file, tomlError(err, s))
		}
	}
	keys := map[string]bool{}
	for _, st := range s.list {
		keys[st.fileKey()] = true
	}
	out := map[string]any{}
	var walk func(prefix string, m map[string]any) error
	walk = func(prefix string, m map[string]any) error {
		names := make([]string, 0, len(m))
		for k := range m {
			names = append(names, k)
		}
		slices.Sort(names)
		for _, k := range names {
			key := prefix + k
			if keys[key] {
				out[key] = m[k]
				continue
			}
			sub, isTable := m[k].(map[string]any)
			if isTable && slices.ContainsFunc(s.list, func(st *setting) bool { return strings.HasPrefix(st.fileKey(), key+".") }) {
				if err := walk(key+".", sub); err != nil {
					return err
				}
				continue
			}
			return usageError("--config-file %s: unknown key %q (the keys are the flags' names with _ for -, e.g. hash_slots; docs/deployment.md lists them)", file, key)
		}
		return nil
	}
	if err := walk("", tree); err != nil {
		return nil, err
	}
	return out, nil
}

// tomlError is a TOML syntax error, without its text when it is in a
// secret's line (it might quote part of the secret).
func tomlError(err error, s *serveSettings) string {
	var pe toml.ParseError
	if !errors.As(err, &pe) {
		return "cannot read it"
	}
	for _, st := range s.list {
		if st.secret && pe.LastKey != "" && (pe.LastKey == st.fileKey() || strings.HasSuffix(st.fileKey(), "."+pe.LastKey)) {
			return fmt.Sprintf("syntax error at line %d (key %q)", pe.Position.Line, pe.LastKey)
		}
	}
	return err.Error()
}

// jsonError is a JSON syntax or type error without the text it was
// reading (the file may hold secrets).
func jsonError(err error) string {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return fmt.Sprintf("syntax error at byte %d", syn.Offset)
	}
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		return "the file must be one object of settings"
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return "it ends early"
	}
	return "cannot read it"
}

// config checks every setting as coffer serve and server.New would —
// without opening the database or listening — and returns the server's
// configuration (its SharedLimits still to be set from the database).
func (s *serveSettings) config() (server.Config, error) {
	cfg := s.cfg
	for _, st := range s.list {
		neg := false
		switch p := st.value.(type) {
		case *int:
			neg = *p < 0
		case *int64:
			neg = *p < 0
		case *time.Duration:
			neg = *p < 0
		}
		if neg {
			return cfg, usageError("--%s (%s) must not be negative (0 means no limit, or the default, as its description says)", st.name, strings.Join(st.from, ", "))
		}
	}
	if _, port, err := net.SplitHostPort(s.addr); err != nil {
		return cfg, usageError("--addr %q: want HOST:PORT (127.0.0.1:8080, :8080)", s.addr)
	} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return cfg, usageError("--addr %q: the port must be a number from 0 to 65535", s.addr)
	}
	if err := checkDatabaseURL(s.database); err != nil {
		return cfg, err
	}
	if s.smtpURL != "" {
		m, err := cmail.ParseURL(s.smtpURL)
		if err != nil {
			return cfg, usageError("--smtp-url: %v", err)
		}
		cfg.Mailer = m
		if cfg.PublicURL == "" {
			return cfg, usageError("--smtp-url needs --public-url (the address users reach the server at, e.g. https://vault.example.com): links in e-mail are built only from it")
		}
	}
	var err error
	if cfg.Admins, err = serveAdmins(s.admins); err != nil {
		return cfg, err
	}
	if cfg.TrustedProxies, err = server.ParseTrustedProxies(s.trusted); err != nil {
		return cfg, usageError("trusted proxy (--trusted-proxy, trusted_proxies): %v", err)
	}
	if cfg.Signup, err = serveSignup(s.signup, s.signupDomains, s.ssoOnly); err != nil {
		return cfg, err
	}
	if cfg.SSO, err = serveSSO(s.oidc, s.explicitSecret(), cfg.PublicURL); err != nil {
		return cfg, err
	}
	if err := cfg.Check(); err != nil {
		return cfg, usageError("%v", err)
	}
	return cfg, nil
}

// explicitSecret: the OIDC client secret was given by a flag or the file,
// not only by the environment (which may be set for every instance).
func (s *serveSettings) explicitSecret() bool {
	for _, st := range s.list {
		if st.value == &s.oidc.ClientSecret {
			return slices.Contains(st.from, "flag") || slices.Contains(st.from, "file")
		}
	}
	return false
}

// summary prints the effective settings for --check-config, secrets as
// (set), each with where it came from.
func (s *serveSettings) summary(w io.Writer, file string) {
	if file != "" {
		fmt.Fprintf(w, "Config file: %s\n", file)
	}
	t := newTable(w)
	fmt.Fprintln(t, "SETTING\tVALUE\tFROM")
	for _, st := range s.list {
		fmt.Fprintf(t, "--%s\t%s\t%s\n", st.name, st.shown(), strings.Join(st.from, ", "))
	}
	t.Flush()
}
