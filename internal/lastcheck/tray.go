package lastcheck

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gofrs/flock"
)

// TrayLock is the file in the config folder a running tray holds locked
// (an OS file lock: flock, LockFileEx), for as long as it runs. The OS
// releases it when the tray ends, however it ends.
const TrayLock = "tray.lock"

// ErrAnotherTray: another tray holds TrayLock already.
var ErrAnotherTray = errors.New("another plextray tray is running")

// Hold locks TrayLock in dir for the calling tray until release.
func Hold(dir string) (release func(), err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("marking the tray as running: %w", err)
	}
	l := flock.New(filepath.Join(dir, TrayLock), flock.SetPermissions(0o600))
	ok, err := l.TryLock()
	if err != nil {
		return nil, fmt.Errorf("marking the tray as running: %w", err)
	}
	if !ok {
		l.Close()
		return nil, ErrAnotherTray
	}
	return func() { l.Unlock(); l.Close() }, nil
}

// TrayRunning reports whether a tray holds TrayLock in dir. A lock that
// cannot be tried says no: the command line then checks itself.
func TrayRunning(dir string) bool {
	path := filepath.Join(dir, TrayLock)
	if fi, err := os.Lstat(path); err != nil || !fi.Mode().IsRegular() {
		return false
	}
	l := flock.New(path)
	defer l.Close()
	ok, err := l.TryRLock()
	if err != nil {
		return false
	}
	if ok {
		l.Unlock()
		return false
	}
	return true
}
