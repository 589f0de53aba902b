package store

import (
	"context"
	"time"
)

// Exposure is what someone could read when they lost access
// (docs/protocol.md §18.6): every item of every vault they could open
// then, as the server had it in the transaction that cut the access.
// How is the loss: RotateRemoved, DepartLeft, DepartUnbound,
// DepartDeleted — the whole organisation — or RotateRevoked (a revoked
// grant) and RotateGroup (a removal from a group), which record only the
// vaults the person could no longer open afterwards.
type Exposure struct {
	ID     string
	OrgID  string
	UserID string
	How    string
	At     time.Time
	// Vaults they could open (empty ones too), by id.
	Vaults []string
	// Items of those vaults, by vault then id.
	Items []ExposedItem
}

// ExposedItem is one item as it was when the access ended.
type ExposedItem struct {
	ItemID    string
	VaultID   string    // its vault then (it may have moved since)
	Revision  uint64    // its head revision then
	TimeMS    uint64    // the head revision's signed time (the author's clock)
	UpdatedAt time.Time // the server's time of the item's last change
	TrashedAt time.Time // zero unless it was in the trash
}

// ExposureStore is the exposure part of Store. Records are written by
// the store itself, in every transaction that ends someone's access
// (RemoveMember, Depart, DeleteAccount, RevokeGrant, RemoveGroupMember);
// nothing else writes or deletes them, except deleting the organisation.
type ExposureStore interface {
	// Exposures returns the exposure records of userID in orgID, newest
	// first (none is no error).
	Exposures(ctx context.Context, orgID, userID string) ([]Exposure, error)
}
