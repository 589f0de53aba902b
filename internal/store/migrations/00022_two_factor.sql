-- +goose Up
-- Issue 27: two-factor log-in. The TOTP secret is a server authentication
-- factor, not vault data: the server must hold it to check a code, and it
-- opens nothing (docs/protocol.md §8.1). enabled_at is 0 while an
-- enrolment waits for its first code. last_step is the newest TOTP time
-- step a log-in used: a code of that step or an older one is refused
-- (replay). Recovery codes are stored only as hashes; a used one is
-- deleted.
CREATE TABLE two_factor (
    user_id    TEXT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    secret     {{bytes}} NOT NULL,
    enabled_at {{int}} NOT NULL DEFAULT 0,
    last_step  {{int}} NOT NULL DEFAULT 0,
    created_at {{int}} NOT NULL
);
CREATE TABLE two_factor_recovery_codes (
    user_id   TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    code_hash {{bytes}} NOT NULL,
    PRIMARY KEY (user_id, code_hash)
);

-- +goose Down
DROP TABLE two_factor_recovery_codes;
DROP TABLE two_factor;
