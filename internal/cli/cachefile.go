package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/google/uuid"
)

// cacheDir is the device cache's directory in the profile directory: the
// sealed state and the record files it names (docs/protocol.md §16). The
// client core seals everything in it; these files only keep bytes.
const cacheDir = "cache"

// fileCache is the CLI's client.CacheStore: files with mode 0600 in a
// 0700 directory.
type fileCache struct{ dir string }

func (a *app) cacheStore() (*fileCache, error) {
	d, err := a.dir()
	if err != nil {
		return nil, err
	}
	return &fileCache{dir: filepath.Join(d, cacheDir)}, nil
}

func (c *fileCache) statePath() string { return filepath.Join(c.dir, "state") }

// recordPath names a record file; its name comes from the state, which is
// authenticated, and is checked all the same: it never leaves the
// directory.
func (c *fileCache) recordPath(file string) (string, error) {
	if uuid.Validate(file) != nil {
		return "", fmt.Errorf("cache record file %q is not a cache file name", file)
	}
	return filepath.Join(c.dir, "items-"+file), nil
}

func (c *fileCache) ReadState() ([]byte, error) {
	data, err := os.ReadFile(c.statePath())
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return data, err
}

// WriteState replaces the state by a rename, without a disk flush: a
// state lost to a power cut fails to open and is rebuilt (see writeFile).
func (c *fileCache) WriteState(data []byte) error {
	return writeFile(c.statePath(), data, false)
}

func (c *fileCache) Size(file string) (int64, error) {
	p, err := c.recordPath(file)
	if err != nil {
		return 0, err
	}
	fi, err := os.Stat(p)
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}

func (c *fileCache) ReadAt(file string, p []byte, off int64) error {
	path, err := c.recordPath(file)
	if err != nil {
		return err
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = f.ReadAt(p, off)
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// Append adds data at the end of a record file. Without create the file
// must exist: a file that another process compacted away is not brought
// back half-empty.
func (c *fileCache) Append(file string, data []byte, create bool) (int64, error) {
	path, err := c.recordPath(file)
	if err != nil {
		return 0, err
	}
	if err := os.MkdirAll(c.dir, 0o700); err != nil {
		return 0, err
	}
	flags := os.O_WRONLY | os.O_APPEND
	if create {
		flags |= os.O_CREATE | os.O_EXCL
	}
	f, err := os.OpenFile(path, flags, 0o600)
	if err != nil {
		return 0, err
	}
	off, err := f.Seek(0, io.SeekEnd)
	if err == nil {
		_, err = f.Write(data)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return off, err
}

func (c *fileCache) Remove(file string) error {
	path, err := c.recordPath(file)
	if err != nil {
		return err
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// Clear deletes the cache directory; logout and a damaged cache use it.
// Clear deletes the cache. It takes the writers' lock first: another
// process of this device (a watch, say) may be saving it right now, and
// removing files under its feet left the directory half there.
func (c *fileCache) Clear() error {
	if _, err := os.Stat(c.dir); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	unlock, err := c.lock()
	if err != nil {
		return err
	}
	entries, err := os.ReadDir(c.dir)
	for _, e := range entries {
		if e.Name() != "lock" {
			if rerr := os.RemoveAll(filepath.Join(c.dir, e.Name())); rerr != nil && err == nil {
				err = rerr
			}
		}
	}
	unlock()
	if err != nil {
		return err
	}
	// A writer that takes the lock now finds nothing to build on; the
	// empty directory goes unless it already wrote again.
	os.Remove(filepath.Join(c.dir, "lock"))
	os.Remove(c.dir)
	return nil
}

// lock serialises the processes that write this cache: a state and the
// records it names are written together (unlock with the function).
func (c *fileCache) lock() (func(), error) {
	if err := os.MkdirAll(c.dir, 0o700); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(filepath.Join(c.dir, "lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := lockFile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { f.Close() }, nil // closing releases the lock
}
