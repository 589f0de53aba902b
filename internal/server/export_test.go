package server

// Test hooks for the external tests of this package.

// NetworkKey is networkKey, the key of the unauthenticated limits.
var NetworkKey = networkKey

// ObserveAuthHash wraps the server's slow hash (crypto.AuthHash) with f,
// which must call next; tests use it to count or hold hashes in flight.
// Call it before the server takes requests.
func ObserveAuthHash(s *Server, f func(next func(authKey, salt []byte) []byte, authKey, salt []byte) []byte) {
	next := s.hash
	s.hash = func(authKey, salt []byte) []byte { return f(next, authKey, salt) }
}

// HashGateState returns how many hashes run and how many requests wait.
func HashGateState(s *Server) (running, waiting int) {
	s.hashes.mu.Lock()
	defer s.hashes.mu.Unlock()
	return s.hashes.running, len(s.hashes.queue)
}
