package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/mail"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	cmail "github.com/coffer-pm/coffer/internal/mail"
	"github.com/coffer-pm/coffer/internal/server"
	"github.com/coffer-pm/coffer/internal/sso"
	"github.com/coffer-pm/coffer/internal/store"
	"github.com/coffer-pm/coffer/internal/store/postgres"
	"github.com/coffer-pm/coffer/internal/store/sqlite"
	"github.com/coffer-pm/coffer/internal/version"
	"github.com/coffer-pm/coffer/internal/webui"
)

func (a *app) serveCommand() *cobra.Command {
	var addr, data, database, smtpURL, configFile, signupMode string
	var admins, trusted, signupDomains, ssoDomains []string
	var oidc sso.Config
	var shutdownTimeout time.Duration
	cfg := server.DefaultConfig()
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the Coffer server (embedded SQLite by default)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cfg.QuotaBytes < 0 || cfg.MaxPendingUploads < 0 || cfg.MaxPendingBytes < 0 || cfg.UploadExpiry < 0 {
				return usageError("--quota, --max-pending-uploads, --max-pending-bytes and --upload-expiry must not be negative (0 means no limit)")
			}
			if database == "" {
				database = os.Getenv("COFFER_DATABASE")
			}
			if smtpURL == "" {
				smtpURL = os.Getenv("COFFER_SMTP_URL")
			}
			if cfg.PublicURL == "" {
				cfg.PublicURL = os.Getenv("COFFER_PUBLIC_URL")
			}
			if smtpURL != "" {
				m, err := cmail.ParseURL(smtpURL)
				if err != nil {
					return usageError("--smtp-url: %v", err)
				}
				cfg.Mailer = m
				if cfg.PublicURL == "" {
					return usageError("--smtp-url needs --public-url (the address users reach the server at, e.g. https://vault.example.com): links in e-mail are built only from it")
				}
			}
			file, err := readServeConfig(configFile)
			if err != nil {
				return err
			}
			if cfg.Admins, err = serveAdmins(append(admins, file.Admins...)); err != nil {
				return err
			}
			if cfg.TrustedProxies, err = server.ParseTrustedProxies(append(trusted, file.TrustedProxies...)); err != nil {
				return usageError("trusted proxy (--trusted-proxy, trusted_proxies): %v", err)
			}
			if cfg.Signup, err = serveSignup(signupMode, file, signupDomains, ssoDomains); err != nil {
				return err
			}
			if cfg.SSO, err = serveSSO(oidc, file.OIDC, cfg.PublicURL); err != nil {
				return err
			}
			if shutdownTimeout < 0 {
				return usageError("--shutdown-timeout must not be negative")
			}
			return a.serve(cmd.Context(), addr, data, database, cfg, shutdownTimeout)
		},
	}
	f := cmd.Flags()
	f.StringVar(&addr, "addr", "127.0.0.1:8080", "address to listen on (port 0 picks a free port)")
	f.StringVar(&data, "data", "./data", "data directory for the SQLite database")
	f.StringVar(&database, "database", "", "database URL (env COFFER_DATABASE); empty means SQLite in --data")
	f.DurationVar(&shutdownTimeout, "shutdown-timeout", 10*time.Second, "on SIGTERM or SIGINT, how long requests in flight may take to finish before they are cut (a second signal stops at once)")
	f.DurationVar(&cfg.SessionIdle, "session-idle", cfg.SessionIdle, "sessions expire after this long unused")
	f.DurationVar(&cfg.SessionMax, "session-max", cfg.SessionMax, "sessions expire at the latest this long after login")
	f.Int64Var(&cfg.MaxBodyBytes, "max-body", cfg.MaxBodyBytes, "maximum request body size in bytes")
	f.Int64Var(&cfg.BodyBytesInFlight, "bodies-in-flight", cfg.BodyBytesInFlight, "request bytes held in memory at once on this instance; more are refused with 503")
	f.Int64Var(&cfg.BodyBytesPerCaller, "bodies-per-caller", cfg.BodyBytesPerCaller, "request bytes held at once for one account (or one client network); more are refused with 429")
	f.IntVar(&cfg.BodyMinRate, "body-min-rate", cfg.BodyMinRate, "bytes a second a request body must bring, measured over --body-rate-window; slower bodies are cut with 408")
	f.DurationVar(&cfg.BodyRateWindow, "body-rate-window", cfg.BodyRateWindow, "window over which --body-min-rate is measured (a smaller body must end within one)")
	f.IntVar(&cfg.RequestsPerAddr, "requests-per-network", cfg.RequestsPerAddr, "unauthenticated requests per client network per minute (raise it behind a reverse proxy that is not a --trusted-proxy)")
	f.Int64Var(&cfg.MaxFileBytes, "max-file-size", cfg.MaxFileBytes, "largest attachment in bytes")
	f.IntVar(&cfg.LivePerSession, "live-per-session", cfg.LivePerSession, "open live event streams allowed per session")
	f.IntVar(&cfg.LivePerAccount, "live-per-account", cfg.LivePerAccount, "open live event streams allowed per account, all its sessions together")
	f.IntVar(&cfg.LiveMaxStreams, "live-max-streams", cfg.LiveMaxStreams, "open live event streams allowed on this instance")
	f.IntVar(&cfg.SyncSlots, "sync-slots", cfg.SyncSlots, "syncs reading the database at once (0 = half its read connections)")
	f.IntVar(&cfg.SyncsPerAccount, "syncs-per-account", cfg.SyncsPerAccount, "syncs of one account in flight at once; more get 429")
	f.StringVar(&cfg.SyncSpoolDir, "sync-spool-dir", cfg.SyncSpoolDir, "where sync answers a client has not read yet wait beyond 1 MiB each (empty = the system's temporary directory)")
	f.Int64Var(&cfg.QuotaBytes, "quota", cfg.QuotaBytes, "storage per account in bytes: its uploads and revisions (0 = unlimited)")
	f.IntVar(&cfg.MaxPendingUploads, "max-pending-uploads", cfg.MaxPendingUploads, "uploads not yet attached to an item, per account (0 = unlimited)")
	f.Int64Var(&cfg.MaxPendingBytes, "max-pending-bytes", cfg.MaxPendingBytes, "bytes of uploads not yet attached to an item, per account (0 = unlimited)")
	f.DurationVar(&cfg.UploadExpiry, "upload-expiry", cfg.UploadExpiry, "uploads not attached to an item are deleted after this long (0 = never)")
	f.IntVar(&cfg.HashSlots, "hash-slots", cfg.HashSlots, "login and sign-up hashes (19 MiB each) running at once")
	f.IntVar(&cfg.HashQueue, "hash-queue", cfg.HashQueue, "logins and sign-ups waiting for a hash slot; more get 503")
	f.DurationVar(&cfg.HashWait, "hash-wait", cfg.HashWait, "longest wait for a hash slot; then 503")
	f.IntVar(&cfg.HashPerNetwork, "hash-per-network", cfg.HashPerNetwork, "logins and sign-ups running or waiting per client network (IPv4 /24, IPv6 /56); more get 429")
	f.IntVar(&cfg.RecoveryRequestsPerNetwork, "recovery-requests-per-network", cfg.RecoveryRequestsPerNetwork, "account recovery requests (no session needed) per client network per hour; more get 429")
	f.IntVar(&cfg.RecoveryMailPerAccount, "recovery-mail-per-account", cfg.RecoveryMailPerAccount, "with --smtp-url: approvals of one member's account recovery per 24 hours (each is mailed to the member); more get 429")
	f.StringVar(&smtpURL, "smtp-url", "", "SMTP server for invitation, verification and recovery e-mail (env COFFER_SMTP_URL): smtp://user:pass@host:587?from=coffer@example.com")
	f.StringVar(&cfg.PublicURL, "public-url", "", "the server's address as users reach it, for links in e-mail (env COFFER_PUBLIC_URL; required with --smtp-url)")
	f.IntVar(&cfg.InviteMailPerAccount, "invite-mail-per-account", cfg.InviteMailPerAccount, "invitation e-mails one account may send per --invite-mail-window")
	f.IntVar(&cfg.InviteMailPerOrg, "invite-mail-per-org", cfg.InviteMailPerOrg, "invitation e-mails per organisation per --invite-mail-window")
	f.DurationVar(&cfg.InviteMailWindow, "invite-mail-window", cfg.InviteMailWindow, "window of the invitation e-mail budgets")
	f.StringArrayVar(&admins, "admin", nil, "address of an instance administrator (repeatable); an account that signs up later with it is one too")
	f.StringVar(&signupMode, "signup", "", "who may sign up: open (anyone; the default) or invitation (an address with a pending invitation to an organisation, or at a --signup-domain)")
	f.StringArrayVar(&signupDomains, "signup-domain", nil, "a domain whose addresses may sign up (repeatable; exactly it, not its subdomains); given, sign-up is limited to these domains, and with --signup invitation to them or invited addresses")
	f.StringArrayVar(&ssoDomains, "sso-only-domain", nil, "a domain whose people sign in with their company's single sign-on (repeatable; its subdomains too): its addresses cannot sign up with a master password")
	f.StringSliceVar(&trusted, "trusted-proxy", nil, "network (CIDR) of a reverse proxy in front of the server (repeatable, or comma-separated): requests from it are counted and recorded under the client its X-Forwarded-For or Forwarded header names (docs/deployment.md)")
	f.StringVar(&oidc.Issuer, "oidc-issuer", "", "single sign-on: the OpenID Connect provider's issuer URL (https://…); needs --oidc-client-id, the client secret and --public-url, and the provider must accept PUBLIC_URL/api/v1/sso/callback as a redirect URI")
	f.StringVar(&oidc.ClientID, "oidc-client-id", "", "single sign-on: the client id the provider gave Coffer")
	f.StringVar(&oidc.ClientSecret, "oidc-client-secret", "", "single sign-on: the client secret (better: env COFFER_OIDC_CLIENT_SECRET or the config file — a flag shows in the process list)")
	f.StringVar(&oidc.Name, "oidc-name", "", `single sign-on: the provider's name on the log-in button, "Log in with NAME" (default "SSO")`)
	f.StringVar(&configFile, "config-file", "", `JSON file of server settings: {"admins": ["EMAIL", …], "trusted_proxies": ["CIDR", …], "signup": "open"|"invitation", "signup_domains": ["DOMAIN", …], "sso_only_domains": ["DOMAIN", …], "oidc": {"issuer", "client_id", "client_secret", "name"}} (lists added to the flags'; a flag wins over the file)`)
	return cmd
}

// serveConfig is the config file of coffer serve. Unknown keys are
// refused: a misspelt key must not silently leave the server without the
// administrators or the sign-up limits it names.
type serveConfig struct {
	Admins         []string  `json:"admins"`
	TrustedProxies []string  `json:"trusted_proxies"`
	Signup         string    `json:"signup"`
	SignupDomains  []string  `json:"signup_domains"`
	SSOOnlyDomains []string  `json:"sso_only_domains"`
	OIDC           serveOIDC `json:"oidc"`
}

// serveOIDC is the config file's single sign-on.
type serveOIDC struct {
	Issuer       string `json:"issuer"`
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
	Name         string `json:"name"`
}

// serveSSO is the single sign-on of the --oidc-* flags, the environment's
// COFFER_OIDC_CLIENT_SECRET and the config file's "oidc" (in that order:
// what is given first wins), checked.
func serveSSO(flags sso.Config, file serveOIDC, publicURL string) (sso.Config, error) {
	pick := func(v ...string) string {
		for _, x := range v {
			if x != "" {
				return x
			}
		}
		return ""
	}
	c := sso.Config{
		Issuer:       pick(flags.Issuer, file.Issuer),
		ClientID:     pick(flags.ClientID, file.ClientID),
		ClientSecret: pick(flags.ClientSecret, os.Getenv("COFFER_OIDC_CLIENT_SECRET"), file.ClientSecret),
		Name:         pick(flags.Name, file.Name, "SSO"),
	}
	if !c.Enabled() {
		if c.ClientID != "" || flags.ClientSecret != "" || file.ClientSecret != "" {
			return c, usageError("single sign-on needs the provider's issuer (--oidc-issuer or the config file's oidc.issuer)")
		}
		return sso.Config{}, nil
	}
	if publicURL != "" {
		c.RedirectURL = server.SSORedirectURL(publicURL)
	}
	if err := c.Check(); err != nil {
		return c, usageError("%v", err)
	}
	return c, nil
}

// readServeConfig reads the config file; none gives the zero settings.
func readServeConfig(file string) (serveConfig, error) {
	var c serveConfig
	if file == "" {
		return c, nil
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return c, usageError("--config-file: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return c, usageError("--config-file %s: %v", file, err)
	}
	return c, nil
}

// serveAdmins checks the administrators of --admin and the config file:
// each a plain e-mail address, lower-cased, once.
func serveAdmins(list []string) ([]string, error) {
	var out []string
	for _, e := range list {
		e = strings.ToLower(strings.TrimSpace(e))
		if a, err := mail.ParseAddress(e); err != nil || a.Address != e {
			return nil, usageError("administrator %q is not a plain e-mail address", e)
		}
		if !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	return out, nil
}

// serveSignup is the sign-up policy of --signup, --signup-domain and
// --sso-only-domain with the config file's signup, signup_domains and
// sso_only_domains (the lists added together). A mode given both ways
// must agree: which one won would be a guess.
func serveSignup(mode string, file serveConfig, domains, sso []string) (server.SignupPolicy, error) {
	if mode != "" && file.Signup != "" && mode != file.Signup {
		return server.SignupPolicy{}, usageError("--signup %s and the config file's \"signup\": %q disagree; give it once", mode, file.Signup)
	}
	if mode == "" {
		mode = file.Signup
	}
	var p server.SignupPolicy
	switch mode {
	case "", "open":
	case "invitation":
		p.Invitation = true
	default:
		return p, usageError("--signup %q: the modes are open and invitation (limit to domains with --signup-domain)", mode)
	}
	p.Domains = append(append([]string(nil), domains...), file.SignupDomains...)
	p.SSOOnlyDomains = append(append([]string(nil), sso...), file.SSOOnlyDomains...)
	p, err := p.Normalized()
	if err != nil {
		return p, usageError("%v", err)
	}
	return p, nil
}

func (a *app) openStore(ctx context.Context, data, database string) (store.Store, string, error) {
	if database == "" || strings.HasPrefix(database, "sqlite:") {
		path := strings.TrimPrefix(database, "sqlite:")
		if path == "" {
			if err := os.MkdirAll(data, 0o700); err != nil {
				return nil, "", fmt.Errorf("data directory %s: %w", data, err)
			}
			path = filepath.Join(data, sqlite.FileName)
		}
		st, err := sqlite.Open(ctx, path)
		return st, "sqlite " + path, err
	}
	if strings.HasPrefix(database, "postgres://") || strings.HasPrefix(database, "postgresql://") {
		st, err := postgres.Open(ctx, database, postgres.Options{})
		return st, "postgres " + postgres.Redact(database), err
	}
	return nil, "", usageError("unsupported database URL %s (use postgres://… or sqlite:PATH, or leave it empty for SQLite in --data)", postgres.Redact(database))
}

func (a *app) serve(ctx context.Context, addr, data, database string, cfg server.Config, shutdownTimeout time.Duration) error {
	log := slog.New(slog.NewTextHandler(a.stderr, nil))
	// One server per SQLite database, for as long as it runs (admin
	// commands such as backup open it alongside and need no lock).
	if path := sqlitePath(data, database); path != "" {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return fmt.Errorf("data directory %s: %w", filepath.Dir(path), err)
		}
		lock, err := lockData(path, "serve")
		if err != nil {
			return err
		}
		defer lock.Release()
	}
	st, desc, err := a.openStore(ctx, data, database)
	if err != nil {
		return err
	}
	// Unless a stop had to cut requests short (they may still hold
	// connections): the database is safe to leave without a close.
	abandon := false
	defer func() {
		if !abandon {
			st.Close()
		}
	}()
	// On PostgreSQL several instances may serve one database: count the
	// limits that must hold across them there. SQLite is one process.
	cfg.SharedLimits = strings.HasPrefix(desc, "postgres")
	srv, err := server.New(ctx, cfg, st, log)
	if err != nil {
		return err
	}
	// Signals are caught from before the address is printed: whoever
	// starts the server may stop it as soon as it has read it.
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %w", addr, err)
	}
	// ReadTimeout bounds a request whose body no handler reads; a body that
	// is read is kept moving by --body-min-rate instead (a slow honest
	// upload may take longer than a minute, a trickle is cut sooner).
	var inFlight atomic.Int64 // requests being answered, for the shutdown's log
	counted := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inFlight.Add(1)
		defer inFlight.Add(-1)
		srv.ServeHTTP(w, r)
	})
	hs := &http.Server{Handler: counted, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute, IdleTimeout: 2 * time.Minute}
	url := "http://" + ln.Addr().String()
	fmt.Fprintf(a.stdout, "Coffer %s listening on %s (%s)\n", version.Version, url, desc)
	if len(cfg.Admins) > 0 {
		fmt.Fprintf(a.stdout, "Instance administrators: %s\n", strings.Join(cfg.Admins, ", "))
	}
	if len(cfg.TrustedProxies) > 0 {
		nets := make([]string, len(cfg.TrustedProxies))
		for i, p := range cfg.TrustedProxies {
			nets[i] = p.String()
		}
		fmt.Fprintf(a.stdout, "Trusted proxies (client addresses from their X-Forwarded-For / Forwarded): %s\n", strings.Join(nets, ", "))
	}
	fmt.Fprintf(a.stdout, "Sign-up: %s\n", cfg.Signup.Describe())
	if cfg.SSO.Enabled() {
		fmt.Fprintf(a.stdout, "Single sign-on: %q at %s (redirect URI %s)\n", cfg.SSO.Name, cfg.SSO.Issuer, cfg.SSO.RedirectURL)
	}
	fmt.Fprintf(a.stdout, "Create an account from another terminal:\n  eval $(coffer signup --server %s --email you@example.com --name \"Your Name\")\n", url)

	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case s := <-sigs:
		log.Info("shutting down", "signal", s.String(), "shutdown_timeout", shutdownTimeout.String())
	case <-ctx.Done():
		log.Info("shutting down", "shutdown_timeout", shutdownTimeout.String())
	}
	// Called once the listener is closed: nothing new is accepted.
	hs.RegisterOnShutdown(func() {
		log.Info("stopped accepting; waiting for requests in flight", "open_requests", inFlight.Load())
	})
	srv.Close() // live connections get a clean going-away close
	shutdown, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- hs.Shutdown(shutdown) }()
	select {
	case err := <-done:
		if errors.Is(err, context.DeadlineExceeded) {
			n := inFlight.Load()
			log.Error("shutdown timeout ran out: cutting the requests still in flight", "open_requests", n, "shutdown_timeout", shutdownTimeout.String())
			hs.Close()
			abandon = true
			return fmt.Errorf("stopped after --shutdown-timeout %s with %d request(s) cut short", shutdownTimeout, n)
		}
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		log.Info("stopped")
		return nil
	case s := <-sigs:
		n := inFlight.Load()
		log.Warn("second signal: stopping at once", "signal", s.String(), "open_requests", n)
		hs.Close()
		abandon = true
		return fmt.Errorf("stopped at once by a second signal with %d request(s) cut short", n)
	}
}

func (a *app) versionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version and the hash of the embedded web app",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if a.jsonOut {
				return a.printJSON(map[string]string{"version": version.Version, "web_app": webui.BundleHash()})
			}
			fmt.Fprintln(a.stdout, "coffer "+version.Version)
			fmt.Fprintln(a.stdout, "web app sha256 "+webui.BundleHash())
			return nil
		},
	}
}
