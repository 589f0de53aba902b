// Package storetest is the conformance suite every store.Store
// implementation must pass. Each engine's tests call Run with a function
// that opens a fresh, empty store.
package storetest

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/coffer-pm/coffer/internal/store"
)

// Opener returns a fresh, empty, migrated store; it registers its own cleanup.
type Opener func(t *testing.T) store.Store

// Run runs the whole conformance suite.
func Run(t *testing.T, open Opener) { run(t, open, false) }

// RunOneConnection runs the suite on a store whose pools hold one
// connection each (the caller opens it so). A store method that asks its
// pool for a second connection while it holds one deadlocks there at once,
// instead of only when a busy server has every connection held by callers
// doing the same (issue 23: syncs stalled whole instances that way). A
// test that stalls panics with every goroutine's stack, so the method that
// waits is named. Tests that write while a snapshot is open on purpose
// need two connections and are left out.
func RunOneConnection(t *testing.T, open Opener) { run(t, open, true) }

// stallAfter is how long RunOneConnection lets one test run before it
// takes it for a deadlock; every test finishes in seconds.
const stallAfter = 3 * time.Minute

func run(t *testing.T, open Opener, oneConn bool) {
	tests := []namedTest{
		{name: "ServerSecret", fn: testServerSecret},
		{name: "Accounts", fn: testAccounts},
		{name: "Sessions", fn: testSessions},
		{name: "VaultPermissions", fn: testVaultPermissions},
		{name: "ItemsAndRevisions", fn: testItemsAndRevisions},
		{name: "Conflict", fn: testConflict},
		{name: "Changes", fn: testChanges},
		{name: "ConcurrentWritersKeepRevisionsConsecutive", fn: testConcurrentUpdates},
		{name: "ConcurrentWritersKeepSequenceGapFree", fn: testConcurrentCreates},
	}
	for _, tc := range append(tests, extraTests...) {
		if oneConn && tc.twoConns {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			if oneConn {
				stalled := time.AfterFunc(stallAfter, func() {
					panic(fmt.Sprintf("conformance test %s stalled on a one-connection pool: a store method waits for a second connection while it holds one", tc.name))
				})
				defer stalled.Stop()
			}
			tc.fn(t, open(t))
		})
	}
}

type namedTest struct {
	name string
	fn   func(*testing.T, store.Store)
	// twoConns: the test holds a snapshot open while it writes, which
	// needs a second connection by design.
	twoConns bool
}

// extraTests are registered by the suite's other files.
var extraTests []namedTest

var ctx = context.Background()

var now = time.UnixMilli(1_760_000_000_000).UTC()

func id() string { return uuid.NewString() }

// newAccount creates an account with its personal vault and returns both.
func newAccount(t testing.TB, s store.Store, email string) (store.Account, store.Vault) {
	t.Helper()
	a := store.Account{
		ID: id(), Email: email, Name: "Name of " + email,
		KDF:      store.KDF{Algorithm: "argon2id", Time: 3, Memory: 65536, Threads: 4, Salt: []byte("0123456789abcdef")},
		AuthHash: []byte("hash"), AuthSalt: []byte("salt"), SignPub: []byte("sign"), KEMPub: []byte("kem"),
		PublicKeysSig: []byte("sig"), WrappedAccountKey: []byte("wak"), PrivateKeys: []byte("pk"), CreatedAt: now,
	}
	v := store.Vault{ID: id(), Kind: store.VaultPersonal, OwnerID: a.ID, Epoch: 1, CreatedAt: now}
	w := store.VaultKeyWrap{VaultID: v.ID, Epoch: 1, RecipientKind: "user", RecipientID: a.ID, SignerID: a.ID, Wrap: []byte("wrap"), Sig: []byte("wsig"), CreatedAt: now}
	if err := s.CreateAccount(ctx, a, v, w, manifest(v.ID, 1, a.ID)); err != nil {
		t.Fatalf("CreateAccount(%s): %v", email, err)
	}
	return a, v
}

func revision(author, vault string, blob string) store.Revision {
	return store.Revision{VaultID: vault, KeyEpoch: 1, Type: "login", AuthorID: author,
		PrevHash: make([]byte, 32), Blob: []byte(blob), Sig: []byte("sig:" + blob), CreatedAt: now}
}

func newItem(t *testing.T, s store.Store, author, vault, blob string) store.Item {
	t.Helper()
	it := store.Item{ID: id(), VaultID: vault, Type: "login", CreatedAt: now}
	wraps := []store.ItemKeyWrap{{KeyVault: vault, KeyEpoch: 1, WrapVault: vault, WrapEpoch: 1, Wrap: []byte("ikw")}}
	got, err := s.CreateItem(ctx, it, revision(author, vault, blob), wraps)
	if err != nil {
		t.Fatalf("CreateItem: %v", err)
	}
	sameAsStored(t, s, got)
	return got.Item
}

// sameAsStored checks that a write returned the state it stored: what the
// server answers with, instead of reading it back (issue 23).
func sameAsStored(t testing.TB, s store.Store, got store.ItemState) {
	t.Helper()
	stored, err := s.ItemState(ctx, got.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, stored) {
		t.Fatalf("a write returned\n%+v\nbut stored\n%+v", got, stored)
	}
}

func testServerSecret(t *testing.T, s store.Store) {
	a, err := s.ServerSecret(ctx, "x")
	if err != nil || len(a) != 32 {
		t.Fatalf("ServerSecret = %x, %v", a, err)
	}
	b, _ := s.ServerSecret(ctx, "x")
	c, _ := s.ServerSecret(ctx, "y")
	if !bytes.Equal(a, b) || bytes.Equal(a, c) {
		t.Fatal("server secrets are not stable per name")
	}
}

func testAccounts(t *testing.T, s store.Store) {
	a, v := newAccount(t, s, "Alice@Example.com")
	got, err := s.AccountByEmail(ctx, "alice@example.COM")
	if err != nil {
		t.Fatalf("AccountByEmail: %v", err)
	}
	if got.ID != a.ID || got.Email != "alice@example.com" || !bytes.Equal(got.KDF.Salt, a.KDF.Salt) || got.KDF.Memory != 65536 ||
		!bytes.Equal(got.PrivateKeys, a.PrivateKeys) || !got.CreatedAt.Equal(now) {
		t.Fatalf("AccountByEmail = %+v", got)
	}
	if _, err := s.AccountByID(ctx, a.ID); err != nil {
		t.Fatalf("AccountByID: %v", err)
	}
	if _, err := s.AccountByEmail(ctx, "nobody@example.com"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown email: %v, want ErrNotFound", err)
	}
	// Same e-mail again (any case): refused, and nothing half-written.
	b := a
	b.ID, b.Email = id(), "ALICE@example.com"
	v2 := store.Vault{ID: id(), Kind: store.VaultPersonal, OwnerID: b.ID, Epoch: 1, CreatedAt: now}
	err = s.CreateAccount(ctx, b, v2, store.VaultKeyWrap{VaultID: v2.ID, Epoch: 1, RecipientKind: "user", RecipientID: b.ID, SignerID: b.ID, Wrap: []byte("w"), Sig: []byte("s")})
	if !errors.Is(err, store.ErrExists) {
		t.Fatalf("duplicate e-mail: %v, want ErrExists", err)
	}
	if _, err := s.Vault(ctx, v2.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("vault of refused account exists: %v", err)
	}
	vaults, err := s.VaultsForUser(ctx, a.ID)
	if err != nil || len(vaults) != 1 || vaults[0].ID != v.ID || vaults[0].Permission != store.PermManage || len(vaults[0].Wraps) != 1 {
		t.Fatalf("VaultsForUser = %+v, %v", vaults, err)
	}
}

func testSessions(t *testing.T, s store.Store) {
	a, _ := newAccount(t, s, "a@example.com")
	b, _ := newAccount(t, s, "b@example.com")
	sess := store.Session{ID: id(), UserID: a.ID, TokenHash: []byte("hash-1"), CreatedAt: now, LastUsedAt: now,
		ExpiresAt: now.Add(time.Hour), MaxExpires: now.Add(24 * time.Hour), ClientAddr: "127.0.0.1", Description: "test"}
	if err := s.CreateSession(ctx, sess); err != nil {
		t.Fatal(err)
	}
	got, err := s.SessionByTokenHash(ctx, []byte("hash-1"))
	if err != nil || got.ID != sess.ID || !got.ExpiresAt.Equal(sess.ExpiresAt) || !got.RevokedAt.IsZero() {
		t.Fatalf("SessionByTokenHash = %+v, %v", got, err)
	}
	later := now.Add(30 * time.Minute)
	if err := s.TouchSession(ctx, sess.ID, later, later.Add(time.Hour), "192.0.2.7"); err != nil {
		t.Fatal(err)
	}
	got, _ = s.SessionByTokenHash(ctx, []byte("hash-1"))
	if !got.LastUsedAt.Equal(later) || !got.ExpiresAt.Equal(later.Add(time.Hour)) || got.ClientAddr != "192.0.2.7" || got.Description != "test" {
		t.Fatalf("TouchSession not applied: %+v", got)
	}
	if err := s.RevokeSession(ctx, b.ID, sess.ID, later); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("another user revoked the session: %v", err)
	}
	if err := s.RevokeSession(ctx, a.ID, sess.ID, later); err != nil {
		t.Fatal(err)
	}
	if err := s.RevokeSession(ctx, a.ID, sess.ID, later); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("second revoke: %v", err)
	}
	got, _ = s.SessionByTokenHash(ctx, []byte("hash-1"))
	if got.RevokedAt.IsZero() {
		t.Fatal("revoked session not marked revoked")
	}
	list, err := s.ListSessions(ctx, a.ID)
	if err != nil || len(list) != 1 {
		t.Fatalf("ListSessions = %v, %v", list, err)
	}
	if _, err := s.SessionByTokenHash(ctx, []byte("nope")); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown token: %v", err)
	}
}

func testVaultPermissions(t *testing.T, s store.Store) {
	a, va := newAccount(t, s, "a@example.com")
	b, _ := newAccount(t, s, "b@example.com")
	if p, err := s.VaultPermission(ctx, a.ID, va.ID); err != nil || p != store.PermManage {
		t.Fatalf("owner permission = %v, %v", p, err)
	}
	if p, err := s.VaultPermission(ctx, b.ID, va.ID); err != nil || p != store.PermNone {
		t.Fatalf("stranger permission = %v, %v; want none", p, err)
	}
	if _, err := s.VaultPermission(ctx, a.ID, id()); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown vault: %v", err)
	}
	vaults, err := s.VaultsForUser(ctx, b.ID)
	if err != nil || len(vaults) != 1 || vaults[0].ID == va.ID {
		t.Fatalf("b sees %+v", vaults)
	}
}

func testItemsAndRevisions(t *testing.T, s store.Store) {
	a, v := newAccount(t, s, "a@example.com")
	it := newItem(t, s, a.ID, v.ID, "r1")
	if it.Head != 1 || it.Seq == 0 {
		t.Fatalf("created item = %+v", it)
	}
	for i := 2; i <= 4; i++ {
		got, err := s.UpdateItem(ctx, it.ID, uint64(i-1), revision(a.ID, v.ID, fmt.Sprintf("r%d", i)), nil)
		if err != nil || got.Head != uint64(i) {
			t.Fatalf("update %d = %+v, %v", i, got, err)
		}
	}
	revs, err := s.Revisions(ctx, it.ID)
	if err != nil || len(revs) != 4 {
		t.Fatalf("Revisions = %d, %v", len(revs), err)
	}
	for i, r := range revs {
		if r.Revision != uint64(i+1) || string(r.Blob) != fmt.Sprintf("r%d", i+1) || r.AuthorID != a.ID {
			t.Fatalf("revision %d = %+v", i+1, r)
		}
	}
	st, err := s.ItemState(ctx, it.ID)
	if err != nil || st.Head != 4 || string(st.HeadRevision.Blob) != "r4" || len(st.KeyWraps) != 1 {
		t.Fatalf("ItemState = %+v, %v", st, err)
	}
	tr, err := s.SetItemTrashed(ctx, it.ID, true, now.Add(time.Minute))
	if err != nil || !tr.Trashed || tr.Seq <= st.Seq {
		t.Fatalf("trash = %+v, %v", tr, err)
	}
	rs, err := s.SetItemTrashed(ctx, it.ID, false, now.Add(2*time.Minute))
	if err != nil || rs.Trashed || rs.Head != 4 {
		t.Fatalf("restore = %+v, %v", rs, err)
	}
	if _, err := s.SetItemTrashed(ctx, id(), true, now); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("trash unknown item: %v", err)
	}
	if _, err := s.Item(ctx, id()); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown item: %v", err)
	}
	if _, err := s.Revisions(ctx, id()); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("revisions of unknown item: %v", err)
	}
	// Same item id again is refused.
	_, err = s.CreateItem(ctx, store.Item{ID: it.ID, VaultID: v.ID, Type: "login", CreatedAt: now}, revision(a.ID, v.ID, "x"), nil)
	if !errors.Is(err, store.ErrExists) {
		t.Fatalf("duplicate item id: %v", err)
	}
}

func testConflict(t *testing.T, s store.Store) {
	a, v := newAccount(t, s, "a@example.com")
	it := newItem(t, s, a.ID, v.ID, "r1")
	if _, err := s.UpdateItem(ctx, it.ID, 1, revision(a.ID, v.ID, "first"), nil); err != nil {
		t.Fatal(err)
	}
	_, err := s.UpdateItem(ctx, it.ID, 1, revision(a.ID, v.ID, "stale"), nil)
	var ce *store.ConflictError
	if !errors.As(err, &ce) || ce.Head != 2 {
		t.Fatalf("stale update: %v, want ConflictError{Head: 2}", err)
	}
	revs, _ := s.Revisions(ctx, it.ID)
	if len(revs) != 2 || string(revs[1].Blob) != "first" {
		t.Fatalf("after conflict: %d revisions, head blob %q", len(revs), revs[len(revs)-1].Blob)
	}
	// A conflict consumes no sequence number.
	_, _, cursor, _ := s.Changes(ctx, a.ID, 0)
	it2 := newItem(t, s, a.ID, v.ID, "other")
	if it2.Seq != cursor+1 {
		t.Fatalf("sequence after conflict = %d, want %d", it2.Seq, cursor+1)
	}
}

func testChanges(t *testing.T, s store.Store) {
	a, va := newAccount(t, s, "a@example.com")
	b, vb := newAccount(t, s, "b@example.com")
	i1 := newItem(t, s, a.ID, va.ID, "a1")
	newItem(t, s, b.ID, vb.ID, "b1")
	i2 := newItem(t, s, a.ID, va.ID, "a2")
	states, _, cursor, err := s.Changes(ctx, a.ID, 0)
	if err != nil || len(states) != 2 || states[0].ID != i1.ID || states[1].ID != i2.ID {
		t.Fatalf("Changes(a, 0) = %d items, %v", len(states), err)
	}
	if cursor < i2.Seq {
		t.Fatalf("cursor %d < last seq %d", cursor, i2.Seq)
	}
	if states, _, c2, _ := s.Changes(ctx, a.ID, cursor); len(states) != 0 || c2 != cursor {
		t.Fatalf("no changes expected, got %d (cursor %d→%d)", len(states), cursor, c2)
	}
	if _, err := s.UpdateItem(ctx, i1.ID, 1, revision(a.ID, va.ID, "a1v2"), nil); err != nil {
		t.Fatal(err)
	}
	states, _, _, _ = s.Changes(ctx, a.ID, cursor)
	if len(states) != 1 || states[0].ID != i1.ID || string(states[0].HeadRevision.Blob) != "a1v2" || states[0].Head != 2 {
		t.Fatalf("delta = %+v", states)
	}
	// b never sees a's items.
	states, _, _, _ = s.Changes(ctx, b.ID, 0)
	for _, st := range states {
		if st.VaultID != vb.ID {
			t.Fatalf("b sees item in vault %s", st.VaultID)
		}
	}
}

func testConcurrentUpdates(t *testing.T, s store.Store) {
	a, v := newAccount(t, s, "a@example.com")
	it := newItem(t, s, a.ID, v.ID, "r1")
	const writers, attempts = 8, 15
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < attempts; i++ {
				cur, err := s.Item(ctx, it.ID)
				if err != nil {
					t.Error(err)
					return
				}
				_, err = s.UpdateItem(ctx, it.ID, cur.Head, revision(a.ID, v.ID, fmt.Sprintf("w%d-%d", w, i)), nil)
				var ce *store.ConflictError
				switch {
				case err == nil:
					mu.Lock()
					wins++
					mu.Unlock()
				case errors.As(err, &ce):
				default:
					t.Error(err)
					return
				}
			}
		}(w)
	}
	wg.Wait()
	revs, err := s.Revisions(ctx, it.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(revs) != wins+1 {
		t.Fatalf("%d successful writes but %d revisions", wins, len(revs))
	}
	for i, r := range revs {
		if r.Revision != uint64(i+1) {
			t.Fatalf("revision %d numbered %d: gap or duplicate", i+1, r.Revision)
		}
	}
}

func testConcurrentCreates(t *testing.T, s store.Store) {
	a, v := newAccount(t, s, "a@example.com")
	_, _, start, _ := s.Changes(ctx, a.ID, 0)
	const writers, each = 8, 10
	var wg sync.WaitGroup
	var mu sync.Mutex
	var seqs []int64
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				it := store.Item{ID: id(), VaultID: v.ID, Type: "note", CreatedAt: now}
				got, err := s.CreateItem(ctx, it, revision(a.ID, v.ID, "x"), nil)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				seqs = append(seqs, got.Seq)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	sort.Slice(seqs, func(i, j int) bool { return seqs[i] < seqs[j] })
	for i, q := range seqs {
		if q != start+int64(i)+1 {
			t.Fatalf("sequence %d is %d: gap or duplicate", i, q)
		}
	}
	states, _, _, _ := s.Changes(ctx, a.ID, start)
	if len(states) != writers*each {
		t.Fatalf("Changes after %d returned %d items, want %d", start, len(states), writers*each)
	}
}

// BumpSchemaVersion records a migration version newer than any this binary
// has, as a newer Coffer would, so tests can check that an older binary
// refuses the database.
func BumpSchemaVersion(t *testing.T, driver, dsn string, version int64) {
	t.Helper()
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	q := `INSERT INTO goose_db_version (version_id, is_applied) VALUES (?, true)`
	if driver == "pgx" {
		q = strings.Replace(q, "?", "$1", 1)
	}
	if _, err := db.Exec(q, version); err != nil {
		t.Fatal(err)
	}
}
