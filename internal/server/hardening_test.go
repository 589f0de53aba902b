package server_test

// Issue 13, findings 10 and 13: numbers the database cannot hold, invalid
// UTF-8, invisible characters in e-mail addresses, security headers, the
// token's ways in, and who may read an account's public keys. All against
// the real server on a loopback port.

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/coder/websocket"
	"github.com/google/uuid"
	_ "modernc.org/sqlite"

	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/webui"
)

// rowCounts returns the number of rows of every table and the change
// counter, read from the test server's SQLite file: two snapshots that
// are equal mean a request wrote nothing.
func (f *fixture) rowCounts(t *testing.T) string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+f.env.DBPath+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		tables = append(tables, n)
	}
	rows.Close()
	var b strings.Builder
	for _, tb := range tables {
		var n int
		if err := db.QueryRow(`SELECT COUNT(*) FROM "` + tb + `"`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s=%d ", tb, n)
	}
	var seq int64
	db.QueryRow(`SELECT value FROM counters WHERE name = 'change_seq'`).Scan(&seq)
	fmt.Fprintf(&b, "seq=%d", seq)
	return b.String()
}

// setJSON returns the JSON of v with the member at path (dot-separated;
// numbers index arrays) replaced by val.
func setJSON(t *testing.T, v any, path string, val any) string {
	t.Helper()
	var root any
	dec := json.NewDecoder(bytes.NewReader(mustJSON(t, v)))
	dec.UseNumber()
	if err := dec.Decode(&root); err != nil {
		t.Fatal(err)
	}
	keys := strings.Split(path, ".")
	node := root
	for i, k := range keys {
		last := i == len(keys)-1
		switch n := node.(type) {
		case map[string]any:
			if last {
				n[k] = val
			} else {
				node = n[k]
			}
		case []any:
			idx, err := strconv.Atoi(k)
			if err != nil || idx >= len(n) {
				t.Fatalf("setJSON: %s: no element %s", path, k)
			}
			if last {
				n[idx] = val
			} else {
				node = n[idx]
			}
		default:
			t.Fatalf("setJSON: %s: %s is not inside an object or array", path, k)
		}
	}
	return string(mustJSON(t, root))
}

// Finding 10: every unsigned number a request carries is refused above
// 2^63-1 with 400 naming the field, before anything is written. Today's
// main answers 500 (the driver refuses the value) or something unrelated.
func TestHugeNumbersAreRefusedByName(t *testing.T) {
	f := newFixture(t)
	alice := f.alice.Token()
	item := f.item.ID
	create := newItem(f.vault)
	create.Manifest = f.nextManifest(t, alice, f.vault)
	update := newUpdate(2)
	update.Manifest = f.nextManifest(t, alice, f.vault)
	update.KeyWraps = create.KeyWraps
	move := api.MoveItemRequest{ToVault: uuid.NewString(), BaseRevision: 2, Revision: newRevision(randBytes(32)), KeyWraps: create.KeyWraps,
		Manifest: update.Manifest, ToManifest: update.Manifest}
	org := uuid.NewString()
	wrap := api.KeyWrap{Epoch: 1, MemberID: uuid.NewString(), SignerID: uuid.NewString(), Wrap: randBytes(32), Sig: randBytes(64)}
	roster := api.Roster{Version: 2, Sig: randBytes(64)}
	vwrap := api.VaultKeyWrap{VaultID: uuid.NewString(), Epoch: 1, RecipientKind: "user", RecipientID: uuid.NewString(), SignerID: uuid.NewString(), Wrap: randBytes(32), Sig: randBytes(64)}
	cases := []struct {
		name, method, path, token string
		body                      any
		fields                    []string
	}{
		{"sign-up", "POST", "/accounts", "", newSignup(t), []string{"vault_key_wrap.epoch", "manifest.version", "manifest.count"}},
		{"create item", "POST", "/vaults/" + f.vault + "/items", alice, create,
			[]string{"revision.key_epoch", "key_wraps.0.key_epoch", "key_wraps.0.wrap_epoch", "manifest.version", "manifest.count"}},
		{"update item", "PUT", "/items/" + item, alice, update,
			[]string{"base_revision", "revision.key_epoch", "key_wraps.0.wrap_epoch", "manifest.version", "manifest.count"}},
		{"move item", "POST", "/items/" + item + "/move", alice, move,
			[]string{"base_revision", "revision.key_epoch", "key_wraps.0.key_epoch", "manifest.version", "to_manifest.version", "to_manifest.count"}},
		{"trash item", "POST", "/items/" + item + "/trash", alice, api.ManifestRequest{Manifest: update.Manifest}, []string{"manifest.version", "manifest.count"}},
		{"keyring", "PUT", "/keyring", alice, api.PutKeyringRequest{BaseVersion: 0, Box: randBytes(64)}, []string{"base_version"}},
		{"create org", "POST", "/orgs", alice, api.CreateOrgRequest{ID: org, Meta: randBytes(40), Roster: roster, KeyWrap: wrap}, []string{"roster.version", "key_wrap.epoch"}},
		{"confirm", "POST", "/orgs/" + org + "/invitations/" + uuid.NewString() + "/confirm", alice, api.ConfirmRequest{Roster: roster, KeyWrap: wrap}, []string{"roster.version", "key_wrap.epoch"}},
		{"remove member", "POST", "/orgs/" + org + "/members/" + uuid.NewString() + "/remove", alice, api.RemoveMemberRequest{Roster: roster}, []string{"roster.version"}},
		{"create group", "POST", "/orgs/" + org + "/groups", alice, api.CreateGroupRequest{ID: uuid.NewString(), KeyWrap: wrap}, []string{"key_wrap.epoch"}},
		{"add group members", "POST", "/groups/" + uuid.NewString() + "/members", alice, api.AddGroupMembersRequest{Wraps: []api.KeyWrap{wrap}}, []string{"wraps.0.epoch"}},
		{"create org vault", "POST", "/orgs/" + org + "/vaults", alice, api.CreateVaultRequest{NewVault: api.NewVault{ID: uuid.NewString(), Wraps: []api.VaultKeyWrap{vwrap}}}, []string{"wraps.0.epoch"}},
		{"grant", "POST", "/vaults/" + f.vault + "/grants", alice, api.GrantRequest{GranteeKind: "user", GranteeID: uuid.NewString(), Permission: "view", Wraps: []api.VaultKeyWrap{vwrap}}, []string{"wraps.0.epoch"}},
	}
	for _, c := range cases {
		for _, field := range c.fields {
			for _, n := range []string{"9223372036854775808", "18446744073709551615"} {
				t.Run(c.name+"/"+field+"="+n, func(t *testing.T) {
					before := f.rowCounts(t)
					r := f.send(t, c.method, c.path, c.token, setJSON(t, c.body, field, json.Number(n)))
					wantError(t, r, http.StatusBadRequest, api.CodeBadRequest, `"`+dotIndex(field)+`"`, "too large")
					if after := f.rowCounts(t); after != before {
						t.Fatalf("the refused request wrote something:\nbefore %s\nafter  %s", before, after)
					}
				})
			}
		}
	}
	// The largest number that fits is not refused for its size: a sign-up
	// whose manifest count is 2^63-1 gets past decoding (and is refused by
	// the manifest rules instead).
	r := f.send(t, "POST", "/accounts", "", setJSON(t, newSignup(t), "manifest.count", json.Number("9223372036854775807")))
	e := wantError(t, r, http.StatusBadRequest, api.CodeBadRequest)
	if strings.Contains(e.Error, "too large") {
		t.Fatalf("2^63-1 refused as too large: %s", e.Error)
	}
}

// dotIndex turns "wraps.0.epoch" into the server's "wraps[0].epoch".
func dotIndex(path string) string {
	parts := strings.Split(path, ".")
	var b strings.Builder
	for i, p := range parts {
		if _, err := strconv.Atoi(p); err == nil {
			b.WriteString("[" + p + "]")
			continue
		}
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(p)
	}
	return b.String()
}

// Finding 13: X-Content-Type-Options, X-Frame-Options, a CSP that forbids
// framing and Referrer-Policy on every answer: successes, errors, 404s,
// 405s and /healthz.
func TestSecurityHeadersOnEveryAnswer(t *testing.T) {
	f := newFixture(t)
	alice := f.alice.Token()
	want := map[string]string{
		"X-Content-Type-Options":  "nosniff",
		"X-Frame-Options":         "DENY",
		"Content-Security-Policy": webui.CSP,
		"Referrer-Policy":         "no-referrer",
	}
	for _, c := range []struct{ name, method, path, token string }{
		{"healthz", "GET", "//healthz", ""},
		{"version", "GET", "/version", ""},
		{"account", "GET", "/account", alice},
		{"unauthorised", "GET", "/account", ""},
		{"bad request", "POST", "/accounts", ""},
		{"unknown API endpoint", "GET", "/nothing-here", alice},
		{"unknown path", "GET", "//nothing-here", ""},
		{"the web app", "GET", "//", ""},
		{"the client core", "GET", "//core.wasm", ""},
		{"wrong method", "PATCH", "/account", alice},
		{"unknown item", "GET", "/items/" + uuid.NewString(), alice},
	} {
		t.Run(c.name, func(t *testing.T) {
			var body any
			if c.method == "POST" {
				body = "{"
			}
			r := f.send(t, c.method, c.path, c.token, body)
			for h, v := range want {
				if got := r.header.Get(h); got != v {
					t.Errorf("status %d: %s = %q, want %q", r.status, h, got, v)
				}
			}
		})
	}
}

// Finding 13: the token is taken from Sec-WebSocket-Protocol only by the
// live-events endpoint; elsewhere an Upgrade request needs the header.
func TestSubprotocolTokenOnlyForEvents(t *testing.T) {
	f := newFixture(t)
	tok := f.alice.Token()
	ws := []string{"Upgrade", "websocket", "Connection", "Upgrade", "Sec-WebSocket-Version", "13",
		"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Protocol", "coffer.v1, coffer.token." + tok}
	for _, path := range []string{"/account", "/sync", "/vaults", "/keyring"} {
		r := f.send(t, "GET", path, "", nil, ws...)
		wantError(t, r, http.StatusUnauthorized, api.CodeUnauthorized, "missing or malformed")
	}
	// The events endpoint still takes it, as browsers need.
	c, _, err := websocket.Dial(bg, strings.Replace(f.env.URL, "http", "ws", 1)+api.Prefix+"/events",
		&websocket.DialOptions{Subprotocols: []string{"coffer.v1", "coffer.token." + tok}})
	if err != nil {
		t.Fatalf("events with the token as a subprotocol: %v", err)
	}
	c.Close(websocket.StatusNormalClosure, "")
}

// Finding 13: the bearer scheme is case-insensitive (RFC 9110 §11.1).
func TestBearerSchemeAnyCase(t *testing.T) {
	f := newFixture(t)
	tok := f.alice.Token()
	for _, scheme := range []string{"Bearer", "bearer", "BEARER", "bEaReR"} {
		f.send(t, "GET", "/account", "", nil, "Authorization", scheme+" "+tok).decodeOK(t, http.StatusOK, nil)
	}
	for _, auth := range []string{"Bearerx " + tok, "Basic " + tok, tok} {
		wantError(t, f.send(t, "GET", "/account", "", nil, "Authorization", auth), http.StatusUnauthorized, api.CodeUnauthorized, "missing or malformed")
	}
}

// Finding 13: an account's e-mail and keys are shown only to itself and to
// accounts that share an organisation with it; anyone else gets the same
// 404 as for an unknown id.
func TestPublicKeysNeedASharedOrganisation(t *testing.T) {
	f := newFixture(t)
	carol := signupClient(t, f.env.URL, "carol@example.com")
	aliceID, bobID := f.alice.Profile.UserID, f.bob.Profile.UserID
	keysOf := func(tok, id string) reply { return f.send(t, "GET", "/users/"+id+"/keys", tok, nil) }

	var pk api.PublicKeys
	keysOf(f.alice.Token(), aliceID).decodeOK(t, http.StatusOK, &pk)
	if pk.Email != "alice@example.com" {
		t.Fatalf("own keys: %+v", pk)
	}
	stranger := keysOf(f.bob.Token(), aliceID)
	wantError(t, stranger, http.StatusNotFound, api.CodeNotFound, "user not found")
	if bytes.Contains(stranger.body, []byte("alice")) {
		t.Fatalf("the answer names the account: %s", stranger.body)
	}
	unknown := keysOf(f.bob.Token(), uuid.NewString())
	if !bytes.Equal(stranger.body, unknown.body) {
		t.Fatalf("answer for a stranger %s differs from one for no account %s", stranger.body, unknown.body)
	}

	// Alice's organisation takes Bob in: now they see each other; Carol,
	// outside it, still sees neither.
	if err := f.bob.Sync(bg); err != nil {
		t.Fatal(err)
	}
	o, err := f.alice.CreateOrg(bg, "Acme")
	if err != nil {
		t.Fatal(err)
	}
	res, err := f.alice.Invite(bg, o.ID, []string{"bob@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.bob.Join(bg, "Acme", res.Code); err != nil {
		t.Fatal(err)
	}
	// Joined but not yet confirmed: not a member, still a stranger.
	wantError(t, keysOf(f.bob.Token(), aliceID), http.StatusNotFound, api.CodeNotFound)
	if err := f.alice.Confirm(bg, o.ID, []string{"bob@example.com"}); err != nil {
		t.Fatal(err)
	}
	keysOf(f.bob.Token(), aliceID).decodeOK(t, http.StatusOK, &pk)
	if pk.UserID != aliceID || pk.Email != "alice@example.com" {
		t.Fatalf("member's view of the owner: %+v", pk)
	}
	keysOf(f.alice.Token(), bobID).decodeOK(t, http.StatusOK, nil)
	wantError(t, keysOf(carol.Token(), aliceID), http.StatusNotFound, api.CodeNotFound)
	wantError(t, keysOf(carol.Token(), bobID), http.StatusNotFound, api.CodeNotFound)
}

// Finding 13: a body with invalid UTF-8 anywhere is refused, not decoded
// with U+FFFD in place of the bad bytes, and nothing is written.
func TestInvalidUTF8IsRefused(t *testing.T) {
	f := newFixture(t)
	signup := newSignup(t)
	body := strings.Replace(string(mustJSON(t, signup)), `"Raw User"`, "\"Raw \xffUser\"", 1)
	before := f.rowCounts(t)
	wantError(t, f.send(t, "POST", "/accounts", "", body), http.StatusBadRequest, api.CodeBadRequest, "not valid UTF-8")
	f.noAccount(signup)(t)
	login := "{\"email\":\"alice@example.com\xc3\",\"auth_key\":\"" + strings.Repeat("A", 43) + "=\"}"
	wantError(t, f.send(t, "POST", "/sessions", "", login), http.StatusBadRequest, api.CodeBadRequest, "not valid UTF-8")
	create := newItem(f.vault)
	create.Manifest = f.nextManifest(t, f.alice.Token(), f.vault)
	body = strings.Replace(string(mustJSON(t, create)), `"login"`, "\"log\xed\xa0\x80in\"", 1) // a UTF-16 surrogate
	wantError(t, f.send(t, "POST", "/vaults/"+f.vault+"/items", f.alice.Token(), body), http.StatusBadRequest, api.CodeBadRequest, "not valid UTF-8")
	// A lone UTF-16 surrogate escaped in JSON is no character either:
	// encoding/json would put U+FFFD in its place.
	for _, esc := range []string{`\ud800`, `\uDC00`, `\ud83d and more`} {
		body = strings.Replace(string(mustJSON(t, signup)), `"Raw User"`, `"Raw `+esc+`User"`, 1)
		wantError(t, f.send(t, "POST", "/accounts", "", body), http.StatusBadRequest, api.CodeBadRequest, "lone UTF-16 surrogate")
	}
	f.noAccount(signup)(t)
	if after := f.rowCounts(t); after != before {
		t.Fatalf("refused requests wrote something:\nbefore %s\nafter  %s", before, after)
	}
	// The same sign-up with valid UTF-8 (even non-ASCII, and an escaped
	// surrogate pair) is accepted.
	body = strings.Replace(string(mustJSON(t, signup)), `"Raw User"`, `"Raw \ud83d\ude00 Üser"`, 1)
	f.send(t, "POST", "/accounts", "", body).decodeOK(t, http.StatusCreated, nil)
	signup = newSignup(t)
	signup.Name = "Raw Üser"
	f.send(t, "POST", "/accounts", "", signup).decodeOK(t, http.StatusCreated, nil)
}

// Finding 13: e-mail addresses with bidi controls, zero-width or other
// invisible characters are refused at sign-up, invitation and login.
func TestEmailInvisibleCharactersRefused(t *testing.T) {
	f := newFixture(t)
	o, err := f.alice.CreateOrg(bg, "Acme")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []rune{0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069, 0x200E, 0x200F, 0x061C,
		0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD, 0x00A0, 0x2028, 0xE000} {
		for _, email := range []string{"eve" + string(r) + "@example.com", string(r) + "eve@example.com", "eve@exa" + string(r) + "mple.com"} {
			name := fmt.Sprintf("U+%04X at %d", r, strings.IndexRune(email, r))
			t.Run(name, func(t *testing.T) {
				signup := newSignup(t)
				signup.Email = email
				wantError(t, f.send(t, "POST", "/accounts", "", signup), http.StatusBadRequest, api.CodeBadRequest, "email must not contain invisible")
				f.noAccount(signup)(t)
				// The client core refuses such an address before sending
				// (client.NormalizeEmail, a subset of what the server takes);
				// the server refuses it all the same (the sign-up and log-in
				// above, sent raw).
				if strings.HasPrefix(email, "eve"+string(r)) {
					if _, err := f.alice.Invite(bg, o.ID, []string{email}); err == nil || !(strings.Contains(err.Error(), "HTTP 400") || strings.Contains(err.Error(), "not an e-mail address")) {
						t.Fatalf("invitation to the address: %v, want refused", err)
					}
				}
				wantError(t, f.send(t, "POST", "/sessions", "", api.LoginRequest{Email: email, AuthKey: randBytes(32)}),
					http.StatusBadRequest, api.CodeBadRequest, "email must not contain invisible")
			})
		}
	}
	// Plain non-ASCII addresses stay allowed.
	signup := newSignup(t)
	signup.Email = "zoë@example.com"
	f.send(t, "POST", "/accounts", "", signup).decodeOK(t, http.StatusCreated, nil)
}
