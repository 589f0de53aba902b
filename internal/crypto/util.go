package crypto

import "crypto/subtle"

// equalBytes compares in constant time; used for keys and MACs.
func equalBytes(a, b []byte) bool { return subtle.ConstantTimeCompare(a, b) == 1 }

// Equal reports whether a and b are equal, in constant time.
func Equal(a, b []byte) bool { return equalBytes(a, b) }
