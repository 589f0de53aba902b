package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/coffer-pm/coffer/internal/store"
)

const itemColumns = `i.id, i.vault_id, i.type, i.head, i.trashed_at, i.created_at, i.updated_at, i.seq`

func scanItem(row interface{ Scan(...any) error }) (store.Item, error) {
	var it store.Item
	var trashed, created, updated int64
	err := row.Scan(&it.ID, &it.VaultID, &it.Type, &it.Head, &trashed, &created, &updated, &it.Seq)
	it.TrashedAt, it.CreatedAt, it.UpdatedAt = fromMS(trashed), fromMS(created), fromMS(updated)
	it.Trashed = trashed != 0
	return it, err
}

const revisionColumns = `item_id, revision, vault_id, key_epoch, type, author_id, prev_hash, blob, sig, time, created_at`

func scanRevision(row interface{ Scan(...any) error }) (store.Revision, error) {
	var r store.Revision
	var created int64
	err := row.Scan(&r.ItemID, &r.Revision, &r.VaultID, &r.KeyEpoch, &r.Type, &r.AuthorID, &r.PrevHash, &r.Blob, &r.Sig, &r.Time, &created, &r.OrgID)
	r.CreatedAt = fromMS(created)
	return r, err
}

// insertRevision stores a revision and links the files it refers to.
func (s *Store) insertRevision(ctx context.Context, tx *sql.Tx, r store.Revision) error {
	_, err := tx.ExecContext(ctx, s.q(`INSERT INTO revisions (`+revisionColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		r.ItemID, r.Revision, r.VaultID, r.KeyEpoch, r.Type, r.AuthorID, r.PrevHash, r.Blob, r.Sig, r.Time, ms(r.CreatedAt))
	if err != nil {
		return err
	}
	// The author's running total, for the storage quota.
	if err := s.addUsage(ctx, tx, r.AuthorID, 0, store.RevisionCost(len(r.Blob))); err != nil {
		return err
	}
	return s.linkFiles(ctx, tx, r.ItemID, r.FileIDs)
}

// insertItemKeyWraps adds wraps; a wrap that already exists for the same
// key and wrapping key is kept as it is (the first one written wins).
func (s *Store) insertItemKeyWraps(ctx context.Context, tx *sql.Tx, itemID string, wraps []store.ItemKeyWrap) error {
	for _, w := range wraps {
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO item_key_wraps (item_id, key_vault, key_epoch, wrap_vault, wrap_epoch, wrap)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`),
			itemID, w.KeyVault, w.KeyEpoch, w.WrapVault, w.WrapEpoch, w.Wrap); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) CreateItem(ctx context.Context, it store.Item, rev store.Revision, wraps []store.ItemKeyWrap, manifests ...store.Manifest) (store.ItemState, error) {
	out, err := s.CreateItems(ctx, []store.NewItem{{Item: it, Rev: rev, Wraps: wraps}}, manifests...)
	if err != nil {
		return store.ItemState{}, err
	}
	return out[0], nil
}

// writtenState reads an item's state inside the transaction that wrote it.
func (s *Store) writtenState(ctx context.Context, tx *sql.Tx, itemID string) (store.ItemState, error) {
	states, err := s.itemStates(ctx, tx, `i.id = ?`, itemID)
	if err != nil {
		return store.ItemState{}, err
	}
	if len(states) != 1 {
		return store.ItemState{}, sql.ErrNoRows
	}
	return states[0], nil
}

func (s *Store) CreateItems(ctx context.Context, items []store.NewItem, manifests ...store.Manifest) ([]store.ItemState, error) {
	if len(items) == 0 {
		return nil, errors.New("CreateItems: no items")
	}
	vault := items[0].Item.VaultID
	events := make([]store.Event, len(items))
	for i, n := range items {
		if n.Item.VaultID != vault {
			return nil, errors.New("CreateItems: the items of one batch are in one vault")
		}
		events[i] = store.Event{Kind: store.EventItemChanged, VaultID: vault, ItemID: n.Item.ID}
	}
	out := make([]store.ItemState, len(items))
	err := s.tx(ctx, func(tx *sql.Tx) error {
		seq, err := s.seqAndEmit(ctx, tx, events...)
		if err != nil {
			return err
		}
		for _, n := range items {
			it, rev := n.Item, n.Rev
			it.Head, it.Seq, it.UpdatedAt, it.Trashed, it.TrashedAt = 1, seq, it.CreatedAt, false, time.Time{}
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO items (id, vault_id, type, head, trashed_at, created_at, updated_at, seq)
				VALUES (?, ?, ?, 1, 0, ?, ?, ?)`), it.ID, it.VaultID, it.Type, ms(it.CreatedAt), ms(it.UpdatedAt), seq); err != nil {
				return err
			}
			rev.ItemID, rev.Revision = it.ID, 1
			if err := s.insertRevision(ctx, tx, rev); err != nil {
				return err
			}
			if err := s.insertItemKeyWraps(ctx, tx, it.ID, n.Wraps); err != nil {
				return err
			}
		}
		if err := s.putManifests(ctx, tx, []string{vault}, manifests); err != nil {
			return err
		}
		// The batch shares its sequence number: one read for all of it.
		states, err := s.itemStates(ctx, tx, `i.vault_id = ? AND i.seq = ?`, vault, seq)
		if err != nil {
			return err
		}
		index := make(map[string]int, len(items))
		for i, n := range items {
			index[n.Item.ID] = i
		}
		for _, st := range states {
			out[index[st.ID]] = st
		}
		if len(states) != len(items) {
			return errors.New("CreateItems: the batch did not read back whole")
		}
		return s.storeHeads(ctx, tx, out)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Store) UpdateItem(ctx context.Context, itemID string, baseRev uint64, rev store.Revision, wraps []store.ItemKeyWrap, manifests ...store.Manifest) (store.ItemState, error) {
	return s.writeRevision(ctx, itemID, baseRev, "", rev, wraps, manifests)
}

func (s *Store) MoveItem(ctx context.Context, itemID string, baseRev uint64, toVault string, rev store.Revision, wraps []store.ItemKeyWrap, manifests ...store.Manifest) (store.ItemState, error) {
	return s.writeRevision(ctx, itemID, baseRev, toVault, rev, wraps, manifests)
}

// writeRevision appends revision baseRev+1, moving the item to toVault if
// that is not empty.
func (s *Store) writeRevision(ctx context.Context, itemID string, baseRev uint64, toVault string, rev store.Revision, wraps []store.ItemKeyWrap, manifests []store.Manifest) (store.ItemState, error) {
	var it store.ItemState
	err := s.tx(ctx, func(tx *sql.Tx) error {
		seq, err := s.nextSeq(ctx, tx)
		if err != nil {
			return err
		}
		var fromVault string
		if err := tx.QueryRowContext(ctx, s.q(`SELECT vault_id FROM items WHERE id = ?`), itemID).Scan(&fromVault); err != nil {
			return err
		}
		// The compare-and-set on head is what makes revisions consecutive:
		// of two writers that edited the same revision, one matches here.
		res, err := tx.ExecContext(ctx, s.q(`UPDATE items SET head = head + 1, updated_at = ?, seq = ?, head_json = NULL,
				vault_id = CASE WHEN ? = '' THEN vault_id ELSE ? END
			WHERE id = ? AND head = ?`),
			ms(rev.CreatedAt), seq, toVault, toVault, itemID, baseRev)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			var head uint64
			if err := tx.QueryRowContext(ctx, s.q(`SELECT head FROM items WHERE id = ?`), itemID).Scan(&head); err != nil {
				return err
			}
			return &store.ConflictError{Head: head}
		}
		rev.ItemID, rev.Revision = itemID, baseRev+1
		if err := s.insertRevision(ctx, tx, rev); err != nil {
			return err
		}
		if err := s.insertItemKeyWraps(ctx, tx, itemID, wraps); err != nil {
			return err
		}
		if err := s.putManifests(ctx, tx, []string{fromVault, toVault}, manifests); err != nil {
			return err
		}
		if toVault != "" {
			// Attachments move with their item.
			if _, err := tx.ExecContext(ctx, s.q(`UPDATE files SET vault_id = ? WHERE id IN (SELECT file_id FROM item_files WHERE item_id = ?)`), toVault, itemID); err != nil {
				return err
			}
		}
		it, err = s.writtenState(ctx, tx, itemID)
		if err != nil {
			return err
		}
		if err := s.storeHeads(ctx, tx, []store.ItemState{it}); err != nil {
			return err
		}
		events := []store.Event{{Kind: store.EventItemChanged, VaultID: it.VaultID, ItemID: itemID}}
		if toVault != "" && fromVault != toVault {
			events = append(events, store.Event{Kind: store.EventItemMoved, VaultID: fromVault, ItemID: itemID})
		}
		return s.emit(ctx, tx, seq, events...)
	})
	return it, err
}

func (s *Store) SetItemTrashed(ctx context.Context, itemID string, trashed bool, at time.Time, manifests ...store.Manifest) (store.ItemState, error) {
	var it store.ItemState
	err := s.tx(ctx, func(tx *sql.Tx) error {
		seq, err := s.nextSeq(ctx, tx)
		if err != nil {
			return err
		}
		var trashedAt int64
		if trashed {
			trashedAt = ms(at)
		}
		res, err := tx.ExecContext(ctx, s.q(`UPDATE items SET trashed_at = ?, updated_at = ?, seq = ? WHERE id = ?`), trashedAt, ms(at), seq, itemID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return sql.ErrNoRows
		}
		it, err = s.writtenState(ctx, tx, itemID)
		if err != nil {
			return err
		}
		if err := s.putManifests(ctx, tx, []string{it.VaultID}, manifests); err != nil {
			return err
		}
		return s.emit(ctx, tx, seq, store.Event{Kind: store.EventItemChanged, VaultID: it.VaultID, ItemID: itemID})
	})
	return it, err
}

func (s *Store) Item(ctx context.Context, id string) (store.Item, error) {
	it, err := scanItem(s.r.QueryRowContext(ctx, s.q(`SELECT `+itemColumns+` FROM items i WHERE i.id = ?`), id))
	return it, s.wrap(err)
}

func (s *Store) ItemState(ctx context.Context, id string) (store.ItemState, error) {
	var st store.ItemState
	err := s.readTx(ctx, func(tx *sql.Tx) error {
		states, err := s.itemStates(ctx, tx, `i.id = ?`, id)
		if err != nil {
			return err
		}
		if len(states) == 0 {
			return sql.ErrNoRows
		}
		st = states[0]
		return nil
	})
	return st, err
}

func (s *Store) Revisions(ctx context.Context, itemID string) ([]store.Revision, error) {
	rows, err := s.r.QueryContext(ctx, s.q(`SELECT r.item_id, r.revision, r.vault_id, r.key_epoch, r.type, r.author_id, r.prev_hash, r.blob, r.sig, r.time, r.created_at, v.org_id
		FROM revisions r JOIN vaults v ON v.id = r.vault_id WHERE r.item_id = ? ORDER BY r.revision`), itemID)
	if err != nil {
		return nil, s.wrap(err)
	}
	defer rows.Close()
	var out []store.Revision
	for rows.Next() {
		r, err := scanRevision(rows)
		if err != nil {
			return nil, s.wrap(err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, s.wrap(err)
	}
	if len(out) == 0 {
		if _, err := s.Item(ctx, itemID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (s *Store) Changes(ctx context.Context, userID string, since int64) ([]store.ItemState, []store.Manifest, int64, error) {
	var states []store.ItemState
	var manifests []store.Manifest
	var cursor int64
	err := s.ChangesEach(ctx, userID, since, func(h store.ChangesHead) error {
		manifests, cursor = h.Manifests, h.Cursor
		return nil
	}, func(page []store.ItemState) error {
		for _, st := range page {
			var err error
			if st.HeadRevision, err = decodeHead(st.HeadJSON); err != nil {
				return err
			}
			states = append(states, st)
		}
		return nil
	})
	return states, manifests, cursor, err
}

// changesPage is how many items ChangesEach reads and hands on at once:
// what a sync holds in memory, whatever the vault's size.
const changesPage = 500

func (s *Store) ChangesEach(ctx context.Context, userID string, since int64, head func(store.ChangesHead) error, each func([]store.ItemState) error) error {
	return s.readTx(ctx, func(tx *sql.Tx) error {
		// Read the cursor first: every sequence number up to it is
		// committed, so nothing at or below it can appear later.
		var cursor int64
		if err := tx.QueryRowContext(ctx, s.q(`SELECT value FROM counters WHERE name = 'change_seq'`)).Scan(&cursor); err != nil {
			return err
		}
		manifests, err := s.manifestsFor(ctx, tx, userID)
		if err != nil {
			return err
		}
		purged, err := s.purgedSince(ctx, tx, userID, since, cursor)
		if err != nil {
			return err
		}
		if err := head(store.ChangesHead{Manifests: manifests, Purged: purged, Cursor: cursor}); err != nil {
			return err
		}
		// Per readable vault: the items written since the cursor, or all
		// of them when the user gained access to the vault since; a page
		// at a time by (seq, id), all in this one snapshot. One vault at a
		// time keeps every page an index range on (vault_id, seq).
		from, err := s.vaultsSince(ctx, tx, userID, since)
		if err != nil {
			return err
		}
		for _, v := range from {
			afterSeq, afterID := v.from, ""
			for {
				page, err := s.changesPage(ctx, tx, v.id, cursor, afterSeq, afterID)
				if err != nil {
					return err
				}
				n := len(page)
				if n > 0 {
					last := page[n-1]
					afterSeq, afterID = last.Seq, last.ID
				}
				if page = dropHeadless(page); len(page) > 0 {
					if err := each(page); err != nil {
						return err
					}
				}
				if n < changesPage {
					break
				}
			}
		}
		return nil
	})
}

// changesPage reads one page of a vault's changes: the items with
// sequence number up to cursor after (afterSeq, afterID) in (seq, id)
// order — after afterSeq alone for the first page (afterID empty). The
// queries have fixed text (prepared cheaply, whatever the page) and walk
// the (vault_id, seq, id) index in order, so a page costs its own rows.
func (s *Store) changesPage(ctx context.Context, tx *sql.Tx, vaultID string, cursor, afterSeq int64, afterID string) ([]store.ItemState, error) {
	after, args := `i.seq > ?`, []any{vaultID, cursor, afterSeq}
	if afterID != "" {
		after, args = `(i.seq, i.id) > (?, ?)`, append(args, afterID)
	}
	page, err := s.syncStates(ctx, tx, `i.vault_id = ? AND i.seq <= ? AND `+after+` ORDER BY i.seq, i.id LIMIT `+strconv.Itoa(changesPage), args...)
	if err != nil || len(page) == 0 {
		return page, err
	}
	index := make(map[string]int, len(page))
	for i, st := range page {
		index[st.ID] = i
	}
	first, last := page[0], page[len(page)-1]
	err = s.addWraps(ctx, tx, page, index, `SELECT w.item_id, w.key_vault, w.key_epoch, w.wrap_vault, w.wrap_epoch, w.wrap
		FROM items i JOIN item_key_wraps w ON w.item_id = i.id
		WHERE i.vault_id = ? AND (i.seq, i.id) >= (?, ?) AND (i.seq, i.id) <= (?, ?)`, vaultID, first.Seq, first.ID, last.Seq, last.ID)
	return page, err
}

// vaultSince is a readable vault and the sequence number after which its
// items are sent: since, or -1 (all of them) when access began after since.
type vaultSince struct {
	id   string
	from int64
}

// vaultsSince lists the vaults userID can read, by id, each with where its
// delta starts.
func (s *Store) vaultsSince(ctx context.Context, tx *sql.Tx, userID string, since int64) ([]vaultSince, error) {
	rows, err := tx.QueryContext(ctx, s.q(`SELECT vault_id, MAX(seq) FROM (`+userGrants+`) g GROUP BY vault_id ORDER BY vault_id`), grantArgs(userID)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []vaultSince
	for rows.Next() {
		var v vaultSince
		var granted int64
		if err := rows.Scan(&v.id, &granted); err != nil {
			return nil, err
		}
		v.from = since
		if granted > since {
			v.from = -1
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// readTx runs fn in a read transaction on the reader pool, so the items,
// revisions and wraps it reads belong to one snapshot.
func (s *Store) readTx(ctx context.Context, fn func(*sql.Tx) error) error {
	defer s.observed("read", time.Now())
	opts := s.dialect.ReadTx
	tx, err := s.r.BeginTx(ctx, &opts)
	if err != nil {
		return s.wrap(err)
	}
	defer tx.Rollback()
	return s.wrap(fn(tx))
}

// orderedBySeq orders a where clause by sequence, unless it orders itself.
func orderedBySeq(where string) string {
	if strings.Contains(where, "ORDER BY") {
		return where
	}
	return where + " ORDER BY i.seq"
}

// itemStates loads items matching where (with args) together with their head
// revisions and key wraps, ordered by sequence.
func (s *Store) itemStates(ctx context.Context, tx *sql.Tx, where string, args ...any) ([]store.ItemState, error) {
	out, err := s.itemStatesNoWraps(ctx, tx, where, args...)
	if err != nil || len(out) == 0 {
		return out, err
	}
	index := make(map[string]int, len(out))
	for i, st := range out {
		index[st.ID] = i
	}
	// Key wraps for the loaded items, in batches to stay under parameter limits.
	ids := make([]string, 0, len(out))
	for _, st := range out {
		ids = append(ids, st.ID)
	}
	for start := 0; start < len(ids); start += 500 {
		batch := ids[start:min(start+500, len(ids))]
		args := make([]any, len(batch))
		for i, id := range batch {
			args[i] = id
		}
		if err := s.addWraps(ctx, tx, out, index, `SELECT item_id, key_vault, key_epoch, wrap_vault, wrap_epoch, wrap FROM item_key_wraps
			WHERE item_id IN (?`+strings.Repeat(", ?", len(batch)-1)+`)`, args...); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// itemStatesNoWraps loads items matching where with their head revisions.
func (s *Store) itemStatesNoWraps(ctx context.Context, tx *sql.Tx, where string, args ...any) ([]store.ItemState, error) {
	rows, err := tx.QueryContext(ctx, s.q(`SELECT `+itemColumns+`, r.item_id, r.revision, r.vault_id, r.key_epoch, r.type,
			r.author_id, r.prev_hash, r.blob, r.sig, r.time, r.created_at, rv.org_id
		FROM items i JOIN revisions r ON r.item_id = i.id AND r.revision = i.head JOIN vaults rv ON rv.id = r.vault_id
		WHERE `+orderedBySeq(where)), args...)
	if err != nil {
		return nil, err
	}
	var out []store.ItemState
	for rows.Next() {
		var st store.ItemState
		var trashed, created, updated, rcreated int64
		r := &st.HeadRevision
		if err := rows.Scan(&st.ID, &st.VaultID, &st.Type, &st.Head, &trashed, &created, &updated, &st.Seq,
			&r.ItemID, &r.Revision, &r.VaultID, &r.KeyEpoch, &r.Type, &r.AuthorID, &r.PrevHash, &r.Blob, &r.Sig, &r.Time, &rcreated, &r.OrgID); err != nil {
			rows.Close()
			return nil, err
		}
		st.TrashedAt, st.CreatedAt, st.UpdatedAt, r.CreatedAt = fromMS(trashed), fromMS(created), fromMS(updated), fromMS(rcreated)
		st.Trashed = trashed != 0
		out = append(out, st)
	}
	rows.Close()
	return out, rows.Err()
}

// addWraps adds the key wraps a query selects (item_id, key_vault,
// key_epoch, wrap_vault, wrap_epoch, wrap) to the loaded states, each
// state's in key and wrap epoch order.
func (s *Store) addWraps(ctx context.Context, tx *sql.Tx, out []store.ItemState, index map[string]int, query string, args ...any) error {
	wr, err := tx.QueryContext(ctx, s.q(query+` ORDER BY item_id, key_epoch, wrap_epoch`), args...)
	if err != nil {
		return err
	}
	defer wr.Close()
	for wr.Next() {
		var w store.ItemKeyWrap
		if err := wr.Scan(&w.ItemID, &w.KeyVault, &w.KeyEpoch, &w.WrapVault, &w.WrapEpoch, &w.Wrap); err != nil {
			return err
		}
		if i, ok := index[w.ItemID]; ok {
			out[i].KeyWraps = append(out[i].KeyWraps, w)
		}
	}
	return wr.Err()
}
