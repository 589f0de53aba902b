package server

import (
	"errors"
	"io"
	"os"
	"sync"
)

// spool is a pipe with one writer and one reader whose writer never waits
// for the reader: what the reader has not taken yet is held in memory up
// to memMax bytes, beyond that in a temporary file (removed when released).
//
// A sync writes its answer into a spool while it holds a database
// snapshot, and a second goroutine sends it to the client. A client that
// reads slowly, or not at all, therefore never holds a pooled connection:
// the snapshot ends as soon as the database side is done (issue 23: every
// connection held by a waiting sync stalled the whole server).
type spool struct {
	mu     sync.Mutex
	cond   *sync.Cond
	mem    [][]byte // chunks written before any spill, not read yet
	memLen int
	memMax int
	dir    string
	f      *os.File // once set, every later write goes to the file
	wOff   int64    // file bytes written
	rOff   int64    // file bytes read
	closed bool
	err    error // the writer's error, given at close
	gone   bool  // the reader stopped (the client went away)
}

// errReaderGone is what a write returns once the reader has stopped.
var errReaderGone = errors.New("the client stopped reading")

func newSpool(dir string, memMax int) *spool {
	s := &spool{dir: dir, memMax: memMax}
	s.cond = sync.NewCond(&s.mu)
	return s
}

// Write queues p; the caller must not change p afterwards.
func (s *spool) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gone {
		return 0, errReaderGone
	}
	if s.closed {
		return 0, errors.New("spool: write after close")
	}
	if s.f == nil && s.memLen+len(p) <= s.memMax {
		s.mem = append(s.mem, p)
		s.memLen += len(p)
		s.cond.Signal()
		return len(p), nil
	}
	if s.f == nil {
		f, err := os.CreateTemp(s.dir, "coffer-sync-*")
		if err != nil {
			return 0, err
		}
		// Unlinked at once where the system allows: the bytes go with the
		// descriptor, whatever happens to the process.
		os.Remove(f.Name())
		s.f = f
	}
	n, err := s.f.WriteAt(p, s.wOff)
	s.wOff += int64(n)
	s.cond.Signal()
	return n, err
}

// Close ends the writing; a non-nil err makes the reader stop at once and
// return it.
func (s *spool) Close(err error) {
	s.mu.Lock()
	s.closed, s.err = true, err
	s.cond.Signal()
	s.mu.Unlock()
}

// next waits for the next bytes to send: a memory chunk, or a stretch of
// the file read into buf. It returns io.EOF once everything written is
// taken, or the writer's error.
func (s *spool) next(buf []byte) ([]byte, error) {
	s.mu.Lock()
	for len(s.mem) == 0 && (s.f == nil || s.rOff == s.wOff) && !s.closed {
		s.cond.Wait()
	}
	if s.closed && s.err != nil {
		s.mu.Unlock()
		return nil, s.err
	}
	if len(s.mem) > 0 {
		chunk := s.mem[0]
		s.mem[0] = nil
		s.mem = s.mem[1:]
		s.memLen -= len(chunk)
		s.mu.Unlock()
		return chunk, nil
	}
	if s.f != nil && s.rOff < s.wOff {
		f, off, n := s.f, s.rOff, min(int64(len(buf)), s.wOff-s.rOff)
		s.mu.Unlock()
		// The writer only appends beyond wOff, so this stretch is stable.
		if _, err := f.ReadAt(buf[:n], off); err != nil {
			return nil, err
		}
		s.mu.Lock()
		s.rOff += n
		s.mu.Unlock()
		return buf[:n], nil
	}
	s.mu.Unlock()
	return nil, io.EOF
}

// drain sends everything written to send until the writer closes; it
// returns nil once all of it was sent, else the first error (the writer's,
// or send's — after which the writer's writes fail too).
func (s *spool) drain(send func([]byte) error) error {
	buf := make([]byte, 64<<10)
	for {
		chunk, err := s.next(buf)
		if err == io.EOF {
			return nil
		}
		if err == nil {
			err = send(chunk)
		}
		if err != nil {
			s.mu.Lock()
			s.gone = true
			s.mu.Unlock()
			return err
		}
	}
}

// release closes the temporary file, if any. Call it once both sides are
// done.
func (s *spool) release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.f != nil {
		name := s.f.Name()
		s.f.Close()
		os.Remove(name) // where the early unlink was not allowed
		s.f = nil
	}
}
