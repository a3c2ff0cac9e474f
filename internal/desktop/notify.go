package desktop

import (
	"bytes"
	"os"
	"path/filepath"
	"sync"

	"github.com/plextray/plextray/assets"
)

// Notifier shows a desktop notification.
//
// Title and body must never contain a token: when D-Bus fails, beeep falls
// back to notify-send or kdialog (Linux) and terminal-notifier or osascript
// (macOS) with the text in their argv, visible to every local user via ps.
type Notifier interface {
	Notify(title, body string) error
}

// AppName is what notifications show as their sender.
const AppName = "plextray"

type notifier struct {
	send func(title, body string, icon any) error
}

func (n *notifier) Notify(title, body string) error {
	return notifyError(n.send(title, body, notifyIcon()))
}

var (
	iconOnce sync.Once
	iconArg  any // a file path if the cache file could be written, else PNG bytes
)

// notifyIcon returns the app icon for beeep: a path to a PNG in the user's
// cache directory, written once per run, or the PNG bytes if that failed.
// A path keeps the D-Bus message small and spares beeep a temporary file on
// every notification (Windows, notify-send, macOS).
func notifyIcon() any {
	iconOnce.Do(func() {
		iconArg = assets.NotifyIcon
		dir, err := os.UserCacheDir()
		if err != nil {
			return
		}
		if path, err := writeOnce(filepath.Join(dir, AppName, "icon.png"), assets.NotifyIcon); err == nil {
			iconArg = path
		}
	})
	return iconArg
}

// writeOnce makes sure path holds data, writing it (atomically) only when it
// differs, and returns path.
func writeOnce(path string, data []byte) (string, error) {
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
		return path, nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", err
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".icon-*.png")
	if err != nil {
		return "", err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return path, nil
}
