//go:build js && wasm

// Command coffer-web is the client core for the browser: the same Go code
// as the CLI's (package client), compiled to WebAssembly. It exposes a
// narrow bridge, globalThis.cofferCore, documented in docs/web.md. Keys
// and the unlocked session live only in this module's memory; the page
// gets item content to show, never a key.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall/js"
	"time"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/crypto"
	"github.com/coffer-pm/coffer/internal/passgen"
)

// core is the bridge's state: at most one profile and one session.
type core struct {
	mu      sync.Mutex
	server  string
	profile *client.Profile
	session *client.Session
	stop    context.CancelFunc // ends the live stream
	// notify is the page's live-stream callback, also told when the
	// signatures a log-in left are checked; endChecks stops that check.
	notify    js.Value
	endChecks context.CancelFunc
	busy      atomic.Bool // checking, or writing the device cache after the checks
}

// options are the web app's client options: a log-in lists a big vault
// before every signature is checked, and checks them in the background
// (docs/protocol.md §16.7).
var options = client.Options{Description: "web app", DeferSignatures: true}

// checkTurn is how long the background check runs between two turns of
// the page's event loop, in batches of checkBatch signatures (about 4 ms
// each here): a keystroke waits at most about that long.
const (
	checkTurn  = 25 * time.Millisecond
	checkBatch = 16
	checkAfter = 300 * time.Millisecond // after a log-in, before the first check
)

// startChecks checks the signatures s's full sync left, a batch at a time
// so that the page stays responsive, then saves the device cache (which
// waits for them) and tells the page.
func (c *core) startChecks(s *client.Session) {
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
	go guardGo("the signature check", report, c.tellFailure, func() {
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
					persist(s)
					c.tell(map[string]string{"kind": "checked"})
				}
				return
			}
			if time.Since(turn) > checkTurn {
				time.Sleep(time.Millisecond) // the page's turn
				turn = time.Now()
			}
		}
	})
}

// tell sends an event to the page's live-stream callback, if any.
func (c *core) tell(event any) {
	c.mu.Lock()
	cb := c.notify
	c.mu.Unlock()
	if cb.Type() == js.TypeFunction {
		b, _ := json.Marshal(event)
		if err := invoke(cb, string(b)); err != nil {
			warn("coffer: the page's live-update callback threw: " + err.Error())
		}
	}
}

// failure is the live stream's event for an error that ended it.
func failure(err error) map[string]string {
	return map[string]string{"kind": "error", "text": err.Error(), "error": errorKind(err)}
}

// tellFailure tells the page, on its live stream, that a goroutine of
// the bridge failed (an *InternalError: the page says so in words).
func (c *core) tellFailure(err error) { c.tell(failure(err)) }

func main() {
	c := &core{server: js.Global().Get("location").Get("origin").String()}
	api := map[string]any{}
	for name, fn := range map[string]func(args []js.Value) (any, error){
		"status":       c.status,
		"signup":       c.signup,
		"verifySignup": c.verifySignup,
		"login":        c.login,
		"unlock":       c.unlock,
		"lock":         c.lock,
		"logout":       c.logout,
		"sync":         c.sync,
		"list":         c.list,
		"get":          c.get,
		"create":       c.persisting(c.create),
		"update":       c.persisting(c.update),
		"trash":        c.persisting(c.trash),
		"restore":      c.persisting(c.restore),
		"purge":        c.persisting(c.purge),
		"trashed":      c.trashed,
		"history":      c.history,
		"rollback":     c.persisting(c.rollback),
		"restoreField": c.persisting(c.restoreField),
		"totp":         c.totp,
		"generate":     generate,
		"kdfTime":      kdfTime,
		"account":      c.account,
		"password":     c.password,
		"kdf":          c.kdf,
		"sessions":     c.sessions,
		"endSession":   c.endSession,
		"vaults":       c.vaults,
		"recovery":     c.recovery,
		"quarantined":  c.quarantined,
		"enrol":        c.enrol,
		"leave":        c.leave,
		"notices":      c.notices,
		"ackNotice":    c.ackNotice,
		"attach":       c.attach,
		"download":     c.download,
	} {
		api[name] = promised(name, fn)
	}
	for name, fn := range c.orgFuncs() {
		api[name] = promised(name, fn)
	}
	api["watch"] = callback("watch", c.watch)
	js.Global().Set("cofferCore", js.ValueOf(api))
	js.Global().Call("dispatchEvent", js.Global().Get("Event").New("coffer-core-ready"))
	select {}
}

// persisting runs a write and then saves the device cache and marks.
func (c *core) persisting(fn func([]js.Value) (any, error)) func([]js.Value) (any, error) {
	return func(args []js.Value) (any, error) {
		out, err := fn(args)
		if s, uerr := c.unlocked(); uerr == nil {
			persist(s)
		}
		return out, err
	}
}

const profileKey = "coffer.profile"

// The profile holds no clear key (account key under the password's KEK,
// private keys and server token under the account key), so it may be
// kept in localStorage, as the CLI keeps it in a file.
func (c *core) loadProfile() *client.Profile {
	v := js.Null()
	if err := jsTry(func() { v = js.Global().Get("localStorage").Call("getItem", profileKey) }); err != nil || v.Type() != js.TypeString {
		return nil
	}
	var p client.Profile
	if json.Unmarshal([]byte(v.String()), &p) != nil {
		return nil
	}
	return &p
}

func (c *core) saveProfile(p *client.Profile) {
	b, _ := json.Marshal(p)
	if err := jsTry(func() { js.Global().Get("localStorage").Call("setItem", profileKey, string(b)) }); err != nil {
		warn("coffer: the profile was not saved in this browser: " + err.Error())
	}
}

func str(args []js.Value, i int) string {
	if i < len(args) && args[i].Type() == js.TypeString {
		return args[i].String()
	}
	return ""
}

func (c *core) status([]js.Value) (any, error) {
	// c.mu is held for reading the fields only: the session's own calls
	// wait while a sync or a cache write holds it, and nothing waits with
	// c.mu held.
	c.mu.Lock()
	p, s := c.profile, c.session
	c.mu.Unlock()
	out := map[string]string{"state": "none"}
	if p == nil {
		p = c.loadProfile()
	}
	if p != nil {
		out["state"], out["email"], out["fingerprint"] = "locked", p.Email, p.Fingerprint()
	}
	if s != nil {
		out["state"] = "unlocked"
		out["checking"] = strconv.Itoa(s.DeferredLeft())
		out["busy"] = strconv.FormatBool(c.busy.Load())
	}
	return out, nil
}

func marksKey(userID string) string { return "coffer.marks." + userID }

// useCache gives a new session this browser's high-water marks and device
// cache (IndexedDB, sealed like the CLI's: protocol §16) before its first
// sync, so an unlock fetches only what changed.
func useCache(s *client.Session) {
	v := js.Null()
	_ = jsTry(func() { v = js.Global().Get("localStorage").Call("getItem", marksKey(s.Profile.UserID)) })
	if v.Type() == js.TypeString {
		var m client.Marks
		if json.Unmarshal([]byte(v.String()), &m) == nil {
			s.SetMarks(m)
		}
	}
	if store, err := openIDB(s.Profile.UserID); err == nil {
		_, _ = s.UseCache(store) // a cache that does not open is only not used
	}
}

// persist saves the device cache and the marks after a sync or a write.
// The marks hold revision numbers and hashes, no secret (as the CLI's
// marks file).
func persist(s *client.Session) {
	if err := s.SaveCache(); err != nil {
		// Only the next unlock is slower (a full sync); say so in the
		// console. The errors name files and items, never content.
		warn("coffer: the device cache was not saved: " + err.Error())
	}
	if s.MarksChanged() {
		if data, err := s.MarksJSON(); err == nil {
			if err := jsTry(func() { js.Global().Get("localStorage").Call("setItem", marksKey(s.Profile.UserID), string(data)) }); err != nil {
				warn("coffer: the high-water marks were not saved: " + err.Error())
			}
		}
	}
}

func (c *core) opened(s *client.Session) (any, error) {
	if !s.CacheInUse() {
		useCache(s)
	}
	if err := s.Sync(context.Background()); err != nil && !client.IsQuarantine(err) {
		return nil, err
	}
	persist(s)
	c.mu.Lock()
	c.session, c.profile = s, s.Profile
	c.mu.Unlock()
	c.saveProfile(s.Profile)
	c.startChecks(s)
	return unlockedView(s), nil
}

// unlockedView is what a log-in or an unlock returns to the page: who is
// unlocked, and the account's notices it has not acknowledged
// (docs/protocol.md §17.3: a recovery of the account), in the client
// core's words, which the page shows in a banner until acknowledged. A
// server that cannot say (an older one) has told nothing.
func unlockedView(s *client.Session) map[string]any {
	notices, err := s.UnseenNotices(context.Background())
	if err != nil || notices == nil {
		notices = []client.Notice{}
	}
	return map[string]any{"email": s.Profile.Email, "fingerprint": s.Profile.Fingerprint(), "notices": notices}
}

func (c *core) signup(args []js.Value) (any, error) {
	s, err := client.Signup(context.Background(), c.server, str(args, 0), str(args, 1), []byte(str(args, 2)), options)
	var vn *client.VerificationNeededError
	if errors.As(err, &vn) {
		// A server that sends mail holds the sign-up until the mailed
		// code comes back (verifySignup, then log in).
		return map[string]string{"state": "verify", "user_id": vn.UserID, "email": vn.Email}, nil
	}
	if err != nil {
		return nil, err
	}
	return c.opened(s)
}

// verifySignup(userID, code) completes a sign-up held for its mailed code;
// the page then logs in.
func (c *core) verifySignup(args []js.Value) (any, error) {
	if err := client.VerifySignup(context.Background(), c.server, str(args, 0), strings.TrimSpace(str(args, 1)), options); err != nil {
		return nil, err
	}
	return map[string]bool{"ok": true}, nil
}

func (c *core) login(args []js.Value) (any, error) {
	s, err := client.Login(context.Background(), c.server, str(args, 0), []byte(str(args, 1)), options)
	if err != nil {
		return nil, err
	}
	return c.opened(s)
}

func (c *core) unlock(args []js.Value) (any, error) {
	p := c.loadProfile()
	if p == nil {
		return nil, errors.New("no account on this browser; log in")
	}
	s, _, offline := p.UnlockCurrent(context.Background(), []byte(str(args, 0)), options)
	if s == nil {
		return nil, offline
	}
	useCache(s) // before the first sync: it fetches only what changed
	err := s.Sync(context.Background())
	if errors.Is(err, client.ErrUnauthorized) {
		if s, err = p.Relogin(context.Background(), []byte(str(args, 0)), options); err != nil {
			return nil, err
		}
		return c.opened(s)
	}
	if err != nil && !client.IsQuarantine(err) {
		return nil, err
	}
	// Synced already: keep it (a second sync would only repeat the delta).
	c.mu.Lock()
	c.session, c.profile = s, s.Profile
	c.mu.Unlock()
	c.saveProfile(s.Profile)
	persist(s)
	c.startChecks(s)
	return unlockedView(s), nil
}

func (c *core) lock([]js.Value) (any, error) {
	c.mu.Lock()
	c.session = nil
	c.stopLocked()
	c.mu.Unlock()
	return map[string]string{"state": "locked"}, nil
}

func (c *core) logout([]js.Value) (any, error) {
	c.mu.Lock()
	s := c.session
	c.session, c.profile = nil, nil
	c.stopLocked()
	c.mu.Unlock()
	if s != nil {
		_ = s.Logout(context.Background())
		if store, err := openIDB(s.Profile.UserID); err == nil {
			_ = store.Clear()
		}
		_ = jsTry(func() { js.Global().Get("localStorage").Call("removeItem", marksKey(s.Profile.UserID)) })
	}
	if err := jsTry(func() { js.Global().Get("localStorage").Call("removeItem", profileKey) }); err != nil {
		return nil, err
	}
	return map[string]string{"state": "none"}, nil
}

// stopLocked ends the live stream and the background checks of the
// session going away. The caller holds c.mu.
func (c *core) stopLocked() {
	for _, stop := range []*context.CancelFunc{&c.stop, &c.endChecks} {
		if *stop != nil {
			(*stop)()
			*stop = nil
		}
	}
	c.notify = js.Undefined()
}

func (c *core) unlocked() (*client.Session, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.session == nil {
		return nil, errLocked
	}
	return c.session, nil
}

func (c *core) sync([]js.Value) (any, error) {
	s, err := c.unlocked()
	if err != nil {
		return nil, err
	}
	err = s.Sync(context.Background())
	if err != nil && !client.IsQuarantine(err) {
		return nil, err
	}
	persist(s)
	return map[string]bool{"ok": true}, nil
}

// summary is a listed item: no secret.
type summary struct {
	ID       string   `json:"id"`
	Type     string   `json:"type"`
	Name     string   `json:"name"`
	Username string   `json:"username,omitempty"`
	URLs     []string `json:"urls,omitempty"`
	Tags     []string `json:"tags,omitempty"`
	Favorite bool     `json:"favorite,omitempty"`
	Vault    string   `json:"vault"`
	Trashed  bool     `json:"trashed,omitempty"`
}

func (c *core) list(args []js.Value) (any, error) {
	return c.summaries(false, str(args, 0), str(args, 1))
}

func (c *core) trashed([]js.Value) (any, error) { return c.summaries(true, "", "") }

func (c *core) summaries(trashed bool, query, vaultID string) (any, error) {
	s, err := c.unlocked()
	if err != nil {
		return nil, err
	}
	labels := map[string]string{}
	for _, v := range s.Vaults() {
		labels[v.ID] = v.Label()
	}
	out := []summary{}
	for _, it := range s.Search(trashed, vaultID, query) {
		out = append(out, summary{it.ID, it.Type, it.Name, it.Username, it.URLs, it.Tags, it.Favorite, labels[it.VaultID], it.Trashed})
	}
	return out, nil
}

type itemOut struct {
	ID       string         `json:"id"`
	Type     string         `json:"type"`
	Vault    string         `json:"vault"`
	Revision uint64         `json:"revision"`
	Content  client.Content `json:"content"`
	// Permission is this account's on the item's vault (view, edit,
	// manage; "owner" for My Vault): the page shows no edit controls for
	// view. The server and the client core refuse a write all the same.
	Permission string `json:"permission"`
	VaultID    string `json:"vault_id"`
	OrgID      string `json:"org_id,omitempty"`
}

func (c *core) get(args []js.Value) (any, error) {
	s, err := c.unlocked()
	if err != nil {
		return nil, err
	}
	it, err := s.FindItem(str(args, 0), false)
	if err != nil {
		return nil, err
	}
	out := itemOut{ID: it.ID, Type: it.Type, Revision: it.Revision, VaultID: it.VaultID}
	if v, err := s.FindVault(it.VaultID); err == nil {
		out.Vault, out.Permission, out.OrgID = v.Label(), v.Permission, v.OrgID
		if v.Kind != "org" {
			out.Permission = "owner"
		}
	}
	// Attachments go to the page without their keys (files are opened by
	// download, inside this module).
	content := it.Content.Clone()
	for i := range content.Files {
		content.Files[i].Key = nil
	}
	out.Content = content
	return out, nil
}

func (c *core) create(args []js.Value) (any, error) {
	s, err := c.unlocked()
	if err != nil {
		return nil, err
	}
	var content client.Content
	if err := json.Unmarshal([]byte(str(args, 1)), &content); err != nil {
		return nil, errors.New("the item's content is not valid JSON")
	}
	content.Files = nil // files come through attach
	v, err := s.PersonalVault()
	if err != nil {
		return nil, err
	}
	it, err := s.CreateItem(context.Background(), v.ID, str(args, 0), content)
	if err != nil {
		return nil, err
	}
	return map[string]string{"id": it.ID}, nil
}

func (c *core) update(args []js.Value) (any, error) {
	s, err := c.unlocked()
	if err != nil {
		return nil, err
	}
	it, err := s.FindItem(str(args, 0), false)
	if err != nil {
		return nil, err
	}
	var content client.Content
	if err := json.Unmarshal([]byte(str(args, 1)), &content); err != nil {
		return nil, errors.New("the item's content is not valid JSON")
	}
	// The revision the editor started from: a save over a newer one is a
	// conflict, never a silent overwrite of someone else's change.
	if base := revArg(args, 2); base > 0 && base != it.Revision {
		return nil, &client.ConflictError{Base: base, Head: it.Revision}
	}
	// Attachments are the item's own (the page never holds their keys);
	// they change through attach only.
	content.Files = it.Content.Files
	up, err := s.UpdateItem(context.Background(), it, content)
	if err != nil {
		return nil, err
	}
	return map[string]any{"id": up.ID, "revision": up.Revision}, nil
}

// item finds an item of the unlocked session, live or in the trash.
func (c *core) item(id string) (*client.Session, *client.Item, error) {
	s, err := c.unlocked()
	if err != nil {
		return nil, nil, err
	}
	it, err := s.FindItem(id, false)
	if errors.Is(err, client.ErrNotFound) {
		it, err = s.FindItem(id, true)
	}
	return s, it, err
}

// onItem runs an action on the item named by the first argument.
func (c *core) onItem(do func(context.Context, *client.Session, *client.Item) error) func([]js.Value) (any, error) {
	return func(args []js.Value) (any, error) {
		s, it, err := c.item(str(args, 0))
		if err == nil {
			err = do(context.Background(), s, it)
		}
		return map[string]bool{"ok": err == nil}, err
	}
}

func (c *core) trash(args []js.Value) (any, error) {
	return c.onItem(func(ctx context.Context, s *client.Session, it *client.Item) error {
		_, err := s.TrashItem(ctx, it)
		return err
	})(args)
}

func (c *core) restore(args []js.Value) (any, error) {
	return c.onItem(func(ctx context.Context, s *client.Session, it *client.Item) error {
		_, err := s.RestoreItem(ctx, it)
		return err
	})(args)
}

func (c *core) purge(args []js.Value) (any, error) {
	return c.onItem(func(ctx context.Context, s *client.Session, it *client.Item) error { return s.PurgeItem(ctx, it) })(args)
}

// value is one field of a version, for the history's diff.
type value struct {
	Name   string `json:"name"`
	Value  string `json:"value"`
	Secret bool   `json:"secret"`
}

type version struct {
	Revision uint64                 `json:"revision"`
	Author   string                 `json:"author"`
	Time     string                 `json:"time"`
	Change   *client.RevisionChange `json:"change,omitempty"`
	From     string                 `json:"from_vault,omitempty"` // a move's origin, named
	Values   []value                `json:"values"`
}

func (c *core) history(args []js.Value) (any, error) {
	s, it, err := c.item(str(args, 0))
	if err != nil {
		return nil, err
	}
	versions, err := s.History(context.Background(), it)
	if err != nil {
		return nil, err
	}
	out := []version{}
	for _, v := range versions {
		author := v.AuthorID
		if v.AuthorID == s.Profile.UserID {
			author = s.Profile.Email
		} else if e := s.MemberEmail(v.AuthorID); e != "" {
			author = e
		}
		x := version{Revision: v.Revision, Author: author, Time: v.Time.Format("2006-01-02T15:04:05Z07:00"), Change: v.Content.Change, Values: []value{}}
		if ch := v.Content.Change; ch != nil && ch.FromVault != "" {
			if fv, err := s.FindVault(ch.FromVault); err == nil {
				x.From = fv.Label()
			}
		}
		for _, f := range v.Content.Values() {
			if f.Name != "name" {
				x.Values = append(x.Values, value{f.Name, f.Value, f.Secret})
			}
		}
		out = append(out, x)
	}
	return out, nil
}

func revArg(args []js.Value, i int) uint64 {
	if i < len(args) && args[i].Type() == js.TypeNumber {
		return uint64(args[i].Int())
	}
	return 0
}

func (c *core) rollback(args []js.Value) (any, error) {
	s, it, err := c.item(str(args, 0))
	if err != nil {
		return nil, err
	}
	up, err := s.Rollback(context.Background(), it, revArg(args, 1))
	if err != nil {
		return nil, err
	}
	return map[string]uint64{"revision": up.Revision}, nil
}

func (c *core) restoreField(args []js.Value) (any, error) {
	s, it, err := c.item(str(args, 0))
	if err != nil {
		return nil, err
	}
	up, err := s.RestoreField(context.Background(), it, str(args, 1), revArg(args, 2))
	if err != nil {
		return nil, err
	}
	return map[string]uint64{"revision": up.Revision}, nil
}

func (c *core) totp(args []js.Value) (any, error) {
	_, it, err := c.item(str(args, 0))
	if err != nil {
		return nil, err
	}
	if it.Content.Login == nil || it.Content.Login.TOTP == "" {
		return nil, errors.New("this item has no TOTP secret")
	}
	code, left, err := client.TOTPCode(it.Content.Login.TOTP, time.Now())
	if err != nil {
		return nil, err
	}
	return map[string]any{"code": code, "seconds_left": int(left.Seconds())}, nil
}

// watch(callback) starts the live stream of the unlocked session: each
// change, decrypted and described, goes to callback as a JSON string. It
// ends with lock or logout, and reconnects on its own meanwhile. The
// callback into Go only starts a goroutine: taking c.mu there, while
// status() held it waiting for a session that a sync held across a fetch,
// was issue 24's dead core.
func (c *core) watch(args []js.Value) {
	if len(args) == 0 || args[0].Type() != js.TypeFunction {
		return
	}
	cb := args[0]
	go guardGo("watch", report, func(err error) {
		if ierr := invoke(cb, mustJSON(failure(err))); ierr != nil {
			warn("coffer: the page's live-update callback threw: " + ierr.Error())
		}
	}, func() { c.stream(cb) })
}

// stream runs the live stream for cb until lock, logout or the next watch.
func (c *core) stream(cb js.Value) {
	c.mu.Lock()
	s := c.session
	if s == nil {
		c.mu.Unlock()
		return
	}
	if c.stop != nil {
		c.stop()
	}
	ctx, cancel := context.WithCancel(context.Background())
	c.stop, c.notify = cancel, cb
	c.mu.Unlock()
	// The page's callback throwing is a bug of the page: said on the
	// console, and the stream goes on.
	send := func(event any) {
		if err := invoke(cb, mustJSON(event)); err != nil {
			warn("coffer: the page's live-update callback threw: " + err.Error())
		}
	}
	err := s.Watch(ctx, client.WatchOptions{}, func(ch client.Change) {
		persist(s)
		send(ch)
	})
	if err != nil && ctx.Err() == nil {
		send(failure(err))
	}
}

// mustJSON is v as a JSON string (v is the bridge's own: it encodes).
func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// generate(json options) makes a password or passphrase with the CLI's
// generator: {"length", "no_upper", "no_digits", "no_symbols"} or
// {"words", "separator"}.
func generate(args []js.Value) (any, error) {
	var o struct {
		Length    int    `json:"length"`
		NoUpper   bool   `json:"no_upper"`
		NoDigits  bool   `json:"no_digits"`
		NoSymbols bool   `json:"no_symbols"`
		Words     int    `json:"words"`
		Separator string `json:"separator"`
	}
	if err := json.Unmarshal([]byte(str(args, 0)), &o); err != nil {
		return nil, errors.New("bad generator options")
	}
	if o.Words > 0 {
		if o.Words < 3 || o.Words > 20 {
			return nil, errors.New("a passphrase has 3 to 20 words")
		}
		p, err := passgen.Passphrase(o.Words, o.Separator)
		return map[string]any{"value": p, "bits": int(passgen.PassphraseBits(o.Words))}, err
	}
	p, err := passgen.Password(passgen.Options{Length: o.Length, NoUpper: o.NoUpper, NoDigits: o.NoDigits, NoSymbols: o.NoSymbols})
	return map[string]any{"value": p}, err
}

func (c *core) account([]js.Value) (any, error) {
	s, err := c.unlocked()
	if err != nil {
		return nil, err
	}
	p := s.Profile
	return map[string]any{"email": p.Email, "name": p.Name, "fingerprint": p.Fingerprint(),
		"kdf": map[string]any{"time": p.KDF.Time, "memory_kib": p.KDF.Memory, "threads": p.KDF.Threads}}, nil
}

// password(current, next, "revoke") changes the master password (§17.1).
func (c *core) password(args []js.Value) (any, error) {
	s, err := c.unlocked()
	if err != nil {
		return nil, err
	}
	n, err := s.ChangePassword(context.Background(), []byte(str(args, 0)), []byte(str(args, 1)), client.PasswordOptions{RevokeOtherSessions: str(args, 2) == "revoke"})
	if err != nil {
		return nil, err
	}
	c.saveProfile(s.Profile)
	return map[string]int{"revoked_sessions": n}, nil
}

func (c *core) sessions([]js.Value) (any, error) {
	s, err := c.unlocked()
	if err != nil {
		return nil, err
	}
	return s.Sessions(context.Background())
}

func (c *core) endSession(args []js.Value) (any, error) {
	return c.act(func(ctx context.Context, s *client.Session) error { return s.RevokeSession(ctx, str(args, 0)) })
}

func (c *core) vaults([]js.Value) (any, error) {
	s, err := c.unlocked()
	if err != nil {
		return nil, err
	}
	type vault struct {
		ID         string `json:"id"`
		Label      string `json:"label"`
		Kind       string `json:"kind"`
		Permission string `json:"permission"`
		OrgID      string `json:"org_id,omitempty"`
		Name       string `json:"name"`
	}
	out := []vault{}
	for _, v := range s.Vaults() {
		out = append(out, vault{v.ID, v.Label(), v.Kind, v.Permission, v.OrgID, v.Name})
	}
	return out, nil
}

// progressReader reports how many bytes were read, at most every 256 KiB.
type progressReader struct {
	r          io.Reader
	done, last int64
	report     func(int64)
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.done += int64(n)
	if p.done-p.last >= 256<<10 || err == io.EOF {
		p.last = p.done
		p.report(p.done)
	}
	return n, err
}

// attach(id or "", itemName, fileName, bytes, progress) encrypts bytes (a
// Uint8Array) as a file, uploads it chunk by chunk calling progress(sent,
// total), and attaches it to item id — or, with id "", creates a file
// item named itemName (or fileName) in My Vault. Resolves to {"id": item
// id}.
func (c *core) attach(args []js.Value) (any, error) {
	if len(args) < 4 || args[3].Type() != js.TypeObject {
		return nil, errors.New("attach needs the file's bytes")
	}
	// The attachment keeps the file's own name (its extension tells
	// what it is when downloaded); a new file item is called what the
	// person typed, or the file's name.
	id, itemName, name := str(args, 0), str(args, 1), str(args, 2)
	if itemName == "" {
		itemName = name
	}
	data := make([]byte, args[3].Get("length").Int())
	js.CopyBytesToGo(data, args[3])
	progress := js.Undefined()
	if len(args) > 4 && args[4].Type() == js.TypeFunction {
		progress = args[4]
	}
	s, err := c.unlocked()
	if err != nil {
		return nil, err
	}
	var it *client.Item
	vaultID := ""
	if id != "" {
		if _, it, err = c.item(id); err != nil {
			return nil, err
		}
		vaultID = it.VaultID
	} else {
		v, err := s.PersonalVault()
		if err != nil {
			return nil, err
		}
		vaultID = v.ID
	}
	total := int64(len(data))
	r := &progressReader{r: bytes.NewReader(data), report: func(n int64) {
		if !progress.IsUndefined() {
			if err := invoke(progress, float64(n), float64(total)); err != nil {
				warn("coffer: the page's progress callback threw: " + err.Error())
			}
		}
	}}
	att, err := s.UploadFile(context.Background(), vaultID, name, r, total)
	if err != nil {
		return nil, err
	}
	if it == nil {
		created, err := s.CreateItem(context.Background(), vaultID, "file", client.Content{Name: itemName, Files: []client.Attachment{att}})
		if err != nil {
			return nil, err
		}
		return map[string]string{"id": created.ID}, nil
	}
	content := it.Content.Clone()
	content.Files = append(content.Files, att)
	if _, err := s.UpdateItem(context.Background(), it, content); err != nil {
		return nil, err
	}
	return map[string]string{"id": it.ID}, nil
}

// download(id, fileID) fetches, decrypts and verifies an attachment
// (every chunk's tag and the whole file's hash, as the item's signed
// content names it) and resolves to its bytes, a Uint8Array.
func (c *core) download(args []js.Value) (any, error) {
	s, it, err := c.item(str(args, 0))
	if err != nil {
		return nil, err
	}
	att, err := it.FindAttachment(str(args, 1))
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := s.DownloadFile(context.Background(), att, &buf); err != nil {
		return nil, err
	}
	out := js.Global().Get("Uint8Array").New(buf.Len())
	js.CopyBytesToJS(out, buf.Bytes())
	return out, nil
}

// kdfTime derives master keys once with the default Argon2id parameters
// and a throwaway password, and returns how long it took — for the
// benchmark (docs/performance.md), which compares an unlock with it.
// kdfArgs reads Argon2id parameters {"time", "memory_kib", "threads"}
// from args[i]; zero fields keep the default (or current) value.
func kdfArgs(args []js.Value, i int) (crypto.KDFParams, error) {
	var p struct {
		Time    uint32 `json:"time"`
		Memory  uint32 `json:"memory_kib"`
		Threads uint8  `json:"threads"`
	}
	if raw := str(args, i); raw != "" {
		if err := json.Unmarshal([]byte(raw), &p); err != nil {
			return crypto.KDFParams{}, errors.New("bad Argon2id parameters")
		}
	}
	return crypto.KDFParams{Algorithm: crypto.KDFAlgorithm, Time: p.Time, Memory: p.Memory, Threads: p.Threads}, nil
}

// kdfTime([params]) times one Argon2id derivation in this browser, with
// the given parameters (within the allowed range) or the defaults.
func kdfTime(args []js.Value) (any, error) {
	p, err := kdfArgs(args, 0)
	if err != nil {
		return nil, err
	}
	d := crypto.DefaultKDFParams()
	if p.Time != 0 {
		d.Time = p.Time
	}
	if p.Memory != 0 {
		d.Memory = p.Memory
	}
	if p.Threads != 0 {
		d.Threads = p.Threads
	}
	if err := d.Check(); err != nil {
		return nil, fmt.Errorf("Argon2id parameters must be within t %d–%d, m %d–%d KiB, p %d–%d",
			crypto.MinTime, crypto.MaxTime, crypto.MinMemory, crypto.MaxMemory, crypto.MinThreads, crypto.MaxThreads)
	}
	start := time.Now()
	if _, err := crypto.DeriveMasterKeys([]byte("benchmark password"), "bench@example.com", d); err != nil {
		return nil, err
	}
	return map[string]int64{"ms": time.Since(start).Milliseconds()}, nil
}

// kdf(password, params) raises the account's Argon2id parameters (the
// master password stays; protocol §17.1) and returns the account.
func (c *core) kdf(args []js.Value) (any, error) {
	s, err := c.unlocked()
	if err != nil {
		return nil, err
	}
	p, err := kdfArgs(args, 1)
	if err != nil {
		return nil, err
	}
	pw := []byte(str(args, 0))
	if _, err := s.ChangePassword(context.Background(), pw, pw, client.PasswordOptions{KDF: p}); err != nil {
		return nil, err
	}
	c.saveProfile(s.Profile)
	return c.account(nil)
}

// recovery lists the organisations offering account recovery (each key
// checked against the owner's pinned keys) and the account's recovery
// requests (protocol §17.2).
func (c *core) recovery([]js.Value) (any, error) {
	s, err := c.unlocked()
	if err != nil {
		return nil, err
	}
	orgs, reqs, err := s.AccountRecovery(context.Background())
	if err != nil {
		return nil, err
	}
	type org struct {
		ID       string `json:"id"`
		Name     string `json:"name"`
		Owner    string `json:"owner"`
		Enrolled bool   `json:"enrolled"`
	}
	out := struct {
		Orgs     []org                        `json:"orgs"`
		Requests []client.RecoveryRequestInfo `json:"requests"`
	}{Orgs: []org{}, Requests: reqs}
	for _, o := range orgs {
		out.Orgs = append(out.Orgs, org{o.Org.ID, o.Org.Name, o.OwnerEmail, o.Enrolled})
	}
	if out.Requests == nil {
		out.Requests = []client.RecoveryRequestInfo{}
	}
	return out, nil
}

// notices is the account's every notice, acknowledged or not, newest
// first: its recovery history, for the account screen.
func (c *core) notices([]js.Value) (any, error) {
	s, err := c.unlocked()
	if err != nil {
		return nil, err
	}
	return s.Notices(context.Background())
}

// ackNotice(id): the account's user read the notice; it is no longer
// shown at unlock.
func (c *core) ackNotice(args []js.Value) (any, error) {
	return c.act(func(ctx context.Context, s *client.Session) error { return s.AcknowledgeNotice(ctx, str(args, 0)) })
}

func (c *core) enrol(args []js.Value) (any, error) {
	return c.act(func(ctx context.Context, s *client.Session) error { return s.EnrolRecovery(ctx, str(args, 0)) })
}

func (c *core) leave(args []js.Value) (any, error) {
	return c.act(func(ctx context.Context, s *client.Session) error { return s.LeaveRecovery(ctx, str(args, 0)) })
}

// quarantined lists what failed verification at the last sync, each said
// in words (what, and who signed it), so the page can name it in red while
// showing everything else (protocol §7.6).
func (c *core) quarantined([]js.Value) (any, error) {
	s, err := c.unlocked()
	if err != nil {
		return nil, err
	}
	out := []string{}
	for _, q := range s.Quarantined() {
		out = append(out, q.Describe())
	}
	return out, nil
}
