package client

import (
	"encoding/binary"
	"errors"
	"math"

	"github.com/coffer-pm/coffer/internal/api"
)

// The device cache's state (docs/protocol.md §16.2) is a compact binary
// encoding, not JSON: every command reads it whole, and at 100,000 items
// the difference is tens of milliseconds. It is only ever read after the
// AEAD of the container authenticated it; the decoder is strict all the
// same (every length bounded by what is left, nothing left over).

// cacheStateVersion is the first byte of a state payload.
const cacheStateVersion = 1

// cacheState is what a device cache holds: the sync cursor, the manifests
// its items were last matched against, and one index entry per item.
type cacheState struct {
	Cursor    int64
	FileID    string // the record file the entries point into
	FileEnd   int64  // bytes of that file written when the state was
	Manifests []api.Manifest
	Items     []cacheEntry
	Marks     stateMarks
}

// stateMarks are the device's high-water marks when the state was written,
// beyond what the entries imply (an entry implies its item's mark at its
// head, in its vault, in or out of the trash): used instead of the marks
// file when the state is the generation the device last wrote (§16.5).
type stateMarks struct {
	Items     []markedRev // items not held at their mark
	Manifests []markedRev
	Rosters   []markedRev
	Keyring   uint64
	Placed    []placedItem // items last verified in a vault, not held
}

type markedRev struct {
	ID  string
	Rev uint64
}

type placedItem struct {
	ID, VaultID string
	Trashed     bool
}

// cacheEntry is one verified item: what the vault manifest lists for it,
// where its record is, and the summary that lists and searches need, so
// that neither has to open an item body.
type cacheEntry struct {
	ID, VaultID, Type string
	Head              uint64
	Trashed           bool
	HeadHash          []byte
	UpdatedAt         int64 // Unix ns, the server's clock
	Time              int64 // Unix ms, the author's signed clock
	Off, Len          uint64
	Summary           itemSummary
}

// itemSummary is the part of an item's content that listing and search
// show: never a password, a note, a card number or a secret field.
type itemSummary struct {
	Name, Username string
	URLs, Tags     []string
	Favorite       bool
}

const (
	flagTrashed  = 1
	flagFavorite = 2
)

type stateWriter struct{ b []byte }

func (w *stateWriter) uint(v uint64)   { w.b = binary.AppendUvarint(w.b, v) }
func (w *stateWriter) int(v int64)     { w.b = binary.AppendVarint(w.b, v) }
func (w *stateWriter) bytes(p []byte)  { w.uint(uint64(len(p))); w.b = append(w.b, p...) }
func (w *stateWriter) string(s string) { w.uint(uint64(len(s))); w.b = append(w.b, s...) }
func (w *stateWriter) strings(l []string) {
	w.uint(uint64(len(l)))
	for _, s := range l {
		w.string(s)
	}
}

func (st *cacheState) encode() []byte {
	w := &stateWriter{b: make([]byte, 0, 64+len(st.Items)*160)}
	w.b = append(w.b, cacheStateVersion)
	w.int(st.Cursor)
	w.string(st.FileID)
	w.int(st.FileEnd)
	w.uint(uint64(len(st.Manifests)))
	for _, m := range st.Manifests {
		w.string(m.VaultID)
		w.uint(m.Version)
		w.uint(m.Count)
		w.bytes(m.ItemsHash)
		w.string(m.SignerID)
		w.int(m.Time)
		w.bytes(m.Sig)
	}
	w.uint(uint64(len(st.Items)))
	for _, e := range st.Items {
		w.string(e.ID)
		w.string(e.VaultID)
		w.string(e.Type)
		w.uint(e.Head)
		var flags uint64
		if e.Trashed {
			flags |= flagTrashed
		}
		if e.Summary.Favorite {
			flags |= flagFavorite
		}
		w.uint(flags)
		w.bytes(e.HeadHash)
		w.int(e.UpdatedAt)
		w.int(e.Time)
		w.uint(e.Off)
		w.uint(e.Len)
		w.string(e.Summary.Name)
		w.string(e.Summary.Username)
		w.strings(e.Summary.URLs)
		w.strings(e.Summary.Tags)
	}
	for _, l := range [][]markedRev{st.Marks.Items, st.Marks.Manifests, st.Marks.Rosters} {
		w.uint(uint64(len(l)))
		for _, m := range l {
			w.string(m.ID)
			w.uint(m.Rev)
		}
	}
	w.uint(st.Marks.Keyring)
	w.uint(uint64(len(st.Marks.Placed)))
	for _, p := range st.Marks.Placed {
		w.string(p.ID)
		w.string(p.VaultID)
		var t uint64
		if p.Trashed {
			t = 1
		}
		w.uint(t)
	}
	return w.b
}

var errBadState = errors.New("the cache state does not decode")

// stateReader decodes a payload. Strings are cut from one copy of the
// whole payload (s, which b is the rest of), not allocated one by one: at
// 10,000 items that is 100,000 allocations fewer.
type stateReader struct {
	b       []byte
	s       string // the payload as a string, from b's start on (if shared)
	shared  bool
	lax     bool // a scan: lengths are checked, the shortest form is not
	err     error
	scratch [binary.MaxVarintLen64]byte
}

func (r *stateReader) fail() { r.err, r.b, r.s = errBadState, nil, "" }

// uint reads a varint in its one shortest form: a state has exactly one
// encoding.
func (r *stateReader) uint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 || !r.lax && n != len(binary.AppendUvarint(r.scratch[:0], v)) {
		r.fail()
		return 0
	}
	r.skip(n)
	return v
}

func (r *stateReader) int() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 || !r.lax && n != len(binary.AppendVarint(r.scratch[:0], v)) {
		r.fail()
		return 0
	}
	r.skip(n)
	return v
}

func (r *stateReader) skip(n int) {
	r.b = r.b[n:]
	if r.shared {
		r.s = r.s[n:]
	}
}

// count reads a length that must fit what is left, at least min bytes
// each (so that a forged count cannot make the decoder allocate).
func (r *stateReader) count(min int) int {
	n := r.uint()
	if r.err != nil || n > uint64(len(r.b)/min) {
		r.fail()
		return 0
	}
	return int(n)
}

func (r *stateReader) bytes() []byte {
	n := r.count(1)
	if r.err != nil {
		return nil
	}
	p := r.b[:n:n] // capped: an append copies, never writes into the payload
	r.skip(n)
	return p
}

func (r *stateReader) string() string {
	n := r.count(1)
	if r.err != nil {
		return ""
	}
	var s string
	if r.shared {
		s = r.s[:n]
	} else {
		s = string(r.b[:n])
	}
	r.skip(n)
	return s
}

func (r *stateReader) strings() []string {
	n := r.count(1)
	if n == 0 {
		return nil
	}
	out := make([]string, n)
	for i := range out {
		out[i] = r.string()
	}
	return out
}

// entry reads one entry.
func (r *stateReader) entry(e *cacheEntry) {
	e.ID, e.VaultID, e.Type, e.Head = r.string(), r.string(), r.string(), r.uint()
	flags := r.uint()
	e.Trashed, e.Summary.Favorite = flags&flagTrashed != 0, flags&flagFavorite != 0
	e.HeadHash, e.UpdatedAt, e.Time, e.Off, e.Len = r.bytes(), r.int(), r.int(), r.uint(), r.uint()
	e.Summary.Name, e.Summary.Username, e.Summary.URLs, e.Summary.Tags = r.string(), r.string(), r.strings(), r.strings()
	if flags > flagTrashed|flagFavorite || e.Len == 0 || e.Len > math.MaxInt32 {
		r.fail()
	}
}

// entryView is an entry as scanEntries shows it: the fields a lookup or a
// search looks at, as views into the payload (nothing copied), and where
// the entry starts, to decode it whole (entryAt) when it is the one.
type entryView struct {
	id, vaultID, name, username []byte
	urls, tags                  [][]byte // reused from one entry to the next
	trashed                     bool
	at                          int
}

// scanEntries hands every entry of a state payload to fn as a view: a
// lookup in 10,000 items without building any of them.
func scanEntries(b []byte, fn func(v *entryView)) error {
	if len(b) == 0 || b[0] != cacheStateVersion {
		return errBadState
	}
	r := &stateReader{b: b[1:], lax: true}
	r.head()
	n := r.count(14)
	var v entryView
	for range n {
		v.at = len(b) - len(r.b)
		v.id, v.vaultID = r.bytes(), r.bytes()
		r.bytes() // type
		r.uint()  // head
		v.trashed = r.uint()&flagTrashed != 0
		r.bytes() // head hash
		r.int()   // updated
		r.int()   // time
		r.uint()  // record offset
		r.uint()  // record length
		v.name, v.username = r.bytes(), r.bytes()
		v.urls, v.tags = r.byteLists(v.urls[:0]), r.byteLists(v.tags[:0])
		if r.err != nil {
			return errBadState
		}
		fn(&v)
	}
	return nil
}

func (r *stateReader) byteLists(out [][]byte) [][]byte {
	n := r.count(1)
	for range n {
		out = append(out, r.bytes())
	}
	return out
}

// entryAt decodes the whole entry at offset at of a state payload (as
// scanEntries found it).
func entryAt(b []byte, at int) (cacheEntry, error) {
	var e cacheEntry
	if at <= 0 || at >= len(b) {
		return e, errBadState
	}
	r := &stateReader{b: b[at:]}
	r.entry(&e)
	return e, r.err
}

// head reads what comes before the entries: cursor, record file and
// manifests.
func (r *stateReader) head() *cacheState {
	st := &cacheState{Cursor: r.int(), FileID: r.string(), FileEnd: r.int()}
	st.Manifests = make([]api.Manifest, r.count(7))
	for i := range st.Manifests {
		m := &st.Manifests[i]
		m.VaultID, m.Version, m.Count, m.ItemsHash, m.SignerID, m.Time, m.Sig = r.string(), r.uint(), r.uint(), r.bytes(), r.string(), r.int(), r.bytes()
	}
	return st
}

// decodeCacheHead decodes only the head of a state payload (no copy of
// the rest): what a command needs before its delta sync.
func decodeCacheHead(b []byte) (*cacheState, error) {
	if len(b) == 0 || b[0] != cacheStateVersion {
		return nil, errBadState
	}
	r := &stateReader{b: b[1:]}
	st := r.head()
	if r.err != nil || st.Cursor < 0 || st.FileEnd < 0 {
		return nil, errBadState
	}
	return st, nil
}

// marks reads a list of (id, number) sorted by id, each id once.
func (r *stateReader) marks() []markedRev {
	n := r.count(2)
	if n == 0 {
		return nil
	}
	out := make([]markedRev, n)
	for i := range out {
		out[i] = markedRev{r.string(), r.uint()}
		if i > 0 && out[i-1].ID >= out[i].ID {
			r.fail()
		}
	}
	return out
}

// decodeCacheState decodes a state payload. With visit, each entry is
// handed to it as it is decoded, with their number (the pointer is reused;
// it copies what it keeps) instead of being collected in Items. A session
// builds its items straight from the payload.
func decodeCacheState(b []byte, visit func(i, n int, e *cacheEntry)) (*cacheState, error) {
	if len(b) == 0 || b[0] != cacheStateVersion {
		return nil, errBadState
	}
	r := &stateReader{b: b[1:], s: string(b[1:]), shared: true}
	st := r.head()
	n := r.count(14)
	if visit == nil {
		st.Items = make([]cacheEntry, n)
	}
	var one cacheEntry
	for i := range n {
		e := &one
		if visit == nil {
			e = &st.Items[i]
		}
		r.entry(e)
		if visit != nil && r.err == nil {
			visit(i, n, e)
		}
	}
	st.Marks.Items, st.Marks.Manifests, st.Marks.Rosters = r.marks(), r.marks(), r.marks()
	st.Marks.Keyring = r.uint()
	if n := r.count(3); n > 0 {
		st.Marks.Placed = make([]placedItem, n)
	}
	for i := range st.Marks.Placed {
		p := &st.Marks.Placed[i]
		p.ID, p.VaultID = r.string(), r.string()
		switch r.uint() {
		case 0:
		case 1:
			p.Trashed = true
		default:
			r.fail()
		}
		if i > 0 && st.Marks.Placed[i-1].ID >= p.ID {
			r.fail() // one order, one encoding
		}
	}
	if r.err != nil || len(r.b) != 0 || st.Cursor < 0 || st.FileEnd < 0 {
		return nil, errBadState
	}
	return st, nil
}
