-- +goose Up
-- Issue 26: "Allow export of My Vault only". An account an instance
-- administrator restricts exports only its My Vault; a member of a group
-- the organisation's owner restricts exports no vault of that
-- organisation. A row present means restricted. Clients enforce it (they
-- hold the data); the server refuses to record a restricted export in
-- the organisation's audit log, which an honest client does first.
CREATE TABLE account_export_policy (
    user_id    TEXT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    set_by     TEXT NOT NULL,
    created_at {{int}} NOT NULL
);
CREATE TABLE group_export_policy (
    group_id   TEXT PRIMARY KEY REFERENCES org_groups(id) ON DELETE CASCADE,
    set_by     TEXT NOT NULL,
    created_at {{int}} NOT NULL
);

-- +goose Down
DROP TABLE group_export_policy;
DROP TABLE account_export_policy;
