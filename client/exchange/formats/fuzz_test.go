package formats

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"testing"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/client/exchange"
	"github.com/coffer-pm/coffer/internal/crypto"
)

// FuzzSealedReader: a password-protected export altered anywhere is an
// error, never a panic; what opens is what was sealed.
func FuzzSealedReader(f *testing.F) {
	var sealed bytes.Buffer
	w, _ := NewSealedWriter(&sealed, []byte("pw"))
	w.Write([]byte(`{"format":"coffer-export","version":1,"items":[]}`))
	w.Close()
	f.Add(sealed.Bytes(), uint16(0), byte(0))
	f.Add(sealed.Bytes(), uint16(40), byte(1))
	f.Add(sealed.Bytes(), uint16(200), byte(0x80))
	keys := map[string][]byte{}
	derive := deriveExportKey
	deriveExportKey = func(pw []byte, p crypto.KDFParams) ([]byte, error) {
		id := fmt.Sprint(p)
		if k, ok := keys[id]; ok {
			return bytes.Clone(k), nil
		}
		k, err := derive(pw, p)
		keys[id] = bytes.Clone(k)
		return k, err
	}
	f.Cleanup(func() { deriveExportKey = derive })
	f.Fuzz(func(t *testing.T, file []byte, at uint16, flip byte) {
		if len(file) > 0 {
			file = bytes.Clone(file)
			file[int(at)%len(file)] ^= flip
		}
		r, err := OpenSealed(bytes.NewReader(file), []byte("pw"))
		if err != nil {
			return
		}
		got, err := io.ReadAll(io.LimitReader(r, 1<<22))
		if err == nil && flip != 0 && bytes.Equal(file, sealed.Bytes()) == false && len(got) > 0 && !bytes.Equal(got, []byte(`{"format":"coffer-export","version":1,"items":[]}`)) {
			t.Fatalf("an altered export opened to %q", got)
		}
	})
}

// FuzzCSVSource: any bytes as a CSV import give entries or an error.
func FuzzCSVSource(f *testing.F) {
	for _, name := range []string{"chrome.csv", "firefox.csv", "safari.csv", "bitwarden.csv", "1password.csv", "keepassxc.csv", "generic.csv"} {
		b, _ := os.ReadFile("testdata/" + name)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		defer func(n int64) { MaxCSVRecordBytes = n }(MaxCSVRecordBytes)
		MaxCSVRecordBytes = 1 << 16
		src, _, err := Open(bytes.NewReader(data), exchange.FormatCSV, nil, nil)
		if err != nil {
			return
		}
		for i := 0; i < 1000; i++ {
			if _, err := src.Next(); err != nil {
				return
			}
		}
	})
}

// FuzzBitwardenSource: any bytes as a Bitwarden JSON import give entries
// or an error.
func FuzzBitwardenSource(f *testing.F) {
	for _, name := range []string{"bitwarden.json", "bitwarden-org.json", "bitwarden-encrypted.json"} {
		b, _ := os.ReadFile("testdata/" + name)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		defer func(n int64) { exchange.MaxItemBytes = n }(exchange.MaxItemBytes)
		exchange.MaxItemBytes = 1 << 16
		src, err := NewBitwardenSource(bytes.NewReader(data))
		if err != nil {
			return
		}
		for i := 0; i < 1000; i++ {
			if _, err := src.Next(); err != nil {
				return
			}
		}
	})
}

// FuzzKDBXSource: any bytes as a KeePass database (with its password)
// give entries or an error, never a panic — with the key-derivation
// bounds lowered so that no run hashes for long.
func FuzzKDBXSource(f *testing.F) {
	aes, mem, iter, par := maxKDBXAESRounds, maxKDBXArgonMemory, maxKDBXArgonIter, maxKDBXArgonParallel
	maxKDBXAESRounds, maxKDBXArgonMemory, maxKDBXArgonIter, maxKDBXArgonParallel = 10_000, 8<<20, 4, 4
	f.Cleanup(func() {
		maxKDBXAESRounds, maxKDBXArgonMemory, maxKDBXArgonIter, maxKDBXArgonParallel = aes, mem, iter, par
	})
	var buf bytes.Buffer
	w, _ := NewKDBXWriter(&buf, []exchange.Vault{{ID: "v", Name: "V"}}, []byte("pw"))
	w.Write(exchange.Item{Vault: "v", Type: "login", Content: client.Content{Name: "n", Login: &client.LoginFields{Username: "u", Password: "p"}}, Files: []exchange.File{{Name: "f", Data: []byte("d")}}})
	w.Close()
	f.Add(buf.Bytes())
	// The library's own KDBX 3.1 and 4 (a gzip'd attachment, a CBC
	// cipher), and a database that opens but holds a malformed document.
	for _, v := range kdbxVariants {
		f.Add(libraryKDBX(f, v, []byte("attached")))
	}
	f.Add(resealKDBX(f, libraryKDBX(f, kdbxVariants[2], nil), []byte(`<KeePassFile><Meta></Meta><Root><Group><Name>x</Group></Root></KeePassFile>`)))
	xmlFile, _ := os.ReadFile("testdata/keepass2.xml")
	f.Add(xmlFile)
	f.Fuzz(func(t *testing.T, data []byte) {
		defer func(n, m, p int64) { MaxKDBXBytes, MaxAttachmentBytes, MaxKDBXPayloadBytes = n, m, p }(MaxKDBXBytes, MaxAttachmentBytes, MaxKDBXPayloadBytes)
		MaxKDBXBytes, MaxAttachmentBytes, MaxKDBXPayloadBytes = 1<<20, 1<<20, 4<<20
		src, _, err := Open(bytes.NewReader(data), "", nil, func() ([]byte, error) { return []byte("pw"), nil })
		if err != nil {
			return
		}
		for i := 0; i < 1000; i++ {
			if _, err := src.Next(); err != nil {
				return
			}
		}
	})
}
