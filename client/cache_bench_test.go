package client

import (
	"fmt"
	"testing"

	"github.com/google/uuid"

	"github.com/coffer-pm/coffer/client/cachetest"
	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/crypto"
)

// benchState is a device cache of n login items in one vault, as a fill
// by scripts/benchfill leaves it, in an in-memory store.
func benchState(b *testing.B, n int) (*Profile, []byte, *cachetest.Store) {
	p := &Profile{UserID: uuid.NewString()}
	ak := crypto.NewKey()
	vault := uuid.NewString()
	st := &cacheState{Cursor: int64(n), FileID: uuid.NewString(), FileEnd: int64(n) * 1200,
		Manifests: []api.Manifest{{VaultID: vault, Version: uint64(n), Count: uint64(n), ItemsHash: make([]byte, 32), SignerID: p.UserID, Sig: make([]byte, 64)}}}
	for i := range n {
		st.Items = append(st.Items, cacheEntry{ID: uuid.NewString(), VaultID: vault, Type: "login", Head: 1, HeadHash: crypto.NewKey(),
			UpdatedAt: 1_760_000_000_000_000_000 + int64(i), Time: 1_760_000_000_000, Off: uint64(i) * 1200, Len: 1200,
			Summary: itemSummary{Name: fmt.Sprint("site-", i), Username: fmt.Sprintf("user-%d@example.com", i),
				URLs: []string{fmt.Sprintf("https://site%d.example.com/login", i)}, Tags: []string{"bench"}}})
	}
	store := &cachetest.Store{}
	sealed, err := crypto.SealCache(crypto.DeviceCacheKey(ak, p.UserID), p.UserID, 1, st.encode())
	if err != nil {
		b.Fatal(err)
	}
	store.WriteState(sealed)
	store.Append(st.FileID, make([]byte, st.FileEnd), true)
	return p, ak, store
}

// BenchmarkUseCache10000: open a warm device cache of 10,000 items (read,
// open, decode, restore the session's items and marks): the fixed cost of
// every command in such a vault before its delta sync.
func BenchmarkUseCache10000(b *testing.B) {
	p, ak, store := benchState(b, 10000)
	b.ReportAllocs()
	for b.Loop() {
		s := newSession(p, ak, nil, nil, Options{})
		if warning, err := s.UseCache(store); err != nil || warning != "" || !s.CacheInUse() {
			b.Fatal(warning, err)
		}
	}
}
