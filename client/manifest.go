package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/crypto"
)

// Vault manifests (docs/protocol.md §7.5): every vault's items are listed
// in a manifest signed by the last writer. After each sync the client
// checks each vault's manifest against the items it holds, so a server
// that hides, adds, duplicates or rolls back an item, or flips its trash
// state, is caught; every write signs the vault's next manifest.

// errManifestMismatch marks a manifest that does not list the items held:
// after a delta sync the cache may be stale (an item left the client's
// view), so Sync retries once from scratch before calling it tampering.
var errManifestMismatch = errors.New("manifest mismatch")

// manifestWriteTries bounds the retries of a write whose manifest lost a
// race with another writer to the same vault; each retry waits a little
// longer, with jitter, so that racing writers spread out.
const manifestWriteTries = 10

func toCryptoManifest(orgID string, m api.Manifest) crypto.Manifest {
	return crypto.Manifest{OrgID: orgID, VaultID: m.VaultID, Version: m.Version, Count: m.Count, ItemsHash: m.ItemsHash,
		SignerID: m.SignerID, Time: uint64(m.Time)}
}

// signManifest signs version of a vault's manifest over entries as the
// account signerID (also before a session exists: at sign-up).
func signManifest(id *crypto.Identity, signerID, orgID, vaultID string, version uint64, entries []crypto.ManifestEntry, now int64) (api.Manifest, crypto.Manifest, error) {
	m, err := crypto.NewManifest(orgID, vaultID, version, entries, signerID, uint64(now))
	if err != nil {
		return api.Manifest{}, crypto.Manifest{}, err
	}
	sig, err := crypto.SignManifest(id, m)
	if err != nil {
		return api.Manifest{}, crypto.Manifest{}, err
	}
	return api.Manifest{VaultID: vaultID, Version: version, Count: m.Count, ItemsHash: m.ItemsHash, SignerID: signerID, Time: now, Sig: sig}, m, nil
}

// firstManifest signs version 1, no items, of a vault being created.
func firstManifest(id *crypto.Identity, userID, orgID, vaultID string, now int64) (api.Manifest, error) {
	a, _, err := signManifest(id, userID, orgID, vaultID, 1, nil, now)
	return a, err
}

// manifestEntry is the item as its vault's manifest lists it.
func (it *Item) manifestEntry() crypto.ManifestEntry {
	return crypto.ManifestEntry{ItemID: it.ID, Head: it.Revision, HeadHash: it.hash, Trashed: it.Trashed}
}

// entriesLocked lists the manifest entries of the items held for a vault.
// The caller holds s.mu.
func (s *Session) entriesLocked(vaultID string) map[string]crypto.ManifestEntry {
	s.materializeLocked()
	out := map[string]crypto.ManifestEntry{}
	for _, it := range s.items {
		if it.VaultID == vaultID {
			out[it.ID] = it.manifestEntry()
		}
	}
	return out
}

func entryList(m map[string]crypto.ManifestEntry) []crypto.ManifestEntry {
	out := make([]crypto.ManifestEntry, 0, len(m))
	for _, e := range m {
		out = append(out, e)
	}
	return out
}

// pendingManifest is a signed next manifest, recorded as the vault's
// current one once the server has accepted the write that carries it.
type pendingManifest struct {
	api api.Manifest
	m   crypto.Manifest
}

// nextManifest signs the next manifest of vault v: the items held for it
// with change applied (add, replace or delete entries).
func (s *Session) nextManifest(v *Vault, change func(map[string]crypto.ManifestEntry)) (pendingManifest, error) {
	s.mu.Lock()
	cur, ok := s.manifests[v.ID]
	if err := s.settleVaultLocked(v.ID); err != nil {
		s.mu.Unlock()
		return pendingManifest{}, err
	}
	entries := s.entriesLocked(v.ID)
	s.mu.Unlock()
	if !ok {
		return pendingManifest{}, fmt.Errorf("vault %s has not been synced yet", v.ID)
	}
	change(entries)
	a, m, err := signManifest(s.id, s.Profile.UserID, v.OrgID, v.ID, cur.Version+1, entryList(entries), s.opt.now().UnixMilli())
	return pendingManifest{a, m}, err
}

// recordManifests makes accepted manifests the vaults' current ones.
func (s *Session) recordManifests(ms ...pendingManifest) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range ms {
		if p.m.Version > s.manifests[p.m.VaultID].Version {
			s.cacheChangedLocked()
			s.manifests[p.m.VaultID] = p.m
			// Signed over exactly the items held now: what the next sync
			// serves for the vault, if nobody else writes, matches them
			// without hashing the vault again.
			s.matched[p.m.VaultID] = p.api
			s.manifestSeen[p.m.VaultID] = max(s.manifestSeen[p.m.VaultID], p.m.Version)
		}
	}
}

// isManifestConflict: the server refused a write because another writer
// moved the vault's manifest on first, or a rotation gave the vault a new
// key epoch (§18.1: writes go under the newest; a sync brings its key).
func isManifestConflict(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && (ae.Code == api.CodeManifestConflict || ae.Code == api.CodeEpochConflict)
}

// retryOnManifestConflict runs write; when another writer to the same
// vault won the race for the manifest version, it syncs (verifying the
// newer manifest) and runs write again. Item conflicts are not retried:
// they are the user's to resolve. The caller holds s.op.
func (s *Session) retryOnManifestConflict(ctx context.Context, write func() error) error {
	var err error
	for try := range manifestWriteTries {
		if err = write(); !isManifestConflict(err) {
			return err
		}
		wait := time.Duration(try*10+rand.IntN(20)) * time.Millisecond
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		if serr := s.syncLocked(ctx); serr != nil && !IsQuarantine(serr) {
			return serr
		}
	}
	return fmt.Errorf("the vault kept changing while writing (%d tries): %w", manifestWriteTries, err)
}

// checkVaultManifest verifies a synced vault's manifest signature and
// version mark; the items are matched later (matchManifestsLocked). The
// caller holds s.mu and has opened the vault into s.vaults.
func (s *Session) checkVaultManifestLocked(av api.Vault) (crypto.Manifest, error) {
	v := s.vaults[av.ID]
	if av.Manifest == nil {
		return crypto.Manifest{}, tampered("vault %s has no signed manifest", av.ID)
	}
	am := *av.Manifest
	if am.VaultID != av.ID || am.Time < 0 {
		return crypto.Manifest{}, tampered("manifest of vault %s", av.ID)
	}
	signer, err := s.authorKeys(v, am.SignerID)
	if err != nil {
		return crypto.Manifest{}, tampered("manifest of vault %s signed by an account that may not write there", av.ID)
	}
	m := toCryptoManifest(v.OrgID, am)
	if err := crypto.VerifyManifest(signer, m, am.Sig); err != nil {
		return crypto.Manifest{}, tampered("manifest of vault %s", av.ID)
	}
	if seen := s.manifestSeen[av.ID]; m.Version < seen {
		return crypto.Manifest{}, tampered("vault %s: the server served manifest version %d after %d (rollback)", av.ID, m.Version, seen)
	}
	return m, nil
}

// matchManifestsLocked checks every opened vault's items against its
// manifest and makes the matching ones the current manifests. After a
// delta (delta true) a mismatch is errManifestMismatch, for a retry from
// scratch; after a full answer it quarantines the vault (repairable: its
// items verified one by one). After a delta, a vault that the answer does
// not touch and whose served manifest is the one its items last matched
// needs no new match: nothing it lists has changed (§16.4).
func (s *Session) matchManifestsLocked(ms map[string]crypto.Manifest, served map[string]api.Vault, touched map[string]bool, delta bool) error {
	check := map[string]bool{}
	for id := range ms {
		if s.isQuarantinedLocked(id) {
			continue
		}
		if last, ok := s.matched[id]; delta && ok && !touched[id] && sameManifest(last, served[id].Manifest) {
			continue
		}
		check[id] = true
	}
	// One pass over the items, not one per vault.
	byVault := map[string][]crypto.ManifestEntry{}
	if len(check) > 0 {
		s.materializeLocked()
		for _, it := range s.items {
			if check[it.VaultID] {
				byVault[it.VaultID] = append(byVault[it.VaultID], it.manifestEntry())
			}
		}
	}
	good := map[string]crypto.Manifest{}
	matched := map[string]api.Manifest{}
	for id, m := range ms {
		if s.isQuarantinedLocked(id) {
			continue
		}
		if check[id] {
			if err := m.Matches(byVault[id]); err != nil {
				err := tampered("vault %s: the items served do not match its signed manifest version %d (an item was hidden, added, rolled back or its trash state changed)", id, m.Version)
				if delta {
					return fmt.Errorf("%w: %w", errManifestMismatch, err)
				}
				s.quarantineLocked(Quarantine{Kind: KindVault, ID: id, OrgID: m.OrgID, Name: s.knownName(KindVault, id), Reason: err.Error(),
					SignerID: m.SignerID, Signer: s.accountName(m.SignerID), SignerVerified: true, Repairable: true})
				continue
			}
		}
		good[id] = m
		matched[id] = *served[id].Manifest
	}
	s.manifests, s.matched = good, matched
	for id, m := range good {
		s.manifestSeen[id] = max(s.manifestSeen[id], m.Version)
	}
	// Which vault each verified item is in, for RepairVault: a repair must
	// not drop an item this device saw in the vault. Only the vaults
	// matched again change.
	if len(check) == 0 {
		return nil
	}
	s.cacheChangedLocked() // marks and matches may have moved
	for id, v := range s.itemVault {
		if check[v] {
			if _, ok := good[v]; ok {
				delete(s.itemVault, id)
				delete(s.itemTrashed, id)
			}
		}
	}
	for _, it := range s.items {
		if _, ok := good[it.VaultID]; ok && check[it.VaultID] {
			s.itemVault[it.ID] = it.VaultID
			if it.Trashed {
				s.itemTrashed[it.ID] = true
			}
		}
	}
	return nil
}

// sameManifest: b, as served now, is exactly a, as matched before.
func sameManifest(a api.Manifest, b *api.Manifest) bool {
	return b != nil && a.VaultID == b.VaultID && a.Version == b.Version && a.Count == b.Count && a.SignerID == b.SignerID &&
		a.Time == b.Time && bytes.Equal(a.ItemsHash, b.ItemsHash) && bytes.Equal(a.Sig, b.Sig)
}
