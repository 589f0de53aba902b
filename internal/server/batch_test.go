package server_test

import (
	"net/http"
	"testing"

	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/server"
)

// TestBatchCreateIsCheckedLikeSingleCreates: POST /vaults/{id}/items/batch
// checks every item as a single create does; one bad item refuses the
// whole batch and stores nothing. (The permission cells are in the client's
// TestAuthorizationMatrix.)
func TestBatchCreateIsCheckedLikeSingleCreates(t *testing.T) {
	f := newFixture(t)
	token := f.alice.Token()
	batch := func(n int) api.CreateItemsRequest {
		req := api.CreateItemsRequest{Manifest: f.nextManifest(t, token, f.vault)}
		for range n {
			one := newItem(f.vault)
			f.sign(t, &one.Revision, one.ID, one.Type, 1)
			req.Items = append(req.Items, api.NewItem{ID: one.ID, Type: one.Type, Revision: one.Revision, KeyWraps: one.KeyWraps})
		}
		return req
	}
	none := func(req api.CreateItemsRequest) {
		t.Helper()
		for _, it := range req.Items {
			f.noItem(it.ID)(t)
		}
	}
	path := "/vaults/" + f.vault + "/items/batch"

	cases := []struct {
		name   string
		edit   func(*api.CreateItemsRequest)
		status int
		code   string
		msg    string
	}{
		{"one forged signature", func(r *api.CreateItemsRequest) { r.Items[2].Revision.Sig[0] ^= 1 }, http.StatusBadRequest, api.CodeBadRequest, "revision.sig does not verify"},
		{"an id twice", func(r *api.CreateItemsRequest) { r.Items[1].ID = r.Items[0].ID }, http.StatusBadRequest, api.CodeBadRequest, "twice"},
		{"a file item", func(r *api.CreateItemsRequest) { r.Items[0].Type = "file" }, http.StatusBadRequest, api.CodeBadRequest, "one at a time"},
		{"an attachment", func(r *api.CreateItemsRequest) { r.Items[0].Revision.FileIDs = []string{r.Items[1].ID} }, http.StatusBadRequest, api.CodeBadRequest, "attach"},
		{"no key for the current epoch", func(r *api.CreateItemsRequest) { r.Items[3].KeyWraps = nil }, http.StatusBadRequest, api.CodeBadRequest, "key_wraps"},
		{"a stale manifest", func(r *api.CreateItemsRequest) { r.Manifest = f.nextManifest(t, token, f.vault); r.Manifest.Version-- }, http.StatusBadRequest, api.CodeBadRequest, "manifest"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := batch(5)
			c.edit(&req)
			if c.name == "a stale manifest" {
				// Re-signed at the stored version: the compare-and-set refuses it.
				userID, id := f.signer(t, token)
				req.Manifest = signedManifest(t, id, userID, "", req.Manifest)
				wantError(t, f.send(t, "POST", path, token, req), http.StatusConflict, api.CodeManifestConflict)
			} else {
				wantError(t, f.send(t, "POST", path, token, req), c.status, c.code, c.msg)
			}
			none(req)
		})
	}
	t.Run("too many or none", func(t *testing.T) {
		wantError(t, f.send(t, "POST", path, token, api.CreateItemsRequest{Manifest: f.nextManifest(t, token, f.vault)}), http.StatusBadRequest, api.CodeBadRequest, "1 to")
		big := map[string]any{"items": make([]struct{}, server.MaxBatchItems+1)}
		wantError(t, f.send(t, "POST", path, token, big), http.StatusBadRequest, api.CodeBadRequest, "1 to")
	})
	t.Run("an id that exists", func(t *testing.T) {
		req := batch(4)
		req.Items[2].ID = f.item.ID
		f.sign(t, &req.Items[2].Revision, f.item.ID, req.Items[2].Type, 1)
		wantError(t, f.send(t, "POST", path, token, req), http.StatusConflict, api.CodeExists)
		none(api.CreateItemsRequest{Items: append(req.Items[:2:2], req.Items[3])})
	})
	t.Run("a good batch lands whole", func(t *testing.T) {
		req := batch(7)
		var out api.Items
		f.send(t, "POST", path, token, req).decodeOK(t, http.StatusCreated, &out)
		if len(out.Items) != 7 {
			t.Fatalf("answered %d items", len(out.Items))
		}
		for i, it := range out.Items {
			if it.ID != req.Items[i].ID || it.Head != 1 || it.Seq != out.Items[0].Seq {
				t.Fatalf("item %d: %+v", i, it)
			}
		}
	})
}
