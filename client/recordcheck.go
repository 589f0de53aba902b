package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/crypto"
)

// Readers verify epoch records (docs/protocol.md §18.1): per object, the
// whole chain — versions from 1, each signature by a roster member and
// the signer rule of its kind, prev_hash, the kind fixed at version 1, and
// no version below what this device saw. Then every key opened must match
// its epoch's commitment, a name its newest record's meta_hash, and the
// epoch the server says is current the newest record's.

// chain is an object's verified records.
type chain struct {
	kind       string
	latest     crypto.EpochRecord
	hash       []byte
	recipients []crypto.RecordRecipient // of latest
	creator    string                   // signer of version 1
	commits    map[uint64][]byte        // epoch → key commitment
	// ownerRank is the latest owner (o.ownerRank) who signed a record of
	// the chain: after a transfer, once the new owner has signed, an
	// earlier owner's signature no longer counts as the owner's (§18.5).
	ownerRank int
	err       error // the chain failed: the object is quarantined

	// Trust (security finding 25.13). A record whose signer may sign it
	// now (a current member, by the rule of its kind, groups as they are
	// now) is trusted and vouches, through prev_hash, for every version
	// before it. One whose signer could sign it only as they were — a
	// former member, a group member since removed — is history: valid,
	// but vouched for only by a later trusted record. A key first
	// committed by an unvouched record may have been chosen by someone
	// who no longer holds it: nobody writes under it, its manager rotates
	// it (writableEpochLocked, owedHereLocked).
	vouched    uint64            // newest trusted version
	introduced map[uint64]uint64 // epoch → version that first committed its key
	ever       map[string]bool   // user holders of any version (groups' "as they were")
	writers    map[string]bool   // kind:id of every holder with edit or more in any version
}

// errRecordsAhead: an object's state in the sync answer is older than its
// records, read after the answer — a change landed between the two reads.
// The sync is tried once more; then it is tampering.
var errRecordsAhead = errors.New("epoch records are ahead of the sync answer")

// errRecordsGap: an object's new records do not start right after the
// version this session holds (some were made while it could not see the
// object); the organisation's records are read whole on the retry.
var errRecordsGap = errors.New("epoch records with a gap")

// fetchRecords reads the organisation's records stored since what this
// session verified (with whole, all of them).
func (s *Session) fetchRecords(ctx context.Context, orgID string, whole bool) (api.Records, error) {
	s.mu.Lock()
	after := s.recordCursor[orgID]
	if s.recordsWhole[orgID] {
		whole = true
		delete(s.recordsWhole, orgID)
	}
	s.mu.Unlock()
	if whole {
		after = 0
	}
	// The server answers a page at a time; the pages are verified as one
	// answer (an object's records may span pages).
	var all api.Records
	for {
		var resp api.Records
		if err := s.t.do(ctx, "GET", "/orgs/"+url.PathEscape(orgID)+"/records?after="+strconv.FormatInt(after, 10), nil, &resp); err != nil {
			return all, err
		}
		all.Records = append(all.Records, resp.Records...)
		all.Latest = max(all.Latest, resp.Latest)
		if !resp.More || resp.Latest <= after {
			return all, nil
		}
		after = resp.Latest
	}
}

// applyRecordsLocked verifies an organisation's new records, the
// organisation's own first, then its groups' (vault rules ask who is in a
// group), then its vaults'. A chain that fails marks its object; the
// organisation's own failing is the organisation's failure. The caller
// holds s.mu and has verified the roster (o's members and former members).
func (s *Session) applyRecordsLocked(o *Org, recs api.Records) error {
	if s.chains == nil {
		s.chains, s.recordCursor, s.recordSeen = map[string]*chain{}, map[string]int64{}, map[string]uint64{}
	}
	byObject := map[string][]api.EpochRecord{}
	var order []string
	for _, r := range recs.Records {
		if r.OrgID != o.ID {
			return tampered("records of organisation %s: a record of another organisation", o.ID)
		}
		if _, ok := byObject[r.ObjectID]; !ok {
			order = append(order, r.ObjectID)
		}
		byObject[r.ObjectID] = append(byObject[r.ObjectID], r)
	}
	rank := func(id string) int {
		switch byObject[id][0].Kind {
		case crypto.RecordOrg:
			return 0
		case crypto.RecordGroup, crypto.RecordPrivateGroup:
			return 1
		}
		return 2
	}
	sort.SliceStable(order, func(i, j int) bool { return rank(order[i]) < rank(order[j]) })
	for _, id := range order {
		err := s.extendChainLocked(o, id, byObject[id])
		if errors.Is(err, errRecordsGap) {
			if s.recordsWhole == nil {
				s.recordsWhole = map[string]bool{}
			}
			s.recordsWhole[o.ID] = true
			s.recordsAhead = true
			return errRecordsAhead
		}
		if err != nil {
			c := s.chains[id]
			if c == nil {
				c = &chain{}
				s.chains[id] = c
			}
			c.err = err
			if id == o.ID {
				return err
			}
		}
	}
	if c := s.chains[o.ID]; c == nil || c.err != nil {
		return tampered("organisation %s has no signed epoch record", o.ID)
	}
	s.recordCursor[o.ID] = max(s.recordCursor[o.ID], recs.Latest)
	return nil
}

// extendChainLocked verifies recs (one object's, in version order) on top
// of what the session holds of its chain.
func (s *Session) extendChainLocked(o *Org, id string, recs []api.EpochRecord) error {
	c := s.chains[id]
	if c != nil && c.err != nil {
		return c.err
	}
	for _, ar := range recs {
		r, err := ar.Signed()
		if err != nil {
			return tampered("epoch record %d of %s", ar.Version, id)
		}
		prev := c
		if c == nil {
			if r.Version != 1 {
				return tampered("epoch records of %s start at version %d", id, r.Version)
			}
			c = &chain{kind: r.Kind, creator: r.SignerID, commits: map[uint64][]byte{}, ownerRank: -1,
				introduced: map[uint64]uint64{}, ever: map[string]bool{}, writers: map[string]bool{}}
		} else if r.Version <= c.latest.Version {
			continue // seen (a full fetch after the cursor)
		} else if r.Version > c.latest.Version+1 && !s.recordsStrict {
			// Versions this session never saw: made while the object was
			// hidden from this account (a revoke, then a grant again).
			// The organisation's records are read whole, once.
			return errRecordsGap
		} else if r.Version != c.latest.Version+1 || !bytes.Equal(r.PrevHash, c.hash) || r.Kind != c.kind {
			return tampered("epoch record %d of %s does not follow version %d", r.Version, id, c.latest.Version)
		}
		signer, ok := s.signerKeys(o.ID, r.SignerID)
		if !ok || crypto.VerifyEpochRecord(signer.Keys, r, ar.Sig) != nil {
			return tampered("epoch record %d of %s: not signed by a member of the organisation", r.Version, id)
		}
		recips := ar.CryptoRecipients()
		trusted, err := s.signerMayLocked(o, prev, r, recips)
		if err != nil {
			return err
		}
		if have, ok := c.commits[r.Epoch]; ok && !bytes.Equal(have, r.KeyCommit) {
			return tampered("epoch record %d of %s changes the key of epoch %d", r.Version, id, r.Epoch)
		}
		if _, ok := c.commits[r.Epoch]; !ok {
			c.introduced[r.Epoch] = r.Version
		}
		c.commits[r.Epoch] = r.KeyCommit
		if trusted {
			c.vouched = r.Version
		}
		for _, h := range recips {
			if h.Kind == crypto.RecipientUser {
				c.ever[h.ID] = true
			}
			if h.Permission >= 2 {
				c.writers[h.Kind+":"+h.ID] = true
			}
		}
		c.ownerRank = max(c.ownerRank, o.ownerRank(r.SignerID))
		c.latest, c.hash, c.recipients = r, crypto.EpochRecordHash(r, ar.Sig), recips
	}
	if c == nil {
		return nil
	}
	if c.latest.Version < s.recordSeen[id] {
		return tampered("epoch records of %s rolled back to version %d (this device saw %d)", id, c.latest.Version, s.recordSeen[id])
	}
	if c.latest.Version != s.recordSeen[id] {
		s.cacheChangedLocked()
	}
	s.recordSeen[id] = c.latest.Version
	s.chains[id] = c
	return nil
}

// signerMayLocked is the signer rule of §18.1's table: who may sign the
// next version of an object (c is nil for version 1). trusted: the signer
// may sign it now; else they could as they were (history, vouched for by
// a later trusted record — see chain.vouched); else it is tampering.
func (s *Session) signerMayLocked(o *Org, c *chain, r crypto.EpochRecord, recips []crypto.RecordRecipient) (trusted bool, err error) {
	why := s.signerRuleLocked(o, c, r, recips, true)
	if why == "" {
		return true, nil
	}
	if s.signerRuleLocked(o, c, r, recips, false) == "" {
		return false, nil
	}
	return false, tampered("epoch record %d of %s %s: %s", r.Version, r.Kind, r.ObjectID, why)
}

// signerRuleLocked says why r's signer may not sign it ("" if they may):
// now, as a current member with groups as they are now; or else as they
// were, former members and a group's earlier members counted.
func (s *Session) signerRuleLocked(o *Org, c *chain, r crypto.EpochRecord, recips []crypto.RecordRecipient, now bool) string {
	if _, current := s.members[o.ID][r.SignerID]; now && !current {
		return "signed by someone who is no longer a member"
	}
	// The owner's rules take the owner at that record: the current owner,
	// or one before them (an ownership transfer, §18.5) as long as no later
	// owner signed a record of the chain before it.
	rank := o.ownerRank(r.SignerID)
	owner := rank >= 0 && (c == nil || rank >= c.ownerRank)
	if c == nil {
		switch r.Kind {
		case crypto.RecordOrg, crypto.RecordGroup, crypto.RecordVault:
			if !owner {
				return "only the owner creates it"
			}
		case crypto.RecordPrivateGroup, crypto.RecordGroupVault:
			if !holds(recips, r.SignerID, 0) {
				return "its creator is not among its holders"
			}
		}
		return ""
	}
	if c.kind != crypto.RecordOrg && c.rotationOnly(r, recips) && s.heldPreviousLocked(c, r.SignerID, now) {
		return "" // the next key holder completing a pending rotation
	}
	switch r.Kind {
	case crypto.RecordOrg, crypto.RecordGroup:
		if owner {
			return ""
		}
	case crypto.RecordPrivateGroup:
		if r.SignerID == c.creator {
			return ""
		}
		if owner && subset(recips, c.recipients) && bytes.Equal(r.MetaHash, c.latest.MetaHash) {
			return "" // the owner who took the group over removes members
		}
	case crypto.RecordVault, crypto.RecordGroupVault:
		if owner && r.Kind == crypto.RecordVault {
			return ""
		}
		if s.managesLocked(c.recipients, r.SignerID, now) {
			return ""
		}
	}
	return "signed by someone who may not change it"
}

// rotationOnly: a record that moves to the next epoch, keeps the name and
// adds nobody (a group recipient's fingerprint may move to its new keys).
func (c *chain) rotationOnly(r crypto.EpochRecord, recips []crypto.RecordRecipient) bool {
	return r.Epoch == c.latest.Epoch+1 && r.MetaEpoch == c.latest.MetaEpoch && bytes.Equal(r.MetaHash, c.latest.MetaHash) && subset(recips, c.recipients)
}

// subset: every recipient of a is in b with the same kind, id and
// permission (a user's fingerprint the same; a group's may change). A map
// of b: records list up to thousands of members.
func subset(a, b []crypto.RecordRecipient) bool {
	in := make(map[string]crypto.RecordRecipient, len(b))
	for _, y := range b {
		in[y.Kind+":"+y.ID] = y
	}
	for _, x := range a {
		y, ok := in[x.Kind+":"+x.ID]
		if !ok || x.Permission != y.Permission || (x.Kind != crypto.RecipientGroup && !bytes.Equal(x.Fingerprint, y.Fingerprint)) {
			return false
		}
	}
	return true
}

// holds: userID is a user recipient with at least perm.
func holds(rs []crypto.RecordRecipient, userID string, perm uint8) bool {
	for _, r := range rs {
		if r.Kind == crypto.RecipientUser && r.ID == userID && r.Permission >= perm {
			return true
		}
	}
	return false
}

// heldPreviousLocked: userID held the previous version's key — a user
// recipient, or a member of a group recipient (now: as that group's newest
// verified record says; else as any of its records did). (An
// organisation's key is the owner's to rotate.)
func (s *Session) heldPreviousLocked(c *chain, userID string, now bool) bool {
	for _, r := range c.recipients {
		if r.Kind == crypto.RecipientUser && r.ID == userID {
			return true
		}
		if r.Kind == crypto.RecipientGroup && s.groupHasLocked(r.ID, userID, now) {
			return true
		}
	}
	return false
}

// managesLocked: userID has manage on a vault whose latest record lists rs,
// directly or through a group (now, or as it was).
func (s *Session) managesLocked(rs []crypto.RecordRecipient, userID string, now bool) bool {
	for _, r := range rs {
		if r.Permission < 3 {
			continue
		}
		if (r.Kind == crypto.RecipientUser && r.ID == userID) || (r.Kind == crypto.RecipientGroup && s.groupHasLocked(r.ID, userID, now)) {
			return true
		}
	}
	return false
}

func (s *Session) groupHasLocked(groupID, userID string, now bool) bool {
	g := s.chains[groupID]
	return g != nil && g.err == nil && (holds(g.recipients, userID, 0) || (!now && g.ever[userID]))
}

// mayHaveWrittenLocked: authorID held edit (or manage) on the vault in
// some record of its chain — directly, or as a member, then or since, of
// a group that did (§14.6). Revisions and manifests signed by anyone else
// are refused: a view-only member colluding with the server cannot write.
// (A vault with no verified chain is refused by its own checks.)
func (s *Session) mayHaveWrittenLocked(vaultID, authorID string) bool {
	c := s.chains[vaultID]
	if c == nil || c.err != nil || c.writers["user:"+authorID] {
		return true
	}
	for k := range c.writers {
		if id, ok := strings.CutPrefix(k, crypto.RecipientGroup+":"); ok && s.groupHasLocked(id, authorID, false) {
			return true
		}
	}
	return false
}

// writableEpochLocked refuses writing under an object's epoch whose key
// was first committed by a record nobody who may sign it now has vouched
// for (finding 25.13): a former holder colluding with the server may have
// chosen it. Its manager's next sync rotates it (owedHereLocked).
func (s *Session) writableEpochLocked(objectID string, epoch uint64) error {
	c := s.chains[objectID]
	if c == nil || c.err != nil {
		return nil // the object's own checks refuse it
	}
	if v, ok := c.introduced[epoch]; ok && v > c.vouched {
		return fmt.Errorf("%w: the current key of this vault or group was made by someone who no longer holds it; it waits for a new key from its manager (their next sync makes one)", ErrNotAllowed)
	}
	return nil
}

// owedHereLocked: the object owes a rotation by what this device verified,
// whatever the server's list says — its current key was introduced by an
// unvouched record, or its newest record still names as a holder someone
// who is no longer a member (a removal the server did not mark).
func (s *Session) owedHereLocked(orgID, objectID string) bool {
	c := s.chains[objectID]
	if c == nil || c.err != nil || c.kind == crypto.RecordOrg {
		return false
	}
	if s.writableEpochLocked(objectID, c.latest.Epoch) != nil {
		return true
	}
	for _, r := range c.recipients {
		if _, current := s.members[orgID][r.ID]; r.Kind == crypto.RecipientUser && !current {
			return true
		}
	}
	return false
}

// checkKeyLocked: key is epoch's key as the object's records commit to it.
func (s *Session) checkKeyLocked(objectID string, epoch uint64, commit []byte) error {
	c := s.chains[objectID]
	switch {
	case c == nil:
		return tampered("%s has no signed epoch record", objectID)
	case c.err != nil:
		return c.err
	case c.commits[epoch] == nil:
		return tampered("%s: epoch %d has no signed record", objectID, epoch)
	case !bytes.Equal(c.commits[epoch], commit):
		return tampered("%s: the key of epoch %d is not the one its record names", objectID, epoch)
	}
	return nil
}

// checkStateLocked: the server's current epoch and sealed name are the
// newest record's. A difference may be a change that landed between the
// answer and the records read after it: errRecordsAhead, once.
func (s *Session) checkStateLocked(objectID string, epoch uint64, meta []byte) error {
	c := s.chains[objectID]
	if c != nil && c.err == nil && !s.recordsStrict && (c.latest.Epoch != epoch || !bytes.Equal(crypto.MetaHash(meta), c.latest.MetaHash)) {
		s.recordsAhead = true
		return errRecordsAhead
	}
	switch {
	case c == nil:
		return tampered("%s has no signed epoch record", objectID)
	case c.err != nil:
		return c.err
	case c.latest.Epoch != epoch:
		return tampered("%s: the server says epoch %d, its newest signed record %d", objectID, epoch, c.latest.Epoch)
	case !bytes.Equal(crypto.MetaHash(meta), c.latest.MetaHash):
		return tampered("%s: its name is not the one its newest signed record names", objectID)
	}
	return nil
}
