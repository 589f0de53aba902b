package crypto

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"
)

const exportVectorsPath = "testdata/export_vectors.json"

// exportVectors pin the password-protected export (protocol §19.3): the
// key derived from a password, the header hash, and two chunks of a
// file (not final, final) under fixed nonces.
type exportVectors struct {
	Password   string    `json:"password"`
	KDF        KDFParams `json:"kdf"`
	Key        hexb      `json:"key"`
	HeaderLine string    `json:"header_line"`
	HeaderHash hexb      `json:"header_hash"`
	Plain0     string    `json:"plaintext_0"`
	Nonce0     hexb      `json:"nonce_0"`
	Box0       hexb      `json:"box_0"` // index 0, not final
	Plain1     string    `json:"plaintext_1"`
	Nonce1     hexb      `json:"nonce_1"`
	Box1       hexb      `json:"box_1"` // index 1, final
}

func generateExport(t *testing.T) *exportVectors {
	v := exportVectors{Password: "correct horse battery staple — Passwort",
		KDF:        KDFParams{Algorithm: KDFAlgorithm, Time: MinTime, Memory: MinMemory, Threads: MinThreads, Salt: seq(SaltSize, 0x21)},
		HeaderLine: `{"kdf":{"algorithm":"argon2id","time":3,"memory":65536,"threads":4,"salt":"ISIjJCUmJygpKissLS4vMA=="}}` + "\n",
		Plain0:     `{"format":"coffer-export","version":1,`, Plain1: `"items":[]}`,
		Nonce0: seq(nonceSize, 0x40), Nonce1: seq(nonceSize, 0x60)}
	var err error
	if v.Key, err = DeriveExportKey([]byte(v.Password), v.KDF); err != nil {
		t.Fatal(err)
	}
	v.HeaderHash = ExportHeaderHash([]byte(v.HeaderLine))
	v.Box0 = must(sealWithNonce(v.Key, v.Nonce0, []byte(v.Plain0), exportChunkAD(v.HeaderHash, 0, false)))
	v.Box1 = must(sealWithNonce(v.Key, v.Nonce1, []byte(v.Plain1), exportChunkAD(v.HeaderHash, 1, true)))
	return &v
}

func TestExportVectors(t *testing.T) {
	got := generateExport(t)
	have, _ := json.MarshalIndent(got, "", "  ")
	if *update {
		if err := os.WriteFile(exportVectorsPath, append(have, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	data, err := os.ReadFile(exportVectorsPath)
	if err != nil {
		t.Fatal(err)
	}
	var v exportVectors
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	want, _ := json.MarshalIndent(&v, "", "  ")
	if !bytes.Equal(want, have) {
		t.Fatalf("export vectors differ from %s (run with -update only if the format deliberately changed)\n%s", exportVectorsPath, firstDiff(want, have))
	}
	if pt, err := OpenExportChunk(v.Key, v.HeaderHash, 0, false, v.Box0); err != nil || string(pt) != v.Plain0 {
		t.Fatalf("chunk 0: %q %v", pt, err)
	}
	if pt, err := OpenExportChunk(v.Key, v.HeaderHash, 1, true, v.Box1); err != nil || string(pt) != v.Plain1 {
		t.Fatalf("chunk 1: %q %v", pt, err)
	}
	// Bound to its place, its finality, the header and the password.
	for what, open := range map[string]func() error{
		"chunk 0 as final":     func() error { _, err := OpenExportChunk(v.Key, v.HeaderHash, 0, true, v.Box0); return err },
		"chunk 1 as not final": func() error { _, err := OpenExportChunk(v.Key, v.HeaderHash, 1, false, v.Box1); return err },
		"chunk 1 at index 0":   func() error { _, err := OpenExportChunk(v.Key, v.HeaderHash, 0, true, v.Box1); return err },
		"under another header": func() error {
			_, err := OpenExportChunk(v.Key, ExportHeaderHash([]byte("{}\n")), 0, false, v.Box0)
			return err
		},
		"under another password": func() error {
			k, _ := DeriveExportKey([]byte("wrong"), v.KDF)
			_, err := OpenExportChunk(k, v.HeaderHash, 0, false, v.Box0)
			return err
		},
	} {
		if open() == nil {
			t.Errorf("%s opens", what)
		}
	}
	weak := v.KDF
	weak.Memory = 1024
	if _, err := DeriveExportKey([]byte(v.Password), weak); err == nil {
		t.Error("an export's key derived with parameters below the floor")
	}
}
