package server_test

import "testing"

// BenchmarkLoginFloodManyNetworks is BenchmarkLoginFlood with the
// per-network share out of the way, as if the 200 logins came from 200
// networks: only the global bound (HashSlots running, HashQueue waiting)
// holds them.
//
//	go test ./internal/server -run XXX -bench LoginFlood -benchtime 5x
func BenchmarkLoginFloodManyNetworks(b *testing.B) {
	cfg := floodConfig()
	cfg.HashPerNetwork = 1 << 20
	benchLoginFlood(b, cfg, 200)
}
