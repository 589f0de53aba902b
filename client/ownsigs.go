package client

import "sync"

// ownRevisions remembers the hashes of the revisions this session sealed
// and signed (docs/protocol.md §16.8). A revision hash covers the signed
// message — header, author, key commitment, blob — and the signature, so
// a revision opened later whose hash is one of these is, byte for byte,
// one this session signed: its signature is valid without checking it
// again. Every write comes back twice — in the server's answer and in the
// live stream — and the Ed25519 checks of both were half an import's time
// in a browser. A hash not remembered (another device's write, this
// device's after a restart, or after the bound below) is checked as
// always.
type ownRevisions struct {
	mu     sync.Mutex
	hashes map[string]struct{}
}

// ownRevisionsMax bounds what a long session remembers: past it the memo
// starts again (a forgotten revision only costs its signature check).
const ownRevisionsMax = 100_000

func (o *ownRevisions) add(hash []byte) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.hashes == nil || len(o.hashes) >= ownRevisionsMax {
		o.hashes = map[string]struct{}{}
	}
	o.hashes[string(hash)] = struct{}{}
}

func (o *ownRevisions) has(hash []byte) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	_, ok := o.hashes[string(hash)]
	return ok
}
