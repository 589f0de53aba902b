package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/store"
)

func (s *Server) sync(w http.ResponseWriter, r *http.Request) error {
	var since int64
	if q := r.URL.Query().Get("since"); q != "" {
		n, err := strconv.ParseInt(q, 10, 64)
		if err != nil || n < 0 {
			return errBadRequest("since must be a non-negative integer cursor")
		}
		since = n
	}
	me := s.userID(r)
	leave, err := s.syncs.enter(me)
	if err != nil {
		return limited(r, err, "syncs_per_account")
	}
	defer leave()
	orgs, err := s.orgsOf(r.Context(), me)
	if err != nil {
		return err
	}
	groups, wraps, err := s.store.GroupsForUser(r.Context(), me)
	if err != nil {
		return err
	}
	vaults, err := s.vaultsOf(r)
	if err != nil {
		return err
	}
	var restore *api.RestoreMark
	if m, err := s.store.LastRestore(r.Context()); err != nil {
		return err
	} else if m.Generation > 0 {
		restore = &api.RestoreMark{Generation: m.Generation, RestoredAt: m.RestoredAt.UnixMilli(), StateAt: m.StateAt.UnixMilli()}
		if m.StateAt.IsZero() {
			restore.StateAt = 0
		}
	}
	// Vaults are read before the items and manifests: a vault listed here
	// was committed with its first manifest, so the later snapshot has it.
	//
	// The answer is streamed: everything but the items first, then the
	// items a page at a time as the store reads them (one snapshot), so
	// that a client can verify them as they arrive. The pages go through a
	// spool to a second goroutine that sends them: the snapshot (a pooled
	// connection) is held only as long as the database takes, never while
	// the client reads. The spool keeps a little in memory and the rest on
	// disk, so memory stays bounded whatever the vault's size.
	free, err := s.syncs.slot(r.Context())
	if err != nil {
		return err
	}
	sp := newSpool(s.cfg.SyncSpoolDir, s.cfg.SyncSpoolMemory)
	defer sp.release()
	sent := make(chan error, 1)
	started, first := false, true
	size := 0 // bytes of the answer, for coffer_sync_response_bytes
	err = s.store.ChangesEach(r.Context(), me, since, func(h store.ChangesHead) error {
		byVault := map[string]store.Manifest{}
		for _, m := range h.Manifests {
			byVault[m.VaultID] = m
		}
		for i := range vaults {
			if m, ok := byVault[vaults[i].ID]; ok {
				vaults[i].Manifest = manifestToAPI(m)
			}
		}
		head := api.Sync{Cursor: h.Cursor, Purged: h.Purged, Orgs: orgs, Groups: make([]api.Group, 0, len(groups)), Vaults: vaults, Restore: restore, Items: []api.Item{}}
		for _, g := range groups {
			ag := groupToAPI(g, wraps)
			if g.Epoch > 1 {
				// Earlier epochs' keys open the vault keys wrapped to them.
				hist, err := s.store.GroupKeyHistory(r.Context(), g.ID)
				if err != nil {
					return err
				}
				for _, k := range hist {
					ag.History = append(ag.History, api.GroupEpochKeys{Epoch: k.Epoch, SignPub: k.SignPub, KEMPub: k.KEMPub, KeysSig: k.KeysSig, SignerID: k.SignerID})
				}
			}
			head.Groups = append(head.Groups, ag)
		}
		data, err := json.Marshal(head)
		if err != nil {
			return err
		}
		// {"cursor":…,"vaults":[…],"items":[] → open the items array.
		if !bytes.HasSuffix(data, []byte(`"items":[]}`)) {
			return errors.New("sync: the answer's head does not end with its items")
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusOK)
		started = true
		go func() { sent <- s.sendSpool(w, sp) }()
		n, err := sp.Write(data[:len(data)-2])
		size += n
		return err
	}, func(page []store.ItemState) error {
		n := 0
		for _, st := range page {
			n += len(st.HeadJSON) + 400 + 200*len(st.KeyWraps) // the head's bytes and room for the rest
		}
		buf := make([]byte, 0, n)
		for _, st := range page {
			if !first {
				buf = append(buf, ',')
			}
			var err error
			if buf, err = appendSyncItem(buf, st); err != nil {
				return err
			}
			first = false
		}
		n, err := sp.Write(buf)
		size += n
		return err
	})
	free()
	if err == nil && started {
		var n int
		n, err = sp.Write([]byte("]}\n"))
		size += n
	}
	sp.Close(err)
	if !started {
		return err
	}
	if sendErr := <-sent; err != nil || sendErr != nil {
		// The status is sent: cut the answer short, so that the client
		// sees a broken answer, never a shorter valid one.
		if err != nil && !errors.Is(err, errReaderGone) {
			s.log.ErrorContext(r.Context(), "sync answer cut short", "err", err)
		}
		panic(http.ErrAbortHandler)
	}
	s.metrics.syncBytes.Observe(float64(size))
	return nil
}

// sendSpool sends a sync's spooled answer to the client. A client that
// takes nothing for SyncSendTimeout is cut off: it would hold its spool
// and a goroutine for as long as it likes.
func (s *Server) sendSpool(w http.ResponseWriter, sp *spool) error {
	rc := http.NewResponseController(w)
	// The connection may serve further requests: it gets its deadline back.
	defer rc.SetWriteDeadline(time.Time{})
	err := sp.drain(func(b []byte) error {
		if s.cfg.SyncSendTimeout > 0 {
			if err := rc.SetWriteDeadline(time.Now().Add(s.cfg.SyncSendTimeout)); err != nil && !errors.Is(err, http.ErrNotSupported) {
				return err
			}
		}
		_, err := w.Write(b)
		return err
	})
	if err == nil {
		err = rc.Flush()
		if errors.Is(err, http.ErrNotSupported) {
			err = nil
		}
	}
	return err
}
