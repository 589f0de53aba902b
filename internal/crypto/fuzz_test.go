package crypto

import (
	"testing"
)

// Fuzz targets for every parser of data that comes from the server. Seeds
// come from the test vectors; CI runs each briefly (scripts/test.sh).

func fuzzVectors(f *testing.F) *vectors {
	v := loadVectors(&testing.T{})
	if v == nil {
		f.Fatal("no vectors")
	}
	return v
}

func FuzzOpenBox(f *testing.F) {
	v := fuzzVectors(f)
	f.Add([]byte(v.Box.Box), []byte(v.Box.AD))
	f.Add([]byte{1}, []byte{})
	f.Fuzz(func(t *testing.T, box, ad []byte) {
		pt, err := Open(v.Box.Key, box, ad)
		if err != nil && err != ErrTampered {
			t.Fatalf("error class %v", err)
		}
		if err == nil && (string(box) != string(v.Box.Box) || string(ad) != string(v.Box.AD)) && len(pt) > 0 {
			t.Fatalf("a different box opened")
		}
	})
}

func FuzzOpenRevision(f *testing.F) {
	v := fuzzVectors(f)
	f.Add([]byte(v.Revision.Blob), []byte(v.Revision.Sig), uint64(1), "login")
	f.Fuzz(func(t *testing.T, blob, sig []byte, rev uint64, typ string) {
		h := vectorHeader(v)
		h.Revision, h.Type = rev, typ
		pub := PublicKeys{Sign: v.Identity.SignPub, KEM: v.Identity.KEMPub}
		if _, _, err := OpenRevision(pub, v.ItemKeyWrap.ItemKey, h, blob, sig); err != nil && err != ErrTampered {
			t.Fatalf("error class %v", err)
		}
	})
}

// FuzzKeyObjects: private-key boxes and group key seeds (key objects).
func FuzzKeyObjects(f *testing.F) {
	v := fuzzVectors(f)
	f.Add([]byte(v.Identity.PrivateKeys))
	f.Add(append([]byte{0}, v.Identity.PrivateKeys[1:]...))
	f.Fuzz(func(t *testing.T, box []byte) {
		pub := PublicKeys{Sign: v.Identity.SignPub, KEM: v.Identity.KEMPub}
		if _, err := OpenPrivateKeys(v.Identity.AccountKey, box, v.Identity.UserID, pub); err != nil && err != ErrTampered {
			t.Fatalf("error class %v", err)
		}
		if _, err := IdentityFromSeeds(box, pub); err != nil && err != ErrTampered {
			t.Fatalf("error class %v", err)
		}
	})
}

// FuzzWraps: HPKE key wraps and their signatures.
func FuzzWraps(f *testing.F) {
	v := fuzzVectors(f)
	f.Add([]byte(v.VaultKeyWrap.Wrap), []byte(v.VaultKeyWrap.Sig), uint64(1))
	f.Fuzz(func(t *testing.T, wrap, sig []byte, epoch uint64) {
		pub := PublicKeys{Sign: v.Identity.SignPub, KEM: v.Identity.KEMPub}
		id, err := identityFromSeeds(v.Identity.SignSeed, v.Identity.KEMSeed)
		if err != nil {
			t.Fatal(err)
		}
		w := v.VaultKeyWrap
		ctx := VaultKeyContext(w.OrgID, w.VaultID, epoch, w.Kind, w.RecipientID, pub)
		if _, err := OpenKey(id, pub, v.Identity.UserID, ctx, wrap, sig, KeySize); err != nil && err != ErrTampered {
			t.Fatalf("error class %v", err)
		}
		ikc := ItemKeyContext{WrapVault: w.VaultID, WrapEpoch: epoch, ItemID: v.ItemKeyWrap.ItemID, KeyVault: w.VaultID, KeyEpoch: 1}
		if _, err := UnwrapItemKey(w.VaultKey, ikc, wrap); err != nil && err != ErrTampered {
			t.Fatalf("error class %v", err)
		}
	})
}

// FuzzRoster: roster member lists and signatures.
func FuzzRoster(f *testing.F) {
	v := fuzzVectors(f)
	f.Add("a", "a@example.com", []byte(v.Roster.Sig), uint64(3))
	f.Fuzz(func(t *testing.T, id, email string, sig []byte, version uint64) {
		pub := PublicKeys{Sign: v.Identity.SignPub, KEM: v.Identity.KEMPub}
		members := append(rosterMembers(v), RosterMember{UserID: id, Email: email, Fingerprint: make([]byte, HashSize)})
		if err := VerifyRoster(pub, v.Invite.OrgID, version, v.Identity.UserID, members, sig); err == nil {
			t.Fatal("a roster with an extra member verified")
		}
	})
}

func FuzzParseInviteCode(f *testing.F) {
	f.Add("ABCD-EFGH-IJKL-MNOP-QRST-UVWX")
	f.Add("abcd efgh ijkl mnop qrst uvw2")
	f.Fuzz(func(t *testing.T, s string) {
		code, err := ParseInviteCode(s)
		if err == nil && (len(code) != InviteCodeSize || FormatInviteCode(code) == "") {
			t.Fatalf("accepted %q as %x", s, code)
		}
	})
}

func FuzzOpenChunk(f *testing.F) {
	v := fuzzVectors(f)
	f.Add([]byte(v.FileChunk.Box), 2, true)
	f.Fuzz(func(t *testing.T, box []byte, idx int, final bool) {
		if _, err := OpenChunk(v.FileChunk.Key, v.FileChunk.FileID, idx, final, box); err != nil && err != ErrTampered {
			t.Fatalf("error class %v", err)
		}
	})
}

// FuzzManifest: manifest fields and entries as a server would serve them.
func FuzzManifest(f *testing.F) {
	v := fuzzVectors(f)
	e := v.Manifest.Entries
	f.Add(v.Manifest.Version, uint64(len(e)), []byte(v.Manifest.ItemsHash), []byte(v.Manifest.Sig), e[0].ItemID, e[0].Head, []byte(e[0].HeadHash), false)
	f.Add(uint64(0), uint64(0), []byte{}, []byte{}, "", uint64(0), []byte{}, true)
	f.Fuzz(func(t *testing.T, version, count uint64, itemsHash, sig []byte, itemID string, head uint64, headHash []byte, trashed bool) {
		pub := PublicKeys{Sign: v.Identity.SignPub, KEM: v.Identity.KEMPub}
		m := Manifest{OrgID: v.VaultKeyWrap.OrgID, VaultID: v.VaultKeyWrap.VaultID, Version: version, Count: count,
			ItemsHash: itemsHash, SignerID: v.Identity.UserID, Time: v.Manifest.Time}
		err := VerifyManifest(pub, m, sig)
		if err != nil && err != ErrTampered {
			t.Fatalf("error class %v", err)
		}
		if err == nil && (version != v.Manifest.Version || string(sig) != string(v.Manifest.Sig)) {
			t.Fatalf("a different manifest verified")
		}
		entries := append(manifestEntries(v), ManifestEntry{ItemID: itemID, Head: head, HeadHash: headHash, Trashed: trashed})
		if err := m.Matches(entries); err != nil && err != ErrTampered {
			t.Fatalf("error class %v", err)
		}
	})
}
