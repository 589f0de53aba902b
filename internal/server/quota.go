package server

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/store"
)

// Storage quotas and the expiry of unattached uploads (issue 13, finding
// 11). Announced file sizes count when announced, so nobody can reserve
// more than the quota; unattached uploads are also capped in number and
// bytes and expire.

const (
	// sweepEvery is how often each instance deletes expired uploads.
	sweepEvery = 10 * time.Minute
	// sweepGrace keeps an expired upload this much longer: a write that
	// checked the file just before it expired still finds it.
	sweepGrace = time.Hour
)

// quota returns the limits for an upload or write happening now.
func (s *Server) quota() store.Quota {
	q := store.Quota{MaxBytes: s.cfg.QuotaBytes, MaxPendingFiles: s.cfg.MaxPendingUploads, MaxPendingBytes: s.cfg.MaxPendingBytes}
	if s.cfg.UploadExpiry > 0 {
		q.ExpiredBefore = s.now().Add(-s.cfg.UploadExpiry)
	}
	return q
}

// expired reports whether an upload that no item links has expired.
func (s *Server) expired(f store.File) bool {
	return s.cfg.UploadExpiry > 0 && f.CreatedAt.Before(s.now().Add(-s.cfg.UploadExpiry))
}

// checkRevisionQuota refuses a write of revisions that count cost bytes
// (store.RevisionCost each) when it would take the caller over quota.
// Unlike uploads this check is not atomic with the write: concurrent
// writes can overshoot by at most one write each.
func (s *Server) checkRevisionQuota(r *http.Request, cost int64) error {
	if s.cfg.QuotaBytes <= 0 {
		return nil
	}
	used, err := s.store.UsageBytes(r.Context(), s.userID(r))
	if err != nil {
		return err
	}
	return s.quota().Check(store.Usage{Bytes: used}, cost, false)
}

// quotaError turns a store quota error into the answer: 507 with a
// message that says which limit, the numbers, and what to do.
func (s *Server) quotaError(e *store.QuotaError) *httpError {
	var msg string
	switch e.Limit {
	case "pending files":
		msg = fmt.Sprintf("you have %d uploads not attached to any item; at most %d may be pending per account; attach them to items or wait until they expire (%s after upload)",
			e.Usage.PendingFiles, e.Quota.MaxPendingFiles, s.cfg.UploadExpiry)
	case "pending bytes":
		msg = fmt.Sprintf("your uploads not attached to any item already announce %s; at most %s may be pending per account; attach them to items or wait until they expire (%s after upload)",
			sizeText(e.Usage.PendingBytes), sizeText(e.Quota.MaxPendingBytes), s.cfg.UploadExpiry)
	default:
		msg = fmt.Sprintf("your account stores %s of the %s it may store; purge items from the trash or ask the server's operator for a larger quota",
			sizeText(e.Usage.Bytes), sizeText(e.Quota.MaxBytes))
	}
	return &httpError{http.StatusInsufficientStorage, api.CodeQuotaExceeded, msg + "; nothing was written", 0}
}

func sizeText(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%d bytes (%.1f GiB)", n, float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%d bytes (%.1f MiB)", n, float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d bytes", n)
}

// startSweeper deletes expired uploads a minute after start and then
// every sweepEvery, until Close.
func (s *Server) startSweeper() {
	go func() {
		// The first sweep a minute after start, so that an instance that
		// restarts often still sweeps.
		t := time.NewTimer(time.Minute)
		defer t.Stop()
		for {
			select {
			case <-s.base.Done():
				return
			case <-t.C:
				s.SweepUploads(s.base)
				s.PruneEvents(s.base)
				s.PruneCounters(s.base)
				t.Reset(sweepEvery)
			}
		}
	}()
}

// PruneEvents deletes the events no live stream replays any more: a
// stream further than maxReplaySpan × LiveBacklog changes behind resyncs
// without reading them (live.go); twice that is kept. Several instances
// may run it at the same time.
func (s *Server) PruneEvents(ctx context.Context) (int64, error) {
	_, latest, err := s.store.EventsAfter(ctx, 0, 0) // the newest sequence number alone
	if err != nil {
		s.log.Error("pruning events", "err", err)
		return 0, err
	}
	n, err := s.store.PruneEvents(ctx, latest-int64(2*maxReplaySpan*s.cfg.LiveBacklog))
	switch {
	case err != nil:
		s.log.Error("pruning events", "err", err)
	case n > 0:
		s.log.Info("old events pruned", "events", n)
	}
	return n, err
}

// SweepUploads deletes the uploads that no item links and that expired
// (UploadExpiry, plus an hour's grace) by the server's clock, with their
// chunks, and returns how many. The server runs it a minute after start
// and then every ten minutes;
// several instances on one database may run it at the same time.
func (s *Server) SweepUploads(ctx context.Context) (int, error) {
	if s.cfg.UploadExpiry <= 0 {
		return 0, nil
	}
	n, err := s.store.DeleteExpiredUploads(ctx, s.now().Add(-s.cfg.UploadExpiry-sweepGrace))
	switch {
	case err != nil:
		s.log.Error("sweeping expired uploads", "err", err)
	case n > 0:
		s.log.Info("expired uploads deleted", "files", n)
	}
	return n, err
}
