package client_test

import (
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/testserver"
)

// TestOwnershipTransferPermissions: every rule of §18.5 has its refusal,
// sent as a raw request so that no client-side check hides a server hole:
// only the owner offers and withdraws (a member 403, anyone else 404),
// only the member the open offer names accepts (409 no_offer for another
// member and for the owner), and only the owner and that member see the
// offer. Nothing changes on a refusal.
func TestOwnershipTransferPermissions(t *testing.T) {
	env := testserver.Start(t, nil, nil)
	owner := signup(t, env.URL, "owner@t.example")
	laura := signup(t, env.URL, "laura@t.example")
	intern := signup(t, env.URL, "intern@t.example")
	outsider := signup(t, env.URL, "outsider@t.example")
	o := company(t, owner, "T", laura, intern)
	v, err := owner.CreateVault(ctx, o.ID, "V")
	if err != nil {
		t.Fatal(err)
	}
	if err := owner.GrantUser(ctx, v, "intern@t.example", "manage"); err != nil {
		t.Fatal(err)
	}
	if _, err := owner.OfferOwnership(ctx, o.ID, "laura@t.example"); err != nil {
		t.Fatal(err)
	}
	base := env.URL + "/api/v1/orgs/" + o.ID
	body := map[string]any{"new_owner_id": intern.Profile.UserID, "roster_version": 3}
	for _, c := range []struct {
		who          *client.Session
		method, path string
		body         any
		want         int
	}{
		{intern, "PUT", "/transfer", body, 403}, // a member (managing a vault) offers
		{outsider, "PUT", "/transfer", body, 404},
		{intern, "DELETE", "/transfer", nil, 403},
		{outsider, "DELETE", "/transfer", nil, 404},
		{intern, "GET", "/transfer", nil, 404}, // another member does not see it
		{outsider, "GET", "/transfer", nil, 404},
		{intern, "POST", "/transfer/accept", map[string]any{}, 409},
		{owner, "POST", "/transfer/accept", map[string]any{}, 409},
		{outsider, "POST", "/transfer/accept", map[string]any{}, 404},
	} {
		status, err := call(base, c.who, c.method, c.path, c.body)
		if err != nil || status != c.want {
			t.Errorf("%s %s %s: %d %v, want %d", c.who.Profile.Email, c.method, c.path, status, err, c.want)
		}
	}
	for _, s := range []*client.Session{owner, laura} {
		if status, _ := call(base, s, "GET", "/transfer", nil); status != 200 {
			t.Errorf("%s cannot see the offer: %d", s.Profile.Email, status)
		}
	}
	// Client-side: a member neither offers nor withdraws; the owner does
	// not accept its own offer.
	if _, err := intern.OfferOwnership(ctx, o.ID, "laura@t.example"); !errors.Is(err, client.ErrNotAllowed) {
		t.Errorf("a member offered: %v", err)
	}
	if err := intern.WithdrawOwnershipOffer(ctx, o.ID); !errors.Is(err, client.ErrNotAllowed) {
		t.Errorf("a member withdrew: %v", err)
	}
	if _, err := owner.AcceptOwnership(ctx, o.ID); !errors.Is(err, client.ErrNotAllowed) {
		t.Errorf("the owner accepted: %v", err)
	}
	if err := laura.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if lo, _ := laura.FindOrg(o.ID); lo.OwnerID != owner.Profile.UserID || lo.OfferedTo != laura.Profile.UserID {
		t.Fatalf("after the refusals: %+v", lo)
	}

	// Withdrawn, the offer cannot be accepted; there is nothing left to
	// withdraw.
	if err := owner.WithdrawOwnershipOffer(ctx, o.ID); err != nil {
		t.Fatal(err)
	}
	if err := owner.WithdrawOwnershipOffer(ctx, o.ID); !errors.Is(err, client.ErrNoOffer) {
		t.Errorf("withdrew twice: %v", err)
	}
	if _, err := laura.AcceptOwnership(ctx, o.ID); !errors.Is(err, client.ErrNoOffer) {
		t.Fatalf("accepted a withdrawn offer: %v", err)
	}

	// A stale offer: the roster moved on after it (a member confirmed).
	// Laura's client still holds the offer's roster; the server refuses.
	if _, err := owner.OfferOwnership(ctx, o.ID, "laura@t.example"); err != nil {
		t.Fatal(err)
	}
	if err := laura.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	bob := signup(t, env.URL, "bob@t.example")
	inv, err := owner.Invite(ctx, o.ID, []string{"bob@t.example"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bob.Join(ctx, "T", inv.Code); err != nil {
		t.Fatal(err)
	}
	if err := owner.Confirm(ctx, o.ID, []string{"bob@t.example"}); err != nil {
		t.Fatal(err)
	}
	if _, err := laura.AcceptOwnership(ctx, o.ID); err == nil || !strings.Contains(err.Error(), "roster moved on") {
		t.Fatalf("accepted a stale offer: %v", err)
	}
	// Synced, her client refuses it too (the offer no longer names the
	// roster she holds), and the organisation is unchanged.
	if err := laura.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := laura.AcceptOwnership(ctx, o.ID); !errors.Is(err, client.ErrNoOffer) {
		t.Fatalf("accepted a stale offer after a sync: %v", err)
	}
	if lo, _ := laura.FindOrg(o.ID); lo.OwnerID != owner.Profile.UserID || lo.OfferedTo != "" {
		t.Fatalf("after the stale offer: %+v", lo)
	}
}

// TestForgedTransferRefused: a server (or someone with its database)
// colluding with a member makes that member the owner — owner_id changed,
// a roster signed by the member as owner, and an "accepted transfer" the
// pinned owner never signed. Every other member's client refuses it
// (ErrTampered), quarantining that organisation alone. So does a transfer
// built from a genuine offer to someone else, and from a genuine offer
// that went stale (the roster moved on, and the client saw it).
func TestForgedTransferRefused(t *testing.T) {
	env := testserver.Start(t, nil, nil)
	owner := signup(t, env.URL, "owner@f.example")
	laura := signup(t, env.URL, "laura@f.example")
	intern := signup(t, env.URL, "intern@f.example")
	bob := signup(t, env.URL, "bob@f.example")
	o := company(t, owner, "F", laura, intern)
	company(t, laura, "Laura's own")
	addLogin(t, laura, "zq-diary-entry", "zq-pw-41")
	db, err := sql.Open("sqlite", env.DBPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := intern.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	internAsMember, err := laura.MemberByEmail("intern@f.example")
	if err != nil {
		t.Fatal(err)
	}

	// plant makes the intern the owner with a roster the intern signs and
	// a transfer row (offer signed by signer, or an existing row).
	// The genuine state plant overwrites (an offer moves the roster on:
	// restore goes back to the newest genuine roster, not the first).
	var version uint64
	var roster, sig []byte
	plant := func(t *testing.T, transferSQL string, args ...any) {
		t.Helper()
		if err := db.QueryRow(`SELECT roster_version, roster, roster_sig FROM orgs WHERE id = ?`, o.ID).Scan(&version, &roster, &sig); err != nil {
			t.Fatal(err)
		}
		if err := intern.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		r := client.ForgeOwnerRoster(intern, o.ID)
		roster, _ := json.Marshal(r.Members)
		for _, q := range []struct {
			sql  string
			args []any
		}{
			{`UPDATE orgs SET owner_id = ?, roster_version = ?, roster = ?, roster_sig = ? WHERE id = ?`, []any{intern.Profile.UserID, r.Version, roster, r.Sig, o.ID}},
			{`UPDATE org_members SET role = CASE user_id WHEN ? THEN 'owner' ELSE 'member' END WHERE org_id = ?`, []any{intern.Profile.UserID, o.ID}},
			{transferSQL, args},
		} {
			if q.sql == "" {
				continue
			}
			if _, err := db.Exec(q.sql, q.args...); err != nil {
				t.Fatal(err)
			}
		}
	}
	restore := func(t *testing.T) {
		t.Helper()
		for _, q := range []string{`DELETE FROM org_transfers`} {
			db.Exec(q)
		}
		db.Exec(`UPDATE orgs SET owner_id = ?, roster_version = ?, roster = ?, roster_sig = ? WHERE id = ?`, owner.Profile.UserID, version, roster, sig, o.ID)
		db.Exec(`UPDATE org_members SET role = CASE user_id WHEN ? THEN 'owner' ELSE 'member' END WHERE org_id = ?`, owner.Profile.UserID, o.ID)
	}
	var first uint64
	if err := db.QueryRow(`SELECT roster_version FROM orgs WHERE id = ?`, o.ID).Scan(&first); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UnixMilli()
	insert := `INSERT INTO org_transfers (org_id, roster_version, old_owner_id, new_owner_id, new_owner_fp, sig, wraps, offered_at, accepted_at, record_heads) VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?, ?)`

	refused := func(t *testing.T, what string) {
		t.Helper()
		err := laura.Sync(ctx)
		if !errors.Is(err, client.ErrTampered) || !client.IsQuarantine(err) {
			t.Fatalf("%s: sync %v, want a quarantine (ErrTampered)", what, err)
		}
		var found bool
		for _, q := range laura.Quarantined() {
			if q.Kind == client.KindOrg && q.ID == o.ID {
				found = strings.Contains(q.Reason, "pinned owner")
			} else {
				t.Fatalf("%s: quarantined beyond the organisation: %+v", what, q)
			}
		}
		if !found {
			t.Fatalf("%s: the organisation is not quarantined for its owner: %+v", what, laura.Quarantined())
		}
		if _, err := laura.FindOrg("Laura's own"); err != nil {
			t.Fatalf("%s: another organisation: %v", what, err)
		}
		if _, err := laura.FindItem("zq-diary-entry", false); err != nil {
			t.Fatalf("%s: My Vault: %v", what, err)
		}
	}

	t.Run("signed by the new owner", func(t *testing.T) {
		plant(t, insert, o.ID, first, owner.Profile.UserID, intern.Profile.UserID, internAsMember.Keys.Fingerprint(),
			client.SignTransferOfferAs(intern, o.ID, first, owner.Profile.UserID, internAsMember), now, now, client.NoHeads)
		refused(t, "an offer the owner did not sign")
		restore(t)
	})
	t.Run("no transfer at all", func(t *testing.T) {
		plant(t, "")
		refused(t, "no transfer")
		restore(t)
	})
	t.Run("a genuine offer to someone else", func(t *testing.T) {
		if err := laura.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := owner.OfferOwnership(ctx, o.ID, "laura@f.example"); err != nil {
			t.Fatal(err)
		}
		plant(t, `UPDATE org_transfers SET accepted_at = ?`, now)
		refused(t, "an offer to another member")
		restore(t)
	})
	t.Run("a stale genuine offer", func(t *testing.T) {
		if err := laura.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := owner.OfferOwnership(ctx, o.ID, "intern@f.example"); err != nil {
			t.Fatal(err)
		}
		// The roster moves on, and laura's client sees it.
		inv, err := owner.Invite(ctx, o.ID, []string{"bob@f.example"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := bob.Join(ctx, "F", inv.Code); err != nil {
			t.Fatal(err)
		}
		if err := owner.Confirm(ctx, o.ID, []string{"bob@f.example"}); err != nil {
			t.Fatal(err)
		}
		if err := laura.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		// The offer and the confirmation each moved it on.
		if client.RosterVersion(laura, o.ID) != first+3 {
			t.Fatalf("roster version %d, want %d", client.RosterVersion(laura, o.ID), first+3)
		}
		plant(t, `UPDATE org_transfers SET accepted_at = ?`, now)
		refused(t, "a stale offer")
	})
}

// TestOldOwnerNoLongerSignsAsOwner: after a transfer, once the new owner
// has signed a record of the organisation, a record the old owner signs as
// owner (planted by a server that colludes with them) is refused by every
// reader: the organisation is quarantined.
func TestOldOwnerNoLongerSignsAsOwner(t *testing.T) {
	env := testserver.Start(t, nil, nil)
	owner := signup(t, env.URL, "owner@o.example")
	laura := signup(t, env.URL, "laura@o.example")
	intern := signup(t, env.URL, "intern@o.example")
	o := company(t, owner, "O", laura, intern)
	if _, err := owner.OfferOwnership(ctx, o.ID, "laura@o.example"); err != nil {
		t.Fatal(err)
	}
	if err := laura.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := laura.AcceptOwnership(ctx, o.ID); err != nil {
		t.Fatal(err)
	}
	if err := laura.RenameOrg(ctx, o.ID, "O2"); err != nil { // the new owner signs the organisation's chain
		t.Fatal(err)
	}
	if err := intern.Sync(ctx); err != nil || len(intern.Quarantined()) != 0 {
		t.Fatalf("before: %v %+v", err, intern.Quarantined())
	}
	var recs api.Records
	if err := client.RawDo(ctx, intern, "GET", "/orgs/"+o.ID+"/records", nil, &recs); err != nil {
		t.Fatal(err)
	}
	var latest api.EpochRecord
	for _, r := range recs.Records {
		if r.ObjectID == o.ID && r.Version > latest.Version {
			latest = r
		}
	}
	next := latest
	next.Version, next.PrevHash, next.TimeMS = latest.Version+1, client.RecordHash(latest), latest.TimeMS+1
	db, err := sql.Open("sqlite", env.DBPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	insertRecord(t, db, client.SignRecordAs(owner, next))
	err = intern.Sync(ctx)
	if !errors.Is(err, client.ErrTampered) {
		t.Fatalf("a record the old owner signed as owner after the new owner: %v", err)
	}
	quarantinedFor(t, intern, o.ID, "may not change it")
}

// TestWithdrawnOfferCannotBeCompleted: the owner offers the organisation
// and withdraws the offer; the member it named, colluding with the
// server, completes it anyway (the withdrawn offer kept as accepted, a
// roster signed by them as owner). The withdrawal moved the roster on, so
// the offer names a version behind what every client that saw the
// withdrawal holds: they refuse it, the owner's own included.
func TestWithdrawnOfferCannotBeCompleted(t *testing.T) {
	env := testserver.Start(t, nil, nil)
	owner := signup(t, env.URL, "owner@w.example")
	laura := signup(t, env.URL, "laura@w.example")
	intern := signup(t, env.URL, "intern@w.example")
	o := company(t, owner, "W", laura, intern)
	db, err := sql.Open("sqlite", env.DBPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := owner.OfferOwnership(ctx, o.ID, "laura@w.example"); err != nil {
		t.Fatal(err)
	}
	var offerVersion uint64
	var fp, sig, heads []byte
	if err := db.QueryRow(`SELECT roster_version, new_owner_fp, sig, record_heads FROM org_transfers WHERE org_id = ?`, o.ID).Scan(&offerVersion, &fp, &sig, &heads); err != nil {
		t.Fatal(err)
	}
	if err := owner.WithdrawOwnershipOffer(ctx, o.ID); err != nil {
		t.Fatal(err)
	}
	for _, s := range []*client.Session{laura, intern} {
		if err := s.Sync(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if client.RosterVersion(intern, o.ID) != offerVersion+1 {
		t.Fatalf("after the withdrawal the roster is at %d, the offer at %d", client.RosterVersion(intern, o.ID), offerVersion)
	}
	// The collusion: the withdrawn offer, accepted; laura the owner.
	r := client.ForgeOwnerRoster(laura, o.ID)
	members, _ := json.Marshal(r.Members)
	now := time.Now().UnixMilli()
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO org_transfers (org_id, roster_version, old_owner_id, new_owner_id, new_owner_fp, record_heads, sig, wraps, offered_at, accepted_at) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)`,
			[]any{o.ID, offerVersion, owner.Profile.UserID, laura.Profile.UserID, fp, heads, sig, now, now}},
		{`UPDATE orgs SET owner_id = ?, roster_version = ?, roster = ?, roster_sig = ? WHERE id = ?`, []any{laura.Profile.UserID, r.Version, members, r.Sig, o.ID}},
		{`UPDATE org_members SET role = CASE user_id WHEN ? THEN 'owner' ELSE 'member' END WHERE org_id = ?`, []any{laura.Profile.UserID, o.ID}},
	} {
		if _, err := db.Exec(q.sql, q.args...); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range []*client.Session{intern, owner} {
		if err := s.Sync(ctx); !errors.Is(err, client.ErrTampered) {
			t.Fatalf("%s followed a withdrawn offer: %v", s.Profile.Email, err)
		}
	}
}

// TestAcceptanceFollowsTheRecordsTheOfferNames: the server serves the new
// owner an older record of a vault (from before a grant was revoked) to
// build its acceptance on; the acceptance's records would list the
// revoked grantee again. The offer signs the heads of the records the old
// owner verified, so the new owner's client refuses before signing.
func TestAcceptanceFollowsTheRecordsTheOfferNames(t *testing.T) {
	env := testserver.Start(t, nil, nil)
	owner := signup(t, env.URL, "owner@h.example")
	laura := signup(t, env.URL, "laura@h.example")
	carol := signup(t, env.URL, "carol@h.example")
	o := company(t, owner, "H", laura, carol)
	v, err := owner.CreateVault(ctx, o.ID, "Payroll")
	if err != nil {
		t.Fatal(err)
	}
	if err := owner.GrantUser(ctx, mustVault(t, owner, v.ID), "carol@h.example", "view"); err != nil {
		t.Fatal(err)
	}
	if err := owner.Revoke(ctx, mustVault(t, owner, v.ID), "user", "carol@h.example"); err != nil {
		t.Fatal(err)
	}
	if _, err := owner.OfferOwnership(ctx, o.ID, "laura@h.example"); err != nil {
		t.Fatal(err)
	}
	if err := laura.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", env.DBPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// The records from the revoke on, dropped: the grant's is the newest.
	var grantVersion uint64
	if err := db.QueryRow(`SELECT MAX(version) FROM epoch_records WHERE object_id = ? AND CAST(recipients AS TEXT) LIKE ?`, v.ID, "%"+carol.Profile.UserID+"%").Scan(&grantVersion); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`DELETE FROM epoch_records WHERE object_id = ? AND version > ?`, v.ID, grantVersion); err != nil {
		t.Fatal(err)
	}
	_, err = laura.AcceptOwnership(ctx, o.ID)
	if !errors.Is(err, client.ErrNoOffer) || !strings.Contains(err.Error(), "not the ones the offer names") {
		t.Fatalf("accepting on top of a stale record: %v", err)
	}
}
