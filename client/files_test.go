package client_test

import (
	"bytes"
	"crypto/rand"
	"database/sql"
	"errors"
	"testing"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/server"
	"github.com/coffer-pm/coffer/internal/testserver"
)

// TestFileRoundTripSharedWithGroup: a 20 MiB file goes up in chunks and
// comes back byte for byte to a member of the group the vault is granted to.
func TestFileRoundTripSharedWithGroup(t *testing.T) {
	env := testserver.Start(t, nil, nil)
	owner := signup(t, env.URL, "owner@files.example")
	member := signup(t, env.URL, "member@files.example")
	o := company(t, owner, "Files", member)
	g, err := owner.CreateGroup(ctx, o.ID, "Team", false, "view")
	if err != nil {
		t.Fatal(err)
	}
	if err := owner.AddGroupMembers(ctx, g, []string{"member@files.example"}); err != nil {
		t.Fatal(err)
	}
	v, err := owner.CreateVault(ctx, o.ID, "Docs")
	if err != nil {
		t.Fatal(err)
	}
	if err := owner.GrantGroup(ctx, v, "Team", ""); err != nil {
		t.Fatal(err)
	}
	data := make([]byte, 20<<20+12345)
	rand.Read(data)
	att, err := owner.UploadFile(ctx, v.ID, "backup.tar", bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := owner.CreateItem(ctx, v.ID, "file", client.Content{Name: "Backup", Files: []client.Attachment{att}}); err != nil {
		t.Fatal(err)
	}
	if err := member.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	it, err := member.FindItem("Backup", false)
	if err != nil {
		t.Fatal(err)
	}
	got, err := it.FindAttachment("")
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := member.DownloadFile(ctx, got, &out); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), data) {
		t.Fatal("downloaded file differs")
	}

	// An altered and a truncated chunk in the database are refused.
	db, err := sql.Open("sqlite", env.DBPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var chunk []byte
	db.QueryRow(`SELECT data FROM file_chunks WHERE file_id = ? AND idx = 7`, att.ID).Scan(&chunk)
	for name, bad := range map[string][]byte{"altered": flip(chunk, 500), "truncated": chunk[:len(chunk)-100]} {
		if _, err := db.Exec(`UPDATE file_chunks SET data = ? WHERE file_id = ? AND idx = 7`, bad, att.ID); err != nil {
			t.Fatal(err)
		}
		if err := member.DownloadFile(ctx, got, &bytes.Buffer{}); !errors.Is(err, client.ErrTampered) {
			t.Fatalf("%s chunk: %v, want ErrTampered", name, err)
		}
	}
	// Dropping the tail (the final chunk) is refused too.
	db.Exec(`UPDATE file_chunks SET data = ? WHERE file_id = ? AND idx = 7`, chunk, att.ID)
	db.Exec(`DELETE FROM file_chunks WHERE file_id = ? AND idx = 20`, att.ID)
	if err := member.DownloadFile(ctx, got, &bytes.Buffer{}); err == nil {
		t.Fatal("a file without its final chunk was accepted")
	}
}

func flip(b []byte, i int) []byte {
	out := bytes.Clone(b)
	out[i] ^= 0x40
	return out
}

// TestFileOverLimitRefusedBeforeUpload: the server's limit is checked when
// the upload is announced; no chunk is stored.
func TestFileOverLimitRefusedBeforeUpload(t *testing.T) {
	cfg := server.DefaultConfig()
	cfg.MaxFileBytes = 1 << 20
	env := testserver.Start(t, &cfg, nil)
	s := signup(t, env.URL, "big@files.example")
	v, _ := s.PersonalVault()
	reader := &countingReader{r: bytes.NewReader(make([]byte, 3<<20))}
	_, err := s.UploadFile(ctx, v.ID, "big.bin", reader, 3<<20)
	if !errors.Is(err, client.ErrFileTooLarge) {
		t.Fatalf("over-limit upload: %v", err)
	}
	if reader.n != 0 {
		t.Fatalf("%d bytes were read before the refusal", reader.n)
	}
	db, _ := sql.Open("sqlite", env.DBPath)
	defer db.Close()
	var n int
	db.QueryRow(`SELECT COUNT(*) FROM file_chunks`).Scan(&n)
	if n != 0 {
		t.Fatalf("%d chunks stored", n)
	}
}

type countingReader struct {
	r interface{ Read([]byte) (int, error) }
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}
