package formats

import (
	"fmt"
	"io"

	"github.com/coffer-pm/coffer/client/exchange"
)

// NewItemWriter starts an export of format on w, headed h; password is
// the file's own for the exchange.Encrypted formats. Close ends the file (and, for
// encrypted-json, its last sealed chunk).
func NewItemWriter(format string, w io.Writer, h exchange.Header, password []byte) (exchange.ItemWriter, error) {
	switch format {
	case exchange.FormatKDBX:
		return NewKDBXWriter(w, h.Vaults, password)
	case exchange.FormatJSON:
		return exchange.NewWriter(w, h)
	case exchange.FormatEncryptedJSON:
		sealed, err := NewSealedWriter(w, password)
		if err != nil {
			return nil, err
		}
		doc, err := exchange.NewWriter(sealed, h)
		if err != nil {
			return nil, err
		}
		return sealedItems{doc, sealed}, nil
	case exchange.FormatCSV:
		return NewCSVWriter(w, h.Vaults)
	}
	return nil, fmt.Errorf("unknown export format %q", format)
}

// sealedItems is a Coffer JSON writer inside a sealed one.
type sealedItems struct {
	*exchange.Writer
	sealed *SealedWriter
}

func (s sealedItems) Close() error {
	if err := s.Writer.Close(); err != nil {
		return err
	}
	return s.sealed.Close()
}

// Convert rewrites a Coffer JSON export (as the client core writes it)
// as format: the web app's export, whose formats live outside the core.
func Convert(doc io.Reader, format string, w io.Writer, password []byte) (exchange.Summary, error) {
	var sum exchange.Summary
	rd, err := exchange.NewReader(doc)
	if err != nil {
		return sum, err
	}
	sum.Vaults = len(rd.Header.Vaults)
	ew, err := NewItemWriter(format, w, rd.Header, password)
	if err != nil {
		return sum, err
	}
	for {
		it, err := rd.Next()
		if err == io.EOF {
			return sum, ew.Close()
		}
		if err != nil {
			return sum, err
		}
		if err := ew.Write(it); err != nil {
			return sum, err
		}
		sum.Count(it.Type, len(it.Files))
	}
}
