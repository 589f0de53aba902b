package crypto

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
)

func TestKDFFloorAndCeiling(t *testing.T) {
	ok := DefaultKDFParams()
	if err := ok.Check(); err != nil {
		t.Fatalf("default params refused: %v", err)
	}
	bad := []func(*KDFParams){
		func(p *KDFParams) { p.Memory = 8 },
		func(p *KDFParams) { p.Time = 2 },
		func(p *KDFParams) { p.Threads = 1 },
		func(p *KDFParams) { p.Algorithm = "pbkdf2" },
		func(p *KDFParams) { p.Salt = p.Salt[:8] },
		func(p *KDFParams) { p.Memory = MaxMemory + 1 },
		func(p *KDFParams) { p.Time = MaxTime + 1 },
		func(p *KDFParams) { p.Threads = MaxThreads + 1 },
	}
	for i, mutate := range bad {
		p := DefaultKDFParams()
		mutate(&p)
		if _, err := DeriveMasterKeys([]byte("pw"), "a@example.com", p); !errors.Is(err, ErrWeakKDF) {
			t.Errorf("case %d: DeriveMasterKeys(%+v) = %v, want ErrWeakKDF", i, p, err)
		}
	}
}

func TestBoxRefusesEveryMutation(t *testing.T) {
	key := NewKey()
	box, err := Seal(key, []byte("the secret"), []byte("ad"))
	if err != nil {
		t.Fatal(err)
	}
	// Flip each bit of version, nonce, ciphertext and tag in turn.
	for i := 0; i < len(box)*8; i++ {
		m := bytes.Clone(box)
		m[i/8] ^= 1 << (i % 8)
		if _, err := Open(key, m, []byte("ad")); err != ErrTampered {
			t.Fatalf("bit %d flipped: Open = %v, want ErrTampered", i, err)
		}
	}
	for _, m := range [][]byte{nil, box[:10], box[:len(box)-1], append([]byte{0}, box[1:]...)} {
		if _, err := Open(key, m, []byte("ad")); err != ErrTampered {
			t.Fatalf("malformed box: Open = %v", err)
		}
	}
	if _, err := Open(key, box, []byte("other ad")); err != ErrTampered {
		t.Fatal("box opened under other associated data")
	}
}

// TestOneErrorClass mutates a revision blob 1,000 times at random and checks
// that every failure is exactly ErrTampered: no error oracle.
func TestOneErrorClass(t *testing.T) {
	id, _ := NewIdentity()
	ik := NewKey()
	h := RevisionHeader{VaultID: "v", ItemID: "i", Revision: 1, KeyEpoch: 1, Type: "login", AuthorID: "a", PrevHash: ZeroHash()}
	blob, sig, _, err := SealRevision(id, ik, h, []byte(`{"name":"x"}`))
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 1000; i++ {
		m := bytes.Clone(blob)
		switch r.IntN(3) {
		case 0:
			m[r.IntN(len(m))] ^= byte(1 + r.IntN(255))
		case 1:
			m = m[:r.IntN(len(m))]
		case 2:
			m = append(m, byte(r.IntN(256)))
		}
		if _, _, err := OpenRevision(id.Public(), ik, h, m, sig); err != ErrTampered {
			t.Fatalf("mutation %d: %v", i, err)
		}
		if _, err := Open(ik, m, h.ad()); err != ErrTampered {
			t.Fatalf("mutation %d (unsigned path): %v", i, err)
		}
	}
}

func TestRevisionBindsHeader(t *testing.T) {
	id, _ := NewIdentity()
	ik := NewKey()
	h := RevisionHeader{VaultID: "v1", ItemID: "i1", Revision: 2, KeyEpoch: 1, Type: "login", AuthorID: "a", Time: 5, PrevHash: bytes.Repeat([]byte{7}, HashSize)}
	blob, sig, _, err := SealRevision(id, ik, h, []byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	moved := []func(*RevisionHeader){
		func(h *RevisionHeader) { h.VaultID = "v2" },
		func(h *RevisionHeader) { h.ItemID = "i2" },
		func(h *RevisionHeader) { h.Revision = 3 },
		func(h *RevisionHeader) { h.KeyEpoch = 2 },
		func(h *RevisionHeader) { h.Type = "note" },
		func(h *RevisionHeader) { h.OrgID = "o" },
		func(h *RevisionHeader) { h.AuthorID = "someone-else" },
		func(h *RevisionHeader) { h.Time = 6 },
		func(h *RevisionHeader) { h.PrevHash = bytes.Repeat([]byte{8}, HashSize) },
		func(h *RevisionHeader) { h.PrevHash = ZeroHash() }, // revision 2 cannot start a chain
	}
	for i, mv := range moved {
		h2 := h
		mv(&h2)
		if _, _, err := OpenRevision(id.Public(), ik, h2, blob, sig); err != ErrTampered {
			t.Errorf("case %d: revision accepted under a changed header", i)
		}
	}
	if _, _, err := OpenRevision(id.Public(), ik, h, blob, sig); err != nil {
		t.Fatalf("unchanged header refused: %v", err)
	}
	other, _ := NewIdentity()
	if _, _, err := OpenRevision(other.Public(), ik, h, blob, sig); err != ErrTampered {
		t.Error("revision verified under another author's key")
	}
	// A different item key (a server delivering another key to this reader)
	// fails the signed key commitment even before decryption.
	if _, _, err := OpenRevision(id.Public(), NewKey(), h, blob, sig); err != ErrTampered {
		t.Error("revision accepted under another item key")
	}
	h1 := h
	h1.Revision = 1
	if _, _, _, err := SealRevision(id, ik, h1, []byte(`{}`)); err != ErrTampered {
		t.Error("revision 1 with a non-zero previous hash was sealed")
	}
}

func TestVaultKeyWrapBindsContext(t *testing.T) {
	alice, _ := NewIdentity()
	bob, _ := NewIdentity()
	vk := NewKey()
	ctx := VaultKeyContext("", "v", 1, RecipientUser, "bob", bob.Public())
	wrap, sig, err := WrapKey(alice, "alice", ctx, vk)
	if err != nil {
		t.Fatal(err)
	}
	got, err := OpenKey(bob, alice.Public(), "alice", ctx, wrap, sig, KeySize)
	if err != nil || !bytes.Equal(got, vk) {
		t.Fatalf("OpenVaultKey: %v", err)
	}
	for i, change := range []func(*KeyWrapContext){
		func(c *KeyWrapContext) { c.Epoch = 2 },
		func(c *KeyWrapContext) { c.ObjectID = "w" },
		func(c *KeyWrapContext) { c.RecipientID = "carol" },
		func(c *KeyWrapContext) { c.OrgID = "o" },
		func(c *KeyWrapContext) { c.Kind = KindOrgKey },
		func(c *KeyWrapContext) { c.RecipientKind = RecipientGroup },
	} {
		c := ctx
		change(&c)
		if _, err := OpenKey(bob, alice.Public(), "alice", c, wrap, sig, KeySize); err != ErrTampered {
			t.Errorf("case %d: wrap opened in another context", i)
		}
	}
	// A signature by anyone but the claimed signer is refused.
	if _, err := OpenKey(bob, bob.Public(), "alice", ctx, wrap, sig, KeySize); err != ErrTampered {
		t.Error("wrap accepted with a signature checked against the wrong signer")
	}
	// A wrap to someone else cannot be opened.
	if _, err := OpenKey(alice, alice.Public(), "alice", ctx, wrap, sig, KeySize); err != ErrTampered {
		t.Error("wrap opened by a non-recipient")
	}
}

func TestPrivateKeysMustMatchPublicKeys(t *testing.T) {
	ak := NewKey()
	a, _ := NewIdentity()
	b, _ := NewIdentity()
	box, _ := a.SealPrivateKeys(ak, "u")
	if _, err := OpenPrivateKeys(ak, box, "u", a.Public()); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenPrivateKeys(ak, box, "u", b.Public()); err != ErrTampered {
		t.Fatal("private keys accepted for another account's public keys")
	}
	if _, err := OpenPrivateKeys(ak, box, "v", a.Public()); err != ErrTampered {
		t.Fatal("private keys opened for another user id")
	}
}

func BenchmarkDeriveMasterKeys(b *testing.B) {
	p := DefaultKDFParams()
	for b.Loop() {
		if _, err := DeriveMasterKeys([]byte("correct horse battery staple"), "a@example.com", p); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSealOpenRevision(b *testing.B) {
	id, _ := NewIdentity()
	ik := NewKey()
	content := bytes.Repeat([]byte("x"), 512)
	h := RevisionHeader{VaultID: "v", ItemID: "i", Revision: 1, KeyEpoch: 1, Type: "login", AuthorID: "a", PrevHash: ZeroHash()}
	b.Run("seal", func(b *testing.B) {
		for b.Loop() {
			SealRevision(id, ik, h, content)
		}
	})
	blob, sig, _, _ := SealRevision(id, ik, h, content)
	b.Run("verify+open", func(b *testing.B) {
		for b.Loop() {
			if _, _, err := OpenRevision(id.Public(), ik, h, blob, sig); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkManifest10000: hash and sign the manifest of a 10,000-item
// vault (what every write to such a vault costs its writer), and verify
// it against the items (what every sync costs each reader).
func BenchmarkManifest10000(b *testing.B) {
	id, _ := NewIdentity()
	entries := make([]ManifestEntry, 10000)
	for i := range entries {
		entries[i] = ManifestEntry{ItemID: fmt.Sprintf("%08x-0000-4000-8000-000000000000", i*7919%10000), Head: uint64(i%9 + 1), HeadHash: bytes.Repeat([]byte{byte(i)}, HashSize)}
	}
	b.Run("sign", func(b *testing.B) {
		for b.Loop() {
			m, err := NewManifest("", "v", 2, entries, "a", 1)
			if err != nil {
				b.Fatal(err)
			}
			SignManifest(id, m)
		}
	})
	m, _ := NewManifest("", "v", 2, entries, "a", 1)
	sig, _ := SignManifest(id, m)
	b.Run("verify", func(b *testing.B) {
		for b.Loop() {
			if VerifyManifest(id.Public(), m, sig) != nil || m.Matches(entries) != nil {
				b.Fatal("does not verify")
			}
		}
	})
}
