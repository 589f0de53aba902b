package bridge

import (
	"context"
	"errors"
	"fmt"

	"github.com/coffer-pm/coffer/client"
)

// A server restored from a backup (docs/protocol.md §9.1): an unlock that
// finds a restore declared that this device has not accepted keeps the
// session (nothing of the server's answer was applied) and says so in
// Unlocked.Restored; a sync answers kind server-restored with the same
// sentence. The page asks the person, who accepts with acceptRestore or
// says "not now" (the next unlock or sync asks again).

// RestoreAccepted is what acceptRestore answers, in the core's words.
type RestoreAccepted struct {
	// Accepted is false when the server declares no restore this device
	// has not accepted already: acceptRestore only synced.
	Accepted bool `json:"accepted"`
	// Text says what happened, as one sentence.
	Text string `json:"text"`
	// GivenBack are the items given back to the server; NotGivenBack the
	// ones that could not be, each with its reason (Text says both).
	GivenBack    []RestoredItem `json:"given_back"`
	NotGivenBack []RestoredItem `json:"not_given_back"`
}

// RestoredItem is one item acceptRestore gave back, or could not.
type RestoredItem struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Vault string `json:"vault"`
	// Reason: why it was not given back (empty: it was).
	Reason string `json:"reason,omitempty"`
	// Text is the line the page shows for it.
	Text string `json:"text"`
}

func restoredItem(l client.LostItem) RestoredItem {
	r := RestoredItem{ID: l.ID, Name: client.Displayable(l.Name, 80), Vault: client.Displayable(l.Vault, 80), Reason: client.Displayable(l.Reason, 200)}
	if r.Reason == "" {
		r.Text = fmt.Sprintf("Given back: “%s” (%s).", r.Name, r.Vault)
	} else {
		r.Text = fmt.Sprintf("Not given back: “%s” (%s): %s.", r.Name, r.Vault, r.Reason)
	}
	return r
}

// restoreAccepted words a RestoreReport for the page.
func restoreAccepted(r *client.RestoreReport) RestoreAccepted {
	a := RestoreAccepted{Accepted: r.Accepted, GivenBack: []RestoredItem{}, NotGivenBack: []RestoredItem{}}
	for _, l := range r.Uploaded {
		a.GivenBack = append(a.GivenBack, restoredItem(l))
	}
	for _, l := range r.NotUploaded {
		a.NotGivenBack = append(a.NotGivenBack, restoredItem(l))
	}
	switch {
	case !r.Accepted:
		a.Text = "The server declares no restore this device has not accepted; synced."
	case len(a.GivenBack) == 0 && len(a.NotGivenBack) == 0:
		a.Text = "Accepted the restore of the server from a backup of " + restoreTime(r.Restore) + ". This device held nothing the server lost: nothing to give back."
	default:
		a.Text = fmt.Sprintf("Accepted the restore of the server from a backup of %s: %d item(s) given back, %d could not be.", restoreTime(r.Restore), len(a.GivenBack), len(a.NotGivenBack))
	}
	return a
}

func restoreTime(r client.ServerRestore) string {
	if r.StateAt.IsZero() {
		return "an empty database"
	}
	return r.StateAt.Format("2006-01-02 15:04 MST")
}

// acceptRestore accepts the restore the server declares
// (client.Session.AcceptRestore): what this device holds that the server
// lost is given back; what cannot be is said with its reason.
func (c *Core) acceptRestore() (RestoreAccepted, error) {
	s, err := c.Session()
	if err != nil {
		return RestoreAccepted{}, err
	}
	r, err := s.AcceptRestore(context.Background())
	if err != nil && !client.IsQuarantine(err) {
		return RestoreAccepted{}, err
	}
	c.persist(s)
	if r == nil {
		r = &client.RestoreReport{}
	}
	return restoreAccepted(r), nil
}

// restoredText is the core's sentence for a restore not yet accepted
// (empty: err is not one).
func restoredText(err error) string {
	if !errors.Is(err, client.ErrServerRestored) {
		return ""
	}
	return err.Error()
}
