// Package exchange is what moves people's data in and out of Coffer
// (docs/protocol.md §19) on the client core's side: the item model of an
// export, Coffer's own JSON export (read and written a streamed item at a
// time), and the session's part — which vaults an export may take, its
// record in the audit log, writing a session's items, and an import's
// batch create. The other tools' formats are in exchange/formats, which
// the web app loads only when an import or an export starts.
package exchange

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/coffer-pm/coffer/client"
)

// FormatJSON is Coffer JSON's name, as `coffer export --format` and
// `coffer import --format` take it (the other formats are in
// exchange/formats).
const FormatJSON = "json" // Coffer JSON (§19.2)

// DocumentFormat and DocumentVersion head every Coffer JSON export.
const (
	DocumentFormat  = "coffer-export"
	DocumentVersion = 1
)

// Header is what a Coffer JSON export says before its items.
type Header struct {
	Format     string    `json:"format"`
	Version    int       `json:"version"`
	ExportedAt time.Time `json:"exported_at"`
	ExportedBy string    `json:"exported_by,omitempty"`
	Vaults     []Vault   `json:"vaults"`
}

// Vault is an exported vault. Items name it by ID.
type Vault struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Kind         string `json:"kind"` // personal or org
	Organisation string `json:"organisation,omitempty"`
}

// Item is one exported item: its newest content, its attachments with
// their bytes, and (when asked for) every earlier version.
type Item struct {
	ID      string    `json:"id"`
	Vault   string    `json:"vault"`
	Type    string    `json:"type"`
	Updated time.Time `json:"updated,omitzero"`
	// Content is the item's content without its attachments' keys:
	// content.files is left out, Files holds them.
	Content client.Content `json:"content"`
	Files   []File         `json:"files,omitempty"`
	History []Version      `json:"history,omitempty"`
}

// File is an attachment, its bytes inline.
type File struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 []byte `json:"sha256"`
	Data   []byte `json:"data"`
}

// Version is an earlier version of an item, as its history shows it.
type Version struct {
	Revision uint64         `json:"revision"`
	Time     time.Time      `json:"time"`
	Author   string         `json:"author,omitempty"`
	Content  client.Content `json:"content"`
}

// Writer writes a Coffer JSON export an item at a time, so that an
// export of any size is never held whole in memory.
type Writer struct {
	w     *bufio.Writer
	items int
	err   error
}

// NewWriter starts an export with its header.
func NewWriter(w io.Writer, h Header) (*Writer, error) {
	h.Format, h.Version = DocumentFormat, DocumentVersion
	if h.Vaults == nil {
		h.Vaults = []Vault{}
	}
	head, err := json.Marshal(h)
	if err != nil {
		return nil, err
	}
	bw := bufio.NewWriter(w)
	// The header's object, left open for the items.
	bw.Write(head[:len(head)-1])
	_, err = bw.WriteString(",\n\"items\": [")
	return &Writer{w: bw}, err
}

// Write adds one item.
func (w *Writer) Write(it Item) error {
	if w.err != nil {
		return w.err
	}
	it.Content.Files = nil // the keys stay behind: the bytes are in it.Files
	for i := range it.History {
		it.History[i].Content.Files = stripKeys(it.History[i].Content.Files)
	}
	b, err := json.Marshal(it)
	if err != nil {
		w.err = err
		return err
	}
	if w.items > 0 {
		w.w.WriteByte(',')
	}
	w.w.WriteString("\n")
	_, w.err = w.w.Write(b)
	w.items++
	return w.err
}

// stripKeys keeps an earlier version's attachment list (names, sizes,
// hashes) without the keys that would open them on the server.
func stripKeys(files []client.Attachment) []client.Attachment {
	out := make([]client.Attachment, len(files))
	for i, f := range files {
		out[i] = client.Attachment{Name: f.Name, Size: f.Size, SHA256: f.SHA256}
	}
	return out
}

// Close ends the export.
func (w *Writer) Close() error {
	if w.err != nil {
		return w.err
	}
	w.w.WriteString("\n]}\n")
	return w.w.Flush()
}

// MaxItemBytes bounds one item of a file being read (its attachments'
// bytes included): a hostile file cannot make the reader hold more. (A
// variable: tests lower it.)
var MaxItemBytes int64 = 200 << 20

// ErrNotCoffer: the file is not a Coffer JSON export.
var ErrNotCoffer = errors.New("not a Coffer JSON export")

// Reader reads a Coffer JSON export an item at a time.
type Reader struct {
	Header Header
	dec    *json.Decoder
	budget *BudgetReader
	done   bool
}

// NewReader reads an export's header; Next then gives its items.
func NewReader(r io.Reader) (*Reader, error) {
	budget := NewBudgetReader(r, MaxItemBytes)
	dec := json.NewDecoder(budget)
	rd := &Reader{dec: dec, budget: budget}
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, fmt.Errorf("%w: it does not start with a JSON object", ErrNotCoffer)
	}
	for dec.More() {
		budget.Reset(MaxItemBytes)
		t, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrNotCoffer, err)
		}
		key, _ := t.(string)
		switch key {
		case "format":
			err = dec.Decode(&rd.Header.Format)
		case "version":
			err = dec.Decode(&rd.Header.Version)
		case "exported_at":
			err = dec.Decode(&rd.Header.ExportedAt)
		case "exported_by":
			err = dec.Decode(&rd.Header.ExportedBy)
		case "vaults":
			err = dec.Decode(&rd.Header.Vaults)
		case "items":
			if rd.Header.Format != DocumentFormat {
				return nil, fmt.Errorf("%w (format %q)", ErrNotCoffer, rd.Header.Format)
			}
			if rd.Header.Version != DocumentVersion {
				return nil, fmt.Errorf("a Coffer JSON export of version %d; this Coffer reads version %d", rd.Header.Version, DocumentVersion)
			}
			if t, err := dec.Token(); err != nil || t != json.Delim('[') {
				return nil, fmt.Errorf("%w: items is not a list", ErrNotCoffer)
			}
			return rd, nil
		default:
			var skip json.RawMessage
			err = dec.Decode(&skip) // a member a later version added
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrNotCoffer, key, err)
		}
	}
	return nil, fmt.Errorf("%w: no items", ErrNotCoffer)
}

// Next returns the next item, or io.EOF after the last.
func (rd *Reader) Next() (Item, error) {
	if rd.done || !rd.dec.More() {
		rd.done = true
		return Item{}, io.EOF
	}
	rd.budget.Reset(MaxItemBytes)
	var it Item
	if err := rd.dec.Decode(&it); err != nil {
		rd.done = true
		if errors.Is(err, ErrOverBudget) {
			return Item{}, fmt.Errorf("an item of the export is larger than %d MB: refused", MaxItemBytes>>20)
		}
		return Item{}, fmt.Errorf("the export is damaged: %v", err)
	}
	return it, nil
}

// ErrOverBudget: a BudgetReader's bound was reached.
var ErrOverBudget = errors.New("over budget")

// BudgetReader fails once more than its budget is read since the last
// Reset: a decoder buffers a whole value before it decodes it, so a
// reader's bound is what one value may cost.
type BudgetReader struct {
	r    io.Reader
	left int64
}

// NewBudgetReader reads r, n bytes at most until the next Reset.
func NewBudgetReader(r io.Reader, n int64) *BudgetReader { return &BudgetReader{r: r, left: n} }

// Reset allows n more bytes.
func (b *BudgetReader) Reset(n int64) { b.left = n }

func (b *BudgetReader) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, ErrOverBudget
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	return n, err
}
