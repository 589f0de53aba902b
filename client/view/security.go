package view

import (
	"context"
	"time"

	"github.com/coffer-pm/coffer/client"
)

// Rotation is a key rotation an organisation owes (docs/protocol.md
// §18.2): after someone loses access, each key they could open gets a new
// epoch. It completes when the next client that holds the key unlocks
// (RotationNote).
type Rotation struct {
	_        [0]func() // not comparable: no equality function in core.wasm (docs/performance.md)
	Kind     string    `json:"kind"` // org, group or vault
	ObjectID string    `json:"object_id"`
	What     string    `json:"what"` // in words: "the vault Operations"
	Epoch    uint64    `json:"epoch"`
	Reason   string    `json:"reason"`
	Why      string    `json:"why"` // in words: "a member left"
	Since    time.Time `json:"since"`
}

// Rotations are what an organisation owes, with the note the page shows.
type Rotations struct {
	Pending []Rotation `json:"pending"`
	Note    string     `json:"note"`
}

// RotationNote says how owed rotations complete.
const RotationNote = "A rotation completes by itself when the next person who holds that key unlocks Coffer; until then nothing new is written under the old key's successor for anyone who lost access."

var rotationWhy = map[string]string{
	"removed":                 "a member was removed",
	"left":                    "a member left the organisation",
	"unbound":                 "an instance administrator unbound a member",
	"deleted":                 "a member deleted their account",
	"group":                   "someone was removed from a group",
	"revoked":                 "a vault's access was revoked",
	client.ReasonUntrustedKey: "its current key was made by, or is still held by, someone who is no longer a member",
}

// PendingRotations lists what organisation orgRef owes, in words.
func PendingRotations(ctx context.Context, s *client.Session, orgRef string) (Rotations, error) {
	o, err := s.FindOrg(orgRef)
	if err != nil {
		return Rotations{}, err
	}
	list, err := s.PendingRotations(ctx, o.ID)
	if err != nil {
		return Rotations{}, err
	}
	out := Rotations{Pending: []Rotation{}, Note: RotationNote}
	for _, p := range list {
		why, ok := rotationWhy[p.Reason]
		if !ok {
			why = client.Displayable(p.Reason, 60)
		}
		out.Pending = append(out.Pending, Rotation{Kind: p.Kind, ObjectID: p.ObjectID, What: rotationWhat(p), Epoch: p.Epoch, Reason: p.Reason, Why: why, Since: p.Since})
	}
	return out, nil
}

func rotationWhat(p client.PendingRotation) string {
	name := client.Displayable(p.Name, client.MaxDisplayName)
	switch {
	case p.Kind == "org":
		return "the organisation key"
	case name != "":
		return "the " + p.Kind + " " + name
	}
	return "a " + p.Kind + " you cannot open (" + p.ObjectID + ")"
}
