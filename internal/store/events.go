package store

import (
	"context"
	"strings"
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
	EventOrgChanged       = "org.changed"       // renamed
	EventVaultChanged     = "vault.changed"     // renamed
	EventMemberJoined     = "org.member_joined" // to the owner alone: confirm them
	// EventInvitationLocked: to the owner alone, an invitation used up
	// its wrong-code attempts: re-issue it.
	EventInvitationLocked = "org.invitation_locked"
	EventMemberConfirmed  = "org.member_confirmed"
	EventMemberRemoved    = "org.member_removed"
	EventSessionRevoked   = "session.revoked"
	// EventTransferOffered: the owner offered the organisation to a member
	// (TargetUser), or withdrew the offer (EventTransferWithdrawn).
	EventTransferOffered   = "org.transfer_offered"
	EventTransferWithdrawn = "org.transfer_withdrawn"
	// EventOwnerChanged: TargetUser accepted the organisation's ownership.
	EventOwnerChanged = "org.owner_changed"
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
	// GroupPrivate is set when TargetGroup is a private group (or a group
	// the store no longer knows); filled in when events are read.
	GroupPrivate bool
	CreatedAt    time.Time
}

// Membership is one organisation a Viewer belongs to.
type Membership struct {
	Since int64 // the change that confirmed the membership
	Owner bool
}

// Viewer is everything that decides which events one user may see, each
// access with the change sequence number it began at. Load it with
// EventStore.Viewer; Sees is the one visibility rule of the change log,
// used by the stored backlog (EventsSince) and by live fan-out alike.
type Viewer struct {
	UserID  string
	Orgs    map[string]Membership // organisations the user is a confirmed member of
	Groups  map[string]int64      // groups the user is in → since
	Manages map[string]bool       // groups the user manages
	Vaults  map[string]int64      // vaults the user can read (the grants rule) → since
}

// Sees reports whether the viewer may receive e. Events follow the
// visibility of what they describe:
//   - an event addressed to the user (TargetUser) is always theirs;
//   - nothing of an organisation from before the user joined it, and
//     nothing of one they do not belong to;
//   - an event naming a private group: only its members, its manager and
//     the organisation's owner (as GET /orgs/{org}/groups shows it);
//   - a vault's events: its readers, from when their access began, and the
//     members of a group a grant of it is addressed to;
//   - other organisation events (roster, organisation groups): every member.
func (v *Viewer) Sees(e Event) bool {
	if e.TargetUser != "" && e.TargetUser == v.UserID {
		return true
	}
	var m Membership
	if e.OrgID != "" {
		var ok bool
		if m, ok = v.Orgs[e.OrgID]; !ok || e.Seq < m.Since {
			return false
		}
	}
	inGroup := false
	if e.TargetGroup != "" {
		since, ok := v.Groups[e.TargetGroup]
		inGroup = ok && e.Seq >= since
		if e.GroupPrivate && !inGroup && !v.Manages[e.TargetGroup] && !m.Owner {
			return false
		}
	}
	if e.VaultID != "" {
		since, ok := v.Vaults[e.VaultID]
		return (ok && e.Seq >= since) || inGroup
	}
	if e.OrgID == "" {
		return false
	}
	if strings.HasPrefix(e.Kind, "group.") && e.TargetGroup == "" {
		// Recorded before group events named their group: which group is
		// unknown, so only the owner (who sees every group) gets it.
		return m.Owner
	}
	return true
}

// Reloads reports whether e may change what the viewer can see (a grant,
// a membership, a new vault of theirs), so the viewer must be loaded again
// before e and later events are filtered with it.
//
// Only the users whose access changes reload: a grant to a group reloads
// its members, but adding someone to a group reloads only them, so a
// group manager's edits cannot make every member's streams query the
// database.
func (v *Viewer) Reloads(e Event) bool {
	mine := e.TargetUser != "" && e.TargetUser == v.UserID
	switch e.Kind {
	case EventVaultGranted, EventVaultRevoked:
		_, in := v.Groups[e.TargetGroup]
		return mine || (e.TargetGroup != "" && in)
	case EventVaultCreated, EventGroupMemberAdded, EventGroupMemberLeft, EventOrgCreated,
		EventMemberConfirmed, EventMemberRemoved:
		// A new vault's grant goes to its creator (TargetUser); a private
		// group's creator becomes its member through its vault.created.
		return mine
	case EventOwnerChanged:
		// Who owns the organisation decides what its members see (private
		// groups' events) and the new owner's grants.
		_, in := v.Orgs[e.OrgID]
		return in
	}
	return false
}

// EventStore is the live-update part of Store.
type EventStore interface {
	// Viewer loads what decides which events userID may see (Viewer.Sees).
	Viewer(ctx context.Context, userID string) (*Viewer, error)
	// EventsSince returns up to limit events after the cursor that userID
	// may see (Viewer.Sees, with the viewer loaded in the same snapshot),
	// the newest committed sequence number, and more = true when the limit
	// cut the answer short (the caller should resync rather than replay).
	EventsSince(ctx context.Context, userID string, since int64, limit int) (evs []Event, latest int64, more bool, err error)
	// EventsAfter returns every event with since < seq <= since+span, for
	// all users (the caller filters with Viewer.Sees), and the newest
	// committed sequence number. The answer covers seqs up to
	// min(latest, since+span).
	EventsAfter(ctx context.Context, since, span int64) ([]Event, int64, error)
	// PruneEvents deletes the events with a sequence number below before
	// and returns how many. Live streams replay only recent events (a
	// stream further behind resyncs), so older ones are never read again;
	// without pruning, every write would grow the database for good.
	PruneEvents(ctx context.Context, before int64) (int64, error)
}

// Notifier is implemented by stores that hear about commits made by other
// server instances (PostgreSQL LISTEN/NOTIFY). Listen calls wake after
// every committed change until ctx ends, reconnecting as needed.
type Notifier interface {
	Listen(ctx context.Context, wake func()) error
}
