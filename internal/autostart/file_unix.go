//go:build !windows

package autostart

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/plextray/plextray/internal/fsutil"
)

// Enable makes plextray start at login by running exe, an absolute path,
// with no arguments. It replaces an existing entry.
func (t Toggle) Enable(exe string) error {
	if err := checkExe(exe, filepath.IsAbs); err != nil {
		return err
	}
	path, err := t.Location()
	if err != nil {
		return err
	}
	return fsutil.WriteFile(path, []byte(entry(exe)), 0o644)
}

// Disable removes the autostart entry. Removing a missing one is not an error.
func (t Toggle) Disable() error {
	path, err := t.Location()
	if err != nil {
		return err
	}
	return removeFile(path)
}

// removeFile removes path; a missing file is not an error.
func removeFile(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}
