package server

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/coffer-pm/coffer/internal/store"
)

// TestSyncItemEncodingMatchesJSON: a sync's item, written by hand around
// the stored head encoding, is byte for byte what encoding/json gives for
// the item read from its columns (what the client verified before).
func TestSyncItemEncodingMatchesJSON(t *testing.T) {
	at := time.UnixMilli(1760000000123).UTC()
	rev := store.Revision{Revision: 3, VaultID: "v1", OrgID: "o<1>", KeyEpoch: 2, Type: "login", AuthorID: "a1", Time: 42,
		PrevHash: []byte{}, Blob: []byte("blob\x00\xff"), Sig: []byte("sig"), CreatedAt: at}
	cases := []store.ItemState{
		{Item: store.Item{ID: "i1", VaultID: "v1", Type: "login", Head: 3, CreatedAt: at, UpdatedAt: at.Add(time.Second), Seq: 9}, HeadRevision: rev},
		{Item: store.Item{ID: "i2", VaultID: "v1", Type: "note<&>\u2028é\"\\\n", Head: 1, Trashed: true, TrashedAt: at.Add(5 * time.Millisecond),
			CreatedAt: time.UnixMilli(1).UTC(), UpdatedAt: at, Seq: 1 << 62}, HeadRevision: rev,
			KeyWraps: []store.ItemKeyWrap{{KeyVault: "v1", KeyEpoch: 1, WrapVault: "v1", WrapEpoch: 1, Wrap: []byte("w")},
				{KeyVault: "v1", KeyEpoch: 2, WrapVault: "v2", WrapEpoch: 7, Wrap: nil}, {KeyVault: "v1", KeyEpoch: 2, WrapVault: "v3", WrapEpoch: 1, Wrap: []byte{}}}},
		{Item: store.Item{ID: "", VaultID: "", Type: ""}, HeadRevision: store.Revision{}},
	}
	for _, st := range cases {
		want, err := json.Marshal(itemToAPI(st))
		if err != nil {
			t.Fatal(err)
		}
		head, err := json.Marshal(revisionToAPI(st.HeadRevision))
		if err != nil {
			t.Fatal(err)
		}
		st.HeadJSON = head
		got, err := appendSyncItem(nil, st)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("item %q:\n got %s\nwant %s (%v)", st.ID, got, want, err)
		}
	}
	// A time json.Marshal refuses fails the same way.
	st := cases[0]
	st.UpdatedAt = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	if _, err := appendSyncItem(nil, st); err == nil {
		t.Error("a year past 9999 was encoded")
	}
}
