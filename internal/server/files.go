package server

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/crypto"
	"github.com/coffer-pm/coffer/internal/server/authz"
	"github.com/coffer-pm/coffer/internal/store"
)

// createFile announces an attachment upload. The size limit and the
// uploader's quotas are checked here, before any chunk is sent: the
// announced size counts from now on.
func (s *Server) createFile(w http.ResponseWriter, r *http.Request) error {
	var req api.NewFile
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	v, err := s.vaultFor(r, r.PathValue("vault"), authz.WriteItems)
	if err != nil {
		return err
	}
	if err := checkID("id", req.ID); err != nil {
		return err
	}
	if req.Size < 0 {
		return errBadRequest("size must not be negative")
	}
	if req.Size > s.cfg.MaxFileBytes {
		return &httpError{http.StatusRequestEntityTooLarge, api.CodeTooLarge,
			fmt.Sprintf("the file is %d bytes; this server accepts attachments of at most %d bytes (%d MiB)", req.Size, s.cfg.MaxFileBytes, s.cfg.MaxFileBytes>>20), 0}
	}
	if req.ChunkCount != crypto.ChunkCount(req.Size) {
		return errBadRequest("chunk_count must be %d for a file of %d bytes (chunks of %d bytes)", crypto.ChunkCount(req.Size), req.Size, crypto.ChunkSize)
	}
	f := store.File{ID: req.ID, VaultID: v.ID, Size: req.Size, ChunkCount: req.ChunkCount, CreatorID: s.userID(r), CreatedAt: s.now()}
	if err := s.store.CreateFileWithin(r.Context(), f, s.quota()); err != nil {
		if errors.Is(err, store.ErrExists) {
			return &httpError{http.StatusConflict, api.CodeExists, "a file with this id already exists", 0}
		}
		return err
	}
	writeJSON(w, http.StatusCreated, fileToAPI(f))
	return nil
}

func fileToAPI(f store.File) api.File {
	return api.File{ID: f.ID, VaultID: f.VaultID, Size: f.Size, ChunkCount: f.ChunkCount, Uploaded: f.Uploaded}
}

// fileFor loads a file and checks the caller's permission on its vault.
func (s *Server) fileFor(r *http.Request, action authz.Action) (store.File, error) {
	id := r.PathValue("id")
	if err := checkID("file id", id); err != nil {
		return store.File{}, err
	}
	f, err := s.store.File(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return f, errNotFound("file")
	}
	if err != nil {
		return f, err
	}
	if _, err := s.vaultFor(r, f.VaultID, action); err != nil {
		var he *httpError
		if errors.As(err, &he) && he.status == http.StatusNotFound {
			return f, errNotFound("file")
		}
		return f, err
	}
	return f, nil
}

func chunkIndex(r *http.Request, f store.File) (int, error) {
	idx, err := strconv.Atoi(r.PathValue("idx"))
	if err != nil || idx < 0 || idx >= f.ChunkCount {
		return 0, errBadRequest("chunk index must be 0 to %d", f.ChunkCount-1)
	}
	return idx, nil
}

func (s *Server) getFile(w http.ResponseWriter, r *http.Request) error {
	f, err := s.fileFor(r, authz.ReadVault)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, fileToAPI(f))
	return nil
}

// putChunk stores one encrypted chunk: at most one chunk's bytes are read.
func (s *Server) putChunk(w http.ResponseWriter, r *http.Request) error {
	f, err := s.fileFor(r, authz.WriteItems)
	if err != nil {
		return err
	}
	idx, err := chunkIndex(r, f)
	if err != nil {
		return err
	}
	if s.expired(f) {
		// An expired upload no longer counts against the quota; it takes
		// no more data and the sweep deletes it.
		owner, err := s.store.FileItem(r.Context(), f.ID)
		if err != nil {
			return err
		}
		if owner == "" {
			return errNotFound("file (the upload expired before it was attached to an item)")
		}
	}
	// A chunk is exactly as long as the announced size says, so what is
	// stored is what the quota counted (a file announced as empty cannot
	// carry a full chunk).
	want := crypto.ChunkBoxSize(f.Size, idx)
	data, release, err := s.readBody(w, r, want)
	defer release()
	var maxErr *http.MaxBytesError
	var he *httpError
	switch {
	case errors.As(err, &maxErr):
		return &httpError{http.StatusRequestEntityTooLarge, api.CodeTooLarge,
			fmt.Sprintf("chunk %d of a file of %d bytes is exactly %d bytes encrypted", idx, f.Size, want), 0}
	case errors.As(err, &he):
		return he
	case err != nil:
		return errBadRequest("could not read the chunk")
	}
	if int64(len(data)) != want {
		return errBadRequest("chunk %d of a file of %d bytes is exactly %d bytes encrypted, got %d", idx, f.Size, want, len(data))
	}
	if err := s.store.PutChunk(r.Context(), f.ID, idx, data); err != nil {
		if errors.Is(err, store.ErrExists) {
			return &httpError{http.StatusConflict, api.CodeExists, "this chunk was already uploaded", 0}
		}
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) getChunk(w http.ResponseWriter, r *http.Request) error {
	f, err := s.fileFor(r, authz.ReadVault)
	if err != nil {
		return err
	}
	idx, err := chunkIndex(r, f)
	if err != nil {
		return err
	}
	data, err := s.store.Chunk(r.Context(), f.ID, idx)
	if errors.Is(err, store.ErrNotFound) {
		return errNotFound("chunk")
	}
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.Write(data)
	return nil
}

// checkFileRefs validates the files a revision refers to: complete
// uploads in the item's vault that no other item has (or already linked
// to the item). A file belongs to exactly one item: otherwise a second
// item could carry it off to another vault (issue 13, finding 12). The
// store links them with the revision and keeps the rule under races.
func (s *Server) checkFileRefs(r *http.Request, itemID string, vaultID string, ids []string) error {
	if len(ids) > 100 {
		return errBadRequest("a revision refers to at most 100 files")
	}
	linked := map[string]bool{}
	if itemID != "" {
		have, err := s.store.ItemFiles(r.Context(), itemID)
		if err != nil {
			return err
		}
		for _, id := range have {
			linked[id] = true
		}
	}
	for _, id := range ids {
		if err := checkID("file_ids", id); err != nil {
			return err
		}
		if linked[id] {
			continue
		}
		f, err := s.store.File(r.Context(), id)
		if errors.Is(err, store.ErrNotFound) || (err == nil && f.VaultID != vaultID) {
			return errBadRequest("file %s is not an attachment uploaded to this vault", id)
		}
		if err != nil {
			return err
		}
		if f.Uploaded != f.ChunkCount {
			return errConflict(fmt.Sprintf("file %s is incomplete (%d of %d chunks uploaded)", id, f.Uploaded, f.ChunkCount), 0)
		}
		owner, err := s.store.FileItem(r.Context(), id)
		if err != nil {
			return err
		}
		if owner != "" {
			return errFileTaken(id)
		}
		if s.expired(f) {
			return errBadRequest("the upload of file %s expired before it was attached to an item; upload it again", id)
		}
	}
	return nil
}

func errFileTaken(id string) error {
	return errBadRequest("file %s is attached to another item; a file belongs to one item (upload it again to attach it here)", id)
}

// purgeItem deletes a trashed item for good: explicit, and only for those
// who may edit its vault.
func (s *Server) purgeItem(w http.ResponseWriter, r *http.Request) error {
	var req api.ManifestRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	it, v, err := s.itemFor(r, authz.WriteItems)
	if err != nil {
		return err
	}
	if !it.Trashed {
		return errConflict("only items in the trash can be purged; move it to the trash first", 0)
	}
	m, err := s.signedManifest(r, "manifest", req.Manifest, v, false)
	if err != nil {
		return err
	}
	if err := s.auditItem(r, v, api.AuditItemPurge, it.ID); err != nil {
		return err
	}
	if err := s.store.PurgeItem(r.Context(), it.ID, s.now(), m); err != nil {
		return err
	}
	s.log.InfoContext(r.Context(), "item purged", "item", it.ID, "user", s.userID(r))
	w.WriteHeader(http.StatusNoContent)
	return nil
}
