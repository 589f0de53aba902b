//go:build !unix && !windows

package cli

import "os"

// Where the system has no file locks Coffer knows, the data directory is
// not locked: run one coffer serve per SQLite database.
func tryLockFile(*os.File) error { return nil }

func unlockFile(*os.File) error { return nil }
