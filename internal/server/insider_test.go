package server_test

import (
	"net/http"
	"testing"

	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/crypto"
)

// TestServerRefusesBadlySignedWrites: the server holds every account's
// public keys, so a member with write access cannot store a manifest or a
// revision that their own keys do not verify (issue 13, finding 2: one
// trash with a random-signature manifest used to brick the vault for every
// reader). Each is refused with 400 and nothing moves.
func TestServerRefusesBadlySignedWrites(t *testing.T) {
	f := newFixture(t)
	other, err := crypto.NewIdentity()
	if err != nil {
		t.Fatal(err)
	}
	manifestUnchanged := func(t *testing.T, want uint64) {
		t.Helper()
		if m := f.nextManifest(t, f.alice.Token(), f.vault); m.Version-1 != want {
			t.Fatalf("manifest moved from %d to %d", want, m.Version-1)
		}
	}
	cur := f.nextManifest(t, f.alice.Token(), f.vault).Version - 1

	for _, c := range []struct {
		name string
		sign func(api.Manifest) api.Manifest
	}{
		{"random signature", func(m api.Manifest) api.Manifest { m.Sig = randBytes(64); return m }},
		{"signed by another key", func(m api.Manifest) api.Manifest { return signedManifest(t, other, f.aliceID, "", m) }},
		{"signed for another organisation", func(m api.Manifest) api.Manifest {
			return signedManifest(t, f.aliceKey, f.aliceID, "0b8f7a10-8d7e-4d8a-9a59-0d3c9d3a1f00", m)
		}},
		{"signed, then its count changed", func(m api.Manifest) api.Manifest {
			m = signedManifest(t, f.aliceKey, f.aliceID, "", m)
			m.Count++
			return m
		}},
	} {
		t.Run("trash: "+c.name, func(t *testing.T) {
			check := f.itemUnchanged(t, f.item.ID)
			m := c.sign(f.nextManifest(t, f.alice.Token(), f.vault))
			wantError(t, f.send(t, "POST", "/items/"+f.item.ID+"/trash", f.alice.Token(), api.ManifestRequest{Manifest: m}),
				http.StatusBadRequest, api.CodeBadRequest, "manifest.sig does not verify")
			check(t)
			manifestUnchanged(t, cur)
		})
		t.Run("purge: "+c.name, func(t *testing.T) {
			m := c.sign(f.nextManifest(t, f.alice.Token(), f.vault))
			wantError(t, f.send(t, "POST", "/items/"+f.trashed.ID+"/purge", f.alice.Token(), api.ManifestRequest{Manifest: m}),
				http.StatusBadRequest, api.CodeBadRequest, "manifest.sig does not verify")
			manifestUnchanged(t, cur)
		})
	}

	t.Run("revision with a random signature", func(t *testing.T) {
		check := f.itemUnchanged(t, f.item.ID)
		req := newUpdate(2)
		f.sign(t, &req.Revision, f.item.ID, f.item.Type, 3)
		req.Revision.Sig = randBytes(64)
		req.Manifest = f.nextManifest(t, f.alice.Token(), f.vault)
		wantError(t, f.send(t, "PUT", "/items/"+f.item.ID, f.alice.Token(), req), http.StatusBadRequest, api.CodeBadRequest, "revision.sig does not verify")
		check(t)
		manifestUnchanged(t, cur)
	})
	t.Run("revision signed as another revision number", func(t *testing.T) {
		check := f.itemUnchanged(t, f.item.ID)
		req := newUpdate(2)
		f.sign(t, &req.Revision, f.item.ID, f.item.Type, 7)
		req.Manifest = f.nextManifest(t, f.alice.Token(), f.vault)
		wantError(t, f.send(t, "PUT", "/items/"+f.item.ID, f.alice.Token(), req), http.StatusBadRequest, api.CodeBadRequest, "revision.sig does not verify")
		check(t)
	})
	t.Run("revision without key commitment", func(t *testing.T) {
		req := newItem(f.vault)
		f.sign(t, &req.Revision, req.ID, req.Type, 1)
		req.Revision.KeyCommit = nil
		req.Manifest = f.nextManifest(t, f.alice.Token(), f.vault)
		wantError(t, f.send(t, "POST", "/vaults/"+f.vault+"/items", f.alice.Token(), req), http.StatusBadRequest, api.CodeBadRequest, "revision.key_commit must be 32 bytes")
		f.noItem(req.ID)(t)
	})
	t.Run("a well-signed write still lands", func(t *testing.T) {
		req := newItem(f.vault)
		f.sign(t, &req.Revision, req.ID, req.Type, 1)
		req.Manifest = f.nextManifest(t, f.alice.Token(), f.vault)
		f.send(t, "POST", "/vaults/"+f.vault+"/items", f.alice.Token(), req).decodeOK(t, http.StatusCreated, nil)
		manifestUnchanged(t, cur+1)
	})
}
