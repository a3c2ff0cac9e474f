package autostart

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

// Location returns the LaunchAgent's path,
// ~/Library/LaunchAgents/io.github.plextray.plextray.plist.
func Location() (string, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, "Library", "LaunchAgents", ID+".plist"), nil
}

// Enabled reports whether the LaunchAgent exists.
func Enabled() (bool, error) {
	path, err := Location()
	if err != nil {
		return false, err
	}
	_, err = os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}

// Enable writes the LaunchAgent, which launchd runs at the next login; it
// runs exe, an absolute path, with no arguments. It replaces an existing one.
func Enable(exe string) error {
	if err := checkExe(exe, filepath.IsAbs); err != nil {
		return err
	}
	path, err := Location()
	if err != nil {
		return err
	}
	return writeFile(path, []byte(launchAgent(exe)))
}

// Disable removes the LaunchAgent. Removing a missing one is not an error.
func Disable() error {
	path, err := Location()
	if err != nil {
		return err
	}
	return removeFile(path)
}
