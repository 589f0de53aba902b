package bridge

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/client/view"
	"github.com/coffer-pm/coffer/internal/crypto"
	"github.com/coffer-pm/coffer/internal/passgen"
)

// Generated is a password or passphrase from the CLI's generator.
type Generated struct {
	_     [0]func() // not comparable: no equality function in core.wasm (docs/performance.md)
	Value string    `json:"value"`
	Bits  int       `json:"bits,omitempty"` // a passphrase's entropy
}

// generate(options) makes a password or passphrase with the CLI's
// generator: {"length", "no_upper", "no_digits", "no_symbols"} or
// {"words", "separator"} (bounds: rules()).
func generate(raw string) (Generated, error) {
	var o struct {
		Length    int    `json:"length"`
		NoUpper   bool   `json:"no_upper"`
		NoDigits  bool   `json:"no_digits"`
		NoSymbols bool   `json:"no_symbols"`
		Words     int    `json:"words"`
		Separator string `json:"separator"`
	}
	if err := json.Unmarshal([]byte(raw), &o); err != nil {
		return Generated{}, errors.New("bad generator options")
	}
	if o.Words > 0 {
		p, err := passgen.Passphrase(o.Words, o.Separator)
		return Generated{Value: p, Bits: int(passgen.PassphraseBits(o.Words))}, err
	}
	p, err := passgen.Password(passgen.Options{Length: o.Length, NoUpper: o.NoUpper, NoDigits: o.NoDigits, NoSymbols: o.NoSymbols})
	return Generated{Value: p}, err
}

// KDF are Argon2id parameters as the page reads and sends them.
type KDF struct {
	Time    uint32 `json:"time"`
	Memory  uint32 `json:"memory_kib"`
	Threads uint8  `json:"threads"`
}

// Account is the account's own details.
type Account struct {
	_           [0]func() // not comparable: no equality function in core.wasm (docs/performance.md)
	Email       string    `json:"email"`
	Name        string    `json:"name"`
	Fingerprint string    `json:"fingerprint"`
	KDF         KDF       `json:"kdf"`
}

func (c *Core) account() (Account, error) {
	s, err := c.Session()
	if err != nil {
		return Account{}, err
	}
	p := s.Profile
	return Account{Email: p.Email, Name: p.Name, Fingerprint: p.Fingerprint(), KDF: KDF{p.KDF.Time, p.KDF.Memory, p.KDF.Threads}}, nil
}

// exportPolicy(): what this account may export (view.MyExportPolicy),
// asked of the server each time: an administrator or an owner may have
// changed it since.
func (c *Core) exportPolicy() (view.MyExportPolicy, error) {
	s, err := c.Session()
	if err != nil {
		return view.MyExportPolicy{}, err
	}
	return view.MyExportPolicyOf(context.Background(), s)
}

// Revoked is how many other sessions a password change, or signing out
// the other devices, signed out.
type Revoked struct {
	Sessions int `json:"revoked_sessions"`
}

// password(current, next, "revoke") changes the master password (§17.1).
func (c *Core) password(current, next, revoke string) (Revoked, error) {
	s, err := c.Session()
	if err != nil {
		return Revoked{}, err
	}
	n, err := s.ChangePassword(context.Background(), []byte(current), []byte(next), client.PasswordOptions{RevokeOtherSessions: revoke == "revoke"})
	if err != nil {
		return Revoked{}, err
	}
	c.saveProfile(s.Profile)
	return Revoked{n}, nil
}

// kdfArgs reads Argon2id parameters {"time", "memory_kib", "threads"};
// zero fields keep the default (or current) value.
func kdfArgs(raw string) (crypto.KDFParams, error) {
	var p KDF
	if raw != "" {
		if err := json.Unmarshal([]byte(raw), &p); err != nil {
			return crypto.KDFParams{}, errors.New("bad Argon2id parameters")
		}
	}
	return crypto.KDFParams{Algorithm: crypto.KDFAlgorithm, Time: p.Time, Memory: p.Memory, Threads: p.Threads}, nil
}

// Millis is how long something took.
type Millis struct {
	MS int64 `json:"ms"`
}

// kdfTime([params]) times one Argon2id derivation here, with the given
// parameters (within the allowed range) or the defaults — for the page's
// "Time it" and the benchmark (docs/performance.md).
func kdfTime(raw string) (Millis, error) {
	p, err := kdfArgs(raw)
	if err != nil {
		return Millis{}, err
	}
	d := crypto.DefaultKDFParams()
	if p.Time != 0 {
		d.Time = p.Time
	}
	if p.Memory != 0 {
		d.Memory = p.Memory
	}
	if p.Threads != 0 {
		d.Threads = p.Threads
	}
	if err := d.Check(); err != nil {
		return Millis{}, fmt.Errorf("Argon2id parameters must be within t %d–%d, m %d–%d KiB, p %d–%d",
			crypto.MinTime, crypto.MaxTime, crypto.MinMemory, crypto.MaxMemory, crypto.MinThreads, crypto.MaxThreads)
	}
	start := time.Now()
	if _, err := crypto.DeriveMasterKeys([]byte("benchmark password"), "bench@example.com", d); err != nil {
		return Millis{}, err
	}
	return Millis{time.Since(start).Milliseconds()}, nil
}

// kdf(password, params) raises the account's Argon2id parameters (the
// master password stays; protocol §17.1) and returns the account.
func (c *Core) kdf(password, raw string) (Account, error) {
	s, err := c.Session()
	if err != nil {
		return Account{}, err
	}
	p, err := kdfArgs(raw)
	if err != nil {
		return Account{}, err
	}
	pw := []byte(password)
	if _, err := s.ChangePassword(context.Background(), pw, pw, client.PasswordOptions{KDF: p}); err != nil {
		return Account{}, err
	}
	c.saveProfile(s.Profile)
	return c.account()
}

// devices are the account's signed-in devices (view.Devices: named by
// the Go core, this one first).
func (c *Core) devices() ([]view.Device, error) {
	s, err := c.Session()
	if err != nil {
		return nil, err
	}
	list, err := s.Sessions(context.Background())
	if err != nil {
		return nil, err
	}
	return view.Devices(list, time.Now()), nil
}

// signOutOthers ends every other device's session ("sign out all other
// devices").
func (c *Core) signOutOthers() (Revoked, error) {
	s, err := c.Session()
	if err != nil {
		return Revoked{}, err
	}
	n, err := s.RevokeOtherSessions(context.Background())
	return Revoked{Sessions: n}, err
}

// RecoveryOrg is an organisation that offers account recovery.
type RecoveryOrg struct {
	_        [0]func() // not comparable: no equality function in core.wasm (docs/performance.md)
	ID       string    `json:"id"`
	Name     string    `json:"name"`
	Owner    string    `json:"owner"`
	Enrolled bool      `json:"enrolled"`
}

// Recovery is where account recovery is offered and the account's
// recovery requests (protocol §17.2).
type Recovery struct {
	Orgs     []RecoveryOrg                `json:"orgs"`
	Requests []client.RecoveryRequestInfo `json:"requests"`
}

// recovery lists the organisations offering account recovery (each key
// checked against the owner's pinned keys) and the account's recovery
// requests.
func (c *Core) recovery() (Recovery, error) {
	s, err := c.Session()
	if err != nil {
		return Recovery{}, err
	}
	orgs, reqs, err := s.AccountRecovery(context.Background())
	if err != nil {
		return Recovery{}, err
	}
	out := Recovery{Orgs: []RecoveryOrg{}, Requests: append([]client.RecoveryRequestInfo{}, reqs...)}
	for _, o := range orgs {
		out.Orgs = append(out.Orgs, RecoveryOrg{ID: o.Org.ID, Name: o.Org.Name, Owner: o.OwnerEmail, Enrolled: o.Enrolled})
	}
	return out, nil
}

// notices is the account's every notice, acknowledged or not, newest
// first: its recovery history, for the account screen.
func (c *Core) notices() ([]client.Notice, error) {
	s, err := c.Session()
	if err != nil {
		return nil, err
	}
	list, err := s.Notices(context.Background())
	return append([]client.Notice{}, list...), err
}

// RulesInfo are the client core's rules and its error kinds, for a page that
// shows limits and picks words by kind.
type RulesInfo struct {
	client.Rules
	ErrorKinds []client.KindInfo `json:"error_kinds"`
}

func rules() (RulesInfo, error) {
	return RulesInfo{client.CurrentRules(), client.ErrorKinds()}, nil
}

func checkPassword(pw string) (view.PasswordCheck, error) {
	return view.CheckMasterPassword([]byte(pw)), nil
}

func checkAddresses(text string) (view.Addresses, error) { return view.CheckAddresses(text), nil }

// Email is a checked e-mail address.
type Email struct {
	Email string `json:"email"`
}

// checkEmail normalizes one address, or fails with kind bad-email.
func checkEmail(raw string) (Email, error) {
	e, err := client.NormalizeEmail(raw)
	return Email{e}, err
}

// Shown is a text made Displayable.
type Shown struct {
	Text string `json:"text"`
}

// display makes text someone else chose inert for showing
// (client.Displayable, at most rules().display_name_max characters).
func display(text string) (Shown, error) {
	return Shown{client.Displayable(text, client.MaxDisplayName)}, nil
}
