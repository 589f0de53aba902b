package formats

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"github.com/coffer-pm/coffer/client/exchange"
	"io"
	"strings"
)

// ErrUnknownFile: a file whose format Open cannot tell.
var ErrUnknownFile = errors.New("not a file Coffer knows how to import")

// Open reads a file for an import: format "" detects it from the file's
// first bytes (and a CSV's header). password gives a file's own password
// when it has one (an encrypted export); mapping is a generic CSV's
// columns (field → header). It returns the entries and the format.
func Open(r io.Reader, format string, mapping map[string]string, password func() ([]byte, error)) (exchange.Source, string, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	start, _ := br.Peek(4096)
	if format == "" {
		format = Detect(start)
		if format == "" {
			return nil, "", ErrUnknownFile
		}
	}
	switch format {
	case exchange.FormatEncryptedJSON:
		pw, err := password()
		if err != nil {
			return nil, format, err
		}
		plain, err := OpenSealed(br, pw)
		if err != nil {
			return nil, format, err
		}
		src, err := exchange.NewReader(plain)
		return src, format, err
	case exchange.FormatJSON:
		src, err := exchange.NewReader(br)
		return src, format, err
	case exchange.FormatBitwardenJSON:
		src, err := NewBitwardenSource(br)
		return src, format, err
	case exchange.FormatKeePassXML:
		src, err := NewKeePassXMLSource(br)
		return src, format, err
	case exchange.FormatKDBX:
		pw, err := password()
		if err != nil {
			return nil, format, err
		}
		src, err := NewKDBXSource(br, pw)
		return src, format, err
	}
	for _, f := range exchange.CSVFormats {
		if f == format {
			csvFormat := format
			if format == exchange.FormatCSV && len(mapping) == 0 {
				csvFormat = "" // detect among the known headers
			}
			src, err := NewCSVSource(br, csvFormat, mapping)
			if err != nil {
				return nil, format, err
			}
			return src, src.Format, nil
		}
	}
	return nil, format, fmt.Errorf("unknown import format %q", format)
}

// Detect names the format a file's first bytes show ("" if none): an
// encrypted export by its magic, Coffer JSON and Bitwarden JSON by their
// members, anything else that is text is taken as CSV (its header tells
// which, when the file is read).
func Detect(start []byte) string {
	trimmed := bytes.TrimLeft(start, " \t\r\n\ufeff")
	trimmed = bytes.TrimPrefix(trimmed, []byte("\xef\xbb\xbf"))
	switch {
	case IsSealed(start):
		return exchange.FormatEncryptedJSON
	case bytes.HasPrefix(start, kdbxMagic):
		return exchange.FormatKDBX
	case (bytes.HasPrefix(trimmed, []byte("<?xml")) || bytes.HasPrefix(trimmed, []byte("<KeePassFile"))) && bytes.Contains(start, []byte("<KeePassFile")):
		return exchange.FormatKeePassXML
	case bytes.HasPrefix(trimmed, []byte("{")) && bytes.Contains(trimmed, []byte(`"coffer-export"`)):
		return exchange.FormatJSON
	case bytes.HasPrefix(trimmed, []byte("{")) && (bytes.Contains(trimmed, []byte(`"encrypted"`)) || bytes.Contains(trimmed, []byte(`"folders"`)) || bytes.Contains(trimmed, []byte(`"collections"`))):
		return exchange.FormatBitwardenJSON
	case len(trimmed) > 0 && !bytes.HasPrefix(trimmed, []byte("{")) && !bytes.HasPrefix(trimmed, []byte("<")) && textStart(trimmed):
		return exchange.FormatCSV
	}
	return ""
}

// ParseMapping reads --map: field=column pairs, comma-separated.
func ParseMapping(v string) (map[string]string, error) {
	if v == "" {
		return nil, nil
	}
	out := map[string]string{}
	for _, pair := range strings.Split(v, ",") {
		field, col, ok := strings.Cut(pair, "=")
		if !ok || strings.TrimSpace(field) == "" || strings.TrimSpace(col) == "" {
			return nil, fmt.Errorf("--map: %q is not field=column", pair)
		}
		out[strings.ToLower(strings.TrimSpace(field))] = strings.TrimSpace(col)
	}
	return out, nil
}

// textStart: the bytes hold no NUL (a text file, perhaps not UTF-8: the
// CSV reader then says so in words).
func textStart(b []byte) bool { return bytes.IndexByte(b, 0) < 0 }
