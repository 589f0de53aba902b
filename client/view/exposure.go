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

// ExposureHiddenNote says what the items this account cannot name are.
const ExposureHiddenNote = "you cannot open (a private group's vault, or purged since): ask whoever can open them to change theirs too"

// Exposure is one exposure record (docs/protocol.md §18.6), as `coffer
// org exposure --json` prints it and the web app shows it.
type Exposure struct {
	How string `json:"how"` // removed, left, unbound, deleted, revoked, group
	// HowText says How in words (HowLost).
	HowText string    `json:"how_text"`
	At      time.Time `json:"at"`
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
	_      [0]func() // not comparable: no equality function in core.wasm (docs/performance.md)
	ID     string    `json:"id"`
	Label  string    `json:"label"`
	Hidden int       `json:"hidden"` // its items this account cannot name
}

// ExposedItem is an item they could read: the client core's, which the
// CLI and the web app show as it is.
type ExposedItem = client.ExposedItem

// ExposureReport is the whole answer: the person, the notice, and their
// records newest first.
type ExposureReport struct {
	Org    string `json:"org"`
	Email  string `json:"email"`
	Notice string `json:"notice"`
	// HiddenNote follows the count of the items this account cannot name.
	HiddenNote string     `json:"hidden_note"`
	Records    []Exposure `json:"records"`
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
	out := ExposureReport{Org: o.Name, Email: email, Notice: ExposureNotice, HiddenNote: ExposureHiddenNote, Records: make([]Exposure, 0, len(list))}
	for _, e := range list {
		x := Exposure{How: e.How, HowText: HowLost(e.How), At: e.At, Vaults: make([]ExposedVault, 0, len(e.Vaults)), Items: e.Items, Hidden: e.Hidden}
		if x.Items == nil {
			x.Items = []ExposedItem{}
		}
		for i, v := range e.Vaults {
			x.Vaults = append(x.Vaults, ExposedVault{ID: v, Label: e.VaultLabels[i], Hidden: e.HiddenByVault[v]})
		}
		out.Records = append(out.Records, x)
	}
	return out, nil
}

// HowLost says in words how a person lost access, in the CLI and the web
// app alike.
func HowLost(how string) string {
	switch how {
	case "removed":
		return "removed from the organisation"
	case "left":
		return "left the organisation"
	case "unbound":
		return "unbound from the organisation by an instance administrator"
	case "deleted":
		return "deleted their account"
	case "revoked":
		return "a grant revoked"
	case "group":
		return "removed from a group"
	}
	return how
}
