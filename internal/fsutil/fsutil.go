// Package fsutil writes files so that readers see the old content or the
// new, never a part: the one atomic-write helper of plextray.
package fsutil

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// WriteFile writes data to path atomically: to a temporary file in the
// same directory (created with mode 0700 if missing), then renamed over
// path. perm is the new file's mode.
func WriteFile(path string, data []byte, perm fs.FileMode) error {
	return write(path, data, perm, os.Rename)
}

// CreateFile is WriteFile that never replaces: the file is linked into
// place, so it appears complete or not at all, and if path already exists
// CreateFile returns an error matching fs.ErrExist and leaves it alone (of
// several processes creating path at once, exactly one wins).
func CreateFile(path string, data []byte, perm fs.FileMode) error {
	return write(path, data, perm, os.Link)
}

// WriteFileIfChanged is WriteFile, skipped when path already holds data.
func WriteFileIfChanged(path string, data []byte, perm fs.FileMode) error {
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
		return nil
	}
	return WriteFile(path, data, perm)
}

func write(path string, data []byte, perm fs.FileMode, place func(tmp, path string) error) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name()) // after a rename: nothing; after a link: the temporary name
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(perm)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := place(f.Name(), path); err != nil {
		var le *os.LinkError
		if errors.As(err, &le) {
			return fmt.Errorf("writing %s: %w", path, le.Err)
		}
		return err
	}
	return nil
}
