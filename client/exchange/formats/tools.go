package formats

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"time"

	"github.com/coffer-pm/coffer/client/exchange"
)

// What the web app's tools module (cmd/coffer-tools) does with a file
// the person chose: tell what it is, and turn it into the Coffer JSON
// document the client core imports — or turn the core's export into the
// format chosen (Convert). The core decides what is created and what is
// exported; this only reads and writes files.

// Detected is what a file looks like.
type Detected struct {
	_ [0]func() // not comparable: no equality function in the WebAssembly build
	// Format is the file's format, "" when it is none Coffer reads.
	Format string `json:"format"`
	Label  string `json:"label,omitempty"`
	// Password: the file is under a password of its own.
	Password bool `json:"password"`
	// Columns are a CSV file's header columns; NeedsMapping, that they are
	// no tool's Coffer knows, so the person maps them to fields.
	Columns      []string `json:"columns,omitempty"`
	NeedsMapping bool     `json:"needs_mapping"`
}

// DetectFile tells what data is (its first bytes; a CSV file's header).
func DetectFile(data []byte) Detected {
	start := data[:min(len(data), 4096)]
	d := Detected{Format: Detect(start)}
	if d.Format == exchange.FormatCSV {
		r := csv.NewReader(exchange.NewBudgetReader(bytes.NewReader(data), MaxCSVRecordBytes))
		r.FieldsPerRecord = -1
		header, err := r.Read()
		if err == nil {
			d.Columns = header
			if known := DetectCSV(header); known != "" {
				d.Format = known
			} else {
				d.NeedsMapping = true
			}
		}
	}
	if d.Format != "" {
		d.Password = exchange.Encrypted(d.Format)
		if info := exchange.Formats([]string{d.Format}); len(info) == 1 {
			d.Label = info[0].Label
		}
	}
	return d
}

// ToCoffer reads data as format ("" detects it) — mapping a generic
// CSV's columns, password a file's own — and writes its entries as a
// Coffer JSON document, as the client core's import reads it.
func ToCoffer(data []byte, format string, mapping map[string]string, password []byte) ([]byte, error) {
	src, _, err := Open(bytes.NewReader(data), format, mapping, func() ([]byte, error) { return password, nil })
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	w, err := exchange.NewWriter(&out, exchange.Header{ExportedAt: time.Now().UTC()})
	if err != nil {
		return nil, err
	}
	for n := 1; ; n++ {
		it, err := src.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("entry %d: %w", n, err)
		}
		if err := w.Write(it); err != nil {
			return nil, err
		}
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}
