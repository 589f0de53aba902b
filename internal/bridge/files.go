package bridge

import (
	"bytes"
	"context"
	"encoding/json"
	"io"

	"github.com/coffer-pm/coffer/client"
)

// progressReader reports how many bytes were read, at most every 256 KiB.
type progressReader struct {
	r          io.Reader
	done, last int64
	report     func(int64)
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.done += int64(n)
	if p.done-p.last >= 256<<10 || err == io.EOF {
		p.last = p.done
		p.report(p.done)
	}
	return n, err
}

// Attach encrypts data as a file named fileName, uploads it chunk by chunk
// calling progress(sent, total) (if not nil), and attaches it to item id —
// or, with id "", creates a file item called itemName (fileName when
// empty) in vaultID (My Vault when empty). The attachment keeps the file's own name (its
// extension tells what it is when downloaded). It answers the item's id.
func (c *Core) Attach(id, itemName, fileName string, data []byte, progress func(sent, total int64), vaultID string) (Created, error) {
	if itemName == "" {
		itemName = fileName
	}
	s, err := c.Session()
	if err != nil {
		return Created{}, err
	}
	defer c.persist(s)
	var it *client.Item
	if id != "" {
		if _, it, err = c.item(id); err != nil {
			return Created{}, err
		}
		vaultID = it.VaultID
	} else if vaultID, err = targetVault(s, vaultID); err != nil {
		return Created{}, err
	}
	total := int64(len(data))
	r := &progressReader{r: bytes.NewReader(data), report: func(n int64) {
		if progress != nil {
			progress(n, total)
		}
	}}
	att, err := s.UploadFile(context.Background(), vaultID, fileName, r, total)
	if err != nil {
		return Created{}, err
	}
	if it == nil {
		created, err := s.CreateItem(context.Background(), vaultID, "file", client.Content{Name: itemName, Files: []client.Attachment{att}})
		if err != nil {
			return Created{}, err
		}
		return Created{ID: created.ID}, nil
	}
	content := it.Content.Clone()
	content.Files = append(content.Files, att)
	if _, err := s.UpdateItem(context.Background(), it, content); err != nil {
		return Created{}, err
	}
	return Created{ID: it.ID}, nil
}

// Download fetches, decrypts and verifies an attachment (every chunk's
// tag and the whole file's hash, as the item's signed content names it)
// and answers its bytes.
func (c *Core) Download(id, fileID string) ([]byte, error) {
	s, it, err := c.item(id)
	if err != nil {
		return nil, err
	}
	att, err := it.FindAttachment(fileID)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := s.DownloadFile(context.Background(), att, &buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Watch starts the live stream of the unlocked session: each change,
// decrypted and described, goes to event as JSON (a client.Change, or
// {"kind": "error", "text", "error": its kind} when the stream fails, or
// {"kind": "checked"} when a log-in's signatures are all checked). It
// ends with lock or logout, and reconnects on its own meanwhile. Without
// a session it does nothing.
func (c *Core) Watch(event func([]byte)) {
	c.mu.Lock()
	s := c.session
	if s == nil {
		c.mu.Unlock()
		return
	}
	if c.stop != nil {
		c.stop()
	}
	ctx, cancel := context.WithCancel(context.Background())
	c.stop, c.notify = cancel, event
	c.mu.Unlock()
	go func() {
		defer c.recovered("the live stream")
		err := s.Watch(ctx, client.WatchOptions{}, func(ch client.Change) {
			c.persist(s)
			b, _ := json.Marshal(ch)
			event(b)
		})
		if err != nil && ctx.Err() == nil {
			b, _ := json.Marshal(WatchError{Kind: "error", Text: err.Error(), Error: client.KindOf(err)})
			event(b)
		}
	}()
}

// WatchError ends a live stream that failed.
type WatchError struct {
	_     [0]func() // not comparable: no equality function in core.wasm (docs/performance.md)
	Kind  string    `json:"kind"` // "error"
	Text  string    `json:"text"`
	Error string    `json:"error"` // its ErrorKind
}
