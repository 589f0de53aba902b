// Package cachetest is an in-memory client.CacheStore for tests, with
// access to the bytes it holds so that tests can damage them.
package cachetest

import (
	"fmt"
	"io"
	"maps"
	"sync"
)

// Store keeps a device cache in memory. Its zero value is empty.
type Store struct {
	mu    sync.Mutex
	state []byte
	files map[string][]byte
}

func (s *Store) ReadState() ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return clone(s.state), nil
}

func (s *Store) WriteState(data []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.state = clone(data)
	return nil
}

func (s *Store) Size(file string) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.files[file]
	if !ok {
		return 0, fmt.Errorf("no record file %s", file)
	}
	return int64(len(f)), nil
}

func (s *Store) ReadAt(file string, p []byte, off int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.files[file]
	if off < 0 || off+int64(len(p)) > int64(len(f)) {
		return io.ErrUnexpectedEOF
	}
	copy(p, f[off:])
	return nil
}

func (s *Store) Append(file string, data []byte, create bool) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.files[file]
	if create == ok {
		return 0, fmt.Errorf("record file %s: create %v, exists %v", file, create, ok)
	}
	if s.files == nil {
		s.files = map[string][]byte{}
	}
	s.files[file] = append(f, data...)
	return int64(len(f)), nil
}

func (s *Store) Remove(file string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.files, file)
	return nil
}

func (s *Store) Clear() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.state, s.files = nil, nil
	return nil
}

// Copy returns an independent copy of the store (a backup of the files).
func (s *Store) Copy() *Store {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := &Store{state: clone(s.state), files: map[string][]byte{}}
	for k, v := range s.files {
		c.files[k] = clone(v)
	}
	return c
}

// Edit changes the sealed state in place (fn gets the bytes).
func (s *Store) Edit(fn func(state []byte) []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.state = fn(s.state)
}

// EditRecords changes every record file in place.
func (s *Store) EditRecords(fn func(file []byte) []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, v := range maps.Clone(s.files) {
		s.files[k] = fn(v)
	}
}

// Empty reports whether the store holds nothing.
func (s *Store) Empty() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state == nil && len(s.files) == 0
}

func clone(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append([]byte(nil), b...)
}

// Written reports whether a state was ever written.
func (s *Store) Written() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state != nil
}
