package bridge

import (
	"context"

	"github.com/coffer-pm/coffer/internal/api"
)

// Two-factor log-in (docs/protocol.md §8.1): server authentication only.

func (c *Core) twoFactorStatus() (api.TwoFactorStatus, error) {
	s, err := c.Session()
	if err != nil {
		return api.TwoFactorStatus{}, err
	}
	return s.TwoFactorStatus(context.Background())
}

// twoFactorStart proves the master password afresh and returns the new
// secret, its otpauth URI and the URI's QR modules (the page draws them:
// its CSP allows no data: images).
func (c *Core) twoFactorStart(password string) (api.TwoFactorStart, error) {
	s, err := c.Session()
	if err != nil {
		return api.TwoFactorStart{}, err
	}
	return s.StartTwoFactor(context.Background(), []byte(password))
}

// twoFactorConfirm turns two-factor log-in on and returns the recovery
// codes, the only time they are shown.
func (c *Core) twoFactorConfirm(code string) (api.TwoFactorEnabled, error) {
	s, err := c.Session()
	if err != nil {
		return api.TwoFactorEnabled{}, err
	}
	codes, err := s.ConfirmTwoFactor(context.Background(), code)
	return api.TwoFactorEnabled{RecoveryCodes: codes}, err
}
