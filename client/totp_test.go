package client_test

import (
	"encoding/base32"
	"strings"
	"testing"
	"time"

	"github.com/coffer-pm/coffer/client"
)

// TestTOTPRFC6238 checks the RFC 6238 appendix B vectors (SHA-1, SHA-256,
// SHA-512 with their 20/32/64-byte seeds, 8 digits, 30-second steps).
func TestTOTPRFC6238(t *testing.T) {
	seeds := map[string]string{
		"SHA1":   "12345678901234567890",
		"SHA256": "12345678901234567890123456789012",
		"SHA512": "1234567890123456789012345678901234567890123456789012345678901234",
	}
	vectors := []struct {
		unix int64
		want map[string]string
	}{
		{59, map[string]string{"SHA1": "94287082", "SHA256": "46119246", "SHA512": "90693936"}},
		{1111111109, map[string]string{"SHA1": "07081804", "SHA256": "68084774", "SHA512": "25091201"}},
		{1111111111, map[string]string{"SHA1": "14050471", "SHA256": "67062674", "SHA512": "99943326"}},
		{1234567890, map[string]string{"SHA1": "89005924", "SHA256": "91819424", "SHA512": "93441116"}},
		{2000000000, map[string]string{"SHA1": "69279037", "SHA256": "90698825", "SHA512": "38618901"}},
		{20000000000, map[string]string{"SHA1": "65353130", "SHA256": "77737706", "SHA512": "47863826"}},
	}
	for _, v := range vectors {
		for alg, seed := range seeds {
			secret := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString([]byte(seed))
			uri := "otpauth://totp/Example:alice@example.com?secret=" + secret + "&algorithm=" + alg + "&digits=8&period=30"
			got, _, err := client.TOTPCode(uri, time.Unix(v.unix, 0))
			if err != nil || got != v.want[alg] {
				t.Errorf("T=%d %s: %q, %v; want %s", v.unix, alg, got, err, v.want[alg])
			}
		}
	}
	// A bare base32 key: 6 digits, SHA-1, 30 s (the last 6 digits of the SHA-1 vector).
	secret := base32.StdEncoding.EncodeToString([]byte(seeds["SHA1"]))
	if got, left, err := client.TOTPCode(strings.ToLower(secret), time.Unix(59, 0)); err != nil || got != "287082" || left != time.Second {
		t.Fatalf("base32 key: %q %v %v", got, left, err)
	}
	for _, bad := range []string{"", "not base32!", "otpauth://hotp/x?secret=GEZDGNBV&counter=1"} {
		if _, _, err := client.TOTPCode(bad, time.Now()); err == nil {
			t.Errorf("TOTPCode(%q) accepted", bad)
		}
	}
}
