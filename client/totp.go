package client

import (
	"encoding/base32"
	"errors"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// ErrBadTOTP reports a TOTP secret that is neither an otpauth:// URI nor
// base32. The message never echoes the secret.
var ErrBadTOTP = errors.New("the TOTP secret is neither an otpauth://totp/ URI nor a base32 key")

// TOTPCode returns the RFC 6238 code of secret (an otpauth://totp/ URI or a
// base32 key) at time t, and how long it stays valid.
func TOTPCode(secret string, t time.Time) (string, time.Duration, error) {
	opts := totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}
	key := strings.TrimSpace(secret)
	if strings.HasPrefix(strings.ToLower(key), "otpauth://") {
		k, err := otp.NewKeyFromURL(key)
		if err != nil || k.Type() != "totp" {
			return "", 0, ErrBadTOTP
		}
		key = k.Secret()
		if p := k.Period(); p > 0 {
			opts.Period = uint(p)
		}
		opts.Digits, opts.Algorithm = k.Digits(), k.Algorithm()
	}
	key = strings.ToUpper(strings.NewReplacer(" ", "", "-", "").Replace(key))
	if _, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.TrimRight(key, "=")); err != nil || key == "" {
		return "", 0, ErrBadTOTP
	}
	code, err := totp.GenerateCodeCustom(key, t, opts)
	if err != nil {
		return "", 0, ErrBadTOTP
	}
	period := int64(opts.Period)
	left := time.Duration(period-t.Unix()%period) * time.Second
	return code, left, nil
}
