package autostart

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

// Location returns the LaunchAgent's path,
// ~/Library/LaunchAgents/io.github.plextray.plextray.plist.
func (t Toggle) Location() (string, error) {
	home, err := t.home()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, "Library", "LaunchAgents", ID+".plist"), nil
}

// Enabled reports whether the LaunchAgent exists.
func (t Toggle) Enabled() (bool, error) {
	path, err := t.Location()
	if err != nil {
		return false, err
	}
	_, err = os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}

// entry is the text of the LaunchAgent, which launchd runs at the next login for exe.
func entry(exe string) string { return launchAgent(exe) }
