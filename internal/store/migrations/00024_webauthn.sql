-- +goose Up
-- Issue 27: security keys (WebAuthn) as a second factor
-- (docs/protocol.md §8.2). Like the TOTP secret, a credential is server
-- authentication only: its public key checks an assertion and opens
-- nothing. credential_id is the authenticator's id of the key pair;
-- sign_count the newest signature counter an assertion carried (one that
-- goes backwards is a cloned key: refused); flags the credential's
-- backup flags as the library records them; rp_id the relying party the
-- key was registered for (a log-in at another one does not offer it).
CREATE TABLE webauthn_credentials (
    id            TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    credential_id {{bytes}} NOT NULL,
    public_key    {{bytes}} NOT NULL,
    sign_count    {{int}} NOT NULL DEFAULT 0,
    aaguid        {{bytes}} NOT NULL,
    transports    TEXT NOT NULL DEFAULT '',
    flags         {{int}} NOT NULL DEFAULT 0,
    rp_id         TEXT NOT NULL,
    name          TEXT NOT NULL,
    created_at    {{int}} NOT NULL,
    last_used_at  {{int}} NOT NULL DEFAULT 0,
    UNIQUE (user_id, credential_id)
);
-- A ceremony's challenge (the library's session data), between its begin
-- and its finish: bound to the account and the ceremony, used once (the
-- finish deletes it; of two finishes one deletes it, the other finds
-- nothing), and refused after expires_at. challenge_hash is SHA-256 of
-- the challenge the client signs; the challenge itself is in session.
CREATE TABLE webauthn_challenges (
    challenge_hash {{bytes}} PRIMARY KEY,
    user_id        TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    ceremony       TEXT NOT NULL,
    session        {{bytes}} NOT NULL,
    expires_at     {{int}} NOT NULL
);
CREATE INDEX webauthn_challenges_user ON webauthn_challenges (user_id, expires_at);

-- +goose Down
DROP TABLE webauthn_challenges;
DROP TABLE webauthn_credentials;
