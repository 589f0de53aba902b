-- +goose Up
-- Verified e-mail addresses and invitation mail budgets (issue 13,
-- findings 5-7). With SMTP configured, an account exists only once its
-- owner proved the address with a mailed code; accounts made before keep
-- email_verified_at = 0 until their owner verifies.
ALTER TABLE accounts ADD COLUMN email_verified_at {{int}} NOT NULL DEFAULT 0;

-- Who sent an invitation batch, to budget invitation mail per account.
ALTER TABLE invite_batches ADD COLUMN inviter_id TEXT NOT NULL DEFAULT '';
CREATE INDEX invite_batches_inviter ON invite_batches(inviter_id, created_at);
CREATE INDEX invitations_org_created ON invitations(org_id, created_at);
CREATE INDEX invitations_batch ON invitations(batch_id);

-- Open e-mail verifications: a pending sign-up (signup holds the sign-up
-- request: public keys and ciphertext only) or an existing account's
-- re-verification (signup empty). id is the account id. The code is mailed
-- and kept only as a keyed hash.
CREATE TABLE email_verifications (
    id              TEXT PRIMARY KEY,
    email           TEXT NOT NULL,
    signup          {{bytes}} NOT NULL,
    code_hash       {{bytes}} NOT NULL,
    failed_attempts {{int}} NOT NULL DEFAULT 0,
    expires_at      {{int}} NOT NULL,
    created_at      {{int}} NOT NULL
);
CREATE INDEX email_verifications_expires ON email_verifications(expires_at);

-- +goose Down
DROP TABLE email_verifications;
DROP INDEX invitations_batch;
DROP INDEX invitations_org_created;
DROP INDEX invite_batches_inviter;
ALTER TABLE invite_batches DROP COLUMN inviter_id;
ALTER TABLE accounts DROP COLUMN email_verified_at;
