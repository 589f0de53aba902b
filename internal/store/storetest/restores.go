package storetest

import (
	"testing"
	"time"

	"github.com/coffer-pm/coffer/internal/store"
)

func init() {
	extraTests = append(extraTests, namedTest{name: "RestoreMarks", fn: testRestoreMarks})
}

// testRestoreMarks (issue 28, docs/protocol.md §9.1): a database never
// restored declares nothing; each MarkRestored declares a generation
// above the last one and above the restore's time in milliseconds, with
// the time of the newest item change the database holds; LastRestore
// serves the newest.
func testRestoreMarks(t *testing.T, s store.Store) {
	if m, err := s.LastRestore(ctx); err != nil || m != (store.RestoreMark{}) {
		t.Fatalf("LastRestore of a fresh database = %+v %v, want none", m, err)
	}
	// No items yet: the state is of no time.
	first, err := s.MarkRestored(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	if first.Generation != uint64(now.UnixMilli()) || !first.RestoredAt.Equal(now) || !first.StateAt.IsZero() {
		t.Fatalf("first MarkRestored = %+v", first)
	}
	a, v := newAccount(t, s, "restore-marks@example.com")
	it := newItem(t, s, a.ID, v.ID, "x")
	// A restore with a clock behind the last one still goes up.
	second, err := s.MarkRestored(ctx, now.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if second.Generation != first.Generation+1 || !second.StateAt.Equal(it.UpdatedAt) {
		t.Fatalf("second MarkRestored = %+v, want generation %d, state at %v", second, first.Generation+1, it.UpdatedAt)
	}
	later := now.Add(24 * time.Hour)
	third, err := s.MarkRestored(ctx, later)
	if err != nil {
		t.Fatal(err)
	}
	if third.Generation != uint64(later.UnixMilli()) {
		t.Fatalf("third MarkRestored = %+v", third)
	}
	if got, err := s.LastRestore(ctx); err != nil || got != third {
		t.Fatalf("LastRestore = %+v %v, want %+v", got, err, third)
	}
}
