package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"time"

	"github.com/coffer-pm/coffer/internal/store"
)

// putManifests stores the next manifest of each vault a write changed,
// inside the write's transaction. Version 1 creates a vault's first
// manifest; any other version must follow the stored one exactly. A
// manifest for a vault not in touched, or out of step, is a
// *ManifestConflictError and rolls the whole write back.
func (s *Store) putManifests(ctx context.Context, tx *sql.Tx, touched []string, manifests []store.Manifest) error {
	for _, m := range manifests {
		if !slices.Contains(touched, m.VaultID) {
			return &store.ManifestConflictError{VaultID: m.VaultID}
		}
		var res sql.Result
		var err error
		if m.Version == 1 {
			// A new vault's first manifest; a vault that has one already
			// inserts nothing and is reported below.
			res, err = tx.ExecContext(ctx, s.q(`INSERT INTO vault_manifests (vault_id, version, item_count, items_hash, signer_id, time, sig)
				VALUES (?, 1, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`), m.VaultID, m.Count, m.ItemsHash, m.SignerID, m.Time, m.Sig)
		} else {
			// The compare-and-set: of two writers that saw one version,
			// one matches here; the other's whole transaction rolls back.
			res, err = tx.ExecContext(ctx, s.q(`UPDATE vault_manifests SET version = ?, item_count = ?, items_hash = ?, signer_id = ?, time = ?, sig = ?
				WHERE vault_id = ? AND version = ?`), m.Version, m.Count, m.ItemsHash, m.SignerID, m.Time, m.Sig, m.VaultID, m.Version-1)
		}
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 1 {
			continue
		}
		var stored uint64
		err = tx.QueryRowContext(ctx, s.q(`SELECT version FROM vault_manifests WHERE vault_id = ?`), m.VaultID).Scan(&stored)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		return &store.ManifestConflictError{VaultID: m.VaultID, Version: stored}
	}
	return nil
}

func (s *Store) RepairManifest(ctx context.Context, m store.Manifest, purge []string, at time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var orgID string
		if err := tx.QueryRowContext(ctx, s.q(`SELECT org_id FROM vaults WHERE id = ?`), m.VaultID).Scan(&orgID); err != nil {
			return err
		}
		events := []store.Event{{Kind: store.EventVaultRepaired, OrgID: orgID, VaultID: m.VaultID}}
		for _, id := range purge {
			var vaultID string
			if err := tx.QueryRowContext(ctx, s.q(`SELECT vault_id FROM items WHERE id = ?`), id).Scan(&vaultID); err != nil {
				return err
			}
			if vaultID != m.VaultID {
				return sql.ErrNoRows
			}
			events = append(events, store.Event{Kind: store.EventItemPurged, VaultID: m.VaultID, ItemID: id})
		}
		seq, err := s.seqAndEmit(ctx, tx, events...)
		if err != nil {
			return err
		}
		for _, id := range purge {
			if err := s.purgeItemTx(ctx, tx, id, m.VaultID, seq, at); err != nil {
				return err
			}
		}
		return s.putManifests(ctx, tx, []string{m.VaultID}, []store.Manifest{m})
	})
}

// manifestsFor reads the manifests of every vault the user can read.
func (s *Store) manifestsFor(ctx context.Context, tx *sql.Tx, userID string) ([]store.Manifest, error) {
	rows, err := tx.QueryContext(ctx, s.q(`SELECT vault_id, version, item_count, items_hash, signer_id, time, sig FROM vault_manifests
		WHERE vault_id IN (SELECT vault_id FROM (`+userGrants+`) g) ORDER BY vault_id`), grantArgs(userID)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Manifest
	for rows.Next() {
		var m store.Manifest
		if err := rows.Scan(&m.VaultID, &m.Version, &m.Count, &m.ItemsHash, &m.SignerID, &m.Time, &m.Sig); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}
