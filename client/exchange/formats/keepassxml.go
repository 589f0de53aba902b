package formats

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"

	"github.com/tobischo/gokeepasslib/v3"
)

// MaxAttachmentBytes bounds one attachment inflated from a file (a
// "zip bomb" is an error, not memory). A variable: tests lower it.
var MaxAttachmentBytes int64 = 100 << 20

// NewKeePassXMLSource reads a KeePass 2 XML export (at most MaxKDBXBytes).
func NewKeePassXMLSource(r io.Reader) (*KDBXSource, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxKDBXBytes+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > MaxKDBXBytes {
		return nil, fmt.Errorf("the KeePass XML export is larger than %d MB: refused", MaxKDBXBytes>>20)
	}
	if err := checkWellFormed(data); err != nil {
		return nil, fmt.Errorf("not a KeePass XML export, or a damaged one: %v", err)
	}
	var content gokeepasslib.DBContent
	if err := xml.NewDecoder(bytes.NewReader(data)).Decode(&content); err != nil {
		return nil, fmt.Errorf("not a KeePass XML export, or a damaged one: %v", err)
	}
	if content.Meta == nil {
		return nil, errors.New("not a KeePass XML export: no Meta")
	}
	return keepassSource(&content, content.Meta.Binaries, xmlBinary)
}

// checkWellFormed reads doc's tokens up to the end of its root element.
// The library's group decoder loops for ever on a syntax error (it reads
// tokens until EOF and never stops at an error): it must only see a
// well-formed document. What follows the root element (a KDBX cipher's
// padding) its decoder never reads, and neither does this.
func checkWellFormed(doc []byte) error {
	d := xml.NewDecoder(bytes.NewReader(doc))
	depth := 0
	for {
		t, err := d.Token()
		if err != nil {
			if err == io.EOF {
				return nil
			}
			return err
		}
		switch t.(type) {
		case xml.StartElement:
			depth++
		case xml.EndElement:
			if depth--; depth == 0 {
				return nil
			}
		}
	}
}

// xmlBinary is an attachment of a KeePass XML export: base64, gzip'd when
// marked Compressed — inflated under MaxAttachmentBytes.
func xmlBinary(b *gokeepasslib.Binary) ([]byte, error) {
	raw, err := base64.StdEncoding.DecodeString(string(bytes.TrimSpace(b.Content)))
	if err != nil {
		return nil, errors.New("an attachment is not base64")
	}
	if !b.Compressed.Bool {
		return raw, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, errors.New("a compressed attachment is not gzip")
	}
	out, err := io.ReadAll(io.LimitReader(zr, MaxAttachmentBytes+1))
	// The library writes a KDBX 3.1 attachment without flushing its
	// base64 encoder: the gzip trailer's last bytes are lost, the data is
	// whole. Its own reader lets that pass; so does this one.
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, errors.New("a compressed attachment is damaged")
	}
	if int64(len(out)) > MaxAttachmentBytes {
		return nil, fmt.Errorf("an attachment inflates to more than %d MB: refused", MaxAttachmentBytes>>20)
	}
	return out, nil
}
