package autostart

import (
	"errors"
	"path/filepath"

	"golang.org/x/sys/windows/registry"
)

const (
	runKey      = `Software\Microsoft\Windows\CurrentVersion\Run`
	approvedKey = `Software\Microsoft\Windows\CurrentVersion\Explorer\StartupApproved\Run`
)

// Location describes where the entry lives: the Run key's value "plextray".
func (Toggle) Location() (string, error) {
	return `HKEY_CURRENT_USER\` + runKey + `\` + Name, nil
}

// Enabled reports whether the Run value exists and is not switched off in
// Task Manager's Startup tab (StartupApproved).
func (Toggle) Enabled() (bool, error) {
	k, err := registry.OpenKey(registry.CURRENT_USER, runKey, registry.QUERY_VALUE)
	if errors.Is(err, registry.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer k.Close()
	if _, _, err := k.GetStringValue(Name); errors.Is(err, registry.ErrNotExist) {
		return false, nil
	} else if err != nil {
		return false, err
	}

	a, err := registry.OpenKey(registry.CURRENT_USER, approvedKey, registry.QUERY_VALUE)
	if err != nil {
		return true, nil // no StartupApproved key: nothing switched off
	}
	defer a.Close()
	b, _, err := a.GetBinaryValue(Name)
	if err != nil {
		return true, nil
	}
	return !startupApprovedDisabled(b), nil
}

// Enable sets the Run value to exe, an absolute path, quoted, with no
// arguments, and clears a "switched off" mark left by Task Manager so the
// entry takes effect.
func (Toggle) Enable(exe string) error {
	if err := checkExe(exe, filepath.IsAbs); err != nil {
		return err
	}
	v, err := runValue(exe)
	if err != nil {
		return err
	}
	k, _, err := registry.CreateKey(registry.CURRENT_USER, runKey, registry.SET_VALUE)
	if err != nil {
		return err
	}
	defer k.Close()
	if err := k.SetStringValue(Name, v); err != nil {
		return err
	}
	clearApproved()
	return nil
}

// Disable deletes the Run value. Deleting a missing value is not an error.
func (Toggle) Disable() error {
	k, err := registry.OpenKey(registry.CURRENT_USER, runKey, registry.SET_VALUE)
	if errors.Is(err, registry.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer k.Close()
	if err := k.DeleteValue(Name); err != nil && !errors.Is(err, registry.ErrNotExist) {
		return err
	}
	clearApproved()
	return nil
}

// clearApproved deletes plextray's StartupApproved value, best effort.
func clearApproved() {
	a, err := registry.OpenKey(registry.CURRENT_USER, approvedKey, registry.SET_VALUE)
	if err != nil {
		return
	}
	defer a.Close()
	_ = a.DeleteValue(Name)
}
