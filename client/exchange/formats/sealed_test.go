package formats

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

func TestSealedRoundTripAndRefusals(t *testing.T) {
	// Over two chunks, so that order and the last chunk matter.
	plain := append([]byte(`{"format":"coffer-export","version":1,"exported_by":"ann@example.com","items":[]}`), bytes.Repeat([]byte(" "), 1<<20)...)
	var sealed bytes.Buffer
	w, err := NewSealedWriter(&sealed, []byte("backup password"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(plain); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	file := sealed.Bytes()
	if bytes.Contains(file, []byte("ann@example.com")) || !IsSealed(file) {
		t.Fatal("the sealed export shows its content, or is not recognised")
	}
	r, err := OpenSealed(bytes.NewReader(file), []byte("backup password"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(r)
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("opened: %d bytes (want %d), %v", len(got), len(plain), err)
	}
	if _, err := OpenSealed(bytes.NewReader(file), []byte("wrong")); !errors.Is(err, ErrWrongPassword) {
		t.Fatalf("a wrong password: %v", err)
	}
	read := func(b []byte) error {
		r, err := OpenSealed(bytes.NewReader(b), []byte("backup password"))
		if err != nil {
			return err
		}
		_, err = io.ReadAll(r)
		return err
	}
	// The first chunk's length and end: magic, header line, then chunks.
	start := bytes.IndexByte(file[len("coffer-sealed-export/1\n"):], '\n') + len("coffer-sealed-export/1\n") + 1
	first := 4 + int(uint32(file[start])<<24|uint32(file[start+1])<<16|uint32(file[start+2])<<8|uint32(file[start+3]))
	cut := file[:start+first] // the last chunk dropped
	if err := read(cut); err == nil {
		t.Fatal("an export cut after its first chunk opens")
	}
	flipped := bytes.Clone(file)
	flipped[len(flipped)-10] ^= 1
	if err := read(flipped); err == nil {
		t.Fatal("an altered last chunk opens")
	}
	header := bytes.Clone(file)
	copy(header[start-3:], "99") // the header's last characters changed
	if err := read(header); err == nil {
		t.Fatal("an altered header opens")
	}
}
