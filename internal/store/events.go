package store

import (
	"context"
	"time"
)

// Event kinds. Events carry ids and kinds only; clients fetch the delta
// and decrypt it themselves.
const (
	EventItemChanged      = "item.changed"
	EventItemMoved        = "item.moved" // left this vault for another
	EventItemPurged       = "item.purged"
	EventVaultCreated     = "vault.created"
	EventVaultGranted     = "vault.granted"
	EventVaultRevoked     = "vault.revoked"
	EventVaultRepaired    = "vault.repaired" // a manager signed a repairing manifest
	EventGroupChanged     = "group.changed"
	EventGroupMemberAdded = "group.member_added"
	EventGroupMemberLeft  = "group.member_removed"
	EventOrgCreated       = "org.created"
	EventMemberConfirmed  = "org.member_confirmed"
	EventMemberRemoved    = "org.member_removed"
	EventSessionRevoked   = "session.revoked"
)

// Event is one row of the change log.
type Event struct {
	Seq         int64
	Kind        string
	OrgID       string
	VaultID     string
	ItemID      string
	TargetUser  string
	TargetGroup string
	CreatedAt   time.Time
}

// EventStore is the live-update part of Store.
type EventStore interface {
	// EventsSince returns up to limit events after the cursor that userID
	// may see — decided by the same grants as every other read — and the
	// newest committed sequence number.
	EventsSince(ctx context.Context, userID string, since int64, limit int) ([]Event, int64, error)
}

// Notifier is implemented by stores that hear about commits made by other
// server instances (PostgreSQL LISTEN/NOTIFY). Listen calls wake after
// every committed change until ctx ends, reconnecting as needed.
type Notifier interface {
	Listen(ctx context.Context, wake func()) error
}
