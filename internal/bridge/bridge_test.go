package bridge_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/client/cachetest"
	"github.com/coffer-pm/coffer/client/view"
	"github.com/coffer-pm/coffer/internal/bridge"
	"github.com/coffer-pm/coffer/internal/testserver"
)

var ctx = context.Background()

// memHost is a browser for the bridge: localStorage as a map, IndexedDB
// as an in-memory cache and marks per account.
type memHost struct {
	mu     sync.Mutex
	kv     map[string]string
	caches map[string]*cachetest.Store
	marks  map[string]*memMarks
	warned []string
}

func newHost() *memHost {
	return &memHost{kv: map[string]string{}, caches: map[string]*cachetest.Store{}, marks: map[string]*memMarks{}}
}

// memMarks is the marks' IndexedDB database of one account.
type memMarks struct {
	mu     sync.Mutex
	data   []byte
	writes int
}

func (m *memMarks) ReadMarks() ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.data, nil
}

func (m *memMarks) WriteMarks(b []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.data, m.writes = append([]byte(nil), b...), m.writes+1
	return nil
}

func (m *memMarks) Clear() error { m.mu.Lock(); m.data = nil; m.mu.Unlock(); return nil }

func (h *memHost) OpenMarks(user string) (bridge.Marks, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.marks[user] == nil {
		h.marks[user] = &memMarks{}
	}
	return h.marks[user], nil
}

func (h *memHost) Get(k string) (string, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	v, ok := h.kv[k]
	return v, ok
}
func (h *memHost) Set(k, v string) { h.mu.Lock(); h.kv[k] = v; h.mu.Unlock() }
func (h *memHost) Remove(k string) { h.mu.Lock(); delete(h.kv, k); h.mu.Unlock() }
func (h *memHost) Warn(m string)   { h.mu.Lock(); h.warned = append(h.warned, m); h.mu.Unlock() }
func (h *memHost) OpenCache(user string) (bridge.Cache, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.caches[user] == nil {
		h.caches[user] = &cachetest.Store{}
	}
	return h.caches[user], nil
}

// page is a bridge as the page uses it: call by name, JSON back.
type page struct {
	t    *testing.T
	core *bridge.Core
	host *memHost
}

func newPage(t *testing.T, url string) *page {
	h := newHost()
	return &page{t: t, core: bridge.New(url, h, client.Options{Description: "bridge test"}), host: h}
}

// call runs name and decodes its JSON answer into out (if not nil); it
// fails the test on an error.
func (p *page) call(out any, name string, args ...any) {
	p.t.Helper()
	if err := p.try(out, name, args...); err != nil {
		p.t.Fatalf("%s%v: %v (kind %s)", name, args, err, client.KindOf(err))
	}
}

// try is call that returns the error.
func (p *page) try(out any, name string, args ...any) error {
	p.t.Helper()
	v, err := p.core.Call(name, bridge.List(args))
	if err != nil {
		return err
	}
	// Through JSON, as the page gets it.
	b, err := json.Marshal(v)
	if err != nil {
		p.t.Fatalf("%s: the answer is no JSON: %v", name, err)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			p.t.Fatalf("%s: %v in %s", name, err, b)
		}
	}
	return nil
}

// fails runs name and wants an error of kind.
func (p *page) fails(kind, name string, args ...any) error {
	p.t.Helper()
	err := p.try(nil, name, args...)
	if got := client.KindOf(err); got != kind {
		p.t.Fatalf("%s%v: kind %q (%v), want %q", name, args, got, err, kind)
	}
	return err
}

const pw = "correct horse battery"

func signedUp(t *testing.T, url, email string) *page {
	p := newPage(t, url)
	var u bridge.Unlocked
	p.call(&u, "signup", email, "Test "+email, pw)
	if u.Email != email || u.Fingerprint == "" {
		t.Fatalf("signup answered %+v", u)
	}
	return p
}

func field(fs []view.Field, name string) (view.Field, bool) {
	for _, f := range fs {
		if f.Name == name {
			return f, true
		}
	}
	return view.Field{}, false
}

// TestBridgeItemView: an item's view has every field — the custom fields
// the CLI adds with --text-field, --url-field and --field too (issue 24,
// defect 7) — each with its kind, label and secret flag; the owner may do
// everything with it; a stale update is a conflict; the history's
// labels and changes come from the core.
func TestBridgeItemView(t *testing.T) {
	env := testserver.Start(t, nil, nil)
	p := signedUp(t, env.URL, "ivy@example.com")
	c := client.Content{Name: "Router", Notes: "line 1\nline 2",
		Login: &client.LoginFields{Username: "admin", Password: "pa55-router", URLs: []string{"https://10.0.0.1", "https://router.lan"},
			TOTP: "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP"},
		Fields: []client.Field{{Name: "floor", Value: "3", Kind: "text"}, {Name: "admin page", Value: "https://10.0.0.1/admin", Kind: "url"}, {Name: "pin", Value: "8080", Kind: "hidden"}}}
	raw, _ := json.Marshal(c)
	var made bridge.Created
	p.call(&made, "create", "login", string(raw))

	var it bridge.ItemWithContent
	p.call(&it, "get", made.ID)
	want := []struct {
		name, label, kind string
		secret, copy      bool
	}{
		{"username", "Username", "text", false, true},
		{"password", "Password", "secret", true, true},
		{"totp", "One-time code", "totp", true, false},
		{"url", "URL", "url", false, true},
		{"url2", "URL 2", "url", false, true},
		{"floor", "floor", "text", false, true},
		{"admin page", "admin page", "url", false, true},
		{"pin", "pin", "secret", true, true},
		{"notes", "Notes", "multiline", false, true},
	}
	if len(it.Values) != len(want) {
		t.Fatalf("values %+v, want %d", it.Values, len(want))
	}
	for i, w := range want {
		f := it.Values[i]
		if f.Name != w.name || f.Label != w.label || f.Kind != w.kind || f.Secret != w.secret || f.Copy != w.copy || f.Masked {
			t.Fatalf("value %d = %+v, want %+v", i, f, w)
		}
	}
	if f, _ := field(it.Values, "pin"); f.Value != "8080" || !f.Custom {
		t.Fatalf("the page gets the custom secret to reveal: %+v", f)
	}
	if it.Permission != "owner" || !it.CanEdit || !it.CanTrash || it.CanRestore || !it.TOTP || it.Vault != "My Vault" || it.TypeLabel != "Login" {
		t.Fatalf("owner's item: %+v", it.Item)
	}
	if it.CanMove || len(it.MoveTargets) != 0 {
		t.Fatalf("My Vault is the only vault, yet move targets %+v", it.MoveTargets)
	}

	// The editor started from revision 1; someone saved revision 2 since.
	c.Login.Password = "second-pass"
	raw, _ = json.Marshal(c)
	var saved bridge.Saved
	p.call(&saved, "update", made.ID, string(raw), 1)
	c.Login.Username = "root"
	raw, _ = json.Marshal(c)
	p.fails("conflict", "update", made.ID, string(raw), 1)
	p.call(&saved, "update", made.ID, string(raw), 2)
	p.call(nil, "rollback", made.ID, 1)
	p.call(nil, "restoreField", made.ID, "username", 3)

	var h []view.Version
	p.call(&h, "history", made.ID)
	if len(h) != 5 {
		t.Fatalf("history has %d revisions", len(h))
	}
	if h[1].What != "" || len(h[1].Changes) != 1 || h[1].Changes[0].Field != "password" || h[1].Changes[0].Old != "pa55-router" ||
		!h[1].Changes[0].Secret || !h[1].Changes[0].Restorable || !h[1].CanRollBack {
		t.Fatalf("revision 2: %+v", h[1])
	}
	if h[3].What != "rolled back to revision 1" || h[4].What != "username restored from revision 3" || h[4].CanRollBack {
		t.Fatalf("labels: %q, %q (can roll back the head: %v)", h[3].What, h[4].What, h[4].CanRollBack)
	}
	if len(h[0].Changes) == 0 || h[0].Changes[0].Restorable {
		t.Fatalf("revision 1 lists its fields as added, none restorable: %+v", h[0].Changes)
	}

	var code bridge.TOTPCode
	p.call(&code, "totp", made.ID)
	if len(code.Code) != 6 {
		t.Fatalf("totp %+v", code)
	}
	p.call(nil, "trash", made.ID)
	p.call(&it, "get", made.ID)
	if !it.Trashed || it.CanEdit || it.CanTrash || !it.CanRestore {
		t.Fatalf("trashed item: %+v", it.Item)
	}
	var trashed []view.Summary
	p.call(&trashed, "trashed")
	if len(trashed) != 1 || trashed[0].Vault != "My Vault" {
		t.Fatalf("trash: %+v", trashed)
	}
}

// TestBridgeLockAndUnlock: the states status() goes through; a locked
// bridge refuses with kind locked; unlock opens the profile this browser
// kept, from its device cache; logout forgets it.
func TestBridgeLockAndUnlock(t *testing.T) {
	env := testserver.Start(t, nil, nil)
	p := newPage(t, env.URL)
	var st bridge.Status
	p.call(&st, "status")
	if st.State != "none" {
		t.Fatalf("fresh: %+v", st)
	}
	p.fails("locked", "list", "")
	p.fails("error", "unlock", pw) // no account in this browser
	p.fails("weak-password", "signup", "lee@example.com", "Lee", "short")
	p.call(nil, "signup", "lee@example.com", "Lee", pw)
	p.call(nil, "create", "note", `{"name":"Door code","notes":"4711"}`)
	p.call(&st, "status")
	if st.State != "unlocked" || st.Email != "lee@example.com" {
		t.Fatalf("after sign-up: %+v", st)
	}
	p.call(&st, "lock")
	p.call(&st, "status")
	if st.State != "locked" {
		t.Fatalf("after lock: %+v", st)
	}
	p.fails("locked", "get", "Door code")
	p.fails("wrong-password", "unlock", "not the password")
	p.call(nil, "unlock", pw)
	var list []view.Summary
	p.call(&list, "list", "door")
	if len(list) != 1 || list[0].Name != "Door code" {
		t.Fatalf("after unlock: %+v", list)
	}
	p.call(&st, "logout")
	p.call(&st, "status")
	if st.State != "none" {
		t.Fatalf("after logout: %+v", st)
	}
	for k := range p.host.kv {
		// The browser's device id stays: it names the browser, not the
		// account (the new-device notice, protocol §8).
		if k != "coffer-device-id" {
			t.Fatalf("logout left %s in localStorage", k)
		}
	}
	for user, m := range p.host.marks {
		if m.data != nil {
			t.Fatalf("logout left %s's marks", user)
		}
	}
}

// TestBridgeKeepsMarksInIndexedDB: the high-water marks live in their own
// store (IndexedDB: at 100,000 items they are 8 MB, over localStorage's
// quota), not in localStorage; an earlier version's marks there still
// count, and move at the next write; an unlock from the device cache
// reads only their generation, a full sync all of them — and a server
// that then serves an item below its mark is refused.
func TestBridgeKeepsMarksInIndexedDB(t *testing.T) {
	env := testserver.Start(t, nil, nil)
	p := signedUp(t, env.URL, "mark@example.com")
	var made bridge.Created
	p.call(&made, "create", "note", `{"name":"Door code","notes":"4711"}`)
	p.call(nil, "update", made.ID, `{"name":"Door code","notes":"4712"}`, 1)
	var user string
	for u := range p.host.marks {
		user = u
	}
	m := p.host.marks[user]
	var marks client.Marks
	if err := json.Unmarshal(m.data, &marks); err != nil || marks.Items[made.ID] != 2 || marks.Cache == 0 {
		t.Fatalf("marks in IndexedDB: %+v (%v)", marks, err)
	}
	if client.MarksGeneration(m.data) != marks.Cache {
		t.Fatalf("MarksGeneration(%.40s) = %d, want %d", m.data, client.MarksGeneration(m.data), marks.Cache)
	}
	for k := range p.host.kv {
		if strings.HasPrefix(k, "coffer.marks.") {
			t.Fatalf("marks in localStorage: %s", k)
		}
	}

	// An earlier version kept them in localStorage: they count, and
	// move to IndexedDB at the next write.
	p.call(nil, "lock")
	p.host.kv["coffer.marks."+user], m.data = string(m.data), nil
	p.host.caches[user] = &cachetest.Store{} // no cache: the marks are read whole
	p.call(nil, "unlock", pw)
	p.call(nil, "create", "note", `{"name":"Second"}`)
	if _, ok := p.host.kv["coffer.marks."+user]; ok || m.data == nil {
		t.Fatalf("the marks did not move: localStorage %v, IndexedDB %d bytes", ok, len(m.data))
	}

	// Without a cache the marks are read whole: a mark above the
	// server's head (as after a rollback of the server) refuses it.
	p.call(nil, "lock")
	if err := json.Unmarshal(m.data, &marks); err != nil {
		t.Fatal(err)
	}
	marks.Items[made.ID] = 5
	m.data, _ = marks.MarshalJSON()
	p.host.caches[user] = &cachetest.Store{}
	p.call(nil, "unlock", pw)
	var bad []string
	p.call(&bad, "quarantined")
	if len(bad) == 0 {
		t.Fatal("a head below the stored mark was accepted")
	}
}

// TestMarksGeneration: the generation at the start of the marks.
func TestMarksGeneration(t *testing.T) {
	for in, want := range map[string]uint64{
		`{"cache_generation":12,"items":{}}`:        12,
		`{"cache_generation":7}`:                    7,
		`{"items":{},"cache_generation":3}`:         0,
		`{"cache_generation":,`:                     0,
		`{"cache_generation":12`:                    0,
		`{"cache_generation":1x,`:                   0,
		`{"cache_generation":99999999999999999999,`: 0,
		``: 0,
	} {
		if got := client.MarksGeneration([]byte(in)); got != want {
			t.Errorf("MarksGeneration(%s) = %d, want %d", in, got, want)
		}
	}
}

// TestBridgeRules: the page's limits and checks come from the core.
func TestBridgeRules(t *testing.T) {
	p := newPage(t, "http://127.0.0.1:1")
	var r bridge.RulesInfo
	p.call(&r, "rules")
	if r.MasterPasswordMin != client.MinPasswordLength || r.InviteBatchMax != client.MaxInvites || len(r.ErrorKinds) == 0 {
		t.Fatalf("rules %+v", r)
	}
	var a view.Addresses
	p.call(&a, "checkAddresses", "Laura <Laura@PVY.example>\nintern@pvy.example, x@y; intern@pvy.example")
	if strings.Join(a.Emails, " ") != "laura@pvy.example intern@pvy.example" || strings.Join(a.Bad, " ") != "x@y" || a.Problem == "" {
		t.Fatalf("checkAddresses: %+v", a)
	}
	var many []string
	for range client.MaxInvites + 1 {
		many = append(many, "p"+strings.Repeat("x", len(many))+"@example.com")
	}
	p.call(&a, "checkAddresses", strings.Join(many, "\n"))
	if !strings.Contains(a.Problem, "At most") {
		t.Fatalf("%d addresses: %+v", len(many), a.Problem)
	}
	var pc view.PasswordCheck
	p.call(&pc, "checkPassword", "short")
	if pc.OK || pc.Min != client.MinPasswordLength {
		t.Fatalf("checkPassword: %+v", pc)
	}
	p.fails("bad-email", "checkEmail", "a@b")
	var shown bridge.Shown
	p.call(&shown, "display", "Mallory\u202egnp.exe")
	if strings.ContainsRune(shown.Text, '\u202e') {
		t.Fatalf("display kept a bidi override: %q", shown.Text)
	}
	var g bridge.Generated
	p.call(&g, "generate", `{"words": 5}`)
	if len(strings.Split(g.Value, "")) == 0 || g.Bits == 0 {
		t.Fatalf("generate: %+v", g)
	}
	p.fails("error", "generate", `{"words": 50}`)
	p.fails("error", "nosuchfunction")
}
