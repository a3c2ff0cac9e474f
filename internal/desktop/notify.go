package desktop

import (
	"sync"

	"github.com/gen2brain/beeep"

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

var setAppName sync.Once

// NewNotifier returns the Notifier backed by beeep. iconFile is where the
// app icon is written (once, when first needed) for notifications to show,
// e.g. <user cache dir>/plextray/icon.png; when empty or not writable the
// PNG bytes are passed instead.
//
// On Linux beeep talks to org.freedesktop.Notifications over the shared
// session-bus connection (dbus.SessionBus) and, since v0.11.3, never closes
// it; fyne.io/systray uses the same connection, so nothing here closes it
// either.
func NewNotifier(iconFile string) Notifier {
	setAppName.Do(func() { beeep.AppName = AppName })
	return &notifier{send: beeep.Notify, iconFile: iconFile}
}

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
		n.icon = assets.NotifyIcon
		if n.iconFile != "" && fsutil.WriteFileIfChanged(n.iconFile, assets.NotifyIcon, 0o600) == nil {
			n.icon = n.iconFile
		}
	})
	return n.icon
}
