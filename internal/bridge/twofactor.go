package bridge

import (
	"context"
	"encoding/json"

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

// Security keys (docs/protocol.md §8.2): the options come from the server
// through the core as they are, and the browser's answers go back as they
// are; the page only calls navigator.credentials.

// securityKeyBegin proves the master password afresh and returns the
// creation options for navigator.credentials.create.
func (c *Core) securityKeyBegin(password string) (api.SecurityKeyBegin, error) {
	s, err := c.Session()
	if err != nil {
		return api.SecurityKeyBegin{}, err
	}
	return s.BeginSecurityKey(context.Background(), []byte(password))
}

// securityKeyFinish registers the credential the browser created
// (PublicKeyCredential.toJSON()) under name; the first second factor
// brings the recovery codes.
func (c *Core) securityKeyFinish(name, credential string) (api.SecurityKeyAdded, error) {
	s, err := c.Session()
	if err != nil {
		return api.SecurityKeyAdded{}, err
	}
	return s.FinishSecurityKey(context.Background(), name, json.RawMessage(credential))
}

// twoFactorRecoveryCodes replaces the recovery codes (the master password
// proved afresh) and returns the new ones, the only time they are shown.
func (c *Core) twoFactorRecoveryCodes(password string) (api.TwoFactorEnabled, error) {
	s, err := c.Session()
	if err != nil {
		return api.TwoFactorEnabled{}, err
	}
	codes, err := s.NewRecoveryCodes(context.Background(), []byte(password))
	return api.TwoFactorEnabled{RecoveryCodes: codes}, err
}
