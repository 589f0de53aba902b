package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/coffer-pm/coffer/internal/store/sqlite"
)

// errDataLocked: another process holds the data lock.
var errDataLocked = errors.New("locked by another process")

// dataLock is the lock coffer serve holds on its SQLite database for as
// long as it runs (and coffer admin restore while it replaces the file):
// two servers on one SQLite file would each keep their own in-memory state
// (live updates, limits, caches) over a database they both write. The lock
// is the operating system's, on DATABASE.lock next to the database, so it
// goes with the process however it ends; the file names the holder.
type dataLock struct {
	f *os.File
}

// lockData takes the lock of the SQLite database at dbPath for what (serve,
// admin restore), or says which process holds it.
func lockData(dbPath, what string) (*dataLock, error) {
	lockPath := dbPath + ".lock"
	f, err := os.OpenFile(lockPath, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock file %s: %w", lockPath, err)
	}
	if err := tryLockFile(f); err != nil {
		holder := "another coffer process"
		if b, rerr := os.ReadFile(lockPath); rerr == nil {
			if pid, cmd, ok := strings.Cut(strings.TrimSpace(string(b)), " "); ok && pid != "" {
				holder = fmt.Sprintf("another coffer %s (pid %s)", cmd, pid)
			}
		}
		f.Close()
		if errors.Is(err, errDataLocked) {
			dir, _ := filepath.Abs(filepath.Dir(dbPath))
			return nil, fmt.Errorf("%s is using %s; stop it first", holder, dir)
		}
		return nil, fmt.Errorf("lock file %s: %w", lockPath, err)
	}
	// Who holds it, for the message of the next one that tries.
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(fmt.Sprintf("%d %s\n", os.Getpid(), what)), 0)
	}
	return &dataLock{f: f}, nil
}

// Release lets another process take the lock. The file stays: removing it
// would let a process that just opened it lock a file no one else sees.
func (l *dataLock) Release() {
	if l == nil {
		return
	}
	l.f.Truncate(0)
	unlockFile(l.f)
	l.f.Close()
}

// sqlitePath is the SQLite database of --data and --database, or "" when
// --database names another engine.
func sqlitePath(data, database string) string {
	switch {
	case database == "":
		return filepath.Join(data, sqlite.FileName)
	case strings.HasPrefix(database, "sqlite:"):
		return strings.TrimPrefix(database, "sqlite:")
	}
	return ""
}
