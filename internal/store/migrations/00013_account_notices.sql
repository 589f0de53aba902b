-- +goose Up
-- Issue 23, finding 10: a recovery of an account leaves a trace the
-- account's user is shown (docs/protocol.md §17.3). One row per event,
-- written in the transaction that completed the recovery. It names the
-- organisation and the owner who approved by id only, with no foreign
-- key: neither deleting the organisation nor the owner's account erases
-- it. seen_at is 0 until the account itself acknowledged it; an
-- acknowledged notice stays, as the account's recovery history.
CREATE TABLE account_notices (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    org_id      TEXT NOT NULL,
    actor_id    TEXT NOT NULL,
    actor_email TEXT NOT NULL,
    approved_at {{int}} NOT NULL,
    client_addr TEXT NOT NULL,
    created_at  {{int}} NOT NULL,
    seen_at     {{int}} NOT NULL
);
CREATE INDEX account_notices_user ON account_notices(user_id, created_at);

-- +goose Down
DROP TABLE account_notices;
