package sqlstore

import (
	"context"
	"database/sql"
	"time"
)

// Known devices (issue 27, docs/security.md 27.8): one row per account
// and keyed device hash.

func (s *Store) SeeDevice(ctx context.Context, userID string, deviceHash []byte, at time.Time) (bool, error) {
	var isNew bool
	err := s.tx(ctx, func(tx *sql.Tx) error {
		// The insert is the claim: of two concurrent log-ins from one new
		// device, one inserts, the other waits for its row and updates.
		res, err := tx.ExecContext(ctx, s.q(`INSERT INTO known_devices (user_id, device_hash, first_seen, last_seen) VALUES (?, ?, ?, ?)
			ON CONFLICT (user_id, device_hash) DO NOTHING`), userID, deviceHash, ms(at), ms(at))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if n == 0 {
			_, err := tx.ExecContext(ctx, s.q(`UPDATE known_devices SET last_seen = ? WHERE user_id = ? AND device_hash = ?`), ms(at), userID, deviceHash)
			return err
		}
		var others int
		if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM known_devices WHERE user_id = ? AND device_hash <> ?`), userID, deviceHash).Scan(&others); err != nil {
			return err
		}
		isNew = others > 0
		return nil
	})
	return isNew, s.wrap(err)
}
