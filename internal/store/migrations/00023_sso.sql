-- +goose Up
-- Issue 27: single sign-on with OpenID Connect (docs/protocol.md §8.4).
-- sso_states: sign-ins under way, one row per start; the state in the
-- provider's URL is kept only as a hash, the row is deleted when the
-- provider sends the browser back (one use). The nonce and the PKCE
-- verifier are the server's own short-lived secrets toward the provider.
-- challenge is the starting client's S256 challenge; return_to is empty
-- for the web app or a CLI's loopback address.
CREATE TABLE sso_states (
    state_hash {{bytes}} PRIMARY KEY,
    nonce      TEXT NOT NULL,
    verifier   TEXT NOT NULL,
    challenge  TEXT NOT NULL,
    return_to  TEXT NOT NULL,
    expires_at {{int}} NOT NULL
);
-- Each insert first deletes the expired rows, and a start counts the live
-- ones (a cap): both by expiry.
CREATE INDEX sso_states_expiry ON sso_states (expires_at);
-- sso_tickets: a sign-in the provider proved, waiting for the master
-- password's proof (or a sign-up) from the client that started it; kept
-- as a hash, deleted when a log-in uses it.
CREATE TABLE sso_tickets (
    ticket_hash {{bytes}} PRIMARY KEY,
    challenge   TEXT NOT NULL,
    issuer      TEXT NOT NULL,
    subject     TEXT NOT NULL,
    email       TEXT NOT NULL,
    name        TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    expires_at  {{int}} NOT NULL
);
CREATE INDEX sso_tickets_expiry ON sso_tickets (expires_at);
-- sso_links: which account a provider's subject is, made at the first
-- SSO log-in by verified e-mail address; one subject per account and
-- issuer.
CREATE TABLE sso_links (
    issuer     TEXT NOT NULL,
    subject    TEXT NOT NULL,
    user_id    TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    created_at {{int}} NOT NULL,
    PRIMARY KEY (issuer, subject),
    UNIQUE (issuer, user_id)
);

-- +goose Down
DROP TABLE sso_links;
DROP TABLE sso_tickets;
DROP TABLE sso_states;
