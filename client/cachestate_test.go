package client

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"flag"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/coffer-pm/coffer/internal/api"
)

var updateVectors = flag.Bool("update", false, "rewrite testdata/cache_state.json (only when the format deliberately changes)")

const cacheStateVectorPath = "testdata/cache_state.json"

// vectorState is the state of docs/protocol.md §16.2's vector: one vault
// manifest, a live login with a summary and a trashed note.
func vectorState() *cacheState {
	return &cacheState{
		Cursor: 1234, FileID: "0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0", FileEnd: 2048,
		Manifests: []api.Manifest{{VaultID: "20551324-3e48-4bda-b487-784ea10585cb", Version: 9, Count: 2,
			ItemsHash: bytes.Repeat([]byte{0xab}, 32), SignerID: "5c2f1e4d-8a7b-4c6d-9e0f-1a2b3c4d5e6f", Time: 1_760_000_000_123, Sig: bytes.Repeat([]byte{0xcd}, 64)}},
		Items: []cacheEntry{
			{ID: "22257043-d7d4-47d3-b444-02b642a1a0da", VaultID: "20551324-3e48-4bda-b487-784ea10585cb", Type: "login", Head: 3,
				HeadHash: bytes.Repeat([]byte{0x11}, 32), UpdatedAt: 1_760_000_000_123_456_789, Time: 1_760_000_000_100, Off: 0, Len: 1024,
				Summary: itemSummary{Name: "Bank", Username: "laura", URLs: []string{"https://bank.example"}, Tags: []string{"money", "home"}, Favorite: true}},
			{ID: "55ebff03-1514-40e1-888e-02aa96ff7ddb", VaultID: "20551324-3e48-4bda-b487-784ea10585cb", Type: "note", Head: 1, Trashed: true,
				HeadHash: bytes.Repeat([]byte{0x22}, 32), UpdatedAt: 1_750_000_000_000_000_000, Time: 1_750_000_000_000, Off: 1024, Len: 1024,
				Summary: itemSummary{Name: "Old note"}},
		},
		Marks: stateMarks{
			Items:     []markedRev{{"0b9ad1e2-7c44-4a4e-9a57-0f6f1d6b1c2a", 4}},
			Manifests: []markedRev{{"20551324-3e48-4bda-b487-784ea10585cb", 9}},
			Rosters:   []markedRev{{"7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d", 2}},
			Keyring:   3,
			Placed:    []placedItem{{"0b9ad1e2-7c44-4a4e-9a57-0f6f1d6b1c2a", "20551324-3e48-4bda-b487-784ea10585cb", true}},
		},
	}
}

type stateVector struct {
	Note    string `json:"note"`
	Payload string `json:"payload"` // hex
}

// TestCacheStateVector: the encoding of vectorState is the one in the
// vector file, and decodes back to it.
func TestCacheStateVector(t *testing.T) {
	st := vectorState()
	enc := st.encode()
	if *updateVectors {
		data, _ := json.MarshalIndent(stateVector{Note: "docs/protocol.md §16.2: client/cachestate_test.go vectorState() encoded", Payload: hex.EncodeToString(enc)}, "", "  ")
		if err := os.WriteFile(cacheStateVectorPath, append(data, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(cacheStateVectorPath)
	if err != nil {
		t.Fatal(err)
	}
	var v stateVector
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	want, err := hex.DecodeString(v.Payload)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(enc, want) {
		t.Fatalf("the state encoding changed (run with -update only if that is deliberate):\n got %x\nwant %x", enc, want)
	}
	got, err := decodeCacheState(want, nil)
	if err != nil || !reflect.DeepEqual(got, st) {
		t.Fatalf("decode: %v\n got %+v\nwant %+v", err, got, st)
	}
}

// TestCacheStateRefusesMalformed: a cut, an extra byte, an unknown flag,
// a forged count or another version never decodes.
func TestCacheStateRefusesMalformed(t *testing.T) {
	enc := vectorState().encode()
	for i := range enc {
		if _, err := decodeCacheState(enc[:i], nil); err == nil {
			t.Fatalf("a state cut to %d of %d bytes decoded", i, len(enc))
		}
	}
	if _, err := decodeCacheState(append(enc, 0), nil); err == nil {
		t.Fatal("a state with a trailing byte decoded")
	}
	other := append([]byte{2}, enc[1:]...)
	if _, err := decodeCacheState(other, nil); err == nil {
		t.Fatal("version 2 decoded")
	}
	unsorted := vectorState()
	unsorted.Marks.Items = append(unsorted.Marks.Items, markedRev{"00000000-0000-4000-8000-000000000000", 1})
	if _, err := decodeCacheState(unsorted.encode(), nil); err == nil {
		t.Fatal("marks out of order decoded")
	}
	// A count of 2^40 manifests, with a handful of bytes behind it.
	w := &stateWriter{}
	w.b = append(w.b, cacheStateVersion)
	w.int(1)
	w.string("f")
	w.int(0)
	w.uint(1 << 40)
	if _, err := decodeCacheState(w.b, nil); err == nil {
		t.Fatal("a forged count decoded")
	}
}

// FuzzCacheState: the decoder never panics, and what it accepts encodes
// back to the same bytes (one encoding per state).
func FuzzCacheState(f *testing.F) {
	f.Add(vectorState().encode())
	f.Add((&cacheState{}).encode())
	unsorted := vectorState()
	unsorted.Marks.Items = append(unsorted.Marks.Items, markedRev{"00000000-0000-4000-8000-000000000000", 1})
	f.Add(unsorted.encode())
	f.Fuzz(func(t *testing.T, b []byte) {
		st, err := decodeCacheState(b, nil)
		if err != nil {
			return
		}
		if again := st.encode(); !bytes.Equal(again, b) {
			t.Fatalf("re-encoding differs:\n%x\n%x", b, again)
		}
	})
}

// TestMarksJSON: Marks' own encoder writes what encoding/json writes for
// the same struct, and it reads back.
func TestMarksJSON(t *testing.T) {
	type plain Marks // without the MarshalJSON method
	for _, m := range []Marks{
		{},
		{Items: map[string]uint64{}, Rosters: map[string]uint64{}},
		{Cache: 7, Items: map[string]uint64{"b": 2, "a": 1, "q\"\\\n\u2028é": 3}, Rosters: map[string]uint64{"o": 4}, Keyring: 5,
			Manifests: map[string]uint64{"v": 9}, Vaults: map[string][]string{"v2": {"x"}, "v1": {"a", "b"}}, Trashed: []string{"a"}},
	} {
		got, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := json.Marshal(plain(m))
		var a, b any
		if json.Unmarshal(got, &a) != nil || json.Unmarshal(want, &b) != nil || !reflect.DeepEqual(a, b) {
			t.Fatalf("MarshalJSON:\n got %s\nwant %s", got, want)
		}
		var back Marks
		if err := json.Unmarshal(got, &back); err != nil {
			t.Fatal(err)
		}
	}
}

// TestContainsFold: the search's case folding is strings.ToLower's.
func TestContainsFold(t *testing.T) {
	hay := []string{"", "Site-333", "https://EXAMPLE.com/Login", "Ünïcode Ǆ", "\u212Aelvin", "a\xffb", "ß"}
	queries := []string{"", "site", "SITE-3", "example.COM", "ünï", "ǆ", "kelvin", "\u212A", "\xff", "ss", "x"}
	for _, h := range hay {
		for _, q := range queries {
			lower := strings.ToLower(q)
			if got, want := containsFold(h, lower), strings.Contains(strings.ToLower(h), lower); got != want {
				t.Errorf("containsFold(%q, %q) = %v, want %v", h, lower, got, want)
			}
		}
	}
}
