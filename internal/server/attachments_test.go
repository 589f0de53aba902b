package server_test

// Issue 13, finding 12: a file belongs to exactly one item. An edit member
// could reference another item's attachment from a new (or edited) item,
// move that item to a vault of their choice, and so take the file from the
// original item's readers. Against the real server with the real client.

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/crypto"
	"github.com/coffer-pm/coffer/internal/testserver"
)

// teamWithTwoVaults: an owner, an edit member (Mallory) on vaults V1 and
// V2, and a reader (Rita) who may only view V1.
type teamWithTwoVaults struct {
	env                    *testserver.Env
	owner, mallory, reader *client.Session
	v1, v2                 *client.Vault
}

func newTeamWithTwoVaults(t *testing.T) *teamWithTwoVaults {
	t.Helper()
	cfg := testConfig()
	env := testserver.Start(t, &cfg, nil)
	tm := &teamWithTwoVaults{env: env}
	tm.owner = signupClient(t, env.URL, "owner@example.com")
	tm.mallory = signupClient(t, env.URL, "mallory@example.com")
	tm.reader = signupClient(t, env.URL, "rita@example.com")
	for _, s := range []*client.Session{tm.owner, tm.mallory, tm.reader} {
		if err := s.Sync(bg); err != nil {
			t.Fatal(err)
		}
	}
	o, err := tm.owner.CreateOrg(bg, "Acme")
	if err != nil {
		t.Fatal(err)
	}
	emails := []string{"mallory@example.com", "rita@example.com"}
	res, err := tm.owner.Invite(bg, o.ID, emails)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []*client.Session{tm.mallory, tm.reader} {
		if _, err := s.Join(bg, "Acme", res.Code); err != nil {
			t.Fatal(err)
		}
	}
	if err := tm.owner.Confirm(bg, o.ID, emails); err != nil {
		t.Fatal(err)
	}
	if tm.v1, err = tm.owner.CreateVault(bg, o.ID, "V1"); err != nil {
		t.Fatal(err)
	}
	if tm.v2, err = tm.owner.CreateVault(bg, o.ID, "V2"); err != nil {
		t.Fatal(err)
	}
	for _, g := range []struct {
		v          *client.Vault
		email, per string
	}{{tm.v1, "mallory@example.com", "edit"}, {tm.v2, "mallory@example.com", "edit"}, {tm.v1, "rita@example.com", "view"}} {
		if err := tm.owner.GrantUser(bg, g.v, g.email, g.per); err != nil {
			t.Fatalf("GrantUser: %v", err)
		}
	}
	for _, s := range []*client.Session{tm.mallory, tm.reader} {
		if err := s.Sync(bg); err != nil {
			t.Fatal(err)
		}
	}
	return tm
}

// download fetches an item's only attachment as s sees it.
func download(s *client.Session, itemID string) ([]byte, error) {
	if err := s.Sync(bg); err != nil {
		return nil, err
	}
	it, err := s.FindItem(itemID, false)
	if err != nil {
		return nil, err
	}
	att, err := it.FindAttachment("")
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	err = s.DownloadFile(bg, att, &buf)
	return buf.Bytes(), err
}

func TestFileBelongsToOneItem(t *testing.T) {
	tm := newTeamWithTwoVaults(t)
	secret := bytes.Repeat([]byte("contract "), 1000)
	att, err := tm.owner.UploadFile(bg, tm.v1.ID, "contract.pdf", bytes.NewReader(secret), int64(len(secret)))
	if err != nil {
		t.Fatal(err)
	}
	original, err := tm.owner.CreateItem(bg, tm.v1.ID, "file", client.Content{Name: "Contract", Files: []client.Attachment{att}})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := download(tm.reader, original.ID); err != nil || !bytes.Equal(got, secret) {
		t.Fatalf("reader's download before the attack: %v", err)
	}
	readerStillDownloads := func(t *testing.T) {
		t.Helper()
		if got, err := download(tm.reader, original.ID); err != nil || !bytes.Equal(got, secret) {
			t.Fatalf("the original item's reader cannot download its file any more: %v", err)
		}
		f, err := tm.env.Store.File(bg, att.ID)
		if err != nil || f.VaultID != tm.v1.ID {
			t.Fatalf("the file left V1: %+v, %v", f, err)
		}
		if ids, _ := tm.env.Store.ItemFiles(bg, original.ID); len(ids) != 1 || ids[0] != att.ID {
			t.Fatalf("the original's files are %v, want its attachment", ids)
		}
	}
	if err := tm.mallory.Sync(bg); err != nil {
		t.Fatal(err)
	}

	t.Run("new item referencing it, then moved", func(t *testing.T) {
		// The attack as reported: Mallory can read the original, so she
		// knows the attachment (id and key) and references it from a new
		// item in V1, then moves that item to V2.
		decoy, err := tm.mallory.CreateItem(bg, tm.v1.ID, "file", client.Content{Name: "Decoy", Files: []client.Attachment{att}})
		if err == nil {
			if _, err := tm.mallory.MoveItem(bg, decoy, tm.v2.ID); err != nil {
				t.Logf("move: %v", err)
			}
			readerStillDownloads(t)
			t.Fatal("an item referencing another item's file was created")
		}
		if !strings.Contains(err.Error(), "attached to another item") {
			t.Fatalf("CreateItem: %v, want refused: attached to another item", err)
		}
		readerStillDownloads(t)
	})

	t.Run("existing item edited to reference it, then moved", func(t *testing.T) {
		other, err := tm.mallory.CreateItem(bg, tm.v1.ID, "note", client.Content{Name: "Harmless"})
		if err != nil {
			t.Fatal(err)
		}
		check := itemUnchangedIn(t, tm.env, other.ID)
		edited, err := tm.mallory.UpdateItem(bg, other, client.Content{Name: "Harmless", Files: []client.Attachment{att}})
		if err == nil {
			tm.mallory.MoveItem(bg, edited, tm.v2.ID)
			readerStillDownloads(t)
			t.Fatal("an edit referencing another item's file was accepted")
		}
		if !strings.Contains(err.Error(), "attached to another item") {
			t.Fatalf("UpdateItem: %v, want refused: attached to another item", err)
		}
		check(t)
		readerStillDownloads(t)
	})

	t.Run("move naming it", func(t *testing.T) {
		other, err := tm.mallory.CreateItem(bg, tm.v1.ID, "note", client.Content{Name: "Mover"})
		if err != nil {
			t.Fatal(err)
		}
		check := itemUnchangedIn(t, tm.env, other.ID)
		r := rawMove(t, tm, other.ID, 1, att.ID)
		wantError(t, r, http.StatusBadRequest, api.CodeBadRequest, "not an attachment uploaded to this vault")
		check(t)
		readerStillDownloads(t)
	})

	t.Run("a move records the links it validates", func(t *testing.T) {
		// A file uploaded to V2, named by the revision that moves an item
		// there, becomes that item's: it is purged with it, and no other
		// item can take it afterwards.
		mover, err := tm.mallory.CreateItem(bg, tm.v1.ID, "note", client.Content{Name: "Mover 2"})
		if err != nil {
			t.Fatal(err)
		}
		data := []byte("fresh attachment")
		fresh, err := tm.mallory.UploadFile(bg, tm.v2.ID, "fresh.txt", bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		rawMove(t, tm, mover.ID, 1, fresh.ID).decodeOK(t, http.StatusOK, nil)
		if ids, err := tm.env.Store.ItemFiles(bg, mover.ID); err != nil || len(ids) != 1 || ids[0] != fresh.ID {
			t.Fatalf("after the move the item's files are %v (%v), want the file its revision named", ids, err)
		}
		if _, err := tm.mallory.CreateItem(bg, tm.v2.ID, "file", client.Content{Name: "Thief", Files: []client.Attachment{fresh}}); err == nil ||
			!strings.Contains(err.Error(), "attached to another item") {
			t.Fatalf("another item took the moved item's file: %v", err)
		}
	})
}

// rawMove moves item (at revision base) from V1 to V2 as Mallory with a
// hand-made revision naming fileID; the server cannot tell its random
// ciphertext from the client's.
func rawMove(t *testing.T, tm *teamWithTwoVaults, itemID string, base uint64, fileID string) reply {
	t.Helper()
	f := &fixture{env: tm.env, hc: tm.env.HTTP.Client()}
	tok := tm.mallory.Token()
	v1, v2 := tm.v1.ID, tm.v2.ID
	rev := api.NewRevision{KeyEpoch: 1, Time: 1, PrevHash: randBytes(crypto.HashSize), Blob: randBytes(200), Sig: randBytes(64), FileIDs: []string{fileID}}
	f.signAs(t, tok, tm.v2.OrgID, v2, &rev, itemID, "note", base+1)
	req := api.MoveItemRequest{ToVault: v2, BaseRevision: base, Revision: rev,
		KeyWraps: []api.ItemKeyWrap{{KeyVault: v1, KeyEpoch: 1, WrapVault: v2, WrapEpoch: 1, Wrap: randBytes(73)},
			{KeyVault: v2, KeyEpoch: 1, WrapVault: v2, WrapEpoch: 1, Wrap: randBytes(73)}},
		Manifest: f.nextManifest(t, tok, v1), ToManifest: f.nextManifest(t, tok, v2)}
	return f.send(t, "POST", "/items/"+itemID+"/move", tok, req)
}

// itemUnchangedIn is fixture.itemUnchanged for any test server.
func itemUnchangedIn(t *testing.T, env *testserver.Env, id string) func(*testing.T) {
	t.Helper()
	return (&fixture{env: env}).itemUnchanged(t, id)
}
