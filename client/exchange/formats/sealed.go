package formats

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/coffer-pm/coffer/internal/crypto"
)

// A password-protected export (docs/protocol.md §19.3): the magic line, a
// header line (the KDF's parameters), then the Coffer JSON export in
// chunks of at most crypto.ChunkSize bytes, each u32be(length) || box.

// sealedHeader is the header line's content.
type sealedHeader struct {
	KDF crypto.KDFParams `json:"kdf"`
}

const maxHeaderLine = 4096

// deriveExportKey is crypto.DeriveExportKey (a variable: the fuzz test
// memoises it, Argon2id being the slow part of every run).
var deriveExportKey = crypto.DeriveExportKey

// ErrWrongPassword: the export does not open with the password given (or
// it was altered: the two cannot be told apart).
var ErrWrongPassword = errors.New("the export's password is wrong, or the file was altered")

// SealedWriter encrypts what is written to it as a password-protected
// export. Close writes the last chunk; without it the file is truncated
// and a reader refuses it.
type SealedWriter struct {
	w          io.Writer
	key        []byte
	headerHash []byte
	buf        []byte
	index      int
	err        error
}

// NewSealedWriter writes the magic and header to w.
func NewSealedWriter(w io.Writer, password []byte) (*SealedWriter, error) {
	if len(password) == 0 {
		return nil, errors.New("an encrypted export needs a password")
	}
	h := sealedHeader{KDF: crypto.DefaultExportKDF()}
	line, err := json.Marshal(h)
	if err != nil {
		return nil, err
	}
	line = append(line, '\n')
	key, err := crypto.DeriveExportKey(password, h.KDF)
	if err != nil {
		return nil, err
	}
	if _, err := io.WriteString(w, crypto.ExportMagic); err != nil {
		return nil, err
	}
	if _, err := w.Write(line); err != nil {
		return nil, err
	}
	return &SealedWriter{w: w, key: key, headerHash: crypto.ExportHeaderHash(line), buf: make([]byte, 0, crypto.ChunkSize)}, nil
}

func (s *SealedWriter) Write(p []byte) (int, error) {
	n := 0
	for len(p) > 0 && s.err == nil {
		if len(s.buf) == crypto.ChunkSize {
			// Full, and more follows: not the last chunk.
			s.err = s.flush(false)
			continue
		}
		k := copy(s.buf[len(s.buf):crypto.ChunkSize], p)
		s.buf = s.buf[:len(s.buf)+k]
		p, n = p[k:], n+k
	}
	return n, s.err
}

func (s *SealedWriter) flush(final bool) error {
	box, err := crypto.SealExportChunk(s.key, s.headerHash, s.index, final, s.buf)
	if err != nil {
		return err
	}
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(box)))
	if _, err := s.w.Write(n[:]); err != nil {
		return err
	}
	if _, err := s.w.Write(box); err != nil {
		return err
	}
	s.index++
	s.buf = s.buf[:0]
	return nil
}

// Close writes the last chunk and forgets the key.
func (s *SealedWriter) Close() error {
	if s.err == nil {
		s.err = s.flush(true)
	}
	clear(s.key)
	return s.err
}

// IsSealed says whether the start of a file is a password-protected
// export's.
func IsSealed(start []byte) bool { return bytes.HasPrefix(start, []byte(crypto.ExportMagic)) }

// OpenSealed returns the Coffer JSON inside a password-protected export,
// read a chunk at a time. A wrong password is ErrWrongPassword at once; a
// chunk altered, moved or cut off later is an error from Read.
func OpenSealed(r io.Reader, password []byte) (io.Reader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	magic := make([]byte, len(crypto.ExportMagic))
	if _, err := io.ReadFull(br, magic); err != nil || string(magic) != crypto.ExportMagic {
		return nil, errors.New("not a password-protected Coffer export")
	}
	line, err := readLine(br, maxHeaderLine)
	if err != nil {
		return nil, fmt.Errorf("the export's header: %w", err)
	}
	var h sealedHeader
	if err := json.Unmarshal(line, &h); err != nil {
		return nil, fmt.Errorf("the export's header: %v", err)
	}
	if err := h.KDF.Check(); err != nil {
		return nil, fmt.Errorf("the export's key derivation: %w", err)
	}
	key, err := deriveExportKey(password, h.KDF)
	if err != nil {
		return nil, err
	}
	sr := &sealedReader{r: br, key: key, headerHash: crypto.ExportHeaderHash(line)}
	// The first chunk tells a wrong password before anything is read.
	if err := sr.next(); err != nil {
		return nil, err
	}
	return sr, nil
}

func readLine(br *bufio.Reader, limit int) ([]byte, error) {
	var line []byte
	for {
		b, err := br.ReadByte()
		if err != nil {
			return nil, err
		}
		line = append(line, b)
		if b == '\n' {
			return line, nil
		}
		if len(line) >= limit {
			return nil, errors.New("too long")
		}
	}
}

type sealedReader struct {
	r          *bufio.Reader
	key        []byte
	headerHash []byte
	index      int
	plain      []byte
	final      bool
	err        error
}

// next reads and opens the next chunk; a chunk is the last exactly when
// the file ends after it.
func (s *sealedReader) next() error {
	var n [4]byte
	if _, err := io.ReadFull(s.r, n[:]); err != nil {
		return fmt.Errorf("the export is cut off before chunk %d", s.index)
	}
	size := binary.BigEndian.Uint32(n[:])
	if size > crypto.ChunkSize+crypto.ChunkOverhead {
		return fmt.Errorf("chunk %d of the export is larger than a chunk can be", s.index)
	}
	box := make([]byte, size)
	if _, err := io.ReadFull(s.r, box); err != nil {
		return fmt.Errorf("the export is cut off in chunk %d", s.index)
	}
	_, err := s.r.Peek(1)
	final := errors.Is(err, io.EOF)
	plain, err := crypto.OpenExportChunk(s.key, s.headerHash, s.index, final, box)
	if err != nil {
		if s.index == 0 {
			return ErrWrongPassword
		}
		return fmt.Errorf("chunk %d of the export was altered, moved or cut off", s.index)
	}
	s.plain, s.final = plain, final
	s.index++
	return nil
}

func (s *sealedReader) Read(p []byte) (int, error) {
	for len(s.plain) == 0 {
		if s.err != nil {
			return 0, s.err
		}
		if s.final {
			clear(s.key)
			return 0, io.EOF
		}
		if s.err = s.next(); s.err != nil {
			return 0, s.err
		}
	}
	n := copy(p, s.plain)
	s.plain = s.plain[n:]
	return n, nil
}
