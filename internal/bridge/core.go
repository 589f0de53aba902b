// Package bridge is the web app's bridge to the client core
// (globalThis.cofferCore, docs/web.md) as plain Go: every function takes
// the page's arguments and returns a JSON-able value or an error, so it
// runs and is tested natively against a real server. cmd/coffer-web only
// glues it to JavaScript (arguments, Promises, localStorage, IndexedDB,
// the live stream's callback). Keys and the unlocked session live in the
// Core; what it returns is what the page shows, never a key.
package bridge

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/api"
)

// Host is what the bridge needs of the browser.
type Host interface {
	// Get, Set and Remove are the page's localStorage: the profile (no
	// clear key); the high-water marks of earlier versions.
	Get(key string) (string, bool)
	Set(key, value string)
	Remove(key string)
	// OpenCache opens the account's device cache (IndexedDB).
	OpenCache(userID string) (Cache, error)
	// OpenMarks opens where the account's high-water marks (no secret)
	// are kept: IndexedDB, apart from the device cache (§16.5). At
	// 100,000 items they are 8 MB, more than localStorage takes.
	OpenMarks(userID string) (Marks, error)
	// Warn tells the developer console; never a secret.
	Warn(msg string)
}

// Cache is a device cache that can also be cleared (at logout).
type Cache interface {
	client.CacheStore
	Clear() error
}

// Marks keeps one account's high-water marks (client.Marks as JSON).
type Marks interface {
	// ReadMarks returns them, or nil when there are none.
	ReadMarks() ([]byte, error)
	WriteMarks(data []byte) error
	Clear() error
}

// Core is the bridge's state: at most one profile and one session.
type Core struct {
	server string
	host   Host
	opts   client.Options

	mu      sync.Mutex
	profile *client.Profile
	session *client.Session
	stop    context.CancelFunc // ends the live stream
	// notify is the page's live-stream callback, also told when the
	// signatures a log-in left are checked; endChecks stops that check.
	notify    func(event []byte)
	endChecks context.CancelFunc
	busy      atomic.Bool // checking, or writing the device cache after the checks
	// admin: the unlocked account is an instance administrator (asked
	// at each log-in and unlock).
	admin atomic.Bool
	// rowsList is the list rows last answered (Version rowsVersion), which
	// find searches.
	rowsMu      sync.Mutex
	rowsVersion uint64
	rowsList    []client.Summary
	rowsFinder  *client.Finder // indexes rowsList once rowsIndexed (the first find)
	rowsIndexed bool
	// marks is the marks' store of account marksUser, opened once.
	marks     Marks
	marksUser string

	tableOnce sync.Once
	table     map[string]Func
}

// Options are the web app's client options: a log-in lists a big vault
// before every signature is checked, and checks them in the background
// (docs/protocol.md §16.7).
var Options = client.Options{Description: "web app", DeferSignatures: true}

// New is a bridge to the server at server (the page's origin).
func New(server string, host Host, opts client.Options) *Core {
	return &Core{server: server, host: host, opts: opts}
}

// checkTurn is how long the background check runs between two turns of
// the page's event loop, in batches of checkBatch signatures (about 4 ms
// each in a browser): a keystroke waits at most about that long.
const (
	checkTurn  = 25 * time.Millisecond
	checkBatch = 16
	checkAfter = 300 * time.Millisecond // after a log-in, before the first check
)

// startChecks checks the signatures s's full sync left, a batch at a time
// so that the page stays responsive, then saves the device cache (which
// waits for them) and tells the page.
func (c *Core) startChecks(s *client.Session) {
	if s.DeferredLeft() == 0 {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	c.mu.Lock()
	if c.endChecks != nil {
		c.endChecks()
	}
	c.endChecks = cancel
	c.mu.Unlock()
	c.busy.Store(true)
	go func() {
		defer c.recovered("the signature checks")
		defer c.busy.Store(false)
		// The page's first list, its vaults and its live stream come
		// first: they are what the person waits for.
		select {
		case <-ctx.Done():
		case <-time.After(checkAfter):
		}
		for turn := time.Now(); ctx.Err() == nil; {
			left, err := s.CheckDeferred(ctx, checkBatch)
			if err != nil || left == 0 {
				if ctx.Err() == nil {
					c.persist(s)
					c.tell(map[string]string{"kind": "checked"})
				}
				return
			}
			if time.Since(turn) > checkTurn {
				time.Sleep(time.Millisecond) // the page's turn
				turn = time.Now()
			}
		}
	}()
}

// tell sends an event to the page's live-stream callback, if any.
func (c *Core) tell(event any) {
	c.mu.Lock()
	cb := c.notify
	c.mu.Unlock()
	if cb != nil {
		b, _ := json.Marshal(event)
		cb(b)
	}
}

const profileKey = "coffer.profile"

// The profile holds no clear key (account key under the password's KEK,
// private keys and server token under the account key), so it may be
// kept in localStorage, as the CLI keeps it in a file.
func (c *Core) loadProfile() *client.Profile {
	v, ok := c.host.Get(profileKey)
	if !ok {
		return nil
	}
	var p client.Profile
	if json.Unmarshal([]byte(v), &p) != nil {
		return nil
	}
	return &p
}

func (c *Core) saveProfile(p *client.Profile) {
	b, _ := json.Marshal(p)
	c.host.Set(profileKey, string(b))
}

// marksKey is where versions before issue 24 kept the marks, in
// localStorage; they move to IndexedDB at the next write.
func marksKey(userID string) string { return "coffer.marks." + userID }

// useCache gives a new session this browser's high-water marks and device
// cache (sealed like the CLI's: protocol §16) before its first sync, so
// an unlock fetches only what changed. As the CLI, it reads the marks
// whole only when the cache is not used: a cache at the generation the
// marks name holds the same marks (§16.5), and at 10,000 items parsing
// them costs more than the rest of an unlock.
func (c *Core) useCache(s *client.Session) {
	user := s.Profile.UserID
	var kept [][]byte
	if store, err := c.marksOf(user); err == nil {
		if b, err := store.ReadMarks(); err == nil && b != nil {
			kept = append(kept, b)
		}
	}
	if v, ok := c.host.Get(marksKey(user)); ok {
		kept = append(kept, []byte(v))
	}
	for _, b := range kept {
		s.SetMarks(client.MarksHead(b))
	}
	if store, err := c.host.OpenCache(user); err == nil {
		_, _ = s.UseCache(store) // a cache that does not open is only not used
	}
	if s.CacheInUse() {
		return
	}
	for _, b := range kept {
		var m client.Marks
		if json.Unmarshal(b, &m) == nil {
			s.SetMarks(m)
		}
	}
}

// marksOf opens account user's marks store (once: the page writes them
// after every change).
func (c *Core) marksOf(user string) (Marks, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.marks != nil && c.marksUser == user {
		return c.marks, nil
	}
	m, err := c.host.OpenMarks(user)
	if err != nil {
		return nil, err
	}
	c.marks, c.marksUser = m, user
	return m, nil
}

// persist saves the device cache and the marks after a sync or a write.
// The marks hold revision numbers and hashes, no secret (as the CLI's
// marks file).
func (c *Core) persist(s *client.Session) {
	if err := s.SaveCache(); err != nil {
		// Only the next unlock is slower (a full sync); say so in the
		// console. The errors name files and items, never content.
		c.host.Warn("coffer: the device cache was not saved: " + err.Error())
	}
	if !s.MarksChanged() {
		return
	}
	data, err := s.MarksJSON()
	if err == nil {
		var store Marks
		if store, err = c.marksOf(s.Profile.UserID); err == nil {
			err = store.WriteMarks(data)
		}
	}
	if err != nil {
		c.host.Warn("coffer: the high-water marks were not saved: " + err.Error())
		return
	}
	c.host.Remove(marksKey(s.Profile.UserID)) // an earlier version's, now in IndexedDB
}

// Status is what status() answers. Checking and Busy are strings (as
// the bridge has answered since they were added).
type Status struct {
	_           [0]func() // not comparable: no equality function in core.wasm (docs/performance.md)
	State       string    `json:"state"` // one of StatusStates
	Email       string    `json:"email,omitempty"`
	Fingerprint string    `json:"fingerprint,omitempty"`
	Checking    string    `json:"checking,omitempty"` // signatures a log-in left to check, in decimal
	Busy        string    `json:"busy,omitempty"`     // "true" while that check (and the cache write after it) runs
	// InstanceAdmin: the unlocked account is an instance administrator
	// (the page shows the Administrator Portal).
	InstanceAdmin bool `json:"instance_admin,omitempty"`
}

// StatusStates are every state status(), signup, lock and logout answer:
// no profile in this browser, a profile but no session, a session, a
// sign-up held for the code the server mailed, a log-in that waits for
// its second factor (login only).
var StatusStates = []string{"none", "locked", "unlocked", "verify", "second-factor"}

func (c *Core) status() (Status, error) {
	c.mu.Lock()
	out := Status{State: "none"}
	p := c.profile
	if p == nil {
		p = c.loadProfile()
	}
	s := c.session
	c.mu.Unlock()
	// The session is asked without c.mu: it may be busy (a sync reading
	// the network, a cache write waiting for IndexedDB), and whoever waits
	// for c.mu meanwhile — a callback from the page — must not wait on
	// that (issue 24, defect 1: in the browser that wait never ended).
	if p != nil {
		out.State, out.Email, out.Fingerprint = "locked", p.Email, p.Fingerprint()
	}
	if s != nil {
		out.State = "unlocked"
		out.Checking = strconv.Itoa(s.DeferredLeft())
		out.Busy = strconv.FormatBool(c.busy.Load())
		out.InstanceAdmin = c.admin.Load()
	}
	return out, nil
}

// recovered ends a goroutine of the bridge that panicked — a bug — with a
// line on the console (the panic's type, or the runtime's own words;
// never its value, which may hold anything) and an event for the page,
// instead of stopping the client core with every tab function in it.
func (c *Core) recovered(what string) {
	r := recover()
	if r == nil {
		return
	}
	said := fmt.Sprintf("%T", r)
	if re, ok := r.(runtime.Error); ok {
		said = re.Error()
	}
	c.host.Warn("coffer: internal error in " + what + ": " + said)
	c.tell(WatchError{Kind: "error", Text: "Coffer hit an internal error in " + what + " (a bug, reported on the browser's console); reload the page if something looks wrong.", Error: "internal"})
}

// Unlocked is what a log-in, an unlock or a sign-up answers: who is
// unlocked and the account's notices it has not acknowledged
// (docs/protocol.md §17.3: a recovery of the account), in the client
// core's words, which the page shows in a banner until acknowledged. A
// sign-up the server holds for a mailed code answers State "verify" and
// UserID instead (verifySignup, then log in).
type Unlocked struct {
	// State: "verify" (a held sign-up), "second-factor" (a log-in that
	// waits for its second factor: SecondFactor says which), or empty.
	State       string          `json:"state,omitempty"`
	UserID      string          `json:"user_id,omitempty"`
	Email       string          `json:"email"`
	Fingerprint string          `json:"fingerprint,omitempty"`
	Notices     []client.Notice `json:"notices"`
	// InstanceAdmin: an instance administrator (status() says it too).
	InstanceAdmin bool `json:"instance_admin,omitempty"`
	// SecondFactor (state "second-factor"): the account's methods and,
	// with a security key, the assertion options to pass as they are to
	// navigator.credentials.get; then loginSecurityKey.
	SecondFactor *api.SecondFactorChallenge `json:"second_factor,omitempty"`
	// Restored: the server declares a restore from a backup that this
	// device has not accepted (docs/protocol.md §9.1) — the core's
	// sentence, naming what the device holds that the server lost. The
	// session is unlocked with the device's own state (nothing of the
	// server's answer applied); the page asks the person (acceptRestore).
	Restored string `json:"restored,omitempty"`
}

func (c *Core) opened(s *client.Session) (Unlocked, error) {
	if !s.CacheInUse() {
		c.useCache(s)
	}
	err := s.Sync(context.Background())
	restored := restoredText(err)
	if err != nil && !client.IsQuarantine(err) && restored == "" {
		return Unlocked{}, err
	}
	c.keep(s)
	u := c.unlockedAs(s)
	u.Restored = restored
	return u, nil
}

// keep makes s the bridge's session, saves what it must and starts the
// signatures' check.
func (c *Core) keep(s *client.Session) {
	c.persist(s)
	// A server that cannot say (an older one) has no administrators.
	admin, err := s.IsInstanceAdmin(context.Background())
	c.admin.Store(err == nil && admin)
	c.mu.Lock()
	c.session, c.profile = s, s.Profile
	c.mu.Unlock()
	c.saveProfile(s.Profile)
	c.startChecks(s)
}

// unlockedView: a server that cannot say the notices (an older one) has
// told nothing.
func unlockedView(s *client.Session) Unlocked {
	notices, err := s.UnseenNotices(context.Background())
	if err != nil || notices == nil {
		notices = []client.Notice{}
	}
	return Unlocked{Email: s.Profile.Email, Fingerprint: s.Profile.Fingerprint(), Notices: notices}
}

// unlockedAs is unlockedView with what the bridge knows of the account.
func (c *Core) unlockedAs(s *client.Session) Unlocked {
	u := unlockedView(s)
	u.InstanceAdmin = c.admin.Load()
	return u
}

func (c *Core) signup(email, name, password string) (Unlocked, error) {
	s, err := client.Signup(context.Background(), c.server, email, name, []byte(password), c.options())
	var vn *client.VerificationNeededError
	if errors.As(err, &vn) {
		// A server that sends mail holds the sign-up until the mailed
		// code comes back (verifySignup, then log in).
		return Unlocked{State: "verify", UserID: vn.UserID, Email: vn.Email, Notices: []client.Notice{}}, nil
	}
	if err != nil {
		return Unlocked{}, err
	}
	return c.opened(s)
}

func (c *Core) verifySignup(userID, code string) (OK, error) {
	return ok(client.VerifySignup(context.Background(), c.server, userID, strings.TrimSpace(code), c.options()))
}

// login logs in; code is the two-factor code for an account that asks
// one. Without a code such a log-in answers state "second-factor" with
// the account's methods (and a security key's assertion options): the
// page asks for the code, or the key (then loginSecurityKey).
func (c *Core) login(email, password, code string) (Unlocked, error) {
	opts := c.options()
	if code = strings.TrimSpace(code); code != "" {
		opts.SecondFactor = func(context.Context, api.SecondFactorChallenge) (client.SecondFactorAnswer, error) {
			return client.SecondFactorAnswer{Code: code}, nil
		}
	}
	return c.loginWith(email, password, opts)
}

// loginSecurityKey logs in with a security key's assertion: what
// navigator.credentials.get gave for the options of login's
// "second-factor" answer (PublicKeyCredential.toJSON()), as it is.
//
// ticket is a single sign-on's ticket ("" for none), when the log-in
// came from the company's sign-in (ssoLogin).
func (c *Core) loginSecurityKey(email, password, assertion, ticket string) (Unlocked, error) {
	opts := c.options()
	if ticket != "" {
		var err error
		if opts, err = c.ssoOptions(ticket); err != nil {
			return Unlocked{}, err
		}
	}
	opts.SecondFactor = func(context.Context, api.SecondFactorChallenge) (client.SecondFactorAnswer, error) {
		return client.SecondFactorAnswer{Assertion: json.RawMessage(assertion)}, nil
	}
	return c.loginWith(email, password, opts)
}

func (c *Core) loginWith(email, password string, opts client.Options) (Unlocked, error) {
	s, err := client.Login(context.Background(), c.server, email, []byte(password), opts)
	var need *client.SecondFactorRequiredError
	if errors.As(err, &need) && opts.SecondFactor == nil {
		return Unlocked{State: "second-factor", Email: strings.ToLower(strings.TrimSpace(email)), Notices: []client.Notice{}, SecondFactor: &need.Challenge}, nil
	}
	if err != nil {
		return Unlocked{}, err
	}
	return c.opened(s)
}

// errNoProfile: unlock in a browser that has no account.
var errNoProfile = errors.New("no account on this browser; log in")

func (c *Core) unlock(password string) (Unlocked, error) {
	p := c.loadProfile()
	if p == nil {
		return Unlocked{}, errNoProfile
	}
	s, _, offline := p.UnlockCurrent(context.Background(), []byte(password), c.options())
	if s == nil {
		return Unlocked{}, offline
	}
	c.useCache(s) // before the first sync: it fetches only what changed
	err := s.Sync(context.Background())
	if errors.Is(err, client.ErrUnauthorized) {
		if s, err = p.Relogin(context.Background(), []byte(password), c.options()); err != nil {
			return Unlocked{}, err
		}
		return c.opened(s)
	}
	restored := restoredText(err)
	if err != nil && !client.IsQuarantine(err) && restored == "" {
		return Unlocked{}, err
	}
	// Synced already: keep it (a second sync would only repeat the delta).
	// A restore not accepted keeps the device's own state, and asks.
	c.keep(s)
	u := c.unlockedAs(s)
	u.Restored = restored
	return u, nil
}

func (c *Core) lock() (Status, error) {
	c.forgetRows()
	c.mu.Lock()
	c.session = nil
	c.stopLocked()
	c.mu.Unlock()
	c.admin.Store(false)
	return Status{State: "locked"}, nil
}

func (c *Core) logout() (Status, error) {
	c.forgetRows()
	c.mu.Lock()
	s := c.session
	c.session, c.profile = nil, nil
	c.stopLocked()
	c.mu.Unlock()
	c.admin.Store(false)
	if s != nil {
		_ = s.Logout(context.Background())
		if store, err := c.host.OpenCache(s.Profile.UserID); err == nil {
			_ = store.Clear()
		}
		if store, err := c.marksOf(s.Profile.UserID); err == nil {
			_ = store.Clear()
		}
		c.host.Remove(marksKey(s.Profile.UserID))
	}
	c.host.Remove(profileKey)
	return Status{State: "none"}, nil
}

// stopLocked ends the live stream and the background checks of the
// session going away. The caller holds c.mu.
func (c *Core) stopLocked() {
	for _, stop := range []*context.CancelFunc{&c.stop, &c.endChecks} {
		if *stop != nil {
			(*stop)()
			*stop = nil
		}
	}
	c.notify = nil
}

// Session is the unlocked session (client.ErrLocked when there is none).
func (c *Core) Session() (*client.Session, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.session == nil {
		return nil, client.ErrLocked
	}
	return c.session, nil
}

func (c *Core) sync() (OK, error) {
	s, err := c.Session()
	if err != nil {
		return OK{}, err
	}
	if err = s.Sync(context.Background()); err != nil && !client.IsQuarantine(err) {
		return OK{}, err
	}
	c.persist(s)
	return OK{true}, nil
}

// OK is the answer of a call that only does something.
type OK struct {
	OK bool `json:"ok"`
}

func ok(err error) (OK, error) {
	if err != nil {
		return OK{}, err
	}
	return OK{true}, nil
}

// act runs do on the unlocked session and answers {"ok": true}.
func (c *Core) act(do func(ctx context.Context, s *client.Session) error) (OK, error) {
	s, err := c.Session()
	if err != nil {
		return OK{}, err
	}
	return ok(do(context.Background(), s))
}

// deviceKey is where the page keeps its device id (no secret).
const deviceKey = "coffer-device-id"

// options are the client options with this browser's device id, made at
// its first log-in and kept in localStorage across log-ins and log-outs:
// the server mails the account when a log-in comes from a device it has
// not used before (docs/security.md 27.8).
func (c *Core) options() client.Options {
	o := c.opts
	if id, ok := c.host.Get(deviceKey); ok && id != "" {
		o.DeviceID = id
		return o
	}
	o.DeviceID = client.NewDeviceID()
	c.host.Set(deviceKey, o.DeviceID)
	return o
}
