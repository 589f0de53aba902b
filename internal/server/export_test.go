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
	running, waiting, _ = s.hashes.state()
	return running, waiting
}

// HashGateChange is HashGateState with a channel that is closed at the
// gate's next change: tests wait for the state they expect on it.
func HashGateChange(s *Server) (running, waiting int, changed <-chan struct{}) {
	return s.hashes.state()
}

// LiveConnections returns how many live connections the server holds and
// a channel that is closed when that number next changes.
func LiveConnections(s *Server) (int, <-chan struct{}) { return s.hub.countAndChange() }

// ClientAddrOf is clientAddrOf, the rule that finds a request's client.
var ClientAddrOf = clientAddrOf

// DeviceQueueLen is how many log-ins wait for the new-device worker.
func (s *Server) DeviceQueueLen() int { return len(s.devices) }
