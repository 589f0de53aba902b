package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"

	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/store"
)

// Each item keeps its head revision's API encoding (items.head_json),
// written in the transaction that writes the head, from the head as that
// transaction reads it back: byte for byte what encoding the revision read
// by a sync would give. A full sync then copies these bytes instead of
// reading a revision's eleven columns and encoding them (docs/performance.md).

// encodeHead is a head revision's API encoding, as a sync sends it.
func encodeHead(r store.Revision) ([]byte, error) {
	return json.Marshal(api.Revision{Revision: r.Revision, VaultID: r.VaultID, OrgID: r.OrgID, KeyEpoch: r.KeyEpoch, Type: r.Type,
		AuthorID: r.AuthorID, Time: r.Time, PrevHash: r.PrevHash, Blob: r.Blob, Sig: r.Sig, CreatedAt: r.CreatedAt})
}

// decodeHead is encodeHead's inverse.
func decodeHead(b []byte) (store.Revision, error) {
	var r api.Revision
	if err := json.Unmarshal(b, &r); err != nil {
		return store.Revision{}, err
	}
	return store.Revision{Revision: r.Revision, VaultID: r.VaultID, OrgID: r.OrgID, KeyEpoch: r.KeyEpoch, Type: r.Type,
		AuthorID: r.AuthorID, Time: r.Time, PrevHash: r.PrevHash, Blob: r.Blob, Sig: r.Sig, CreatedAt: r.CreatedAt}, nil
}

// storeHeads writes the head encoding of states, as their write
// transaction read them back (the states answered stay as ItemState reads
// them: without HeadJSON).
func (s *Store) storeHeads(ctx context.Context, tx *sql.Tx, states []store.ItemState) error {
	for i := range states {
		b, err := encodeHead(states[i].HeadRevision)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE items SET head_json = ? WHERE id = ? AND head = ?`),
			b, states[i].ID, states[i].Head); err != nil {
			return err
		}
	}
	return nil
}

// syncPageColumns are what a sync reads of an item: its row and the stored
// head encoding, no join.
const syncPageColumns = `i.id, i.vault_id, i.type, i.head, i.trashed_at, i.created_at, i.updated_at, i.seq, i.head_json`

// syncStates reads the items matching where (ordered) with their stored
// head encodings; an item without one (written before migration 27) has
// its head read and encoded here. An item whose head revision is missing
// keeps an empty HeadJSON: dropHeadless leaves it out, as the join of the
// head revision did before.
func (s *Store) syncStates(ctx context.Context, tx *sql.Tx, where string, args ...any) ([]store.ItemState, error) {
	rows, err := tx.QueryContext(ctx, s.q(`SELECT `+syncPageColumns+` FROM items i WHERE `+where), args...)
	if err != nil {
		return nil, err
	}
	var out []store.ItemState
	var missing []any
	for rows.Next() {
		var st store.ItemState
		var trashed, created, updated int64
		if err := rows.Scan(&st.ID, &st.VaultID, &st.Type, &st.Head, &trashed, &created, &updated, &st.Seq, &st.HeadJSON); err != nil {
			rows.Close()
			return nil, err
		}
		st.TrashedAt, st.CreatedAt, st.UpdatedAt = fromMS(trashed), fromMS(created), fromMS(updated)
		st.Trashed = trashed != 0
		if len(st.HeadJSON) == 0 {
			missing = append(missing, st.ID)
		}
		out = append(out, st)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(missing) == 0 {
		return out, nil
	}
	index := make(map[string]int, len(out))
	for i, st := range out {
		index[st.ID] = i
	}
	for start := 0; start < len(missing); start += 500 {
		batch := missing[start:min(start+500, len(missing))]
		old, err := s.itemStatesNoWraps(ctx, tx, `i.id IN (?`+strings.Repeat(", ?", len(batch)-1)+`)`, batch...)
		if err != nil {
			return nil, err
		}
		for _, st := range old {
			i, ok := index[st.ID]
			if !ok || st.Head != out[i].Head {
				continue
			}
			if out[i].HeadJSON, err = encodeHead(st.HeadRevision); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// dropHeadless drops the states without a head encoding.
func dropHeadless(states []store.ItemState) []store.ItemState {
	out := states[:0]
	for _, st := range states {
		if len(st.HeadJSON) > 0 {
			out = append(out, st)
		}
	}
	return out
}
