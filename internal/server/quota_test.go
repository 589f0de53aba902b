package server_test

// Issue 13, finding 11: storage quotas per account, a cap on unattached
// uploads, and their expiry. Against the real server; time moves with the
// server's clock, never by sleeping.

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/crypto"
	"github.com/coffer-pm/coffer/internal/server"
	"github.com/coffer-pm/coffer/internal/store"
	"github.com/coffer-pm/coffer/internal/testserver"
)

// announce announces an upload of size bytes to vault without sending any
// chunk, as the reported flood did.
func (f *fixture) announce(t *testing.T, token, vault string, size int64) (string, reply) {
	t.Helper()
	id := uuid.NewString()
	return id, f.send(t, "POST", "/vaults/"+vault+"/files", token, api.NewFile{ID: id, Size: size, ChunkCount: crypto.ChunkCount(size)})
}

// flood announces up to max uploads and returns the accepted ids, the
// first refusal and the id it was for.
func (f *fixture) flood(t *testing.T, token, vault string, size int64, max int) ([]string, reply, string) {
	t.Helper()
	var ok []string
	for range max {
		id, r := f.announce(t, token, vault, size)
		if r.status != http.StatusCreated {
			return ok, r, id
		}
		ok = append(ok, id)
	}
	return ok, reply{}, ""
}

func personalVault(t testing.TB, s *client.Session) string {
	t.Helper()
	if err := s.Sync(bg); err != nil {
		t.Fatal(err)
	}
	v, err := s.PersonalVault()
	if err != nil {
		t.Fatal(err)
	}
	return v.ID
}

// createWithFile creates an item in vault whose revision names fileID, as
// token's account, over raw HTTP.
func (f *fixture) createWithFile(t *testing.T, token, vault, fileID string, blob int) (string, reply) {
	t.Helper()
	req := newItem(vault)
	req.Revision.Blob = randBytes(blob)
	if fileID != "" {
		req.Revision.FileIDs = []string{fileID}
	}
	f.signAs(t, token, "", vault, &req.Revision, req.ID, req.Type, 1)
	req.Manifest = f.nextManifest(t, token, vault)
	return req.ID, f.send(t, "POST", "/vaults/"+vault+"/items", token, req)
}

// codeQuotaExceeded is api.CodeQuotaExceeded, spelled out so that this
// test also builds (and fails) on the code before quotas existed.
const codeQuotaExceeded = "quota_exceeded"

// The flood from the report, against a server with the default
// configuration: 500 announced 100 MiB files, then 500 tiny ones. The
// defaults stop both early, say why, and store nothing for the refused.
// A day later the unattached uploads have expired: they count for
// nothing, take no chunks and cannot be attached.
func TestDefaultQuotasStopAnUploadFlood(t *testing.T) {
	cfg := server.DefaultConfig()
	cfg.SessionIdle, cfg.SessionMax = 1000*time.Hour, 1000*time.Hour // the clock moves a day
	env := testserver.Start(t, &cfg, nil)
	f := &fixture{env: env, hc: env.HTTP.Client()}
	alice := signupClient(t, env.URL, "alice@example.com")
	bob := signupClient(t, env.URL, "bob@example.com")
	av, bv := personalVault(t, alice), personalVault(t, bob)

	// 1 GiB of unattached uploads at most: ten of 100 MiB.
	big, r, refused := f.flood(t, alice.Token(), av, 100<<20, 500)
	if len(big) != 10 {
		t.Fatalf("%d announced 100 MiB uploads accepted, want 10 (1 GiB pending per account)", len(big))
	}
	wantError(t, r, http.StatusInsufficientStorage, codeQuotaExceeded, "not attached to any item", "1.0 GiB", "expire")
	if _, err := env.Store.File(bg, refused); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the refused upload was stored: %v", err)
	}
	// 100 unattached uploads at most, however small.
	small, r, _ := f.flood(t, bob.Token(), bv, 1, 500)
	if len(small) != 100 {
		t.Fatalf("%d announced 1-byte uploads accepted, want 100", len(small))
	}
	wantError(t, r, http.StatusInsufficientStorage, codeQuotaExceeded, "100 uploads not attached", "at most 100")
	// Bob completes one of them (one chunk) but never attaches it.
	f.send(t, "PUT", "/files/"+small[0]+"/chunks/0", bob.Token(), string(randBytes(crypto.ChunkOverhead+1)), "Content-Type", "application/octet-stream").decodeOK(t, http.StatusNoContent, nil)

	f.setClock(t, time.Now().Add(24*time.Hour+time.Minute))
	_, r = f.announce(t, alice.Token(), av, 100<<20)
	r.decodeOK(t, http.StatusCreated, nil)
	wantError(t, f.send(t, "PUT", "/files/"+big[0]+"/chunks/0", alice.Token(), string(randBytes(crypto.ChunkOverhead+1)), "Content-Type", "application/octet-stream"),
		http.StatusNotFound, api.CodeNotFound, "expired")
	id, r := f.createWithFile(t, bob.Token(), bv, small[0], 100)
	wantError(t, r, http.StatusBadRequest, api.CodeBadRequest, "expired", "upload it again")
	f.noItem(id)(t)
}

// A small quota: attached files and revision blobs count against the
// account that uploaded or wrote them; purging frees the space.
func TestStorageQuotaCountsFilesAndRevisions(t *testing.T) {
	cfg := testConfig()
	cfg.QuotaBytes, cfg.MaxPendingUploads, cfg.MaxPendingBytes = 300_000, 2, 250_000
	env := testserver.Start(t, &cfg, nil)
	f := &fixture{env: env, hc: env.HTTP.Client()}
	alice := signupClient(t, env.URL, "alice@example.com")
	av := personalVault(t, alice)
	data := bytes.Repeat([]byte("x"), 100_000)
	var items []*client.Item
	for _, name := range []string{"one", "two"} {
		att, err := alice.UploadFile(bg, av, name, bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		it, err := alice.CreateItem(bg, av, "file", client.Content{Name: name, Files: []client.Attachment{att}})
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, it)
	}
	// 200,000 bytes of files plus the blobs: a third file does not fit.
	_, r := f.announce(t, alice.Token(), av, 100_000)
	wantError(t, r, http.StatusInsufficientStorage, api.CodeQuotaExceeded, "your account stores", "300000 bytes", "purge")
	if _, err := alice.UploadFile(bg, av, "three", bytes.NewReader(data), int64(len(data))); err == nil {
		t.Fatal("the client's upload over the quota was accepted")
	}

	// Purging an item with its file frees the space.
	if err := alice.Sync(bg); err != nil {
		t.Fatal(err)
	}
	trashed, err := alice.TrashItem(bg, items[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := alice.PurgeItem(bg, trashed); err != nil {
		t.Fatal(err)
	}
	att, err := alice.UploadFile(bg, av, "three", bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("upload after purging: %v", err)
	}
	if _, err := alice.CreateItem(bg, av, "file", client.Content{Name: "three", Files: []client.Attachment{att}}); err != nil {
		t.Fatal(err)
	}

	// Revision blobs count too: 4 KiB items fill the rest, then are refused.
	var last string
	for i := 0; ; i++ {
		if i > 30 {
			t.Fatal("revision blobs are not counted against the quota")
		}
		id, r := f.createWithFile(t, alice.Token(), av, "", maxBlob)
		if r.status == http.StatusInsufficientStorage {
			wantError(t, r, http.StatusInsufficientStorage, api.CodeQuotaExceeded, "your account stores")
			f.noItem(id)(t)
			break
		}
		r.decodeOK(t, http.StatusCreated, nil)
		last = id
	}
	u, err := env.Store.Usage(bg, alice.Profile.UserID, time.Time{})
	if err != nil || u.Bytes > cfg.QuotaBytes || u.Bytes+maxBlob <= cfg.QuotaBytes {
		t.Fatalf("usage at the refusal = %+v, %v; want within %d bytes of the quota", u, err, maxBlob)
	}
	// An edit that adds a blob is refused the same way; nothing written.
	check := f.itemUnchanged(t, last)
	up := newUpdate(1)
	up.Revision.Blob = randBytes(maxBlob)
	up.Manifest = f.nextManifest(t, alice.Token(), av)
	wantError(t, f.send(t, "PUT", "/items/"+last, alice.Token(), up), http.StatusInsufficientStorage, api.CodeQuotaExceeded)
	check(t)

}

// Unattached uploads are capped and expire; the sweep deletes them (and
// only them) after the expiry and its grace, by the server's clock.
func TestExpiredUploadsAreSwept(t *testing.T) {
	cfg := testConfig()
	cfg.MaxPendingUploads, cfg.UploadExpiry = 2, time.Hour
	cfg.SessionIdle, cfg.SessionMax = 2000*time.Hour, 2000*time.Hour
	env := testserver.Start(t, &cfg, nil)
	f := &fixture{env: env, hc: env.HTTP.Client()}
	alice := signupClient(t, env.URL, "alice@example.com")
	av := personalVault(t, alice)
	data := []byte("kept: attached to an item")
	att, err := alice.UploadFile(bg, av, "kept.txt", bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	kept, err := alice.CreateItem(bg, av, "file", client.Content{Name: "Kept", Files: []client.Attachment{att}})
	if err != nil {
		t.Fatal(err)
	}

	t0 := time.Now()
	f.setClock(t, t0)
	old, r, _ := f.flood(t, alice.Token(), av, 10, 5)
	if len(old) != 2 {
		t.Fatalf("%d pending uploads accepted, want 2", len(old))
	}
	wantError(t, r, http.StatusInsufficientStorage, api.CodeQuotaExceeded, "2 uploads not attached", "1h0m0s")
	f.send(t, "PUT", "/files/"+old[0]+"/chunks/0", alice.Token(), string(randBytes(crypto.ChunkOverhead+10)), "Content-Type", "application/octet-stream").decodeOK(t, http.StatusNoContent, nil)

	// Expired: new uploads are accepted, the old ones are not yet deleted.
	f.setClock(t, t0.Add(time.Hour+time.Second))
	fresh, r := f.announce(t, alice.Token(), av, 10)
	r.decodeOK(t, http.StatusCreated, nil)
	if n, err := env.Server.SweepUploads(bg); err != nil || n != 0 {
		t.Fatalf("sweep within the grace deleted %d, %v", n, err)
	}
	// After the grace the sweep deletes the two old uploads with their chunks.
	f.setClock(t, t0.Add(2*time.Hour+time.Second))
	if n, err := env.Server.SweepUploads(bg); err != nil || n != 2 {
		t.Fatalf("sweep deleted %d, %v; want 2", n, err)
	}
	for _, id := range old {
		wantError(t, f.send(t, "GET", "/files/"+id, alice.Token(), nil), http.StatusNotFound, api.CodeNotFound)
	}
	if _, err := env.Store.Chunk(bg, old[0], 0); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a swept upload's chunk is still stored: %v", err)
	}
	f.send(t, "GET", "/files/"+fresh, alice.Token(), nil).decodeOK(t, http.StatusOK, nil)
	if n, err := env.Server.SweepUploads(bg); err != nil || n != 0 {
		t.Fatalf("second sweep deleted %d, %v", n, err)
	}
	// The attached file is untouched, whatever its age.
	f.setClock(t, t0.Add(1000*time.Hour))
	if n, err := env.Server.SweepUploads(bg); err != nil || n != 1 {
		t.Fatalf("late sweep deleted %d, %v; want only the fresh upload", n, err)
	}
	if err := alice.Sync(bg); err != nil {
		t.Fatal(err)
	}
	it, err := alice.FindItem(kept.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := alice.DownloadFile(bg, it.Content.Files[0], &buf); err != nil || !bytes.Equal(buf.Bytes(), data) {
		t.Fatalf("the attached file after sweeps: %v", err)
	}
}

// TestChunkMustMatchAnnouncedSize: the quota counts announced sizes, so a
// chunk must be exactly as long as the announced size says — found in
// review: a file announced as empty carried a full 1 MiB chunk, and an
// account stored 20 MiB under a 200 kB quota. Too long is 413, too short
// 400; nothing is stored; the right length goes through.
func TestChunkMustMatchAnnouncedSize(t *testing.T) {
	cfg := testConfig()
	env := testserver.Start(t, &cfg, nil)
	f := &fixture{env: env, hc: env.HTTP.Client()}
	alice := signupClient(t, env.URL, "alice@example.com")
	av := personalVault(t, alice)
	put := func(id string, idx int, n int) reply {
		return f.send(t, "PUT", fmt.Sprintf("/files/%s/chunks/%d", id, idx), alice.Token(), string(randBytes(n)), "Content-Type", "application/octet-stream")
	}
	empty, r := f.announce(t, alice.Token(), av, 0)
	r.decodeOK(t, http.StatusCreated, nil)
	wantError(t, put(empty, 0, crypto.ChunkSize+crypto.ChunkOverhead), http.StatusRequestEntityTooLarge, api.CodeTooLarge, "exactly 41 bytes")
	put(empty, 0, crypto.ChunkOverhead).decodeOK(t, http.StatusNoContent, nil)

	size := int64(crypto.ChunkSize + 10)
	two, r := f.announce(t, alice.Token(), av, size)
	r.decodeOK(t, http.StatusCreated, nil)
	wantError(t, put(two, 0, crypto.ChunkSize), http.StatusBadRequest, api.CodeBadRequest, "exactly")
	wantError(t, put(two, 1, crypto.ChunkSize+crypto.ChunkOverhead), http.StatusRequestEntityTooLarge, api.CodeTooLarge, "exactly 51 bytes")
	if got, err := env.Store.Chunk(bg, two, 0); err == nil {
		t.Fatalf("a refused chunk was stored (%d bytes)", len(got))
	}
	put(two, 0, crypto.ChunkSize+crypto.ChunkOverhead).decodeOK(t, http.StatusNoContent, nil)
	put(two, 1, 10+crypto.ChunkOverhead).decodeOK(t, http.StatusNoContent, nil)
}
