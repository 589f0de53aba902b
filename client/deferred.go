package client

import (
	"context"
	"fmt"
)

// Deferred signature checks (docs/protocol.md §16.7).
//
// A full sync of a session with Options.DeferSignatures checks every item
// against its vault's signed manifest (the server cannot change a byte of
// it) and decrypts it, and leaves the revision's own signature — which
// settles who, among the vault's writers, wrote it — to CheckDeferred. An
// item's signature is checked before anything but its summary leaves the
// session (openCachedLocked), before a manifest is signed over it
// (nextManifest, a repair), and before the device cache is written.

// CheckDeferred checks up to max of the signatures a full sync left to
// check and returns how many are left. When one fails, it syncs again in
// full, checking every signature inline, so that the item's vault is
// quarantined as any tampering is; the sync's error is returned.
func (s *Session) CheckDeferred(ctx context.Context, max int) (left int, err error) {
	s.op.Lock()
	defer s.op.Unlock()
	s.mu.Lock()
	var failed error
	for n := 0; n < max && len(s.deferred) > 0; n++ {
		it := s.deferred[0]
		if it.check != nil && s.items[it.ID] == it {
			if failed = s.settleLocked(it); failed != nil {
				break // stays queued (and pending) until a sync replaces it
			}
		}
		s.deferred = s.deferred[1:]
	}
	left = s.deferredLeftLocked()
	s.mu.Unlock()
	if failed == nil {
		return left, nil
	}
	if err := s.syncLocked(ctx); err != nil {
		return s.DeferredLeft(), err
	}
	return s.DeferredLeft(), failed // an answer that now verifies: the failure stands reported
}

// DeferredLeft is how many signatures are left to check.
func (s *Session) DeferredLeft() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.deferredLeftLocked()
}

// deferredLeftLocked drops the queue's stale entries and counts the rest.
func (s *Session) deferredLeftLocked() int {
	live := s.deferred[:0]
	for _, it := range s.deferred {
		if it.check != nil && s.items[it.ID] == it {
			live = append(live, it)
		}
	}
	clear(s.deferred[len(live):])
	s.deferred = live
	return len(live)
}

// uncheckedLocked reports whether any item held has a signature left to
// check, or a check failed and the full sync that settles it is still
// due. It looks at the items themselves, not at the queue.
func (s *Session) uncheckedLocked() bool {
	if s.fullCheck {
		return true
	}
	for _, it := range s.items {
		if it.check != nil {
			return true
		}
	}
	return false
}

// settleLocked checks the signatures left on items. The first that fails
// is ErrTampered, and makes the next sync a full one that checks inline.
func (s *Session) settleLocked(items ...*Item) error {
	for _, it := range items {
		if it.check == nil {
			continue
		}
		if err := it.check.Verify(it.check.author); err != nil {
			s.fullCheck = true
			return tampered("revision %d of item %s: its signature", it.check.revision, it.ID)
		}
		it.check = nil
	}
	return nil
}

// settleVaultLocked checks the signatures left in one vault, before a
// manifest is signed over its items. It refuses while a failed check
// waits for its full sync.
func (s *Session) settleVaultLocked(vaultID string) error {
	if s.fullCheck {
		return tampered("vault %s: a revision signature failed its check; sync again", vaultID)
	}
	for _, it := range s.items {
		if it.VaultID == vaultID && it.check != nil {
			if err := s.settleLocked(it); err != nil {
				return fmt.Errorf("vault %s: %w", vaultID, err)
			}
		}
	}
	return nil
}
