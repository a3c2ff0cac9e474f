package desktop

import (
	"sync"

	"github.com/plextray/plextray/assets"
	"github.com/plextray/plextray/internal/fsutil"
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
	send     func(title, body string, icon any) error
	iconFile string

	iconOnce sync.Once
	icon     any // iconFile if it could be written, else PNG bytes
}

func (n *notifier) Notify(title, body string) error {
	return notifyError(n.send(title, body, n.iconArg()))
}

// iconArg returns the app icon for beeep: iconFile, written once per
// notifier, or the PNG bytes if that failed. A path keeps the D-Bus message
// small and spares beeep a temporary file on every notification (Windows,
// notify-send, macOS).
func (n *notifier) iconArg() any {
	n.iconOnce.Do(func() {
		n.icon = assets.NotifyIcon()
		if n.iconFile != "" && fsutil.WriteFileIfChanged(n.iconFile, assets.NotifyIcon(), 0o600) == nil {
			n.icon = n.iconFile
		}
	})
	return n.icon
}
