package crypto

import (
	"bytes"
	"encoding/binary"
	"testing"
)

// TestCacheRefusesEveryChange: a sealed device cache opens only as it was
// written, for the account it was written for: every flipped bit, every
// cut, another account's key or id, and a generation edited in the clear
// header are ErrTampered, never a crash or a wrong payload.
func TestCacheRefusesEveryChange(t *testing.T) {
	ak := NewKey()
	key := DeviceCacheKey(ak, "user-a")
	payload := []byte(`{"cursor":9,"items":["…"]}`)
	sealed, err := SealCache(key, "user-a", 12, payload)
	if err != nil {
		t.Fatal(err)
	}
	if gen, pt, err := OpenCache(key, "user-a", bytes.Clone(sealed)); err != nil || gen != 12 || !bytes.Equal(pt, payload) {
		t.Fatalf("OpenCache = %d, %q, %v", gen, pt, err)
	}
	if gen, err := CacheGeneration(sealed); err != nil || gen != 12 {
		t.Fatalf("CacheGeneration = %d, %v", gen, err)
	}
	for i := range len(sealed) * 8 {
		c := bytes.Clone(sealed)
		c[i/8] ^= 1 << (i % 8)
		if _, _, err := OpenCache(key, "user-a", c); err != ErrTampered {
			t.Fatalf("bit %d flipped: %v", i, err)
		}
	}
	for n := range len(sealed) {
		if _, _, err := OpenCache(key, "user-a", bytes.Clone(sealed[:n])); err != ErrTampered {
			t.Fatalf("cut to %d bytes: %v", n, err)
		}
	}
	if _, _, err := OpenCache(key, "user-a", append(bytes.Clone(sealed), 0)); err != ErrTampered {
		t.Fatalf("a byte appended: %v", err)
	}
	if _, _, err := OpenCache(DeviceCacheKey(NewKey(), "user-a"), "user-a", bytes.Clone(sealed)); err != ErrTampered {
		t.Fatalf("another account key: %v", err)
	}
	if _, _, err := OpenCache(DeviceCacheKey(ak, "user-b"), "user-b", bytes.Clone(sealed)); err != ErrTampered {
		t.Fatalf("another account's cache: %v", err)
	}
	// An older generation cannot be passed off as a newer one (or back).
	c := bytes.Clone(sealed)
	binary.BigEndian.PutUint64(c[len(cacheMagic):], 13)
	if _, _, err := OpenCache(key, "user-a", c); err != ErrTampered {
		t.Fatalf("generation edited: %v", err)
	}
	if bytes.Equal(DeviceCacheKey(ak, "user-a"), DeviceCacheKey(ak, "user-b")) || bytes.Equal(DeviceCacheKey(ak, "user-a"), ak) {
		t.Fatal("cache keys are not separated per account, or equal the account key")
	}
}

// FuzzOpenCache: whatever a cache file holds, opening it is the payload it
// was sealed with or ErrTampered.
func FuzzOpenCache(f *testing.F) {
	v := fuzzVectors(f)
	dc := v.DeviceCache
	f.Add([]byte(dc.Sealed))
	f.Add([]byte(cacheMagic))
	f.Fuzz(func(t *testing.T, data []byte) {
		gen, pt, err := OpenCache(dc.Key, dc.UserID, bytes.Clone(data))
		switch {
		case err == nil && (gen != dc.Generation || string(pt) != dc.Payload):
			t.Fatalf("a changed cache opened: %d %q", gen, pt)
		case err != nil && err != ErrTampered:
			t.Fatalf("error class %v", err)
		}
	})
}
