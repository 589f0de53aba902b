// Package server is Coffer's HTTP API (/api/v1). Handlers are thin: parse
// and validate the request, ask authz, call the store, write the answer.
// The server only ever handles ciphertext and routing metadata.
package server

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"sync/atomic"
	"time"

	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/crypto"
	"github.com/coffer-pm/coffer/internal/mail"
	"github.com/coffer-pm/coffer/internal/sso"
	"github.com/coffer-pm/coffer/internal/store"
	"github.com/coffer-pm/coffer/internal/version"
	"github.com/coffer-pm/coffer/internal/webui"
)

// Config is the server's configuration, with defaults from DefaultConfig.
type Config struct {
	SessionIdle  time.Duration // a session expires after this long unused
	SessionMax   time.Duration // and at the latest this long after login
	MaxBodyBytes int64         // request body limit
	// BodyBytesInFlight bounds the request bytes held at once on the
	// instance, BodyBytesPerCaller those of one account (or, unauthenticated,
	// one client network); <= 0 takes the defaults (bodybudget.go).
	BodyBytesInFlight  int64
	BodyBytesPerCaller int64
	MaxBlobBytes       int // limit of one revision blob
	LoginAttempts      int // failed logins per account per LoginWindow
	LoginWindow        time.Duration
	RequestsPerAddr    int           // unauthenticated requests per client network (networkKey) per minute
	MaxFileBytes       int64         // largest attachment, plaintext bytes
	Heartbeat          time.Duration // live connections are pinged this often
	LiveBacklog        int           // a live client further behind than this many events is told to resync
	LivePerSession     int           // open live streams per session
	LivePerAccount     int           // open live streams per account, all its sessions together
	LiveMaxStreams     int           // open live streams on this instance
	RecordsPage        int           // epoch records one GET /orgs/{org}/records answer scans at most
	// SharedLimits counts the failed-login windows and the verification
	// and recovery mail budgets in the database (store.RateCounterStore)
	// rather than in this process: set when several instances serve one
	// PostgreSQL database, so that they enforce one limit together, not
	// one each (issue 27). If the database cannot count, those requests
	// are refused (503), never let through uncounted.
	SharedLimits bool
	// Syncs (syncgate.go, spool.go): SyncSlots read their snapshot at once
	// (<= 0: half the store's read connections); one waits at most
	// SyncWait for a slot, then 503; an account has at most
	// SyncsPerAccount in flight (more get 429); what a client has not read
	// yet is held in memory up to SyncSpoolMemory bytes per sync, beyond
	// that in a temporary file in SyncSpoolDir (empty: the system's); a
	// client that takes no bytes for SyncSendTimeout is cut off.
	SyncSlots       int
	SyncWait        time.Duration
	SyncsPerAccount int
	SyncSpoolMemory int
	SyncSpoolDir    string
	SyncSendTimeout time.Duration
	// Mailer sends invitation, verification and recovery e-mail; nil
	// means SMTP is not configured.
	Mailer mail.Sender
	// DeviceMailPerAccount bounds the new-device log-in notices mailed
	// to one account per day (0: 5); across instances with SharedLimits.
	DeviceMailPerAccount int
	// PublicURL is the server's address as users reach it, for links in
	// e-mail (e.g. https://vault.example.com). Required with a Mailer:
	// links are never built from anything a request says.
	PublicURL string
	// InviteMailPerAccount and InviteMailPerOrg budget invitation e-mail
	// (one per invited address) per inviting account and per organisation
	// in each InviteMailWindow; only enforced when a Mailer is set.
	InviteMailPerAccount int
	InviteMailPerOrg     int
	InviteMailWindow     time.Duration
	// VerifyMailsPerAddress limits verification (and "already has an
	// account") e-mail to one address per hour from one client network;
	// four times as many from all networks together.
	VerifyMailsPerAddress int

	// Storage quotas (0 = no limit). An account's usage is the announced
	// size of every file it uploaded plus the blobs of the revisions it
	// wrote, in any vault: uploads count against the uploader.
	QuotaBytes        int64
	MaxPendingUploads int           // uploads no item links yet, per account
	MaxPendingBytes   int64         // their announced bytes, per account
	UploadExpiry      time.Duration // an upload no item links is deleted after this long (0 = never)

	// The slow server-side hash of login and sign-up (19 MiB each) runs
	// under a gate (hashgate.go); values <= 0 take the defaults.
	HashSlots      int           // hashes running at once (default: one per core, at most 16)
	HashQueue      int           // requests waiting for a slot beyond those (default 16 × HashSlots); more get 503
	HashWait       time.Duration // longest wait for a slot (default 3 s); then 503
	HashPerNetwork int           // running + waiting per client network (default 2 × HashSlots); more get 429

	// RecoveryRequestsPerNetwork bounds the recovery requests (which need
	// no session) one client network may make per hour; <= 0 takes the
	// default, 10.
	RecoveryRequestsPerNetwork int
	// RecoveryMailPerAccount bounds the approvals of one member's
	// recovery per 24 hours when the server sends mail: each is mailed to
	// the member, and one beyond the budget is refused (429, nothing
	// approved); <= 0 takes the default, 10. Completed recoveries are
	// always mailed (each needs an approval).
	RecoveryMailPerAccount int

	// A request body must bring at least BodyMinRate bytes a second,
	// measured over windows of BodyRateWindow (a smaller body must end
	// within one), else it is cut with 408 (bodybudget.go); <= 0 takes
	// the defaults, 8 KiB/s over 10 s.
	BodyMinRate    int
	BodyRateWindow time.Duration

	// Admins are the addresses of instance administrators (coffer serve
	// --admin, or admins in the config file; protocol §18.8), matched
	// case-insensitively at every request: an account that signs up
	// later with one of them is an administrator from then on. Accounts
	// granted on the server machine (coffer admin grant-admin) are too.
	Admins []string

	// TrustedProxies are the networks of the reverse proxies in front of
	// the server (coffer serve --trusted-proxy, ParseTrustedProxies): a
	// request from one of them is counted and recorded under the client
	// its X-Forwarded-For or Forwarded header names (clientaddr.go). Empty:
	// those headers are ignored.
	TrustedProxies []netip.Prefix
	// SSO is single sign-on with an OpenID Connect provider (sso.go);
	// the zero value is none. Its RedirectURL is set from PublicURL.
	SSO sso.Config
	// Signup is who may sign up (signup.go; coffer serve --signup,
	// --signup-domain, --sso-only-domain); the zero value is open.
	Signup SignupPolicy
}

// DefaultConfig returns the defaults documented in docs/api.md.
func DefaultConfig() Config {
	return Config{
		SessionIdle:        24 * time.Hour,
		SessionMax:         30 * 24 * time.Hour,
		MaxBodyBytes:       4 << 20,
		BodyBytesInFlight:  128 << 20,
		BodyBytesPerCaller: 16 << 20,
		MaxBlobBytes:       2 << 20,
		LoginAttempts:      10,
		LoginWindow:        15 * time.Minute,
		RequestsPerAddr:    120,
		MaxFileBytes:       100 << 20,
		Heartbeat:          30 * time.Second,
		LiveBacklog:        1000,
		RecordsPage:        2000,

		InviteMailPerAccount:  200,
		InviteMailPerOrg:      200,
		InviteMailWindow:      24 * time.Hour,
		VerifyMailsPerAddress: 5,
		LivePerSession:        8,
		LivePerAccount:        32,
		LiveMaxStreams:        10000,
		SyncWait:              10 * time.Second,
		SyncsPerAccount:       32,
		SyncSpoolMemory:       1 << 20,
		SyncSendTimeout:       time.Minute,
		QuotaBytes:            10 << 30,
		MaxPendingUploads:     100,
		MaxPendingBytes:       1 << 30,
		UploadExpiry:          24 * time.Hour,
		HashSlots:             defaultHashSlots(),
		HashQueue:             16 * defaultHashSlots(),
		HashWait:              3 * time.Second,
		HashPerNetwork:        2 * defaultHashSlots(),

		RecoveryRequestsPerNetwork: 10,
		RecoveryMailPerAccount:     defaultRecoveryMailPerAccount,
		BodyMinRate:                defaultBodyMinRate,
		BodyRateWindow:             defaultBodyRateWindow,
	}
}

// Server serves the API over a store.
type Server struct {
	cfg       Config
	store     store.Store
	log       *slog.Logger
	now       func() time.Time
	secret    []byte // keyed hash for pre-login answers about unknown accounts
	loginFail counter
	perAddr   *limiter
	// limitSecret keys the hashes under which shared limits count
	// (counters.go); counterHits paces their pruning.
	limitSecret []byte
	counterHits atomic.Uint64
	// verify keys the hashes of mailed verification codes; verifyMail
	// limits verification e-mail per address.
	verifySecret  []byte
	verifyMail    counter // per address and client network
	verifyMailAll counter // per address
	recoveryNet   counter // recovery requests per client network
	recoveryMail  counter // approval mail per member account
	// deviceSecret keys the hashes of known devices; deviceMail limits
	// new-device notices per account; devices queues the log-ins the
	// notice worker checks (newdevice.go).
	deviceSecret []byte
	deviceMail   counter
	devices      chan deviceLogin
	hashes       *hashGate
	bodies       *bodyBudget
	syncs        *syncGate
	hash         func(authKey, salt []byte) []byte // crypto.AuthHash; tests observe it
	mux          *http.ServeMux
	hub          *hub
	metrics      *metrics
	// storageFull: the last write failed for a full disk and none has
	// gone through since; /healthz says so.
	storageFull atomic.Bool
	// rp is the single sign-on provider's client; nil without SSO.
	rp *sso.RP
	// base lives as long as the server; Close cancels it, which ends live
	// connections.
	base   context.Context
	cancel context.CancelFunc
}

// Check is what New refuses in a configuration before it touches the
// store; coffer serve --check-config runs it without one.
func (cfg Config) Check() error {
	_, err := cfg.checked()
	return err
}

// checked is cfg checked, with its sign-up policy normalized and its
// single sign-on's redirect URL set from PublicURL.
func (cfg Config) checked() (Config, error) {
	if err := checkMailConfig(cfg); err != nil {
		return cfg, err
	}
	var err error
	if cfg.Signup, err = cfg.Signup.Normalized(); err != nil {
		return cfg, err
	}
	if cfg.SSO.Enabled() && cfg.PublicURL != "" {
		cfg.SSO.RedirectURL = SSORedirectURL(cfg.PublicURL)
	}
	if err := cfg.SSO.Check(); err != nil {
		return cfg, err
	}
	return cfg, nil
}

// New returns a server. It reads (or creates) the server secret from the store.
func New(ctx context.Context, cfg Config, st store.Store, log *slog.Logger) (*Server, error) {
	cfg, err := cfg.checked()
	if err != nil {
		return nil, err
	}
	secret, err := st.ServerSecret(ctx, "prelogin")
	if err != nil {
		return nil, err
	}
	verifySecret, err := st.ServerSecret(ctx, "email-verification")
	if err != nil {
		return nil, err
	}
	log = slog.New(ctxLogHandler{log.Handler()})
	s := &Server{
		cfg: cfg, store: st, log: log, now: time.Now, secret: secret,
		perAddr:      newLimiter(cfg.RequestsPerAddr, time.Minute),
		verifySecret: verifySecret,
		hashes:       newHashGateFor(cfg),
		bodies:       newBodyBudgetFor(cfg),
		syncs:        newSyncGate(cfg, st),
		hash:         crypto.AuthHash,
		mux:          http.NewServeMux(),
		hub:          newHub(),
	}
	if cfg.SharedLimits {
		if s.limitSecret, err = st.ServerSecret(ctx, "rate-limit-keys"); err != nil {
			return nil, err
		}
	}
	// Every limit that must hold across instances, in one place.
	s.loginFail = s.newCounter("login", cfg.LoginAttempts, cfg.LoginWindow)
	s.verifyMail = s.newCounter("verify-mail", cfg.VerifyMailsPerAddress, time.Hour)
	s.verifyMailAll = s.newCounter("verify-mail-all", 4*cfg.VerifyMailsPerAddress, time.Hour)
	s.recoveryNet = s.newCounter("recovery-net", orDefault(cfg.RecoveryRequestsPerNetwork, 10), time.Hour)
	s.recoveryMail = s.newCounter("recovery-mail", orDefault(cfg.RecoveryMailPerAccount, defaultRecoveryMailPerAccount), recoveryMailWindow)
	if s.deviceSecret, err = st.ServerSecret(ctx, "known-devices"); err != nil {
		return nil, err
	}
	s.deviceMail = s.newCounter("device-mail", orDefault(cfg.DeviceMailPerAccount, defaultDeviceMailPerAccount), deviceMailWindow)
	if cfg.SSO.Enabled() {
		if cfg.SSO.Now == nil {
			cfg.SSO.Now = func() time.Time { return s.now() }
		}
		s.rp = sso.New(cfg.SSO)
	}
	s.base, s.cancel = context.WithCancel(context.Background())
	s.metrics = newMetrics(s)
	if o, ok := st.(interface {
		ObserveTx(func(kind string, d time.Duration))
	}); ok {
		o.ObserveTx(func(kind string, d time.Duration) { s.metrics.txDuration.WithLabelValues(kind).Observe(d.Seconds()) })
	}
	s.startDeviceNotices()
	s.routes()
	s.startLive()
	s.startSweeper()
	return s, nil
}

// SetClock replaces the server's clock; tests use it to expire sessions.
func (s *Server) SetClock(now func() time.Time) { s.now = now }

func (s *Server) routes() {
	p := api.Prefix
	s.mux.HandleFunc("GET /healthz", s.healthz)
	// Health for orchestrators (obs.go), and no /metrics here: the
	// metrics have a listener of their own (MetricsHandler). None of these
	// falls through to the web app's page.
	s.mux.HandleFunc("/livez", s.livez)
	s.mux.HandleFunc("/readyz", s.readyz)
	s.mux.HandleFunc("/metrics", notFoundJSON)
	// GET /join (webui.JoinPath, the Join link of invitation e-mail) is
	// the web app's own Join page, served by webui below with the other
	// routes of the page (webui.Routes).
	s.mux.HandleFunc("GET "+p+"/version", s.getVersion)

	s.mux.Handle("POST "+p+"/accounts", s.public(s.signup))
	s.mux.Handle("POST "+p+"/prelogin", s.public(s.prelogin))
	s.mux.Handle("GET "+p+"/sso", s.public(s.ssoInfo))
	s.mux.Handle("POST "+p+"/sso/start", s.public(s.ssoStart))
	s.mux.Handle("GET "+p+"/sso/callback", http.HandlerFunc(s.ssoCallback))
	s.mux.Handle("POST "+p+"/sso/ticket", s.public(s.ssoTicketInfo))
	s.mux.Handle("POST "+p+"/sessions", s.public(s.login))
	s.mux.Handle("POST "+p+"/accounts/{id}/verify", s.public(s.verifyEmail))
	s.mux.Handle("POST "+p+"/account/verification", s.authed(s.requestVerification))

	s.mux.Handle("GET "+p+"/sessions", s.authed(s.listSessions))
	s.mux.Handle("DELETE "+p+"/sessions/current", s.authed(s.logout))
	s.mux.Handle("DELETE "+p+"/sessions/{id}", s.authed(s.revokeSession))
	s.mux.Handle("GET "+p+"/account", s.authed(s.getAccount))
	s.mux.Handle("PUT "+p+"/account/password", s.authed(s.changePassword))
	s.mux.Handle("DELETE "+p+"/account", s.authed(s.deleteAccount))
	s.mux.Handle("GET "+p+"/account/2fa", s.authed(s.twoFactorStatus))
	s.mux.Handle("POST "+p+"/account/2fa", s.authed(s.startTwoFactor))
	s.mux.Handle("POST "+p+"/account/2fa/confirm", s.authed(s.confirmTwoFactor))
	s.mux.Handle("POST "+p+"/account/2fa/disable", s.authed(s.disableTwoFactor))
	s.mux.Handle("POST "+p+"/account/2fa/recovery-codes", s.authed(s.newRecoveryCodesFor))
	s.mux.Handle("GET "+p+"/account/2fa/webauthn", s.authed(s.listSecurityKeys))
	s.mux.Handle("POST "+p+"/account/2fa/webauthn", s.authed(s.beginSecurityKey))
	s.mux.Handle("POST "+p+"/account/2fa/webauthn/finish", s.authed(s.finishSecurityKey))
	s.mux.Handle("POST "+p+"/account/2fa/webauthn/{id}/remove", s.authed(s.removeSecurityKey))
	s.mux.Handle("GET "+p+"/account/recovery", s.authed(s.accountRecovery))
	s.mux.Handle("DELETE "+p+"/account/recovery/requests", s.authed(s.cancelRecoveryRequests))
	s.mux.Handle("GET "+p+"/account/notices", s.authed(s.accountNotices))
	s.mux.Handle("POST "+p+"/account/notices/{id}/seen", s.authed(s.seeNotice))
	s.mux.Handle("POST "+p+"/recovery/requests", s.public(s.createRecoveryRequest))
	s.mux.Handle("POST "+p+"/recovery/requests/{id}", s.public(s.recoveryRequestState))
	s.mux.Handle("POST "+p+"/recovery/requests/{id}/complete", s.public(s.completeRecovery))
	s.mux.Handle("GET "+p+"/users/{id}/keys", s.authed(s.getPublicKeys))

	s.mux.Handle("GET "+p+"/vaults", s.authed(s.listVaults))
	s.mux.Handle("POST "+p+"/vaults/{vault}/items", s.authed(s.createItem))
	s.mux.Handle("POST "+p+"/vaults/{vault}/items/batch", s.authed(s.createItems))
	s.mux.Handle("GET "+p+"/items/{id}", s.authed(s.getItem))
	s.mux.Handle("PUT "+p+"/items/{id}", s.authed(s.updateItem))
	s.mux.Handle("POST "+p+"/items/{id}/trash", s.authed(s.trashItem))
	s.mux.Handle("POST "+p+"/items/{id}/restore", s.authed(s.restoreItem))
	s.mux.Handle("GET "+p+"/items/{id}/revisions", s.authed(s.listRevisions))
	s.mux.Handle("POST "+p+"/items/{id}/move", s.authed(s.moveItem))
	s.mux.Handle("POST "+p+"/items/{id}/purge", s.authed(s.purgeItem))
	s.mux.Handle("POST "+p+"/vaults/{vault}/files", s.authed(s.createFile))
	s.mux.Handle("GET "+p+"/files/{id}", s.authed(s.getFile))
	s.mux.Handle("PUT "+p+"/files/{id}/chunks/{idx}", s.authed(s.putChunk))
	s.mux.Handle("GET "+p+"/files/{id}/chunks/{idx}", s.authed(s.getChunk))
	s.mux.Handle("GET "+p+"/sync", s.authed(s.sync))
	s.mux.Handle("GET "+p+"/events", s.authedLive(s.events))
	s.mux.Handle("GET "+p+"/keyring", s.authed(s.getKeyring))
	s.mux.Handle("PUT "+p+"/keyring", s.authed(s.putKeyring))

	s.mux.Handle("POST "+p+"/orgs", s.authed(s.createOrg))
	s.mux.Handle("GET "+p+"/orgs", s.authed(s.listOrgs))
	s.mux.Handle("GET "+p+"/orgs/{org}/members", s.authed(s.orgMembers))
	s.mux.Handle("POST "+p+"/orgs/{org}/members/{user}/remove", s.authed(s.removeMember))
	s.mux.Handle("PUT "+p+"/orgs/{org}/groups/{id}/keys-sig", s.authed(s.resignGroupKeys))
	s.mux.Handle("POST "+p+"/orgs/{org}/leave", s.authed(s.leaveOrg))
	s.mux.Handle("PUT "+p+"/orgs/{org}/transfer", s.authed(s.offerTransfer))
	s.mux.Handle("GET "+p+"/orgs/{org}/transfer", s.authed(s.getTransfer))
	s.mux.Handle("DELETE "+p+"/orgs/{org}/transfer", s.authed(s.withdrawTransfer))
	s.mux.Handle("POST "+p+"/orgs/{org}/transfer/accept", s.authed(s.acceptTransfer))

	s.mux.Handle("GET "+p+"/admin/accounts", s.adminOnly(s.adminSearch))
	s.mux.Handle("GET "+p+"/admin/accounts/{user}", s.adminOnly(s.adminAccountDetail))
	s.mux.Handle("POST "+p+"/admin/accounts/{user}/disable", s.adminOnly(s.adminDisable))
	s.mux.Handle("POST "+p+"/admin/accounts/{user}/enable", s.adminOnly(s.adminEnable))
	s.mux.Handle("POST "+p+"/admin/accounts/{user}/reset-2fa", s.adminOnly(s.adminResetSecondFactors))
	s.mux.Handle("PUT "+p+"/admin/accounts/{user}/export-policy", s.adminOnly(s.adminExportPolicy))
	s.mux.Handle("GET "+p+"/account/export-policy", s.authed(s.myExportPolicy))
	s.mux.Handle("PUT "+p+"/groups/{id}/export-policy", s.authed(s.groupExportPolicy))
	s.mux.Handle("PUT "+p+"/orgs/{org}/two-factor-policy", s.authed(s.setTwoFactorPolicy))
	s.mux.Handle("POST "+p+"/orgs/{org}/exports", s.authed(s.recordExport))
	s.mux.Handle("POST "+p+"/admin/accounts/{user}/orgs/{org}/unbind", s.adminOnly(s.adminUnbind))
	s.mux.Handle("GET "+p+"/admin/orgs/{org}/audit", s.adminOnly(s.adminAuditLog))
	s.mux.Handle("GET "+p+"/admin/orgs/{org}/roster", s.adminOnly(s.adminOrgRoster))
	s.mux.Handle("POST "+p+"/orgs/{org}/invitations", s.authed(s.invite))
	s.mux.Handle("POST "+p+"/orgs/{org}/invitations/{id}/confirm", s.authed(s.confirmInvitation))
	s.mux.Handle("POST "+p+"/orgs/{org}/invitations/{id}/cancel", s.authed(s.cancelInvitation))
	s.mux.Handle("GET "+p+"/invitations", s.authed(s.pendingInvitations))
	s.mux.Handle("POST "+p+"/invitations/{id}/join", s.authed(s.joinInvitation))
	s.mux.Handle("GET "+p+"/orgs/{org}/audit", s.authed(s.auditLog))
	s.mux.Handle("GET "+p+"/orgs/{org}/exposure/{user}", s.authed(s.exposure))
	s.mux.Handle("PUT "+p+"/orgs/{org}/meta", s.authed(s.renameOrg))
	s.mux.Handle("DELETE "+p+"/orgs/{org}", s.authed(s.deleteOrg))
	s.mux.Handle("PUT "+p+"/vaults/{vault}/meta", s.authed(s.renameVault))
	s.mux.Handle("DELETE "+p+"/vaults/{vault}", s.authed(s.deleteVault))
	s.mux.Handle("PUT "+p+"/groups/{id}/meta", s.authed(s.renameGroup))
	s.mux.Handle("DELETE "+p+"/groups/{id}", s.authed(s.deleteGroup))
	s.mux.Handle("GET "+p+"/orgs/{org}/recovery", s.authed(s.orgRecovery))
	s.mux.Handle("PUT "+p+"/orgs/{org}/recovery", s.authed(s.enableRecovery))
	s.mux.Handle("DELETE "+p+"/orgs/{org}/recovery", s.authed(s.disableRecovery))
	s.mux.Handle("PUT "+p+"/orgs/{org}/recovery/enrolment", s.authed(s.enrolRecovery))
	s.mux.Handle("DELETE "+p+"/orgs/{org}/recovery/enrolment", s.authed(s.leaveRecovery))
	s.mux.Handle("GET "+p+"/orgs/{org}/recovery/requests", s.authed(s.openRecoveryRequests))
	s.mux.Handle("POST "+p+"/orgs/{org}/recovery/requests/{id}/grant", s.authed(s.grantRecovery))
	s.mux.Handle("DELETE "+p+"/orgs/{org}/recovery/requests/{id}", s.authed(s.discardRecoveryRequest))
	s.mux.Handle("POST "+p+"/orgs/{org}/groups", s.authed(s.createGroup))
	s.mux.Handle("GET "+p+"/orgs/{org}/groups", s.authed(s.listGroups))
	s.mux.Handle("POST "+p+"/groups/{id}/members", s.authed(s.addGroupMembers))
	s.mux.Handle("DELETE "+p+"/groups/{id}/members/{user}", s.authed(s.removeGroupMember))
	s.mux.Handle("POST "+p+"/orgs/{org}/vaults", s.authed(s.createOrgVault))
	s.mux.Handle("GET "+p+"/vaults/{vault}/access", s.authed(s.vaultAccess))
	s.mux.Handle("PUT "+p+"/vaults/{vault}/manifest", s.authed(s.repairManifest))
	s.mux.Handle("POST "+p+"/vaults/{vault}/grants", s.authed(s.grantVault))
	s.mux.Handle("DELETE "+p+"/vaults/{vault}/grants/{kind}/{id}", s.authed(s.revokeGrant))
	s.mux.Handle("GET "+p+"/orgs/{org}/records", s.authed(s.listRecords))
	s.mux.Handle("GET "+p+"/orgs/{org}/rotations", s.authed(s.pendingRotations))
	s.mux.Handle("POST "+p+"/orgs/{org}/rotate", s.authed(s.rotateOrg))
	s.mux.Handle("POST "+p+"/groups/{id}/rotate", s.authed(s.rotateGroup))
	s.mux.Handle("POST "+p+"/vaults/{vault}/rotate", s.authed(s.rotateVault))

	// The web app (internal/webui): every path outside the API. The page
	// only at webui.Routes, which `coffer web verify` checks one by one.
	s.mux.Handle("/", webui.Handler())
	s.mux.HandleFunc(p+"/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, api.Error{Error: "no such API endpoint: " + r.Method + " " + r.URL.Path, Code: api.CodeNotFound})
	})
}

// setSecurityHeaders marks every answer — API, errors, 404s, /healthz — as
// not to be sniffed as another type, framed or sent on as a referrer.
// The CSP is the page's (webui.CSP) on every answer: on the page it is
// the one that counts; elsewhere it forbids framing.
func setSecurityHeaders(h http.Header) {
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", webui.CSP)
	h.Set("Referrer-Policy", "no-referrer")
}

type statusRecorder struct {
	http.ResponseWriter
	status int
	wrote  bool
	bytes  int64 // of the body written
}

func (r *statusRecorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	r.wrote = true
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController (and the WebSocket upgrade) reach
// the connection underneath.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// Hijack hands the connection to the WebSocket library.
func (r *statusRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := r.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("connection cannot be hijacked")
	}
	r.wrote, r.status = true, http.StatusSwitchingProtocols
	return hj.Hijack()
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	switch reason, detail := s.databaseState(r.Context()); reason {
	case "":
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	case "database_busy":
		w.Header().Set("Retry-After", "1")
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "database": "busy", "detail": detail})
	case "database_full":
		w.Header().Set("Retry-After", "30")
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "database": "full", "detail": detail})
	default:
		w.Header().Set("Retry-After", "1")
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "database": "unreachable"})
	}
}

// databaseState pings the store: "" when it answers, else a reason word,
// database_busy, database_unreachable or database_full (the last write
// failed for a full disk), and a detail for an operator.
func (s *Server) databaseState(ctx context.Context) (reason, detail string) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		// A ping that found every connection of a pool in use waited for
		// one: the database may be fine and the instance overloaded (or
		// stuck). Say which, so that an operator looks in the right place.
		for _, p := range s.store.Pools() {
			if p.Full() {
				return "database_busy", fmt.Sprintf("all %d connections of the %s pool are in use", p.MaxOpen, p.Name)
			}
		}
		return "database_unreachable", ""
	}
	if s.storageFull.Load() {
		return "database_full", "the last write failed because the database's disk is full; free space on it"
	}
	return "", ""
}

func (s *Server) getVersion(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, api.Version{Version: version.Version, API: "v1"})
}
