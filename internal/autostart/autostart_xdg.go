//go:build !windows && !darwin

package autostart

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

// Location returns the autostart entry's path:
// $XDG_CONFIG_HOME/autostart/plextray.desktop, or ~/.config/… when
// XDG_CONFIG_HOME is unset or relative (the Base Directory spec says to
// ignore a relative one).
func (t Toggle) Location() (string, error) {
	dir := t.ConfigHome
	if !filepath.IsAbs(dir) {
		home, err := t.home()
		if err != nil {
			return "", err
		}
		dir = filepath.Join(home, ".config")
	}
	return filepath.Join(dir, "autostart", Name+".desktop"), nil
}

// Enabled reports whether plextray starts at login: the entry exists and is
// not switched off (Hidden=true or X-GNOME-Autostart-enabled=false).
func (t Toggle) Enabled() (bool, error) {
	path, err := t.Location()
	if err != nil {
		return false, err
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return desktopEntryEnabled(string(b)), nil
}

// entry is the text of the XDG autostart entry for exe.
func entry(exe string) string { return desktopEntry(exe) }
