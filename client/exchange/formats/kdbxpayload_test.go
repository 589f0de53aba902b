package formats

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"runtime"
	"strings"
	"testing"

	"github.com/tobischo/gokeepasslib/v3"
)

// kdbxVariant is a way a KeePass client writes a database.
type kdbxVariant struct {
	name  string
	setup func(db *gokeepasslib.Database)
}

var kdbxVariants = []kdbxVariant{
	{"KDBX 3.1 AES", func(db *gokeepasslib.Database) {}},
	{"KDBX 3.1 uncompressed", func(db *gokeepasslib.Database) {
		db.Header.FileHeaders.CompressionFlags = gokeepasslib.NoCompressionFlag
	}},
	{"KDBX 4 ChaCha20 Argon2d", func(db *gokeepasslib.Database) {}},
	{"KDBX 4 AES AES-KDF", func(db *gokeepasslib.Database) {
		fh := db.Header.FileHeaders
		fh.CipherID, fh.EncryptionIV = gokeepasslib.CipherAES, bytes.Repeat([]byte{7}, 16)
		fh.KdfParameters.UUID, fh.KdfParameters.Rounds = gokeepasslib.KdfAES4, 1000
	}},
	{"KDBX 4 uncompressed", func(db *gokeepasslib.Database) {
		db.Header.FileHeaders.CompressionFlags = gokeepasslib.NoCompressionFlag
	}},
}

// libraryKDBX is a database the library writes under "pw": one entry
// with an attachment (on a KDBX 3.1, gzip'd in the document).
func libraryKDBX(t testing.TB, v kdbxVariant, attachment []byte) []byte {
	t.Helper()
	var db *gokeepasslib.Database
	if strings.HasPrefix(v.name, "KDBX 4") {
		db = gokeepasslib.NewDatabase(gokeepasslib.WithDatabaseKDBXVersion4())
	} else {
		db = gokeepasslib.NewDatabase(gokeepasslib.WithDatabaseKDBXVersion3())
	}
	v.setup(db)
	db.Credentials = gokeepasslib.NewPasswordCredentials("pw")
	e := gokeepasslib.NewEntry()
	e.Values = append(e.Values, kpValue(kpTitle, "Bank", false), kpValue(kpPassword, "secret", true))
	e.Binaries = append(e.Binaries, db.AddBinary(attachment).CreateReference("a.bin"))
	root := gokeepasslib.NewGroup()
	root.Name = "Root"
	root.Entries = append(root.Entries, e)
	db.Content.Root.Groups = []gokeepasslib.Group{root}
	if err := db.LockProtectedEntries(); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := gokeepasslib.NewEncoder(&buf).Encode(db); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// kdbxInnerHeader4 is a KDBX 4 inner header: ChaCha20 for protected
// values, no attachment.
func kdbxInnerHeader4() []byte {
	var b []byte
	field := func(typ byte, data []byte) {
		b = append(b, typ)
		b = binary.LittleEndian.AppendUint32(b, uint32(len(data)))
		b = append(b, data...)
	}
	field(gokeepasslib.InnerHeaderIRSID, binary.LittleEndian.AppendUint32(nil, gokeepasslib.ChaChaStreamID))
	field(gokeepasslib.InnerHeaderIRSKey, bytes.Repeat([]byte{1}, 64))
	field(gokeepasslib.InnerHeaderTerminator, nil)
	return b
}

// resealKDBX is file (a database under "pw") with its payload replaced by
// doc — behind a KDBX 4 inner header, compressed if the header says so,
// in blocks, encrypted — with the library's own pieces: what a crafted
// database holds that opens with the password the user types.
func resealKDBX(t testing.TB, file []byte, doc []byte) []byte {
	t.Helper()
	db, _, err := readKDBXHeader(file)
	if err != nil {
		t.Fatal(err)
	}
	key, err := kdbxTransformedKey(db.Header, []byte("pw"))
	if err != nil {
		t.Fatal(err)
	}
	fh := db.Header.FileHeaders
	p := doc
	if db.Header.IsKdbx4() {
		p = append(kdbxInnerHeader4(), doc...)
	}
	if fh.CompressionFlags == gokeepasslib.GzipCompressionFlag {
		var z bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&z, gzip.BestCompression)
		zw.Write(p)
		zw.Close()
		p = z.Bytes()
	}
	if !db.Header.IsKdbx4() {
		sum := sha256.Sum256(p)
		b := append(bytes.Clone(fh.StreamStartBytes), 0, 0, 0, 0)
		b = append(b, sum[:]...)
		b = binary.LittleEndian.AppendUint32(b, uint32(len(p)))
		b = append(b, p...)
		b = append(b, 1, 0, 0, 0)
		b = append(b, make([]byte, 32+4)...)
		p = b
	}
	pad := 16 - len(p)%16
	p = append(p, bytes.Repeat([]byte{byte(pad)}, pad)...)
	em, err := db.GetEncrypterManager(key)
	if err != nil {
		t.Fatal(err)
	}
	ct := em.Encrypt(p)
	out := bytes.Clone(file[:len(db.Header.RawData)])
	if !db.Header.IsKdbx4() {
		return append(out, ct...)
	}
	out = append(out, db.Hashes.Sha256[:]...)
	out = append(out, db.Hashes.Hmac[:]...)
	mac := gokeepasslib.NewBlockHMACBuilder(fh.MasterSeed, key)
	out = append(out, mac.BuildHMAC(0, uint32(len(ct)), ct)...)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(ct)))
	out = append(out, ct...)
	out = append(out, mac.BuildHMAC(1, 0, nil)...)
	return binary.LittleEndian.AppendUint32(out, 0)
}

const resealedDoc = `<?xml version="1.0" encoding="utf-8" standalone="yes"?>
<KeePassFile><Meta><Generator>test</Generator></Meta><Root><Group><Name>Root</Name>
<Entry><String><Key>Title</Key><Value>resealed</Value></String></Entry></Group></Root></KeePassFile>`

// TestKDBXVariantsOpen: each way a client writes a database opens with
// its entry, protected value and attachment; a wrong password is named;
// a document resealed in its place opens too (resealKDBX makes what a
// KeePass client makes, so the refusals below are of their contents).
func TestKDBXVariantsOpen(t *testing.T) {
	for _, v := range kdbxVariants {
		file := libraryKDBX(t, v, []byte("attached"))
		src, err := NewKDBXSource(bytes.NewReader(file), []byte("pw"))
		if err != nil {
			t.Fatalf("%s: %v", v.name, err)
		}
		it, err := src.Next()
		if err != nil || it.Content.Name != "Bank" || it.Content.Login == nil || it.Content.Login.Password != "secret" ||
			len(it.Files) != 1 || string(it.Files[0].Data) != "attached" {
			t.Fatalf("%s: %+v %v", v.name, it, err)
		}
		if _, err := NewKDBXSource(bytes.NewReader(file), []byte("wrong")); !errors.Is(err, ErrKDBXPassword) {
			t.Errorf("%s: a wrong password: %v", v.name, err)
		}
		src, err = NewKDBXSource(bytes.NewReader(resealKDBX(t, file, []byte(resealedDoc))), []byte("pw"))
		if err != nil {
			t.Fatalf("%s resealed: %v", v.name, err)
		}
		if it, err := src.Next(); err != nil || it.Content.Name != "resealed" {
			t.Fatalf("%s resealed: %+v %v", v.name, it, err)
		}
	}
}

// TestKDBXPayloadBombIsBounded: a database whose password the user knows,
// holding 32 MB of zeros gzip'd to a few KB, is refused having allocated
// about the bound (lowered to 1 MB), not the 32 MB.
func TestKDBXPayloadBombIsBounded(t *testing.T) {
	defer func(n int64) { MaxKDBXPayloadBytes = n }(MaxKDBXPayloadBytes)
	MaxKDBXPayloadBytes = 1 << 20
	bomb := append([]byte("<KeePassFile><Meta><Generator>"), make([]byte, 32<<20)...)
	for _, v := range kdbxVariants {
		if v.name != "KDBX 3.1 AES" && v.name != "KDBX 4 ChaCha20 Argon2d" {
			continue // the compressed ones
		}
		file := resealKDBX(t, libraryKDBX(t, v, nil), bomb)
		if len(file) > 1<<20 {
			t.Fatalf("%s: the bomb is %d bytes", v.name, len(file))
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := NewKDBXSource(bytes.NewReader(file), []byte("pw"))
		runtime.ReadMemStats(&after)
		if err == nil || !strings.Contains(err.Error(), "once inflated") {
			t.Errorf("%s: %v", v.name, err)
		}
		if n := after.TotalAlloc - before.TotalAlloc; n > 12<<20 {
			t.Errorf("%s: %d MB allocated to refuse it", v.name, n>>20)
		}
	}
}

// TestKDBXMalformedDocument: a database that opens with its password but
// whose document is not well-formed XML is an error — the library's
// group decoder, given it, loops for ever (this test would not end).
func TestKDBXMalformedDocument(t *testing.T) {
	for _, doc := range []string{
		`<KeePassFile><Meta></Meta><Root><Group><Name>x</Group></Root></KeePassFile>`,
		`<KeePassFile><Meta></Meta><Root><Group><Entry><String><Key>Title</Key><Value>a</Value></String>`,
		`<KeePassFile><Meta></Meta><Root><Group><Group><Name>&bogus;</Name></Group></Group></Root></KeePassFile>`,
		"\x1f\x8b not a document",
	} {
		for _, v := range kdbxVariants {
			file := resealKDBX(t, libraryKDBX(t, v, nil), []byte(doc))
			if _, err := NewKDBXSource(bytes.NewReader(file), []byte("pw")); err == nil || !strings.Contains(err.Error(), "damaged") {
				t.Errorf("%s, %q: %v", v.name, doc, err)
			}
		}
	}
}

// TestKDBX31AttachmentBombIsBounded: a KDBX 3.1 attachment is gzip'd in
// the document; it inflates under MaxAttachmentBytes (the library's
// GetContentBytes has no bound).
func TestKDBX31AttachmentBombIsBounded(t *testing.T) {
	defer func(n int64) { MaxAttachmentBytes = n }(MaxAttachmentBytes)
	MaxAttachmentBytes = 1 << 20
	file := libraryKDBX(t, kdbxVariants[0], make([]byte, 32<<20))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	src, err := NewKDBXSource(bytes.NewReader(file), []byte("pw"))
	if err == nil {
		_, err = src.Next()
	}
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "inflates to more than") {
		t.Fatalf("the bomb: %v", err)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 12<<20 {
		t.Errorf("%d MB allocated to refuse it", n>>20)
	}
}

// TestKDBXHeaderDictionaryIsChecked: a KDBX 4 header's public custom data
// (a variant dictionary the library allocates as its lengths say) that
// claims 2 GB is refused before the library reads it.
func TestKDBXHeaderDictionaryIsChecked(t *testing.T) {
	file := libraryKDBX(t, kdbxVariants[2], nil)
	i := 12 // after the signature and version: id 12 inserted first
	dict := []byte{0, 1, 0x42}
	dict = binary.LittleEndian.AppendUint32(dict, 0x7fffffff)
	field := append([]byte{12}, binary.LittleEndian.AppendUint32(nil, uint32(len(dict)))...)
	mutated := append(append(append(bytes.Clone(file[:i]), field...), dict...), file[i:]...)
	if _, err := NewKDBXSource(bytes.NewReader(mutated), []byte("pw")); err == nil || !strings.Contains(err.Error(), "header") {
		t.Fatalf("a 2 GB name: %v", err)
	}
}
