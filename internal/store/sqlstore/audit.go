package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/coffer-pm/coffer/internal/crypto"
	"github.com/coffer-pm/coffer/internal/store"
)

const auditColumns = `org_id, seq, prev_hash, time_ms, actor_id, action, target, source, statement, statement_sig, hash`

// appendAudit appends the request's pending audit entries (store.Audit)
// inside tx, the transaction of the action they record. The caller took
// the change counter's lock first (lockSeq), so appends to one
// organisation's log are serialised even when it has no row to lock yet;
// the newest row is read FOR UPDATE all the same, so that the log's own
// invariant does not rest on another table's lock.
func (s *Store) appendAudit(ctx context.Context, tx *sql.Tx, entries []store.AuditEntry) error {
	for _, e := range entries {
		if err := s.appendAuditEntry(ctx, tx, e); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) appendAuditEntry(ctx context.Context, tx *sql.Tx, e store.AuditEntry) error {
	var seq int64
	var prev []byte
	err := tx.QueryRowContext(ctx, s.q(`SELECT seq, hash FROM audit_log WHERE org_id = ? ORDER BY seq DESC LIMIT 1`+s.dialect.ForUpdate), e.OrgID).Scan(&seq, &prev)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		seq, prev = 0, crypto.ZeroHash()
	case err != nil:
		return err
	}
	e.Seq, e.PrevHash = uint64(seq)+1, prev
	e.Hash = crypto.AuditEntryHash(crypto.AuditEntry{OrgID: e.OrgID, Seq: e.Seq, PrevHash: e.PrevHash, Time: e.TimeMS, ActorID: e.ActorID,
		Action: e.Action, Target: e.Target, Source: e.Source, Statement: e.Statement, StatementSig: e.StatementSig})
	_, err = tx.ExecContext(ctx, s.q(`INSERT INTO audit_log (`+auditColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		e.OrgID, int64(e.Seq), e.PrevHash, int64(e.TimeMS), e.ActorID, e.Action, nonNil(e.Target), e.Source,
		nonNil(e.Statement), nonNil(e.StatementSig), e.Hash)
	return err
}

// nonNil: database/sql sends a nil slice as NULL.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

func (s *Store) AuditLog(ctx context.Context, orgID string, afterSeq uint64, limit int) ([]store.AuditEntry, error) {
	rows, err := s.r.QueryContext(ctx, s.q(`SELECT `+auditColumns+` FROM audit_log WHERE org_id = ? AND seq > ? ORDER BY seq LIMIT ?`), orgID, int64(afterSeq), limit)
	if err != nil {
		return nil, s.wrap(err)
	}
	defer rows.Close()
	var out []store.AuditEntry
	for rows.Next() {
		var e store.AuditEntry
		var seq, t int64
		if err := rows.Scan(&e.OrgID, &seq, &e.PrevHash, &t, &e.ActorID, &e.Action, &e.Target, &e.Source, &e.Statement, &e.StatementSig, &e.Hash); err != nil {
			return nil, s.wrap(err)
		}
		e.Seq, e.TimeMS = uint64(seq), uint64(t)
		out = append(out, e)
	}
	return out, s.wrap(rows.Err())
}
