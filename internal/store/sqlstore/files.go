package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"time"

	"github.com/coffer-pm/coffer/internal/store"
)

func (s *Store) CreateFile(ctx context.Context, f store.File) error {
	return s.tx(ctx, func(tx *sql.Tx) error { return s.insertFile(ctx, tx, f) })
}

func (s *Store) insertFile(ctx context.Context, tx *sql.Tx, f store.File) error {
	if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO files (id, vault_id, size, chunk_count, creator_id, created_at) VALUES (?, ?, ?, ?, ?, ?)`),
		f.ID, f.VaultID, f.Size, f.ChunkCount, f.CreatorID, ms(f.CreatedAt)); err != nil {
		return err
	}
	return s.addUsage(ctx, tx, f.CreatorID, f.Size, 0)
}

// addUsage adds to an account's running totals of file and revision
// bytes (negative to give back), which the storage quota reads.
func (s *Store) addUsage(ctx context.Context, tx *sql.Tx, userID string, fileBytes, revisionBytes int64) error {
	_, err := tx.ExecContext(ctx, s.q(`INSERT INTO account_usage (user_id, file_bytes, revision_bytes) VALUES (?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET file_bytes = account_usage.file_bytes + excluded.file_bytes,
			revision_bytes = account_usage.revision_bytes + excluded.revision_bytes`), userID, fileBytes, revisionBytes)
	return err
}

func (s *Store) CreateFileWithin(ctx context.Context, f store.File, q store.Quota) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		// Lock the creator's account row: concurrent uploads of one
		// account (on any instance) check and insert one after another.
		var locked string
		if err := tx.QueryRowContext(ctx, s.q(`SELECT id FROM accounts WHERE id = ?`+s.dialect.ForUpdate), f.CreatorID).Scan(&locked); err != nil {
			return err
		}
		u, err := s.usage(ctx, tx, f.CreatorID, q.ExpiredBefore)
		if err != nil {
			return err
		}
		if err := q.Check(u, f.Size, true); err != nil {
			return err
		}
		return s.insertFile(ctx, tx, f)
	})
}

func (s *Store) Usage(ctx context.Context, userID string, expiredBefore time.Time) (store.Usage, error) {
	var u store.Usage
	err := s.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		u, err = s.usage(ctx, tx, userID, expiredBefore)
		return err
	})
	return u, err
}

func (s *Store) UsageBytes(ctx context.Context, userID string) (int64, error) {
	var files, revisions int64
	err := s.r.QueryRowContext(ctx, s.q(`SELECT file_bytes, revision_bytes FROM account_usage WHERE user_id = ?`), userID).Scan(&files, &revisions)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return files + revisions, s.wrap(err)
}

// usage reads an account's running totals and counts its pending uploads:
// those since expiredBefore (an index range) that no item links.
func (s *Store) usage(ctx context.Context, tx *sql.Tx, userID string, expiredBefore time.Time) (store.Usage, error) {
	var u store.Usage
	var files, revisions int64
	err := tx.QueryRowContext(ctx, s.q(`SELECT file_bytes, revision_bytes FROM account_usage WHERE user_id = ?`), userID).Scan(&files, &revisions)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return u, err
	}
	u.Bytes = files + revisions
	err = tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*), CAST(COALESCE(SUM(f.size), 0) AS BIGINT) FROM files f
		WHERE f.creator_id = ? AND f.created_at >= ? AND NOT EXISTS (SELECT 1 FROM item_files l WHERE l.file_id = f.id)`),
		userID, ms(expiredBefore)).Scan(&u.PendingFiles, &u.PendingBytes)
	return u, err
}

// sweepBatch bounds one transaction of the expiry sweep, so that none
// holds many locks or a long write on SQLite.
const sweepBatch = 200

func (s *Store) DeleteExpiredUploads(ctx context.Context, before time.Time) (int, error) {
	total := 0
	for {
		n := 0
		err := s.tx(ctx, func(tx *sql.Tx) error {
			// DELETE … RETURNING: of several instances sweeping at once,
			// only the one that deleted a row gives its bytes back.
			rows, err := tx.QueryContext(ctx, s.q(`DELETE FROM files WHERE id IN (
					SELECT f.id FROM files f WHERE f.created_at < ?
						AND NOT EXISTS (SELECT 1 FROM item_files l WHERE l.file_id = f.id)
					LIMIT `+strconv.Itoa(sweepBatch)+`)
				RETURNING creator_id, size`), ms(before))
			if err != nil {
				return err
			}
			freed := map[string]int64{}
			for rows.Next() {
				var creator string
				var size int64
				if err := rows.Scan(&creator, &size); err != nil {
					rows.Close()
					return err
				}
				freed[creator] += size
				n++
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			for creator, size := range freed {
				if err := s.addUsage(ctx, tx, creator, -size, 0); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return total, err
		}
		total += n
		if n < sweepBatch {
			return total, nil
		}
	}
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
		if err := s.purgeItemTx(ctx, tx, itemID, vaultID, seq, at); err != nil {
			return err
		}
		return s.putManifests(ctx, tx, []string{vaultID}, manifests)
	})
}

// purgeItemTx deletes an item with its revisions, key wraps and the files
// only it refers to, gives their bytes back to the running totals, and
// leaves a tombstone at seq for delta sync.
func (s *Store) purgeItemTx(ctx context.Context, tx *sql.Tx, itemID, vaultID string, seq int64, at time.Time) error {
	// The running totals give back what the purged revisions took to
	// their authors, and the item's files to their uploaders (a file has
	// one item, so all its files go with it).
	if _, err := tx.ExecContext(ctx, s.q(`UPDATE account_usage SET
			revision_bytes = revision_bytes -
				(SELECT COALESCE(SUM(LENGTH(r.blob) + `+strconv.Itoa(store.RevisionOverhead)+`), 0) FROM revisions r WHERE r.item_id = ? AND r.author_id = account_usage.user_id),
			file_bytes = file_bytes -
				(SELECT COALESCE(SUM(f.size), 0) FROM files f JOIN item_files l ON l.file_id = f.id
				 WHERE l.item_id = ? AND f.creator_id = account_usage.user_id)
		WHERE user_id IN (SELECT author_id FROM revisions WHERE item_id = ?)
		   OR user_id IN (SELECT f.creator_id FROM files f JOIN item_files l ON l.file_id = f.id WHERE l.item_id = ?)`),
		itemID, itemID, itemID, itemID); err != nil {
		return err
	}
	// Files only this item refers to go with it.
	if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM files WHERE id IN (SELECT file_id FROM item_files WHERE item_id = ?)
			AND id NOT IN (SELECT file_id FROM item_files WHERE item_id <> ?)`), itemID, itemID); err != nil {
		return err
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
	// An id purged before and used again (ids are the client's) keeps one
	// tombstone, the newest: a conflict must not make a purge fail.
	_, err := tx.ExecContext(ctx, s.q(`INSERT INTO purged_items (item_id, vault_id, seq, purged_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (item_id) DO UPDATE SET vault_id = excluded.vault_id, seq = excluded.seq, purged_at = excluded.purged_at`), itemID, vaultID, seq, ms(at))
	return err
}

func (s *Store) PurgedSince(ctx context.Context, userID string, since, until int64) ([]string, error) {
	return s.purgedSince(ctx, s.r, userID, since, until)
}

// purgedSince is PurgedSince on q: the reader pool, or a sync's snapshot.
func (s *Store) purgedSince(ctx context.Context, q querier, userID string, since, until int64) ([]string, error) {
	return s.stringsIn(ctx, q, `SELECT item_id FROM purged_items WHERE seq > ? AND seq <= ?
		AND vault_id IN (SELECT vault_id FROM (`+userGrants+`) g) ORDER BY seq`, since, until, userID, userID)
}
