package store

import (
	"context"
	"sync"
)

// AuditEntry is one entry of an organisation's audit log
// (docs/protocol.md §18.7). Seq, PrevHash and Hash are the store's: it
// takes the next number and links the entry to the organisation's newest
// one (crypto.AuditEntryHash) when it appends it.
type AuditEntry struct {
	OrgID        string
	Seq          uint64
	PrevHash     []byte
	TimeMS       uint64 // the server's clock, Unix milliseconds
	ActorID      string // "" for the server itself
	Action       string
	Target       []byte // JSON of the ids concerned (api.AuditTarget)
	Source       string // the client's address as the server saw it
	Statement    []byte
	StatementSig []byte
	Hash         []byte
}

// AuditStore is the audit part of Store.
type AuditStore interface {
	// AuditLog returns up to limit entries of the organisation's log with
	// seq > afterSeq, oldest first.
	AuditLog(ctx context.Context, orgID string, afterSeq uint64, limit int) ([]AuditEntry, error)
}

// An audited action is recorded in the transaction that performs it: the
// handler registers the entry with the request's context (Audit) just
// before the store call that performs the action, and the store's next
// write transaction of that request appends it — so an action without
// its entry, or an entry without its action, cannot be committed. The
// same mechanism as Require (requirements.go), for the same reason: the
// store's methods keep their signatures, and every write path gets it.

type auditPending struct {
	mu   sync.Mutex
	list []AuditEntry
	// eachOrg is the entry of an action whose organisations the store
	// finds inside its transaction (AuditEachOrg).
	eachOrg *AuditEntry
}

type auditKey struct{}

// WithAudit returns a context whose write transactions append the
// entries Audit registers in it: one per request.
func WithAudit(ctx context.Context) context.Context {
	return context.WithValue(ctx, auditKey{}, &auditPending{})
}

// Audit registers entries for the request's next write transaction.
// Without WithAudit it panics: an audited action must never be performed
// unrecorded by a caller that forgot the context.
func Audit(ctx context.Context, entries ...AuditEntry) {
	p, _ := ctx.Value(auditKey{}).(*auditPending)
	if p == nil {
		panic("store.Audit without store.WithAudit")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.list = append(p.list, entries...)
}

// PendingAudit returns the entries registered and not yet written.
func PendingAudit(ctx context.Context) []AuditEntry {
	p, _ := ctx.Value(auditKey{}).(*auditPending)
	if p == nil {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]AuditEntry(nil), p.list...)
}

// AuditWritten drops the first n pending entries: their transaction
// committed.
func AuditWritten(ctx context.Context, n int) {
	p, _ := ctx.Value(auditKey{}).(*auditPending)
	if p == nil || n == 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.list = append([]AuditEntry(nil), p.list[min(n, len(p.list)):]...)
}

// AuditEachOrg registers the entry of an action that concerns every
// organisation the store finds inside the action's transaction — account
// deletion, which departs from each organisation the account is in then:
// the store appends e once per such organisation, with its OrgID, in that
// transaction (so no concurrent confirmation or removal can leave one
// unrecorded or recorded wrongly). Without WithAudit it panics.
func AuditEachOrg(ctx context.Context, e AuditEntry) {
	p, _ := ctx.Value(auditKey{}).(*auditPending)
	if p == nil {
		panic("store.AuditEachOrg without store.WithAudit")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.eachOrg = &e
}

// EachOrgAudit returns the entry AuditEachOrg registered, if any.
func EachOrgAudit(ctx context.Context) (AuditEntry, bool) {
	p, _ := ctx.Value(auditKey{}).(*auditPending)
	if p == nil {
		return AuditEntry{}, false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.eachOrg == nil {
		return AuditEntry{}, false
	}
	return *p.eachOrg, true
}
