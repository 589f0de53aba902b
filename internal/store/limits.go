package store

import "fmt"

// Limits on what one account makes the server store beyond its storage
// quota (issue 23, finding 6): objects whose rows no byte quota counts are
// bounded per account or per organisation instead, inside the creating
// transaction. Generous for any real organisation; they stop a loop.
const (
	MaxOrgsPerOwner          = 100  // organisations one account owns
	MaxPrivateGroupsPerOwner = 100  // private groups one member manages in one organisation
	MaxGroupsPerOrg          = 2000 // groups of one organisation, private ones included
	MaxVaultsPerOrg          = 2000 // vaults of one organisation, groups' own included
	MaxOpenInvitationsPerOrg = 1000 // invited or joined, not yet confirmed or cancelled
)

// LimitError is returned when a create would pass one of these limits.
// Nothing was written.
type LimitError struct {
	What string // "organisations you own", …
	Max  int
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("limit reached: at most %d %s", e.Max, e.What)
}
