package cli

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/coffer-pm/coffer/client"
)

const (
	profileFile = "profile.json"
	sessionFile = "session.json"
	marksFile   = "marks.json" // high-water marks: ids and numbers, no secrets
	deviceFile  = "device-id"  // the device id (client.NewDeviceID): no secret
)

// dir returns the profile directory: --config, COFFER_CONFIG_DIR, or the
// user's configuration directory.
func (a *app) dir() (string, error) {
	if a.configDir != "" {
		return a.configDir, nil
	}
	if d := os.Getenv("COFFER_CONFIG_DIR"); d != "" {
		return d, nil
	}
	base, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("no configuration directory; set COFFER_CONFIG_DIR: %w", err)
	}
	return filepath.Join(base, "coffer"), nil
}

func (a *app) serverURL(fallback string) string {
	switch {
	case a.server != "":
		return a.server
	case os.Getenv("COFFER_SERVER") != "":
		return os.Getenv("COFFER_SERVER")
	}
	return fallback
}

// writeFileAtomic writes data with mode 0600 via a temporary file and a
// rename, so a crash never leaves a half-written profile.
func writeFileAtomic(path string, data []byte) error {
	return writeFile(path, data, true)
}

// writeFile is writeFileAtomic, with the data synced to disk before the
// rename only when durable is true: the device cache skips it (after a
// power cut a cache may be lost, which costs a full sync and nothing else)
// and saves a disk flush on every command that changes something.
func writeFile(path string, data []byte, durable bool) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if durable {
		if err := tmp.Sync(); err != nil {
			tmp.Close()
			return err
		}
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func (a *app) saveJSON(name string, v any) error {
	d, err := a.dir()
	if err != nil {
		return err
	}
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(d, name), data)
}

func (a *app) loadJSON(name string, v any) error {
	d, err := a.dir()
	if err != nil {
		return err
	}
	data, err := os.ReadFile(filepath.Join(d, name))
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%s in %s is damaged: %w", name, d, err)
	}
	return nil
}

func (a *app) removeFile(name string) error {
	d, err := a.dir()
	if err != nil {
		return err
	}
	err = os.Remove(filepath.Join(d, name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

var errNotLoggedIn = withCode(ExitAuth, errors.New("not logged in; run coffer login (or coffer signup) first"))

func (a *app) loadProfile() (*client.Profile, error) {
	var p client.Profile
	if err := a.loadJSON(profileFile, &p); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, errNotLoggedIn
		}
		return nil, err
	}
	return &p, nil
}

// saveSession stores the profile and a fresh local session, and returns the
// session key for COFFER_SESSION.
func (a *app) saveSession(s *client.Session) (string, error) {
	key, ls, err := s.ExportLocal()
	if err != nil {
		return "", err
	}
	if old, err := a.loadProfile(); err != nil || old.UserID != s.Profile.UserID {
		// Another account on this device: its cache is of no use here.
		if store, err := a.cacheStore(); err == nil {
			if err := store.Clear(); err != nil {
				return "", err
			}
		}
	}
	if err := a.saveJSON(profileFile, s.Profile); err != nil {
		return "", err
	}
	// Other shells' sessions of this device stay open (issue 15): the
	// new one is added, the oldest dropped past maxLocalSessions; lock
	// ends them all.
	sessions := a.localSessions()
	if len(sessions) >= maxLocalSessions {
		sessions = sessions[len(sessions)-maxLocalSessions+1:]
	}
	if err := a.saveJSON(sessionFile, localSessions{Sessions: append(sessions, ls)}); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(key), nil
}

var errLocked = withCode(ExitAuth, errors.New("vault is locked; run: eval $(coffer unlock) — or set COFFER_SESSION"))

// unlocked opens the local session with the session key from --session or
// COFFER_SESSION and syncs it.
func (a *app) unlocked() (*client.Session, error) {
	p, err := a.loadProfile()
	if err != nil {
		return nil, err
	}
	keyText := a.sessionKey
	if keyText == "" {
		keyText = os.Getenv("COFFER_SESSION")
	}
	if _, err := os.Stat(a.path(sessionFile)); errors.Is(err, fs.ErrNotExist) {
		return nil, errLocked
	}
	sessions := a.localSessions()
	if keyText == "" || len(sessions) == 0 {
		return nil, errLocked
	}
	key, err := base64.RawURLEncoding.DecodeString(keyText)
	if err != nil || len(key) != 32 {
		return nil, withCode(ExitAuth, errors.New("COFFER_SESSION is not a session key printed by coffer unlock"))
	}
	if override := a.serverURL(""); override != "" {
		p.Server = override // for this invocation; login saves it
	}
	// The key opens one of the device's sessions (the newest first).
	var s *client.Session
	for i := len(sessions) - 1; i >= 0; i-- {
		if s, err = p.ResumeLocal(key, sessions[i], a.clientOptions()); err == nil {
			return s, nil
		}
	}
	return nil, withCode(ExitAuth, err)
}

// maxLocalSessions bounds the sessions one device keeps open at once
// (shells, scripts): the oldest is dropped when another is opened.
const maxLocalSessions = 32

// localSessions is session.json: the device's open local sessions, each
// the account key sealed under its own session key.
type localSessions struct {
	Sessions []client.LocalSession `json:"sessions"`
}

// localSessions reads the device's open sessions; a file of the format
// before several sessions (one session) is read as that one.
func (a *app) localSessions() []client.LocalSession {
	var list localSessions
	if err := a.loadJSON(sessionFile, &list); err == nil && list.Sessions != nil {
		return list.Sessions
	}
	var one client.LocalSession
	if err := a.loadJSON(sessionFile, &one); err == nil && one.ID != "" {
		return []client.LocalSession{one}
	}
	return nil
}

// path is a file's path in the profile directory ("" when there is none).
func (a *app) path(name string) string {
	d, err := a.dir()
	if err != nil {
		return ""
	}
	return filepath.Join(d, name)
}
