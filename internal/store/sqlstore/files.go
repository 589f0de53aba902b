package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/coffer-pm/coffer/internal/store"
)

func (s *Store) CreateFile(ctx context.Context, f store.File) error {
	_, err := s.w.ExecContext(ctx, s.q(`INSERT INTO files (id, vault_id, size, chunk_count, creator_id, created_at) VALUES (?, ?, ?, ?, ?, ?)`),
		f.ID, f.VaultID, f.Size, f.ChunkCount, f.CreatorID, ms(f.CreatedAt))
	return s.wrap(err)
}

func (s *Store) File(ctx context.Context, id string) (store.File, error) {
	var f store.File
	var created int64
	err := s.r.QueryRowContext(ctx, s.q(`SELECT f.id, f.vault_id, f.size, f.chunk_count, f.creator_id, f.created_at,
			(SELECT COUNT(*) FROM file_chunks c WHERE c.file_id = f.id)
		FROM files f WHERE f.id = ?`), id).Scan(&f.ID, &f.VaultID, &f.Size, &f.ChunkCount, &f.CreatorID, &created, &f.Uploaded)
	f.CreatedAt = fromMS(created)
	return f, s.wrap(err)
}

func (s *Store) PutChunk(ctx context.Context, fileID string, idx int, data []byte) error {
	_, err := s.w.ExecContext(ctx, s.q(`INSERT INTO file_chunks (file_id, idx, data) VALUES (?, ?, ?)`), fileID, idx, data)
	return s.wrap(err)
}

func (s *Store) Chunk(ctx context.Context, fileID string, idx int) ([]byte, error) {
	var data []byte
	err := s.r.QueryRowContext(ctx, s.q(`SELECT data FROM file_chunks WHERE file_id = ? AND idx = ?`), fileID, idx).Scan(&data)
	return data, s.wrap(err)
}

func (s *Store) LinkFiles(ctx context.Context, itemID string, fileIDs []string) error {
	return s.tx(ctx, func(tx *sql.Tx) error { return s.linkFiles(ctx, tx, itemID, fileIDs) })
}

// linkFiles links files to an item inside tx. The unique index on
// item_files(file_id) keeps a file to one item even between concurrent
// writers: the insert of the second waits for the first and then does
// nothing, and the check after it sees the other item's link.
func (s *Store) linkFiles(ctx context.Context, tx *sql.Tx, itemID string, fileIDs []string) error {
	for _, f := range fileIDs {
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO item_files (item_id, file_id) VALUES (?, ?) ON CONFLICT DO NOTHING`), itemID, f); err != nil {
			return err
		}
		var owner string
		if err := tx.QueryRowContext(ctx, s.q(`SELECT item_id FROM item_files WHERE file_id = ?`), f).Scan(&owner); err != nil {
			return err
		}
		if owner != itemID {
			return store.ErrFileTaken
		}
	}
	return nil
}

func (s *Store) ItemFiles(ctx context.Context, itemID string) ([]string, error) {
	return s.strings(ctx, `SELECT file_id FROM item_files WHERE item_id = ? ORDER BY file_id`, itemID)
}

func (s *Store) FileItem(ctx context.Context, fileID string) (string, error) {
	ids, err := s.strings(ctx, `SELECT item_id FROM item_files WHERE file_id = ?`, fileID)
	if err != nil || len(ids) == 0 {
		return "", err
	}
	return ids[0], nil
}

func (s *Store) PurgeItem(ctx context.Context, itemID string, at time.Time, manifests ...store.Manifest) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var vaultID string
		var trashed int64
		if err := tx.QueryRowContext(ctx, s.q(`SELECT vault_id, trashed_at FROM items WHERE id = ?`), itemID).Scan(&vaultID, &trashed); err != nil {
			return err
		}
		if trashed == 0 {
			return &store.ConflictError{}
		}
		seq, err := s.seqAndEmit(ctx, tx, store.Event{Kind: store.EventItemPurged, VaultID: vaultID, ItemID: itemID})
		if err != nil {
			return err
		}
		for _, q := range []string{
			// Files only this item refers to go with it.
			`DELETE FROM files WHERE id IN (SELECT file_id FROM item_files WHERE item_id = ?)
				AND id NOT IN (SELECT file_id FROM item_files WHERE item_id <> ?)`,
		} {
			if _, err := tx.ExecContext(ctx, s.q(q), itemID, itemID); err != nil {
				return err
			}
		}
		for _, q := range []string{
			`DELETE FROM item_files WHERE item_id = ?`,
			`DELETE FROM item_key_wraps WHERE item_id = ?`,
			`DELETE FROM revisions WHERE item_id = ?`,
			`DELETE FROM items WHERE id = ?`,
		} {
			if _, err := tx.ExecContext(ctx, s.q(q), itemID); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO purged_items (item_id, vault_id, seq, purged_at) VALUES (?, ?, ?, ?)`), itemID, vaultID, seq, ms(at)); err != nil {
			return err
		}
		return s.putManifests(ctx, tx, []string{vaultID}, manifests)
	})
}

func (s *Store) PurgedSince(ctx context.Context, userID string, since, until int64) ([]string, error) {
	rows, err := s.r.QueryContext(ctx, s.q(`SELECT item_id FROM purged_items WHERE seq > ? AND seq <= ?
		AND vault_id IN (SELECT vault_id FROM (`+userGrants+`) g) ORDER BY seq`), since, until, userID, userID)
	if err != nil {
		return nil, s.wrap(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, s.wrap(err)
		}
		out = append(out, id)
	}
	return out, s.wrap(rows.Err())
}
