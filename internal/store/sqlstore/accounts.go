package sqlstore

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/coffer-pm/coffer/internal/store"
)

const accountColumns = `id, email, name, kdf_algorithm, kdf_time, kdf_memory, kdf_threads, kdf_salt,
	auth_hash, auth_salt, sign_pub, kem_pub, public_keys_sig, wrapped_account_key, private_keys, created_at, email_verified_at`

// accountSelect reads what accountColumns writes, and the state columns
// of migration 16.
const accountSelect = accountColumns + `, disabled_at, deleted_at, former_email`

func (s *Store) CreateAccount(ctx context.Context, a store.Account, v store.Vault, w store.VaultKeyWrap, manifests ...store.Manifest) error {
	return s.tx(ctx, func(tx *sql.Tx) error { return s.createAccount(ctx, tx, a, v, w, manifests) })
}

func (s *Store) createAccount(ctx context.Context, tx *sql.Tx, a store.Account, v store.Vault, w store.VaultKeyWrap, manifests []store.Manifest) error {
	now := ms(a.CreatedAt)
	if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO accounts (`+accountColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		a.ID, strings.ToLower(a.Email), a.Name, a.KDF.Algorithm, a.KDF.Time, a.KDF.Memory, a.KDF.Threads, a.KDF.Salt,
		a.AuthHash, a.AuthSalt, a.SignPub, a.KEMPub, a.PublicKeysSig, a.WrappedAccountKey, a.PrivateKeys, now, ms(a.EmailVerifiedAt)); err != nil {
		return err
	}
	if err := s.insertVault(ctx, tx, v); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO vault_grants (vault_id, grantee_kind, grantee_id, permission, created_at)
		VALUES (?, 'user', ?, ?, ?)`), v.ID, a.ID, int(store.PermManage), now); err != nil {
		return err
	}
	if err := s.insertVaultKeyWrap(ctx, tx, w); err != nil {
		return err
	}
	return s.putManifests(ctx, tx, []string{v.ID}, manifests)
}

func (s *Store) insertVault(ctx context.Context, tx *sql.Tx, v store.Vault) error {
	var owner any
	if v.OwnerID != "" {
		owner = v.OwnerID
	}
	var creator any
	if v.CreatorID != "" {
		creator = v.CreatorID
	}
	_, err := tx.ExecContext(ctx, s.q(`INSERT INTO vaults (id, kind, org_id, owner_id, creator_id, meta, epoch, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
		v.ID, v.Kind, v.OrgID, owner, creator, v.Meta, v.Epoch, ms(v.CreatedAt))
	return err
}

func (s *Store) insertVaultKeyWrap(ctx context.Context, tx *sql.Tx, w store.VaultKeyWrap) error {
	_, err := tx.ExecContext(ctx, s.q(`INSERT INTO vault_key_wraps
		(vault_id, epoch, recipient_kind, recipient_id, signer_id, wrap, sig, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
		w.VaultID, w.Epoch, w.RecipientKind, w.RecipientID, w.SignerID, w.Wrap, w.Sig, ms(w.CreatedAt))
	return err
}

func scanAccount(row interface{ Scan(...any) error }) (store.Account, error) {
	var a store.Account
	var created, verified, disabled, deleted int64
	var formerEmail string
	err := row.Scan(&a.ID, &a.Email, &a.Name, &a.KDF.Algorithm, &a.KDF.Time, &a.KDF.Memory, &a.KDF.Threads, &a.KDF.Salt,
		&a.AuthHash, &a.AuthSalt, &a.SignPub, &a.KEMPub, &a.PublicKeysSig, &a.WrappedAccountKey, &a.PrivateKeys, &created, &verified,
		&disabled, &deleted, &formerEmail)
	a.CreatedAt, a.EmailVerifiedAt = fromMS(created), fromMS(verified)
	a.DisabledAt, a.DeletedAt = fromMS(disabled), fromMS(deleted)
	if deleted != 0 {
		// A tombstone answers with the address the rosters sign.
		a.Email = formerEmail
	}
	return a, err
}

func (s *Store) AccountByEmail(ctx context.Context, email string) (store.Account, error) {
	a, err := scanAccount(s.r.QueryRowContext(ctx, s.q(`SELECT `+accountSelect+` FROM accounts WHERE email = ?`), strings.ToLower(email)))
	return a, s.wrap(err)
}

func (s *Store) AccountByID(ctx context.Context, id string) (store.Account, error) {
	a, err := scanAccount(s.r.QueryRowContext(ctx, s.q(`SELECT `+accountSelect+` FROM accounts WHERE id = ?`), id))
	return a, s.wrap(err)
}

const sessionColumns = `id, user_id, token_hash, created_at, last_used_at, expires_at, max_expires, revoked_at, client_addr, description`

// CreateSession refuses (store.ErrDisabled) an account disabled or
// deleted meanwhile: the account's row is read under a shared lock, so a
// disable that commits first is seen, and one that comes later waits for
// the session and then revokes it.
func (s *Store) CreateSession(ctx context.Context, x store.Session) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var disabled, deleted int64
		if err := tx.QueryRowContext(ctx, s.q(`SELECT disabled_at, deleted_at FROM accounts WHERE id = ?`+s.dialect.ForShare), x.UserID).Scan(&disabled, &deleted); err != nil {
			return err
		}
		if disabled != 0 || deleted != 0 {
			return store.ErrDisabled
		}
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO sessions (`+sessionColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			x.ID, x.UserID, x.TokenHash, ms(x.CreatedAt), ms(x.LastUsedAt), ms(x.ExpiresAt), ms(x.MaxExpires), ms(x.RevokedAt), x.ClientAddr, x.Description)
		return err
	})
}

func scanSession(row interface{ Scan(...any) error }) (store.Session, error) {
	var x store.Session
	var created, used, exp, maxExp, revoked int64
	err := row.Scan(&x.ID, &x.UserID, &x.TokenHash, &created, &used, &exp, &maxExp, &revoked, &x.ClientAddr, &x.Description)
	x.CreatedAt, x.LastUsedAt, x.ExpiresAt, x.MaxExpires, x.RevokedAt = fromMS(created), fromMS(used), fromMS(exp), fromMS(maxExp), fromMS(revoked)
	return x, err
}

func (s *Store) SessionByTokenHash(ctx context.Context, h []byte) (store.Session, error) {
	x, err := scanSession(s.r.QueryRowContext(ctx, s.q(`SELECT `+sessionColumns+` FROM sessions WHERE token_hash = ?`), h))
	return x, s.wrap(err)
}

func (s *Store) TouchSession(ctx context.Context, id string, lastUsed, expires time.Time, clientAddr string) error {
	_, err := s.w.ExecContext(ctx, s.q(`UPDATE sessions SET last_used_at = ?, expires_at = ?, client_addr = ? WHERE id = ?`), ms(lastUsed), ms(expires), clientAddr, id)
	return s.wrap(err)
}

func (s *Store) RevokeSession(ctx context.Context, userID, id string, at time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE sessions SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at = 0`), ms(at), id, userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return sql.ErrNoRows
		}
		// Wakes the user's live connections, which then find their session revoked.
		_, err = s.seqAndEmit(ctx, tx, store.Event{Kind: store.EventSessionRevoked, TargetUser: userID})
		return err
	})
}

func (s *Store) ListSessions(ctx context.Context, userID string) ([]store.Session, error) {
	rows, err := s.r.QueryContext(ctx, s.q(`SELECT `+sessionColumns+` FROM sessions WHERE user_id = ? ORDER BY created_at, id`), userID)
	if err != nil {
		return nil, s.wrap(err)
	}
	defer rows.Close()
	var out []store.Session
	for rows.Next() {
		x, err := scanSession(rows)
		if err != nil {
			return nil, s.wrap(err)
		}
		out = append(out, x)
	}
	return out, s.wrap(rows.Err())
}

func (s *Store) SetPassword(ctx context.Context, userID string, prevAuthHash []byte, c store.PasswordChange, revoke bool, keepSession string, at time.Time) (int, error) {
	revoked := 0
	err := s.tx(ctx, func(tx *sql.Tx) (err error) {
		revoked, err = s.setPassword(ctx, tx, userID, prevAuthHash, c, revoke, keepSession, at)
		return err
	})
	if err != nil {
		return 0, err
	}
	return revoked, nil
}

func (s *Store) setPassword(ctx context.Context, tx *sql.Tx, userID string, prevAuthHash []byte, c store.PasswordChange, revoke bool, keepSession string, at time.Time) (int, error) {
	res, err := tx.ExecContext(ctx, s.q(`UPDATE accounts SET kdf_algorithm = ?, kdf_time = ?, kdf_memory = ?, kdf_threads = ?, kdf_salt = ?,
		auth_hash = ?, auth_salt = ?, wrapped_account_key = ? WHERE id = ? AND auth_hash = ?`),
		c.KDF.Algorithm, c.KDF.Time, c.KDF.Memory, c.KDF.Threads, c.KDF.Salt, c.AuthHash, c.AuthSalt, c.WrappedAccountKey, userID, prevAuthHash)
	if err != nil {
		return 0, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return 0, sql.ErrNoRows
	}
	// Whoever sets the password holds the account: recovery requests for
	// it, approved or not, are void.
	if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM recovery_requests WHERE user_id = ?`), userID); err != nil {
		return 0, err
	}
	if !revoke {
		return 0, nil
	}
	if res, err = tx.ExecContext(ctx, s.q(`UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at = 0 AND id <> ?`),
		ms(at), userID, keepSession); err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	if n > 0 {
		// Wakes the user's live connections, which then find their
		// session revoked.
		if _, err := s.seqAndEmit(ctx, tx, store.Event{Kind: store.EventSessionRevoked, TargetUser: userID}); err != nil {
			return 0, err
		}
	}
	return int(n), nil
}
