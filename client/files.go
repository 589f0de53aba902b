package client

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"

	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/crypto"
)

// ErrFileTooLarge: the server's attachment limit is below the file's size.
var ErrFileTooLarge = errors.New("the file is larger than this server accepts")

// UploadFile encrypts r (exactly size bytes) chunk by chunk with a fresh
// file key and uploads it to vaultID. The returned Attachment goes into an
// item's content (CreateItem / UpdateItem), which is what makes the file
// part of the item. Nothing is buffered beyond one chunk.
func (s *Session) UploadFile(ctx context.Context, vaultID, name string, r io.Reader, size int64) (Attachment, error) {
	if name == "" {
		return Attachment{}, errors.New("an attachment needs a file name")
	}
	att := Attachment{ID: newID(), Name: name, Size: size, Key: crypto.NewKey()}
	n := crypto.ChunkCount(size)
	var created api.File
	err := s.t.do(ctx, "POST", "/vaults/"+url.PathEscape(vaultID)+"/files", api.NewFile{ID: att.ID, Size: size, ChunkCount: n}, &created)
	var ae *APIError
	if errors.As(err, &ae) && ae.Status == statusTooLarge {
		return Attachment{}, fmt.Errorf("%w: %s", ErrFileTooLarge, sanitize(ae.Message, 200))
	}
	if err != nil {
		return Attachment{}, forbidden(err)
	}
	h := sha256.New()
	buf := make([]byte, crypto.ChunkSize)
	var total int64
	for i := 0; i < n; i++ {
		want := min(int64(crypto.ChunkSize), size-total)
		got, err := io.ReadFull(r, buf[:want])
		if err != nil {
			return Attachment{}, fmt.Errorf("reading the file: %w (it is shorter than %d bytes)", err, size)
		}
		h.Write(buf[:got])
		total += int64(got)
		box, err := crypto.SealChunk(att.Key, att.ID, i, i == n-1, buf[:got])
		if err != nil {
			return Attachment{}, err
		}
		if _, err := s.t.raw(ctx, "PUT", "/files/"+url.PathEscape(att.ID)+"/chunks/"+strconv.Itoa(i), box, 4096); err != nil {
			return Attachment{}, forbidden(err)
		}
	}
	if extra, _ := r.Read(make([]byte, 1)); extra > 0 {
		return Attachment{}, fmt.Errorf("the file is longer than the %d bytes announced; it changed while uploading", size)
	}
	att.SHA256 = h.Sum(nil)
	return att, nil
}

// DownloadFile fetches, decrypts and verifies an attachment, writing the
// plaintext to w chunk by chunk. Every chunk is authenticated in place, and
// after the last one the size and the SHA-256 from the signed item content
// must match; otherwise the result is ErrTampered and the caller must
// discard what was written.
func (s *Session) DownloadFile(ctx context.Context, att Attachment, w io.Writer) error {
	var f api.File
	if err := s.t.do(ctx, "GET", "/files/"+url.PathEscape(att.ID), nil, &f); err != nil {
		return err
	}
	n := crypto.ChunkCount(att.Size)
	if f.ID != att.ID || f.ChunkCount != n {
		return tampered("file %s: the server describes another file", att.ID)
	}
	if f.Uploaded != n {
		return fmt.Errorf("the upload of %q is incomplete (%d of %d chunks)", sanitize(att.Name, 80), f.Uploaded, n)
	}
	h := sha256.New()
	var total int64
	for i := 0; i < n; i++ {
		box, err := s.t.raw(ctx, "GET", "/files/"+url.PathEscape(att.ID)+"/chunks/"+strconv.Itoa(i), nil, crypto.ChunkSize+crypto.ChunkOverhead)
		if err != nil {
			return err
		}
		pt, err := crypto.OpenChunk(att.Key, att.ID, i, i == n-1, box)
		if err != nil {
			return tampered("chunk %d of file %q", i, sanitize(att.Name, 80))
		}
		if i < n-1 && len(pt) != crypto.ChunkSize {
			return tampered("chunk %d of file %q has the wrong size", i, sanitize(att.Name, 80))
		}
		h.Write(pt)
		total += int64(len(pt))
		if _, err := w.Write(pt); err != nil {
			return err
		}
	}
	if total != att.Size || !crypto.Equal(h.Sum(nil), att.SHA256) {
		return tampered("file %q does not match its size and hash", sanitize(att.Name, 80))
	}
	return nil
}

// FindAttachment finds an item's attachment by name or id; with an empty
// ref, the item's only attachment.
func (it *Item) FindAttachment(ref string) (Attachment, error) {
	var found []Attachment
	for _, f := range it.Content.Files {
		if ref == "" || f.ID == ref || f.Name == ref {
			found = append(found, f)
		}
	}
	if ref == "" && len(found) > 1 {
		return Attachment{}, fmt.Errorf("item %q has %d attachments; name one: %w", sanitize(it.Content.Name, 80), len(found), ErrAmbiguous)
	}
	return one("attachment", ref, found, "", func(f Attachment) string { return f.ID })
}
