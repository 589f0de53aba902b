package crypto

import (
	"testing"
)

// TestManifestDetectsEveryChange: any change to the listed items — one
// dropped, one added, one listed twice, a head moved back or forward, a
// head hash swapped, a trash flag flipped — no longer matches the signed
// manifest, and any change to the signed fields fails the signature.
func TestManifestDetectsEveryChange(t *testing.T) {
	v := loadVectors(t)
	m := vectorManifest(t, v)
	pub := PublicKeys{Sign: v.Identity.SignPub, KEM: v.Identity.KEMPub}
	entries := manifestEntries(v)
	if err := m.Matches(entries); err != nil {
		t.Fatal(err)
	}
	// Order does not matter: the hash sorts.
	if err := m.Matches([]ManifestEntry{entries[1], entries[0]}); err != nil {
		t.Fatalf("reordered entries: %v", err)
	}
	changed := map[string][]ManifestEntry{
		"dropped":    entries[:1],
		"added":      append(append([]ManifestEntry(nil), entries...), ManifestEntry{ItemID: "ffffffff-0000-4000-8000-000000000000", Head: 1, HeadHash: ZeroHash()}),
		"duplicated": append(append([]ManifestEntry(nil), entries...), entries[0]),
		"empty":      nil,
	}
	edit := func(name string, f func(*ManifestEntry)) {
		c := append([]ManifestEntry(nil), entries...)
		c[0].HeadHash = append([]byte(nil), c[0].HeadHash...)
		f(&c[0])
		changed[name] = c
	}
	edit("head back", func(e *ManifestEntry) { e.Head-- })
	edit("head forward", func(e *ManifestEntry) { e.Head++ })
	edit("hash", func(e *ManifestEntry) { e.HeadHash[0] ^= 1 })
	edit("trashed", func(e *ManifestEntry) { e.Trashed = !e.Trashed })
	edit("id", func(e *ManifestEntry) { e.ItemID = "00000000-0000-4000-8000-000000000000" })
	for name, c := range changed {
		if err := m.Matches(c); err != ErrTampered {
			t.Errorf("%s: Matches = %v, want ErrTampered", name, err)
		}
	}

	sig := v.Manifest.Sig
	fields := map[string]func(*Manifest){
		"org":     func(m *Manifest) { m.OrgID = "1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b" },
		"vault":   func(m *Manifest) { m.VaultID = "00000000-0000-4000-8000-000000000000" },
		"version": func(m *Manifest) { m.Version-- },
		"count":   func(m *Manifest) { m.Count++ },
		"hash":    func(m *Manifest) { m.ItemsHash = ZeroHash() },
		"signer":  func(m *Manifest) { m.SignerID = "00000000-0000-4000-8000-000000000000" },
		"time":    func(m *Manifest) { m.Time++ },
	}
	for name, f := range fields {
		c := m
		f(&c)
		if err := VerifyManifest(pub, c, sig); err != ErrTampered {
			t.Errorf("changed %s: VerifyManifest = %v, want ErrTampered", name, err)
		}
	}
	for i := range len(sig) * 8 {
		bad := append([]byte(nil), sig...)
		bad[i/8] ^= 1 << (i % 8)
		if VerifyManifest(pub, m, bad) != ErrTampered {
			t.Fatalf("signature bit %d flipped still verifies", i)
		}
	}
	zero := m
	zero.Version = 0
	if _, err := SignManifest(&Identity{}, zero); err != ErrTampered {
		t.Errorf("version 0 signed: %v", err)
	}
}
