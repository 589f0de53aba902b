-- +goose Up
-- When each membership began, as a change sequence number: the live event
-- stream shows a member an organisation's events only from the write that
-- confirmed them on (docs/api.md, live updates). Existing members get the
-- sequence number of their confirmation (or of the organisation's
-- creation, for the owner) from the change log; 0 where none is recorded.
ALTER TABLE org_members ADD COLUMN seq {{int}} NOT NULL DEFAULT 0;
UPDATE org_members SET seq = COALESCE((SELECT MAX(e.seq) FROM events e
    WHERE e.org_id = org_members.org_id AND e.target_user = org_members.user_id
      AND e.kind IN ('org.created', 'org.member_confirmed')), 0);

-- +goose Down
ALTER TABLE org_members DROP COLUMN seq;
