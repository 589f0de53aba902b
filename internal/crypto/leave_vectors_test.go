package crypto

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"testing"
)

const leaveVectorsPath = "testdata/leave_vectors.json"

// leaveVectors pin the formats of leave management (protocol §18): an
// epoch record chain (version 1, then a rotation-only version 2), a sealed
// name under a later epoch, an ownership transfer offer and two audit
// entries, one with a client statement. The owner is the identity of
// vectors.json (seeds 0x01…, 0x61…), the member a second fixed identity.
type leaveVectors struct {
	OrgID          string            `json:"org_id"`
	VaultID        string            `json:"vault_id"`
	OwnerID        string            `json:"owner_id"`
	MemberID       string            `json:"member_id"`
	GroupID        string            `json:"group_id"`
	VaultKey1      hexb              `json:"vault_key_1"`
	VaultKey2      hexb              `json:"vault_key_2"`
	KeyCommit1     hexb              `json:"key_commit_1"`
	KeyCommit2     hexb              `json:"key_commit_2"`
	Recipients1    []RecordRecipient `json:"recipients_1"`
	Recipients2    []RecordRecipient `json:"recipients_2"`
	RecipientsHash hexb              `json:"recipients_hash_1"`
	Meta           hexb              `json:"meta"` // a name sealed under vault_key_1 at epoch 1
	Record1Msg     hexb              `json:"record_1_msg"`
	Record1Sig     hexb              `json:"record_1_sig"` // by the owner
	Record1Hash    hexb              `json:"record_1_hash"`
	Record2Msg     hexb              `json:"record_2_msg"`
	Record2Sig     hexb              `json:"record_2_sig"` // by the member (rotation-only)
	Record2Hash    hexb              `json:"record_2_hash"`
	MetaNonce      hexb              `json:"meta_nonce"`
	Meta2AD        hexb              `json:"meta_2_ad"`
	Meta2          hexb              `json:"meta_2"` // a name sealed under vault_key_2 at epoch 2
	OfferMsg       hexb              `json:"transfer_offer_msg"`
	OfferSig       hexb              `json:"transfer_offer_sig"`
	OfferHeads     hexb              `json:"transfer_offer_record_heads"`
	Statement      hexb              `json:"audit_statement"`
	StatementSig   hexb              `json:"audit_statement_sig"`
	Entry1Hash     hexb              `json:"audit_entry_1_hash"`
	Entry2Hash     hexb              `json:"audit_entry_2_hash"`
}

func leaveRecords(v *leaveVectors) (EpochRecord, EpochRecord) {
	rh1 := must(RecipientsHash(v.Recipients1))
	rh2 := must(RecipientsHash(v.Recipients2))
	r1 := EpochRecord{OrgID: v.OrgID, Kind: RecordVault, ObjectID: v.VaultID, Version: 1, Epoch: 1, KeyCommit: v.KeyCommit1,
		MetaEpoch: 1, MetaHash: MetaHash(v.Meta), RecipientsHash: rh1, PrevHash: ZeroHash(), SignerID: v.OwnerID, Time: 1_790_000_000_000}
	r2 := r1
	r2.Version, r2.Epoch, r2.KeyCommit, r2.RecipientsHash, r2.SignerID, r2.Time = 2, 2, v.KeyCommit2, rh2, v.MemberID, 1_790_000_060_000
	return r1, r2
}

func leaveEntries(v *leaveVectors) (AuditEntry, AuditEntry) {
	e1 := AuditEntry{OrgID: v.OrgID, Seq: 1, PrevHash: ZeroHash(), Time: 1_790_000_000_001, ActorID: v.OwnerID, Action: "vault-create",
		Target: []byte(`{"vault":"` + v.VaultID + `"}`), Source: "192.0.2.7", Statement: v.Statement, StatementSig: v.StatementSig}
	e2 := AuditEntry{OrgID: v.OrgID, Seq: 2, PrevHash: AuditEntryHash(e1), Time: 1_790_000_060_001, ActorID: "", Action: "unbind",
		Target: []byte(`{"user":"` + v.MemberID + `"}`), Source: "198.51.100.1"}
	return e1, e2
}

func generateLeave(t *testing.T) *leaveVectors {
	owner := mustID(t, seq(seedSize, 0x01), seq(seedSize, 0x61))
	member := mustID(t, seq(seedSize, 0x11), seq(seedSize, 0x71))
	var v leaveVectors
	v.OrgID, v.VaultID = "5a1e0c3d-7b2f-4e9a-8c6d-1f0e2d3c4b5a", "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e"
	v.OwnerID, v.MemberID, v.GroupID = "6f1c2a5e-8d4b-4c1e-9a3f-2b7d5e8c1a90", "9b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d", "3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f"
	v.VaultKey1, v.VaultKey2 = seq(KeySize, 0x20), seq(KeySize, 0x40)
	v.KeyCommit1, v.KeyCommit2 = EpochKeyCommit(v.VaultKey1), EpochKeyCommit(v.VaultKey2)
	groupFP := seq(HashSize, 0xc0)
	v.Recipients1 = []RecordRecipient{
		{Kind: RecipientUser, ID: v.MemberID, Fingerprint: member.Public().Fingerprint(), Permission: 1},
		{Kind: RecipientUser, ID: v.OwnerID, Fingerprint: owner.Public().Fingerprint(), Permission: 3},
		{Kind: RecipientGroup, ID: v.GroupID, Fingerprint: groupFP, Permission: 2},
		{Kind: RecipientUser, ID: "ffffffff-0000-4000-8000-000000000001", Fingerprint: seq(HashSize, 0xe0), Permission: 2},
	}
	v.Recipients2 = SortRecipients(v.Recipients1[:3])
	v.RecipientsHash = must(RecipientsHash(v.Recipients1))
	v.MetaNonce = seq(nonceSize, 0x50)
	v.Meta = must(sealWithNonce(v.VaultKey1, v.MetaNonce, []byte(`{"name":"Servers"}`), MetaAD("coffer/v1/vault-meta", 1, v.OrgID, v.VaultID)))
	r1, r2 := leaveRecords(&v)
	v.Record1Msg, v.Record1Sig = r1.Msg(), must(SignEpochRecord(owner, r1))
	v.Record1Hash = EpochRecordHash(r1, v.Record1Sig)
	r2.PrevHash = v.Record1Hash
	v.Record2Msg, v.Record2Sig = r2.Msg(), must(SignEpochRecord(member, r2))
	v.Record2Hash = EpochRecordHash(r2, v.Record2Sig)
	v.Meta2AD = MetaAD("coffer/v1/vault-meta", 2, v.OrgID, v.VaultID)
	v.Meta2 = must(sealWithNonce(v.VaultKey2, v.MetaNonce, []byte(`{"name":"Servers (new)"}`), v.Meta2AD))
	offer := TransferOffer{OrgID: v.OrgID, RosterVersion: 7, OldOwnerID: v.OwnerID, NewOwnerID: v.MemberID, NewOwnerFingerprint: member.Public().Fingerprint(),
		RecordHeads: TransferHeads([]RecordHead{{ObjectID: v.VaultID, Version: 2, Hash: v.Record2Hash}})}
	v.OfferMsg, v.OfferSig = offer.msg(), must(owner.SignTransferOffer(offer))
	v.OfferHeads = offer.RecordHeads
	v.Statement = AuditStatement(v.OrgID, "vault-create", v.OwnerID, 1_790_000_000_000, []byte(`{"vault":"`+v.VaultID+`"}`))
	v.StatementSig = owner.Sign(v.Statement)
	e1, e2 := leaveEntries(&v)
	v.Entry1Hash, v.Entry2Hash = AuditEntryHash(e1), AuditEntryHash(e2)
	return &v
}

func TestLeaveVectors(t *testing.T) {
	got := generateLeave(t)
	have, _ := json.MarshalIndent(got, "", "  ")
	if *update {
		if err := os.WriteFile(leaveVectorsPath, append(have, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	data, err := os.ReadFile(leaveVectorsPath)
	if err != nil {
		t.Fatal(err)
	}
	var v leaveVectors
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	want, _ := json.MarshalIndent(&v, "", "  ")
	if !bytes.Equal(want, have) {
		t.Fatalf("leave vectors differ from %s (run with -update only if the format deliberately changed)\n%s", leaveVectorsPath, firstDiff(want, have))
	}
	owner := mustID(t, seq(seedSize, 0x01), seq(seedSize, 0x61))
	member := mustID(t, seq(seedSize, 0x11), seq(seedSize, 0x71))
	r1, r2 := leaveRecords(&v)
	r2.PrevHash = v.Record1Hash
	if err := VerifyEpochRecord(owner.Public(), r1, v.Record1Sig); err != nil {
		t.Fatalf("record 1: %v", err)
	}
	if err := VerifyEpochRecord(member.Public(), r2, v.Record2Sig); err != nil {
		t.Fatalf("record 2: %v", err)
	}
	if VerifyEpochRecord(owner.Public(), r2, v.Record2Sig) == nil {
		t.Fatal("record 2 verifies for a signer who did not sign it")
	}
	// Every field is bound: a record moved to another kind, object or
	// epoch, or naming other recipients or another name, fails.
	for name, edit := range map[string]func(*EpochRecord){
		"kind":       func(r *EpochRecord) { r.Kind = RecordGroupVault },
		"object":     func(r *EpochRecord) { r.ObjectID = v.GroupID },
		"epoch":      func(r *EpochRecord) { r.Epoch = 3 },
		"recipients": func(r *EpochRecord) { r.RecipientsHash = v.RecipientsHash },
		"meta":       func(r *EpochRecord) { r.MetaHash = MetaHash(v.Meta2) },
		"prev":       func(r *EpochRecord) { r.PrevHash = v.Record2Hash },
	} {
		r := r2
		edit(&r)
		if VerifyEpochRecord(member.Public(), r, v.Record2Sig) == nil {
			t.Errorf("record 2 with another %s verifies", name)
		}
	}
	// Malformed records are refused before any signature: version 1 with a
	// previous hash, a later version without one, a name from the future.
	for name, edit := range map[string]func(*EpochRecord){
		"v1 with prev":     func(r *EpochRecord) { r.Version, r.PrevHash = 1, v.Record1Hash },
		"v2 without prev":  func(r *EpochRecord) { r.PrevHash = ZeroHash() },
		"meta from future": func(r *EpochRecord) { r.MetaEpoch = 3 },
		"bad kind":         func(r *EpochRecord) { r.Kind = "user" },
	} {
		r := r2
		edit(&r)
		if _, err := SignEpochRecord(member, r); !errors.Is(err, ErrTampered) {
			t.Errorf("%s: signed", name)
		}
	}
	if _, err := RecipientsHash(append(v.Recipients2, v.Recipients2[0])); !errors.Is(err, ErrTampered) {
		t.Fatal("a recipient listed twice hashes")
	}
	if pt, err := Open(v.VaultKey1, v.Meta, MetaAD("coffer/v1/vault-meta", 1, v.OrgID, v.VaultID)); err != nil || string(pt) != `{"name":"Servers"}` {
		t.Fatalf("meta 1: %q %v", pt, err)
	}
	if !bytes.Equal(MetaAD("coffer/v1/vault-meta", 1, v.OrgID, v.VaultID), Tuple("coffer/v1/vault-meta", []byte(v.OrgID), []byte(v.VaultID))) {
		t.Fatal("a name sealed at epoch 1 changed form")
	}
	if _, err := Open(v.VaultKey2, v.Meta2, MetaAD("coffer/v1/vault-meta", 1, v.OrgID, v.VaultID)); err == nil {
		t.Fatal("a name sealed at epoch 2 opens as epoch 1's")
	}
	offer := TransferOffer{OrgID: v.OrgID, RosterVersion: 7, OldOwnerID: v.OwnerID, NewOwnerID: v.MemberID, NewOwnerFingerprint: member.Public().Fingerprint(),
		RecordHeads: TransferHeads([]RecordHead{{ObjectID: v.VaultID, Version: 2, Hash: v.Record2Hash}})}
	if err := VerifyTransferOffer(owner.Public(), offer, v.OfferSig); err != nil {
		t.Fatalf("offer: %v", err)
	}
	if !bytes.Equal(offer.RecordHeads, v.OfferHeads) || !bytes.Equal(offer.msg(), v.OfferMsg) {
		t.Fatal("the offer's record heads or message changed form")
	}
	if !bytes.Equal(TransferHeads([]RecordHead{{ObjectID: "b", Version: 1, Hash: v.Record1Hash}, {ObjectID: "a", Version: 2, Hash: v.Record2Hash}}),
		TransferHeads([]RecordHead{{ObjectID: "a", Version: 2, Hash: v.Record2Hash}, {ObjectID: "b", Version: 1, Hash: v.Record1Hash}})) {
		t.Fatal("the heads' hash depends on their order")
	}
	stale := offer
	stale.RecordHeads = TransferHeads([]RecordHead{{ObjectID: v.VaultID, Version: 1, Hash: v.Record1Hash}})
	if VerifyTransferOffer(owner.Public(), stale, v.OfferSig) == nil {
		t.Fatal("an offer verifies over other record heads")
	}
	other := offer
	other.NewOwnerFingerprint = owner.Public().Fingerprint()
	if VerifyTransferOffer(owner.Public(), other, v.OfferSig) == nil || VerifyTransferOffer(member.Public(), offer, v.OfferSig) == nil {
		t.Fatal("an offer verifies for other keys or another signer")
	}
	if err := Verify(owner.Public(), v.Statement, v.StatementSig); err != nil {
		t.Fatalf("statement: %v", err)
	}
	e1, e2 := leaveEntries(&v)
	e2.Action = "remove"
	if bytes.Equal(AuditEntryHash(e2), v.Entry2Hash) || !bytes.Equal(e2.PrevHash, v.Entry1Hash) {
		t.Fatal("an edited entry keeps its hash")
	}
	e1.Seq = 2
	if bytes.Equal(AuditEntryHash(e1), v.Entry1Hash) {
		t.Fatal("a reordered entry keeps its hash")
	}
}
