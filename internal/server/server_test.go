package server_test

// HTTP-level tests of how the API answers bad and unauthorised input: every
// refusal has the exact status, a JSON body with a message and the right
// code, and writes nothing. One server with two accounts made by the real
// client core is shared by all subtests, which run one after another (some
// move the server's clock). Extra accounts for login tests are signed up
// over raw HTTP with the protocol's crypto, which costs no Argon2id run.

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/crypto"
	"github.com/coffer-pm/coffer/internal/server"
	"github.com/coffer-pm/coffer/internal/store"
	"github.com/coffer-pm/coffer/internal/testserver"
)

var bg = context.Background()

// Limits of the test server, small so that tests can exceed them cheaply.
const (
	maxBody       = 16 << 10
	maxBlob       = 4 << 10
	loginAttempts = 3
	sessionIdle   = time.Hour
	sessionMax    = 3 * time.Hour
	loginWindow   = 15 * time.Minute
)

func testConfig() server.Config {
	cfg := server.DefaultConfig()
	cfg.MaxBodyBytes = maxBody
	cfg.MaxBlobBytes = maxBlob
	cfg.LoginAttempts = loginAttempts
	cfg.LoginWindow = loginWindow
	cfg.SessionIdle = sessionIdle
	cfg.SessionMax = sessionMax
	cfg.RequestsPerAddr = 10_000 // every request comes from 127.0.0.1; not under test here
	return cfg
}

// fixture is a running server with two accounts made by the client core.
// Alice has an item at revision 2 and a trashed item at revision 1; Bob
// has nothing of his own and is the intruder.
type fixture struct {
	env      *testserver.Env
	hc       *http.Client
	alice    *client.Session
	bob      *client.Session
	vault    string // Alice's personal vault
	aliceID  string
	aliceKey *crypto.Identity // Alice's identity, to sign raw requests
	signers  map[string]signerKeys
	item     *client.Item // Alice's item, revision 2
	trashed  *client.Item // Alice's item in the trash, revision 1
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	cfg := testConfig()
	return newFixtureOn(t, testserver.Start(t, &cfg, nil))
}

// newFixtureOn is newFixture on a server the test started (another engine,
// another configuration).
func newFixtureOn(t *testing.T, env *testserver.Env) *fixture {
	t.Helper()
	f := &fixture{env: env, hc: env.HTTP.Client()}
	f.alice = signupClient(t, env.URL, "alice@example.com")
	f.bob = signupClient(t, env.URL, "bob@example.com")
	if err := f.alice.Sync(bg); err != nil {
		t.Fatalf("Sync: %v", err)
	}
	v, err := f.alice.PersonalVault()
	if err != nil {
		t.Fatal(err)
	}
	f.vault = v.ID
	f.aliceID, f.aliceKey = f.identity(t, f.alice.Token(), "alice@example.com")
	f.item = f.createItem(t, "Bank")
	if f.item, err = f.alice.UpdateItem(bg, f.item, client.Content{Name: "Bank", Notes: "second"}); err != nil || f.item.Revision != 2 {
		t.Fatalf("UpdateItem = %+v, %v", f.item, err)
	}
	if f.trashed, err = f.alice.TrashItem(bg, f.createItem(t, "Old")); err != nil || !f.trashed.Trashed {
		t.Fatalf("TrashItem = %+v, %v", f.trashed, err)
	}
	return f
}

func signupClient(t testing.TB, url, email string) *client.Session {
	t.Helper()
	s, err := client.Signup(bg, url, email, "Test User", []byte("pw of "+email), client.Options{})
	if err != nil {
		t.Fatalf("Signup %s: %v", email, err)
	}
	return s
}

// createItem makes a real item of Alice's with the client core.
func (f *fixture) createItem(t *testing.T, name string) *client.Item {
	t.Helper()
	it, err := f.alice.CreateItem(bg, f.vault, "note", client.Content{Name: name})
	if err != nil {
		t.Fatalf("CreateItem: %v", err)
	}
	return it
}

// setClock sets the server's clock to at and puts the real clock back when
// the test ends.
func (f *fixture) setClock(t *testing.T, at time.Time) {
	f.env.Server.SetClock(func() time.Time { return at })
	t.Cleanup(func() { f.env.Server.SetClock(time.Now) })
}

// ---- the request helper and the assertion helper ----

// reply is an answer with its body read.
type reply struct {
	status int
	header http.Header
	body   []byte
}

// send makes one request to the test server. path is below api.Prefix
// unless it starts with "//" (then it is taken from the root, one slash
// dropped). A string body is sent as is, any other non-nil body as JSON,
// with Content-Type application/json unless header (name, value pairs;
// an empty value removes the header) says otherwise. token, if set, is sent as a bearer token.
func (f *fixture) send(t *testing.T, method, path, token string, body any, header ...string) reply {
	t.Helper()
	url := f.env.URL + api.Prefix + path
	if rest, ok := strings.CutPrefix(path, "//"); ok {
		url = f.env.URL + "/" + rest
	}
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		rd = bytes.NewReader(mustJSON(t, b))
	}
	req, err := http.NewRequestWithContext(bg, method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		if header[i+1] == "" {
			req.Header.Del(header[i])
		} else {
			req.Header.Set(header[i], header[i+1])
		}
	}
	resp, err := f.hc.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the answer: %v", method, path, err)
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: data}
}

// wantError checks an error answer: exactly this status, a JSON body with
// this code and a non-empty message that contains each of msg
// (case-insensitively). It returns the decoded body.
func wantError(t *testing.T, r reply, status int, code string, msg ...string) api.Error {
	t.Helper()
	var e api.Error
	if r.status != status {
		t.Fatalf("status = %d, want %d; body %s", r.status, status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	if err := json.Unmarshal(r.body, &e); err != nil {
		t.Fatalf("error body is not JSON: %v; body %s", err, r.body)
	}
	if strings.TrimSpace(e.Error) == "" || e.Code != code {
		t.Fatalf("error body = %s, want a message and code %q", r.body, code)
	}
	for _, m := range msg {
		if !strings.Contains(strings.ToLower(e.Error), strings.ToLower(m)) {
			t.Errorf("message %q does not mention %q", e.Error, m)
		}
	}
	return e
}

// decodeOK checks a success status and decodes the body into out (if non-nil).
func (r reply) decodeOK(t *testing.T, status int, out any) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status = %d, want %d; body %s", r.status, status, r.body)
	}
	if out != nil {
		if err := json.Unmarshal(r.body, out); err != nil {
			t.Fatalf("answer is not the expected JSON: %v; body %s", err, r.body)
		}
	}
}

// ---- what-was-written checks ----

// itemUnchanged snapshots an item now and returns a check that it is the
// same later: head, trash state, change sequence, revisions and key wraps.
func (f *fixture) itemUnchanged(t *testing.T, id string) func(*testing.T) {
	t.Helper()
	type snap struct {
		head            uint64
		trashed         bool
		seq             int64
		revisions, keys int
	}
	take := func(t *testing.T) snap {
		t.Helper()
		st, err := f.env.Store.ItemState(bg, id)
		if err != nil {
			t.Fatalf("ItemState: %v", err)
		}
		revs, err := f.env.Store.Revisions(bg, id)
		if err != nil {
			t.Fatalf("Revisions: %v", err)
		}
		return snap{st.Head, st.Trashed, st.Seq, len(revs), len(st.KeyWraps)}
	}
	before := take(t)
	return func(t *testing.T) {
		t.Helper()
		if after := take(t); after != before {
			t.Fatalf("item %s changed: %+v, was %+v", id, after, before)
		}
	}
}

// noItem returns a check that no item with id exists.
func (f *fixture) noItem(id string) func(*testing.T) {
	return func(t *testing.T) {
		t.Helper()
		if _, err := f.env.Store.Item(bg, id); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("item %s exists (err %v), want none", id, err)
		}
	}
}

// noAccount returns a check that the sign-up req created nothing.
func (f *fixture) noAccount(req api.SignupRequest) func(*testing.T) {
	return func(t *testing.T) {
		t.Helper()
		_, err1 := f.env.Store.AccountByEmail(bg, strings.ToLower(req.Email))
		_, err2 := f.env.Store.AccountByID(bg, req.UserID)
		_, err3 := f.env.Store.Vault(bg, req.PersonalVault)
		for _, err := range []error{err1, err2, err3} {
			if !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("sign-up for %s wrote something (err %v), want nothing", req.Email, err)
			}
		}
	}
}

// ---- well-formed request bodies ----

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func randBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// newSignup returns a valid sign-up for a fresh account, built as the
// client core builds one, with a random authentication key the test knows.
func newSignup(t *testing.T) api.SignupRequest {
	t.Helper()
	userID, vaultID := uuid.NewString(), uuid.NewString()
	id, err := crypto.NewIdentity()
	if err != nil {
		t.Fatal(err)
	}
	ak := crypto.NewKey()
	wrappedAK, err := crypto.WrapAccountKey(crypto.NewKey(), ak, userID)
	if err != nil {
		t.Fatal(err)
	}
	privateKeys, err := id.SealPrivateKeys(ak, userID)
	if err != nil {
		t.Fatal(err)
	}
	vctx := crypto.VaultKeyContext("", vaultID, 1, crypto.RecipientUser, userID, id.Public())
	wrap, sig, err := crypto.WrapKey(id, userID, vctx, crypto.NewKey())
	if err != nil {
		t.Fatal(err)
	}
	kdf := crypto.DefaultKDFParams()
	return api.SignupRequest{
		UserID: userID, Email: "u" + userID[:8] + "@example.com", Name: "Raw User",
		KDF:     api.KDF{Algorithm: kdf.Algorithm, Time: kdf.Time, Memory: kdf.Memory, Threads: kdf.Threads, Salt: kdf.Salt},
		AuthKey: crypto.NewKey(),
		Keys: api.AccountKeys{SignPub: id.Public().Sign, KEMPub: id.Public().KEM, PublicKeysSig: id.SignPublicKeys(crypto.RecipientUser, userID, id.Public()),
			WrappedAccountKey: wrappedAK, PrivateKeys: privateKeys},
		PersonalVault: vaultID,
		VaultKeyWrap:  api.VaultKeyWrap{VaultID: vaultID, Epoch: 1, RecipientKind: crypto.RecipientUser, RecipientID: userID, SignerID: userID, Wrap: wrap, Sig: sig},
		Manifest:      signedManifest(t, id, userID, "", api.Manifest{VaultID: vaultID, Version: 1, ItemsHash: randBytes(32), SignerID: userID, Time: time.Now().UnixMilli()}),
	}
}

// signedManifest signs m (its items hash may be made up: the server cannot
// check it, readers do) as id, for a vault of orgID ("" for My Vault).
func signedManifest(t *testing.T, id *crypto.Identity, userID, orgID string, m api.Manifest) api.Manifest {
	t.Helper()
	sig, err := crypto.SignManifest(id, crypto.Manifest{OrgID: orgID, VaultID: m.VaultID, Version: m.Version, Count: m.Count,
		ItemsHash: m.ItemsHash, SignerID: userID, Time: uint64(m.Time)})
	if err != nil {
		t.Fatal(err)
	}
	m.Sig = sig
	return m
}

// identity opens the identity of an account made by the client core, from
// its password, as the client does at unlock: raw requests in these tests
// are then signed like a real client's.
func (f *fixture) identity(t *testing.T, token, email string) (string, *crypto.Identity) {
	t.Helper()
	var acct api.Account
	f.send(t, "GET", "/account", token, nil).decodeOK(t, http.StatusOK, &acct)
	kdf := crypto.KDFParams{Algorithm: acct.KDF.Algorithm, Time: acct.KDF.Time, Memory: acct.KDF.Memory, Threads: acct.KDF.Threads, Salt: acct.KDF.Salt}
	mk, err := crypto.DeriveMasterKeys([]byte("pw of "+email), email, kdf)
	if err != nil {
		t.Fatal(err)
	}
	ak, err := crypto.UnwrapAccountKey(mk.KEK, acct.Keys.WrappedAccountKey, acct.UserID)
	if err != nil {
		t.Fatal(err)
	}
	id, err := crypto.OpenPrivateKeys(ak, acct.Keys.PrivateKeys, acct.UserID, crypto.PublicKeys{Sign: acct.Keys.SignPub, KEM: acct.Keys.KEMPub})
	if err != nil {
		t.Fatal(err)
	}
	return acct.UserID, id
}

// sign seals a raw revision as Alice, revision n of item (type typ) in her
// vault, under a fresh item key (its wrap in these tests is made up:
// readers would refuse it; the server can only check the signature).
func (f *fixture) sign(t *testing.T, nr *api.NewRevision, item, typ string, n uint64) {
	t.Helper()
	f.signAs(t, f.alice.Token(), "", f.vault, nr, item, typ, n)
}

// signAs seals a raw revision as token's account (made by signupClient)
// in a vault of orgID ("" for a personal vault), keeping the blob's size:
// the content is sized so that the sealed blob is as long as nr.Blob was
// (at least 150 bytes).
func (f *fixture) signAs(t *testing.T, token, orgID, vault string, nr *api.NewRevision, item, typ string, n uint64) {
	t.Helper()
	userID, id := f.signer(t, token)
	size := max(len(nr.Blob), 150) - boxOverhead
	ik := crypto.NewKey()
	h := crypto.RevisionHeader{OrgID: orgID, VaultID: vault, ItemID: item, Revision: n, KeyEpoch: nr.KeyEpoch, Type: typ,
		AuthorID: userID, Time: uint64(nr.Time), PrevHash: nr.PrevHash}
	var err error
	if nr.Blob, nr.Sig, _, err = crypto.SealRevision(id, ik, h, randBytes(size)); err != nil {
		t.Fatal(err)
	}
	nr.KeyCommit = crypto.ItemKeyCommitment(ik)
}

// boxOverhead is what sealing adds to a plaintext (version, nonce, tag).
const boxOverhead = 1 + 24 + 16

// signer returns the id and identity of token's account, made by
// signupClient (password "pw of " + e-mail), opened once per fixture.
func (f *fixture) signer(t *testing.T, token string) (string, *crypto.Identity) {
	t.Helper()
	if s, ok := f.signers[token]; ok {
		return s.userID, s.id
	}
	var acct api.Account
	f.send(t, "GET", "/account", token, nil).decodeOK(t, http.StatusOK, &acct)
	userID, id := f.identity(t, token, acct.Email)
	if f.signers == nil {
		f.signers = map[string]signerKeys{}
	}
	f.signers[token] = signerKeys{userID, id}
	return userID, id
}

type signerKeys struct {
	userID string
	id     *crypto.Identity
}

// nextManifest returns a well-formed next manifest of vault for the
// token's account (Alice's is signed; the server checks the signature but
// cannot check the items hash, so made-up bytes pass).
func (f *fixture) nextManifest(t *testing.T, token, vault string) api.Manifest {
	t.Helper()
	var acct api.Account
	f.send(t, "GET", "/account", token, nil).decodeOK(t, http.StatusOK, &acct)
	var s api.Sync
	f.send(t, "GET", "/sync", token, nil).decodeOK(t, http.StatusOK, &s)
	for _, v := range s.Vaults {
		if v.ID == vault && v.Manifest != nil {
			m := api.Manifest{VaultID: vault, Version: v.Manifest.Version + 1, Count: v.Manifest.Count, ItemsHash: randBytes(32),
				SignerID: acct.UserID, Time: time.Now().UnixMilli(), Sig: randBytes(64)}
			userID, id := f.signer(t, token)
			return signedManifest(t, id, userID, v.OrgID, m)
		}
	}
	t.Fatalf("vault %s has no manifest for this account", vault)
	return api.Manifest{}
}

// rawAccount signs up a fresh account over HTTP and returns its sign-up.
func (f *fixture) rawAccount(t *testing.T) api.SignupRequest {
	t.Helper()
	req := newSignup(t)
	f.send(t, "POST", "/accounts", "", req).decodeOK(t, http.StatusCreated, nil)
	return req
}

// login opens a session with an e-mail address and authentication key.
func (f *fixture) login(t *testing.T, email string, authKey []byte) api.LoginResponse {
	t.Helper()
	var lr api.LoginResponse
	f.send(t, "POST", "/sessions", "", api.LoginRequest{Email: email, AuthKey: authKey}).decodeOK(t, http.StatusCreated, &lr)
	return lr
}

// newRevision returns a well-formed revision at key epoch 1 after prev. The
// server cannot tell its random ciphertext from a real client's.
func newRevision(prev []byte) api.NewRevision {
	return api.NewRevision{KeyEpoch: 1, Time: time.Now().UnixMilli(), PrevHash: prev, Blob: randBytes(200), Sig: randBytes(64)}
}

// newItem returns a well-formed request to create an item in vault (epoch 1).
func newItem(vault string) api.CreateItemRequest {
	id := uuid.NewString()
	return api.CreateItemRequest{ID: id, Type: "login", Revision: newRevision(crypto.ZeroHash()),
		KeyWraps: []api.ItemKeyWrap{{KeyVault: vault, KeyEpoch: 1, WrapVault: vault, WrapEpoch: 1, Wrap: randBytes(73)}}}
}

// newUpdate returns a well-formed edit of revision base.
func newUpdate(base uint64) api.UpdateItemRequest {
	return api.UpdateItemRequest{BaseRevision: base, Revision: newRevision(randBytes(32))}
}

// withMember returns the JSON of v with the member at a dotted path set to val.
func withMember(t *testing.T, v any, path string, val any) string {
	t.Helper()
	var root map[string]any
	dec := json.NewDecoder(bytes.NewReader(mustJSON(t, v)))
	dec.UseNumber()
	if err := dec.Decode(&root); err != nil {
		t.Fatal(err)
	}
	keys := strings.Split(path, ".")
	obj := root
	for _, k := range keys[:len(keys)-1] {
		obj = obj[k].(map[string]any)
	}
	obj[keys[len(keys)-1]] = val
	return string(mustJSON(t, root))
}

// ---- the tests ----

func TestAPIRefusesBadInput(t *testing.T) {
	f := newFixture(t)
	t.Run("Decode", f.testDecode)
	t.Run("Signup", f.testSignup)
	t.Run("CreateItem", f.testCreateItem)
	t.Run("UpdateItem", f.testUpdateItem)
	t.Run("Auth", f.testAuth)
	t.Run("SessionLifetime", f.testSessionLifetime)
	t.Run("OtherUser", f.testOtherUser)
	t.Run("LoginRateLimit", f.testLoginRateLimit)
	t.Run("Routing", f.testRouting)
	t.Run("SyncCursor", f.testSyncCursor)
}

// endpoint is a JSON endpoint with a body it accepts.
type endpoint struct {
	name, method, path, token string
	valid                     any    // a body it accepts
	okStatus                  int    // its answer to valid
	ctype                     string // Content-Type sent with valid ("": none)
	number, bytes             string // members that must be a number and base64 bytes
	unchanged                 func(*testing.T)
}

// testDecode sends each kind of unreadable body to three endpoints, a
// public and two authenticated ones. Each is a 4xx that names the problem
// and writes nothing; then the well-formed body is accepted, which shows
// it was the damage that was refused.
func (f *fixture) testDecode(t *testing.T) {
	signup := newSignup(t)
	target := f.createItem(t, "Decode target")
	create := newItem(f.vault)
	f.sign(t, &create.Revision, create.ID, create.Type, 1)
	create.Manifest = f.nextManifest(t, f.alice.Token(), f.vault)
	update := newUpdate(1)
	f.sign(t, &update.Revision, target.ID, target.Type, 2)
	update.Manifest = f.nextManifest(t, f.alice.Token(), f.vault)
	update.Manifest.Version++ // after the create, sent first
	update.Manifest = signedManifest(t, f.aliceKey, f.aliceID, "", update.Manifest)
	for _, e := range []endpoint{
		{"signup", "POST", "/accounts", "", signup, http.StatusCreated, "application/json; charset=utf-8", "kdf.memory", "auth_key", f.noAccount(signup)},
		{"create", "POST", "/vaults/" + f.vault + "/items", f.alice.Token(), create, http.StatusCreated, "Application/JSON", "revision.key_epoch", "revision.sig", f.noItem(create.ID)},
		{"update", "PUT", "/items/" + target.ID, f.alice.Token(), update, http.StatusOK, "", "base_revision", "revision.blob", f.itemUnchanged(t, target.ID)},
	} {
		t.Run(e.name, func(t *testing.T) {
			valid := string(mustJSON(t, e.valid))
			for _, c := range []struct {
				name, body string
				header     []string
				status     int
				code, msg  string
			}{
				{"truncated", valid[:len(valid)/2], nil, 400, api.CodeBadRequest, "not valid JSON"},
				{"syntax error", `{"id": nope}`, nil, 400, api.CodeBadRequest, "not valid JSON"},
				{"empty", "", nil, 400, api.CodeBadRequest, "empty"},
				{"trailing garbage", valid + " x", nil, 400, api.CodeBadRequest, "exactly one JSON object"},
				{"two objects", valid + valid, nil, 400, api.CodeBadRequest, "exactly one JSON object"},
				{"array", "[" + valid + "]", nil, 400, api.CodeBadRequest, "must be a JSON object"},
				{"string", `"a string"`, nil, 400, api.CodeBadRequest, "must be a JSON object"},
				{"unknown field", `{"bogus":1,` + valid[1:], nil, 400, api.CodeBadRequest, `unknown field "bogus"`},
				{"string for number", withMember(t, e.valid, e.number, "1"), nil, 400, api.CodeBadRequest, `field "` + e.number + `" must be of type number`},
				{"negative number", withMember(t, e.valid, e.number, -1), nil, 400, api.CodeBadRequest, `field "` + e.number + `" must be of type number`},
				{"number for bytes", withMember(t, e.valid, e.bytes, 12345), nil, 400, api.CodeBadRequest, `field "` + e.bytes + `" must be of type array or base64`},
				{"invalid base64", withMember(t, e.valid, e.bytes, "not*base64!"), nil, 400, api.CodeBadRequest, "not valid base64"},
				{"text/plain", valid, []string{"Content-Type", "text/plain"}, 415, api.CodeBadRequest, "application/json"},
				{"form", valid, []string{"Content-Type", "application/x-www-form-urlencoded"}, 415, api.CodeBadRequest, "application/json"},
				{"json-seq", valid, []string{"Content-Type", "application/json-seq"}, 415, api.CodeBadRequest, "application/json"},
				{"bad media type", valid, []string{"Content-Type", "application/json; charset"}, 415, api.CodeBadRequest, "application/json"},
				{"oversized member", withMember(t, e.valid, e.bytes, make([]byte, maxBody)), nil, 413, api.CodeTooLarge, "larger than the limit of 16384 bytes"},
				{"oversized padding", valid + strings.Repeat(" ", maxBody), nil, 413, api.CodeTooLarge, "larger than the limit of 16384 bytes"},
			} {
				t.Run(c.name, func(t *testing.T) {
					wantError(t, f.send(t, e.method, e.path, e.token, c.body, c.header...), c.status, c.code, c.msg)
					e.unchanged(t)
				})
			}
			f.send(t, e.method, e.path, e.token, valid, "Content-Type", e.ctype).decodeOK(t, e.okStatus, nil)
		})
	}
}

// testSignup: sign-ups with missing or invalid members are 400 and create
// no account; a valid one is 201 and a second one for its address 409.
func (f *fixture) testSignup(t *testing.T) {
	for _, c := range []struct {
		name   string
		mutate func(*api.SignupRequest)
		msg    string
	}{
		{"no auth_key", func(r *api.SignupRequest) { r.AuthKey = nil }, "auth_key must be 32 bytes, got 0"},
		{"short auth_key", func(r *api.SignupRequest) { r.AuthKey = r.AuthKey[:16] }, "auth_key must be 32 bytes, got 16"},
		{"no email", func(r *api.SignupRequest) { r.Email = "" }, "email must be"},
		{"bad email", func(r *api.SignupRequest) { r.Email = "not-an-address" }, "email must be"},
		{"email with name", func(r *api.SignupRequest) { r.Email = "Eve <" + r.Email + ">" }, "email must be"},
		{"bad user_id", func(r *api.SignupRequest) { r.UserID = "42" }, "user_id must be a lower-case UUID"},
		{"upper-case user_id", func(r *api.SignupRequest) { r.UserID = strings.ToUpper(r.UserID) }, "user_id must be a lower-case UUID"},
		{"no personal_vault_id", func(r *api.SignupRequest) { r.PersonalVault = "" }, "personal_vault_id must be a lower-case UUID"},
		{"braced personal_vault_id", func(r *api.SignupRequest) { r.PersonalVault = "{" + r.PersonalVault + "}" }, "personal_vault_id must be a lower-case UUID"},
		{"no name", func(r *api.SignupRequest) { r.Name = " " }, "name must be"},
		{"kdf memory 8", func(r *api.SignupRequest) { r.KDF.Memory = 8 }, "kdf parameters are below the minimum"},
		{"kdf time 1", func(r *api.SignupRequest) { r.KDF.Time = 1 }, "kdf parameters are below the minimum"},
		{"kdf pbkdf2", func(r *api.SignupRequest) { r.KDF.Algorithm = "pbkdf2" }, "kdf parameters are below the minimum"},
		{"kdf no salt", func(r *api.SignupRequest) { r.KDF.Salt = nil }, "kdf parameters are below the minimum"},
		{"no private keys", func(r *api.SignupRequest) { r.Keys.PrivateKeys = nil }, "keys.private_keys must be"},
		{"no vault key wrap sig", func(r *api.SignupRequest) { r.VaultKeyWrap.Sig = nil }, "vault_key_wrap.sig must be 64 bytes"},
		{"forged public keys sig", func(r *api.SignupRequest) { r.Keys.PublicKeysSig = randBytes(64) }, "self-signature does not verify"},
		{"wrap for another vault", func(r *api.SignupRequest) { r.VaultKeyWrap.VaultID = uuid.NewString() }, "vault_key_wrap must be the new user's own wrap"},
		{"forged wrap sig", func(r *api.SignupRequest) { r.VaultKeyWrap.Sig = randBytes(64) }, "vault_key_wrap: signature does not verify"},
	} {
		t.Run(c.name, func(t *testing.T) {
			req := newSignup(t)
			original := f.noAccount(req)
			c.mutate(&req)
			wantError(t, f.send(t, "POST", "/accounts", "", req), http.StatusBadRequest, api.CodeBadRequest, c.msg)
			original(t)         // nothing under the ids and address before the change
			f.noAccount(req)(t) // nor after it
		})
	}
	t.Run("duplicate", func(t *testing.T) {
		req := f.rawAccount(t)
		again := newSignup(t)
		again.Email = strings.ToUpper(req.Email[:1]) + req.Email[1:]
		wantError(t, f.send(t, "POST", "/accounts", "", again), http.StatusConflict, api.CodeExists, "already exists")
		if _, err := f.env.Store.AccountByID(bg, again.UserID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("the refused duplicate was stored (err %v)", err)
		}
	})
}

// testCreateItem: items with missing or invalid members are refused and
// not created; a well-formed one is 201, and its id cannot be reused.
func (f *fixture) testCreateItem(t *testing.T) {
	for _, c := range []struct {
		name   string
		mutate func(*api.CreateItemRequest)
		status int
		code   string
		msg    string
	}{
		{"no key_wraps", func(r *api.CreateItemRequest) { r.KeyWraps = nil }, 400, api.CodeBadRequest, "key_wraps must include the item key"},
		{"key_wraps of another vault", func(r *api.CreateItemRequest) { r.KeyWraps[0].WrapVault = uuid.NewString() }, 400, api.CodeBadRequest, "key_wraps must be wrapped under"},
		{"short key wrap", func(r *api.CreateItemRequest) { r.KeyWraps[0].Wrap = r.KeyWraps[0].Wrap[:40] }, 400, api.CodeBadRequest, "key_wraps.wrap must be 73 bytes"},
		{"no sig", func(r *api.CreateItemRequest) { r.Revision.Sig = nil }, 400, api.CodeBadRequest, "revision.sig must be 64 bytes, got 0"},
		{"non-zero prev_hash", func(r *api.CreateItemRequest) { r.Revision.PrevHash = randBytes(32) }, 400, api.CodeBadRequest, "prev_hash of a new item must be all zeros"},
		{"short prev_hash", func(r *api.CreateItemRequest) { r.Revision.PrevHash = r.Revision.PrevHash[:8] }, 400, api.CodeBadRequest, "revision.prev_hash must be 32 bytes"},
		{"no blob", func(r *api.CreateItemRequest) { r.Revision.Blob = nil }, 400, api.CodeBadRequest, "revision.blob is required"},
		{"no time", func(r *api.CreateItemRequest) { r.Revision.Time = 0 }, 400, api.CodeBadRequest, "revision.time"},
		{"bad type", func(r *api.CreateItemRequest) { r.Type = "password" }, 400, api.CodeBadRequest, "type must be one of"},
		{"bad id", func(r *api.CreateItemRequest) { r.ID = "item-1" }, 400, api.CodeBadRequest, "id must be a lower-case UUID"},
		{"blob over limit", func(r *api.CreateItemRequest) { r.Revision.Blob = randBytes(maxBlob + 1) }, 413, api.CodeTooLarge, "revision.blob is larger than the limit"},
		{"future key epoch", func(r *api.CreateItemRequest) { r.Revision.KeyEpoch = 2 }, 409, api.CodeConflict, "key_epoch"},
	} {
		t.Run(c.name, func(t *testing.T) {
			req := newItem(f.vault)
			c.mutate(&req)
			wantError(t, f.send(t, "POST", "/vaults/"+f.vault+"/items", f.alice.Token(), req), c.status, c.code, c.msg)
			f.noItem(req.ID)(t)
		})
	}
	t.Run("bad vault id", func(t *testing.T) {
		req := newItem(f.vault)
		wantError(t, f.send(t, "POST", "/vaults/VAULT/items", f.alice.Token(), req), 400, api.CodeBadRequest, "vault id must be a lower-case UUID")
		f.noItem(req.ID)(t)
	})
	t.Run("duplicate id", func(t *testing.T) {
		req := newItem(f.vault)
		f.sign(t, &req.Revision, req.ID, req.Type, 1)
		req.Manifest = f.nextManifest(t, f.alice.Token(), f.vault)
		f.send(t, "POST", "/vaults/"+f.vault+"/items", f.alice.Token(), req).decodeOK(t, http.StatusCreated, nil)
		check := f.itemUnchanged(t, req.ID)
		// The very same request again is a retry, answered as the first
		// (replay_test.go); the same id with other content is a conflict.
		other := newItem(f.vault)
		other.ID = req.ID
		f.sign(t, &other.Revision, other.ID, other.Type, 1)
		other.Manifest = f.nextManifest(t, f.alice.Token(), f.vault)
		wantError(t, f.send(t, "POST", "/vaults/"+f.vault+"/items", f.alice.Token(), other), http.StatusConflict, api.CodeExists, "already exists")
		check(t)
	})
}

// testUpdateItem: stale, missing and invalid edits, and edits of a trashed
// item, are refused and add no revision.
func (f *fixture) testUpdateItem(t *testing.T) {
	for _, c := range []struct {
		name   string
		item   *client.Item
		req    api.UpdateItemRequest
		status int
		code   string
		head   uint64
		msg    string
	}{
		{"stale base_revision", f.item, newUpdate(1), 409, api.CodeConflict, 2, "current revision 2"},
		{"future base_revision", f.item, newUpdate(7), 409, api.CodeConflict, 2, "current revision 2"},
		{"no base_revision", f.item, newUpdate(0), 400, api.CodeBadRequest, 0, "base_revision is required"},
		{"no sig", f.item, func() api.UpdateItemRequest { r := newUpdate(2); r.Revision.Sig = nil; return r }(), 400, api.CodeBadRequest, 0, "revision.sig must be 64 bytes"},
		{"short prev_hash", f.item, func() api.UpdateItemRequest { r := newUpdate(2); r.Revision.PrevHash = nil; return r }(), 400, api.CodeBadRequest, 0, "revision.prev_hash must be 32 bytes"},
		{"blob over limit", f.item, func() api.UpdateItemRequest { r := newUpdate(2); r.Revision.Blob = randBytes(maxBlob + 1); return r }(), 413, api.CodeTooLarge, 0, "revision.blob is larger"},
		{"key wrap of another vault", f.item, func() api.UpdateItemRequest {
			r := newUpdate(2)
			r.KeyWraps = []api.ItemKeyWrap{{KeyVault: f.vault, KeyEpoch: 1, WrapVault: uuid.NewString(), WrapEpoch: 1, Wrap: randBytes(73)}}
			return r
		}(), 400, api.CodeBadRequest, 0, "key_wraps must be wrapped under"},
		{"trashed item", f.trashed, newUpdate(1), 409, api.CodeTrashed, 0, "trash"},
		{"no manifest", f.item, newUpdate(2), 400, api.CodeBadRequest, 0, "manifest is required"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.req.Manifest.VaultID == "" && c.code == api.CodeConflict {
				f.sign(t, &c.req.Revision, c.item.ID, c.item.Type, c.req.BaseRevision+1)
				c.req.Manifest = f.nextManifest(t, f.alice.Token(), f.vault)
			}
			check := f.itemUnchanged(t, c.item.ID)
			e := wantError(t, f.send(t, "PUT", "/items/"+c.item.ID, f.alice.Token(), c.req), c.status, c.code, c.msg)
			if e.Head != c.head {
				t.Errorf("head = %d, want %d", e.Head, c.head)
			}
			check(t)
		})
	}
	// Manifests that are malformed or out of step: refused, and neither the
	// revision nor the manifest is stored.
	for _, c := range []struct {
		name   string
		edit   func(*api.Manifest)
		status int
		code   string
		msg    string
	}{
		{"manifest of another vault", func(m *api.Manifest) { m.VaultID = uuid.NewString() }, 400, api.CodeBadRequest, "manifest.vault_id must be the vault"},
		{"manifest signed by another", func(m *api.Manifest) { m.SignerID = uuid.NewString() }, 400, api.CodeBadRequest, "manifest.signer_id must be the caller"},
		{"short manifest sig", func(m *api.Manifest) { m.Sig = m.Sig[:10] }, 400, api.CodeBadRequest, "manifest.sig must be 64 bytes"},
		{"stale manifest version", func(m *api.Manifest) { m.Version-- }, 409, api.CodeManifestConflict, "sync and try again"},
		{"skipped manifest version", func(m *api.Manifest) { m.Version++ }, 409, api.CodeManifestConflict, "sync and try again"},
	} {
		t.Run(c.name, func(t *testing.T) {
			req := newUpdate(2)
			f.sign(t, &req.Revision, f.item.ID, f.item.Type, 3)
			req.Manifest = f.nextManifest(t, f.alice.Token(), f.vault)
			want := req.Manifest.Version - 1
			c.edit(&req.Manifest)
			if c.status == http.StatusConflict {
				req.Manifest = signedManifest(t, f.aliceKey, f.aliceID, "", req.Manifest)
			}
			check := f.itemUnchanged(t, f.item.ID)
			wantError(t, f.send(t, "PUT", "/items/"+f.item.ID, f.alice.Token(), req), c.status, c.code, c.msg)
			check(t)
			if m := f.nextManifest(t, f.alice.Token(), f.vault); m.Version-1 != want {
				t.Errorf("manifest moved to %d", m.Version-1)
			}
		})
	}
	t.Run("bad item id", func(t *testing.T) {
		wantError(t, f.send(t, "PUT", "/items/ITEM", f.alice.Token(), newUpdate(2)), 400, api.CodeBadRequest, "item id must be a lower-case UUID")
	})
}

// testAuth: requests without a usable session token are 401 and write nothing.
func (f *fixture) testAuth(t *testing.T) {
	check := f.itemUnchanged(t, f.item.ID)
	for _, c := range []struct{ name, auth, msg string }{
		{"no header", "", "missing or malformed"},
		{"basic", "Basic YWxpY2U6cHc=", "missing or malformed"},
		{"bare token", f.alice.Token(), "missing or malformed"},
		{"bearer without token", "Bearer ", "missing or malformed"},
		{"bearer, wrong prefix", "Bearer cs2_" + strings.TrimPrefix(f.alice.Token(), "cs1_"), "missing or malformed"},
		{"unknown token", "Bearer cs1_" + strings.Repeat("A", 43), "unknown session token"},
		{"token with a suffix", "Bearer " + f.alice.Token() + "x", "unknown session token"},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, r := range []reply{
				f.send(t, "GET", "/account", "", nil, "Authorization", c.auth),
				f.send(t, "GET", "/sync", "", nil, "Authorization", c.auth),
				f.send(t, "PUT", "/items/"+f.item.ID, "", newUpdate(2), "Authorization", c.auth),
				f.send(t, "POST", "/items/"+f.item.ID+"/trash", "", api.ManifestRequest{}, "Authorization", c.auth),
			} {
				wantError(t, r, http.StatusUnauthorized, api.CodeUnauthorized, c.msg)
			}
			check(t)
		})
	}
}

// testSessionLifetime: revoked, idle and worn-out sessions are 401 with a
// message that says which.
func (f *fixture) testSessionLifetime(t *testing.T) {
	acct := f.rawAccount(t)
	t.Run("logout", func(t *testing.T) {
		tok := f.login(t, acct.Email, acct.AuthKey).Token
		f.send(t, "GET", "/account", tok, nil).decodeOK(t, http.StatusOK, nil)
		f.send(t, "DELETE", "/sessions/current", tok, nil).decodeOK(t, http.StatusNoContent, nil)
		wantError(t, f.send(t, "GET", "/account", tok, nil), http.StatusUnauthorized, api.CodeUnauthorized, "revoked")
		wantError(t, f.send(t, "DELETE", "/sessions/current", tok, nil), http.StatusUnauthorized, api.CodeUnauthorized, "revoked")
	})
	t.Run("revoked from another session", func(t *testing.T) {
		victim, other := f.login(t, acct.Email, acct.AuthKey), f.login(t, acct.Email, acct.AuthKey)
		f.send(t, "DELETE", "/sessions/"+victim.SessionID, other.Token, nil).decodeOK(t, http.StatusNoContent, nil)
		wantError(t, f.send(t, "GET", "/sync", victim.Token, nil), http.StatusUnauthorized, api.CodeUnauthorized, "revoked")
		wantError(t, f.send(t, "DELETE", "/sessions/"+victim.SessionID, other.Token, nil), http.StatusNotFound, api.CodeNotFound, "session not found")
		wantError(t, f.send(t, "DELETE", "/sessions/SESSION", other.Token, nil), http.StatusBadRequest, api.CodeBadRequest, "session id must be")
	})
	t.Run("idle", func(t *testing.T) {
		t0 := time.Now()
		f.setClock(t, t0)
		tok := f.login(t, acct.Email, acct.AuthKey).Token
		f.setClock(t, t0.Add(sessionIdle-time.Second))
		f.send(t, "GET", "/account", tok, nil).decodeOK(t, http.StatusOK, nil)
		// The use above slid the idle expiry; an idle period after it, it ends.
		f.setClock(t, t0.Add(2*sessionIdle))
		wantError(t, f.send(t, "GET", "/account", tok, nil), http.StatusUnauthorized, api.CodeUnauthorized, "expired")
	})
	t.Run("absolute limit", func(t *testing.T) {
		t0 := time.Now()
		f.setClock(t, t0)
		tok := f.login(t, acct.Email, acct.AuthKey).Token
		// Used often enough never to go idle, until just past SessionMax.
		for at := sessionIdle * 3 / 4; at < sessionMax; at += sessionIdle * 3 / 4 {
			f.setClock(t, t0.Add(at))
			f.send(t, "GET", "/account", tok, nil).decodeOK(t, http.StatusOK, nil)
		}
		f.setClock(t, t0.Add(sessionMax))
		wantError(t, f.send(t, "GET", "/account", tok, nil), http.StatusUnauthorized, api.CodeUnauthorized, "expired")
	})
}

// testOtherUser: Bob cannot touch Alice's items, vault or sessions, and the
// answers are the same as for ids that do not exist.
func (f *fixture) testOtherUser(t *testing.T) {
	bob := f.bob.Token()
	for _, c := range []struct {
		name, method, path string
		body               any
		item               *client.Item
	}{
		{"get", "GET", "/items/%s", nil, f.item},
		{"edit", "PUT", "/items/%s", newUpdate(2), f.item},
		{"trash", "POST", "/items/%s/trash", api.ManifestRequest{}, f.item},
		{"restore", "POST", "/items/%s/restore", api.ManifestRequest{}, f.trashed},
		{"purge", "POST", "/items/%s/purge", api.ManifestRequest{}, f.trashed},
		{"history", "GET", "/items/%s/revisions", nil, f.item},
	} {
		t.Run(c.name, func(t *testing.T) {
			check := f.itemUnchanged(t, c.item.ID)
			r := f.send(t, c.method, fmt.Sprintf(c.path, c.item.ID), bob, c.body)
			wantError(t, r, http.StatusNotFound, api.CodeNotFound, "item not found")
			check(t)
			unknown := f.send(t, c.method, fmt.Sprintf(c.path, uuid.NewString()), bob, c.body)
			if !bytes.Equal(r.body, unknown.body) {
				t.Errorf("answer for another's item %s differs from one for no item %s", r.body, unknown.body)
			}
		})
	}
	t.Run("create in another's vault", func(t *testing.T) {
		req := newItem(f.vault)
		r := f.send(t, "POST", "/vaults/"+f.vault+"/items", bob, req)
		wantError(t, r, http.StatusNotFound, api.CodeNotFound, "vault not found")
		f.noItem(req.ID)(t)
		other := uuid.NewString()
		req = newItem(other)
		unknown := f.send(t, "POST", "/vaults/"+other+"/items", bob, req)
		if !bytes.Equal(r.body, unknown.body) {
			t.Errorf("answer for another's vault %s differs from one for no vault %s", r.body, unknown.body)
		}
	})
	t.Run("revoke another's session", func(t *testing.T) {
		wantError(t, f.send(t, "DELETE", "/sessions/"+f.alice.Profile.SessionID, bob, nil), http.StatusNotFound, api.CodeNotFound, "session not found")
		f.send(t, "GET", "/account", f.alice.Token(), nil).decodeOK(t, http.StatusOK, nil)
	})
}

// testLoginRateLimit: after LoginAttempts wrong logins for an address even
// the right key is refused, until the window has passed.
func (f *fixture) testLoginRateLimit(t *testing.T) {
	acct := f.rawAccount(t)
	t0 := time.Now()
	f.setClock(t, t0)
	login := func(key []byte) reply {
		return f.send(t, "POST", "/sessions", "", api.LoginRequest{Email: acct.Email, AuthKey: key})
	}
	for range loginAttempts {
		wantError(t, login(crypto.NewKey()), http.StatusUnauthorized, api.CodeUnauthorized, "wrong e-mail address or master password")
	}
	wantError(t, login(acct.AuthKey), http.StatusTooManyRequests, api.CodeRateLimited, "too many failed logins")
	wantError(t, login(crypto.NewKey()), http.StatusTooManyRequests, api.CodeRateLimited, "too many failed logins")
	if list, err := f.env.Store.ListSessions(bg, acct.UserID); err != nil || len(list) != 0 {
		t.Fatalf("sessions after refused logins = %d, %v; want none", len(list), err)
	}
	other := f.rawAccount(t) // the limit is per account
	f.login(t, other.Email, other.AuthKey)
	f.setClock(t, t0.Add(loginWindow))
	f.login(t, acct.Email, acct.AuthKey)
}

// testRouting: unknown API paths are JSON 404s; the health check answers.
func (f *fixture) testRouting(t *testing.T) {
	for _, c := range []struct{ method, path string }{
		{"GET", "/nope"},
		{"GET", "/items"},
		{"PATCH", "/items/" + f.item.ID},
		{"POST", "/sync"},
		{"GET", "/v2/items/" + f.item.ID},
	} {
		r := f.send(t, c.method, c.path, f.alice.Token(), nil)
		wantError(t, r, http.StatusNotFound, api.CodeNotFound, "no such API endpoint")
	}
	var health map[string]string
	f.send(t, "GET", "//healthz", "", nil).decodeOK(t, http.StatusOK, &health)
	if health["status"] != "ok" {
		t.Errorf("healthz = %v", health)
	}
}

// testSyncCursor: a since that is not a non-negative integer is 400.
func (f *fixture) testSyncCursor(t *testing.T) {
	for _, since := range []string{"-1", "abc", "1.5", "0x10", "99999999999999999999", "1e3"} {
		wantError(t, f.send(t, "GET", "/sync?since="+since, f.alice.Token(), nil), http.StatusBadRequest, api.CodeBadRequest, "since must be a non-negative integer")
	}
	var s api.Sync
	f.send(t, "GET", "/sync?since=0", f.alice.Token(), nil).decodeOK(t, http.StatusOK, &s)
	if len(s.Items) == 0 || len(s.Vaults) != 1 {
		t.Errorf("sync since 0: %d items, %d vaults", len(s.Items), len(s.Vaults))
	}
}
