package cli

import (
	"context"
	"errors"
	"fmt"
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

	"github.com/coffer-pm/coffer/internal/server"
	"github.com/coffer-pm/coffer/internal/sso"
	"github.com/coffer-pm/coffer/internal/store"
	"github.com/coffer-pm/coffer/internal/store/postgres"
	"github.com/coffer-pm/coffer/internal/store/sqlite"
	"github.com/coffer-pm/coffer/internal/version"
)

func (a *app) serveCommand() *cobra.Command {
	s := newServeSettings()
	var configFile string
	var checkOnly bool
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the Coffer server (embedded SQLite by default)",
		Long: `Run the Coffer server (embedded SQLite by default).

Every setting below can also be given in the environment as COFFER_ and the
flag's name in upper case with _ for - (--hash-slots is COFFER_HASH_SLOTS;
a list comma-separated), and in the --config-file, a TOML file whose keys are
the flags' names with _ for - (hash_slots = 8; lists as arrays; admins,
trusted_proxies, signup_domains, sso_only_domains; the --oidc-* settings in
an [oidc] table) or the JSON file of earlier versions. A flag wins over the
environment, which wins over the file, which wins over the default; lists
are added together from all three. Durations are Go durations ("90s",
"24h"); sizes are bytes, or with KiB, MiB, GiB or TiB ("10MiB").
--check-config checks it all and prints the effective settings without
opening the database. docs/deployment.md lists every setting.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if configFile == "" {
				configFile = os.Getenv("COFFER_CONFIG_FILE")
			}
			if err := s.load(cmd.Flags(), configFile, os.LookupEnv); err != nil {
				return err
			}
			cfg, err := s.config()
			if err != nil {
				return err
			}
			if checkOnly {
				s.summary(a.stdout, configFile)
				fmt.Fprintf(a.stdout, "Sign-up: %s\nThe configuration is valid.\n", cfg.Signup.Describe())
				return nil
			}
			return a.serve(cmd.Context(), s.addr, s.data, s.database, cfg, &s.obs)
		},
	}
	f := cmd.Flags()
	s.register(f)
	f.StringVar(&configFile, "config-file", "", "TOML (or, ending in .json, JSON) file of server settings, keys named like the flags (env COFFER_CONFIG_FILE; docs/deployment.md)")
	f.BoolVar(&checkOnly, "check-config", false, "check the settings of flags, environment and --config-file, print the effective ones (secrets as (set)) and exit: 0 valid, 2 not; opens no database")
	return cmd
}

// serveSSO is the single sign-on of the --oidc-* settings, checked;
// explicitSecret says the client secret was given by a flag or the config
// file rather than only by the environment.
func serveSSO(c sso.Config, explicitSecret bool, publicURL string) (sso.Config, error) {
	if c.Name == "" {
		c.Name = "SSO"
	}
	if !c.Enabled() {
		if c.ClientID != "" || (explicitSecret && c.ClientSecret != "") {
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
// --sso-only-domain (each from a flag, the environment or the config file).
func serveSignup(mode string, domains, sso []string) (server.SignupPolicy, error) {
	var p server.SignupPolicy
	switch mode {
	case "", "open":
	case "invitation":
		p.Invitation = true
	default:
		return p, usageError("--signup %q: the modes are open and invitation (limit to domains with --signup-domain)", mode)
	}
	p.Domains = append([]string(nil), domains...)
	p.SSOOnlyDomains = append([]string(nil), sso...)
	p, err := p.Normalized()
	if err != nil {
		return p, usageError("%v", err)
	}
	return p, nil
}

// checkDatabaseURL refuses a database URL serve cannot open, without
// opening it (and without showing its password).
func checkDatabaseURL(database string) error {
	if database == "" || strings.HasPrefix(database, "sqlite:") || strings.HasPrefix(database, "postgres://") || strings.HasPrefix(database, "postgresql://") {
		return nil
	}
	return usageError("unsupported database URL %s (use postgres://… or sqlite:PATH, or leave it empty for SQLite in --data)", postgres.Redact(database))
}

func (a *app) openStore(ctx context.Context, data, database string) (store.Store, string, error) {
	if err := checkDatabaseURL(database); err != nil {
		return nil, "", err
	}
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

func (a *app) serve(ctx context.Context, addr, data, database string, cfg server.Config, obs *serveObs) error {
	shutdownTimeout := obs.shutdownTimeout
	log, err := obs.logger(a.stderr)
	if err != nil {
		return err
	}
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
	stopMetrics, err := a.startMetrics(obs, srv, log)
	if err != nil {
		return err
	}
	defer stopMetrics()
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
	} else if len(cfg.Signup.SSOOnlyDomains) > 0 {
		log.Warn("SSO-only domains without single sign-on (--oidc-issuer): their addresses cannot sign up, and accounts made there earlier still log in with the master password alone", "domains", strings.Join(cfg.Signup.SSOOnlyDomains, ","))
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
