package client_test

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/crypto"
	"github.com/coffer-pm/coffer/internal/testserver"
)

func records(t *testing.T, s *client.Session, orgID string) map[string][]api.EpochRecord {
	t.Helper()
	var resp api.Records
	if err := client.RawDo(ctx, s, http.MethodGet, "/orgs/"+url.PathEscape(orgID)+"/records", nil, &resp); err != nil {
		t.Fatalf("records: %v", err)
	}
	out := map[string][]api.EpochRecord{}
	for _, r := range resp.Records {
		out[r.ObjectID] = append(out[r.ObjectID], r)
	}
	return out
}

// TestCreationSignsFirstRecords: an organisation, an organisation vault, a
// private group and its vault each start their chain with version 1,
// signed by their creator, naming their key, sealed name and holders; the
// server stores exactly that (protocol §18.1), shows a member only what
// they can see, and refuses a record that lists other holders than the
// write leaves.
func TestCreationSignsFirstRecords(t *testing.T) {
	env := testserver.Start(t, nil, nil)
	owner := signup(t, env.URL, "owner@records.example")
	member := signup(t, env.URL, "member@records.example")
	o := company(t, owner, "Records Inc", member)
	v, err := owner.CreateVault(ctx, o.ID, "Servers")
	if err != nil {
		t.Fatal(err)
	}
	g, err := member.CreateGroup(ctx, o.ID, "Secret project", true, "edit")
	if err != nil {
		t.Fatal(err)
	}
	recs := records(t, owner, o.ID)
	for id, kind := range map[string]string{o.ID: crypto.RecordOrg, v.ID: crypto.RecordVault, g.ID: crypto.RecordPrivateGroup} {
		rs := recs[id]
		if len(rs) != 1 || rs[0].Kind != kind || rs[0].Version != 1 || rs[0].Epoch != 1 || !bytes.Equal(rs[0].PrevHash, crypto.ZeroHash()) {
			t.Fatalf("%s %s: records %+v", kind, id, rs)
		}
	}
	if rs := recs[v.ID]; len(rs[0].Recipients) != 1 || rs[0].Recipients[0].ID != owner.Profile.UserID || rs[0].Recipients[0].Permission != 3 {
		t.Fatalf("the vault's first record names %+v, not its creator with manage", rs[0].Recipients)
	}
	if _, seen := recs[g.VaultID]; seen {
		t.Fatal("the owner was shown the records of a private group's vault")
	}
	mine := records(t, member, o.ID)
	gv := mine[g.VaultID]
	if len(gv) != 1 || gv[0].Kind != crypto.RecordGroupVault || len(gv[0].Recipients) != 2 || gv[0].SignerID != member.Profile.UserID {
		t.Fatalf("the private group's vault: %+v", gv)
	}
	if _, seen := mine[v.ID]; seen {
		t.Fatal("a member was shown the records of a vault they cannot read")
	}

	// A record must describe what the write leaves. Renaming the vault to
	// its own sealed name with a record that names another holder is
	// refused (409 record_conflict) and stores nothing; with the right
	// holders it is version 2.
	var vaults []api.Vault
	if err := client.RawDo(ctx, owner, http.MethodGet, "/vaults", nil, &vaults); err != nil {
		t.Fatal(err)
	}
	var meta []byte
	for _, av := range vaults {
		if av.ID == v.ID {
			meta = av.Meta
		}
	}
	rename := func(s *client.Session) string { // the audit statement of a rename
		return client.Statement(s, o.ID, api.AuditRename, api.TargetObject(api.ObjectVault, v.ID, false))
	}
	prev := recs[v.ID][0]
	next := prev
	next.Version, next.PrevHash = 2, crypto.EpochRecordHash(cryptoOf(t, prev), prev.Sig)
	wrong := next
	wrong.Recipients = append([]api.RecordRecipient{{Kind: "user", ID: member.Profile.UserID, Fingerprint: prev.Recipients[0].Fingerprint, Permission: 1}}, prev.Recipients...)
	err = client.RawDoStated(ctx, owner, http.MethodPut, "/vaults/"+url.PathEscape(v.ID)+"/meta", rename(owner), api.MetaRequest{Meta: meta, Record: client.SignRecordAs(owner, wrong)}, nil)
	if err == nil || !strings.Contains(err.Error(), "recipients") {
		t.Fatalf("a record naming a holder the vault does not have: %v", err)
	}
	stale := next
	stale.Version = 3
	if err := client.RawDoStated(ctx, owner, http.MethodPut, "/vaults/"+url.PathEscape(v.ID)+"/meta", rename(owner), api.MetaRequest{Meta: meta, Record: client.SignRecordAs(owner, stale)}, nil); err == nil {
		t.Fatal("a record skipping a version was stored")
	}
	if rs := records(t, owner, o.ID)[v.ID]; len(rs) != 1 {
		t.Fatalf("a refused change stored a record: %d records", len(rs))
	}
	if err := client.RawDoStated(ctx, owner, http.MethodPut, "/vaults/"+url.PathEscape(v.ID)+"/meta", rename(owner), api.MetaRequest{Meta: meta, Record: client.SignRecordAs(owner, next)}, nil); err != nil {
		t.Fatalf("the next record: %v", err)
	}
	if rs := records(t, owner, o.ID)[v.ID]; len(rs) != 2 || rs[1].Version != 2 {
		t.Fatalf("after the next record: %+v", rs)
	}
	// Someone else's signature is refused before anything is stored.
	forged := next
	forged.Version, forged.PrevHash = 3, crypto.EpochRecordHash(cryptoOf(t, next), client.SignRecordAs(owner, next).Sig)
	forged = client.SignRecordAs(member, forged)
	forged.SignerID = owner.Profile.UserID
	if err := client.RawDoStated(ctx, owner, http.MethodPut, "/vaults/"+url.PathEscape(v.ID)+"/meta", rename(owner), api.MetaRequest{Meta: meta, Record: forged}, nil); err == nil {
		t.Fatal("a record signed by another account was stored")
	}
}
func cryptoOf(t *testing.T, r api.EpochRecord) crypto.EpochRecord {
	t.Helper()
	cr, err := r.Signed()
	if err != nil {
		t.Fatal(err)
	}
	return cr
}
