package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/coffer-pm/coffer/internal/crypto"
	"github.com/coffer-pm/coffer/internal/store"
)

func init() {
	extraTests = append(extraTests,
		namedTest{name: "AuditLogAppendsInTheActionsTransaction", fn: testAuditAppend},
		namedTest{name: "AuditLogConcurrentAppendsStayChained", fn: testAuditConcurrent},
	)
}

// audited is a context whose next write appends entries to the log.
func audited(entries ...store.AuditEntry) context.Context {
	c := store.WithAudit(ctx)
	store.Audit(c, entries...)
	return c
}

func auditEntry(orgID, actor, action string, n int) store.AuditEntry {
	return store.AuditEntry{OrgID: orgID, TimeMS: uint64(now.UnixMilli()) + uint64(n), ActorID: actor, Action: action,
		Target: []byte(fmt.Sprintf(`{"n":%d}`, n)), Source: "192.0.2.1", Statement: []byte("stmt"), StatementSig: []byte("sig")}
}

// checkChain checks seq 1..n, prev hashes and hashes as the client does.
func checkChain(t *testing.T, list []store.AuditEntry) {
	t.Helper()
	prev := crypto.ZeroHash()
	for i, e := range list {
		h := crypto.AuditEntryHash(crypto.AuditEntry{OrgID: e.OrgID, Seq: e.Seq, PrevHash: e.PrevHash, Time: e.TimeMS, ActorID: e.ActorID,
			Action: e.Action, Target: e.Target, Source: e.Source, Statement: e.Statement, StatementSig: e.StatementSig})
		if e.Seq != uint64(i+1) || !crypto.Equal(e.PrevHash, prev) || !crypto.Equal(e.Hash, h) {
			t.Fatalf("entry %d: seq %d, chain or hash broken", i+1, e.Seq)
		}
		prev = h
	}
}

// testAuditAppend: an entry registered with the request's context is
// appended by its next write transaction, chained; a write that fails
// appends nothing; reads page by seq; logs are per organisation and go
// with their organisation.
func testAuditAppend(t *testing.T, s store.Store) {
	owner, _ := newAccount(t, s, "owner@example.com")
	o := newOrg(t, s, owner)
	other := newOrg(t, s, owner)
	for i := 1; i <= 3; i++ {
		if err := s.SetOrgMeta(audited(auditEntry(o.ID, owner.ID, "rename", i)), o.ID, []byte(fmt.Sprint("meta ", i))); err != nil {
			t.Fatal(err)
		}
	}
	// Two entries in one transaction, in order.
	if err := s.SetOrgMeta(audited(auditEntry(o.ID, owner.ID, "rename", 4), auditEntry(o.ID, "", "join", 5)), o.ID, []byte("meta 4")); err != nil {
		t.Fatal(err)
	}
	// A failing action records nothing.
	c := audited(auditEntry(o.ID, owner.ID, "rename", 99))
	if err := s.SetOrgMeta(c, id(), []byte("m")); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("rename of a missing org: %v", err)
	}
	if len(store.PendingAudit(c)) != 1 {
		t.Fatal("a rolled back entry is no longer pending")
	}
	if err := s.SetOrgMeta(audited(auditEntry(other.ID, owner.ID, "rename", 1)), other.ID, []byte("m")); err != nil {
		t.Fatal(err)
	}
	list, err := s.AuditLog(ctx, o.ID, 0, 100)
	if err != nil || len(list) != 5 {
		t.Fatalf("log: %d entries, %v", len(list), err)
	}
	checkChain(t, list)
	if list[4].Action != "join" || list[4].ActorID != "" || string(list[2].Target) != `{"n":3}` || list[0].Source != "192.0.2.1" {
		t.Fatalf("entries as stored: %+v", list)
	}
	page, err := s.AuditLog(ctx, o.ID, 2, 2)
	if err != nil || len(page) != 2 || page[0].Seq != 3 || page[1].Seq != 4 {
		t.Fatalf("page after 2: %+v %v", page, err)
	}
	if l, _ := s.AuditLog(ctx, other.ID, 0, 100); len(l) != 1 || l[0].Seq != 1 || !crypto.Equal(l[0].PrevHash, crypto.ZeroHash()) {
		t.Fatalf("the other organisation's log: %+v", l)
	}
	if err := s.DeleteOrg(audited(auditEntry(o.ID, owner.ID, "delete", 6)), o.ID, true, now); err != nil {
		t.Fatal(err)
	}
	if l, err := s.AuditLog(ctx, o.ID, 0, 100); err != nil || len(l) != 0 {
		t.Fatalf("a deleted organisation's log: %d entries, %v", len(l), err)
	}
}

// testAuditConcurrent: concurrent actions of one organisation get
// consecutive numbers and one unbroken chain.
func testAuditConcurrent(t *testing.T, s store.Store) {
	owner, _ := newAccount(t, s, "owner@example.com")
	o := newOrg(t, s, owner)
	const n = 12
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- s.SetOrgMeta(audited(auditEntry(o.ID, owner.ID, "rename", i)), o.ID, []byte(fmt.Sprint("m", i)))
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	list, err := s.AuditLog(ctx, o.ID, 0, 100)
	if err != nil || len(list) != n {
		t.Fatalf("log: %d entries, %v", len(list), err)
	}
	checkChain(t, list)
}
