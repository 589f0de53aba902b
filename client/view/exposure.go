package view

import (
	"context"
	"time"

	"github.com/coffer-pm/coffer/client"
)

// ExposureNotice is what every exposure report says, in the CLI and the
// web app alike: the records list what the person could read, which they
// may have copied; rotation protects only what is written after.
const ExposureNotice = "These are the items they could read when they lost access. What they could read, they may have copied: change these passwords (and any other secret in them). Items created after that are not listed; items moved elsewhere since still are."

// Exposure is one exposure record (docs/protocol.md §18.6), as `coffer
// org exposure --json` prints it and the web app shows it.
type Exposure struct {
	How string    `json:"how"` // removed, left, unbound, deleted, revoked, group
	At  time.Time `json:"at"`
	// Vaults they could open then; Label "" for a vault this account does
	// not open (a private group's).
	Vaults []ExposedVault `json:"vaults"`
	// Items this account can name, by vault then name.
	Items []ExposedItem `json:"items"`
	// Hidden counts the items this account cannot name (in a vault it
	// does not hold, or gone since): they were exposed all the same.
	Hidden int `json:"hidden"`
}

// ExposedVault is a vault they could open.
type ExposedVault struct {
	ID     string `json:"id"`
	Label  string `json:"label"`
	Hidden int    `json:"hidden"` // its items this account cannot name
}

// ExposedItem is an item they could read.
type ExposedItem struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Type     string `json:"type"`
	VaultID  string `json:"vault_id"`
	Vault    string `json:"vault"`
	Revision uint64 `json:"revision"`
	// Changed is when the revision they could read was written (the
	// author's signed clock); Updated the server's time of it.
	Changed time.Time `json:"changed"`
	Updated time.Time `json:"updated"`
	Trashed bool      `json:"trashed"`
	// ChangedSince: a newer revision exists now (it may or may not have
	// changed the password).
	ChangedSince bool   `json:"changed_since"`
	MovedTo      string `json:"moved_to,omitempty"`
}

// ExposureReport is the whole answer: the person, the notice, and their
// records newest first.
type ExposureReport struct {
	Org     string     `json:"org"`
	Email   string     `json:"email"`
	Notice  string     `json:"notice"`
	Records []Exposure `json:"records"`
}

// ExposureOf reads what the person with this address (a current or
// former member) could read each time they lost access: the owner only.
func ExposureOf(ctx context.Context, s *client.Session, orgRef, email string) (ExposureReport, error) {
	list, err := s.Exposure(ctx, orgRef, email)
	if err != nil {
		return ExposureReport{}, err
	}
	o, err := s.FindOrg(orgRef)
	if err != nil {
		return ExposureReport{}, err
	}
	out := ExposureReport{Org: o.Name, Email: email, Notice: ExposureNotice, Records: make([]Exposure, 0, len(list))}
	for _, e := range list {
		x := Exposure{How: e.How, At: e.At, Vaults: make([]ExposedVault, 0, len(e.Vaults)), Items: make([]ExposedItem, 0, len(e.Items)), Hidden: e.Hidden}
		for i, v := range e.Vaults {
			x.Vaults = append(x.Vaults, ExposedVault{ID: v, Label: e.VaultLabels[i], Hidden: e.HiddenByVault[v]})
		}
		for _, it := range e.Items {
			x.Items = append(x.Items, ExposedItem{ID: it.ID, Name: it.Name, Type: it.Type, VaultID: it.VaultID, Vault: it.Vault, Revision: it.Revision,
				Changed: it.Changed, Updated: it.Updated, Trashed: it.Trashed, ChangedSince: it.ChangedSince, MovedTo: it.MovedTo})
		}
		out.Records = append(out.Records, x)
	}
	return out, nil
}
