//go:build !windows

package autostart

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

// Enable makes plextray start at login by running exe, an absolute path,
// with no arguments. It replaces an existing entry.
func Enable(exe string) error {
	if err := checkExe(exe, filepath.IsAbs); err != nil {
		return err
	}
	path, err := Location()
	if err != nil {
		return err
	}
	return writeFile(path, []byte(entry(exe)))
}

// Disable removes the autostart entry. Removing a missing one is not an error.
func Disable() error {
	path, err := Location()
	if err != nil {
		return err
	}
	return removeFile(path)
}

// writeFile writes data to path atomically (a temporary file in the same
// directory, then rename), creating the directory if needed.
func writeFile(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+Name+"-*")
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(0o644)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}

// removeFile removes path; a missing file is not an error.
func removeFile(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}
